//! `dwmtj micromag`: run a 2D micromagnetic problem and write its table, OVF snapshots and maps.

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
    /// Run file (TOML: [mesh], [material], [drive], [initial], [run], any number of [[region]];
    /// every key is documented in crates/dwmtj-micromag/src/config.rs; see configs/micromag/).
    pub config: PathBuf,
    #[arg(long)]
    pub out: PathBuf,
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

/// Where an interrupted run keeps its checkpoint: next to the output, `OUT.interrupted`.
pub fn interrupted_path(out: &std::path::Path) -> PathBuf {
    let mut name = out.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".interrupted");
    out.with_file_name(name)
}

/// Writes the run state into the temporary run folder every `every` seconds, atomically.
struct FolderCheckpoints<'a> {
    dir: PathBuf,
    config_text: &'a str,
    samples: usize,
    every: std::time::Duration,
    last: std::time::Instant,
}

impl FolderCheckpoints<'_> {
    fn write(&self, state: &run::RunState) -> Result<()> {
        let _writing = crate::interrupt::writing();
        let new = self.dir.with_extension("new");
        let old = self.dir.with_extension("old");
        let _ = std::fs::remove_dir_all(&new);
        std::fs::create_dir_all(&new)?;
        std::fs::write(new.join("checkpoint.bin"), state.to_bytes(self.samples))?;
        std::fs::write(new.join("config.toml"), self.config_text)?;
        std::fs::write(
            new.join("README.txt"),
            format!(
                "An interrupted dwmtj micromagnetic run, stopped after {} of {} samples (t = {:e} s).\n\
                 Continue it with the same command and --resume; remove this folder to discard it.\n",
                state.samples_done, self.samples, state.integrator.t
            ),
        )?;
        std::fs::write(
            new.join("manifest.json"),
            serde_json::to_string_pretty(
                &json!({"tool": "dwmtj", "kind": "micromag checkpoint", "command": std::env::args().collect::<Vec<_>>()}),
            )?,
        )?;
        if self.dir.exists() {
            std::fs::rename(&self.dir, &old)?;
        }
        std::fs::rename(&new, &self.dir)?;
        let _ = std::fs::remove_dir_all(&old);
        Ok(())
    }
}

impl run::Checkpoints for FolderCheckpoints<'_> {
    fn due(&mut self, _: usize) -> bool {
        self.last.elapsed() >= self.every
    }
    fn save(&mut self, state: &run::RunState) {
        if let Err(e) = self.write(state) {
            eprintln!("warning: could not write the checkpoint: {e:#}");
        }
        self.last = std::time::Instant::now();
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
    let every =
        dwmtj_core::quantity::RawQuantity::Text(args.checkpoint_every.clone()).to_si(dwmtj_core::units::Dim::TIME, "--checkpoint-every")?;
    if every <= 0.0 {
        anyhow::bail!("--checkpoint-every {:?}: must be > 0", args.checkpoint_every);
    }
    let interrupted = interrupted_path(&args.out);
    let resume = if args.resume {
        let saved = std::fs::read_to_string(interrupted.join("config.toml"))
            .with_context(|| format!("--resume: no checkpoint of an interrupted run at {}", interrupted.display()))?;
        if saved != text {
            anyhow::bail!(
                "--resume: {} changed since the run in {} was interrupted; resume with the same run file",
                args.config.display(),
                interrupted.display()
            );
        }
        let bytes = std::fs::read(interrupted.join("checkpoint.bin"))
            .with_context(|| format!("--resume: cannot read {}", interrupted.join("checkpoint.bin").display()))?;
        Some(run::RunState::from_bytes(&bytes, &spec).with_context(|| format!("--resume: {}", interrupted.display()))?)
    } else {
        if interrupted.exists() && !args.force {
            anyhow::bail!(
                "{} holds an interrupted run of this output: continue it with --resume, or pass --force to discard it",
                interrupted.display()
            );
        }
        None
    };
    let run = RunDir::create(&args.out, args.force, &[args.config.as_path()])?;
    let checkpoint_dir = run.path().join(".checkpoint");
    crate::interrupt::keep_on_interrupt(
        run.path(),
        &checkpoint_dir,
        &interrupted,
        &format!(
            "continue with: dwmtj micromag {} --out {} --resume",
            args.config.display(),
            args.out.display()
        ),
    );
    let mut checkpoints = FolderCheckpoints {
        dir: checkpoint_dir.clone(),
        config_text: &text,
        samples: spec.samples,
        every: std::time::Duration::from_secs_f64(every),
        last: std::time::Instant::now(),
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
    if checkpoint_dir.exists() {
        std::fs::remove_dir_all(&checkpoint_dir).with_context(|| format!("cannot remove {}", checkpoint_dir.display()))?;
    }
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
    if interrupted.exists() {
        // The checkpoint was resumed (or discarded with --force): the run is complete.
        std::fs::remove_dir_all(&interrupted).with_context(|| format!("cannot remove {}", interrupted.display()))?;
    }
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
