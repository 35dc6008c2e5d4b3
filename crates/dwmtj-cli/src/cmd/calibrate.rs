//! `dwmtj calibrate`: fit the threshold model to the dynamic 1D model.

use crate::output::{Csv, Manifest, RunDir};
use crate::plot::{write_chart, Chart, Mark, Series};
use anyhow::{Context, Result};
use dwmtj_core::config::load_device;
use std::path::PathBuf;
use std::process::ExitCode;

/// Calibrate models. With a device file: fit its threshold model to the dynamic 1D model
/// (per-MTJ single-pulse switching currents of both, the quasi-static estimate, and a
/// calibrated device file). With --velocity and/or --switching: fit a material (D, alpha,
/// theta_SH, H_dep with standard errors) to measured tables and write it as a material file for
/// --material (docs/physics.md 5.4). With --from-micromag: drive a micromagnetic wall at each of
/// --currents, fit the 1D model's effective D and alpha to its velocities and, given a device
/// file, calibrate that device's threshold model from the fitted 1D wall (5.5).
///
/// Example: dwmtj calibrate configs/dynamic-synapse.toml --out runs/cal --json
///
/// Example: dwmtj calibrate --velocity configs/measured/velocity.csv --switching configs/measured/switching.csv --out runs/fit
///
/// Example: dwmtj calibrate configs/dynamic-synapse.toml --from-micromag configs/micromag/pinned-strip.toml --currents "0.5e11, 1e11, 2e11" --out runs/chain
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Device TOML file with a `[program]` (its pulse is the calibration pulse).
    /// With --from-micromag: the device whose threshold model is then calibrated from the fitted
    /// 1D model (the chain micromagnetics -> 1D -> threshold).
    #[arg(required_unless_present_any = ["velocity", "switching", "from_micromag"], conflicts_with_all = ["velocity", "switching", "material"])]
    pub device: Option<PathBuf>,
    /// Micromagnetic run file (`dwmtj micromag`): its wall is driven at each of --currents, the
    /// 1D model's effective D and alpha are fitted to the velocities (docs/physics.md 5.5).
    #[arg(long, conflicts_with_all = ["velocity", "switching", "material"])]
    pub from_micromag: Option<PathBuf>,
    /// With --from-micromag: the heavy-metal current densities, comma-separated, with units
    /// (default 0.5e11, 1e11, 1.5e11 and 2e11 A/m^2).
    #[arg(long, allow_hyphen_values = true, requires = "from_micromag")]
    pub currents: Option<String>,
    /// Measured wall velocity: CSV with the columns `current_density (UNIT)` (heavy-metal current
    /// density), `velocity (UNIT)` and optionally `velocity_std (UNIT)`; units in the header.
    #[arg(long)]
    pub velocity: Option<PathBuf>,
    /// Measured switching: CSV with `field (UNIT)` (the perpendicular field that assists the
    /// switching), `switching_current_density (UNIT)` and optionally
    /// `switching_current_density_std (UNIT)`.
    #[arg(long)]
    pub switching: Option<PathBuf>,
    /// The material the fit starts from and keeps for what the data do not determine: a built-in
    /// name or a material file (default ta-cofeb-mgo).
    #[arg(long, allow_hyphen_values = true)]
    pub material: Option<String>,
    /// Output folder (created; refused if it exists and is not empty, unless --force).
    #[arg(long)]
    pub out: PathBuf,
    /// Replace an earlier dwmtj run folder at --out (only one with a dwmtj manifest.json; never
    /// the current folder, an ancestor, $HOME or a folder holding an input).
    #[arg(long)]
    pub force: bool,
    /// Print the calibration (per-MTJ currents and the fitted j_th, or the fitted material) as
    /// JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: &Args) -> Result<ExitCode> {
    if let Some(mm) = &a.from_micromag {
        return run_micromag(a, mm);
    }
    let Some(path) = a.device.as_deref() else {
        return run_measured(a);
    };
    let (_, device, program) = load_device(path)?;
    let program = program.with_context(|| format!("{} has no [program]: its pulse is the calibration pulse", path.display()))?;
    let run = RunDir::create(&a.out, a.force, &[path])?;
    let cal = write_device_calibration(&run, &device, &program)?;
    run.write_json("summary.json", &cal)?;
    Manifest::new(Some(program.seed)).write(&run, "")?;
    let dir = run.finish()?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&cal)?);
    } else {
        println!(
            "calibrated j_th = {:.4e} A/m^2 at H_z = {:.1} A/m; RMS log error {:.4}",
            cal.j_th_a_per_m2, cal.at_bias_a_per_m, cal.rms_log_error
        );
        for p in &cal.points {
            let f = |v: Option<f64>| v.map_or("unreachable".to_string(), |x| format!("{:.1} uA", x * 1e6));
            println!(
                "  MTJ {}: dynamic {}, threshold {}, quasi-static {:.1} uA",
                p.mtj,
                f(p.dynamic_a),
                f(p.threshold_a),
                p.quasi_static_a * 1e6
            );
        }
        println!("wrote {}", dir.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// `calibrate --velocity/--switching`: fit a material to measured tables.
fn run_measured(a: &Args) -> Result<ExitCode> {
    use dwmtj_core::units::Dim;
    use dwmtj_design::measured::{fit_material, material_toml, read_table, Measurements};
    let name = a.material.clone().unwrap_or_else(|| "ta-cofeb-mgo".into());
    let material_file = std::path::Path::new(&name);
    let inputs: Vec<&std::path::Path> = a
        .velocity
        .iter()
        .chain(&a.switching)
        .map(PathBuf::as_path)
        .chain(material_file.is_file().then_some(material_file))
        .collect();
    crate::output::check_target(&a.out, a.force, crate::output::OutKind::Folder, &inputs)?;
    let base = dwmtj_core::material::load_named(&name, None, "--material")?;
    let data = Measurements {
        unpinned: false,
        velocity: match &a.velocity {
            Some(p) => read_table(p, ("current_density", Dim::CURRENT_DENSITY), ("velocity", Dim::VELOCITY))?,
            None => Vec::new(),
        },
        switching: match &a.switching {
            Some(p) => read_table(p, ("field", Dim::FIELD), ("switching_current_density", Dim::CURRENT_DENSITY))?,
            None => Vec::new(),
        },
    };
    let fit = fit_material(&base, &data)?;
    let run = RunDir::create(&a.out, a.force, &inputs)?;
    let fitted_name = format!("{}-fitted", base.name);
    run.write_text("material.toml", &material_toml(&fit, &fitted_name))?;
    if !fit.velocity.is_empty() {
        run.write_csv(
            "velocity_fit.csv",
            Csv::numbers(
                &["current_density_a_per_m2", "measured_m_per_s", "fitted_m_per_s"],
                fit.velocity.iter().map(|&(j, m, f)| [j, m, f]),
            )?,
        )?;
        let fine: Vec<(f64, f64, f64)> = {
            let top = fit.velocity.iter().map(|v| v.0.abs()).fold(0.0, f64::max);
            (0..=200)
                .map(|k| {
                    let j = top * f64::from(k) / 200.0;
                    (j / 1e11, dwmtj_design::measured::pinned_velocity(&fit.material, j), 0.0)
                })
                .collect()
        };
        write_chart(
            &run,
            "velocity_fit",
            &Chart {
                title: format!("{}: wall velocity, measured and fitted", fitted_name),
                x_label: "heavy-metal current density (1e11 A/m^2)".into(),
                y_label: "|v| (m/s)".into(),
                series: vec![
                    Series {
                        label: "measured".into(),
                        points: fit.velocity.iter().map(|v| (v.0 / 1e11, v.1, 0.0)).collect(),
                        mark: Mark::PointsWithErrors,
                    },
                    Series {
                        label: "fitted 1D model (washboard)".into(),
                        points: fine,
                        mark: Mark::Line,
                    },
                ],
            },
        )?;
    }
    if !fit.switching.is_empty() {
        run.write_csv(
            "switching_fit.csv",
            Csv::numbers(
                &["field_a_per_m", "measured_a_per_m2", "fitted_a_per_m2"],
                fit.switching.iter().map(|&(h, m, f)| [h, m, f]),
            )?,
        )?;
        write_chart(
            &run,
            "switching_fit",
            &Chart {
                title: format!("{}: switching current density against field", fitted_name),
                x_label: "assisting field (Oe)".into(),
                y_label: "switching density (1e11 A/m^2)".into(),
                series: vec![
                    Series {
                        label: "measured".into(),
                        points: fit
                            .switching
                            .iter()
                            .map(|v| (v.0 * 4e-3 * std::f64::consts::PI, v.1 / 1e11, 0.0))
                            .collect(),
                        mark: Mark::PointsWithErrors,
                    },
                    Series {
                        label: "fitted (quasi-static)".into(),
                        points: fit
                            .switching
                            .iter()
                            .map(|v| (v.0 * 4e-3 * std::f64::consts::PI, v.2 / 1e11, 0.0))
                            .collect(),
                        mark: Mark::Line,
                    },
                ],
            },
        )?;
    }
    run.write_json("summary.json", &fit)?;
    Manifest::new(None).write(&run, "")?;
    let dir = run.finish()?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&fit)?);
    } else {
        for f in &fit.fitted {
            println!("  {} = {:.4e} +- {:.2e} {}", f.key, f.value, f.std, f.unit);
        }
        if !fit.held.is_empty() {
            println!("  held at {}'s values: {}", fit.base, fit.held.join(", "));
        }
        println!(
            "reduced chi-square {:.2}; wrote {} (use --material {}/material.toml)",
            fit.reduced_chi_square,
            dir.display(),
            dir.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Calibrate `device`'s threshold model against its dynamic 1D model at the program's pulse and
/// write calibration.csv, its plot and calibrated.toml into `run`.
fn write_device_calibration(
    run: &RunDir,
    device: &dwmtj_core::device::Device,
    program: &dwmtj_core::device::Program,
) -> Result<dwmtj_core::calibrate::Calibration> {
    let limit = if device.breakdown_current().is_finite() {
        device.breakdown_current()
    } else {
        10.0 * program.max_abs_current().max(1e-6)
    };
    let cal = dwmtj_core::calibrate::calibrate(device, &program.pulse, limit)?;
    run.write_csv("calibration.csv", Csv::records(&cal.points)?)?;
    let pts = |f: fn(&dwmtj_core::calibrate::CalibrationPoint) -> Option<f64>| -> Vec<(f64, f64, f64)> {
        cal.points.iter().filter_map(|p| Some((p.mtj as f64, f(p)? * 1e6, 0.0))).collect()
    };
    write_chart(
        run,
        "calibration",
        &Chart {
            title: format!(
                "{}: switching current per MTJ ({:.1} ns pulse)",
                device.name,
                program.pulse.width * 1e9
            ),
            x_label: "MTJ".into(),
            y_label: "switching current (uA)".into(),
            series: vec![
                Series {
                    label: "dynamic 1D model".into(),
                    points: pts(|p| p.dynamic_a),
                    mark: Mark::PointsWithErrors,
                },
                Series {
                    label: "calibrated threshold model".into(),
                    points: pts(|p| p.threshold_a),
                    mark: Mark::Line,
                },
                Series {
                    label: "quasi-static".into(),
                    points: pts(|p| Some(p.quasi_static_a)),
                    mark: Mark::Dashed,
                },
            ],
        },
    )?;
    let resolved = toml::to_string(&dwmtj_core::config::resolve(&cal.device, Some(program)))?;
    run.write_text(
        "calibrated.toml",
        &format!(
            "# {} with its threshold model calibrated to the dynamic 1D model (dwmtj calibrate).\n{resolved}",
            device.name
        ),
    )?;
    Ok(cal)
}

/// The current densities of --currents (A/m^2): 3 to 32 non-zero values.
fn currents(text: Option<&str>) -> Result<Vec<f64>> {
    let text = text.unwrap_or("0.5e11, 1e11, 1.5e11, 2e11");
    let js: Vec<f64> = text
        .split(',')
        .map(|c| dwmtj_core::RawQuantity::Text(c.trim().to_string()).to_si(dwmtj_core::units::Dim::CURRENT_DENSITY, "--currents"))
        .collect::<Result<_, _>>()?;
    if !(3..=32).contains(&js.len()) {
        anyhow::bail!(
            "--currents {text:?}: {} values; expected 3 to 32 current densities (the fit has 2 parameters)",
            js.len()
        );
    }
    if let Some(j) = js.iter().find(|j| j.abs() == 0.0 || !j.is_finite() || j.abs() > 1e13) {
        anyhow::bail!("--currents {text:?}: {j:e} A/m^2; each must be non-zero and at most 1e13 A/m^2");
    }
    Ok(js)
}

/// `calibrate --from-micromag`: micromagnetic velocities -> the 1D model's effective D and
/// alpha, the micromagnetic depinning ramp (film pinning) -> its H_dep, and (with a device) its
/// threshold model (`dwmtj_design::from_micromag`).
fn run_micromag(a: &Args, mm: &std::path::Path) -> Result<ExitCode> {
    use dwmtj_design::from_micromag::{calibrate, FromMicromagParams};
    use dwmtj_design::measured::free_velocity;
    let mut inputs: Vec<&std::path::Path> = vec![mm];
    inputs.extend(a.device.as_deref());
    crate::output::check_target(&a.out, a.force, crate::output::OutKind::Folder, &inputs)?;
    let text = std::fs::read_to_string(mm).with_context(|| format!("cannot read {}", mm.display()))?;
    let (_, spec) = dwmtj_micromag::config::parse(&text, &mm.display().to_string())?;
    let js = currents(a.currents.as_deref())?;
    let device = match a.device.as_deref() {
        Some(p) => {
            let (_, d, prog) = load_device(p)?;
            let prog = prog.with_context(|| format!("{} has no [program]: its pulse is the calibration pulse", p.display()))?;
            Some((d, prog))
        }
        None => None,
    };
    let quiet = a.json;
    let params = FromMicromagParams {
        currents: js.clone(),
        ..FromMicromagParams::default()
    };
    let cal = calibrate(&spec, &params, &|stage, k, n| {
        if !quiet {
            eprintln!("micromagnetic {stage}: run {k} of {n} done");
        }
    })?;
    let (pts, fit) = (&cal.micromagnetic, &cal.fit);
    let run = RunDir::create(&a.out, a.force, &inputs)?;
    run.write_csv(
        "micromag_velocity.csv",
        Csv::numbers(
            &[
                "current_density_a_per_m2",
                "micromagnetic_m_per_s",
                "tilt_rad",
                "phi_rad",
                "model_1d_m_per_s",
                "fitted_1d_m_per_s",
            ],
            pts.iter().zip(&cal.model_1d_m_per_s).zip(&fit.velocity).map(|((p, b), f)| {
                [
                    p.current_density_a_per_m2,
                    p.velocity_m_per_s,
                    p.tilt_rad.unwrap_or(f64::NAN),
                    p.phi_rad.unwrap_or(f64::NAN),
                    *b,
                    f.2,
                ]
            }),
        )?,
    )?;
    let base = &cal.base;
    let line = |pred: &dyn Fn(f64) -> f64| -> Vec<(f64, f64, f64)> {
        let top = js.iter().map(|j| j.abs()).fold(0.0, f64::max);
        (1..=100)
            .map(|k| {
                let j = top * f64::from(k) / 100.0;
                (j / 1e11, pred(j), 0.0)
            })
            .collect()
    };
    write_chart(
        &run,
        "micromag_velocity",
        &Chart {
            title: format!("{}: wall velocity, micromagnetics and the 1D model", spec.name),
            x_label: "heavy-metal current density (1e11 A/m^2)".into(),
            y_label: "|v| (m/s)".into(),
            series: vec![
                Series {
                    label: "micromagnetic".into(),
                    points: pts
                        .iter()
                        .map(|p| (p.current_density_a_per_m2.abs() / 1e11, p.velocity_m_per_s.abs(), 0.0))
                        .collect(),
                    mark: Mark::PointsWithErrors,
                },
                Series {
                    label: "1D, the run's constants".into(),
                    points: line(&|j| free_velocity(base, j)),
                    mark: Mark::Dashed,
                },
                Series {
                    label: "1D, fitted D and alpha".into(),
                    points: line(&|j| free_velocity(&fit.material, j)),
                    mark: Mark::Line,
                },
            ],
        },
    )?;
    if let Some(d) = &cal.depinning {
        run.write_csv(
            "micromag_depinning.csv",
            Csv::numbers(
                &[
                    "current_density_a_per_m2",
                    "micromagnetic_displacement_m",
                    "fitted_1d_displacement_m",
                ],
                d.ramp.iter().map(|r| [r.0, r.1, r.2]),
            )?,
        )?;
        write_chart(
            &run,
            "micromag_depinning",
            &Chart {
                title: format!(
                    "{}: depinning on a {:.0} ns ramp (H_dep {:.0} A/m fitted, {:.0} A/m first order)",
                    spec.name,
                    d.ramp_time_s * 1e9,
                    d.h_dep_a_per_m,
                    d.landscape_h_dep_a_per_m
                ),
                x_label: "heavy-metal current density (1e11 A/m^2)".into(),
                y_label: "wall displacement from rest (nm)".into(),
                series: vec![
                    Series {
                        label: "micromagnetic".into(),
                        points: d.ramp.iter().map(|r| (r.0 / 1e11, r.1 * 1e9, 0.0)).collect(),
                        mark: Mark::Line,
                    },
                    Series {
                        label: "1D, fitted H_dep".into(),
                        points: d.ramp.iter().map(|r| (r.0 / 1e11, r.2 * 1e9, 0.0)).collect(),
                        mark: Mark::Dashed,
                    },
                ],
            },
        )?;
    }
    let material = cal.material();
    let fitted_name = format!("{}-fitted", base.name);
    // The file carries every parameter of the fitted material, H_dep from the ramp included.
    let material_text = cal.material_toml(&fitted_name);
    run.write_text("material.toml", &material_text)?;
    let threshold = match &device {
        Some((d, prog)) => {
            // The device takes the fitted wall: D and alpha, and H_dep where the strip has film
            // pinning (a clean strip cannot give it: the device keeps its own).
            let mut d = d.clone();
            d.material.dmi = material.dmi;
            d.material.alpha = material.alpha;
            if cal.depinning.is_some() {
                d.material.h_dep = material.h_dep;
            }
            Some(write_device_calibration(&run, &d, prog)?)
        }
        None => None,
    };
    let summary = serde_json::json!({
        "micromagnetic": pts,
        "model_1d_rms_m_per_s": cal.model_1d_rms_m_per_s,
        "fitted_1d_rms_m_per_s": cal.fitted_1d_rms_m_per_s,
        "fit": fit,
        "depinning": cal.depinning,
        "threshold_calibration": threshold,
    });
    run.write_json("summary.json", &summary)?;
    Manifest::new(None).write(&run, "")?;
    let dir = run.finish()?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        println!(
            "micromagnetics -> 1D: the run's constants give {:.2} m/s RMS off; fitted {} ({:.2} m/s RMS):",
            cal.model_1d_rms_m_per_s,
            fit.fitted
                .iter()
                .map(|f| format!("{} = {:.4e} +- {:.1e}", f.key, f.value, f.std))
                .collect::<Vec<_>>()
                .join(", "),
            cal.fitted_1d_rms_m_per_s
        );
        if let Some(d) = &cal.depinning {
            println!(
                "depinning ramp: micromagnetic {:.4e} A/m^2; 1D with H_dep = {:.1} A/m {:.4e} A/m^2 (first-order H_dep {:.1} A/m gives {:.4e}); quasi-static J_c = {:.4e} A/m^2",
                d.micromagnetic_a_per_m2,
                d.h_dep_a_per_m,
                d.fitted_1d_a_per_m2,
                d.landscape_h_dep_a_per_m,
                d.landscape_1d_a_per_m2,
                d.quasi_static_a_per_m2
            );
        }
        if let Some(c) = &threshold {
            println!(
                "1D -> threshold: j_th = {:.4e} A/m^2, RMS log error {:.4} (calibrated.toml)",
                c.j_th_a_per_m2, c.rms_log_error
            );
        }
        println!("wrote {}", dir.display());
    }
    Ok(ExitCode::SUCCESS)
}
