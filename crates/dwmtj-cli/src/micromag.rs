//! `dwmtj micromag`: run a 2D micromagnetic problem and write its table, OVF snapshots and maps.

use crate::checkpoint::{self, CheckpointFolder};
use crate::output::Num;
use crate::output::{Manifest, RunDir};
use crate::plot::{write_chart, write_map, Chart, Mark, Series};
use anyhow::{Context, Result};
use dwmtj_micromag::ovf::{self, OvfField, OvfFormat};
use dwmtj_micromag::system::Field3;
use dwmtj_micromag::{config, run};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct MicromagArgs {
    /// Run file (TOML: `[mesh]`, `[material]`, `[drive]`, `[initial]`, `[run]`, any number of `[[region]]`;
    /// every key is documented in docs/run-files.md; see configs/micromag/).
    pub config: PathBuf,
    /// Output folder (created; refused if it exists and is not empty, unless --force).
    #[arg(long)]
    pub out: PathBuf,
    /// Replace an earlier dwmtj run folder at --out (only one with a dwmtj manifest.json; never
    /// the current folder, an ancestor, $HOME or a folder holding an input).
    #[arg(long)]
    pub force: bool,
    /// OVF data format of the snapshots.
    #[arg(long, default_value = "binary4", value_parser = ["binary4", "binary8", "text"])]
    pub format: String,
    /// Print the summary as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// Continue an interrupted run from its checkpoint (OUT.interrupted, kept when the run was
    /// stopped by Ctrl-C or SIGTERM); the result is that of an uninterrupted run.
    #[arg(long)]
    pub resume: bool,
    /// Wall-clock time between checkpoints of the running state.
    #[arg(long, default_value = "300 s", allow_hyphen_values = true)]
    pub checkpoint_every: String,
}

/// The run's checkpoints, offered by the solver after every table row.
struct MicromagCheckpoints {
    folder: CheckpointFolder,
    samples: usize,
}

impl run::Checkpoints<run::RunState> for MicromagCheckpoints {
    fn due(&mut self, _: usize) -> bool {
        self.folder.due()
    }
    fn save(&mut self, state: &run::RunState) {
        let progress = format!(
            "after {} of {} samples (t = {:e} s)",
            state.samples_done, self.samples, state.integrator.t
        );
        self.folder.save(&state.to_bytes(self.samples), &progress);
    }
}

fn to_ovf(spec: &config::RunSpec, m: &Field3) -> OvfField {
    let mesh = &spec.mesh;
    OvfField {
        nodes: [mesh.nx, mesh.ny, mesh.nz],
        step: [mesh.dx, mesh.dy, mesh.dz],
        title: "m".into(),
        values: (0..mesh.cells()).map(|k| [m[0][k], m[1][k], m[2][k]]).collect(),
    }
}

