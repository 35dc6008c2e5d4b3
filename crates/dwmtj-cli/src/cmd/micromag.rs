//! `dwmtj micromag`: run a 2D micromagnetic problem and write its table, OVF snapshots and maps.

use crate::checkpoint::{self, CheckpointFolder};
use crate::output::{Manifest, RunDir};
use anyhow::{Context, Result};
use dwmtj_core::resources::on_worker_pool;
use dwmtj_micromag::ovf::OvfFormat;
use dwmtj_micromag::{config, run};
use std::path::PathBuf;
use std::process::ExitCode;

/// Run a micromagnetic problem (finite-difference LLG on a wire, disk or film of one or more
/// layers: exchange, uniaxial anisotropy, interfacial DMI with its boundary condition,
/// Newell FFT demag or the thin-film local form, Zeeman with pulses or AC fields,
/// damping- and field-like SOT and the Oersted field of the heavy-metal current, the thermal
/// field; regions with their own material, stray fields and MTJ readout) and write
/// table.csv (time, `<m>`, energies, wall position and velocity, region `<m>` and MTJ
/// conductances), OVF 2.0 snapshots, an m_z map and summary.json.
///
/// Examples (configs/micromag/): sp4a.toml, sp4b.toml (muMAG standard problem 4),
/// dmi-1d.toml and skyrmion.toml (the DMI standard problem), field-wall.toml (Walker),
/// sot-wall.toml, mtj-readout.toml (regions, pulses, Oersted field), layers.toml.
///
/// Example: dwmtj micromag configs/micromag/mtj-readout.toml --out runs/mm
#[derive(clap::Args, Debug)]
pub struct Args {
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
    #[arg(long, value_enum, default_value_t = Format::Binary4)]
    pub format: Format,
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

/// OVF 2.0 data formats.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// 4-byte IEEE floats (mumax3's default).
    Binary4,
    /// 8-byte IEEE floats (exact).
    Binary8,
    /// Text, one cell per line.
    Text,
}

impl Format {
    fn name(self) -> &'static str {
        match self {
            Self::Binary4 => "binary4",
            Self::Binary8 => "binary8",
            Self::Text => "text",
        }
    }
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

pub fn run(args: &Args) -> Result<ExitCode> {
    let text = std::fs::read_to_string(&args.config).with_context(|| format!("cannot read {}", args.config.display()))?;
    let (_, spec) = config::parse(&text, &args.config.display().to_string())?;
    let format = match args.format {
        Format::Binary4 => OvfFormat::Binary4,
        Format::Binary8 => OvfFormat::Binary8,
        Format::Text => OvfFormat::Text,
    };
    let every = checkpoint::parse_every(&args.checkpoint_every)?;
    let fingerprint = format!("dwmtj micromag\nformat = {}\n{text}", args.format.name());
    let resume = match checkpoint::resume_bytes(&args.out, args.resume, args.force, &fingerprint)? {
        Some(bytes) => Some(run::RunState::from_bytes(&bytes, &spec).context("--resume")?),
        None => None,
    };
    let mut run = RunDir::create(&args.out, args.force, &[args.config.as_path()])?;
    // A resumed (or, with --force, discarded) checkpoint goes once the results are in place.
    run.discard_on_finish(checkpoint::interrupted_path(&args.out));
    let mut checkpoints = MicromagCheckpoints {
        folder: CheckpointFolder::new(run.temp_path(), &args.out, fingerprint, every, &checkpoint::resume_command()),
        samples: spec.samples,
    };
    let pb = crate::progress::Fraction::new(&spec.name);
    let t0 = std::time::Instant::now();
    // On a pool worker, so the solver's parallel stages do not each wake a thread.
    let out = on_worker_pool(|| run::run_resumable(&spec, &|f| pb.set(f), resume, &mut checkpoints));
    pb.finish();
    let wall_s = t0.elapsed().as_secs_f64();
    crate::write::micromag::write_micromag(&run, &spec, &out, format)?;
    let summary = out.summary(&spec, wall_s);
    run.write_json("summary.json", &serde_json::to_value(&summary)?)?;
    run.write_text("config.toml", &text)?;
    Manifest::new(None).write(&run, "")?;
    let dir = run.finish()?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&serde_json::to_value(&summary)?)?);
    } else {
        println!(
            "{}: {} cells, {} steps ({} RHS evaluations) in {:.1} s; wall moved {:.3} nm; final <m> = ({:.4}, {:.4}, {:.4})",
            spec.name,
            spec.mesh.cells(),
            out.stats.steps,
            out.stats.rhs_evals,
            wall_s,
            summary.wall_displacement_m * 1e9,
            summary.final_m[0],
            summary.final_m[1],
            summary.final_m[2]
        );
        println!("  wrote {}", dir.display());
    }
    Ok(ExitCode::SUCCESS)
}
