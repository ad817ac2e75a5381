//! `webhook listen --output FILE`: deliveries appended to `FILE` as JSON Lines, each the body
//! the vendor sent (on one line), made durable (fsync) before the delivery is acknowledged, so
//! an acknowledged delivery survives a crash.
//!
//! - **Never a torn line.** A write or sync that fails is cut back to the last whole line
//!   before the delivery is answered `5xx`; if even that fails, nothing more is appended until
//!   it succeeds. On start, whatever follows the last indexed line is checked: a last line cut
//!   by a crash is removed (it was never acknowledged); a line a failed write of an older
//!   version glued onto the next event is split, keeping the event.
//! - **A bounded index of what was handled** (`FILE.index`, [`index`]): the identity of each
//!   event and where its line ends, so a restart reads the index (bounded) and only the lines
//!   after its last entry, never the whole log, and redeliveries are dropped in O(1).
//! - `FILE.lock` is held while listening: a second listener on `FILE` is refused.

mod index;

use crate::error::CliError;
use crate::files::{self, Lock};
use cxkit::conversion::webhook::{Delivery, EventId};
use index::Index;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// An append-only, durable log of deliveries.
#[derive(Clone)]
pub struct EventLog {
    inner: Arc<Mutex<Inner>>,
}

struct Inner {
    file: File,
    path: PathBuf,
    /// Bytes of whole lines: where the next line starts.
    length: u64,
    /// Whether bytes past `length` may be on disk (a failed write not yet cut back).
    dirty: bool,
    index: Index,
    _lock: Lock,
}

/// What [`EventLog::open`] found.
pub struct Opened {
    /// The log.
    pub log: EventLog,
    /// The events it holds, oldest first (at most the index's capacity).
    pub handled: Vec<EventId>,
    /// Bytes of torn lines removed.
    pub repaired: u64,
}

impl EventLog {
    /// Opens (or creates) `path`, remembering the last `capacity` events.
    pub fn open(path: &Path, capacity: usize) -> Result<Opened, CliError> {
        let lock = Lock::take(path)?;
        let mut file = files::open_append(path)?;
        let fail = |e: std::io::Error| CliError::io(format!("{}: {e}", path.display()));
        let on_disk = file.metadata().map_err(fail)?.len();
        let (mut index, indexed) =
            Index::open(&files::with_suffix(path, "index"), capacity, on_disk)?;
        let (length, repaired) = recover(&mut file, path, indexed, on_disk, &mut index)?;
        index.sync();
        let handled = index.ids();
        let log = Self {
            inner: Arc::new(Mutex::new(Inner {
                file,
                path: path.to_owned(),
                length,
                dirty: false,
                index,
                _lock: lock,
            })),
        };
        Ok(Opened {
            log,
            handled,
            repaired,
        })
    }

    /// Appends the delivery's body as one line and waits until it is on disk.
    pub async fn append(&self, delivery: &Delivery) -> Result<(), CliError> {
        let row = cxkit::RawRow::from_slice(&delivery.body, "operationId")
            .map_err(|e| CliError::io(format!("not a JSON object: {e}")))?;
        let mut line = Vec::with_capacity(row.as_bytes().len() + 1);
        line.extend_from_slice(row.as_bytes());
        line.push(b'\n');
        let (inner, id) = (self.inner.clone(), delivery.id);
        tokio::task::spawn_blocking(move || {
            inner
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .append(id, &line)
        })
        .await
        .map_err(|e| CliError::io(e.to_string()))?
    }
}

impl Inner {
    fn append(&mut self, id: EventId, line: &[u8]) -> Result<(), CliError> {
        self.repair()?;
        self.dirty = true;
        let written = self
            .file
            .write_all(line)
            .and_then(|()| self.file.sync_data());
        if let Err(error) = written {
            // Cut back now, so the next event does not land after a torn line.
            let _ = self.repair();
            return Err(CliError::io(format!("{}: {error}", self.path.display())));
        }
        self.dirty = false;
        self.length += line.len() as u64;
        self.index.append(id, self.length);
        Ok(())
    }

    /// Cuts the file back to its whole lines after a failed write.
    fn repair(&mut self) -> Result<(), CliError> {
        if !self.dirty {
            return Ok(());
        }
        self.file
            .set_len(self.length)
            .and_then(|()| self.file.sync_all())
            .map_err(|e| {
                CliError::io(format!(
                    "{}: cannot remove a partly written line ({e}); no event is accepted until \
                     it is removed",
                    self.path.display()
                ))
            })?;
        self.dirty = false;
        Ok(())
    }
}

