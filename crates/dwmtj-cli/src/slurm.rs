//! Slurm job arrays for `dwmtj sweep --slurm`: the array script (task K runs points
//! K*chunk .. (K+1)*chunk - 1 with `dwmtj sweep task`), the dependent collect job, and their
//! submission with `sbatch --parsable` (`$DWMTJ_SBATCH` names another sbatch).

use crate::cmd::sweep::SlurmArgs;
use crate::output::write_own_file;
use anyhow::{bail, Context, Result};
use dwmtj_sweep::spec::Sweep;
use std::path::Path;
use std::process::{Command, ExitCode};

/// Check the Slurm options (and that OUT can be named in `#SBATCH` lines) before anything is
/// written.
pub fn check_options(s: &SlurmArgs, out: &Path, points: usize, chunk: usize) -> Result<()> {
    let abs = std::path::absolute(out)?.display().to_string();
    if abs
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '%' | '"' | '\'' | '\\'))
    {
        bail!(
            "--out {}: job scripts cannot name a folder with spaces, quotes, % or control characters in its path; choose another --out",
            out.display()
        );
    }
    if let Some(t) = &s.time {
        // MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS, or UNLIMITED.
        let ok = t == "UNLIMITED"
            || (!t.is_empty()
                && t.split(['-', ':'])
                    .all(|p| !p.is_empty() && p.len() <= 4 && p.chars().all(|c| c.is_ascii_digit()))
                && t.matches('-').count() <= 1
                && t.matches(':').count() <= 2);
        if !ok {
            bail!("--time {t:?}: expected a Slurm time limit such as 30, 01:00:00 or 1-12:00:00");
        }
    }
    if let Some(p) = &s.partition {
        if p.is_empty() || !p.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ',')) {
            bail!("--partition {p:?}: expected a partition name (letters, digits, _ - . ,)");
        }
    }
    match s.cpus_per_task {
        Some(c) if !(1..=1024).contains(&c) => bail!("--cpus-per-task {c}: expected 1 to 1024"),
        _ => {}
    }
    match s.max_parallel {
        Some(k) if !(1..=1_000_000).contains(&k) => bail!("--max-parallel {k}: expected 1 to 1000000 tasks at once"),
        _ => {}
    }
    if chunk > points {
        bail!("--chunk {chunk}: the sweep has only {points} points");
    }
    let tasks = points.div_ceil(chunk);
    // Slurm's MaxArraySize defaults to 1001 (task ids 0..1000); larger arrays need a site setting.
    if tasks > 1_000_000 {
        bail!("--chunk {chunk}: {tasks} array tasks; give a larger --chunk (at most 1000000 tasks)");
    }
    Ok(())
}

/// Refuse to submit while the study's earlier array job is still queued or running (its tasks
/// would run the same points twice).
pub fn check_not_queued(out: &Path) -> Result<()> {
    let Ok(text) = std::fs::read_to_string(out.join("slurm").join("jobs.json")) else {
        return Ok(());
    };
    let Some(id) = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v["array"].as_str().map(str::to_string))
    else {
        return Ok(());
    };
    let Ok(q) = Command::new("squeue").args(["-h", "-j", &id, "-o", "%i"]).output() else {
        return Ok(());
    };
    if q.status.success() && !String::from_utf8_lossy(&q.stdout).trim().is_empty() {
        bail!(
            "--out {}: its array job {id} is still queued or running; wait for it (dwmtj sweep status {}) or cancel it (scancel {id}) before submitting again",
            out.display(),
            out.display()
        );
    }
    Ok(())
}

/// Single-quote `s` for a shell script.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The array job script and the collect job script.
fn scripts(s: &SlurmArgs, dir: &Path, sweep: &Sweep, tasks: usize, chunk: usize, retry_failed: bool, exe: &Path) -> (String, String) {
    let d = quote(&dir.display().to_string());
    let exe = quote(&exe.display().to_string());
    let implausible = if dwmtj_core::plausible::enforced() {
        ""
    } else {
        " --allow-implausible"
    };
    let name: String = sweep
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut head = format!("#!/bin/bash\n# Written by dwmtj sweep for the study in {}.\n", dir.display());
    let mut common = String::new();
    if let Some(p) = &s.partition {
        common.push_str(&format!("#SBATCH --partition={p}\n"));
    }
    let logs = dir.join("slurm").join("logs");
    let array_limit = s.max_parallel.map(|k| format!("%{k}")).unwrap_or_default();
    head.push_str(&format!(
        "# Task K runs the points K*chunk .. (K+1)*chunk - 1 that are not done yet.\n#SBATCH --job-name=dwmtj-{name}\n#SBATCH --array=0-{}{array_limit}\n#SBATCH --cpus-per-task={}\n",
        tasks - 1,
        s.cpus_per_task.unwrap_or(1)
    ));
    if let Some(t) = &s.time {
        head.push_str(&format!("#SBATCH --time={t}\n"));
    }
    head.push_str(&common);
    head.push_str(&format!("#SBATCH --output={}/task-%A_%a.out\n", logs.display()));
    let array = format!(
        "{head}set -eu\nexec {exe}{implausible} sweep task {d} --task \"$SLURM_ARRAY_TASK_ID\" --chunk {chunk}{retry} --jobs \"${{SLURM_CPUS_PER_TASK:-1}}\"\n",
        retry = if retry_failed { " --retry-failed" } else { "" }
    );
    let collect = format!(
        "#!/bin/bash\n# Written by dwmtj sweep: aggregates the study in {} after its array job.\n#SBATCH --job-name=dwmtj-{name}-collect\n#SBATCH --cpus-per-task=1\n{common}#SBATCH --output={}/collect-%j.out\nset -eu\nexec {exe}{implausible} sweep collect {d}\n",
        dir.display(),
        logs.display()
    );
    (array, collect)
}

