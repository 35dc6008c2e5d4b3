//! `dwmtj sweep`: a parameter study over any run type, on local threads or as a Slurm job
//! array (a shell over `dwmtj_sweep`; folder layout in the `Args` doc).

use crate::output::{check_target, is_dwmtj_folder, write_own_file, Manifest, OutKind, RunDir};
use crate::write::sweep::{write_outcome, write_tables};
use anyhow::{anyhow, bail, Context, Result};
use dwmtj_sweep::spec::{RawSweep, Sweep};
use dwmtj_sweep::table::{table, PointState};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;

/// The long help of `dwmtj sweep` (kept out of the doc comment: it shows a TOML file).
const LONG_HELP: &str = r#"Run a parameter study: every combination of some keys of a base run file (a device, a wall
run, a design target, a micromagnetic run or a training file), one run folder per point,
and one table of every point's results, with plots.

A sweep file (TOML; see configs/sweeps/ and docs/sweeps.md):

  version = 1
  base = "../fig3f.toml"      # relative to the sweep file; kind recognised from its content
  mode = "grid"               # grid | zip | random (a seeded Latin hypercube of `points`)
  seed = 1                    # point k gets a seed drawn from (seed, k)
  [[axis]]
  key = "bias.hz"             # any key of the base, with the base's names and units
  range = { from = "-600 Oe", to = "-300 Oe", points = 7, scale = "linear" }
  [[axis]]
  key = "program.pulse_width"
  values = ["4 ns", "8 ns", "16 ns"]

OUT holds study.json (the inputs, frozen), points/NNNN/ (what the single command writes
for that point), failed/NNNN.txt (the error of a failed point), sweep.csv and sweep.json
(one row per point: axis values, seed, status, every scalar result), plots/ and
manifest.json. Every point is validated before anything runs. A rerun with the same inputs
continues: completed points are kept (each point folder is written whole or not at all);
--retry-failed runs the failed ones again. Exits 1 if any point failed.

Slurm: --slurm writes OUT/slurm/array.sbatch (a job array whose task K runs points
K*chunk .. (K+1)*chunk - 1 through this binary) and collect.sbatch (dependent job that
writes the table), submits both with sbatch and prints the job ids; `dwmtj sweep status OUT`
follows them. The table is the same, byte for byte, as a local run's.

Examples:
  dwmtj sweep configs/sweeps/wall-current-field.toml --out runs/wall-sweep
  dwmtj sweep configs/sweeps/fig3f-bias-pulse.toml --out /scratch/fig3f --slurm --partition short --time 00:20:00 --max-parallel 50
  dwmtj sweep status runs/wall-sweep"#;

/// Run a parameter study over any run file: a run folder per point, one table, plots.
#[derive(clap::Args, Debug)]
#[command(long_about = LONG_HELP, args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct Args {
    #[command(subcommand)]
    pub action: Option<Action>,
    /// Sweep file (TOML: base, mode, seed, and one `[[axis]]` table per axis).
    #[arg(required = true)]
    pub sweep: Option<PathBuf>,
    /// Output folder of the study (created, or continued if it holds this sweep).
    #[arg(long, required = true)]
    pub out: Option<PathBuf>,
    /// Start over: replace an earlier dwmtj sweep or run folder at --out (never the current
    /// folder, an ancestor, $HOME or a folder holding an input).
    #[arg(long)]
    pub force: bool,
    /// Points run at once (default: every core). Each point's result is the same for any value.
    #[arg(long, allow_hyphen_values = true)]
    pub jobs: Option<usize>,
    /// Run the points that failed in an earlier run again.
    #[arg(long)]
    pub retry_failed: bool,
    /// Print the study's counts and files as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub slurm: SlurmArgs,
}

/// Slurm options (with --slurm).
#[derive(clap::Args, Debug)]
pub struct SlurmArgs {
    /// Submit the points as a Slurm job array instead of running them here.
    #[arg(long)]
    pub slurm: bool,
    /// Slurm partition (sbatch --partition).
    #[arg(long, requires = "slurm", allow_hyphen_values = true)]
    pub partition: Option<String>,
    /// Time limit per array task (sbatch --time: MM, HH:MM:SS or D-HH:MM:SS).
    #[arg(long, requires = "slurm", allow_hyphen_values = true)]
    pub time: Option<String>,
    /// Cores per array task (its points run in parallel on them).
    #[arg(long, requires = "slurm", allow_hyphen_values = true)]
    pub cpus_per_task: Option<usize>,
    /// At most this many array tasks at once (the %K of --array).
    #[arg(long, requires = "slurm", allow_hyphen_values = true)]
    pub max_parallel: Option<usize>,
    /// Points per array task (default 1).
    #[arg(long, requires = "slurm", allow_hyphen_values = true)]
    pub chunk: Option<usize>,
    /// Write the job scripts and print the sbatch commands without submitting.
    #[arg(long, requires = "slurm")]
    pub dry_run: bool,
}

