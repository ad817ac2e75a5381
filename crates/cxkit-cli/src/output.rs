//! Where rows go: table, JSON, JSON Lines or CSV, on stdout or into a file that appears only
//! when the whole export succeeded (a temp file renamed at the end).

use crate::args::Format;
use crate::error::CliError;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::Value;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// Which columns a table or CSV shows (dotted paths into each row).
#[derive(Clone, Copy, Debug)]
pub enum Columns {
    /// These paths, in this order.
    Fixed(&'static [&'static str]),
    /// The first row's top-level keys.
    FromFirstRow,
}

enum Target {
    Stdout(std::io::BufWriter<std::io::Stdout>),
    File {
        temp: std::io::BufWriter<tempfile::NamedTempFile>,
        path: PathBuf,
    },
}

impl Write for Target {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Target::Stdout(w) => w.write(buf),
            Target::File { temp, .. } => temp.write(buf),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Target::Stdout(w) => w.flush(),
            Target::File { temp, .. } => temp.flush(),
        }
    }
}

/// An open output. Rows stream out as they arrive (except for tables, which must measure
/// their columns); nothing reaches `--output` until [`Output::finish`].
pub struct Output {
    format: Format,
    target: Target,
    columns: Columns,
    header: Option<Vec<String>>,
    table: Vec<Vec<String>>,
    rows: u64,
    progress: Option<ProgressBar>,
    quiet: bool,
    page_size: Option<u64>,
}

