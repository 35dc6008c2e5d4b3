//! A sweep's files: each point's run folder (what its single command writes), the table
//! (sweep.csv, sweep.json) and its plots (plots/: a line per result against one axis, heat maps
//! over two).

use crate::output::{write_own_file, Manifest, RunDir};
use crate::plot::{write_chart, write_heatmap, Chart, Heatmap, Mark, Series};
use anyhow::Result;
use dwmtj_micromag::ovf::OvfFormat;
use dwmtj_sweep::kind::{Kind, Outcome};
use dwmtj_sweep::spec::{Mode, Scale, Sweep};
use dwmtj_sweep::table::Table;
use std::path::Path;

/// Write a point's outcome into its run folder, as `dwmtj simulate|dw|design|micromag|train`
/// would (the same writers, the same summary.json).
pub fn write_outcome(run: &RunDir, outcome: &Outcome) -> Result<()> {
    let summary = outcome.summary()?;
    match outcome {
        Outcome::Device(b) => {
            crate::write::transfer::write_transfer(run, "", &b.0, &b.1, &b.2, &[], None)?;
            return Ok(());
        }
        Outcome::Field(b) => {
            crate::write::field::write_field_run(run, "", &b.0, &b.1, &b.2, &b.3, &b.4, None)?;
            return Ok(());
        }
        Outcome::Wall(b) => crate::write::wall::write_wall(run, &b.0, &b.1)?,
        Outcome::Design(r) => crate::write::design::write_design(run, r)?,
        Outcome::Micromag(b) => {
            crate::write::micromag::write_micromag(run, &b.0, &b.2, OvfFormat::Binary4)?;
        }
        Outcome::Train(b) => {
            crate::write::training::write_metrics(run, "", &b.1)?;
            crate::write::training::write_common(run, &b.0.raw, &b.0.config)?;
        }
    }
    run.write_json("summary.json", &summary)?;
    if let Outcome::Micromag(b) = outcome {
        run.write_text("config.toml", &b.1)?;
    }
    Manifest::new(outcome.seed()).write(run, "")
}

/// The results plotted, per kind, where they vary (where none does, any varying numeric result).
fn headline(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Device => &[
            "levels.positive",
            "levels.negative",
            "levels.up",
            "levels.down",
            "r_all_p_ohm",
            "r_all_ap_ohm",
            "energy.min_switching_energy_j",
            "energy.max_switching_energy_j",
            // Field-swept programs: the first footprint's and the bare wire's loops.
            "regions[1].coercivity_a_per_m",
            "regions[1].offset_a_per_m",
            "regions[2].coercivity_a_per_m",
        ],
        Kind::Wall => &["displacement_m", "final_velocity_m_per_s", "switching_probability", "phi_rad"],
        Kind::Design => &["rms_error", "max_error", "dynamic.rms_error", "monte_carlo.yield_fraction"],
        Kind::Micromag => &["wall_displacement_m", "wall_velocity_m_per_s", "final_m[3]", "final_energy_j"],
        Kind::Train => &["test_accuracy", "train_accuracy", "energy_j", "latency_s"],
    }
}

/// At most this many plots per sweep.
const MAX_PLOTS: usize = 12;

