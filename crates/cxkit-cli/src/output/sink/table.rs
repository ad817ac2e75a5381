//! An aligned table (best on a terminal): rows kept until the end, when every column is known.

use super::{not_json, Layout, Sink, Target};
use crate::error::CliError;
use serde_json::Value;

/// The table's rows and columns so far.
pub(super) struct Table {
    layout: Layout,
    rows: Vec<Value>,
}

impl Table {
    pub(super) fn new(layout: Layout) -> Self {
        Self {
            layout,
            rows: Vec::new(),
        }
    }
}

impl Sink for Table {
    fn resumable(&self) -> bool {
        false
    }

    fn row(&mut self, row: &[u8], _before: u64, _target: &mut Target) -> Result<(), CliError> {
        let value: Value = serde_json::from_slice(row).map_err(not_json)?;
        self.layout.see(&value);
        self.rows.push(value);
        Ok(())
    }

    fn end(&mut self, _rows: u64, target: &mut Target) -> Result<(), CliError> {
        let text = render(&self.layout, &self.rows);
        target.write(text.as_bytes())
    }
}

fn render(layout: &Layout, rows: &[Value]) -> String {
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
pub(in crate::output) fn printable(text: &str) -> std::borrow::Cow<'_, str> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_escapes_are_shown_not_sent() {
        assert_eq!(printable("ok\nline"), "ok\nline");
        assert_eq!(printable("\u{1b}]0;pwned\u{7}x"), "\\u{1b}]0;pwned\\u{7}x");
        assert_eq!(printable("\u{9b}2J"), "\\u{9b}2J");
    }
}