/// Inspect, aggregate or run part of a sweep folder.
#[derive(clap::Subcommand, Debug)]
pub enum Action {
    /// Show the done, failed and pending points of a sweep folder (and its Slurm jobs).
    Status {
        /// The sweep's output folder.
        dir: PathBuf,
        /// Print the counts and the failed points' errors as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write sweep.csv, sweep.json and the plots from the points done so far (the dependent
    /// Slurm job runs this). Exits 1 while points are failed or pending.
    Collect {
        /// The sweep's output folder.
        dir: PathBuf,
        /// Print the counts and files as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Run the points of one array task (what the Slurm job script runs): points
    /// TASK*chunk .. (TASK+1)*chunk - 1 that are not done yet.
    Task {
        /// The sweep's output folder.
        dir: PathBuf,
        /// Task number (default: $SLURM_ARRAY_TASK_ID).
        #[arg(long, allow_hyphen_values = true)]
        task: Option<usize>,
        /// Points run at once (default: $SLURM_CPUS_PER_TASK, else 1).
        #[arg(long, allow_hyphen_values = true)]
        jobs: Option<usize>,
        /// Points per task (the job script gives the chunk it was submitted with).
        #[arg(long, allow_hyphen_values = true)]
        chunk: Option<usize>,
        /// Run the chunk's failed points again too.
        #[arg(long)]
        retry_failed: bool,
    },
}

/// The inputs of a study, frozen in OUT/study.json when it starts (tasks and resumed runs use
/// these, so editing the files later does not change a running study).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
struct Study {
    tool: String,
    version: String,
    name: String,
    kind: String,
    sweep_file: String,
    sweep_text: String,
    base_file: String,
    base_text: String,
    points: usize,
    chunk: usize,
    allow_implausible: bool,
}

impl Study {
    fn of(path: &Path, sweep: &Sweep, sweep_text: String, chunk: usize) -> Result<Self> {
        Ok(Self {
            tool: "dwmtj".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            name: sweep.name.clone(),
            kind: sweep.kind.name().into(),
            sweep_file: std::path::absolute(path)
                .unwrap_or_else(|_| path.to_path_buf())
                .display()
                .to_string(),
            sweep_text,
            base_file: sweep.base_path.display().to_string(),
            base_text: sweep.base_text.clone(),
            points: sweep.points.len(),
            chunk,
            allow_implausible: !dwmtj_core::plausible::enforced(),
        })
    }

    fn read(dir: &Path) -> Result<Self> {
        let p = dir.join("study.json");
        let text = std::fs::read_to_string(&p).with_context(|| format!("{} is not a sweep folder (no study.json)", dir.display()))?;
        serde_json::from_str(&text).with_context(|| format!("{}: not a dwmtj study record", p.display()))
    }

    /// The same study (the chunk of a Slurm submission aside).
    fn same_inputs(&self, other: &Self) -> bool {
        (
            &self.version,
            &self.sweep_text,
            &self.base_file,
            &self.base_text,
            self.allow_implausible,
        ) == (
            &other.version,
            &other.sweep_text,
            &other.base_file,
            &other.base_text,
            other.allow_implausible,
        )
    }

    fn sweep(&self) -> Result<Sweep> {
        let raw = RawSweep::from_toml(&self.sweep_text, &self.sweep_file)?;
        Ok(Sweep::new(
            &raw,
            &self.name,
            PathBuf::from(&self.base_file),
            self.base_text.clone(),
        )?)
    }

    fn inputs(&self) -> Vec<PathBuf> {
        vec![PathBuf::from(&self.sweep_file), PathBuf::from(&self.base_file)]
    }
}

/// A sweep's output folder.
struct Folder {
    dir: PathBuf,
    width: usize,
}

impl Folder {
    fn new(dir: &Path, points: usize) -> Self {
        let digits = points.saturating_sub(1).max(1).to_string().len();
        Self {
            dir: dir.to_path_buf(),
            width: digits.max(4),
        }
    }

    fn point_dir(&self, k: usize) -> PathBuf {
        self.dir.join("points").join(format!("{k:0w$}", w = self.width))
    }

    fn failed_file(&self, k: usize) -> PathBuf {
        self.dir.join("failed").join(format!("{k:0w$}.txt", w = self.width))
    }

    fn state(&self, k: usize) -> PointState {
        let p = self.point_dir(k);
        if let (true, Ok(text)) = (is_dwmtj_folder(&p), std::fs::read_to_string(p.join("summary.json"))) {
            return PointState::Done(text);
        }
        match std::fs::read_to_string(self.failed_file(k)) {
            Ok(e) => PointState::Failed(e.trim_end().to_string()),
            Err(_) => PointState::Pending,
        }
    }

    fn states(&self, n: usize) -> Vec<PointState> {
        (0..n).map(|k| self.state(k)).collect()
    }
}

fn count(states: &[PointState], s: &str) -> usize {
    states.iter().filter(|x| x.status() == s).count()
}

/// The point's values as `key = value` pairs, for messages.
fn describe(sweep: &Sweep, k: usize) -> String {
    sweep
        .axes
        .iter()
        .zip(&sweep.points[k].values)
        .map(|(a, v)| format!("{} = {v}", a.path.text))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Validate the sweep and every point before anything runs; the sweep file's text as read.
fn load(path: &Path) -> Result<(Sweep, String)> {
    let (sweep, text) = Sweep::load_with_text(path)?;
    dwmtj_sweep::check(&sweep).map_err(|(k, e)| anyhow!("point {k} ({}): {e}", describe(&sweep, k)))?;
    Ok((sweep, text))
}

/// The study's lock file: a local run holds it exclusively, each Slurm task shares it, so one
/// study is never run by two of them at once.
fn lock(dir: &Path, shared: bool) -> Result<std::fs::File> {
    let p = dir.join(".lock");
    let f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&p)
        .with_context(|| format!("cannot open {}", p.display()))?;
    let taken = if shared { f.try_lock_shared() } else { f.try_lock() };
    match taken {
        Ok(()) => Ok(f),
        Err(std::fs::TryLockError::WouldBlock) => bail!(
            "{}: the study is being run by another dwmtj process (a local run or Slurm tasks hold {}); wait for it, or see `dwmtj sweep status {}`",
            dir.display(),
            p.display(),
            dir.display()
        ),
        Err(std::fs::TryLockError::Error(e)) => Err(e).with_context(|| format!("cannot lock {}", p.display())),
    }
}

/// Put the replaced study back: the new one (dwmtj's, incomplete) goes.
fn restore(out: &Path, old: &Path) {
    if old.exists() {
        let _ = std::fs::remove_dir_all(out);
        let _ = std::fs::rename(old, out);
    }
}

fn jobs_or_default(jobs: Option<usize>, flag: &str) -> Result<usize> {
    match jobs {
        Some(j) if (1..=4096).contains(&j) => Ok(j),
        Some(j) => bail!("{flag} {j}: expected 1 to 4096 points at once"),
        None => Ok(std::thread::available_parallelism().map_or(1, |n| n.get())),
    }
}

/// Create the study's folder, or continue the one there. Returns the folder and a replaced
/// earlier folder (moved aside; removed once the new study is complete).
fn open(out: &Path, force: bool, study: &Study, inputs: &[&Path]) -> Result<(Folder, Option<PathBuf>)> {
    let folder = Folder::new(out, study.points);
    if let Ok(old) = Study::read(out) {
        if old.same_inputs(study) && !force {
            // Continue: the --force rules still say whether the folder may be written.
            check_target(out, true, OutKind::Folder, inputs)?;
            return Ok((folder, None));
        }
        if !force {
            bail!(
                "--out {}: holds another sweep ({}), or its sweep or base file changed since; pass --force to start over, or choose another --out",
                out.display(),
                old.sweep_file
            );
        }
    }
    check_target(out, force, OutKind::Folder, inputs)?;
    let mut aside = None;
    if std::fs::read_dir(out).map(|mut d| d.next().is_some()).unwrap_or(false) {
        let abs = std::path::absolute(out)?;
        let name = abs.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let old = abs.with_file_name(format!(".{name}.old-{}", crate::output::owner()));
        std::fs::rename(out, &old).with_context(|| format!("cannot move {} aside", out.display()))?;
        aside = Some(old);
    }
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    write_own_file(&out.join("study.json"), (serde_json::to_string_pretty(study)? + "\n").as_bytes())?;
    write_manifest(out, study)?;
    Ok((folder, aside))
}

fn write_manifest(dir: &Path, study: &Study) -> Result<()> {
    let mut m = Manifest::new(None);
    let mut files: Vec<String> = std::fs::read_dir(dir)?
        .flatten()
        .map(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            if e.path().is_dir() {
                format!("{n}/")
            } else {
                n
            }
        })
        .filter(|n| !n.starts_with('.'))
        .collect();
    if !files.iter().any(|f| f == "manifest.json") {
        files.push("manifest.json".into());
    }
    files.sort();
    m.files = files;
    let mut v = serde_json::to_value(&m)?;
    v["sweep"] = serde_json::json!({"name": study.name, "kind": study.kind, "points": study.points});
    write_own_file(&dir.join("manifest.json"), (serde_json::to_string_pretty(&v)? + "\n").as_bytes())
}

/// Run points `todo` of the study into `folder` on `jobs` threads; returns the failures.
fn run_points(sweep: &Sweep, folder: &Folder, todo: &[usize], jobs: usize, inputs: &[&Path]) -> Result<Vec<(usize, String)>> {
    use rayon::prelude::*;
    let pool = rayon::ThreadPoolBuilder::new().num_threads(jobs).build()?;
    // Temporaries of dead processes, once for the folder (not once per point).
    crate::output::remove_stale_partials(&folder.dir.join("points"));
    let pb = crate::progress::bar(todo.len() as u64, &format!("sweep {}", sweep.name), "points");
    let failures = Mutex::new(Vec::new());
    let one = |k: usize| -> Result<()> {
        let (outcome, _) = dwmtj_sweep::run_point(sweep, k, &|| {})?;
        let run = RunDir::create_many(&folder.point_dir(k), inputs)?;
        write_outcome(&run, &outcome)?;
        run.finish()?;
        Ok(())
    };
    pool.install(|| {
        todo.par_iter().for_each(|&k| {
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| one(k)));
            let error = match result {
                Ok(Ok(())) => None,
                Ok(Err(e)) => Some(format!("{e:#}")),
                Err(p) => Some(format!(
                    "internal error (a bug; please report it): {}",
                    p.downcast_ref::<String>()
                        .map(String::as_str)
                        .or_else(|| p.downcast_ref::<&str>().copied())
                        .unwrap_or("panic")
                )),
            };
            let f = folder.failed_file(k);
            match error {
                None => {
                    let _ = std::fs::remove_file(&f);
                }
                Some(e) => {
                    let _ = write_own_file(&f, format!("{e}\n").as_bytes());
                    failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push((k, e));
                }
            }
            pb.inc(1);
        });
    });
    pb.finish_and_clear();
    let mut f = failures.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    f.sort_by_key(|x| x.0);
    Ok(f)
}

