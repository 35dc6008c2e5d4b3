//! `dwmtj design`: inverse design with verification.

use crate::output::{Csv, Manifest, RunDir};
use crate::plot::{write_chart, Chart, Mark, Series};
use anyhow::{bail, Context, Result};
use dwmtj_core::material::find_builtin;
use dwmtj_core::units::Dim;
use dwmtj_design::discrete::{design, DesignSpec, FabRules};
use dwmtj_design::target::Target;
use dwmtj_design::verify::verify;
use serde_json::json;
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
    /// Target file (TOML: `[target]`, `[design]`, `[rules]`; see configs/targets/). Flags given on the
    /// command line are ignored when a file is given, except --out, --force, --json, --allow-miss.
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
    /// Number of MTJs.
    #[arg(long, allow_hyphen_values = true, default_value_t = 9)]
    pub mtjs: usize,
    /// Design an analog single-wall device instead (Mode S): static (threshold-limited,
    /// docs/physics.md 7.1) or dynamic (finite pulse, 7.2) heavy-metal width profile.
    #[arg(long, value_enum)]
    pub analog: Option<Analog>,
    /// Analog: track length.
    #[arg(long, allow_hyphen_values = true, default_value = "10 um")]
    pub length: String,
    /// Analog: width of the magnetic wire (constant).
    #[arg(long, allow_hyphen_values = true, default_value = "0.8 um")]
    pub magnetic_width: String,
    /// Material (built-in name; default ta-cofeb-mgo, pt-cotb for --analog).
    #[arg(long, allow_hyphen_values = true)]
    pub material: Option<String>,
    /// Design switching threshold in the heavy metal (the paper's 0.7e11 A/m^2).
    #[arg(long, allow_hyphen_values = true, default_value = "0.7e11 A/m^2")]
    pub j_th: String,
    /// Write pulse width (default 8 ns; analog: 300 ns dynamic, 2 us static verification).
    #[arg(long, allow_hyphen_values = true)]
    pub pulse: Option<String>,
    /// Breakdown current density at the narrowest point.
    #[arg(long, allow_hyphen_values = true, default_value = "3e11 A/m^2")]
    pub breakdown: String,
    /// Largest allowed RMS error (fraction of full scale) of the verified design.
    #[arg(long, allow_hyphen_values = true, default_value_t = 0.05)]
    pub tolerance: f64,
    /// Also verify N device instances with threshold variation (Monte Carlo): per-device RMS
    /// error and the yield within --tolerance.
    #[arg(long, allow_hyphen_values = true)]
    pub monte_carlo: Option<usize>,
    /// Device-to-device threshold spread for --monte-carlo.
    #[arg(long, allow_hyphen_values = true, default_value = "3 %")]
    pub d2d: String,
    /// Cycle-to-cycle threshold spread for --monte-carlo.
    #[arg(long, allow_hyphen_values = true, default_value = "1 %")]
    pub c2c: String,
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
    #[arg(long)]
    pub json: bool,
}

fn q(text: &str, dim: Dim, flag: &str) -> Result<f64> {
    Ok(dwmtj_core::quantity::RawQuantity::Text(text.to_string()).to_si(dim, &format!("--{flag}"))?)
}

/// A flag value that must be positive.
fn positive_flag(v: f64, flag: &str, text: &str) -> Result<f64> {
    if v > 0.0 {
        Ok(v)
    } else {
        bail!("--{flag} {text:?}: must be > 0")
    }
}

fn read_table(path: &std::path::Path) -> Result<Target> {
    if path.is_dir() {
        bail!(
            "--table {}: is a folder; expected a CSV file with columns current_a,output",
            path.display()
        );
    }
    let mut rdr = csv::Reader::from_path(path).with_context(|| format!("cannot read {}", path.display()))?;
    let headers = rdr.headers()?.clone();
    if headers.iter().collect::<Vec<_>>() != ["current_a", "output"] {
        bail!(
            "{}: expected the columns current_a,output, found {:?}",
            path.display(),
            headers.iter().collect::<Vec<_>>()
        );
    }
    let mut rows = Vec::new();
    for (k, rec) in rdr.records().enumerate() {
        let rec = rec?;
        let p = |i: usize| -> Result<f64> {
            let v: f64 = rec[i]
                .trim()
                .parse()
                .with_context(|| format!("{} row {}: {:?} is not a number", path.display(), k + 2, &rec[i]))?;
            if !v.is_finite() {
                bail!("{} row {}: {v} is not finite", path.display(), k + 2);
            }
            Ok(v)
        };
        rows.push((p(0)?, p(1)?));
    }
    Target::table(rows).with_context(|| path.display().to_string())
}

