//! Helpers shared by the contract tests: fixtures, lossless round trips, log capture and
//! secret-leak checks.

use serde::{de::DeserializeOwned, Serialize};
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// `tests/fixtures/<relative>`.
pub fn fixture_path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(relative)
}

/// A fixture as JSON.
pub fn fixture(relative: &str) -> serde_json::Value {
    let path = fixture_path(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `specs/<name>.yaml`, parsed.
pub fn spec(name: &str) -> openapiv3::OpenAPI {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../specs")
        .join(format!("{name}.yaml"));
    cxkit_codegen::load_spec(&path).unwrap_or_else(|e| panic!("{e}"))
}

/// Parses `value` as `T`, serializes it back and asserts nothing was lost or changed.
/// An explicit `null` member counts as absent (typed optional fields skip `None`).
pub fn round_trip<T: DeserializeOwned + Serialize>(value: &serde_json::Value) -> T {
    let parsed: T = serde_json::from_value(value.clone())
        .unwrap_or_else(|e| panic!("does not parse as {}: {e}", std::any::type_name::<T>()));
    let back = serde_json::to_value(&parsed).expect("serializes");
    assert_eq!(
        normalized(&back),
        normalized(value),
        "round trip through {} changed the payload",
        std::any::type_name::<T>()
    );
    parsed
}

/// JSON as a comparison sees it, so a round trip is judged on meaning, not spelling:
/// `null` members dropped (typed optional fields skip `None`), a float with no fraction
/// written as an integer (`42.0` == `42`: a typed `f64` field re-serializes integers so), and
/// an RFC 3339 timestamp written as its UTC instant with milliseconds (chrono writes the
/// vendor's `…12:00:00.000Z` back as `…12:00:00Z`: the same instant).
pub fn normalized(value: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), normalized(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(normalized).collect()),
        Value::String(text) => match chrono::DateTime::parse_from_rfc3339(text) {
            Ok(at) => Value::String(
                at.with_timezone(&chrono::Utc)
                    .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            ),
            Err(_) => value.clone(),
        },
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 9.0e15 => Value::from(f as i64),
            _ => value.clone(),
        },
        other => other.clone(),
    }
}

/// Collects everything `tracing` logs (at every level) on the current thread while installed.
///
/// One global subscriber writes into the buffer of the thread that logs: per-test scoped
/// subscribers (`set_default`) race on tracing's per-callsite interest cache when tests run
/// in parallel, and silently lose events. Async tests run on a current-thread runtime, so
/// everything a test does is logged on its own thread.
#[derive(Clone, Default)]
pub struct LogCapture(Arc<Mutex<Vec<u8>>>);

thread_local! {
    static ACTIVE: std::cell::RefCell<Option<LogCapture>> = const { std::cell::RefCell::new(None) };
}

/// Stops capturing when dropped.
pub struct CaptureGuard(());

impl Drop for CaptureGuard {
    fn drop(&mut self) {
        ACTIVE.with(|a| a.borrow_mut().take());
    }
}

struct ThreadWriter;

impl Write for ThreadWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        ACTIVE.with(|a| {
            if let Some(capture) = a.borrow().as_ref() {
                capture.0.lock().unwrap().extend_from_slice(buf);
            }
        });
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl LogCapture {
    /// Starts capturing this thread's logs until the guard drops.
    pub fn install(&self) -> CaptureGuard {
        static GLOBAL: std::sync::Once = std::sync::Once::new();
        GLOBAL.call_once(|| {
            let subscriber = tracing_subscriber::fmt()
                .with_max_level(tracing::Level::TRACE)
                .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
                .with_ansi(false)
                .with_writer(|| ThreadWriter)
                .finish();
            tracing::subscriber::set_global_default(subscriber)
                .expect("no other global subscriber");
        });
        ACTIVE.with(|a| *a.borrow_mut() = Some(self.clone()));
        CaptureGuard(())
    }

    /// Everything logged so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// Panics, showing where, if `secret` occurs in `text`.
pub fn assert_no_secret(what: &str, text: &str, secret: &str) {
    if let Some(at) = text.find(secret) {
        let start = at.saturating_sub(80);
        panic!(
            "{what} leaks the secret near: …{}…",
            &text[start..(at + secret.len() + 40).min(text.len())]
        );
    }
}
