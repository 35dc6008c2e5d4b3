//! Run folders written atomically: everything goes into a hidden sibling folder that is renamed
//! into place only when the run succeeded, so a failed run leaves nothing behind.

use anyhow::{bail, Context, Result};
use serde::Serialize;
use std::path::{Path, PathBuf};

pub struct RunDir {
    target: PathBuf,
    temp: PathBuf,
    force: bool,
    finished: bool,
}

impl RunDir {
    /// Prepare `target`. Fails if it exists and is not empty, unless `force`.
    pub fn create(target: &Path, force: bool) -> Result<Self> {
        if target.exists() && !force {
            let empty = target.is_dir() && std::fs::read_dir(target).map(|mut d| d.next().is_none()).unwrap_or(false);
            if !empty {
                bail!(
                    "output folder {} already exists and is not empty; pass --force to replace it",
                    target.display()
                );
            }
        }
        let name = target.file_name().and_then(|n| n.to_str()).unwrap_or("out");
        let parent = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        let temp = parent.join(format!(".{name}.partial-{}", std::process::id()));
        if temp.exists() {
            std::fs::remove_dir_all(&temp).ok();
        }
        std::fs::create_dir_all(&temp).with_context(|| format!("cannot create {}", temp.display()))?;
        Ok(Self {
            target: target.to_path_buf(),
            temp,
            force,
            finished: false,
        })
    }

    pub fn path(&self) -> &Path {
        &self.temp
    }

    pub fn write_json<T: Serialize>(&self, rel: &str, value: &T) -> Result<()> {
        let p = self.temp.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&p, serde_json::to_string_pretty(value)? + "\n").with_context(|| format!("cannot write {}", p.display()))
    }

    pub fn write_text(&self, rel: &str, text: &str) -> Result<()> {
        let p = self.temp.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&p, text).with_context(|| format!("cannot write {}", p.display()))
    }

    /// Move the finished folder into place.
    pub fn finish(mut self) -> Result<PathBuf> {
        if self.target.exists() {
            if self.force || self.target.is_dir() {
                std::fs::remove_dir_all(&self.target).with_context(|| format!("cannot replace {}", self.target.display()))?;
            } else {
                bail!("{} exists", self.target.display());
            }
        }
        std::fs::rename(&self.temp, &self.target).with_context(|| format!("cannot move results to {}", self.target.display()))?;
        self.finished = true;
        Ok(self.target.clone())
    }
}

impl Drop for RunDir {
    fn drop(&mut self) {
        if !self.finished {
            let _ = std::fs::remove_dir_all(&self.temp);
        }
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
        let dir = run.path().join(sub);
        let mut files = Vec::new();
        collect(&dir, &dir, &mut files)?;
        files.sort();
        self.files = files;
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
