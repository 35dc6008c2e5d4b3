//! `dwmtj dw`: one wall, one pulse, with the 1D model (a shell over `dwmtj_core::wall_run`).

use crate::output::{check_target, Manifest, OutKind, RunDir};
use anyhow::Result;
use dwmtj_core::wall_run::{self, RawWallRun};
use dwmtj_core::RawQuantity;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The wall's type (its topological charge Q).
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wall {
    /// Up-down, Q = +1.
    UpDown,
    /// Down-up, Q = -1.
    DownUp,
}

impl Wall {
    fn name(self) -> &'static str {
        match self {
            Self::UpDown => "up-down",
            Self::DownUp => "down-up",
        }
    }
}

/// Simulate one domain wall with the 1D (q, phi) model under a current pulse and fields.
///
/// The wall starts at rest at its equilibrium angle at q = 0. Deterministic runs use
/// adaptive Dormand-Prince RK45; with --temperature > 0 the stochastic Heun integrator runs
/// --trials independent trials (seeded; identical on any thread count). Terms a material
/// does not set are off: a material file with only ms, a_ex, k_eff, alpha, dmi, theta_sh,
/// t_fm, t_hm gives exactly equations (A), (B) of docs/physics.md 2.3 with damping-like SOT and
/// DMI. The built-in materials also set field-like SOT and STT; `--set fl_dl_ratio=0
/// --set polarization=0` turns them off. The JSON lists the active terms.
///
/// Example: dwmtj dw --material ta-cofeb-mgo --set dmi=0.3e-3 --current-density 1e11 --pulse "8 ns" --json
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Built-in material name or a material TOML file.
    #[arg(long, allow_hyphen_values = true, default_value = "ta-cofeb-mgo")]
    pub material: String,
    /// Override a material parameter (any key of `dwmtj materials NAME`), or set a wall term:
    /// pin_field + pin_period (sinusoidal pinning), pin_rms + pin_correlation (random
    /// landscape). Values take units: --set "dmi=0.3 mJ/m^2".
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Heavy-metal current density (plateau).
    #[arg(long, allow_hyphen_values = true)]
    pub current_density: String,
    /// Pulse width (full width at half maximum).
    #[arg(long, allow_hyphen_values = true)]
    pub pulse: String,
    /// Rise time (0 = rectangular pulse).
    #[arg(long, allow_hyphen_values = true, default_value = "0 s")]
    pub rise: String,
    /// Fall time (default: the rise time).
    #[arg(long, allow_hyphen_values = true)]
    pub fall: Option<String>,
    /// Perpendicular field H_z.
    #[arg(long, default_value = "0 A/m", allow_hyphen_values = true)]
    pub hz: String,
    /// Longitudinal in-plane field H_x.
    #[arg(long, default_value = "0 A/m", allow_hyphen_values = true)]
    pub hx: String,
    /// Transverse in-plane field H_y.
    #[arg(long, default_value = "0 A/m", allow_hyphen_values = true)]
    pub hy: String,
    /// Temperature (thermal noise via stochastic Heun when > 0).
    #[arg(long, allow_hyphen_values = true, default_value = "0 K")]
    pub temperature: String,
    /// Wire width (sets the wall cross-section S for noise and pinning).
    #[arg(long, allow_hyphen_values = true, default_value = "1 um")]
    pub width: String,
    /// Wall type.
    #[arg(long, value_enum, default_value_t = Wall::UpDown)]
    pub wall: Wall,
    /// Simulated time (default: the end of the pulse).
    #[arg(long, allow_hyphen_values = true)]
    pub duration: Option<String>,
    /// Add the Oersted field of the heavy-metal current.
    #[arg(long)]
    pub oersted: bool,
    /// Sweep the current density from --current-density to this value (travel against current:
    /// sweep.csv, a plot and a `sweep` array in the JSON). Deterministic sweeps run in SIMD
    /// batches; with --temperature each point is a Monte Carlo of --trials runs.
    #[arg(long, allow_hyphen_values = true, requires = "sweep_points")]
    pub sweep_to: Option<String>,
    /// Points of the sweep (at least 2), evenly spaced.
    #[arg(long, allow_hyphen_values = true)]
    pub sweep_points: Option<usize>,
    /// Monte Carlo trials (thermal runs).
    #[arg(long, allow_hyphen_values = true, default_value_t = 1)]
    pub trials: usize,
    #[arg(long, allow_hyphen_values = true, default_value_t = 0)]
    pub seed: u64,
    /// Displacement that counts as switched, for the switching probability.
    #[arg(long, allow_hyphen_values = true, default_value = "100 nm")]
    pub target: String,
    /// Time step of the stochastic integrator.
    #[arg(long, allow_hyphen_values = true, default_value = "1 ps")]
    pub dt: String,
    /// Relative tolerance of RK45.
    #[arg(long, allow_hyphen_values = true, default_value_t = 1e-8)]
    pub rtol: f64,
    /// Add the wall tilt chi as a third coordinate (Boulle et al. 2013, docs/physics.md 2.8): the
    /// wall's normal turns in the wire's plane, which slows SOT-driven walls in narrow strips with
    /// strong DMI. Deterministic runs only; trajectory.csv gains a chi_rad column.
    #[arg(long)]
    pub tilt: bool,
    /// Write trajectory.csv and plots here.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace an earlier dwmtj run folder at --out (only one with a dwmtj manifest.json; never
    /// the current folder, an ancestor, $HOME or a folder holding an input).
    #[arg(long)]
    pub force: bool,
    /// Print the JSON summary on stdout.
    #[arg(long)]
    pub json: bool,
}

