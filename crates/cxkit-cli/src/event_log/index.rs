//! `FILE.index`: which events the log holds and where each one's line ends, so a restart
//! knows them without reading the log. Fixed 24-byte records (the 16 bytes of the
//! [`EventId`], then the end offset, little-endian), appended after each event is durable.
//!
//! The index is bounded: past twice its capacity it is rewritten with its newest `capacity`
//! records. It is a cache of the log, never the only copy: a record lost in a crash (it is
//! written after the log's fsync, without one of its own), a torn one, or a whole index lost
//! only makes the next start read more of the log. Records are valid while their offsets grow
//! and stay within the log; the first invalid one ends the index.

use crate::error::CliError;
use crate::files;
use cxkit::conversion::webhook::EventId;
use std::collections::VecDeque;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

const RECORD: usize = 24;

pub(super) struct Index {
    path: PathBuf,
    /// `None` after a failed write: the log's tail stands in for the rest.
    file: Option<File>,
    /// The newest records, oldest first.
    records: VecDeque<(EventId, u64)>,
    /// Records in the file.
    on_disk: usize,
    capacity: usize,
}

impl Index {
    /// Reads the index at `path` against a log of `log_length` bytes; also returns where the
    /// indexed lines end (the log is whole up to there).
    pub fn open(path: &Path, capacity: usize, log_length: u64) -> Result<(Self, u64), CliError> {
        let capacity = capacity.max(1);
        let bytes = files::read_if_present(path)?.unwrap_or_default();
        let mut records = VecDeque::new();
        let mut end = 0;
        let mut valid = 0;
        for record in bytes.chunks_exact(RECORD) {
            let (id, at) = decode(record);
            if at <= end || at > log_length {
                break;
            }
            end = at;
            valid += 1;
            records.push_back((id, at));
            if records.len() > capacity {
                records.pop_front();
            }
        }
        let mut index = Self {
            path: path.to_owned(),
            file: None,
            records,
            on_disk: valid,
            capacity,
        };
        if valid * RECORD != bytes.len() || valid > capacity {
            index.rewrite()?;
        }
        index.file = Some(files::open_append(path)?);
        Ok((index, end))
    }

    /// Records that `id`'s line ends at `end`.
    pub fn append(&mut self, id: EventId, end: u64) {
        self.records.push_back((id, end));
        if self.records.len() > self.capacity {
            self.records.pop_front();
        }
        let Some(file) = &mut self.file else { return };
        if let Err(error) = file.write_all(&encode(id, end)) {
            tracing::warn!(%error, path = %self.path.display(), "webhook index: write failed; the next start reads the log instead");
            self.file = None;
            return;
        }
        self.on_disk += 1;
        if self.on_disk > 2 * self.capacity {
            if let Err(error) = self.rewrite() {
                tracing::warn!(%error, "webhook index: compaction failed");
                self.file = None;
            }
        }
    }

    /// Makes the records so far durable.
    pub fn sync(&self) {
        if let Some(file) = &self.file {
            let _ = file.sync_data();
        }
    }

    /// The events remembered, oldest first.
    pub fn ids(&self) -> Vec<EventId> {
        self.records.iter().map(|(id, _)| *id).collect()
    }

    /// Replaces the file with the records in memory.
    fn rewrite(&mut self) -> Result<(), CliError> {
        let mut bytes = Vec::with_capacity(self.records.len() * RECORD);
        for (id, end) in &self.records {
            bytes.extend_from_slice(&encode(*id, *end));
        }
        files::replace_atomically(&self.path, &bytes)?;
        self.on_disk = self.records.len();
        if self.file.is_some() {
            self.file = Some(files::open_append(&self.path)?);
        }
        Ok(())
    }
}

fn encode(id: EventId, end: u64) -> [u8; RECORD] {
    let mut record = [0; RECORD];
    record[..16].copy_from_slice(&id.to_bytes());
    record[16..].copy_from_slice(&end.to_le_bytes());
    record
}

fn decode(record: &[u8]) -> (EventId, u64) {
    let mut id = [0; 16];
    id.copy_from_slice(&record[..16]);
    let mut end = [0; 8];
    end.copy_from_slice(&record[16..RECORD]);
    (EventId::from_bytes(id), u64::from_le_bytes(end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> EventId {
        EventId::from_bytes([n; 16])
    }

    /// A restart costs one read of a valid index, never a rewrite; one over its capacity is
    /// cut to its newest records; appends compact it only once it holds more than twice the
    /// capacity. A record ending exactly where the log ends is trusted.
    #[test]
    fn the_index_is_rewritten_only_past_its_bounds() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.index");
        let records = |p: &Path| std::fs::metadata(p).unwrap().len() / RECORD as u64;
        let inode = |p: &Path| std::fs::metadata(p).unwrap().ino();
        let (mut index, _) = Index::open(&path, 3, 1000).unwrap();
        let mut sizes = Vec::new();
        for n in 1..=8u8 {
            index.append(id(n), u64::from(n) * 10);
            sizes.push(records(&path));
        }
        assert_eq!(sizes, [1, 2, 3, 4, 5, 6, 3, 4]);
        drop(index);

        let written = inode(&path);
        let (index, end) = Index::open(&path, 4, 80).unwrap();
        assert_eq!((index.ids(), end), (vec![id(5), id(6), id(7), id(8)], 80));
        drop(index);
        let (index, _) = Index::open(&path, 5, 1000).unwrap();
        assert_eq!(index.ids().len(), 4);
        drop(index);
        assert_eq!(inode(&path), written, "a valid index is opened as it is");

        let (index, end) = Index::open(&path, 2, 1000).unwrap();
        assert_eq!((index.ids(), end), (vec![id(7), id(8)], 80));
        assert_eq!(records(&path), 2);
        assert_ne!(inode(&path), written);
    }

    #[test]
    fn records_are_kept_until_one_is_invalid_and_the_file_stays_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.index");
        let (mut index, end) = Index::open(&path, 2, 100).unwrap();
        assert_eq!(end, 0);
        for n in 1..=5u8 {
            index.append(id(n), u64::from(n) * 10);
        }
        assert_eq!(index.ids(), [id(4), id(5)]);
        assert!(std::fs::metadata(&path).unwrap().len() <= 4 * RECORD as u64);
        drop(index);

        let (index, end) = Index::open(&path, 2, 100).unwrap();
        assert_eq!((index.ids(), end), (vec![id(4), id(5)], 50));
        drop(index);
        // A log shorter than the index says: the records past it are not trusted.
        let (index, end) = Index::open(&path, 2, 45).unwrap();
        assert_eq!((index.ids(), end), (vec![id(4)], 40));
        drop(index);
        // A torn record and garbage are cut away.
        let mut bytes = std::fs::read(&path).unwrap();
        bytes.extend_from_slice(&[0; RECORD + 5]);
        std::fs::write(&path, &bytes).unwrap();
        let (index, end) = Index::open(&path, 2, 100).unwrap();
        assert_eq!((index.ids(), end), (vec![id(4)], 40));
        assert_eq!(std::fs::metadata(&path).unwrap().len(), RECORD as u64);
    }
}
