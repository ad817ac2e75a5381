//! How cxkit opens the files it writes, so that none can be hijacked or shared by accident:
//!
//! - a file cxkit creates is created exclusively (`O_EXCL`: a name planted beforehand, a
//!   symlink included, is an error, never a file written through);
//! - a file cxkit opens again (a `.partial` to resume, the webhook log to append to) is never
//!   reached through a symlink (`O_NOFOLLOW`) and must be a plain file with one name (a hard
//!   link planted to another file is refused);
//! - small files are replaced atomically through a temp file of an unpredictable name beside
//!   them, then the directory is synced so the rename itself survives a crash;
//! - a run holds `FILE.lock` (an advisory `flock`) for as long as it writes `FILE` or its
//!   sidecars, so a second run on the same output or state file is refused, not interleaved.

use crate::error::CliError;
use fs4::fs_std::FileExt;
use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

/// `path` with `.suffix` added to its file name (`out.csv` → `out.csv.partial`).
pub fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{suffix}"));
    path.with_file_name(name)
}

fn options() -> OpenOptions {
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC);
    }
    options
}

/// Why opening `path` failed, in words an operator can act on.
fn explain(path: &Path, error: std::io::Error, doing: &str) -> CliError {
    let why = match error.kind() {
        ErrorKind::AlreadyExists => {
            "it appeared while cxkit was creating it (another program writes there)".to_owned()
        }
        _ if is_symlink_refusal(&error) => {
            "it is a symbolic link, which cxkit does not follow: remove it".to_owned()
        }
        _ => error.to_string(),
    };
    CliError::io(format!("cannot {doing} {}: {why}", path.display()))
}

#[cfg(unix)]
fn is_symlink_refusal(error: &std::io::Error) -> bool {
    error.raw_os_error() == Some(libc::ELOOP)
}

#[cfg(not(unix))]
fn is_symlink_refusal(_: &std::io::Error) -> bool {
    false
}

/// Refuses anything but a plain file with a single name.
fn plain(path: &Path, file: File) -> Result<File, CliError> {
    let meta = file.metadata().map_err(|e| explain(path, e, "open"))?;
    if !meta.is_file() {
        return Err(CliError::io(format!(
            "cannot open {}: not a plain file",
            path.display()
        )));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.nlink() > 1 {
            return Err(CliError::io(format!(
                "cannot open {}: it has other names (a hard link), so writing it would change \
                 another file: remove it",
                path.display()
            )));
        }
    }
    Ok(file)
}

/// Creates `path`, which must not exist (read and write).
pub fn create_new(path: &Path) -> Result<File, CliError> {
    options()
        .read(true)
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| explain(path, e, "create"))
}

/// Removes whatever is at `path` (a symlink itself, not its target), then creates it anew.
/// Only for names the caller holds the lock of.
pub fn recreate(path: &Path) -> Result<File, CliError> {
    remove_if_present(path)?;
    create_new(path)
}

/// Opens the existing plain file `path` for reading and writing.
pub fn open_existing(path: &Path) -> Result<File, CliError> {
    let file = options()
        .read(true)
        .write(true)
        .open(path)
        .map_err(|e| explain(path, e, "open"))?;
    plain(path, file)
}

/// Opens `path` to append to it, creating it when absent.
pub fn open_append(path: &Path) -> Result<File, CliError> {
    let file = options()
        .read(true)
        .append(true)
        .create(true)
        .open(path)
        .map_err(|e| explain(path, e, "open"))?;
    plain(path, file)
}

/// Reads `path` when it exists (`None` when it does not), not through a symlink.
pub fn read_if_present(path: &Path) -> Result<Option<Vec<u8>>, CliError> {
    let file = match options().read(true).open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(explain(path, e, "read")),
    };
    let mut file = plain(path, file)?;
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut file, &mut bytes).map_err(|e| explain(path, e, "read"))?;
    Ok(Some(bytes))
}

/// Removes `path` if it is there.
pub fn remove_if_present(path: &Path) -> Result<(), CliError> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != ErrorKind::NotFound => Err(explain(path, e, "remove")),
        _ => Ok(()),
    }
}

/// A temp file beside `path` with an unpredictable name, created exclusively; persist it
/// with [`persist`].
pub fn temp_beside(path: &Path) -> Result<tempfile::NamedTempFile, CliError> {
    let dir = parent(path);
    let prefix = format!(
        ".{}.",
        path.file_name().unwrap_or_default().to_string_lossy()
    );
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    // Like any file cxkit writes: as the umask allows (tempfile's default is 0600).
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    builder
        .tempfile_in(dir)
        .map_err(|e| explain(path, e, "create a temp file beside"))
}

/// Moves a synced temp file over `path` and syncs the directory.
pub fn persist(temp: tempfile::NamedTempFile, path: &Path) -> Result<(), CliError> {
    temp.as_file()
        .sync_all()
        .map_err(|e| explain(path, e, "write"))?;
    temp.persist(path)
        .map_err(|e| explain(path, e.error, "write"))?;
    sync_dir(path);
    Ok(())
}

/// Replaces `path` with `bytes` so that a crash leaves the old file or the new one, whole.
pub fn replace_atomically(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let mut temp = temp_beside(path)?;
    temp.write_all(bytes)
        .map_err(|e| explain(path, e, "write"))?;
    persist(temp, path)
}

/// Renames `from` to `to` (replacing `to`, never writing through a symlink there) and syncs
/// the directory, so the new name survives a crash.
pub fn rename(from: &Path, to: &Path) -> Result<(), CliError> {
    std::fs::rename(from, to).map_err(|e| explain(to, e, "create"))?;
    sync_dir(to);
    Ok(())
}

