//! `dwmtj calibrate`: fit the threshold model to the dynamic 1D model.

use crate::output::{Csv, Manifest, RunDir};
use crate::plot::{write_chart, Chart, Mark, Series};
use anyhow::{Context, Result};
use dwmtj_core::config::load_device;
use std::path::PathBuf;
use std::process::ExitCode;

/// Fit the threshold model to the dynamic 1D model: per-MTJ single-pulse switching currents
/// of both (and the quasi-static estimate), and a calibrated device file.
///
/// Example: dwmtj calibrate configs/dynamic-synapse.toml --out runs/cal --json
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Device TOML file with a `[program]` (its pulse is the calibration pulse).
    pub device: PathBuf,
    /// Output folder (created; refused if it exists and is not empty, unless --force).
    #[arg(long)]
    pub out: PathBuf,
    /// Replace an earlier dwmtj run folder at --out (only one with a dwmtj manifest.json; never
    /// the current folder, an ancestor, $HOME or a folder holding an input).
    #[arg(long)]
    pub force: bool,
    /// Print the calibration (per-MTJ currents, fitted j_th) as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: &Args) -> Result<ExitCode> {
    let path = a.device.as_path();
    let (_, device, program) = load_device(path)?;
    let program = program.with_context(|| format!("{} has no [program]: its pulse is the calibration pulse", path.display()))?;
    let run = RunDir::create(&a.out, a.force, &[path])?;
    let limit = if device.breakdown_current().is_finite() {
        device.breakdown_current()
    } else {
        10.0 * program.max_abs_current().max(1e-6)
    };
    let cal = dwmtj_core::calibrate::calibrate(&device, &program.pulse, limit)?;
    run.write_csv("calibration.csv", Csv::records(&cal.points)?)?;
    let pts = |f: fn(&dwmtj_core::calibrate::CalibrationPoint) -> Option<f64>| -> Vec<(f64, f64, f64)> {
        cal.points.iter().filter_map(|p| Some((p.mtj as f64, f(p)? * 1e6, 0.0))).collect()
    };
    write_chart(
        &run,
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
    let resolved = toml::to_string(&dwmtj_core::config::resolve(&cal.device, Some(&program)))?;
    run.write_text(
        "calibrated.toml",
        &format!(
            "# {} with its threshold model calibrated to the dynamic 1D model (dwmtj calibrate).\n{resolved}",
            device.name
        ),
    )?;
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
