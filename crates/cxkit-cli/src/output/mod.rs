//! Where rows go: a table, JSON, JSON Lines or CSV, on stdout or into `FILE`.
//!
//! A file export is written to `FILE.partial` and renamed to `FILE` when it completes, so a
//! failed or interrupted export never leaves a half `FILE`. After every complete page the
//! data is made durable and `FILE.checkpoint` records where the list resumes; `--resume`
//! continues from it to a file byte-identical to an uninterrupted run. Tables and CSV keep
//! every field (see [`tabular`]): CSV rows are spooled as JSON Lines in `FILE.partial` until
//! the last row has shown every column.

#[cfg(feature = "parquet")]
mod arrow_rows;
#[cfg(feature = "parquet")]
mod arrow_schema;
pub mod checkpoint;
mod format;
mod json_text;
#[cfg(feature = "parquet")]
mod parquet;
#[cfg(test)]
mod properties;
mod sink;
mod tabular;
mod target;

use crate::error::CliError;
use crate::files::{self, Lock};
use checkpoint::Saved;
use cxkit::pagination::Checkpoint;
pub use format::Format;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sink::Sink;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use tabular::Layout;
use target::Target;

/// The columns a table or CSV starts from.
#[derive(Clone, Copy, Debug)]
pub enum Columns {
    /// The leaves of this generated type, as the spec describes them.
    Schema(cxkit::Api, &'static str),
    /// Whatever the rows carry.
    FromRows,
}

/// How to open an output.
pub struct Spec<'a> {
    /// The format; `None` picks a table on a terminal, JSON Lines otherwise.
    pub format: Option<Format>,
    /// `--output`.
    pub path: Option<&'a Path>,
    /// The starting columns.
    pub columns: Columns,
    /// `--columns`: exactly these, in this order.
    pub select: Option<&'a [String]>,
    /// No progress bar or summary.
    pub quiet: bool,
    /// `--resume`: continue from `FILE.checkpoint` when there is one.
    pub resume: bool,
    /// The command line, to refuse resuming another command's checkpoint.
    pub command: &'a str,
    /// `--csv-safe`: cells a spreadsheet would run as a formula start with `'`.
    pub csv_safe: bool,
}

/// An open output: a format's [`Sink`] and what every format shares (the target, the file
/// and its checkpoints, counting, progress).
pub struct Output {
    sink: Box<dyn Sink>,
    target: Target,
    /// `--output` (with `FILE.partial` and `FILE.checkpoint` beside it).
    path: Option<PathBuf>,
    rows: u64,
    progress: Option<ProgressBar>,
    quiet: bool,
    page_size: Option<u64>,
    command: String,
    /// A row's JSON text, for rows given as values (reused from row to row).
    scratch: Vec<u8>,
    /// `FILE.lock`, held until the output is finished or dropped.
    _lock: Option<Lock>,
}

/// The format asked for, or the default: a table on a terminal, JSON Lines otherwise.
pub fn resolve_format(asked: Option<Format>, path: Option<&std::path::Path>) -> Format {
    let to_terminal = path.is_none() && std::io::stdout().is_terminal();
    asked.unwrap_or(if to_terminal {
        Format::Table
    } else {
        Format::Jsonl
    })
}

impl Output {
    /// Opens the output; with `resume`, also returns where the list continues.
    pub fn open(spec: Spec<'_>) -> Result<(Self, Option<Checkpoint>), CliError> {
        let format = resolve_format(spec.format, spec.path);
        let layout = match (spec.select, spec.columns) {
            (Some(select), _) => Layout::fixed(select.to_vec()),
            (None, Columns::Schema(api, name)) => {
                Layout::new(cxkit::schema::known_columns(api, name))
            }
            (None, Columns::FromRows) => Layout::default(),
        };
        let mut sink = format.sink(&spec, layout)?;
        // Held before anything beside FILE is touched: a second run on FILE is refused.
        let lock = spec.path.map(Lock::take).transpose()?;
        let (mut target, saved) = match spec.path {
            None if sink.spools() => (Target::create_anonymous()?, None),
            None => (
                Target::Stdout(std::io::BufWriter::new(std::io::stdout())),
                None,
            ),
            Some(path) => open_file(path, spec.resume, spec.command, sink.resumable())?,
        };
        sink.open(&mut target)?;
        let progress = (!spec.quiet && std::io::stderr().is_terminal()).then(progress_bar);
        let mut output = Self {
            sink,
            target,
            path: spec.path.map(Path::to_owned),
            rows: saved.as_ref().map_or(0, |s| s.rows),
            progress,
            quiet: spec.quiet,
            page_size: None,
            command: spec.command.to_owned(),
            scratch: Vec::new(),
            _lock: lock,
        };
        if saved.is_none() {
            output.sink.begin(&mut output.target)?;
        }
        Ok((output, saved.map(|s| s.checkpoint)))
    }