/// The flags as the library's raw wall run.
fn raw(a: &Args) -> RawWallRun {
    let q = |s: &str| RawQuantity::Text(s.to_string());
    RawWallRun {
        material: a.material.clone(),
        set: a.set.clone(),
        current_density: q(&a.current_density),
        pulse: q(&a.pulse),
        rise: q(&a.rise),
        fall: a.fall.as_deref().map(q),
        hz: q(&a.hz),
        hx: q(&a.hx),
        hy: q(&a.hy),
        temperature: q(&a.temperature),
        width: q(&a.width),
        wall: a.wall.name().into(),
        duration: a.duration.as_deref().map(q),
        oersted: a.oersted,
        sweep_to: a.sweep_to.as_deref().map(q),
        sweep_points: a.sweep_points,
        trials: a.trials,
        seed: a.seed,
        target: q(&a.target),
        dt: q(&a.dt),
        rtol: a.rtol,
        tilt: a.tilt,
        ..RawWallRun::default()
    }
}

pub fn run(a: &Args) -> Result<ExitCode> {
    let material_file = Path::new(&a.material);
    let inputs: Vec<&Path> = if material_file.exists() { vec![material_file] } else { vec![] };
    if let Some(out) = &a.out {
        check_target(out, a.force, OutKind::Folder, &inputs)?;
    }
    let spec = raw(a).validate("--", None)?;
    let report = wall_run::run(&spec)?;
    let summary = serde_json::to_value(&report)?;
    if let Some(out) = &a.out {
        let run = RunDir::create(out, a.force, &inputs)?;
        crate::write::wall::write_wall(&run, &spec, &report)?;
        run.write_json("summary.json", &summary)?;
        Manifest::new(Some(spec.seed)).write(&run, "")?;
        run.finish()?;
    }
    if a.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        println!(
            "{} wall in {}: displacement {:.4} nm, final velocity {:.4} m/s, phi {:.4} rad{}",
            report.wall,
            report.material,
            report.displacement_m * 1e9,
            report.final_velocity_m_per_s,
            report.phi_rad,
            match (report.displacement_std_m, report.target_m, report.switching_probability) {
                (Some(sd), Some(target), Some(p)) => format!(
                    " (mean of {} trials; std {:.3} nm; P(>= {:.0} nm) = {:.3})",
                    report.trials,
                    sd * 1e9,
                    target * 1e9,
                    p
                ),
                _ => String::new(),
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}