/// Reads the log after `indexed` (where the index ends) line by line, indexing each event, so
/// only what the index does not cover is read and nothing is held but one line. A last line
/// without its line break (a crash mid-write: never acknowledged) is cut off; from a damaged
/// line on (an older version's glued write), the rest is repaired in memory and rewritten.
/// Returns the length of the whole lines and the bytes removed.
fn recover(
    file: &mut File,
    path: &Path,
    indexed: u64,
    on_disk: u64,
    index: &mut Index,
) -> Result<(u64, u64), CliError> {
    let fail = |e: std::io::Error| CliError::io(format!("{}: {e}", path.display()));
    file.seek(SeekFrom::Start(indexed)).map_err(fail)?;
    let mut reader = std::io::BufReader::with_capacity(1 << 16, &*file);
    let mut line = Vec::new();
    let mut end = indexed;
    loop {
        line.clear();
        let read = std::io::BufRead::read_until(&mut reader, b'\n', &mut line).map_err(fail)?;
        if read == 0 {
            return Ok((end, 0));
        }
        if !line.ends_with(b"\n") {
            // A torn last line: cut back to the whole lines.
            drop(reader);
            file.set_len(end)
                .and_then(|()| file.sync_all())
                .map_err(fail)?;
            return Ok((end, on_disk - end));
        }
        match EventId::of(&line[..line.len() - 1]) {
            Ok(id) => {
                end += line.len() as u64;
                index.append(id, end);
            }
            Err(_) => break,
        }
    }
    drop(reader);
    // Damage before the end: repair from this line on.
    let mut tail = Vec::new();
    file.seek(SeekFrom::Start(end)).map_err(fail)?;
    file.read_to_end(&mut tail).map_err(fail)?;
    let checked = check_tail(&tail);
    rewrite_tail(file, path, end, &checked.bytes)?;
    let repaired = (tail.len() - checked.bytes.len()) as u64;
    for (id, line_length) in &checked.events {
        end += *line_length as u64;
        index.append(*id, end);
    }
    Ok((end, repaired))
}

/// The whole lines of a log's unindexed tail, repaired, and the event of each.
struct Checked {
    bytes: Vec<u8>,
    /// Each kept line's event and length (line break included).
    events: Vec<(EventId, usize)>,
}

/// Keeps every line that is an event; a line a failed write glued onto an event keeps the
/// event (the longest tail of it that is one); a last line without its line break, or one
/// with no event in it, is dropped: it was never acknowledged.
fn check_tail(tail: &[u8]) -> Checked {
    let mut checked = Checked {
        bytes: Vec::with_capacity(tail.len()),
        events: Vec::new(),
    };
    let whole = tail
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |at| at + 1);
    for line in tail[..whole].split_inclusive(|b| *b == b'\n') {
        let text = &line[..line.len() - 1];
        let found = match EventId::of(text) {
            Ok(id) => Some((id, 0)),
            Err(_) => glued_event(text),
        };
        if let Some((id, start)) = found {
            let kept = &line[start..];
            checked.bytes.extend_from_slice(kept);
            checked.events.push((id, kept.len()));
        }
    }
    checked
}

/// The event at the end of a damaged line: the first `{` from which the rest of the line is
/// one event.
fn glued_event(text: &[u8]) -> Option<(EventId, usize)> {
    memchr::memchr_iter(b'{', text)
        .skip(1)
        .find_map(|start| EventId::of(&text[start..]).ok().map(|id| (id, start)))
}

