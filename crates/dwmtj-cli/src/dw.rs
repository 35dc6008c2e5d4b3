//! `dwmtj dw`: one wall, one pulse, with the 1D model.

use crate::output::Num;
use crate::output::{Manifest, RunDir};
use crate::plot::{write_chart, Chart, Mark, Series};
use crate::DwArgs;
use anyhow::Result;
use dwmtj_core::wall_run::{self, RawWallRun};
use dwmtj_core::RawQuantity;
use std::process::ExitCode;

/// The flags as the library's raw wall run.
fn raw(a: &DwArgs) -> RawWallRun {
    let q = |s: &str| RawQuantity::Text(s.to_string());
    RawWallRun {
        material: a.material.clone(),
        set: a.set.clone(),
        current_density: q(&a.current_density),
        pulse: q(&a.pulse),
        rise: q(&a.rise),
        fall: a.fall.as_deref().map(q),
        hz: q(&a.hz),
        hx: q(&a.hx),
        hy: q(&a.hy),
        temperature: q(&a.temperature),
        width: q(&a.width),
        wall: a.wall.clone(),
        duration: a.duration.as_deref().map(q),
        oersted: a.oersted,
        sweep_to: a.sweep_to.as_deref().map(q),
        sweep_points: a.sweep_points,
        trials: a.trials,
        seed: a.seed,
        target: q(&a.target),
        dt: q(&a.dt),
        rtol: a.rtol,
    }
}

pub fn cmd_dw(a: &DwArgs) -> Result<ExitCode> {
    let material_file = std::path::Path::new(&a.material);
    let inputs: Vec<&std::path::Path> = if material_file.exists() { vec![material_file] } else { vec![] };
    if let Some(out) = &a.out {
        crate::output::check_target(out, a.force, crate::output::OutKind::Folder, &inputs)?;
    }
    let spec = raw(a).validate("--", None)?;
    let report = wall_run::run(&spec)?;
    let summary = serde_json::to_value(&report)?;
    let (drive, pulse_w, thermal) = (&spec.drive, spec.drive.pulse.width, spec.temperature > 0.0);
    let single_trajectory = &report.trajectory;
    if let Some(out) = &a.out {
        let run = RunDir::create(out, a.force, &inputs)?;
        let mut w = csv::Writer::from_path(run.path().join("trajectory.csv"))?;
        w.write_record(["t_s", "q_m", "phi_rad"])?;
        for &(t, qq, p) in single_trajectory {
            w.write_record([t.num(), qq.num(), p.num()])?;
        }
        w.flush()?;
        if report.trials > 1 {
            let mut w = csv::Writer::from_path(run.path().join("trials.csv"))?;
            w.write_record(["trial", "displacement_m", "final_velocity_m_per_s", "phi_rad"])?;
            for (k, o) in report.trial_outcomes.iter().enumerate() {
                w.write_record([k.to_string(), o.0.num(), o.1.num(), o.2.num()])?;
            }
            w.flush()?;
        }
        let pts = |f: fn(&(f64, f64, f64)) -> f64| single_trajectory.iter().map(|p| (p.0 * 1e9, f(p), 0.0)).collect::<Vec<_>>();
        write_chart(
            run.path(),
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
            run.path(),
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
            let mut w = csv::Writer::from_path(run.path().join("sweep.csv"))?;
            w.write_record([
                "current_density_a_per_m2",
                "displacement_m",
                "displacement_std_m",
                "final_velocity_m_per_s",
                "phi_rad",
            ])?;
            for r in sw {
                w.write_record(
                    [
                        r.current_density_a_per_m2,
                        r.displacement_m,
                        r.displacement_std_m,
                        r.final_velocity_m_per_s,
                        r.phi_rad,
                    ]
                    .map(|v| v.num()),
                )?;
            }
            w.flush()?;
            write_chart(
                run.path(),
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
        run.write_json("summary.json", &summary)?;
        Manifest::new(Some(spec.seed)).write(&run, "")?;
        run.finish()?;
    }
    if a.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        println!(
            "{} wall in {}: displacement {:.4} nm, final velocity {:.4} m/s, phi {:.4} rad{}",
            report.wall,
            report.material,
            report.displacement_m * 1e9,
            report.final_velocity_m_per_s,
            report.phi_rad,
            match (report.displacement_std_m, report.target_m, report.switching_probability) {
                (Some(sd), Some(target), Some(p)) => format!(
                    " (mean of {} trials; std {:.3} nm; P(>= {:.0} nm) = {:.3})",
                    report.trials,
                    sd * 1e9,
                    target * 1e9,
                    p
                ),
                _ => String::new(),
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}
