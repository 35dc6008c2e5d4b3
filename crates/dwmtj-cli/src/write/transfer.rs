//! Writing a simulated transfer curve into a run folder: transfer.csv, transfer.png/.svg,
//! summary.json, config.resolved.toml and manifest.json.

use crate::output::{Csv, Manifest, RunDir};
use crate::plot::{write_chart, Chart, Mark, Series};
use anyhow::Result;
use dwmtj_core::config::resolve;
use dwmtj_core::device::{Device, Program};
use dwmtj_core::simulate::{MtjReport, Simulation};
use dwmtj_design::paper::Overlay;
use serde::Serialize;

#[derive(Serialize)]
pub struct EnergySummary {
    pub min_switching_energy_j: Option<f64>,
    pub max_switching_energy_j: Option<f64>,
    pub read_energy_j: f64,
    pub pulse_energy_duration_s: f64,
}

#[derive(Serialize)]
pub struct SimulationSummary<'a> {
    pub device: &'a str,
    pub description: &'a str,
    pub material: &'a str,
    pub runs: usize,
    pub cycles: u32,
    pub devices: u32,
    pub seed: u64,
    pub wire_resistance_ohm: f64,
    pub hm_current_fraction: f64,
    pub sheet_resistance_ohm: f64,
    pub breakdown_current_a: f64,
    pub r_all_p_ohm: f64,
    pub r_all_ap_ohm: f64,
    pub levels: Vec<(String, usize)>,
    pub unreachable_mtjs: Vec<usize>,
    pub field_switched_mtjs: Vec<usize>,
    pub energy: EnergySummary,
    pub mtjs: &'a [MtjReport],
}

pub fn summary<'a>(device: &'a Device, program: &Program, sim: &'a Simulation) -> SimulationSummary<'a> {
    SimulationSummary {
        device: &device.name,
        description: &device.description,
        material: &device.material.name,
        runs: sim.runs,
        cycles: program.cycles,
        devices: program.devices,
        seed: program.seed,
        wire_resistance_ohm: sim.wire_resistance_ohm,
        hm_current_fraction: sim.hm_fraction,
        sheet_resistance_ohm: sim.sheet_resistance_ohm,
        breakdown_current_a: sim.breakdown_current_a,
        r_all_p_ohm: sim.r_all_p_ohm,
        r_all_ap_ohm: sim.r_all_ap_ohm,
        levels: sim.levels.clone(),
        // MTJ numbers as people count them (1 = the first along the wire), as everywhere else.
        unreachable_mtjs: sim.mtjs.iter().filter(|m| !m.reachable).map(|m| m.mtj).collect(),
        field_switched_mtjs: sim.mtjs.iter().filter(|m| m.field_switched).map(|m| m.mtj).collect(),
        energy: EnergySummary {
            min_switching_energy_j: sim.min_switching_energy(),
            max_switching_energy_j: sim.max_switching_energy(),
            read_energy_j: sim.read_energy_j,
            pulse_energy_duration_s: program.pulse.energy_duration(),
        },
        mtjs: &sim.mtjs,
    }
}

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
