//! Resumable long runs (micromag, train). The running state is written every `--checkpoint-every`
//! into `.checkpoint/` inside the temporary run folder (atomically: a new folder renamed over
//! the old). On SIGINT/SIGTERM [`crate::interrupt`] keeps it as `OUT.interrupted/`, which
//! holds the state, the run's fingerprint (its configuration and overrides), a README and a
//! dwmtj manifest; `--resume` continues it and removes it when the run completes. A run that
//! completes leaves no checkpoint behind ([`crate::output::RunDir::finish`] removes it last).

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Where an interrupted run keeps its checkpoint: next to the output, `OUT.interrupted`.
pub fn interrupted_path(out: &Path) -> PathBuf {
    let mut name = out.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".interrupted");
    out.with_file_name(name)
}

/// `--checkpoint-every`: a wall-clock time (no physical plausibility range).
pub fn parse_every(text: &str) -> Result<Duration> {
    let s =
        dwmtj_core::units::parse_quantity(text, dwmtj_core::units::Dim::TIME).with_context(|| format!("--checkpoint-every {text:?}"))?;
    if !(s > 0.0 && s <= 1e7) {
        bail!("--checkpoint-every {text:?}: expected a time between 1 ms and 115 days, e.g. \"300 s\"");
    }
    Ok(Duration::from_secs_f64(s.max(1e-3)))
}

/// The checkpoint of an interrupted run of `out` to resume (`resume`), or None; refuses to
/// start afresh over an interrupted run unless `force` (which discards it when the new run
/// completes). `fingerprint` must equal the interrupted run's.
pub fn resume_bytes(out: &Path, resume: bool, force: bool, fingerprint: &str) -> Result<Option<Vec<u8>>> {
    let interrupted = interrupted_path(out);
    if !resume {
        if std::fs::symlink_metadata(&interrupted).is_ok() && (!force || !crate::output::is_dwmtj_folder(&interrupted)) {
            bail!(
                "{} holds an interrupted run of this output: continue it with --resume, or pass --force to discard it",
                interrupted.display()
            );
        }
        return Ok(None);
    }
    if interrupted.exists() && !crate::output::is_dwmtj_folder(&interrupted) {
        bail!("--resume: {} was not written by dwmtj", interrupted.display());
    }
    let saved = std::fs::read_to_string(interrupted.join("fingerprint.txt"))
        .with_context(|| format!("--resume: no checkpoint of an interrupted run at {}", interrupted.display()))?;
    if saved != fingerprint {
        bail!(
            "--resume: the configuration or the options differ from those of the run interrupted in {}; resume with the same ones",
            interrupted.display()
        );
    }
    let path = interrupted.join("checkpoint.bin");
    Ok(Some(
        std::fs::read(&path).with_context(|| format!("--resume: cannot read {}", path.display()))?,
    ))
}

/// The command that continues this run: its own arguments (quoted where needed) with --resume.
pub fn resume_command() -> String {
    let args: Vec<String> = std::env::args()
        .filter(|a| a != "--resume")
        .map(|a| if a.contains(' ') { format!("{a:?}") } else { a })
        .collect();
    format!("{} --resume", args.join(" "))
}

/// Periodic checkpoints into a run folder's `.checkpoint/`.
pub struct CheckpointFolder {
    dir: PathBuf,
    fingerprint: String,
    every: Duration,
    last: Instant,
}

impl CheckpointFolder {
    /// Checkpoints of the run being written in `run_temp` (registered to be kept as
    /// `OUT.interrupted` on an interrupt, with `resume_command` in the message).
    pub fn new(run_temp: &Path, out: &Path, fingerprint: String, every: Duration, resume_command: &str) -> Self {
        let dir = run_temp.join(crate::output::CHECKPOINT_DIR);
        crate::interrupt::keep_on_interrupt(run_temp, &dir, &interrupted_path(out), &format!("continue with: {resume_command}"));
        Self {
            dir,
            fingerprint,
            every,
            last: Instant::now(),
        }
    }

    pub fn due(&self) -> bool {
        self.last.elapsed() >= self.every
    }

    /// Write one checkpoint (`bytes` and a README line saying how far the run got).
    pub fn save(&mut self, bytes: &[u8], progress: &str) {
        if let Err(e) = self.write(bytes, progress) {
            eprintln!("warning: could not write the checkpoint: {e:#}");
        }
        self.last = Instant::now();
    }

    fn write(&self, bytes: &[u8], progress: &str) -> Result<()> {
        let _writing = crate::interrupt::writing();
        let new = self.dir.with_extension("new");
        let old = self.dir.with_extension("old");
        let _ = std::fs::remove_dir_all(&new);
        std::fs::create_dir_all(&new)?;
        std::fs::write(new.join("checkpoint.bin"), bytes)?;
        std::fs::write(new.join("fingerprint.txt"), &self.fingerprint)?;
        std::fs::write(
            new.join("README.txt"),
            format!(
                "An interrupted dwmtj run, stopped {progress}.\nContinue it with the same command and --resume; remove this folder to discard it.\n"
            ),
        )?;
        std::fs::write(
            new.join("manifest.json"),
            serde_json::to_string_pretty(
                &serde_json::json!({"tool": "dwmtj", "kind": "checkpoint", "command": std::env::args().collect::<Vec<_>>()}),
            )?,
        )?;
        if self.dir.exists() {
            std::fs::rename(&self.dir, &old)?;
        }
        std::fs::rename(&new, &self.dir)?;
        let _ = std::fs::remove_dir_all(&old);
        Ok(())
    }
}