/// The files a design run reads.
fn design_inputs(a: &Args) -> Vec<&Path> {
    a.target_file.iter().chain(&a.table).map(PathBuf::as_path).collect()
}

pub fn run(a: &Args) -> Result<ExitCode> {
    crate::output::check_target(&a.out, a.force, crate::output::OutKind::Folder, &design_inputs(a))?;
    if let Some(n) = a.monte_carlo {
        if n == 0 {
            bail!("--monte-carlo must be at least 1");
        }
        // One RMS error per device instance, plus its simulation's scratch.
        dwmtj_core::resources::check_memory("--monte-carlo", n, n as f64 * 64.0)?;
    }
    if let Some(path) = &a.target_file {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        let req = dwmtj_design::config::parse_request(&text, &path.display().to_string(), path.parent(), &|p| {
            read_table(p).map_err(|e| format!("{e:#}"))
        })?;
        return run_design(a, req.spec, req.tolerance);
    }
    let target = match (&a.function, &a.table) {
        (Some(name), None) => {
            let range = a
                .current_range
                .as_deref()
                .context("--function needs --current-range \"MIN..MAX\"")?;
            let (lo, hi) = range
                .split_once("..")
                .with_context(|| format!("--current-range {range:?}: expected MIN..MAX"))?;
            let (lo, hi) = (q(lo, Dim::CURRENT, "current-range")?, q(hi, Dim::CURRENT, "current-range")?);
            let center = a.center.as_deref().map(|c| q(c, Dim::CURRENT, "center")).transpose()?;
            let scale = a.scale.as_deref().map(|c| q(c, Dim::CURRENT, "scale")).transpose()?;
            Target::named(name, lo, hi, center, scale)?
        }
        (None, Some(path)) => read_table(path)?,
        _ => bail!("give a target: --function NAME --current-range MIN..MAX, or --table FILE.csv"),
    };
    if a.tolerance.is_nan() || a.tolerance <= 0.0 {
        bail!("--tolerance must be > 0");
    }
    if let Some(kind) = a.analog {
        return run_analog(a, target, kind);
    }
    let material_name = a.material.clone().unwrap_or_else(|| "ta-cofeb-mgo".into());
    let material = find_builtin(&material_name).with_context(|| format!("--material {material_name:?}: not a built-in material"))?;
    let rules = FabRules {
        breakdown_current_density: positive_flag(q(&a.breakdown, Dim::CURRENT_DENSITY, "breakdown")?, "breakdown", &a.breakdown)?,
        ..FabRules::default()
    };
    let spec = DesignSpec {
        target: target.clone(),
        mtjs: a.mtjs,
        material,
        j_th: positive_flag(q(&a.j_th, Dim::CURRENT_DENSITY, "j-th")?, "j-th", &a.j_th)?,
        pulse_width: positive_flag(
            q(a.pulse.as_deref().unwrap_or("8 ns"), Dim::TIME, "pulse")?,
            "pulse",
            a.pulse.as_deref().unwrap_or("8 ns"),
        )?,
        ra: 20e-12,
        tmr: 0.44,
        rules: rules.clone(),
    };
    run_design(a, spec, a.tolerance)
}

