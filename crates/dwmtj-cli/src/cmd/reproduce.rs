//! `dwmtj reproduce`: the paper's figures and numbers from built-in device files, with checks.

use crate::output::{Manifest, RunDir};
use crate::write::{figures, transfer::write_transfer};
use anyhow::Result;
use dwmtj_core::paper::{self, Check, Figure};
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;

/// What to reproduce.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// Fig. 3f: the linear multilevel synapse (threshold model).
    Fig3f,
    /// Fig. 4c: the 9-MTJ sigmoid activation (threshold model).
    Fig4c,
    /// Fig. 3b: one MTJ's switching current against bias field (1D model).
    Fig3b,
    /// Fig. 5b: the analog Pt/CoTb sigmoid (1D model, Monte Carlo).
    Fig5b,
    /// The prototype's pulse energies and the scaled-device projection.
    Energy,
    /// Everything above.
    All,
}

impl Target {
    fn name(self) -> &'static str {
        match self {
            Self::Fig3f => "fig3f",
            Self::Fig4c => "fig4c",
            Self::Fig3b => "fig3b",
            Self::Fig5b => "fig5b",
            Self::Energy => "energy",
            Self::All => "all",
        }
    }

    fn includes(self, part: Self) -> bool {
        self == part || self == Self::All
    }
}

/// Reproduce the device paper's figures and numbers on built-in device files, with checks
/// against the paper. Exits non-zero if any check fails.
///
/// Example: dwmtj reproduce all --out out --json
#[derive(clap::Args, Debug)]
pub struct Args {
    /// What to reproduce.
    #[arg(value_enum)]
    pub target: Target,
    /// Output folder (created; refused if it exists and is not empty, unless --force).
    #[arg(long)]
    pub out: PathBuf,
    /// Replace an earlier dwmtj run folder at --out (only one with a dwmtj manifest.json; never
    /// the current folder, an ancestor, $HOME or a folder holding an input).
    #[arg(long)]
    pub force: bool,
    /// Print {"checks": [...]} as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

fn figure_extra(fig: &Figure) -> serde_json::Value {
    json!({ "checks": fig.checks, "line_fits": fig.line_fits, "sigmoid_fit": fig.sigmoid_fit, "overlays": fig.overlays })
}

pub fn run(a: &Args) -> Result<ExitCode> {
    let target = a.target;
    let run = RunDir::create(&a.out, a.force, &[])?;
    let mut checks: Vec<Check> = Vec::new();
    let mut figures = Vec::new();
    for (part, cycles) in [(Target::Fig3f, 10), (Target::Fig4c, 75)] {
        // `energy` needs both devices simulated for their switching energies.
        if !target.includes(part) && target != Target::Energy {
            continue;
        }
        let id = part.name();
        let pb = crate::progress::bar(cycles, id, "runs");
        let fig = match part {
            Target::Fig3f => paper::fig3f(&|n| pb.set_position(n))?,
            _ => paper::fig4c(&|n| pb.set_position(n))?,
        };
        pb.finish_and_clear();
        if target.includes(part) {
            write_transfer(
                &run,
                id,
                &fig.device,
                &fig.program,
                &fig.simulation,
                &fig.overlays,
                Some(figure_extra(&fig)),
            )?;
            run.write_text(&format!("{id}/device.toml"), paper::builtin_config(id).unwrap_or_default())?;
            checks.extend(fig.checks.iter().cloned());
        }
        figures.push(fig);
    }
    if target.includes(Target::Fig3b) {
        let fig = paper::fig3b()?;
        figures::write_fig3b(&run, &fig)?;
        checks.extend(fig.checks.iter().cloned());
    }
    if target.includes(Target::Fig5b) {
        let pb = crate::progress::bar(13, "fig5b", "runs");
        let fig = paper::fig5b(16, &|n| pb.set_position(n))?;
        pb.finish_and_clear();
        figures::write_fig5b(&run, &fig)?;
        checks.extend(fig.checks.iter().cloned());
    }
    if target.includes(Target::Energy) {
        let refs: Vec<&Figure> = figures.iter().collect();
        let report = paper::energy(&refs);
        figures::write_energy(&run, &report, &refs)?;
        checks.extend(report.checks.iter().cloned());
    }
    let all_pass = checks.iter().all(|c| c.pass);
    let name = target.name();
    run.write_json("summary.json", &json!({ "target": name, "all_pass": all_pass, "checks": checks }))?;
    Manifest::new(None).write(&run, "")?;
    let dir = run.finish()?;
    if a.json {
        let v = json!({ "target": name, "out": dir, "all_pass": all_pass, "checks": checks });
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        for c in &checks {
            let verdict = if c.pass { "pass" } else { "FAIL" };
            println!("[{verdict}] {}\n       paper: {}\n       ours:  {}", c.name, c.paper, c.ours);
        }
        let passed = checks.iter().filter(|c| c.pass).count();
        println!("{passed} of {} checks pass; wrote {}", checks.len(), dir.display());
    }
    Ok(if all_pass { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
