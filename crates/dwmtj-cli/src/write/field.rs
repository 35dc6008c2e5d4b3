//! Field-swept loops into a run folder: loops.csv, switching_fields.csv, regions.csv, the
//! loop, Hall and switching-field plots, summary.json, device.toml and a manifest.

use crate::output::{Csv, Manifest, Num, RunDir};
use crate::plot::{write_chart, Chart, Mark, Series};
use anyhow::Result;
use dwmtj_core::device::Device;
use dwmtj_core::field_sweep::{FieldLoops, FieldSweep, FieldSwitching, Region};
use dwmtj_design::paper_field::{FieldFigure, OE};
use serde_json::json;

fn region_name(r: Region) -> String {
    match r {
        Region::Mtj(i) => format!("mtj {i}"),
        Region::Wire => "wire".into(),
        Region::Reference => "reference".into(),
    }
}

fn oe(h: f64) -> f64 {
    h / OE
}

/// Everything a field-swept run writes into `run`/`sub`; returns summary.json's value.
#[allow(clippy::too_many_arguments)]
pub fn write_field_run(
    run: &RunDir,
    sub: &str,
    device: &Device,
    switching: &FieldSwitching,
    sweep: &FieldSweep,
    loops: &FieldLoops,
    device_toml: &str,
    extra: Option<serde_json::Value>,
) -> Result<serde_json::Value> {
    let prefix = if sub.is_empty() { String::new() } else { format!("{sub}/") };
    let r_ahe = switching.hall_resistance;
    let mut w = Csv::with_header([
        "device",
        "loop",
        "index",
        "branch",
        "field_oe",
        "field_a_per_m",
        "resistance_ohm",
        "ap_count",
        "m_wire",
        "m_mtj_mean",
        "hall_under_mtj1_ohm",
        "hall_bare_wire_ohm",
        "reference_up",
    ])?;
    for r in &loops.readings {
        w.row([
            r.device.to_string(),
            r.loop_index.to_string(),
            r.index.to_string(),
            r.branch.to_string(),
            oe(r.field_a_per_m).num(),
            r.field_a_per_m.num(),
            r.resistance_ohm.num(),
            r.ap_count.to_string(),
            r.m_wire.num(),
            r.m_mtj.num(),
            (r_ahe * r.m_first_mtj).num(),
            (r_ahe * r.m_wire).num(),
            r.reference_up.to_string(),
        ])?;
    }
    run.write_csv(&format!("{prefix}loops.csv"), w)?;
    let mut w = Csv::with_header(["device", "loop", "region", "to", "field_oe", "field_a_per_m"])?;
    for e in &loops.events {
        w.row([
            e.device.to_string(),
            e.loop_index.to_string(),
            region_name(e.region),
            if e.to > 0 { "up" } else { "down" }.to_string(),
            oe(e.field_a_per_m).num(),
            e.field_a_per_m.num(),
        ])?;
    }
    run.write_csv(&format!("{prefix}switching_fields.csv"), w)?;
    let mut w = Csv::with_header([
        "region",
        "to_up_count",
        "to_up_mean_oe",
        "to_up_std_oe",
        "to_up_median_oe",
        "to_up_sharrock_oe",
        "to_down_count",
        "to_down_mean_oe",
        "to_down_std_oe",
        "to_down_median_oe",
        "to_down_sharrock_oe",
        "offset_oe",
        "coercivity_oe",
    ])?;
    let opt = |v: Option<f64>| v.map_or(String::new(), |h| oe(h).num());
    for g in &loops.regions {
        w.row([
            region_name(g.region),
            g.to_up.count.to_string(),
            oe(g.to_up.mean_a_per_m).num(),
            oe(g.to_up.std_a_per_m).num(),
            oe(g.to_up.median_a_per_m).num(),
            opt(g.to_up.sharrock_median_a_per_m),
            g.to_down.count.to_string(),
            oe(g.to_down.mean_a_per_m).num(),
            oe(g.to_down.std_a_per_m).num(),
            oe(g.to_down.median_a_per_m).num(),
            opt(g.to_down.sharrock_median_a_per_m),
            oe(g.offset_a_per_m).num(),
            oe(g.coercivity_a_per_m).num(),
        ])?;
    }
    run.write_csv(&format!("{prefix}regions.csv"), w)?;

    // R(H) of the first loops of the first device, each loop one line.
    let shown = sweep.loops.min(3);
    let series: Vec<Series> = (1..=shown)
        .map(|l| Series {
            label: format!("loop {l}"),
            points: loops
                .readings
                .iter()
                .filter(|r| r.device == 1 && r.loop_index == l)
                .map(|r| (oe(r.field_a_per_m), r.resistance_ohm, 0.0))
                .collect(),
            mark: Mark::Line,
        })
        .collect();
    write_chart(
        run,
        &format!("{prefix}loop"),
        &Chart {
            title: format!(
                "{}: MTJ resistance vs perpendicular field ({:.0} Oe/s)",
                device.name,
                oe(sweep.rate)
            ),
            x_label: "applied field H_z (Oe)".into(),
            y_label: "MTJ resistance, parallel read (Ohm)".into(),
            series,
        },
    )?;
    let hall = |label: &str, f: &dyn Fn(&dwmtj_core::field_sweep::LoopReading) -> f64| Series {
        label: label.into(),
        points: loops
            .readings
            .iter()
            .filter(|r| r.device == 1 && r.loop_index == 1)
            .map(|r| (oe(r.field_a_per_m), r_ahe * f(r), 0.0))
            .collect(),
        mark: Mark::Line,
    };
    write_chart(
        run,
        &format!("{prefix}hall"),
        &Chart {
            title: format!("{}: anomalous-Hall loops of the free layer (loop 1)", device.name),
            x_label: "applied field H_z (Oe)".into(),
            y_label: "Hall resistance R_xy = R_AHE m_z (Ohm)".into(),
            series: vec![
                hall("under MTJ 1 (Fig. 2c)", &|r| r.m_first_mtj),
                hall("bare wire (Fig. 2d)", &|r| r.m_wire),
            ],
        },
    )?;
    if device.mtjs.len() > 1 {
        let per_mtj = |up: bool, median: bool| -> Vec<(f64, f64, f64)> {
            loops
                .regions
                .iter()
                .filter_map(|g| match g.region {
                    Region::Mtj(i) => {
                        let s = if up { g.to_up } else { g.to_down };
                        if median {
                            s.sharrock_median_a_per_m.map(|h| (i as f64, oe(h), 0.0))
                        } else {
                            Some((i as f64, oe(s.mean_a_per_m), oe(s.std_a_per_m)))
                        }
                    }
                    _ => None,
                })
                .collect()
        };
        write_chart(
            run,
            &format!("{prefix}switching-fields"),
            &Chart {
                title: format!(
                    "{}: switching field per MTJ over {} loops",
                    device.name,
                    sweep.loops * sweep.devices
                ),
                x_label: "MTJ along the wire".into(),
                y_label: "switching field (Oe), mean +/- std".into(),
                series: vec![
                    Series {
                        label: "to up".into(),
                        points: per_mtj(true, false),
                        mark: Mark::PointsWithErrors,
                    },
                    Series {
                        label: "to down".into(),
                        points: per_mtj(false, false),
                        mark: Mark::PointsWithErrors,
                    },
                    Series {
                        label: "Sharrock median, nominal H_k, to up".into(),
                        points: per_mtj(true, true),
                        mark: Mark::Dashed,
                    },
                    Series {
                        label: "Sharrock median, nominal H_k, to down".into(),
                        points: per_mtj(false, true),
                        mark: Mark::Dashed,
                    },
                ],
            },
        )?;
    }
    let mut value = serde_json::to_value(dwmtj_core::field_sweep::summary(device, switching, sweep, loops))?;

    if let (Some(extra), Some(obj)) = (extra.as_ref().and_then(|e| e.as_object()), value.as_object_mut()) {
        for (k, v) in extra {
            obj.insert(k.clone(), v.clone());
        }
    }
    run.write_json(&format!("{prefix}summary.json"), &value)?;
    run.write_text(&format!("{prefix}device.toml"), device_toml)?;
    Manifest::new(Some(sweep.seed)).write(run, sub)?;
    Ok(value)
}

/// A reproduced field figure: each run in its own folder, the checks in the figure's summary.
pub fn write_field_figure(run: &RunDir, fig: &FieldFigure) -> Result<()> {
    if let [r] = fig.runs.as_slice() {
        let extra = json!({ "checks": fig.checks });
        write_field_run(
            run,
            &fig.id,
            &r.device,
            &r.switching,
            &r.sweep,
            &r.loops,
            &r.device_toml,
            Some(extra),
        )?;
        return Ok(());
    }
    for r in &fig.runs {
        let sub = format!("{}/{}", fig.id, r.label);
        write_field_run(run, &sub, &r.device, &r.switching, &r.sweep, &r.loops, &r.device_toml, None)?;
    }
    run.write_json(&format!("{}/summary.json", fig.id), &json!({ "id": fig.id, "checks": fig.checks }))?;
    Manifest::new(None).write(run, &fig.id)
}