/// The counts and files of a study, as printed by --json.
fn report(dir: &Path, sweep: &Sweep, states: &[PointState], plots: &[String]) -> serde_json::Value {
    let failed: Vec<serde_json::Value> = states
        .iter()
        .enumerate()
        .filter_map(|(k, s)| match s {
            PointState::Failed(e) => Some(serde_json::json!({"point": k, "error": e})),
            _ => None,
        })
        .collect();
    serde_json::json!({
        "name": sweep.name,
        "kind": sweep.kind,
        "out": dir.display().to_string(),
        "points": states.len(),
        "done": count(states, "done"),
        "failed": count(states, "failed"),
        "pending": count(states, "pending"),
        "failed_points": failed,
        "table": dir.join("sweep.csv").display().to_string(),
        "plots": plots,
    })
}

/// Aggregate the folder's points into the table and plots; returns the states and the plots.
fn collect(folder: &Folder, sweep: &Sweep, study: &Study) -> Result<(Vec<PointState>, Vec<String>)> {
    let states = folder.states(sweep.points.len());
    let t = table(sweep, &states);
    let inputs = study.inputs();
    let inputs: Vec<&Path> = inputs.iter().map(PathBuf::as_path).collect();
    let plots = write_tables(&folder.dir, sweep, &t, &inputs)?;
    write_manifest(&folder.dir, study)?;
    Ok((states, plots))
}

