//! `dwmtj design`: inverse design with verification (a shell over `dwmtj_design::run`).

use crate::output::{check_target, Manifest, OutKind, RunDir};
use anyhow::{Context, Result};
use dwmtj_core::RawQuantity;
use dwmtj_design::config::RawDesignRun;
use dwmtj_design::run;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The analog (Mode S) width design.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Analog {
    /// Threshold-limited: the wall stops where the local depinning current equals the input.
    Static,
    /// Finite pulse: the wall's travel within the pulse is designed (1D model).
    Dynamic,
}

/// Design a multi-MTJ device for a target transfer function within fabrication rules, and
/// verify it by simulating it back. Exits non-zero if the verified RMS error exceeds
/// --tolerance, unless --allow-miss.
///
/// Example: dwmtj design --function sigmoid --current-range "150 uA..600 uA" --mtjs 9 --out runs/sig --json
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Target file (TOML: `[target]`, `[design]`, `[rules]`, `[verify]`; see configs/targets/).
    /// Flags given on the command line override the file's values.
    pub target_file: Option<PathBuf>,
    /// Named target: linear, sigmoid, tanh, softplus (relu), step, gaussian-cdf.
    #[arg(long, allow_hyphen_values = true, conflicts_with = "table")]
    pub function: Option<String>,
    /// CSV target with columns current_a,output (output between 0 and 1, current increasing).
    #[arg(long)]
    pub table: Option<PathBuf>,
    /// Input current range "MIN..MAX" with units, for --function.
    #[arg(long, allow_hyphen_values = true)]
    pub current_range: Option<String>,
    /// Centre of sigmoid/tanh/softplus/step/gaussian-cdf (default: mid-range).
    #[arg(long, allow_hyphen_values = true)]
    pub center: Option<String>,
    /// Scale of the function (default: 1/8 of the range).
    #[arg(long, allow_hyphen_values = true)]
    pub scale: Option<String>,
    /// Number of MTJs (default 9).
    #[arg(long, allow_hyphen_values = true)]
    pub mtjs: Option<usize>,
    /// Design an analog single-wall device instead (Mode S): static (threshold-limited,
    /// docs/physics.md 7.1) or dynamic (finite pulse, 7.2) heavy-metal width profile.
    #[arg(long, value_enum)]
    pub analog: Option<Analog>,
    /// Analog: track length (default 10 um).
    #[arg(long, allow_hyphen_values = true)]
    pub length: Option<String>,
    /// Analog: width of the magnetic wire, constant (default 0.8 um).
    #[arg(long, allow_hyphen_values = true)]
    pub magnetic_width: Option<String>,
    /// Material: a built-in name or a material file (default ta-cofeb-mgo, pt-cotb for
    /// --analog).
    #[arg(long, allow_hyphen_values = true)]
    pub material: Option<String>,
    /// Design switching threshold in the heavy metal (default the paper's 0.7e11 A/m^2).
    #[arg(long, allow_hyphen_values = true)]
    pub j_th: Option<String>,
    /// Write pulse width (default 8 ns; analog: 300 ns dynamic, 2 us static verification).
    #[arg(long, allow_hyphen_values = true)]
    pub pulse: Option<String>,
    /// Breakdown current density at the narrowest point (default 3e11 A/m^2).
    #[arg(long, allow_hyphen_values = true)]
    pub breakdown: Option<String>,
    /// Largest allowed RMS error (fraction of full scale) of the verified design (default 0.05).
    #[arg(long, allow_hyphen_values = true)]
    pub tolerance: Option<f64>,
    /// Also verify N device instances with threshold variation (Monte Carlo): per-device RMS
    /// error and the yield within --tolerance.
    #[arg(long, allow_hyphen_values = true)]
    pub monte_carlo: Option<usize>,
    /// Device-to-device threshold spread for --monte-carlo (default 3 %).
    #[arg(long, allow_hyphen_values = true)]
    pub d2d: Option<String>,
    /// Cycle-to-cycle threshold spread for --monte-carlo (default 1 %).
    #[arg(long, allow_hyphen_values = true)]
    pub c2c: Option<String>,
    /// Also verify with the dynamic 1D model (every MTJ's wall during the pulse, pinning
    /// calibrated to the first MTJ's designed threshold); reported, and then part of the pass.
    #[arg(long)]
    pub verify_dynamic: bool,
    /// Write the outputs and exit 0 even if the design misses the tolerance.
    #[arg(long)]
    pub allow_miss: bool,
    /// Output folder (created; refused if it exists and is not empty, unless --force).
    #[arg(long)]
    pub out: PathBuf,
    /// Replace an earlier dwmtj run folder at --out (only one with a dwmtj manifest.json; never
    /// the current folder, an ancestor, $HOME or a folder holding an input).
    #[arg(long)]
    pub force: bool,
    /// Print the summary (errors, levels, geometry, verifications) as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// The target file (if any) with the flags applied over it.
