//! One stream read under the sync rules every connector shares (`cxkit airbyte read`,
//! `cxkit singer`): from the previous state less the overlap and the lookback, each row the
//! previous run or this one already emitted dropped, the cursor never past the run's end,
//! naive date-times read in the vendor's zone. Rows are the JSON text the source read, never
//! decoded into a value tree.

use chrono::{DateTime, Utc};
use cxkit::sync::{Incremental, Source, StreamDef, StreamState};
use futures::StreamExt;

/// Whose fault a stream's failure is (Airbyte's `failure_type`; Singer exits with its code).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The configuration (a credential, a URL, a catalog) must change.
    Config,
    /// Anything else: the network, the vendor, cxkit.
    System,
}

/// How every stream of a run follows its cursor (the same rules as the CLI's `--state`).
#[derive(Clone, Copy, Debug)]
pub struct Semantics {
    /// Where a first run starts.
    pub start: DateTime<Utc>,
    /// The run's end: no saved cursor passes it.
    pub until: DateTime<Utc>,
    /// How far before the overlap a run starts again.
    pub lookback: chrono::Duration,
    /// The zone of zchat's date-times written without an offset.
    pub zchat_offset: chrono::FixedOffset,
}

impl Semantics {
    /// The run of `def` from `previous`.
    pub fn run(&self, def: &'static StreamDef, previous: Option<StreamState>) -> Incremental {
        let run = Incremental::new(def, previous)
            .until(self.until)
            .lookback(self.lookback);
        match def.api {
            cxkit::Api::Zchat => run.naive_offset(self.zchat_offset),
            _ => run,
        }
    }
}

/// Why a stream failed, and whose fault it is.
#[derive(Debug)]
pub struct StreamError {
    /// What happened (masked).
    pub message: String,
    /// A configuration or a system failure.
    pub failure: Failure,
}

impl From<cxkit::Error> for StreamError {
    fn from(e: cxkit::Error) -> Self {
        let failure = match &e {
            cxkit::Error::Config(_) | cxkit::Error::InvalidInput(_) => Failure::Config,
            e if matches!(e.status().map(|s| s.as_u16()), Some(401 | 403)) => Failure::Config,
            _ => Failure::System,
        };
        Self {
            message: e.to_string(),
            failure,
        }
    }
}

impl From<std::io::Error> for StreamError {
    fn from(e: std::io::Error) -> Self {
        Self {
            message: format!("writing to stdout: {e}"),
            failure: Failure::System,
        }
    }
}

/// Reads `def` from `previous` and hands every row to emit (its JSON text) that the sync rules
/// admit; returns the run, whose state covers them. The first failure ends the stream, and its
/// state must then not be saved.
pub async fn each_admitted(
    source: &Source,
    def: &'static StreamDef,
    semantics: &Semantics,
    previous: Option<StreamState>,
    mut emit: impl FnMut(&[u8]) -> std::io::Result<()>,
) -> Result<Incremental, StreamError> {
    let mut run = semantics.run(def, previous);
    let mut rows = source.read(def, run.start(semantics.start))?;
    while let Some(row) = rows.next().await {
        let row = row?;
        let admitted = run.admit_json(&row).map_err(|e| StreamError {
            message: format!("a row of `{}` is not a JSON object: {e}", def.name),
            failure: Failure::System,
        })?;
        if admitted {
            emit(&row)?;
        }
    }
    Ok(run)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answered(status: u16) -> cxkit::Error {
        cxkit::Error::Api {
            api: cxkit::Api::Converz,
            operation: "list_reps",
            status: reqwest::StatusCode::from_u16(status).unwrap(),
            code: None,
            message: "refused".into(),
            note: None,
        }
    }

    /// Airbyte's platform does not retry a `config_error`: a failure a retry could mend must
    /// not be called one, and one only the operator can mend must.
    #[test]
    fn a_failure_is_the_configurations_only_when_the_operator_must_mend_it() {
        let config = [
            cxkit::Error::InvalidInput("a lead needs a phone".into()),
            cxkit::Error::Config(cxkit::ConfigError::Invalid("no base URL".into())),
            answered(401),
            answered(403),
        ];
        for e in config {
            let shown = e.to_string();
            let failure = StreamError::from(e);
            assert_eq!(failure.failure, Failure::Config, "{shown}");
            assert_eq!(failure.message, shown);
        }
        let system = [
            answered(400),
            answered(404),
            answered(429),
            answered(500),
            cxkit::Error::Timeout {
                api: cxkit::Api::Zchat,
                operation: "list_history",
            },
        ];
        for e in system {
            let shown = e.to_string();
            assert_eq!(StreamError::from(e).failure, Failure::System, "{shown}");
        }
    }
}
