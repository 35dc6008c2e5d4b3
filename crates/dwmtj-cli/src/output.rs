//! Output that never loses data: run folders and files are written under a hidden temporary
//! name next to the target and renamed into place only when complete, so a failed or interrupted
//! run leaves nothing behind.
//!
//! Rules, checked before any work starts ([`check_target`]):
//! * an existing target is replaced only with `--force`, and only if dwmtj wrote it (a folder
//!   holding a dwmtj `manifest.json`, or a file carrying dwmtj's export signature);
//! * never the current folder, one of its ancestors, the home folder, or a folder that holds
//!   an input of the run, even with `--force`;
//! * a replaced target is moved aside, the new one moved in, and only then the old one removed.
//!
//! Temporary names are `.NAME.partial-PID` (a folder holds a `.dwmtj-partial` marker); the next
//! run removes those of processes that no longer exist. Interrupts are handled in
//! [`crate::interrupt`], which removes the registered temporaries.

use anyhow::{bail, Context, Result};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// File inside every temporary run folder, so that only dwmtj's own leftovers are ever removed.
const PARTIAL_MARKER: &str = ".dwmtj-partial";

/// What kind of output a command writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutKind {
    /// A run folder (with a manifest.json).
    Folder,
    /// One file; `signature` is a byte string every dwmtj-written file of this kind contains.
    File { signature: &'static [u8] },
}

fn absolute(p: &Path) -> PathBuf {
    // Canonicalise the longest existing ancestor, then append the rest with `.` and `..`
    // resolved lexically (a missing `x/..` must not hide where the path really goes).
    let p: PathBuf = p.components().collect();
    let abs = if p.is_absolute() {
        p.clone()
    } else {
        std::env::current_dir().map(|d| d.join(&p)).unwrap_or_else(|_| p.clone())
    };
    let mut tail = Vec::new();
    let mut head = abs.as_path();
    loop {
        if let Ok(mut out) = head.canonicalize() {
            for t in tail.iter().rev() {
                match t {
                    std::path::Component::ParentDir => {
                        out.pop();
                    }
                    std::path::Component::CurDir => {}
                    c => out.push(c),
                }
            }
            return out;
        }
        let mut comps = head.components();
        match comps.next_back() {
            Some(c @ (std::path::Component::Normal(_) | std::path::Component::ParentDir | std::path::Component::CurDir)) => {
                tail.push(c);
                head = comps.as_path();
            }
            _ => return abs,
        }
    }
}