fn sbatch(args: &[&str]) -> Result<String> {
    let program = std::env::var("DWMTJ_SBATCH").unwrap_or_else(|_| "sbatch".into());
    let out = Command::new(&program)
        .args(args)
        .output()
        .with_context(|| format!("cannot run {program} (is Slurm installed here? --dry-run writes the scripts without submitting)"))?;
    if !out.status.success() {
        bail!(
            "{program} {} failed ({}): {}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let text = String::from_utf8_lossy(&out.stdout);
    // --parsable prints "jobid" or "jobid;cluster".
    let id = text.trim().split(';').next().unwrap_or("").to_string();
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_digit()) {
        bail!("{program} printed no job id: {text:?}");
    }
    Ok(id)
}

/// Write the job scripts into DIR/slurm and submit them (or, with --dry-run, print the commands).
/// `pending`: the points to run (with `retry_failed`, the failed ones too); `failed`: the
/// failed points of the study.
pub fn submit(
    s: &SlurmArgs,
    dir: &Path,
    sweep: &Sweep,
    pending: usize,
    failed: usize,
    chunk: usize,
    retry_failed: bool,
) -> Result<ExitCode> {
    let dir = std::path::absolute(dir)?;
    let tasks = sweep.points.len().div_ceil(chunk);
    let exe = std::env::current_exe()
        .and_then(|p| p.canonicalize())
        .context("cannot find the dwmtj binary for the job script")?;
    let (array, collect) = scripts(s, &dir, sweep, tasks, chunk, retry_failed, &exe);
    let slurm = dir.join("slurm");
    std::fs::create_dir_all(slurm.join("logs")).with_context(|| format!("cannot create {}", slurm.display()))?;
    let (array_path, collect_path) = (slurm.join("array.sbatch"), slurm.join("collect.sbatch"));
    write_own_file(&array_path, array.as_bytes())?;
    write_own_file(&collect_path, collect.as_bytes())?;
    let (a, c) = (array_path.display().to_string(), collect_path.display().to_string());
    if s.dry_run {
        println!("wrote {a} and {c} ({tasks} array tasks of {chunk} points; {pending} points pending); submit with:");
        println!("  id=$(sbatch --parsable {a}) && sbatch --dependency=afterany:$id {c}");
        return Ok(ExitCode::SUCCESS);
    }
    if pending == 0 {
        if failed > 0 {
            println!("no pending points; {failed} failed: pass --retry-failed to run them again");
            return Ok(ExitCode::from(1));
        }
        println!(
            "every point is done already; not submitting (dwmtj sweep collect {} writes the table)",
            dir.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let array_id = sbatch(&["--parsable", &a])?;
    // Recorded at once, so that status (and a resubmission's check) know the array even if the
    // collect job cannot be submitted.
    let mut jobs = serde_json::json!({"array": array_id, "collect": null, "tasks": tasks, "chunk": chunk});
    write_own_file(&slurm.join("jobs.json"), (serde_json::to_string_pretty(&jobs)? + "\n").as_bytes())?;
    let collect_id = sbatch(&["--parsable", &format!("--dependency=afterany:{array_id}"), &c]).with_context(|| {
        format!(
            "the array job {array_id} is submitted; run `dwmtj sweep collect {}` when it is done",
            dir.display()
        )
    })?;
    jobs["collect"] = serde_json::json!(collect_id);
    write_own_file(&slurm.join("jobs.json"), (serde_json::to_string_pretty(&jobs)? + "\n").as_bytes())?;
    println!(
        "submitted array job {array_id} ({tasks} tasks of {chunk} points; {pending} points pending) and collect job {collect_id} after it"
    );
    println!("  follow with: dwmtj sweep status {}", dir.display());
    Ok(ExitCode::SUCCESS)
}
