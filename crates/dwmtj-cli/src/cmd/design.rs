//! `dwmtj design`: inverse design with verification (a shell over `dwmtj_design::run`).

use crate::output::{check_target, Manifest, OutKind, RunDir};
use anyhow::{Context, Result};
use dwmtj_core::RawQuantity;
use dwmtj_design::config::RawDesignRun;
use dwmtj_design::run;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Which model a discrete design is solved against.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Model {
    /// One switching density J_th for every MTJ (docs/physics.md 7.1).
    Threshold,
    /// Each MTJ's wall crossing its footprint in the 1D model at the pulse, with the pinning
    /// and the taper back-force (7.5); the device file uses that model.
    Dynamic,
    /// Dynamic where the material and rules allow it, else threshold (the summary says why).
    Auto,
}

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
    /// Discrete designs: solve against the threshold model, the dynamic 1D model at --pulse
    /// (walls must cross each footprint in time; infeasible designs say the shortest pulse or the
    /// DMI that would work), or auto (default: dynamic where feasible).
    #[arg(long, value_enum)]
    pub model: Option<Model>,
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
    /// Retarget a fabricated device file instead of designing a new one: choose which MTJs to
    /// preset to AP before the input, and the bias field, so that it best follows --function or
    /// --table on --current-range (docs/physics.md 7.4).
    #[arg(long, conflicts_with_all = ["target_file", "mtjs", "analog", "length", "magnetic_width", "material", "j_th", "breakdown", "monte_carlo", "verify_dynamic", "model"])]
    pub retarget: Option<PathBuf>,
    /// With --retarget: the bias fields searched, "MIN..MAX" (default: the file's bias +- 200 Oe).
    #[arg(long, allow_hyphen_values = true, requires = "retarget")]
    pub bias_range: Option<String>,
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
    d.model = a.model.map(|k| format!("{k:?}").to_lowercase()).or(d.model.take());
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
    if let Some(device) = &a.retarget {
        return run_retarget(a, device);
    }
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

fn current(flag: &str, text: &str) -> Result<f64> {
    Ok(RawQuantity::Text(text.trim().to_string()).to_si(dwmtj_core::units::Dim::CURRENT, flag)?)
}