/// True when `dir` holds a manifest.json written by dwmtj.
pub fn is_dwmtj_folder(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join("manifest.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .is_some_and(|v| v.get("tool").and_then(|t| t.as_str()) == Some("dwmtj"))
}

fn file_has_signature(path: &Path, signature: &[u8]) -> bool {
    use std::io::Read;
    let mut head = Vec::new();
    std::fs::File::open(path).and_then(|f| f.take(4096).read_to_end(&mut head)).is_ok()
        && head.windows(signature.len()).any(|w| w == signature)
}

/// Refuse, before any work, an output target that could not be written or would destroy data
/// that dwmtj did not write. `inputs` are the files and folders the run reads.
pub fn check_target(target: &Path, force: bool, kind: OutKind, inputs: &[&Path]) -> Result<()> {
    if target.as_os_str().is_empty() {
        bail!("--out: empty path");
    }
    let abs = absolute(target);
    let cwd = std::env::current_dir().ok().map(|d| absolute(&d));
    if let Some(cwd) = &cwd {
        if cwd.starts_with(&abs) {
            bail!(
                "--out {}: is the current folder or one of its ancestors; give a new folder, e.g. --out runs/NAME",
                target.display()
            );
        }
    }
    if let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        if absolute(Path::new(&home)).starts_with(&abs) {
            bail!(
                "--out {}: is the home folder or one of its ancestors; give a new folder",
                target.display()
            );
        }
    }
    for input in inputs {
        let i = absolute(input);
        if i == abs {
            bail!(
                "--out {}: is an input of this run ({}); choose another output",
                target.display(),
                input.display()
            );
        }
        if kind == OutKind::Folder && i.starts_with(&abs) {
            bail!(
                "--out {}: holds an input of this run ({}); refusing to replace it, even with --force",
                target.display(),
                input.display()
            );
        }
    }
    let meta = match std::fs::symlink_metadata(target) {
        Ok(m) => m,
        Err(_) => {
            let parent = abs.parent().unwrap_or(Path::new("/"));
            let mut existing = parent;
            while !existing.exists() {
                existing = existing.parent().unwrap_or(Path::new("/"));
            }
            if !existing.is_dir() {
                bail!("--out {}: {} is a file, not a folder", target.display(), existing.display());
            }
            return Ok(());
        }
    };
    match kind {
        OutKind::Folder => {
            if !meta.is_dir() {
                bail!(
                    "--out {}: exists and is not a folder; dwmtj writes a run folder there and never replaces other files",
                    target.display()
                );
            }
            let empty = std::fs::read_dir(target).map(|mut d| d.next().is_none()).unwrap_or(false);
            if empty {
                return Ok(());
            }
            if !force {
                bail!(
                    "--out {}: already exists and is not empty; pass --force to replace an earlier dwmtj run folder",
                    target.display()
                );
            }
            if !is_dwmtj_folder(target) {
                bail!(
                    "--out {}: exists and was not written by dwmtj (no dwmtj manifest.json); --force replaces only dwmtj run folders",
                    target.display()
                );
            }
        }
        OutKind::File { signature } => {
            if meta.is_dir() {
                bail!("--out {}: is a folder; give a file name", target.display());
            }
            if !force {
                bail!(
                    "--out {}: already exists; pass --force to replace a file dwmtj wrote",
                    target.display()
                );
            }
            if !meta.is_file() || !file_has_signature(target, signature) {
                bail!(
                    "--out {}: exists and was not written by dwmtj; --force replaces only dwmtj's own exports",
                    target.display()
                );
            }
        }
    }
    Ok(())
}

fn name_and_parent(target: &Path) -> (String, PathBuf) {
    let abs = absolute(target);
    let name = abs.file_name().and_then(|n| n.to_str()).unwrap_or("out").to_string();
    let parent = abs.parent().map_or_else(|| PathBuf::from("/"), Path::to_path_buf);
    (name, parent)
}

/// This machine's name, as it appears in temporary names (so that a run never mistakes a live
/// process on another node of a shared file system for a dead one).
fn host() -> String {
    let raw = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".into());
    let h: String = raw
        .trim()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if h.is_empty() {
        "localhost".into()
    } else {
        h
    }
}

/// The suffix of this process's temporaries: `HOST-PID`.
pub fn owner() -> String {
    format!("{}-{}", host(), std::process::id())
}

fn pid_alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        Path::new(&format!("/proc/{pid}")).exists()
    } else {
        true
    }
}

/// Clean up after dwmtj processes of this machine that no longer exist, in `dir`: remove their
/// temporaries (`.X.partial-HOST-PID`), and for a replaced output (`.X.old-HOST-PID`) restore it
/// when the process died before its successor was moved in, else remove it.
pub fn remove_stale_partials(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let here = host();
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix('.') else { continue };
        let (target, kind, owner) = match (rest.rsplit_once(".partial-"), rest.rsplit_once(".old-")) {
            (Some((t, o)), _) => (t, "partial", o),
            (None, Some((t, o))) => (t, "old", o),
            _ => continue,
        };
        let Some((h, pid)) = owner.rsplit_once('-') else { continue };
        let Ok(pid) = pid.parse::<u32>() else { continue };
        if h != here || pid == std::process::id() || pid_alive(pid) {
            continue;
        }
        let p = e.path();
        let ours = if p.is_dir() {
            p.join(PARTIAL_MARKER).exists() || is_dwmtj_folder(&p)
        } else {
            true
        };
        if !ours {
            continue;
        }
        let original = dir.join(target);
        if kind == "old" && std::fs::symlink_metadata(&original).is_err() {
            let _ = std::fs::rename(&p, &original);
        } else if p.is_dir() {
            let _ = std::fs::remove_dir_all(&p);
        } else {
            let _ = std::fs::remove_file(&p);
        }
    }
}

