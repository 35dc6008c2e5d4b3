//! A design run's files (design.toml, layout.gds/.svg, device.cir, target_vs_achieved.csv and
//! its plot, hm_width.csv for analog designs) and its one-paragraph report on stdout.

use crate::output::{Csv, RunDir};
use crate::plot::{write_chart, Chart, Mark, Series};
use anyhow::Result;
use dwmtj_design::run::{DesignReport, Summary};
use std::path::Path;

/// Write the exports and the target-vs-achieved curve (summary.json and the manifest are the
/// caller's).
pub fn write_design(run: &RunDir, report: &DesignReport) -> Result<()> {
    let e = &report.exports;
    run.write_bytes("layout.gds", &e.gds)?;
    run.write_text("layout.svg", &e.svg)?;
    let c = &report.curve;
    let (chart, header) = match &report.summary {
        Summary::Discrete(d) => {
            run.write_text("design.toml", &e.device_toml)?;
            run.write_text("device.cir", &e.spice)?;
            let chart = Chart {
                title: format!("{} MTJs: RMS error {:.2} % of full scale", d.mtjs, d.rms_error * 100.0),
                x_label: "pulse current (uA)".into(),
                y_label: "normalised output".into(),
                series: vec![
                    Series {
                        label: "target".into(),
                        points: c.iter().map(|c| (c.0 * 1e6, c.1, 0.0)).collect(),
                        mark: Mark::Line,
                    },
                    Series {
                        label: "achieved (simulated design)".into(),
                        points: c.iter().map(|c| (c.0 * 1e6, c.2, 0.0)).collect(),
                        mark: Mark::Line,
                    },
                ],
            };
            (chart, ["current_a", "target", "achieved"])
        }
        Summary::Analog(a) => {
            let nodes = a.hm_width_nodes_m.iter().map(|&(x, w)| [x, w]);
            run.write_csv("hm_width.csv", Csv::numbers(&["x_m", "hm_width_m"], nodes)?)?;
            let chart = Chart {
                title: format!(
                    "analog design: RMS error {:.2} % of the {:.1} um track",
                    a.rms_error * 100.0,
                    a.length_m * 1e6
                ),
                x_label: "pulse current (mA)".into(),
                y_label: "wall travel (um)".into(),
                series: vec![
                    Series {
                        label: "target".into(),
                        points: c.iter().map(|c| (c.0 * 1e3, c.1 * 1e6, 0.0)).collect(),
                        mark: Mark::Line,
                    },
                    Series {
                        label: "achieved (1D model)".into(),
                        points: c.iter().map(|c| (c.0 * 1e3, c.2 * 1e6, 0.0)).collect(),
                        mark: Mark::PointsWithErrors,
                    },
                ],
            };
            (chart, ["current_a", "target_travel_m", "achieved_travel_m"])
        }
    };
    run.write_csv("target_vs_achieved.csv", Csv::numbers(&header, c.iter().map(|c| [c.0, c.1, c.2]))?)?;
    write_chart(run, "target_vs_achieved", &chart)
}

/// The report for people.
pub fn print(report: &DesignReport, dir: &Path) {
    match &report.summary {
        Summary::Discrete(d) => {
            println!(
                "{} MTJs, {} levels: RMS error {:.2} %, max {:.2} % of full scale (tolerance {:.1} %); wire {:.2} um, R {:.2} kOhm; wrote {}",
                d.mtjs,
                d.levels,
                d.rms_error * 100.0,
                d.max_error * 100.0,
                d.tolerance * 100.0,
                d.wire_length_m * 1e6,
                d.wire_resistance_ohm / 1e3,
                dir.display()
            );
            println!("designed with the {} model; verified by the {}", d.design_model, d.verified_by);
            if let Some(why) = &d.dynamic_design_infeasible {
                println!("  no dynamic design: {why}");
            }
            if let (Some(dv), None) = (&d.dynamic_verification, &d.dynamic_design) {
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
            if let Some(m) = &d.monte_carlo {
                println!(
                    "Monte Carlo: {} devices, d2d {:.1} %, c2c {:.1} %: RMS error {:.2} +/- {:.2} %, yield {:.0} % within {:.1} %",
                    m.devices,
                    m.d2d * 100.0,
                    m.c2c * 100.0,
                    m.rms_mean * 100.0,
                    m.rms_std * 100.0,
                    m.yield_fraction * 100.0,
                    d.tolerance * 100.0
                );
            }
        }
        Summary::Analog(a) => println!(
            "analog design: RMS error {:.2} %, max {:.2} % of the track (tolerance {:.1} %); wrote {}",
            a.rms_error * 100.0,
            a.max_error * 100.0,
            a.tolerance * 100.0,
            dir.display()
        ),
    }
}
