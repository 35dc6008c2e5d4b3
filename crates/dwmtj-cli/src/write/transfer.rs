//! Writing a simulated transfer curve into a run folder: transfer.csv, transfer.png/.svg,
//! summary.json, config.resolved.toml and manifest.json.

use crate::output::{Csv, Manifest, RunDir};
use crate::plot::{write_chart, Chart, Mark, Series};
use anyhow::Result;
use dwmtj_core::config::resolve;
use dwmtj_core::device::{Device, Program};
use dwmtj_core::simulate::{summary, Simulation};
use dwmtj_design::paper::Overlay;

/// Write the transfer-curve files into `run`/`sub`. `extra` is merged into summary.json.
pub fn write_transfer(
    run: &RunDir,
    sub: &str,
    device: &Device,
    program: &Program,
    sim: &Simulation,
    overlays: &[Overlay],
    extra: Option<serde_json::Value>,
) -> Result<serde_json::Value> {
    let prefix = if sub.is_empty() { String::new() } else { format!("{sub}/") };
    run.write_csv(&format!("{prefix}transfer.csv"), Csv::records(&sim.points)?)?;

    let mut series: Vec<Series> = program
        .sweeps
        .iter()
        .map(|s| Series {
            label: format!("{} sweep (mean +/- std, {} runs)", s.label, sim.runs),
            points: sim
                .sweep_points(&s.label)
                .map(|p| (p.current_a * 1e6, p.r_mean_ohm, p.r_std_ohm))
                .collect(),
            mark: Mark::PointsWithErrors,
        })
        .collect();
    for o in overlays {
        series.push(Series {
            label: o.label.clone(),
            points: o.points.iter().map(|&(i, r)| (i * 1e6, r, 0.0)).collect(),
            mark: if o.label.contains("fit") { Mark::Dashed } else { Mark::Line },
        });
    }
    write_chart(
        run,
        &format!("{prefix}transfer"),
        &Chart {
            title: format!("{}: resistance vs pulse current ({:.0} ns)", device.name, program.pulse.width * 1e9),
            x_label: "pulse current (uA)".into(),
            y_label: "MTJ resistance, parallel read (Ohm)".into(),
            series,
        },
    )?;

    let mut value = serde_json::to_value(summary(device, program, sim))?;
    if let (Some(extra), Some(obj)) = (extra, value.as_object_mut()) {
        if let Some(e) = extra.as_object() {
            for (k, v) in e {
                obj.insert(k.clone(), v.clone());
            }
        }
    }
    run.write_json(&format!("{prefix}summary.json"), &value)?;
    let resolved = toml::to_string(&resolve(device, Some(program)))?;
    run.write_text(
        &format!("{prefix}config.resolved.toml"),
        &format!("# Every value in SI units, defaults made explicit. `dwmtj simulate` accepts this file.\n{resolved}"),
    )?;
    Manifest::new(Some(program.seed)).write(run, sub)?;
    Ok(value)
}
