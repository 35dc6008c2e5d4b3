//! The reproduced figures' files: CSV data, plots, summary.json and a manifest per figure.

use crate::output::{Csv, Manifest, Num, RunDir};
use crate::plot::{write_chart, Chart, Mark, Series};
use anyhow::Result;
use dwmtj_design::paper::{self, Figure};

pub fn write_energy(run: &RunDir, report: &paper::EnergyReport, figures: &[&Figure]) -> Result<()> {
    let mut w = Csv::with_header(["source", "item", "current_a", "pulse_s", "energy_j"])?;
    for &(p, i, e) in &report.prototype {
        w.row([
            "paper prototype 5.2 kOhm".to_string(),
            format!("{:.2} mW", p * 1e3),
            i.num(),
            "8e-9".into(),
            e.num(),
        ])?;
    }
    for fig in figures {
        for m in &fig.simulation.mtjs {
            if let (Some(i), Some(e)) = (m.switching_current_a, m.switching_energy_j) {
                w.row([
                    fig.id.clone(),
                    format!("MTJ {}", m.mtj),
                    i.num(),
                    fig.program.pulse.width.num(),
                    e.num(),
                ])?;
            }
        }
    }
    for s in &report.scaled {
        w.row([
            "scaled 20 nm, fixed pulse".to_string(),
            format!("{}x J_th", s.multiplier),
            s.current_a.num(),
            report.scaling.pulse_width.num(),
            s.energy_fixed_pulse_j.num(),
        ])?;
        w.row([
            "scaled 20 nm, pulse ~ 1/J".to_string(),
            format!("{}x J_th", s.multiplier),
            s.current_a.num(),
            s.pulse_scaled_s.num(),
            s.energy_scaled_pulse_j.num(),
        ])?;
    }
    run.write_csv("energy/energy.csv", w)?;
    // E(I) = I^2 R tau for the 5.2 kOhm, 8 ns prototype, with the paper's two points and each
    // simulated MTJ's switching energy.
    let curve: Vec<(f64, f64, f64)> = (0..=70)
        .map(|k| {
            let i = f64::from(k) * 10e-6;
            (i * 1e6, i * i * 5.2e3 * 8e-9 * 1e12, 0.0)
        })
        .collect();
    let mut series = vec![
        Series {
            label: "E = I^2 (5.2 kOhm) (8 ns)".into(),
            points: curve,
            mark: Mark::Line,
        },
        Series {
            label: "paper: 0.15 mW -> 1.2 pJ, 2.0 mW -> 16 pJ".into(),
            points: report.prototype.iter().map(|&(_, i, e)| (i * 1e6, e * 1e12, 0.0)).collect(),
            mark: Mark::PointsWithErrors,
        },
    ];
    for fig in figures {
        series.push(Series {
            label: format!("{} MTJ switching energies", fig.id),
            points: fig
                .simulation
                .mtjs
                .iter()
                .filter_map(|m| Some((m.switching_current_a? * 1e6, m.switching_energy_j? * 1e12, 0.0)))
                .collect(),
            mark: Mark::PointsWithErrors,
        });
    }
    write_chart(
        run,
        "energy/energy",
        &Chart {
            title: "Write energy per 8 ns pulse".into(),
            x_label: "pulse current (uA)".into(),
            y_label: "energy (pJ)".into(),
            series,
        },
    )?;
    run.write_json("energy/summary.json", report)?;
    Manifest::new(None).write(run, "energy")?;
    Ok(())
}

pub fn write_fig3b(run: &RunDir, fig: &paper::ThresholdFigure) -> Result<()> {
    run.write_csv("fig3b/threshold.csv", Csv::records(&fig.points)?)?;
    let oe = |h: f64| h * 4.0 * std::f64::consts::PI / 1000.0;
    let series = vec![
        Series {
            label: "1D model, 20 ns pulses (wall crosses half the footprint)".into(),
            points: fig
                .points
                .iter()
                .map(|p| (oe(p.field_a_per_m), p.j_switch_a_per_m2 / 1e11, 0.0))
                .collect(),
            mark: Mark::PointsWithErrors,
        },
        Series {
            label: "quasi-static 2 (H_dep - H) / (pi chi_SL cos phi)".into(),
            points: fig
                .points
                .iter()
                .map(|p| (oe(p.field_a_per_m), p.j_quasi_static_a_per_m2 / 1e11, 0.0))
                .collect(),
            mark: Mark::Dashed,
        },
    ];
    write_chart(
        run,
        "fig3b/threshold",
        &Chart {
            title: "Fig. 3b: 200 nm x 400 nm MTJ, switching current density vs bias".into(),
            x_label: "net perpendicular field assisting the reversal (Oe)".into(),
            y_label: "switching J_HM (1e11 A/m^2)".into(),
            series,
        },
    )?;
    run.write_json("fig3b/summary.json", fig)?;
    Manifest::new(None).write(run, "fig3b")
}