/// Move `temp` into `target`, replacing an existing target only after the new one is in place.
fn replace(temp: &Path, target: &Path, old: &Path) -> Result<()> {
    let existed = std::fs::symlink_metadata(target).is_ok();
    if existed {
        if target.is_dir() && std::fs::read_dir(target).map(|mut d| d.next().is_none()).unwrap_or(false) {
            std::fs::remove_dir(target).with_context(|| format!("cannot replace the empty folder {}", target.display()))?;
        } else {
            std::fs::rename(target, old).with_context(|| format!("cannot move {} aside", target.display()))?;
        }
    }
    if let Err(e) = std::fs::rename(temp, target) {
        if old.exists() {
            let _ = std::fs::rename(old, target);
        }
        return Err(e).with_context(|| format!("cannot move the results to {}", target.display()));
    }
    if old.is_dir() {
        std::fs::remove_dir_all(old).with_context(|| format!("cannot remove the replaced {}", old.display()))?;
    } else if old.exists() {
        std::fs::remove_file(old).with_context(|| format!("cannot remove the replaced {}", old.display()))?;
    }
    Ok(())
}

/// A run folder being written.
pub struct RunDir {
    target: PathBuf,
    temp: PathBuf,
    old: PathBuf,
    force: bool,
    inputs: Vec<PathBuf>,
    /// Removed once the run is in place (a resumed or discarded OUT.interrupted).
    discard: Option<PathBuf>,
    finished: bool,
}

/// The checkpoint folder inside a run's temporary folder (see `checkpoint.rs`).
pub const CHECKPOINT_DIR: &str = ".checkpoint";

impl RunDir {
    /// Check `target` ([`check_target`]) and create its temporary folder. `inputs` are the
    /// files and folders the run reads.
    pub fn create(target: &Path, force: bool, inputs: &[&Path]) -> Result<Self> {
        Self::create_with(target, force, inputs, true)
    }

    /// [`RunDir::create`] for one of many runs in one folder (a sweep's points), whose caller
    /// removed the stale temporaries there once ([`remove_stale_partials`]) instead of each run
    /// scanning the folder.
    pub fn create_many(target: &Path, inputs: &[&Path]) -> Result<Self> {
        Self::create_with(target, false, inputs, false)
    }

    fn create_with(target: &Path, force: bool, inputs: &[&Path], scan: bool) -> Result<Self> {
        check_target(target, force, OutKind::Folder, inputs)?;
        let (name, parent) = name_and_parent(target);
        std::fs::create_dir_all(&parent).with_context(|| format!("cannot create {}", parent.display()))?;
        if scan {
            remove_stale_partials(&parent);
        }
        let pid = owner();
        let temp = parent.join(format!(".{name}.partial-{pid}"));
        if temp.exists() {
            std::fs::remove_dir_all(&temp).with_context(|| format!("cannot clear {}", temp.display()))?;
        }
        {
            // Under the lock, so an interrupt removes the folder after it exists, not before.
            let _writing = crate::interrupt::writing();
            crate::interrupt::register(&temp);
            std::fs::create_dir(&temp).with_context(|| format!("cannot create {}", temp.display()))?;
            std::fs::write(temp.join(PARTIAL_MARKER), b"dwmtj run folder being written\n")
                .with_context(|| format!("cannot write in {}", temp.display()))?;
        }
        Ok(Self {
            target: target.to_path_buf(),
            old: parent.join(format!(".{name}.old-{pid}")),
            temp,
            force,
            inputs: inputs.iter().map(|p| p.to_path_buf()).collect(),
            discard: None,
            finished: false,
        })
    }

    /// The folder being written, for the checkpoints kept inside it ([`CHECKPOINT_DIR`]); every
    /// result file goes through the `write_*` methods.
    pub fn temp_path(&self) -> &Path {
        &self.temp
    }

