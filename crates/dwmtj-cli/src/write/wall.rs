//! A wall run's files: trajectory.csv, trials.csv, sweep.csv and their plots.

use crate::output::{Csv, Num, RunDir};
use crate::plot::{write_chart, Chart, Mark, Series};
use anyhow::Result;
use dwmtj_core::wall_run::{WallReport, WallRunSpec};

/// Write the data files and plots of `report` (summary.json and the manifest are the caller's).
pub fn write_wall(run: &RunDir, spec: &WallRunSpec, report: &WallReport) -> Result<()> {
    let (drive, pulse_w, thermal) = (&spec.drive, spec.drive.pulse.width, spec.temperature > 0.0);
    run.write_csv(
        "trajectory.csv",
        if report.tilt_trajectory.len() == report.trajectory.len() && !report.tilt_trajectory.is_empty() {
            Csv::numbers(
                &["t_s", "q_m", "phi_rad", "chi_rad"],
                report
                    .trajectory
                    .iter()
                    .zip(&report.tilt_trajectory)
                    .map(|(&(t, q, p), &c)| [t, q, p, c]),
            )?
        } else {
            Csv::numbers(&["t_s", "q_m", "phi_rad"], report.trajectory.iter().map(|&(t, q, p)| [t, q, p]))?
        },
    )?;
    if report.trials > 1 {
        let mut w = Csv::with_header(["trial", "displacement_m", "final_velocity_m_per_s", "phi_rad"])?;
        for (k, o) in report.trial_outcomes.iter().enumerate() {
            w.row([k.to_string(), o.0.num(), o.1.num(), o.2.num()])?;
        }
        run.write_csv("trials.csv", w)?;
    }
    let pts = |f: fn(&(f64, f64, f64)) -> f64| report.trajectory.iter().map(|p| (p.0 * 1e9, f(p), 0.0)).collect::<Vec<_>>();
    write_chart(
        run,
        "trajectory",
        &Chart {
            title: format!("wall position, J = {:.3e} A/m^2", drive.current_density),
            x_label: "time (ns)".into(),
            y_label: "position q (nm)".into(),
            series: vec![Series {
                label: "q(t)".into(),
                points: pts(|p| p.1 * 1e9),
                mark: Mark::Line,
            }],
        },
    )?;
    write_chart(
        run,
        "angle",
        &Chart {
            title: "wall angle".into(),
            x_label: "time (ns)".into(),
            y_label: "phi (rad)".into(),
            series: vec![Series {
                label: "phi(t)".into(),
                points: pts(|p| p.2),
                mark: Mark::Line,
            }],
        },
    )?;
    if let Some(sw) = &report.sweep {
        let header = [
            "current_density_a_per_m2",
            "displacement_m",
            "displacement_std_m",
            "final_velocity_m_per_s",
            "phi_rad",
        ];
        let rows = sw.iter().map(|r| {
            [
                r.current_density_a_per_m2,
                r.displacement_m,
                r.displacement_std_m,
                r.final_velocity_m_per_s,
                r.phi_rad,
            ]
        });
        run.write_csv("sweep.csv", Csv::numbers(&header, rows)?)?;
        write_chart(
            run,
            "sweep",
            &Chart {
                title: format!("travel in one {:.3} ns pulse", pulse_w * 1e9),
                x_label: "current density (1e11 A/m^2)".into(),
                y_label: "displacement (nm)".into(),
                series: vec![Series {
                    label: if thermal {
                        format!("mean of {} trials", report.trials)
                    } else {
                        "deterministic".into()
                    },
                    points: sw
                        .iter()
                        .map(|r| {
                            (
                                r.current_density_a_per_m2 * 1e-11,
                                r.displacement_m * 1e9,
                                r.displacement_std_m * 1e9,
                            )
                        })
                        .collect(),
                    mark: if thermal { Mark::PointsWithErrors } else { Mark::Line },
                }],
            },
        )?;
    }
    Ok(())
}