fn print_counts(dir: &Path, states: &[PointState], sweep: &Sweep) {
    let (done, failed, pending) = (count(states, "done"), count(states, "failed"), count(states, "pending"));
    println!(
        "{}: {} points ({}), {done} done, {failed} failed, {pending} pending",
        sweep.name,
        states.len(),
        sweep.kind.name()
    );
    for (k, s) in states.iter().enumerate().filter(|(_, s)| s.status() == "failed").take(10) {
        if let PointState::Failed(e) = s {
            println!("  point {k} ({}) failed: {e}", describe(sweep, k));
        }
    }
    if failed > 10 {
        println!("  ... {} more failed points (sweep.csv has every error)", failed - 10);
    }
    println!("  table: {}", dir.join("sweep.csv").display());
}

pub fn run(a: &Args) -> Result<ExitCode> {
    match &a.action {
        Some(Action::Status { dir, json }) => return status(dir, *json),
        Some(Action::Collect { dir, json }) => return collect_cmd(dir, *json),
        Some(Action::Task {
            dir,
            task,
            jobs,
            chunk,
            retry_failed,
        }) => return task_cmd(dir, *task, *jobs, *chunk, *retry_failed),
        None => {}
    }
    let (Some(path), Some(out)) = (&a.sweep, &a.out) else {
        bail!("give a sweep file and --out (or a subcommand: status, collect, task)");
    };
    let s = &a.slurm;
    let jobs = jobs_or_default(a.jobs, "--jobs")?;
    let chunk = match s.chunk {
        Some(c) if c >= 1 => c,
        Some(c) => bail!("--chunk {c}: expected at least 1 point per array task"),
        None => 1,
    };
    let (sweep, sweep_text) = load(path)?;
    let study = Study::of(path, &sweep, sweep_text, chunk)?;
    let inputs = study.inputs();
    let inputs: Vec<&Path> = inputs.iter().map(PathBuf::as_path).collect();
    if s.slurm {
        crate::slurm::check_options(s, out, sweep.points.len(), chunk)?;
        crate::slurm::check_not_queued(out)?;
    }
    if Study::read(out).is_ok() {
        // Refused before anything moves when another process runs this folder's study.
        drop(lock(out, false)?);
    }
    let (folder, aside) = open(out, a.force, &study, &inputs)?;
    let run_lock = match lock(out, false) {
        Ok(l) => l,
        Err(e) => {
            if let Some(old) = &aside {
                restore(out, old);
            }
            return Err(e);
        }
    };
    let states = folder.states(sweep.points.len());
    let todo: Vec<usize> = states
        .iter()
        .enumerate()
        .filter(|(_, st)| matches!(st, PointState::Pending) || (a.retry_failed && matches!(st, PointState::Failed(_))))
        .map(|(k, _)| k)
        .collect();
    if s.slurm {
        let failed = count(&states, "failed");
        drop(run_lock);
        let code = match crate::slurm::submit(s, &folder.dir, &sweep, todo.len(), failed, chunk, a.retry_failed) {
            Ok(code) => code,
            Err(e) => {
                if let Some(old) = &aside {
                    restore(out, old);
                }
                return Err(e);
            }
        };
        // The new study is set up (submitted, or written by --dry-run): the old one goes.
        if let Some(old) = aside {
            std::fs::remove_dir_all(&old).with_context(|| format!("cannot remove the replaced {}", old.display()))?;
        }
        return Ok(code);
    }
    match &aside {
        // Interrupted, a replacing run puts the earlier study back.
        Some(old) => crate::interrupt::restore_on_interrupt(out, old),
        None => crate::interrupt::note(format!(
            "the points completed so far are kept in {}; run the same command again to continue",
            out.display()
        )),
    }
    let result = run_points(&sweep, &folder, &todo, jobs, &inputs).and_then(|f| Ok((f, collect(&folder, &sweep, &study)?)));
    let (failures, (states, plots)) = match result {
        Ok(r) => r,
        Err(e) => {
            if let Some(old) = &aside {
                restore(out, old);
            }
            return Err(e);
        }
    };
    drop(run_lock);
    if let Some(old) = aside {
        std::fs::remove_dir_all(&old).with_context(|| format!("cannot remove the replaced {}", old.display()))?;
    }
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report(out, &sweep, &states, &plots))?);
    } else {
        print_counts(out, &states, &sweep);
        if !plots.is_empty() {
            println!("  plots: {} in {}", plots.len(), out.join("plots").display());
        }
    }
    let failed = count(&states, "failed");
    if failed > 0 {
        eprintln!(
            "error: {failed} of {} points failed ({} in this run); their errors are in sweep.csv; rerun with --retry-failed",
            states.len(),
            failures.len()
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// Read a sweep folder: its study (applying its plausibility setting) and the sweep.
fn reopen(dir: &Path) -> Result<(Study, Sweep, Folder)> {
    if !is_dwmtj_folder(dir) {
        bail!("{}: not a dwmtj sweep folder (no dwmtj manifest.json)", dir.display());
    }
    let study = Study::read(dir)?;
    if study.allow_implausible {
        dwmtj_core::plausible::set_enforced(false);
    }
    let sweep = study.sweep()?;
    let folder = Folder::new(dir, sweep.points.len());
    Ok((study, sweep, folder))
}

fn status(dir: &Path, json: bool) -> Result<ExitCode> {
    let (_, sweep, folder) = reopen(dir)?;
    let states = folder.states(sweep.points.len());
    let jobs = std::fs::read_to_string(dir.join("slurm").join("jobs.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok());
    if json {
        let mut v = report(dir, &sweep, &states, &[]);
        v["slurm"] = jobs.unwrap_or(serde_json::Value::Null);
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        print_counts(dir, &states, &sweep);
        if let Some(j) = jobs {
            println!(
                "  slurm: array job {} ({} tasks), collect job {}",
                j["array"], j["tasks"], j["collect"]
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn collect_cmd(dir: &Path, json: bool) -> Result<ExitCode> {
    let (study, sweep, folder) = reopen(dir)?;
    let (states, plots) = collect(&folder, &sweep, &study)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report(dir, &sweep, &states, &plots))?);
    } else {
        print_counts(dir, &states, &sweep);
    }
    let (failed, pending) = (count(&states, "failed"), count(&states, "pending"));
    if failed + pending > 0 {
        eprintln!("error: the study is incomplete: {failed} failed and {pending} pending points");
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

fn task_cmd(dir: &Path, task: Option<usize>, jobs: Option<usize>, chunk: Option<usize>, retry_failed: bool) -> Result<ExitCode> {
    let (study, sweep, folder) = reopen(dir)?;
    let _lock = lock(dir, true)?;
    let task = match task {
        Some(t) => t,
        None => std::env::var("SLURM_ARRAY_TASK_ID")
            .ok()
            .and_then(|v| v.parse().ok())
            .context("--task: not given and $SLURM_ARRAY_TASK_ID is not set")?,
    };
    let jobs = match jobs {
        Some(j) => jobs_or_default(Some(j), "--jobs")?,
        None => match std::env::var("SLURM_CPUS_PER_TASK").ok().and_then(|v| v.parse().ok()) {
            Some(j) => jobs_or_default(Some(j), "$SLURM_CPUS_PER_TASK")?,
            None => 1,
        },
    };
    let chunk = match chunk {
        Some(c) if c >= 1 => c,
        Some(c) => bail!("--chunk {c}: expected at least 1 point per task"),
        None => study.chunk,
    };
    let n = sweep.points.len();
    let tasks = n.div_ceil(chunk);
    if task >= tasks {
        bail!("--task {task}: the study has {tasks} tasks of {chunk} points (0 to {})", tasks - 1);
    }
    let range = task * chunk..((task + 1) * chunk).min(n);
    let todo: Vec<usize> = range
        .filter(|&k| match folder.state(k) {
            PointState::Done(_) => false,
            PointState::Failed(_) => retry_failed,
            PointState::Pending => true,
        })
        .collect();
    let inputs = study.inputs();
    let inputs: Vec<&Path> = inputs.iter().map(PathBuf::as_path).collect();
    let failures = run_points(&sweep, &folder, &todo, jobs, &inputs)?;
    println!("task {task}: {} points run, {} failed", todo.len(), failures.len());
    for (k, e) in &failures {
        eprintln!("point {k} ({}) failed: {e}", describe(&sweep, *k));
    }
    Ok(if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
