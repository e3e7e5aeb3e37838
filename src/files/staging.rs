//! Output folders written as a unit. A command that writes a folder of results claims it first:
//!
//! 1. It takes an exclusive lock on `.<name>.lock` beside the folder (released by the operating
//!    system if the process dies), so two runs never write the same folder: the second is told
//!    the folder is busy, and a default folder gives way to the next free `-2`, `-3`, ...
//! 2. It writes everything into a staging folder beside the target, `.<name>.staging-<pid>`, so
//!    the target keeps what it held (an earlier complete run, or nothing) while it works, and a
//!    full disk, a crash or a kill never mixes files of two runs in one folder.
//! 3. [`Staged::commit`] swaps the staging folder into place in one step (Linux's
//!    `renameat2(RENAME_EXCHANGE)`; elsewhere two renames) and removes the old folder.
//!
//! Whatever happens, the target holds one whole set of results or is untouched; a staging
//! folder left by a process killed outright says by its name what it is, and the next run into
//! the same target removes it. `--force` replaces only a folder that holds what chainsim writes
//! (regular files with its extensions, a manifest or a shard's result among them), never a
//! folder of other files or the folder a command runs in.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::FileError;

/// Why an output folder cannot be claimed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClaimError {
    /// Another process is writing it.
    #[error(
        "{}: another chainsim run{} is writing this folder; wait for it to finish, or choose another output folder",
        path.display(),
        pid.map_or(String::new(), |p| format!(" (process {p})"))
    )]
    Busy {
        /// The folder.
        path: PathBuf,
        /// The process holding the lock, when it said.
        pid: Option<u32>,
    },
    /// It holds files and replacing them was not asked for.
    #[error(
        "{}: the output folder already holds files (an earlier run's results?); pass --force to replace them, or choose another output folder",
        path.display()
    )]
    HoldsFiles {
        /// The folder.
        path: PathBuf,
    },
    /// It holds something chainsim did not write, which `--force` never replaces.
    #[error(
        "{}: the folder holds {found}, which chainsim did not write; --force replaces only a folder of chainsim's results: choose another output folder",
        path.display()
    )]
    Foreign {
        /// The folder.
        path: PathBuf,
        /// What was found (`a folder 'src'`, `the file 'notes.docx'`, ...).
        found: String,
    },
    /// The folder (or the one it would be created in) cannot be read or written.
    #[error(transparent)]
    File(#[from] FileError),
}

/// File names chainsim writes into an output folder end with one of these.
const OWN_EXTENSIONS: &[&str] = &[
    "csv", "json", "ron", "png", "svg", "html", "txt", "tmp", "partial",
];

/// A file every chainsim output folder holds one of.
const OWN_MARKERS: &[&str] = &["manifest.json", "partial.json", "sweep_partial.json"];

/// What `dir` holds: `Ok(None)` if it does not exist or is empty, `Ok(Some(foreign))` if it
/// holds files, with the first thing in it chainsim would not have written (if any).
///
/// # Errors
///
/// [`FileError::Read`] if it exists but is not a folder or its listing cannot be read (never
/// taken for empty: that would overwrite files unseen).
pub fn contents(dir: &Path) -> Result<Option<Option<String>>, FileError> {
    let listing = match fs::read_dir(dir) {
        Ok(l) => l,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) if dir.exists() && !dir.is_dir() => {
            return Err(FileError::read(
                dir,
                format!("expected a folder for the results, found a file ({e})"),
            ));
        }
        Err(e) => {
            return Err(FileError::read(
                dir,
                format!(
                    "cannot list the folder to see what it holds ({e}); refusing to write there"
                ),
            ));
        }
    };
    let mut any = false;
    let mut marker = false;
    let mut foreign = None;
    for entry in listing {
        let entry = entry.map_err(|e| FileError::read(dir, format!("cannot list it ({e})")))?;
        any = true;
        let name = entry.file_name().to_string_lossy().into_owned();
        marker |= OWN_MARKERS.contains(&name.as_str());
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        let own_ext = name
            .rsplit_once('.')
            .is_some_and(|(_, ext)| OWN_EXTENSIONS.contains(&ext));
        if foreign.is_none() && !(is_file && own_ext) {
            foreign = Some(if is_file {
                format!("the file '{name}'")
            } else {
                format!("'{name}', which is not a regular file")
            });
        }
    }
    if !any {
        return Ok(None);
    }
    if foreign.is_none() && !marker {
        foreign = Some("no manifest.json or shard result".to_string());
    }
    Ok(Some(foreign))
}