impl Output {
    /// Opens stdout or a temp file beside `path`.
    pub fn open(
        format: Option<Format>,
        path: Option<&Path>,
        columns: Columns,
        quiet: bool,
    ) -> Result<Self, CliError> {
        let to_terminal = path.is_none() && std::io::stdout().is_terminal();
        let format = format.unwrap_or(if to_terminal {
            Format::Table
        } else {
            Format::Jsonl
        });
        let target = match path {
            None => Target::Stdout(std::io::BufWriter::new(std::io::stdout())),
            Some(path) => {
                let dir = path
                    .parent()
                    .filter(|d| !d.as_os_str().is_empty())
                    .unwrap_or(Path::new("."));
                let temp = tempfile::NamedTempFile::new_in(dir)
                    .map_err(|e| CliError::io(format!("cannot write in {}: {e}", dir.display())))?;
                Target::File {
                    temp: std::io::BufWriter::new(temp),
                    path: path.to_owned(),
                }
            }
        };
        let progress = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} {human_pos} rows  {per_sec}  {msg}  {elapsed}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar
        });
        let mut output = Self {
            format,
            target,
            columns,
            header: None,
            table: Vec::new(),
            rows: 0,
            progress,
            quiet,
            page_size: None,
        };
        if output.format == Format::Json {
            output.emit(b"[")?;
        }
        Ok(output)
    }

    /// Pushes buffered rows out (for outputs read while they grow, like a webhook listener).
    pub fn flush(&mut self) -> Result<(), CliError> {
        self.target.flush().map_err(CliError::write)
    }

    /// Shows pages in the progress bar (rows / page size).
    pub fn with_page_size(mut self, size: u64) -> Self {
        self.page_size = Some(size.max(1));
        self
    }

    fn emit(&mut self, bytes: &[u8]) -> Result<(), CliError> {
        self.target.write_all(bytes).map_err(CliError::write)
    }

    /// Writes one typed row: JSON formats serialize it directly, tables and CSV look columns
    /// up in its JSON form.
    pub fn write_row<T: serde::Serialize>(&mut self, row: &T) -> Result<(), CliError> {
        match self.format {
            Format::Jsonl | Format::Json => {
                let mut bytes = match (self.format, self.rows) {
                    (Format::Json, 0) => b"\n".to_vec(),
                    (Format::Json, _) => b",\n".to_vec(),
                    _ => Vec::with_capacity(512),
                };
                serde_json::to_writer(&mut bytes, row).map_err(|e| CliError::io(e.to_string()))?;
                if self.format == Format::Jsonl {
                    bytes.push(b'\n');
                }
                self.emit(&bytes)?;
                self.counted();
                Ok(())
            }
            _ => self.write(&serde_json::to_value(row).map_err(|e| CliError::io(e.to_string()))?),
        }
    }

    /// Writes one row.
    pub fn write(&mut self, row: &Value) -> Result<(), CliError> {
        match self.format {
            Format::Jsonl => {
                let mut line = serde_json::to_vec(row).map_err(|e| CliError::io(e.to_string()))?;
                line.push(b'\n');
                self.emit(&line)?;
            }
            Format::Json => {
                let mut item = if self.rows == 0 {
                    b"\n".to_vec()
                } else {
                    b",\n".to_vec()
                };
                item.extend(serde_json::to_vec(row).map_err(|e| CliError::io(e.to_string()))?);
                self.emit(&item)?;
            }
            Format::Csv => {
                let header = self.header_for(row);
                let mut writer = csv::Writer::from_writer(Vec::new());
                if self.rows == 0 {
                    writer
                        .write_record(&header)
                        .map_err(|e| CliError::io(e.to_string()))?;
                }
                writer
                    .write_record(header.iter().map(|c| cell(row, c)))
                    .map_err(|e| CliError::io(e.to_string()))?;
                let bytes = writer
                    .into_inner()
                    .map_err(|e| CliError::io(e.to_string()))?;
                self.emit(&bytes)?;
            }
            Format::Table => {
                let header = self.header_for(row);
                self.table
                    .push(header.iter().map(|c| cell(row, c)).collect());
            }
        }
        self.counted();
        Ok(())
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

    fn header_for(&mut self, row: &Value) -> Vec<String> {
        if let Some(h) = &self.header {
            return h.clone();
        }
        let header: Vec<String> = match self.columns {
            Columns::Fixed(paths) => paths.iter().map(|p| p.to_string()).collect(),
            Columns::FromFirstRow => row
                .as_object()
                .map(|o| o.keys().cloned().collect())
                .unwrap_or_else(|| vec!["value".into()]),
        };
        self.header = Some(header.clone());
        header
    }

    /// Ends the output: closes JSON, prints the table, renames the temp file into place.
    pub fn finish(mut self) -> Result<u64, CliError> {
        if let Some(bar) = self.progress.take() {
            bar.finish_and_clear();
        }
        match self.format {
            Format::Json => self.emit(if self.rows == 0 { b"]\n" } else { b"\n]\n" })?,
            Format::Table => {
                let mut table = comfy_table::Table::new();
                table.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
                if let Some(header) = &self.header {
                    table.set_header(header);
                }
                for row in std::mem::take(&mut self.table) {
                    table.add_row(row);
                }
                let text = format!("{table}\n");
                self.emit(text.as_bytes())?;
            }
            Format::Csv if self.rows == 0 => {
                if let Columns::Fixed(paths) = self.columns {
                    let line = format!("{}\n", paths.join(","));
                    self.emit(line.as_bytes())?;
                }
            }
            _ => {}
        }
        let rows = self.rows;
        let quiet = self.quiet;
        match self.target {
            Target::Stdout(mut w) => w.flush().map_err(CliError::write)?,
            Target::File { temp, path } => {
                let temp = temp.into_inner().map_err(|e| CliError::io(e.to_string()))?;
                temp.persist(&path).map_err(|e| {
                    CliError::io(format!("cannot create {}: {}", path.display(), e.error))
                })?;
                if !quiet {
                    eprintln!("wrote {rows} rows to {}", path.display());
                }
            }
        }
        Ok(rows)
    }
}

/// The text of `row` at a dotted `path`: strings as they are, lists joined with `;`.
fn cell(row: &Value, path: &str) -> String {
    let value = path.split('.').try_fold(row, |v, key| v.get(key));
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) if items.iter().all(|i| !i.is_object() && !i.is_array()) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| i.to_string())
            })
            .collect::<Vec<_>>()
            .join(";"),
        Some(other) => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cells_follow_dotted_paths() {
        let row = json!({"a": {"b": "x", "n": 3}, "l": ["p", 2], "o": {"k": 1}, "z": null});
        assert_eq!(cell(&row, "a.b"), "x");
        assert_eq!(cell(&row, "a.n"), "3");
        assert_eq!(cell(&row, "l"), "p;2");
        assert_eq!(cell(&row, "o"), r#"{"k":1}"#);
        assert_eq!(cell(&row, "z"), "");
        assert_eq!(cell(&row, "missing.path"), "");
    }
}