fn run_design(a: &Args, spec: DesignSpec, tolerance: f64) -> Result<ExitCode> {
    let target = spec.target.clone();
    let rules = spec.rules.clone();
    let d = design(&spec)?;
    let v = verify(&d, &target)?;
    let dynamic = if a.verify_dynamic {
        Some(dwmtj_design::verify::verify_dynamic(&d, &target)?)
    } else {
        None
    };
    let pass = v.rms_error <= tolerance && dynamic.as_ref().is_none_or(|dv| dv.rms_error <= tolerance);
    let mc = match a.monte_carlo {
        Some(0) => bail!("--monte-carlo must be at least 1"),
        Some(n) => Some(dwmtj_design::verify::monte_carlo(
            &d,
            &target,
            n,
            q(&a.d2d, Dim::NONE, "d2d")?,
            q(&a.c2c, Dim::NONE, "c2c")?,
            tolerance,
            1,
        )?),
        None => None,
    };
    let summary = json!({
        "monte_carlo": mc,
        "dynamic_verification": dynamic.as_ref().map(|dv| json!({ "rms_error": dv.rms_error, "max_error": dv.max_error, "levels": dv.levels, "calibrated_h_dep_a_per_m": dv.calibrated_h_dep_a_per_m, "calibration_reached": dv.calibration_reached })),
        "target": target,
        "mtjs": spec.mtjs,
        "rules": rules,
        "rms_error": v.rms_error,
        "max_error": v.max_error,
        "model_rms_error": d.model_rms_error,
        "levels": v.levels,
        "tolerance": tolerance,
        "within_tolerance": pass,
        "energy_per_event_j": v.energy_per_event_j,
        "footprint_m2": v.footprint_m2,
        "wire_resistance_ohm": v.wire_resistance_ohm,
        "wire_length_m": d.wire_length_m,
        "thresholds_a": d.thresholds_a,
        "area_fractions": d.area_fractions,
        "mtj_sides_m": d.sides_m,
        "mtj_positions_m": d.positions_m,
        "wire_nodes_m": d.wire_nodes,
    });
    let run = RunDir::create(&a.out, a.force, &design_inputs(a))?;
    run.write_text("design.toml", &d.device_toml)?;
    let (_, device, _) = dwmtj_core::config::parse_device(&d.device_toml, "design.toml", None)?;
    let layout = dwmtj_design::layout::layout(&device);
    run.write_with("layout.gds", |p| layout.to_gds().save(p).map_err(|e| anyhow::anyhow!("GDS: {e:?}")))?;
    run.write_text("layout.svg", &layout.to_svg())?;
    let (_, sub) = dwmtj_design::spice::subcircuit(&device, &dwmtj_core::device::PulseShape::rectangular(spec.pulse_width))?;
    run.write_text("device.cir", &sub)?;
    write_curve(&run, "target_vs_achieved.csv", ["current_a", "target", "achieved"], &v.curve)?;
    write_chart(
        &run,
        "target_vs_achieved",
        &Chart {
            title: format!("{} MTJs: RMS error {:.2} % of full scale", spec.mtjs, v.rms_error * 100.0),
            x_label: "pulse current (uA)".into(),
            y_label: "normalised output".into(),
            series: vec![
                Series {
                    label: "target".into(),
                    points: v.curve.iter().map(|c| (c.0 * 1e6, c.1, 0.0)).collect(),
                    mark: Mark::Line,
                },
                Series {
                    label: "achieved (simulated design)".into(),
                    points: v.curve.iter().map(|c| (c.0 * 1e6, c.2, 0.0)).collect(),
                    mark: Mark::Line,
                },
            ],
        },
    )?;
    run.write_json("summary.json", &summary)?;
    Manifest::new(Some(1)).write(&run, "")?;
    let dir = run.finish()?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        println!(
            "{} MTJs, {} levels: RMS error {:.2} %, max {:.2} % of full scale (tolerance {:.1} %); wire {:.2} um, R {:.2} kOhm; wrote {}",
            spec.mtjs,
            v.levels,
            v.rms_error * 100.0,
            v.max_error * 100.0,
            tolerance * 100.0,
            d.wire_length_m * 1e6,
            v.wire_resistance_ohm / 1e3,
            dir.display()
        );
        if let Some(dv) = &dynamic {
            println!(
                "dynamic 1D verification: RMS error {:.2} %, max {:.2} % of full scale",
                dv.rms_error * 100.0,
                dv.max_error * 100.0
            );
            if dv.calibration_reached == Some(false) {
                println!(
                    "  note: even without film pinning the 1D wall needs more than the designed first threshold to depin and cross half its footprint within the pulse (crossing time and the taper back-force, docs/physics.md 2.4 and 5.1); the threshold design assumes switching at J_th: use a longer pulse, smaller footprints, or design with a J_th calibrated by `dwmtj calibrate`"
                );
            }
        }
        if let Some(m) = &mc {
            println!(
                "Monte Carlo: {} devices, d2d {:.1} %, c2c {:.1} %: RMS error {:.2} +/- {:.2} %, yield {:.0} % within {:.1} %",
                m.devices,
                m.d2d * 100.0,
                m.c2c * 100.0,
                m.rms_mean * 100.0,
                m.rms_std * 100.0,
                m.yield_fraction * 100.0,
                tolerance * 100.0
            );
        }
    }
    let worst = dynamic.as_ref().map_or(v.rms_error, |dv| dv.rms_error.max(v.rms_error));
    Ok(miss_exit(worst, tolerance, a.allow_miss))
}