    pub fn write_json<T: Serialize>(&self, rel: &str, value: &T) -> Result<()> {
        self.write_text(rel, &(serde_json::to_string_pretty(value)? + "\n"))
    }

    pub fn write_text(&self, rel: &str, text: &str) -> Result<()> {
        self.write_bytes(rel, text.as_bytes())
    }

    /// Remove `path` (a dwmtj folder: a checkpoint this run resumed or discards) once the run
    /// is in place.
    pub fn discard_on_finish(&mut self, path: PathBuf) {
        self.discard = Some(path);
    }

    pub fn write_bytes(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        self.write_with(rel, |p| Ok(std::fs::write(p, bytes)?))
    }

    pub fn write_csv(&self, rel: &str, table: Csv) -> Result<()> {
        let bytes = table.0.into_inner().map_err(|e| anyhow::anyhow!("CSV {rel}: {e}"))?;
        self.write_bytes(rel, &bytes)
    }

    /// Write the file `rel` of the run with `write` (given its full path; folders are made).
    /// Every write into a run goes through here, holding the interrupt lock: an interrupt waits
    /// for the file, then removes the folder, and no write can start after that.
    pub fn write_with(&self, rel: &str, write: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
        let _writing = crate::interrupt::writing();
        if !self.temp.is_dir() {
            bail!("the run folder being written ({}) is gone", self.temp.display());
        }
        let p = self.temp.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)?;
        }
        write(&p).with_context(|| format!("cannot write {}", p.display()))
    }

    /// The files under `sub` of the run, relative to it, sorted (markers and checkpoints left out).
    fn files(&self, sub: &str) -> Result<Vec<String>> {
        let dir = self.temp.join(sub);
        let mut files = Vec::new();
        collect(&dir, &dir, &mut files)?;
        files.retain(|f| f != PARTIAL_MARKER && !f.starts_with(CHECKPOINT_DIR));
        files.sort();
        Ok(files)
    }

    /// Move the finished folder into place (an earlier run there is replaced only now).
    pub fn finish(mut self) -> Result<PathBuf> {
        let _writing = crate::interrupt::writing();
        // The target may have changed while the run was going on.
        let inputs: Vec<&Path> = self.inputs.iter().map(PathBuf::as_path).collect();
        check_target(&self.target, self.force, OutKind::Folder, &inputs)?;
        // The last checkpoint goes only now: until the results are complete it is what an
        // interrupt or a failure keeps.
        let checkpoint = self.temp.join(CHECKPOINT_DIR);
        if checkpoint.exists() {
            std::fs::remove_dir_all(&checkpoint).with_context(|| format!("cannot remove {}", checkpoint.display()))?;
        }
        std::fs::remove_file(self.temp.join(PARTIAL_MARKER)).ok();
        replace(&self.temp, &self.target, &self.old)?;
        self.finished = true;
        crate::interrupt::unregister(&self.temp);
        if let Some(d) = self.discard.take().filter(|d| is_dwmtj_folder(d)) {
            std::fs::remove_dir_all(&d).with_context(|| format!("cannot remove {}", d.display()))?;
        }
        Ok(self.target.clone())
    }
}

impl Drop for RunDir {
    fn drop(&mut self) {
        if !self.finished {
            // A run that fails after a checkpoint (a full disk while writing the results) keeps
            // it, as an interrupted one does.
            crate::interrupt::keep_checkpoint(&self.temp);
            let _writing = crate::interrupt::writing();
            let _ = std::fs::remove_dir_all(&self.temp);
            crate::interrupt::unregister(&self.temp);
        }
    }
}

/// Write one file atomically (temporary sibling, then rename), under the rules of
/// [`check_target`]; a failure leaves nothing behind.
pub fn write_file(target: &Path, force: bool, signature: &'static [u8], bytes: &[u8]) -> Result<()> {
    check_target(target, force, OutKind::File { signature }, &[])?;
    let (name, parent) = name_and_parent(target);
    remove_stale_partials(&parent);
    let pid = owner();
    let temp = parent.join(format!(".{name}.partial-{pid}"));
    let old = parent.join(format!(".{name}.old-{pid}"));
    crate::interrupt::register(&temp);
    let _writing = crate::interrupt::writing();
    let result = std::fs::write(&temp, bytes)
        .with_context(|| format!("cannot write {}", target.display()))
        .and_then(|()| replace(&temp, target, &old));
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    crate::interrupt::unregister(&temp);
    result
}