/// An exclusive lock on `.<name>.lock` beside a folder, held while the folder is written.
#[derive(Debug)]
struct Lock {
    path: PathBuf,
    file: fs::File,
}

impl Lock {
    /// Takes the lock of `target`; `Ok(None)` if another process holds it (with its pid).
    fn take(target: &Path) -> Result<Result<Lock, Option<u32>>, FileError> {
        let path = sibling(target, "lock", None);
        loop {
            let file = fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .map_err(|e| FileError::write(&path, e))?;
            match file.try_lock() {
                Ok(()) => {}
                Err(fs::TryLockError::WouldBlock) => {
                    let pid = fs::read_to_string(&path)
                        .ok()
                        .and_then(|t| t.trim().parse().ok());
                    return Ok(Err(pid));
                }
                Err(fs::TryLockError::Error(e)) => return Err(FileError::write(&path, e)),
            }
            // A lock file removed by its last holder after we opened it locks nothing: the
            // lock counts only if the name still leads to the file we locked.
            if same_file(&file, &path) {
                let mut file = file;
                let _ = file.set_len(0);
                let _ = write!(file, "{}", std::process::id());
                return Ok(Ok(Lock { path, file }));
            }
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still held, so a process waiting on the old file sees it is gone.
        let _ = fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

#[cfg(unix)]
fn same_file(file: &fs::File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &fs::File, path: &Path) -> bool {
    path.exists()
}

/// `.<name>.<what>[-<pid>]` beside `target`.
fn sibling(target: &Path, what: &str, pid: Option<u32>) -> PathBuf {
    let name = target
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let suffix = pid.map_or(String::new(), |p| format!("-{p}"));
    target.with_file_name(format!(".{name}.{what}{suffix}"))
}

/// `target` made absolute with its symbolic links resolved, so the folder swapped is the one
/// the files would have gone to.
fn resolve(target: &Path) -> Result<PathBuf, FileError> {
    let absolute = if target.is_absolute() {
        target.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(|e| FileError::write(target, e))?
            .join(target)
    };
    if let Ok(real) = fs::canonicalize(&absolute) {
        return Ok(real);
    }
    // It does not exist yet: resolve its parent (created if need be) and add its name.
    let (Some(parent), Some(name)) = (absolute.parent(), absolute.file_name()) else {
        return Err(FileError::read(
            target,
            "expected a folder to write, found none",
        ));
    };
    if parent.exists()
        && !parent.is_dir()
        && let Err(e) = fs::read_dir(parent)
    {
        // The system's own words for a path under a regular file ("Not a directory").
        return Err(FileError::write(target, e));
    }
    fs::create_dir_all(parent).map_err(|e| FileError::write(target, e))?;
    let parent = fs::canonicalize(parent).map_err(|e| FileError::write(target, e))?;
    Ok(parent.join(name))
}

/// An output folder claimed for writing: locked, with a staging folder to write into.
/// Dropped without [`Staged::commit`], it removes the staging folder and leaves the target as
/// it was.
#[derive(Debug)]
pub struct Staged {
    /// Where the results go, as the user named it.
    shown: PathBuf,
    /// The same, resolved.
    target: PathBuf,
    staging: PathBuf,
    committed: bool,
    _lock: Lock,
}

impl Staged {
    /// Claims `target` for writing. A folder holding files is refused unless `force`; with
    /// `force` only one holding chainsim's results is replaced. Checks before any work that the
    /// staging folder can be created and written.
    ///
    /// # Errors
    ///
    /// [`ClaimError::Busy`] if another process writes it, [`ClaimError::HoldsFiles`] or
    /// [`ClaimError::Foreign`] as above, [`ClaimError::File`] if it cannot be read or written.
    pub fn claim(target: &Path, force: bool) -> Result<Staged, ClaimError> {
        let shown = target.to_path_buf();
        let target = resolve(target)?;
        if target.parent().is_none() || target.file_name().is_none() {
            return Err(FileError::read(
                &shown,
                "expected a folder below the root, found the root",
            )
            .into());
        }
        if let Ok(cwd) = std::env::current_dir().and_then(fs::canonicalize)
            && cwd.starts_with(&target)
        {
            return Err(ClaimError::Foreign {
                path: shown,
                found: "the folder this command runs in".to_string(),
            });
        }
        let lock = Lock::take(&target)?.map_err(|pid| ClaimError::Busy {
            path: shown.clone(),
            pid,
        })?;
        let held = contents(&target).map_err(|e| match e {
            FileError::Read { reason, .. } => FileError::read(&shown, reason),
            other => other,
        })?;
        match held {
            Some(_) if !force => return Err(ClaimError::HoldsFiles { path: shown }),
            Some(Some(found)) => return Err(ClaimError::Foreign { path: shown, found }),
            _ => {}
        }
        if target.is_dir() {
            // Replacing the folder removes what it holds: that takes writing in it too.
            let probe = target.join(format!(".chainsim-probe-{}", std::process::id()));
            fs::write(&probe, b"chainsim").map_err(|e| FileError::write(&shown, e))?;
            let _ = fs::remove_file(&probe);
        }
        remove_stale_staging(&target);
        let staging = sibling(&target, "staging", Some(std::process::id()));
        let _ = fs::remove_dir_all(&staging);
        // Named as the user named the folder: the staging folder is an implementation detail.
        fs::create_dir(&staging).map_err(|e| FileError::write(&shown, e))?;
        let staged = Staged {
            shown,
            target,
            staging,
            committed: false,
            _lock: lock,
        };
        // A folder that takes a directory entry may still refuse a file (quota, read-only).
        let probe = staged.staging.join(".probe");
        fs::write(&probe, b"chainsim").map_err(|e| FileError::write(&staged.shown, e))?;
        fs::remove_file(&probe).map_err(|e| FileError::write(&staged.shown, e))?;
        Ok(staged)
    }

    /// Whether another process is writing `target` now (its lock is held).
    pub fn is_busy(target: &Path) -> bool {
        resolve(target)
            .ok()
            .and_then(|t| Lock::take(&t).ok())
            .is_some_and(|l| l.is_err())
    }

    /// The folder to write into (the staging folder).
    pub fn dir(&self) -> &Path {
        &self.staging
    }

    /// The folder the results end up in, as the user named it.
    pub fn shown(&self) -> &Path {
        &self.shown
    }

    /// Where `path` (a file written into [`Staged::dir`]) is once committed.
    pub fn final_path(&self, path: &Path) -> PathBuf {
        path.strip_prefix(&self.staging)
            .map_or_else(|_| path.to_path_buf(), |rel| self.shown.join(rel))
    }

    /// Puts the staging folder in the target's place in one step and removes what the target
    /// held.
    ///
    /// # Errors
    ///
    /// [`FileError::Write`] if the folders cannot be swapped (the target then keeps what it held,
    /// and the staging folder is removed).
    pub fn commit(mut self) -> Result<PathBuf, FileError> {
        sync_dir(&self.staging);
        let swapped = if self.target.exists() {
            exchange(&self.staging, &self.target)
        } else {
            fs::rename(&self.staging, &self.target).map_err(|e| FileError::write(&self.target, e))
        };
        swapped?;
        self.committed = true;
        // After an exchange the staging name holds the old folder; after a plain rename, nothing.
        let _ = fs::remove_dir_all(&self.staging);
        if let Some(parent) = self.target.parent() {
            sync_dir(parent);
        }
        Ok(self.shown.clone())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

/// Removes the staging folders of `target` that processes killed outright left (called with the
/// target's lock held, so no live process owns them).
fn remove_stale_staging(target: &Path) {
    let (Some(parent), Some(name)) = (target.parent(), target.file_name()) else {
        return;
    };
    let prefixes = ["staging", "old"].map(|w| format!(".{}.{w}-", name.to_string_lossy()));
    let Ok(listing) = fs::read_dir(parent) else {
        return;
    };
    for entry in listing.flatten() {
        let n = entry.file_name().to_string_lossy().into_owned();
        let stale = prefixes.iter().any(|p| {
            n.strip_prefix(p.as_str())
                .is_some_and(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
        });
        if stale {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// Swaps the folders `a` and `b` atomically where the system can (Linux), else by two renames
/// through a third name (`b` is briefly absent, never mixed).
fn exchange(a: &Path, b: &Path) -> Result<(), FileError> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::ffi::OsStrExt;
        let (ca, cb) = (
            std::ffi::CString::new(a.as_os_str().as_bytes()),
            std::ffi::CString::new(b.as_os_str().as_bytes()),
        );
        if let (Ok(ca), Ok(cb)) = (ca, cb) {
            // SAFETY: both are valid NUL-terminated paths that outlive the call.
            let r = unsafe {
                libc::renameat2(
                    libc::AT_FDCWD,
                    ca.as_ptr(),
                    libc::AT_FDCWD,
                    cb.as_ptr(),
                    libc::RENAME_EXCHANGE,
                )
            };
            if r == 0 {
                return Ok(());
            }
            let e = std::io::Error::last_os_error();
            // Not every file system can exchange; fall back to two renames on those.
            if !matches!(
                e.raw_os_error(),
                Some(libc::EINVAL | libc::ENOSYS | libc::ENOTSUP)
            ) {
                return Err(FileError::write(b, e));
            }
        }
    }
    let old = sibling(b, "old", Some(std::process::id()));
    fs::rename(b, &old).map_err(|e| FileError::write(b, e))?;
    if let Err(e) = fs::rename(a, b) {
        let _ = fs::rename(&old, b);
        return Err(FileError::write(b, e));
    }
    // `a` now names nothing; the old folder goes where the caller removes it.
    fs::rename(&old, a).map_err(|e| FileError::write(a, e))
}

/// Flushes a folder's entries to disk (best effort: not every system can).
fn sync_dir(dir: &Path) {
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_claimed_folder_is_busy_for_others_and_committed_in_one_piece() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("out");
        fs::create_dir(&target).unwrap();
        fs::write(target.join("manifest.json"), "old").unwrap();
        fs::write(target.join("weekly.csv"), "old").unwrap();
        assert!(matches!(
            Staged::claim(&target, false),
            Err(ClaimError::HoldsFiles { .. })
        ));
        let staged = Staged::claim(&target, true).unwrap();
        assert!(matches!(
            Staged::claim(&target, true),
            Err(ClaimError::Busy { pid: Some(_), .. })
        ));
        assert!(Staged::is_busy(&target));
        fs::write(staged.dir().join("manifest.json"), "new").unwrap();
        // Until the commit the target keeps the old run whole.
        assert_eq!(
            fs::read_to_string(target.join("weekly.csv")).unwrap(),
            "old"
        );
        staged.commit().unwrap();
        assert_eq!(
            fs::read_to_string(target.join("manifest.json")).unwrap(),
            "new"
        );
        assert!(!target.join("weekly.csv").exists());
        assert!(!Staged::is_busy(&target));
        let left: Vec<_> = fs::read_dir(tmp.path()).unwrap().flatten().collect();
        assert_eq!(left.len(), 1, "only the folder is left: {left:?}");
    }

    #[test]
    fn an_abandoned_claim_leaves_the_target_as_it_was() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("out");
        let staged = Staged::claim(&target, false).unwrap();
        fs::write(staged.dir().join("weekly.csv"), "half").unwrap();
        drop(staged);
        assert!(!target.exists());
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);
    }

    #[test]
    fn force_never_replaces_a_folder_of_other_files() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("home");
        fs::create_dir_all(target.join("src")).unwrap();
        fs::write(target.join("manifest.json"), "{}").unwrap();
        let e = Staged::claim(&target, true).unwrap_err();
        assert!(e.to_string().contains("'src'"), "{e}");
        fs::remove_dir(target.join("src")).unwrap();
        fs::write(target.join("thesis.docx"), "mine").unwrap();
        assert!(matches!(
            Staged::claim(&target, true),
            Err(ClaimError::Foreign { .. })
        ));
    }

    #[test]
    fn stale_staging_folders_of_dead_runs_are_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("out");
        let stale = tmp.path().join(".out.staging-99999999");
        fs::create_dir(&stale).unwrap();
        let other = tmp.path().join(".out.staging-x");
        fs::create_dir(&other).unwrap();
        let staged = Staged::claim(&target, false).unwrap();
        assert!(!stale.exists());
        assert!(other.exists(), "not a staging folder of ours");
        staged.commit().unwrap();
        assert!(target.is_dir());
    }
}