fn raw(a: &Args) -> Result<RawDesignRun> {
    let mut r = match &a.target_file {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
            RawDesignRun::from_toml(&text, &path.display().to_string())?
        }
        None => RawDesignRun {
            version: 1,
            ..RawDesignRun::default()
        },
    };
    let q = |s: &Option<String>| s.as_deref().map(|s| RawQuantity::Text(s.to_string()));
    let set = |slot: &mut Option<RawQuantity>, flag: &Option<String>| {
        if flag.is_some() {
            *slot = q(flag);
        }
    };
    let t = &mut r.target;
    if let Some(f) = &a.function {
        (t.function, t.table) = (Some(f.clone()), None);
    }
    if let Some(p) = &a.table {
        // A table given on the command line is relative to the current folder.
        let p = std::path::absolute(p).unwrap_or_else(|_| p.clone());
        (t.table, t.function) = (Some(p.display().to_string()), None);
    }
    if let Some(range) = &a.current_range {
        let (lo, hi) = range
            .split_once("..")
            .with_context(|| format!("--current-range {range:?}: expected MIN..MAX"))?;
        t.current_range = Some([lo, hi].map(|s| RawQuantity::Text(s.trim().to_string())));
    }
    set(&mut t.center, &a.center);
    set(&mut t.scale, &a.scale);
    let d = &mut r.design;
    d.mtjs = a.mtjs.or(d.mtjs);
    // A material file given on the command line is relative to the current folder.
    let flag_material = a.material.as_ref().map(|m| match Path::new(m).is_file() {
        true => std::path::absolute(m).map_or_else(|_| m.clone(), |p| p.display().to_string()),
        false => m.clone(),
    });
    d.material = flag_material.or(d.material.take());
    d.tolerance = a.tolerance.or(d.tolerance);
    d.analog = a.analog.map(|k| format!("{k:?}").to_lowercase()).or(d.analog.take());
    set(&mut d.j_th, &a.j_th);
    set(&mut d.pulse, &a.pulse);
    set(&mut d.length, &a.length);
    set(&mut d.magnetic_width, &a.magnetic_width);
    set(&mut r.rules.breakdown_current_density, &a.breakdown);
    let v = &mut r.verify;
    v.monte_carlo = a.monte_carlo.or(v.monte_carlo);
    set(&mut v.d2d, &a.d2d);
    set(&mut v.c2c, &a.c2c);
    if a.verify_dynamic {
        v.dynamic = Some(true);
    }
    Ok(r)
}

pub fn run(a: &Args) -> Result<ExitCode> {
    let material_file = a.material.as_deref().map(Path::new).filter(|p| p.is_file());
    let inputs: Vec<&Path> = a
        .target_file
        .iter()
        .chain(&a.table)
        .map(PathBuf::as_path)
        .chain(material_file)
        .collect();
    check_target(&a.out, a.force, OutKind::Folder, &inputs)?;
    let spec = raw(a)?.validate(a.target_file.as_deref().and_then(Path::parent))?;
    let report = run::run(&spec, &|_| {})?;
    let summary = serde_json::to_value(&report.summary)?;
    let run = RunDir::create(&a.out, a.force, &inputs)?;
    crate::write::design::write_design(&run, &report)?;
    run.write_json("summary.json", &summary)?;
    Manifest::new(report.seed).write(&run, "")?;
    let dir = run.finish()?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        crate::write::design::print(&report, &dir);
    }
    let (worst, tolerance) = (report.worst_rms_error(), report.tolerance());
    if worst > tolerance && !a.allow_miss {
        eprintln!(
            "error: the design misses its tolerance: RMS {:.2} % > {:.2} % (pass --allow-miss to accept it)",
            worst * 100.0,
            tolerance * 100.0
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
