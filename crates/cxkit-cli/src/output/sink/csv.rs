//! CSV with a header. Without `--columns` the rows are spooled as JSON Lines (in
//! `FILE.partial`, or a temp file for stdout) until the last row has shown every column, then
//! rendered; with `--columns` the header is known and each row is written as it comes.

use super::{json, text, Layout, Sink, Spec, Target};
use crate::error::CliError;
use crate::files;
use std::io::BufRead;
use std::path::Path;

/// The columns, the encoder and whether rows are spooled.
pub(super) struct Csv {
    layout: Layout,
    lines: CsvLines,
    spool: bool,
}

impl Csv {
    pub(super) fn new(layout: Layout, spec: &Spec<'_>) -> Self {
        Self {
            layout,
            lines: CsvLines::new(spec.csv_safe),
            spool: spec.select.is_none(),
        }
    }

    /// CSV from the spooled rows: one pass for the columns, one for the cells.
    fn render(&mut self, target: &mut Target, path: Option<&Path>) -> Result<(), CliError> {
        let spooled = target.reader()?;
        let copy = spooled.try_clone().map_err(CliError::write)?;
        for_each_line(copy, |line| self.layout.see_json(line).map_err(damaged))?;
        let (mut out, rendered) = match path {
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
        self.lines.write(self.layout.columns(), &mut out)?;
        let mut spooled = spooled;
        std::io::Seek::rewind(&mut spooled).map_err(CliError::write)?;
        let (layout, lines) = (&self.layout, &mut self.lines);
        for_each_line(spooled, |line| {
            let cells = layout.cells_json(text(line)?).map_err(damaged)?;
            lines.write(&cells, &mut out)
        })?;
        out.sync()?;
        if let (Some(path), Some(rendered), Target::File { partial, .. }) = (path, rendered, target)
        {
            files::persist(rendered, path)?;
            files::remove_if_present(partial)?;
        }
        Ok(())
    }
}

impl Sink for Csv {
    fn spools(&self) -> bool {
        self.spool
    }

    fn begin(&mut self, target: &mut Target) -> Result<(), CliError> {
        match self.spool {
            true => Ok(()),
            false => self.lines.write(self.layout.columns(), target),
        }
    }

    fn row(&mut self, row: &[u8], _before: u64, target: &mut Target) -> Result<(), CliError> {
        if self.spool {
            return json::line(row, target);
        }
        let cells = self
            .layout
            .cells_json(text(row)?)
            .map_err(super::not_json)?;
        self.lines.write(&cells, target)
    }

    fn place(&mut self, target: &mut Target, path: Option<&Path>) -> Result<bool, CliError> {
        if self.spool {
            self.render(target, path)?;
        }
        Ok(self.spool)
    }
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
}