/// Replaces the log's bytes after `from` with `tail`, whole or not at all: the repaired log
/// is written beside it and renamed over it.
fn rewrite_tail(file: &mut File, path: &Path, from: u64, tail: &[u8]) -> Result<(), CliError> {
    let fail = |e: std::io::Error| CliError::io(format!("{}: {e}", path.display()));
    if from == 0 && tail.is_empty() {
        return file.set_len(0).and_then(|()| file.sync_all()).map_err(fail);
    }
    let mut temp = files::temp_beside(path)?;
    file.seek(SeekFrom::Start(0)).map_err(fail)?;
    std::io::copy(&mut (&*file).take(from), temp.as_file_mut()).map_err(fail)?;
    temp.write_all(tail).map_err(fail)?;
    files::persist(temp, path)?;
    *file = files::open_append(path)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(n: u32) -> String {
        format!(
            r#"{{"topic":"interactions","type":"updated","operationId":"op","updatedAt":"2024-01-01T00:00:{n:02}Z"}}"#
        )
    }

    #[test]
    fn a_torn_last_line_is_dropped_and_a_glued_event_kept() {
        let tail = format!(
            "{}\n{}{}\n{}\n{}",
            event(1),
            &event(2)[..20],
            event(3),
            event(4),
            &event(5)[..30]
        );
        let checked = check_tail(tail.as_bytes());
        assert_eq!(
            String::from_utf8(checked.bytes).unwrap(),
            format!("{}\n{}\n{}\n", event(1), event(3), event(4))
        );
        assert_eq!(checked.events.len(), 3);
        assert_eq!(
            checked.events[1].0,
            EventId::of(event(3).as_bytes()).unwrap()
        );
    }

    fn line(n: u32) -> String {
        event(n) + "\n"
    }

    /// What the index at `log`'s side says: its events and where their lines end.
    fn indexed(log: &Path) -> (usize, u64) {
        let (index, end) = Index::open(&files::with_suffix(log, "index"), 100, u64::MAX).unwrap();
        (index.ids().len(), end)
    }

    /// The length `open` keeps is where the next event goes and where a failed write is cut
    /// back to: one byte off loses a line or keeps a torn one.
    #[test]
    fn opening_cuts_a_torn_last_line_and_counts_what_it_cut() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.jsonl");
        let whole = line(1) + &line(2);
        let torn = &event(3)[..25];
        std::fs::write(&path, whole.clone() + torn).unwrap();

        let opened = EventLog::open(&path, 100).unwrap();
        assert_eq!(opened.repaired, torn.len() as u64);
        assert_eq!(opened.handled.len(), 2);
        let length = opened.log.inner.lock().unwrap().length;
        assert_eq!(length, whole.len() as u64);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), whole);
        assert_eq!(indexed(&path), (2, whole.len() as u64));

        let id = EventId::of(event(4).as_bytes()).unwrap();
        opened
            .log
            .inner
            .lock()
            .unwrap()
            .append(id, line(4).as_bytes())
            .unwrap();
        drop(opened);
        let all = whole + &line(4);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), all);
        assert_eq!(indexed(&path), (3, all.len() as u64));
        // A second start finds everything indexed and nothing to cut.
        let again = EventLog::open(&path, 100).unwrap();
        assert_eq!((again.repaired, again.handled.len()), (0, 3));
        assert_eq!(again.log.inner.lock().unwrap().length, all.len() as u64);
    }

    #[test]
    fn opening_repairs_damage_before_the_end_and_indexes_what_it_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.jsonl");
        let glued = format!("{}{}", &event(2)[..20], line(3));
        std::fs::write(&path, line(1) + &glued + &line(4)).unwrap();

        let opened = EventLog::open(&path, 100).unwrap();
        let kept = line(1) + &line(3) + &line(4);
        assert_eq!(opened.repaired, 20);
        assert_eq!(opened.handled.len(), 3);
        assert_eq!(opened.log.inner.lock().unwrap().length, kept.len() as u64);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), kept);
        drop(opened);
        assert_eq!(indexed(&path), (3, kept.len() as u64));
    }

    /// Damage at the very start, or nothing but damage after whole lines: the repair keeps
    /// every event and only the log of nothing but damage is emptied.
    #[test]
    fn a_repair_empties_only_a_log_with_no_event_left() {
        let dir = tempfile::tempdir().unwrap();
        let cases = [
            ("damaged first".to_owned() + "\n" + &line(1), line(1)),
            (line(1) + "damaged last\n", line(1)),
            ("nothing but damage\n".to_owned(), String::new()),
        ];
        for (n, (on_disk, kept)) in cases.into_iter().enumerate() {
            let path = dir.path().join(format!("events-{n}.jsonl"));
            std::fs::write(&path, &on_disk).unwrap();
            let opened = EventLog::open(&path, 100).unwrap();
            assert_eq!(std::fs::read_to_string(&path).unwrap(), kept, "{on_disk}");
            assert_eq!(opened.repaired, (on_disk.len() - kept.len()) as u64);
            assert_eq!(opened.log.inner.lock().unwrap().length, kept.len() as u64);
        }
    }

    #[test]
    fn a_line_without_any_event_is_dropped() {
        let checked = check_tail(b"garbage\n{\"topic\":\"x\"}\n");
        assert_eq!(checked.bytes, b"{\"topic\":\"x\"}\n");
    }
}
