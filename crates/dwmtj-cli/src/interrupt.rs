//! SIGINT and SIGTERM: stop at once, remove every temporary output of this process, keep a
//! resumable checkpoint where the run has one, and exit 130 (SIGINT) or 143 (SIGTERM).
//!
//! The handler runs on its own thread. Writing phases hold [`writing`] (a shared lock: the
//! points of a sweep write in parallel), so the handler never removes a folder while a file is
//! being written into it: it stops new phases from starting, waits for those under way (at
//! most a minute), and a run that is already being moved into place completes.

use signal_hook::consts::{SIGINT, SIGTERM};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock, RwLock, RwLockReadGuard};
use std::time::{Duration, Instant};

struct Partial {
    temp: PathBuf,
    /// (checkpoint inside `temp`, where to keep it on interrupt, how to resume).
    keep: Option<(PathBuf, PathBuf, String)>,
}

fn registry() -> &'static Mutex<Vec<Partial>> {
    static R: OnceLock<Mutex<Vec<Partial>>> = OnceLock::new();
    R.get_or_init(|| Mutex::new(Vec::new()))
}

fn write_lock() -> &'static RwLock<()> {
    static W: OnceLock<RwLock<()>> = OnceLock::new();
    W.get_or_init(|| RwLock::new(()))
}

/// Set by the handler: no writing phase may start any more.
static STOPPING: AtomicBool = AtomicBool::new(false);

fn lock<T>(m: &'static Mutex<T>) -> MutexGuard<'static, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Held while files are written into a temporary output (shared between writers; the
/// interrupt handler waits for every holder). Once the process is being stopped, a new writing
/// phase never starts: the caller waits for the exit.
pub fn writing() -> RwLockReadGuard<'static, ()> {
    while STOPPING.load(Ordering::SeqCst) {
        std::thread::park();
    }
    write_lock().read().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Remove `temp` if the process is interrupted.
pub fn register(temp: &Path) {
    lock(registry()).push(Partial {
        temp: temp.to_path_buf(),
        keep: None,
    });
}

/// On interrupt, keep `checkpoint` (inside the registered `temp`) as `resumable`, and tell the
/// user `how` to resume.
pub fn keep_on_interrupt(temp: &Path, checkpoint: &Path, resumable: &Path, how: &str) {
    for p in lock(registry()).iter_mut().filter(|p| p.temp == temp) {
        p.keep = Some((checkpoint.to_path_buf(), resumable.to_path_buf(), how.to_string()));
    }
}

fn notes() -> &'static Mutex<Vec<String>> {
    static N: OnceLock<Mutex<Vec<String>>> = OnceLock::new();
    N.get_or_init(|| Mutex::new(Vec::new()))
}

/// On interrupt, also tell the user `message` (what was kept and how to continue).
pub fn note(message: String) {
    lock(notes()).push(message);
}

fn restores() -> &'static Mutex<Vec<(PathBuf, PathBuf)>> {
    static R: OnceLock<Mutex<Vec<(PathBuf, PathBuf)>>> = OnceLock::new();
    R.get_or_init(|| Mutex::new(Vec::new()))
}

/// On interrupt, remove `out` (an incomplete study dwmtj is building) and move `old` (the
/// study it replaces, moved aside) back in its place.
pub fn restore_on_interrupt(out: &Path, old: &Path) {
    lock(restores()).push((out.to_path_buf(), old.to_path_buf()));
}

pub fn unregister(temp: &Path) {
    lock(registry()).retain(|p| p.temp != temp);
}

/// Move the checkpoint registered for `temp` (if it exists) to its resumable place; returns
/// the message to show.
fn keep(p: &Partial) -> Option<String> {
    let (checkpoint, resumable, how) = p.keep.as_ref()?;
    if !checkpoint.exists() {
        return None;
    }
    // Only an earlier checkpoint of dwmtj's may be replaced.
    if resumable.exists() {
        if !crate::output::is_dwmtj_folder(resumable) {
            return Some(format!("{} exists and is not dwmtj's: the checkpoint is lost", resumable.display()));
        }
        let _ = std::fs::remove_dir_all(resumable);
    }
    std::fs::rename(checkpoint, resumable)
        .ok()
        .map(|()| format!("kept the last checkpoint in {}; {how}", resumable.display()))
}

/// Keep the checkpoint of the run being written in `temp` (a failed run), saying so.
pub fn keep_checkpoint(temp: &Path) {
    let reg = lock(registry());
    if let Some(msg) = reg.iter().find(|p| p.temp == temp).and_then(keep) {
        eprintln!("{msg}");
    }
}

fn clean_up_and_exit(signal: i32) -> ! {
    // Wait for a writing phase to end (results being written, a checkpoint, the final rename);
    // a long one is cut off after a minute.
    STOPPING.store(true, Ordering::SeqCst);
    let deadline = Instant::now() + Duration::from_secs(60);
    let _guard = loop {
        match write_lock().try_write() {
            Ok(g) => break Some(g),
            Err(std::sync::TryLockError::Poisoned(p)) => break Some(p.into_inner()),
            Err(std::sync::TryLockError::WouldBlock) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            Err(std::sync::TryLockError::WouldBlock) => break None,
        }
    };
    let name = if signal == SIGINT { "SIGINT" } else { "SIGTERM" };
    let partials = std::mem::take(&mut *lock(registry()));
    for p in &partials {
        if let Some(msg) = keep(p) {
            eprintln!("interrupted ({name}): {msg}");
        }
        if p.temp.is_dir() {
            let _ = std::fs::remove_dir_all(&p.temp);
        } else {
            let _ = std::fs::remove_file(&p.temp);
        }
    }
    for (out, old) in lock(restores()).iter() {
        if old.exists() {
            let _ = std::fs::remove_dir_all(out);
            if std::fs::rename(old, out).is_ok() {
                eprintln!("interrupted ({name}): the replaced {} is back in place", out.display());
            }
        }
    }
    eprintln!("interrupted ({name}): stopped; partial output removed");
    for n in lock(notes()).iter() {
        eprintln!("interrupted ({name}): {n}");
    }
    std::process::exit(128 + signal)
}

/// Install the handler (once, at start-up).
pub fn install() {
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) else {
        return;
    };
    std::thread::spawn(move || {
        if let Some(sig) = signals.forever().next() {
            clean_up_and_exit(sig);
        }
    });
}