pub fn write_fig5b(run: &RunDir, fig: &paper::AnalogFigure) -> Result<()> {
    run.write_csv("fig5b/travel.csv", Csv::records(&fig.points)?)?;
    run.write_csv(
        "fig5b/pt_width.csv",
        Csv::numbers(&["x_m", "pt_width_m"], fig.pt_width_nodes.iter().map(|&(x, w)| [x, w]))?,
    )?;
    let t = &fig.target;
    let designed: Vec<(f64, f64, f64)> = (0..=100)
        .map(|k| {
            let i = t.i_lo + (t.i_hi - t.i_lo) * f64::from(k) / 100.0;
            (i * 1e3, t.travel(i) * 1e6, 0.0)
        })
        .collect();
    write_chart(
        run,
        "fig5b/travel",
        &Chart {
            title: format!(
                "Fig. 5b: Pt/CoTb analog sigmoid, {:.0} ns pulses, {} trials at {:.0} K",
                fig.pulse_s * 1e9,
                fig.trials,
                fig.temperature_k
            ),
            x_label: "pulse current (mA)".into(),
            y_label: "wall travel (um)".into(),
            series: vec![
                Series {
                    label: "1D model (mean +/- std)".into(),
                    points: fig
                        .points
                        .iter()
                        .map(|p| (p.current_a * 1e3, p.travel_mean_m * 1e6, p.travel_std_m * 1e6))
                        .collect(),
                    mark: Mark::PointsWithErrors,
                },
                Series {
                    label: "designed shifted sigmoid".into(),
                    points: designed,
                    mark: Mark::Line,
                },
            ],
        },
    )?;
    write_chart(
        run,
        "fig5b/pt_width",
        &Chart {
            title: "Designed Pt width (dynamic design, docs/physics.md 7.2)".into(),
            x_label: "position x (um)".into(),
            y_label: "Pt width (um)".into(),
            series: vec![Series {
                label: "w(x)".into(),
                points: fig.pt_width_nodes.iter().map(|&(x, wd)| (x * 1e6, wd * 1e6, 0.0)).collect(),
                mark: Mark::Line,
            }],
        },
    )?;
    run.write_json("fig5b/summary.json", fig)?;
    Manifest::new(Some(5)).write(run, "fig5b")
}

/// The Discussion's scaled-device numbers: power per MTJ, MgO thickness, retention trade-off.
pub fn write_scaling(run: &RunDir, fig: &dwmtj_design::paper_scaling::ScalingFigure) -> Result<()> {
    run.write_csv("scaling/power.csv", Csv::records(&fig.powers)?)?;
    run.write_csv("scaling/mgo.csv", Csv::records(&fig.mgo)?)?;
    run.write_csv("scaling/tradeoff.csv", Csv::records(&fig.tradeoff)?)?;
    let mgo: Vec<(f64, f64, f64)> = fig
        .mgo
        .iter()
        .map(|r| (r.thickness_m * 1e9, (r.r_scaled_ohm / 1e6).log10(), 0.0))
        .collect();
    let band = |y: f64| Series {
        label: format!("{} MOhm", 10f64.powf(y)),
        points: vec![(1.0, y, 0.0), (2.2, y, 0.0)],
        mark: Mark::Dashed,
    };
    write_chart(
        run,
        "scaling/mgo",
        &Chart {
            title: "20 nm x 10 nm MTJ: P-state resistance vs MgO thickness".into(),
            x_label: "MgO thickness (nm)".into(),
            y_label: "log10(R_P / 1 MOhm)".into(),
            series: vec![
                Series {
                    label: format!(
                        "RA = {:.0} Ohm um^2 exp((t - {:.1} nm)/{:.3} nm)",
                        fig.barrier.ra_ref * 1e12,
                        fig.barrier.t_ref * 1e9,
                        fig.barrier.decay * 1e9
                    ),
                    points: mgo,
                    mark: Mark::Line,
                },
                band(0.0),
                band(1.0),
            ],
        },
    )?;
    let tradeoff = |label: &str, e: &dyn Fn(&dwmtj_design::paper_scaling::TradeoffRow) -> f64| Series {
        label: label.into(),
        points: fig.tradeoff.iter().map(|r| (r.retention_s.log10(), e(r) * 1e15, 0.0)).collect(),
        mark: Mark::Line,
    };
    let ten_years = dwmtj_core::scaled::TEN_YEARS_S.log10();
    let e_max = fig.tradeoff.iter().map(|r| r.energy_4x_j).fold(0.0, f64::max) * 1e15;
    write_chart(
        run,
        "scaling/tradeoff",
        &Chart {
            title: "Energy per event vs retention, wires 15-100 nm wide".into(),
            x_label: "log10(retention time / s), tau_0 exp(Delta)".into(),
            y_label: "energy per synaptic event (fJ)".into(),
            series: vec![
                tradeoff("2x prototype J_th", &|r| r.energy_2x_j),
                tradeoff("4x prototype J_th", &|r| r.energy_4x_j),
                Series {
                    label: "10 years".into(),
                    points: vec![(ten_years, 0.0, 0.0), (ten_years, e_max, 0.0)],
                    mark: Mark::Dashed,
                },
            ],
        },
    )?;
    run.write_json("scaling/summary.json", fig)?;
    Manifest::new(None).write(run, "scaling")
}
