//! Syncing lists into other systems: a catalog of streams (every list operation, its row
//! schema from the specs, primary key and cursor), incremental state, and a [`Source`] that
//! reads any stream as JSON rows.
//!
//! An incremental run starts an overlap before the last cursor value it saved and drops the
//! rows the previous run already emitted there (by primary key), so a run neither misses a
//! late row nor emits one twice.
//!
//! ```
//! use cxkit::sync::{stream, Incremental};
//! use serde_json::json;
//!
//! let prospects = stream("conversion_prospects").unwrap();
//! let mut run = Incremental::new(prospects, None);
//! assert!(run.admit(&json!({"id": "p1", "created": "2024-03-01T10:00:00Z"})));
//! let saved = run.state().unwrap();
//!
//! let mut next = Incremental::new(prospects, Some(saved));
//! assert!(!next.admit(&json!({"id": "p1", "created": "2024-03-01T10:00:00Z"})));
//! ```

mod catalog;
mod read;
mod source;
mod state;
mod streams;

pub use catalog::{stream, Cursor, StreamDef, STREAMS};
pub use read::{Filters, ReadSpec};
pub use source::{Rows, Source};
pub use state::{parse_time, parse_time_in, Incremental, StreamState};
pub use streams::Stream;