/// Plot file stem of a column: its name with anything but letters, digits, `_`, `-`, `.` as `_`.
fn stem(column: &str) -> String {
    column
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The result columns to plot: numeric, not constant, headline ones first.
fn plotted(kind: Kind, t: &Table) -> Vec<usize> {
    let results = t.point_columns..t.columns.len() - 1;
    let varies = |c: usize| {
        let v: Vec<f64> = t.numbers(c).into_iter().flatten().collect();
        v.len() >= 2 && v.iter().any(|x| (x - v[0]).abs() > 1e-12 * v[0].abs().max(1e-300))
    };
    let mut cols: Vec<usize> = headline(kind)
        .iter()
        .filter_map(|h| t.columns.iter().position(|c| c == h))
        .filter(|&c| varies(c))
        .collect();
    if !cols.is_empty() {
        return cols;
    }
    for c in results {
        if cols.len() >= MAX_PLOTS {
            break;
        }
        // Per-entry columns of arrays of tables (mtjs[3].threshold_a) stay in the table only.
        if !cols.contains(&c) && !t.columns[c].contains("].") && varies(c) {
            cols.push(c);
        }
    }
    cols.truncate(MAX_PLOTS);
    cols
}

/// Write sweep.csv, sweep.json, the plots and the manifest of the sweep folder `dir`.
pub fn write_tables(dir: &Path, sweep: &Sweep, t: &Table, inputs: &[&Path]) -> Result<Vec<String>> {
    write_own_file(&dir.join("sweep.csv"), t.to_csv().as_bytes())?;
    let json = serde_json::to_string_pretty(&t.to_json(sweep))? + "\n";
    write_own_file(&dir.join("sweep.json"), json.as_bytes())?;
    let plots = write_plots(dir, sweep, t, inputs)?;
    Ok(plots)
}

fn write_plots(dir: &Path, sweep: &Sweep, t: &Table, inputs: &[&Path]) -> Result<Vec<String>> {
    // Axes that vary: a line per result for one, a heat map for a grid of two, else a scatter
    // plot of each result against each axis.
    let distinct = |c: usize| {
        let mut v: Vec<&String> = t.rows.iter().map(|r| &r[c]).collect();
        v.sort();
        v.dedup();
        v.len()
    };
    // A grid's axis varies when it has several values (the heat map's cell index depends on
    // the axis lengths); a random axis when its points differ.
    let varying: Vec<usize> = (0..sweep.axes.len())
        .filter(|&j| match sweep.mode {
            Mode::Random => distinct(1 + j) > 1,
            _ => sweep.axes[j].values.len() > 1,
        })
        .collect();
    let numeric = varying.iter().all(|&j| t.numbers(1 + j).iter().all(Option::is_some));
    let cols = plotted(sweep.kind, t);
    if cols.is_empty() || varying.is_empty() || !numeric {
        return Ok(Vec::new());
    }
    // The plots folder is a run folder of its own: written whole, replaced whole.
    let run = RunDir::create(&dir.join("plots"), true, inputs)?;
    let mut written = Vec::new();
    let axis_label = |j: usize| {
        let a = &sweep.axes[j];
        let log = a.range.as_ref().is_some_and(|r| r.scale == Scale::Log);
        let label = a.column();
        (if log { format!("log10 |{label}|") } else { label }, log)
    };
    if varying.len() == 2 && sweep.mode == Mode::Grid {
        let (xj, yj) = (varying[1], varying[0]);
        let (xa, ya) = (&sweep.axes[xj], &sweep.axes[yj]);
        let ((x_label, xlog), (y_label, ylog)) = (axis_label(xj), axis_label(yj));
        let coord = |a: &dwmtj_sweep::spec::Axis, log: bool| -> Vec<f64> {
            a.values
                .iter()
                .map(|v| {
                    let x = a.number(v).unwrap_or(f64::NAN);
                    if log {
                        x.abs().log10()
                    } else {
                        x
                    }
                })
                .collect()
        };
        let (xs, ys) = (coord(xa, xlog), coord(ya, ylog));
        // Cells need increasing coordinates; a descending axis is drawn reversed.
        let order = |c: &[f64]| {
            let mut o: Vec<usize> = (0..c.len()).collect();
            o.sort_by(|&a, &b| c[a].total_cmp(&c[b]));
            o
        };
        let (ox, oy) = (order(&xs), order(&ys));
        let (sx, sy): (Vec<f64>, Vec<f64>) = (ox.iter().map(|&i| xs[i]).collect(), oy.iter().map(|&j| ys[j]).collect());
        let increasing = |v: &[f64]| v.windows(2).all(|w| w[1] > w[0]);
        if increasing(&sx) && increasing(&sy) {
            // Axes of one value do not change the grid's strides: point = j * nx + i.
            let nx = xs.len();
            for &c in &cols {
                let v = t.numbers(c);
                let v = &v;
                let values: Vec<Option<f64>> = oy.iter().flat_map(|&j| ox.iter().map(move |&i| v[j * nx + i])).collect();
                let name = &t.columns[c];
                write_heatmap(
                    &run,
                    &stem(name),
                    &Heatmap {
                        title: format!("{}: {name}", sweep.name),
                        x_label: x_label.clone(),
                        y_label: y_label.clone(),
                        z_label: name.clone(),
                        xs: &sx,
                        ys: &sy,
                        values: &values,
                    },
                )?;
                written.push(format!("plots/{}.png", stem(name)));
            }
            Manifest::new(Some(sweep.seed)).write(&run, "")?;
            run.finish()?;
            return Ok(written);
        }
    }
    let one = varying.len() == 1;
    'plots: for &c in &cols {
        for &j in &varying {
            if written.len() >= MAX_PLOTS {
                break 'plots;
            }
            let (x_label, log) = axis_label(j);
            let xs = t.numbers(1 + j);
            let mut pts: Vec<(f64, f64, f64)> = xs
                .iter()
                .zip(t.numbers(c))
                .filter_map(|(x, y)| Some((x.map(|x| if log { x.abs().log10() } else { x })?, y?, 0.0)))
                .collect();
            pts.sort_by(|a, b| a.0.total_cmp(&b.0));
            let name = &t.columns[c];
            let file = if one {
                stem(name)
            } else {
                format!("{}_vs_{}", stem(name), stem(&sweep.axes[j].path.text))
            };
            write_chart(
                &run,
                &file,
                &Chart {
                    title: format!("{}: {name}", sweep.name),
                    x_label,
                    y_label: name.clone(),
                    series: vec![Series {
                        label: format!("{name} ({} points)", pts.len()),
                        points: pts,
                        // A line through a one-axis study; points where other axes vary too.
                        mark: if one { Mark::Line } else { Mark::PointsWithErrors },
                    }],
                },
            )?;
            written.push(format!("plots/{file}.png"));
        }
    }
    Manifest::new(Some(sweep.seed)).write(&run, "")?;
    run.finish()?;
    Ok(written)
}
