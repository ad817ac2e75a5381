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
mod tabular;
mod target;

use crate::error::CliError;
use crate::files::{self, Lock};
use checkpoint::Saved;
use cxkit::pagination::Checkpoint;
pub use format::Format;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::Value;
use std::io::{BufRead, IsTerminal};
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

/// An open output.
pub struct Output {
    format: Format,
    target: Target,
    /// `--output` (with `FILE.partial` and `FILE.checkpoint` beside it).
    path: Option<PathBuf>,
    layout: Layout,
    /// Whether CSV rows are spooled until the columns are all known.
    spool: bool,
    /// Table rows, kept until the end.
    table: Vec<Value>,
    rows: u64,
    progress: Option<ProgressBar>,
    quiet: bool,
    page_size: Option<u64>,
    command: String,
    /// A row's JSON text, for rows given as values (reused from row to row).
    scratch: Vec<u8>,
    csv: CsvLines,
    /// `--format parquet`: the writer, into the same `FILE.partial`.
    #[cfg(feature = "parquet")]
    parquet: Option<parquet::ParquetOut>,
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
        let spool = format == Format::Csv && spec.select.is_none();
        #[cfg(feature = "parquet")]
        let parquet_schema = parquet::schema_for(format, &spec)?;
        // Held before anything beside FILE is touched: a second run on FILE is refused.
        let lock = spec.path.map(Lock::take).transpose()?;
        let (target, saved) = match spec.path {
            None if spool => (Target::create_anonymous()?, None),
            None => (
                Target::Stdout(std::io::BufWriter::new(std::io::stdout())),
                None,
            ),
            Some(path) => open_file(path, spec.resume, spec.command, format)?,
        };
        let progress = (!spec.quiet && std::io::stderr().is_terminal()).then(progress_bar);
        let mut output = Self {
            format,
            target,
            path: spec.path.map(Path::to_owned),
            layout,
            spool,
            table: Vec::new(),
            rows: saved.as_ref().map_or(0, |s| s.rows),
            progress,
            quiet: spec.quiet,
            page_size: None,
            command: spec.command.to_owned(),
            scratch: Vec::new(),
            csv: CsvLines::new(spec.csv_safe),
            #[cfg(feature = "parquet")]
            parquet: None,
            _lock: lock,
        };
        #[cfg(feature = "parquet")]
        if let Some(schema) = parquet_schema {
            output.parquet = Some(parquet::ParquetOut::create(output.target.file()?, &schema)?);
        }
        if saved.is_none() {
            output.begin()?;
        }
        Ok((output, saved.map(|s| s.checkpoint)))
    }

    /// What a new output starts with: `[` for JSON, the header for CSV with `--columns`.
    fn begin(&mut self) -> Result<(), CliError> {
        match self.format {
            Format::Json => self.target.write(b"["),
            Format::Csv if !self.spool => self.csv.write(self.layout.columns(), &mut self.target),
            _ => Ok(()),
        }
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
        let separator: &[u8] = match (self.format, self.rows) {
            (Format::Json, 0) => b"\n",
            (Format::Json, _) => b",\n",
            _ => b"",
        };
        match self.format {
            Format::Json => {
                self.target.write(separator)?;
                self.target.write(row)?;
            }
            Format::Jsonl => self.write_line(row)?,
            Format::Csv if self.spool => self.write_line(row)?,
            Format::Csv => {
                let cells = self.layout.cells_json(text(row)?).map_err(not_json)?;
                self.csv.write(&cells, &mut self.target)?;
            }
            Format::Table => {
                let value: Value = serde_json::from_slice(row).map_err(not_json)?;
                self.layout.see(&value);
                self.table.push(value);
            }
            #[cfg(feature = "parquet")]
            Format::Parquet => {
                if let Some(out) = &mut self.parquet {
                    out.write_json(text(row)?)?;
                }
            }
        }
        self.counted();
        Ok(())
    }

    fn write_line(&mut self, row: &[u8]) -> Result<(), CliError> {
        self.target.write(row)?;
        self.target.write(b"\n")
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
        #[cfg(feature = "parquet")]
        if self.parquet.is_some() {
            // A Parquet file ends with its footer: it cannot be resumed mid-way.
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
        match self.format {
            Format::Json => self
                .target
                .write(if self.rows == 0 { b"]\n" } else { b"\n]\n" })?,
            Format::Table => {
                let text = render_table(&self.layout, &self.table);
                self.target.write(text.as_bytes())?;
            }
            _ => {}
        }
        #[cfg(feature = "parquet")]
        if let Some(out) = self.parquet.take() {
            out.finish()?;
        }
        self.target.sync()?;
        if self.spool {
            self.render_csv()?;
        } else if let (Some(path), Target::File { partial, .. }) = (&self.path, &self.target) {
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

    /// CSV from the spooled rows: one pass for the columns, one for the cells.
    fn render_csv(&mut self) -> Result<(), CliError> {
        let spooled = self.target.reader()?;
        let copy = spooled.try_clone().map_err(CliError::write)?;
        for_each_line(copy, |line| self.layout.see_json(line).map_err(damaged))?;
        let (mut out, rendered) = match &self.path {
            Some(path) => {
                let rendered = files::temp_beside(path)?;
                let file = rendered.as_file().try_clone().map_err(CliError::write)?;
                (Target::from_file(file), Some(rendered))
            }
            None => (
                Target::Stdout(std::io::BufWriter::new(std::io::stdout())),
                None,
            ),
        };
        self.csv.write(self.layout.columns(), &mut out)?;
        let mut spooled = spooled;
        std::io::Seek::rewind(&mut spooled).map_err(CliError::write)?;
        let (layout, csv) = (&self.layout, &mut self.csv);
        for_each_line(spooled, |line| {
            let cells = layout.cells_json(text(line)?).map_err(damaged)?;
            csv.write(&cells, &mut out)
        })?;
        out.sync()?;
        if let (Some(path), Some(rendered), Target::File { partial, .. }) =
            (&self.path, rendered, &self.target)
        {
            files::persist(rendered, path)?;
            files::remove_if_present(partial)?;
        }
        Ok(())
    }
}

/// `FILE.partial`, new or (with `resume` and a matching checkpoint) cut back and reopened.
fn open_file(
    path: &Path,
    resume: bool,
    command: &str,
    format: Format,
) -> Result<(Target, Option<Saved>), CliError> {
    let partial = checkpoint::with_suffix(path, "partial");
    if resume {
        if format == Format::Table {
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

/// Calls `each` with every line of `file` (without its line break), reusing one buffer.
fn for_each_line(
    file: std::fs::File,
    mut each: impl FnMut(&[u8]) -> Result<(), CliError>,
) -> Result<(), CliError> {
    let mut reader = std::io::BufReader::with_capacity(1 << 16, file);
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader
            .read_until(b'\n', &mut line)
            .map_err(CliError::write)?
            == 0
        {
            return Ok(());
        }
        each(line.strip_suffix(b"\n").unwrap_or(&line))?;
    }
}

/// A row's text as UTF-8 (what JSON is).
fn text(row: &[u8]) -> Result<&str, CliError> {
    std::str::from_utf8(row).map_err(|e| CliError::io(format!("a row is not UTF-8: {e}")))
}

fn not_json(e: serde_json::Error) -> CliError {
    CliError::io(format!("a row is not JSON: {e}"))
}

fn damaged(e: serde_json::Error) -> CliError {
    CliError::io(format!("the spooled rows are damaged: {e}"))
}

/// CSV records, encoded one at a time by a `csv::Writer` (its quoting rules) into a buffer
/// reused from record to record, and handed to the output; with `safe`, cells that a
/// spreadsheet would run as a formula are quoted first.
struct CsvLines(Option<csv::Writer<Vec<u8>>>, bool);

impl CsvLines {
    fn new(safe: bool) -> Self {
        Self(Some(Self::writer(Vec::new())), safe)
    }

    /// Room for a typical record; `csv` grows past it as needed.
    const BUFFER: usize = 1 << 10;

    fn writer(line: Vec<u8>) -> csv::Writer<Vec<u8>> {
        csv::WriterBuilder::new()
            .buffer_capacity(Self::BUFFER)
            .from_writer(line)
    }

    fn write<S: AsRef<str>>(&mut self, cells: &[S], to: &mut Target) -> Result<(), CliError> {
        let mut writer = self.0.take().unwrap_or_else(|| Self::writer(Vec::new()));
        let written = if self.1 {
            writer.write_record(cells.iter().map(|c| formula_safe(c.as_ref())))
        } else {
            writer.write_record(cells.iter().map(|c| c.as_ref().as_bytes()))
        };
        written.map_err(|e| CliError::io(e.to_string()))?;
        let mut line = writer
            .into_inner()
            .map_err(|e| CliError::io(e.to_string()))?;
        let written = to.write(&line);
        line.clear();
        self.0 = Some(Self::writer(line));
        written
    }
}

/// `cell` as a spreadsheet shows it as text: a leading `=`, `+`, `-`, `@`, tab or carriage
/// return (what starts a formula, per OWASP's CSV injection advice) gets a `'` before it.
///
/// The cell changes (`-3` becomes `'-3`), so this is `--csv-safe`, not the default.
fn formula_safe(cell: &str) -> std::borrow::Cow<'_, [u8]> {
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => {
            let mut quoted = Vec::with_capacity(cell.len() + 1);
            quoted.push(b'\'');
            quoted.extend_from_slice(cell.as_bytes());
            std::borrow::Cow::Owned(quoted)
        }
        _ => std::borrow::Cow::Borrowed(cell.as_bytes()),
    }
}

fn render_table(layout: &Layout, rows: &[Value]) -> String {
    let mut table = comfy_table::Table::new();
    table.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
    table.set_header(layout.columns().iter().map(|c| printable(c)));
    for row in rows {
        table.add_row(layout.cells(row).iter().map(|c| printable(c)));
    }
    format!("{table}\n")
}

/// `text` safe to print on a terminal: control characters (an escape sequence could move
/// the cursor, rewrite the screen or the window title) are shown as `\u{…}`; line breaks stay.
fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(|c| c.is_control() && c != '\n') {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(
        text.chars()
            .map(|c| {
                if c.is_control() && c != '\n' {
                    c.escape_unicode().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

fn progress_bar() -> ProgressBar {
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{spinner} {human_pos} rows  {per_sec}  {msg}  {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_quoted_and_others_left_alone() {
        for (cell, safe) in [
            ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
            ("+1", "'+1"),
            ("-3", "'-3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("plain", "plain"),
            ("", ""),
            ("a=b", "a=b"),
        ] {
            assert_eq!(&*formula_safe(cell), safe.as_bytes(), "{cell}");
        }
    }

    #[test]
    fn terminal_escapes_are_shown_not_sent() {
        assert_eq!(printable("ok\nline"), "ok\nline");
        assert_eq!(printable("\u{1b}]0;pwned\u{7}x"), "\\u{1b}]0;pwned\\u{7}x");
        assert_eq!(printable("\u{9b}2J"), "\\u{9b}2J");
    }
}
