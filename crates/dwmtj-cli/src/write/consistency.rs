//! `reproduce consistency`: the three model levels' tables, plots, device and run files.

use crate::output::{Csv, Manifest, RunDir};
use crate::plot::{write_chart, Chart, Mark, Series};
use anyhow::Result;
use dwmtj_design::consistency::Consistency;

pub fn write_consistency(run: &RunDir, c: &Consistency) -> Result<()> {
    run.write_csv(
        "consistency/velocity.csv",
        Csv::numbers(
            &[
                "current_density_a_per_m2",
                "micromagnetic_m_per_s",
                "wall_1d_m_per_s",
                "wall_1d_tilted_m_per_s",
                "wall_1d_steady_m_per_s",
                "threshold_model_m_per_s",
            ],
            c.velocity.iter().map(|r| {
                [
                    r.current_density_a_per_m2,
                    r.micromagnetic_m_per_s,
                    r.wall_1d_m_per_s,
                    r.wall_1d_tilted_m_per_s,
                    r.wall_1d_steady_m_per_s,
                    r.threshold_m_per_s,
                ]
            }),
        )?,
    )?;
    let nan = |v: Option<f64>| v.unwrap_or(f64::NAN);
    run.write_csv(
        "consistency/thresholds.csv",
        Csv::numbers(
            &[
                "mtj",
                "stray_field_a_per_m",
                "quasi_static_a_per_m2",
                "threshold_model_ramp_a_per_m2",
                "wall_1d_ramp_a_per_m2",
                "micromagnetic_ramp_a_per_m2",
            ],
            c.thresholds.iter().map(|r| {
                [
                    r.mtj as f64,
                    r.stray_field_a_per_m,
                    r.quasi_static_a_per_m2,
                    nan(r.threshold_a_per_m2),
                    nan(r.wall_1d_a_per_m2),
                    nan(r.micromagnetic_a_per_m2),
                ]
            }),
        )?,
    )?;
    run.write_csv(
        "consistency/ramp.csv",
        Csv::numbers(
            &["mtj", "j_over_j_c", "wall_1d_from_rest_m", "micromagnetic_from_rest_m"],
            c.ramp.iter().map(|&(k, j, a, b)| [k as f64, j, a, b]),
        )?,
    )?;
    let mut t = Csv::with_header([
        "pulse",
        "current_density_a_per_m2",
        "current_a",
        "level",
        "mtj1",
        "mtj2",
        "mtj3",
        "resistance_ohm",
    ])?;
    for r in &c.transfer {
        for (level, f, res) in [
            ("threshold", &r.threshold, r.resistance_ohm[0]),
            ("1d", &r.wall_1d, r.resistance_ohm[1]),
            ("micromagnetic", &r.micromagnetic, r.resistance_ohm[2]),
        ] {
            t.row([
                r.pulse.to_string(),
                format!("{:e}", r.current_density_a_per_m2),
                format!("{:e}", r.current_a),
                level.to_string(),
                format!("{}", f[0]),
                format!("{}", f[1]),
                format!("{}", f[2]),
                format!("{res}"),
            ])?;
        }
    }
    run.write_csv("consistency/transfer.csv", t)?;
    // Velocity against J.
    let v = |f: &dyn Fn(&dwmtj_design::consistency::VelocityRow) -> f64| -> Vec<(f64, f64, f64)> {
        c.velocity.iter().map(|r| (r.current_density_a_per_m2 / 1e11, f(r), 0.0)).collect()
    };
    write_chart(
        run,
        "consistency/velocity",
        &Chart {
            title: format!(
                "Wall velocity, {:.0} nm strip without pinning, {:.1} ns runs",
                c.params.width * 1e9,
                c.params.velocity_time * 1e9
            ),
            x_label: "heavy-metal current density (1e11 A/m^2)".into(),
            y_label: "velocity (m/s)".into(),
            series: vec![
                Series {
                    label: "micromagnetics".into(),
                    points: v(&|r| r.micromagnetic_m_per_s),
                    mark: Mark::PointsWithErrors,
                },
                Series {
                    label: "1D (q, phi), same window".into(),
                    points: v(&|r| r.wall_1d_m_per_s),
                    mark: Mark::Line,
                },
                Series {
                    label: "1D with tilt (q, phi, chi), same window".into(),
                    points: v(&|r| r.wall_1d_tilted_m_per_s),
                    mark: Mark::Line,
                },
                Series {
                    label: "1D steady (30 ns)".into(),
                    points: v(&|r| r.wall_1d_steady_m_per_s),
                    mark: Mark::PointsWithErrors,
                },
                Series {
                    label: "threshold model's law (steady)".into(),
                    points: v(&|r| r.threshold_m_per_s),
                    mark: Mark::Dashed,
                },
            ],
        },
    )?;
    // Each MTJ's ramp: the wall's travel from rest against J / J_c.
    let mut series = Vec::new();
    for k in 1..=3 {
        let pts = |f: &dyn Fn(&dwmtj_design::consistency::RampPoint) -> f64| -> Vec<(f64, f64, f64)> {
            c.ramp.iter().filter(|r| r.0 == k).map(|r| (r.1, f(r) * 1e9, 0.0)).collect()
        };
        series.push(Series {
            label: format!("MTJ {k}: micromagnetics"),
            points: pts(&|r| r.3),
            mark: Mark::Line,
        });
        series.push(Series {
            label: format!("MTJ {k}: 1D"),
            points: pts(&|r| r.2),
            mark: Mark::Dashed,
        });
    }
    write_chart(
        run,
        "consistency/ramp",
        &Chart {
            title: format!(
                "Depinning on a {:.0} ns current ramp (threshold model's J_c at 1)",
                c.params.ramp_time * 1e9
            ),
            x_label: "J / J_c (quasi-static, threshold model)".into(),
            y_label: "wall travel from rest (nm)".into(),
            series,
        },
    )?;
    // The transfer curve.
    let level = |i: usize| -> Vec<(f64, f64, f64)> {
        c.transfer
            .iter()
            .map(|r| (r.current_density_a_per_m2 / 1e11, r.resistance_ohm[i] / 1e3, 0.0))
            .collect()
    };
    write_chart(
        run,
        "consistency/transfer",
        &Chart {
            title: format!("3-MTJ device after each {:.0} ns pulse (from reset)", c.params.pulse.width * 1e9),
            x_label: "pulse current density (1e11 A/m^2)".into(),
            y_label: "read resistance (kOhm)".into(),
            series: vec![
                Series {
                    label: "micromagnetics".into(),
                    points: level(2),
                    mark: Mark::PointsWithErrors,
                },
                Series {
                    label: "1D".into(),
                    points: level(1),
                    mark: Mark::Line,
                },
                Series {
                    label: "threshold model".into(),
                    points: level(0),
                    mark: Mark::Dashed,
                },
            ],
        },
    )?;
    run.write_text("consistency/device.toml", &c.device_toml)?;
    for (name, text) in &c.run_files {
        run.write_text(&format!("consistency/micromag/{name}"), text)?;
    }
    run.write_json("consistency/summary.json", c)?;
    Manifest::new(None).write(run, "consistency")
}