pub fn cmd_micromag(args: &MicromagArgs) -> Result<ExitCode> {
    let text = std::fs::read_to_string(&args.config).with_context(|| format!("cannot read {}", args.config.display()))?;
    let (_, spec) = config::parse(&text, &args.config.display().to_string())?;
    let format = match args.format.as_str() {
        "binary8" => OvfFormat::Binary8,
        "text" => OvfFormat::Text,
        _ => OvfFormat::Binary4,
    };
    let every = checkpoint::parse_every(&args.checkpoint_every)?;
    let fingerprint = format!("dwmtj micromag\nformat = {}\n{text}", args.format);
    let resume = match checkpoint::resume_bytes(&args.out, args.resume, args.force, &fingerprint)? {
        Some(bytes) => Some(run::RunState::from_bytes(&bytes, &spec).context("--resume")?),
        None => None,
    };
    let mut run = RunDir::create(&args.out, args.force, &[args.config.as_path()])?;
    // A resumed (or, with --force, discarded) checkpoint goes once the results are in place.
    run.discard_on_finish(checkpoint::interrupted_path(&args.out));
    let mut checkpoints = MicromagCheckpoints {
        folder: CheckpointFolder::new(run.path(), &args.out, fingerprint, every, &checkpoint::resume_command()),
        samples: spec.samples,
    };
    let pb = if std::io::stderr().is_terminal() {
        let pb = ProgressBar::new(1000);
        pb.set_style(
            ProgressStyle::with_template("{msg} [{bar:40}] {percent}% ({eta})")
                .expect("template")
                .progress_chars("=> "),
        );
        pb.set_message(spec.name.clone());
        pb
    } else {
        ProgressBar::hidden()
    };
    let t0 = std::time::Instant::now();
    // On a pool worker, so the solver's parallel stages do not each wake a thread.
    let go = || run::run_resumable(&spec, &|f| pb.set_position((f * 1000.0) as u64), resume, &mut checkpoints);
    let out = match rayon::ThreadPoolBuilder::new().num_threads(rayon::current_num_threads()).build() {
        Ok(pool) => pool.install(go),
        Err(_) => go(),
    };
    pb.finish_and_clear();
    let wall_s = t0.elapsed().as_secs_f64();
    let _writing = crate::interrupt::writing();
    let dir = run.path();
    let mut w = csv::Writer::from_path(dir.join("table.csv"))?;
    let mut header: Vec<String> = [
        "t_s",
        "mx",
        "my",
        "mz",
        "e_total_j",
        "e_exchange_j",
        "e_anisotropy_j",
        "e_dmi_j",
        "e_demag_j",
        "e_zeeman_j",
        "wall_x_m",
        "wall_v_m_per_s",
    ]
    .map(String::from)
    .to_vec();
    for r in &spec.regions {
        header.extend(["mx", "my", "mz"].map(|c| format!("{c}_{}", r.name)));
    }
    for r in spec.regions.iter().filter(|r| r.mtj.is_some()) {
        header.push(format!("g_{}_s", r.name));
    }
    w.write_record(&header)?;
    for (k, r) in out.rows.iter().enumerate() {
        let v = if k > 0 {
            let p = &out.rows[k - 1];
            (r.wall_position - p.wall_position) / (r.t - p.t)
        } else {
            0.0
        };
        let e = &r.energy;
        let mut record: Vec<f64> = vec![
            r.t,
            r.m[0],
            r.m[1],
            r.m[2],
            e.total(),
            e.exchange,
            e.anisotropy,
            e.dmi,
            e.demag,
            e.zeeman,
            r.wall_position,
            v,
        ];
        record.extend(r.regions.iter().flatten());
        record.extend(r.conductance.iter().flatten());
        w.write_record(record.iter().map(|x| x.num()))?;
    }
    w.flush()?;
    let n = out.snapshots.len();
    for (k, (t, m)) in out.snapshots.iter().enumerate() {
        let name = if k + 1 == n {
            "m_final.ovf".to_string()
        } else {
            format!("m_{k:03}.ovf")
        };
        std::fs::write(
            dir.join(&name),
            ovf::write(&to_ovf(&spec, m), format, &format!("Total simulation time: {t:e} s")),
        )?;
    }
    let (tf, mf) = out.snapshots.last().expect("final state");
    write_map(
        dir,
        "mz",
        &if spec.mesh.nz > 1 {
            format!("m_z averaged over {} layers at t = {:.3} ns", spec.mesh.nz, tf * 1e9)
        } else {
            format!("m_z at t = {:.3} ns", tf * 1e9)
        },
        spec.mesh.nx,
        spec.mesh.ny,
        &(0..spec.mesh.plane())
            .map(|k| {
                let cells = (0..spec.mesh.nz).map(|l| l * spec.mesh.plane() + k);
                if spec.mesh.mask[k] {
                    cells.map(|q| mf[2][q]).sum::<f64>() / spec.mesh.nz as f64
                } else {
                    0.0
                }
            })
            .collect::<Vec<_>>(),
        (spec.mesh.nx as f64 * spec.mesh.dx * 1e9, spec.mesh.ny as f64 * spec.mesh.dy * 1e9),
        "nm",
    )?;
    write_chart(
        dir,
        "wall",
        &Chart {
            title: "Wall position".into(),
            x_label: "t (ns)".into(),
            y_label: "x (nm)".into(),
            series: vec![Series {
                label: "<m_z> wall position".into(),
                points: out.rows.iter().map(|r| (r.t * 1e9, r.wall_position * 1e9, 0.0)).collect(),
                mark: Mark::Line,
            }],
        },
    )?;
    let first = &out.rows[0];
    let last = out.rows.last().expect("rows");
    let k = out.rows.len().saturating_sub(1 + out.rows.len() / 5);
    let late = &out.rows[k];
    let summary = json!({
        "name": spec.name,
        "cells": spec.mesh.cells(),
        "magnetic_cells": spec.mesh.magnetic_cells(),
        "duration_s": spec.duration,
        "final_m": last.m,
        "final_region_m": spec.regions.iter().zip(&last.regions).zip(&last.conductance).map(|((r, m), g)| json!({"name": r.name, "m": m, "conductance_s": g})).collect::<Vec<_>>(),
        "final_energy_j": last.energy.total(),
        "wall_displacement_m": last.wall_position - first.wall_position,
        "wall_velocity_m_per_s": if last.t > late.t { (last.wall_position - late.wall_position) / (last.t - late.t) } else { 0.0 },
        "steps": out.stats.steps,
        "rejected_steps": out.stats.rejected,
        "rhs_evals": out.stats.rhs_evals,
        "relax_torque_t": out.relax_torque,
        "wall_time_s": wall_s,
        "ns_per_cell_eval": wall_s / (out.stats.rhs_evals.max(1) as f64 * spec.mesh.cells() as f64) * 1e9,
    });
    run.write_json("summary.json", &summary)?;
    run.write_text("config.toml", &text)?;
    Manifest::new(None).write(&run, "")?;
    drop(_writing);
    let dir = run.finish()?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        println!(
            "{}: {} cells, {} steps ({} RHS evaluations) in {:.1} s; wall moved {:.3} nm; final <m> = ({:.4}, {:.4}, {:.4})",
            spec.name,
            spec.mesh.cells(),
            out.stats.steps,
            out.stats.rhs_evals,
            wall_s,
            (last.wall_position - first.wall_position) * 1e9,
            last.m[0],
            last.m[1],
            last.m[2]
        );
        println!("  wrote {}", dir.display());
    }
    Ok(ExitCode::SUCCESS)
}