    /// Pushes buffered rows out (for outputs read while they grow).
    pub fn flush(&mut self) -> Result<(), CliError> {
        self.target.flush()
    }

    /// Shows pages in the progress bar (rows / page size).
    pub fn with_page_size(mut self, size: u64) -> Self {
        self.page_size = Some(size.max(1));
        self
    }

    /// Writes the row whose JSON text is `row` (one value, on one line): copied as is to
    /// JSON, JSON Lines and the CSV spool; read in place for CSV cells and Parquet columns.
    pub fn write_json(&mut self, row: &[u8]) -> Result<(), CliError> {
        self.sink.row(row, self.rows, &mut self.target)?;
        self.counted();
        Ok(())
    }

    /// Writes one row given as a value (its JSON is what [`write_json`](Self::write_json)
    /// writes).
    pub fn write_row<T: serde::Serialize>(&mut self, row: &T) -> Result<(), CliError> {
        let mut json = std::mem::take(&mut self.scratch);
        json.clear();
        serde_json::to_writer(&mut json, row).map_err(|e| CliError::io(e.to_string()))?;
        let written = self.write_json(&json);
        self.scratch = json;
        written
    }

    /// Marks a complete page: makes the rows so far durable, then records `checkpoint`.
    pub fn checkpoint(&mut self, checkpoint: &Checkpoint) -> Result<(), CliError> {
        let Some(path) = self.path.clone() else {
            return Ok(());
        };
        if !self.sink.resumable() {
            return Ok(());
        }
        let bytes = self.target.sync()?;
        let saved = Saved {
            version: 1,
            command: self.command.clone(),
            checkpoint: checkpoint.clone(),
            rows: self.rows,
            bytes,
        };
        checkpoint::save(&path, &saved)
    }

    fn counted(&mut self) {
        self.rows += 1;
        if let Some(bar) = &self.progress {
            bar.inc(1);
            if let Some(size) = self.page_size {
                bar.set_message(format!("page {}", self.rows.div_ceil(size)));
            }
        }
    }

    /// Ends the output: closes JSON, renders CSV and tables, moves `FILE.partial` to `FILE`
    /// and removes the checkpoint.
    pub fn finish(mut self) -> Result<u64, CliError> {
        if let Some(bar) = self.progress.take() {
            bar.finish_and_clear();
        }
        self.sink.end(self.rows, &mut self.target)?;
        self.target.sync()?;
        let placed = self.sink.place(&mut self.target, self.path.as_deref())?;
        if let (false, Some(path), Target::File { partial, .. }) =
            (placed, &self.path, &self.target)
        {
            files::rename(partial, path)?;
        }
        if let Some(path) = &self.path {
            checkpoint::remove(path)?;
            files::sync_dir(path);
            if !self.quiet {
                eprintln!("wrote {} rows to {}", self.rows, path.display());
            }
        }
        Ok(self.rows)
    }
}

/// `FILE.partial`, new or (with `resume` and a matching checkpoint) cut back and reopened.
fn open_file(
    path: &Path,
    resume: bool,
    command: &str,
    resumable: bool,
) -> Result<(Target, Option<Saved>), CliError> {
    let partial = checkpoint::with_suffix(path, "partial");
    if resume {
        if !resumable {
            return Err(CliError::usage(
                "--resume needs a file format: json, jsonl or csv",
            ));
        }
        if let Some(saved) = checkpoint::load(path)? {
            if saved.command != command {
                // Recorded without credentials; an older cxkit recorded them, so the command
                // is cleaned again before it is shown.
                return Err(CliError::usage(format!(
                    "{} was written by another command (`{}`): run that command with --resume, \
                     or this one without it",
                    checkpoint::path_for(path).display(),
                    crate::recorded_command(saved.command.split(' ').map(str::to_owned))
                )));
            }
            let target = Target::reopen(&partial, saved.bytes)?;
            return Ok((target, Some(saved)));
        }
    } else {
        checkpoint::remove(path)?;
    }
    Ok((Target::create(&partial)?, None))
}

fn progress_bar() -> ProgressBar {
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{spinner} {human_pos} rows  {per_sec}  {msg}  {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar
}
