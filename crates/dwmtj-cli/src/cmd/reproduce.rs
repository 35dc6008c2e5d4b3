//! `dwmtj reproduce`: the paper's figures and numbers from built-in device files, with checks.

use crate::output::{Manifest, RunDir};
use crate::write::{figures, transfer::write_transfer};
use anyhow::Result;
use dwmtj_design::paper::{self, Figure, Part};
use indicatif::ProgressBar;
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;

/// What to reproduce (the library's [`Part`]).
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
    /// Fig. 1e: one MTJ's magnetoresistance loop in a swept field (offset by the stray field).
    Fig1e,
    /// Fig. 2c-d: anomalous-Hall loops under the MTJ and of the bare wire.
    Fig2cd,
    /// The 9-MTJ devices' field staircases: fabrication spread, asymmetry, Sharrock, SAF reversal.
    FieldSteps,
    /// The Discussion's scaled device: power, energies, MgO thickness, retention vs 10 years.
    Scaling,
    /// Every figure above.
    All,
    /// Not a figure of the paper: the threshold, 1D and micromagnetic models side by side on
    /// one 3-MTJ device (velocity, depinning thresholds, transfer curve; about 40 s on 2 cores).
    Consistency,
}

impl From<Target> for Part {
    fn from(t: Target) -> Self {
        match t {
            Target::Fig3f => Part::Fig3f,
            Target::Fig4c => Part::Fig4c,
            Target::Fig3b => Part::Fig3b,
            Target::Fig5b => Part::Fig5b,
            Target::Energy => Part::Energy,
            Target::Fig1e => Part::Fig1e,
            Target::Fig2cd => Part::Fig2cd,
            Target::FieldSteps => Part::FieldSteps,
            Target::Scaling => Part::Scaling,
            Target::All => Part::All,
            Target::Consistency => Part::Consistency,
        }
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
    let target = Part::from(a.target);
    let run = RunDir::create(&a.out, a.force, &[])?;
    let bar: Mutex<Option<(String, ProgressBar)>> = Mutex::new(None);
    let r = paper::reproduce(target, &|stage, done, total| {
        let mut bar = bar.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if bar.as_ref().is_none_or(|(s, _)| s != stage) {
            if let Some((_, pb)) = bar.take() {
                pb.finish_and_clear();
            }
            *bar = Some((stage.to_string(), crate::progress::bar(total, stage, "runs")));
        }
        if let Some((_, pb)) = bar.as_ref() {
            pb.set_position(done);
        }
    })?;
    if let Some((_, pb)) = bar.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner) {
        pb.finish_and_clear();
    }
    for fig in &r.transfer {
        let id = fig.id.as_str();
        write_transfer(
            &run,
            id,
            &fig.device,
            &fig.program,
            &fig.simulation,
            &fig.overlays,
            Some(figure_extra(fig)),
        )?;
        run.write_text(&format!("{id}/device.toml"), paper::builtin_config(id).unwrap_or_default())?;
    }
    if let Some(fig) = &r.fig3b {
        figures::write_fig3b(&run, fig)?;
    }
    if let Some(fig) = &r.fig5b {
        figures::write_fig5b(&run, fig)?;
    }
    if let Some(report) = &r.energy {
        let refs: Vec<&Figure> = r.simulated.iter().collect();
        figures::write_energy(&run, report, &refs)?;
    }
    for fig in &r.field {
        crate::write::field::write_field_figure(&run, fig)?;
    }
    if let Some(fig) = &r.scaling {
        figures::write_scaling(&run, fig)?;
    }
    if let Some(c) = &r.consistency {
        crate::write::consistency::write_consistency(&run, c)?;
    }
    let (checks, all_pass, name) = (&r.checks, r.all_pass(), target.name());
    run.write_json("summary.json", &json!({ "target": name, "all_pass": all_pass, "checks": checks }))?;
    Manifest::new(None).write(&run, "")?;
    let dir = run.finish()?;
    if a.json {
        let v = json!({ "target": name, "out": dir, "all_pass": all_pass, "checks": checks });
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        for c in checks {
            let verdict = if c.pass { "pass" } else { "FAIL" };
            println!("[{verdict}] {}\n       paper: {}\n       ours:  {}", c.name, c.paper, c.ours);
        }
        let passed = checks.iter().filter(|c| c.pass).count();
        println!("{passed} of {} checks pass; wrote {}", checks.len(), dir.display());
    }
    Ok(if all_pass { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