/// Makes the directory entry of `path` durable; a platform that cannot open a directory
/// skips it.
pub fn sync_dir(path: &Path) {
    if let Ok(dir) = File::open(parent(path)) {
        let _ = dir.sync_all();
    }
}

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// `FILE.lock`, held (advisory, exclusive) while a run writes `FILE`; removed when dropped.
#[derive(Debug)]
pub struct Lock {
    file: File,
    path: PathBuf,
}

impl Lock {
    /// Takes the lock of `target` (`target.lock`), or says which run holds it.
    pub fn take(target: &Path) -> Result<Self, CliError> {
        let path = with_suffix(target, "lock");
        // The lock file of a finished run is removed while locked; one opened just before
        // that is no longer at `path`, so try again with the new one.
        for _ in 0..16 {
            let file = options()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .map_err(|e| explain(&path, e, "create"))?;
            let file = plain(&path, file)?;
            match FileExt::try_lock_exclusive(&file) {
                Ok(true) => {}
                // fs4 reports a lock held elsewhere as `Ok(false)` (EWOULDBLOCK included).
                Ok(false) => return Err(Self::held(target, &path)),
                Err(e) => return Err(explain(&path, e, "lock")),
            }
            if same_file(&file, &path) {
                return Ok(Self { file, path });
            }
        }
        Err(CliError::io(format!(
            "cannot lock {}: its lock file keeps changing",
            target.display()
        )))
    }

    fn held(target: &Path, lock: &Path) -> CliError {
        CliError::io(format!(
            "{} is in use by another cxkit run (it holds {}): wait for it to finish, or use \
             another file",
            target.display(),
            lock.display()
        ))
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still held: a waiting run then finds it gone and makes its own.
        let _ = std::fs::remove_file(&self.path);
        let _ = FileExt::unlock(&self.file);
    }
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::symlink_metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &File, path: &Path) -> bool {
    path.exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_planted_symlink_is_never_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, b"precious").unwrap();
        let planted = dir.path().join("out.partial");
        std::os::unix::fs::symlink(&victim, &planted).unwrap();

        let error = create_new(&planted).unwrap_err();
        assert!(error.message.contains("appeared"), "{}", error.message);
        // cxkit's own words (the OS's "Too many levels of symbolic links" says nothing of
        // what to do), for every way a file is opened again.
        let refusals = [
            open_existing(&planted).unwrap_err(),
            open_append(&planted).unwrap_err(),
            read_if_present(&planted).unwrap_err(),
        ];
        for error in refusals {
            assert!(
                error
                    .message
                    .contains("which cxkit does not follow: remove it"),
                "{}",
                error.message
            );
        }
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
        // Recreating removes the link itself, not its target.
        recreate(&planted).unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
    }

    #[test]
    fn only_a_missing_file_is_absent_and_other_failures_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing");
        assert!(read_if_present(&missing).unwrap().is_none());
        remove_if_present(&missing).unwrap();
        let error = open_existing(&missing).unwrap_err();
        assert!(!error.message.contains("symbolic"), "{}", error.message);
        // A directory where a file is expected: neither absent nor silently left in place.
        let directory = dir.path().join("a-directory");
        std::fs::create_dir(&directory).unwrap();
        let error = remove_if_present(&directory).unwrap_err();
        assert!(
            error.message.starts_with("cannot remove"),
            "{}",
            error.message
        );
        assert!(!error.message.contains("symbolic"), "{}", error.message);
        assert!(directory.is_dir());
        let error = read_if_present(&directory).unwrap_err();
        assert!(
            error.message.contains("not a plain file"),
            "{}",
            error.message
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_planted_hard_link_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, b"precious").unwrap();
        let planted = dir.path().join("events.jsonl");
        std::fs::hard_link(&victim, &planted).unwrap();
        assert!(open_append(&planted)
            .unwrap_err()
            .message
            .contains("hard link"));
        assert!(open_existing(&planted).is_err());
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
    }

    #[test]
    fn a_second_lock_on_one_file_is_refused_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.jsonl");
        let first = Lock::take(&target).unwrap();
        let error = Lock::take(&target).unwrap_err();
        assert!(error.message.contains("in use"), "{}", error.message);
        drop(first);
        assert!(
            !with_suffix(&target, "lock").exists(),
            "removed when dropped"
        );
        let _again = Lock::take(&target).unwrap();
    }

    #[test]
    fn a_temp_file_is_made_beside_its_target() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let temp = temp_beside(&path).unwrap();
        assert_eq!(temp.path().parent(), Some(dir.path()));
        assert_eq!(parent(Path::new("state.json")), Path::new("."));
        assert_eq!(parent(&path), dir.path());
    }

    #[cfg(unix)]
    #[test]
    fn a_lock_file_replaced_under_its_name_is_not_the_same_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.lock");
        let first = create_new(&path).unwrap();
        assert!(same_file(&first, &path));
        // Another file under the same name (same device, another inode), then none.
        std::fs::remove_file(&path).unwrap();
        let _second = create_new(&path).unwrap();
        assert!(!same_file(&first, &path));
        std::fs::remove_file(&path).unwrap();
        assert!(!same_file(&first, &path));
    }

    #[test]
    fn replacing_leaves_no_temp_file_and_the_new_content() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        replace_atomically(&path, b"one").unwrap();
        replace_atomically(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1);
    }
}
