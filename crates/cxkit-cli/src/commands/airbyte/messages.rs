//! Airbyte protocol (v0.3) messages, one JSON object per line on stdout.

use crate::commands::stream_run::Failure;
use cxkit::sync::StreamDef;
use serde_json::{json, Value};
use std::io::Write;

/// Milliseconds since the epoch, as `emitted_at` wants them.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Writes messages to stdout; every message is one line, flushed at checkpoints.
pub struct Messages<W: Write> {
    out: W,
}

/// A stream's status in `TRACE` `STREAM_STATUS` messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// The stream is about to be read.
    Started,
    /// The first record is out.
    Running,
    /// Every record is out.
    Complete,
    /// The stream failed part way.
    Incomplete,
}

impl<W: Write> Messages<W> {
    /// Messages written to `out`.
    pub fn new(out: W) -> Self {
        Self { out }
    }

    fn emit(&mut self, message: Value) -> std::io::Result<()> {
        serde_json::to_writer(&mut self.out, &message)?;
        self.out.write_all(b"\n")
    }

    /// Flushes what was written (after a `STATE`, and at the end).
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }

    /// `SPEC`.
    pub fn spec(&mut self, connection_specification: Value) -> std::io::Result<()> {
        self.emit(json!({
            "type": "SPEC",
            "spec": {
                "documentationUrl": "https://github.com/cxkit/cxkit#load-into-a-warehouse",
                "connectionSpecification": connection_specification,
                "supportsIncremental": true,
                "protocol_version": "0.3.0"
            }
        }))
    }

    /// `CONNECTION_STATUS`: `None` for success, else the failure's message.
    pub fn connection_status(&mut self, failure: Option<&str>) -> std::io::Result<()> {
        let status = match failure {
            None => json!({"status": "SUCCEEDED"}),
            Some(message) => json!({"status": "FAILED", "message": message}),
        };
        self.emit(json!({"type": "CONNECTION_STATUS", "connectionStatus": status}))
    }

    /// `CATALOG` with `streams`.
    pub fn catalog<'a>(
        &mut self,
        streams: impl Iterator<Item = &'a StreamDef>,
    ) -> std::io::Result<()> {
        let streams: Vec<Value> = streams.map(airbyte_stream).collect();
        self.emit(json!({"type": "CATALOG", "catalog": {"streams": streams}}))
    }

    /// `RECORD` of a row given as its JSON text (one object on one line), copied as it is.
    pub fn record(&mut self, stream: &str, data: &[u8], emitted_at: i64) -> std::io::Result<()> {
        self.out
            .write_all(br#"{"type":"RECORD","record":{"stream":"#)?;
        serde_json::to_writer(&mut self.out, stream)?;
        self.out.write_all(br#","data":"#)?;
        self.out.write_all(data)?;
        write!(self.out, r#","emitted_at":{emitted_at}}}}}"#)?;
        self.out.write_all(b"\n")
    }

    /// A per-stream `STATE` covering the `records` emitted before it; flushed.
    pub fn state(&mut self, stream: &str, state: &Value, records: u64) -> std::io::Result<()> {
        self.emit(json!({
            "type": "STATE",
            "state": {
                "type": "STREAM",
                "stream": {
                    "stream_descriptor": {"name": stream},
                    "stream_state": state
                },
                "sourceStats": {"recordCount": records as f64}
            }
        }))?;
        self.flush()
    }

    /// `TRACE` `STREAM_STATUS`.
    pub fn status(&mut self, stream: &str, status: Status) -> std::io::Result<()> {
        let status = match status {
            Status::Started => "STARTED",
            Status::Running => "RUNNING",
            Status::Complete => "COMPLETE",
            Status::Incomplete => "INCOMPLETE",
        };
        self.emit(json!({
            "type": "TRACE",
            "trace": {
                "type": "STREAM_STATUS",
                "emitted_at": now_ms() as f64,
                "stream_status": {"stream_descriptor": {"name": stream}, "status": status}
            }
        }))
    }

    /// `TRACE` `ERROR` (the message is built from masked errors: no credential).
    pub fn error(
        &mut self,
        stream: Option<&str>,
        message: &str,
        failure: Failure,
    ) -> std::io::Result<()> {
        let mut error = json!({
            "message": message,
            "internal_message": message,
            "failure_type": match failure {
                Failure::Config => "config_error",
                Failure::System => "system_error",
            }
        });
        if let Some(name) = stream {
            error["stream_descriptor"] = json!({"name": name});
        }
        self.emit(json!({
            "type": "TRACE",
            "trace": {"type": "ERROR", "emitted_at": now_ms() as f64, "error": error}
        }))?;
        self.flush()
    }
}

/// A stream as `discover` describes it.
fn airbyte_stream(s: &StreamDef) -> Value {
    let mut stream = json!({
        "name": s.name,
        "json_schema": s.json_schema(),
        "description": s.description,
        "supported_sync_modes": if s.cursor.is_some() {
            json!(["full_refresh", "incremental"])
        } else {
            json!(["full_refresh"])
        },
        "source_defined_primary_key": s.primary_key.iter().map(|k| [k]).collect::<Vec<_>>(),
    });
    if let Some(c) = s.cursor {
        stream["source_defined_cursor"] = json!(true);
        stream["default_cursor_field"] = json!([c.field]);
    }
    stream
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer that counts how many of its bytes were flushed.
    #[derive(Default)]
    struct Spy {
        written: usize,
        flushed: usize,
    }

    impl Write for Spy {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.written += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            self.flushed = self.written;
            Ok(())
        }
    }

    /// The platform keeps a state (or reports an error) as soon as it reads it: both leave
    /// nothing in a buffer, while records alone are not flushed one by one.
    #[test]
    fn a_state_and_an_error_are_flushed_and_a_record_is_not() {
        let mut spy = Spy::default();
        {
            let mut out = Messages::new(&mut spy);
            out.record("s", br#"{"id":1}"#, 5).unwrap();
            out.state("s", &json!({"cursor": "x"}), 1).unwrap();
            out.record("s", br#"{"id":2}"#, 6).unwrap();
        }
        assert!(spy.flushed > 0 && spy.flushed < spy.written);
        Messages::new(&mut spy)
            .error(Some("s"), "failed", Failure::System)
            .unwrap();
        assert_eq!(spy.flushed, spy.written);
    }
}