/// Write `path`, a file of a folder dwmtj owns (a sweep's table or study record), atomically: a
/// temporary sibling renamed over it, so a reader sees the old file or the new one, whole.
pub fn write_own_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let (name, parent) = name_and_parent(path);
    std::fs::create_dir_all(&parent).with_context(|| format!("cannot create {}", parent.display()))?;
    let temp = parent.join(format!(".{name}.partial-{}", owner()));
    let _writing = crate::interrupt::writing();
    crate::interrupt::register(&temp);
    let result = std::fs::write(&temp, bytes)
        .and_then(|()| std::fs::rename(&temp, path))
        .with_context(|| format!("cannot write {}", path.display()));
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    crate::interrupt::unregister(&temp);
    result
}

/// A CSV file built in memory, written into a run in one piece by [`RunDir::write_csv`].
pub struct Csv(csv::Writer<Vec<u8>>);

impl Csv {
    /// A table with this header row.
    pub fn with_header<T: AsRef<[u8]>>(header: impl IntoIterator<Item = T>) -> Result<Self> {
        let mut t = Self(csv::Writer::from_writer(Vec::new()));
        t.row(header)?;
        Ok(t)
    }

    /// A table of serialisable records (the header from their field names).
    pub fn records<S: Serialize>(items: impl IntoIterator<Item = S>) -> Result<Self> {
        let mut w = csv::Writer::from_writer(Vec::new());
        for item in items {
            w.serialize(item)?;
        }
        Ok(Self(w))
    }

    /// A table of numbers ([`Num`] format).
    pub fn numbers<R: IntoIterator<Item = f64>>(header: &[&str], rows: impl IntoIterator<Item = R>) -> Result<Self> {
        let mut t = Self::with_header(header)?;
        for r in rows {
            t.row(r.into_iter().map(Num::num))?;
        }
        Ok(t)
    }

    pub fn row<T: AsRef<[u8]>>(&mut self, fields: impl IntoIterator<Item = T>) -> Result<()> {
        Ok(self.0.write_record(fields)?)
    }
}

/// Numbers in CSV files: the shortest form that reads back to the same value, the same rule
/// for every column (`8e-9`, `0.25`, `1500.0`), as the CSV serialiser writes them.
pub trait Num {
    fn num(self) -> String;
}

impl Num for f64 {
    fn num(self) -> String {
        ryu::Buffer::new().format(self).to_string()
    }
}

impl Num for f32 {
    fn num(self) -> String {
        ryu::Buffer::new().format(self).to_string()
    }
}

/// Provenance of a run.
#[derive(Serialize)]
pub struct Manifest {
    pub tool: &'static str,
    pub version: &'static str,
    pub command: Vec<String>,
    pub seed: Option<u64>,
    pub created_unix_s: u64,
    pub files: Vec<String>,
}

impl Manifest {
    pub fn new(seed: Option<u64>) -> Self {
        Self {
            tool: "dwmtj",
            version: env!("CARGO_PKG_VERSION"),
            command: std::env::args().collect(),
            seed,
            created_unix_s: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0),
            files: Vec::new(),
        }
    }

    /// List the files under `dir` (relative), then write manifest.json there.
    pub fn write(mut self, run: &RunDir, sub: &str) -> Result<()> {
        self.files = run.files(sub)?;
        let rel = if sub.is_empty() {
            "manifest.json".to_string()
        } else {
            format!("{sub}/manifest.json")
        };
        run.write_json(&rel, &self)
    }
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<String>) -> Result<()> {
    for e in std::fs::read_dir(dir)? {
        let p = e?.path();
        if p.is_dir() {
            collect(root, &p, out)?;
        } else if let Ok(r) = p.strip_prefix(root) {
            out.push(r.display().to_string());
        }
    }
    Ok(())
}