fn run_analog(a: &Args, target: Target, kind: Analog) -> Result<ExitCode> {
    use dwmtj_design::analog::{design_analog, AnalogKind, AnalogSpec};
    let kind = match kind {
        Analog::Static => AnalogKind::Static,
        Analog::Dynamic => AnalogKind::Dynamic,
    };
    let material_name = a.material.clone().unwrap_or_else(|| "pt-cotb".into());
    let material = find_builtin(&material_name).with_context(|| format!("--material {material_name:?}: not a built-in material"))?;
    let default_pulse = if kind == AnalogKind::Static { "2 us" } else { "300 ns" };
    let spec = AnalogSpec {
        target: target.clone(),
        kind,
        material,
        length: q(&a.length, Dim::LENGTH, "length")?,
        magnetic_width: q(&a.magnetic_width, Dim::LENGTH, "magnetic-width")?,
        pulse_width: q(a.pulse.as_deref().unwrap_or(default_pulse), Dim::TIME, "pulse")?,
        pin_period: 20e-9,
    };
    if spec.length <= 0.0 || spec.magnetic_width <= 0.0 || spec.pulse_width <= 0.0 {
        bail!("--length, --magnetic-width and --pulse must be > 0");
    }
    let d = design_analog(&spec)?;
    let pass = d.rms_error <= a.tolerance;
    let summary = json!({
        "kind": if kind == AnalogKind::Static { "analog-static" } else { "analog-dynamic" },
        "target": target,
        "material": spec.material.name,
        "length_m": spec.length,
        "magnetic_width_m": spec.magnetic_width,
        "pulse_s": spec.pulse_width,
        "j_th_a_per_m2": d.j_th_a_per_m2,
        "rms_error": d.rms_error,
        "max_error": d.max_error,
        "levels": serde_json::Value::Null,
        "tolerance": a.tolerance,
        "within_tolerance": pass,
        "hm_width_nodes_m": d.hm_nodes,
        "curve": d.curve,
    });
    let run = RunDir::create(&a.out, a.force, &design_inputs(a))?;
    run.write_csv(
        "hm_width.csv",
        Csv::numbers(&["x_m", "hm_width_m"], d.hm_nodes.iter().map(|&(x, w)| [x, w]))?,
    )?;
    write_curve(
        &run,
        "target_vs_achieved.csv",
        ["current_a", "target_travel_m", "achieved_travel_m"],
        &d.curve,
    )?;
    write_chart(
        &run,
        "target_vs_achieved",
        &Chart {
            title: format!(
                "analog design: RMS error {:.2} % of the {:.1} um track",
                d.rms_error * 100.0,
                spec.length * 1e6
            ),
            x_label: "pulse current (mA)".into(),
            y_label: "wall travel (um)".into(),
            series: vec![
                Series {
                    label: "target".into(),
                    points: d.curve.iter().map(|c| (c.0 * 1e3, c.1 * 1e6, 0.0)).collect(),
                    mark: Mark::Line,
                },
                Series {
                    label: "achieved (1D model)".into(),
                    points: d.curve.iter().map(|c| (c.0 * 1e3, c.2 * 1e6, 0.0)).collect(),
                    mark: Mark::PointsWithErrors,
                },
            ],
        },
    )?;
    let layout = dwmtj_design::layout::analog_layout("analog_device", &d.hm_nodes, spec.magnetic_width);
    run.write_with("layout.gds", |p| layout.to_gds().save(p).map_err(|e| anyhow::anyhow!("GDS: {e:?}")))?;
    run.write_text("layout.svg", &layout.to_svg())?;
    run.write_json("summary.json", &summary)?;
    Manifest::new(None).write(&run, "")?;
    let dir = run.finish()?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        println!(
            "analog design: RMS error {:.2} %, max {:.2} % of the track (tolerance {:.1} %); wrote {}",
            d.rms_error * 100.0,
            d.max_error * 100.0,
            a.tolerance * 100.0,
            dir.display()
        );
    }
    Ok(miss_exit(d.rms_error, a.tolerance, a.allow_miss))
}

/// Write (current, target, achieved) rows with the given header.
fn write_curve(run: &RunDir, rel: &str, header: [&str; 3], curve: &[(f64, f64, f64)]) -> Result<()> {
    run.write_csv(rel, Csv::numbers(&header, curve.iter().map(|c| [c.0, c.1, c.2]))?)
}

/// Exit 1 with a message if the verified RMS error misses the tolerance (unless allowed).
fn miss_exit(rms: f64, tolerance: f64, allow_miss: bool) -> ExitCode {
    if rms > tolerance && !allow_miss {
        eprintln!(
            "error: the design misses its tolerance: RMS {:.2} % > {:.2} % (pass --allow-miss to accept it)",
            rms * 100.0,
            tolerance * 100.0
        );
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