/// `--retarget DEVICE.toml`: presets and bias for a new target on a fabricated device.
fn run_retarget(a: &Args, device_path: &Path) -> Result<ExitCode> {
    use dwmtj_design::retarget::{retarget, RetargetOptions};
    use dwmtj_design::target::Target;
    let inputs: Vec<&Path> = std::iter::once(device_path).chain(a.table.as_deref()).collect();
    check_target(&a.out, a.force, OutKind::Folder, &inputs)?;
    let (raw_device, device, program) = dwmtj_core::config::load_device(device_path)?;
    let pulse = match (&a.pulse, &program) {
        (Some(p), _) => {
            dwmtj_core::device::PulseShape::rectangular(RawQuantity::Text(p.clone()).to_si(dwmtj_core::units::Dim::TIME, "--pulse")?)
        }
        (None, Some(p)) => p.pulse,
        (None, None) => anyhow::bail!(
            "--retarget {}: the file has no [program]; give the input pulse with --pulse",
            device_path.display()
        ),
    };
    let range = a
        .current_range
        .as_deref()
        .context("--retarget needs --current-range MIN..MAX (the input currents)")?;
    let (lo, hi) = range
        .split_once("..")
        .with_context(|| format!("--current-range {range:?}: expected MIN..MAX"))?;
    let (i_min, i_max) = (current("--current-range", lo)?, current("--current-range", hi)?);
    let target = match (&a.function, &a.table) {
        (_, Some(table)) => Target::read_csv(table)?,
        (Some(f), None) => Target::named(
            f,
            i_min,
            i_max,
            a.center.as_deref().map(|c| current("--center", c)).transpose()?,
            a.scale.as_deref().map(|c| current("--scale", c)).transpose()?,
        )?,
        (None, None) => anyhow::bail!("--retarget needs --function or --table"),
    };
    let oe = 1e3 / (4.0 * std::f64::consts::PI);
    let (bias_min, bias_max) = match &a.bias_range {
        Some(r) => {
            let (lo, hi) = r
                .split_once("..")
                .with_context(|| format!("--bias-range {r:?}: expected MIN..MAX"))?;
            let f = |s: &str| RawQuantity::Text(s.trim().to_string()).to_si(dwmtj_core::units::Dim::FIELD, "--bias-range");
            (f(lo)?, f(hi)?)
        }
        None => (device.bias_field - 200.0 * oe, device.bias_field + 200.0 * oe),
    };
    if bias_max < bias_min {
        anyhow::bail!("--bias-range: MIN {:.1} Oe > MAX {:.1} Oe", bias_min / oe, bias_max / oe);
    }
    let opts = RetargetOptions {
        bias_min,
        bias_max,
        bias_points: 41,
        samples: 201,
    };
    let r = retarget(&device, &pulse, &target, &opts)?;
    // The retargeted device file: the same device with the presets and the bias; simulated
    // with its program (thermal noise, variation) to verify the choice.
    let mut raw = raw_device.clone();
    if raw.switching.at_bias.is_none() && raw.switching.model == "calibrated" {
        // Keep the calibration at the bias it was measured at.
        raw.switching.at_bias = Some(RawQuantity::Text(format!("{} Oe", device.bias_field / oe)));
    }
    raw.bias.hz = Some(RawQuantity::Text(format!("{} Oe", r.bias_field_a_per_m / oe)));
    let verified = match raw.program.as_mut() {
        Some(p) if p.kind != "field-sweep" => {
            p.preset_ap = Some(r.presets.iter().map(|&m| m as u32).collect());
            let (d, prog) = raw.validate(device_path.parent())?;
            let prog = prog.context("the retargeted file has a [program]")?;
            let sim = dwmtj_core::simulate::simulate(&d, &prog, &|_| {})?;
            let (g_p, g_ap) = (1.0 / sim.r_all_p_ohm, 1.0 / sim.r_all_ap_ohm);
            let label = &prog.sweeps[0].label;
            let pts: Vec<(f64, f64, f64)> = sim
                .sweep_points(label)
                .filter(|p| (target.i_min..=target.i_max).contains(&p.current_a.abs()))
                .map(|p| (p.current_a.abs(), (g_p - p.g_mean_s) / (g_p - g_ap), target.eval(p.current_a.abs())))
                .collect();
            let rms = (pts.iter().map(|(_, y, t)| (y - t).powi(2)).sum::<f64>() / pts.len().max(1) as f64).sqrt();
            Some((rms, sim.runs, pts))
        }
        _ => None,
    };
    let run = RunDir::create(&a.out, a.force, &inputs)?;
    run.write_text(
        "retargeted.toml",
        &format!(
            "# {} retargeted by `dwmtj design --retarget`: MTJs {:?} preset to AP before each input, bias {:.1} Oe.\n{}",
            device.name,
            r.presets,
            r.bias_field_a_per_m / oe,
            toml::to_string(&raw)?
        ),
    )?;
    let rows = r.curve.iter().map(|&(i, t, y, f)| [i, t, y, f]);
    run.write_csv(
        "retarget.csv",
        crate::output::Csv::numbers(&["current_a", "target", "retargeted", "as_fabricated"], rows)?,
    )?;
    let line = |label: String, k: usize, mark| crate::plot::Series {
        label,
        points: r.curve.iter().map(|c| (c.0 * 1e6, [c.1, c.2, c.3][k], 0.0)).collect(),
        mark,
    };
    let mut series = vec![
        line("target".into(), 0, crate::plot::Mark::Dashed),
        line(format!("retargeted (RMS {:.1} %)", r.rms_error * 100.0), 1, crate::plot::Mark::Line),
        line(
            format!("as fabricated (RMS {:.1} %)", r.as_fabricated_rms_error * 100.0),
            2,
            crate::plot::Mark::Line,
        ),
    ];
    if let Some((rms, runs, pts)) = &verified {
        series.push(crate::plot::Series {
            label: format!("retargeted, simulated mean of {runs} runs (RMS {:.1} %)", rms * 100.0),
            points: pts.iter().map(|&(i, y, _)| (i * 1e6, y, 0.0)).collect(),
            mark: crate::plot::Mark::PointsWithErrors,
        });
    }
    crate::plot::write_chart(
        &run,
        "retarget",
        &crate::plot::Chart {
            title: format!(
                "{} retargeted: presets {:?}, bias {:.0} Oe",
                device.name,
                r.presets,
                r.bias_field_a_per_m / oe
            ),
            x_label: "input current (uA)".into(),
            y_label: "output, fraction of the conductance swing".into(),
            series: vec![
                line("target".into(), 0, crate::plot::Mark::Dashed),
                line(format!("retargeted (RMS {:.1} %)", r.rms_error * 100.0), 1, crate::plot::Mark::Line),
                line(
                    format!("as fabricated (RMS {:.1} %)", r.as_fabricated_rms_error * 100.0),
                    2,
                    crate::plot::Mark::Line,
                ),
            ],
        },
    )?;
    let summary = serde_json::json!({
        "device": device.name,
        "presets": r.presets,
        "bias_field_oe": r.bias_field_a_per_m / oe,
        "rms_error": r.rms_error,
        "max_error": r.max_error,
        "as_fabricated_rms_error": r.as_fabricated_rms_error,
        "switching_currents_a": r.switching_currents_a,
        "search": opts,
        "simulated_rms_error": verified.as_ref().map(|v| v.0),
        "simulated_runs": verified.as_ref().map(|v| v.1),
        "retargeted_file": "retargeted.toml",
    });
    run.write_json("summary.json", &summary)?;
    Manifest::new(None).write(&run, "")?;
    let dir = run.finish()?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        println!(
            "{}: preset MTJs {:?} to AP, bias {:.1} Oe: RMS {:.2} % (max {:.2} %) against {:.2} % as fabricated{}; wrote {}",
            device.name,
            r.presets,
            r.bias_field_a_per_m / oe,
            r.rms_error * 100.0,
            r.max_error * 100.0,
            r.as_fabricated_rms_error * 100.0,
            verified
                .as_ref()
                .map_or(String::new(), |v| format!("; simulated ({} runs): RMS {:.2} %", v.1, v.0 * 100.0)),
            dir.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
