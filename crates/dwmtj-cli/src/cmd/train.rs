//! `dwmtj train`: on-chip training of an MLP on crossbars of a device, with accuracy, energy
//! and latency (the arguments and the loading are shared with `dwmtj compare`).

use crate::output::{Manifest, RunDir};
use crate::write::training::{write_common, write_metrics};
use anyhow::{Context, Result};
use dwmtj_nn::config::Overrides;
use dwmtj_nn::network::{TrainResult, TrainState};
use dwmtj_nn::run::{prepare, summary, TrainRun};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Train an MLP on chip: weights on crossbar tiles of a synaptic device (DW-MTJ from a
/// device file, aihwkit analytic devices, NeuroSim presets, or float), aihwkit's periphery
/// (DAC/ADC, output noise, noise and bound management), an update scheme (stochastic
/// pulse coincidence, NeuroSim pulse count, mixed precision), and the DW sigmoid generator
/// or a digital activation. Writes metrics.csv per epoch, accuracy and loss plots, the
/// energy and latency breakdown and summary.json.
///
/// Example: dwmtj train configs/nn/mnist-mlp.toml --device float --epochs 5 --out runs/float --json
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Training configuration (TOML; see configs/nn/). Default: the built-in
    /// configs/nn/mnist-mlp.toml (784-256-128-10, DW-MTJ synapse pairs, mixed precision).
    pub config: Option<PathBuf>,
    /// Folder with train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and
    /// t10k-labels-idx1-ubyte (each optionally .gz): full MNIST, Fashion-MNIST, ...
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Synaptic device: float, dw-linear, dw-single, constant-step, soft-bounds, exp-step, or a
    /// NeuroSim preset (ag-a-si, taox-hfox, pcmo, alox-hfo2, gst-pcm, epiram, hzo-fefet).
    /// `compare` trains only this device when given.
    #[arg(long, allow_hyphen_values = true)]
    pub device: Option<String>,
    #[arg(long, allow_hyphen_values = true)]
    pub epochs: Option<usize>,
    #[arg(long, allow_hyphen_values = true)]
    pub seed: Option<u64>,
    /// Output folder (created; must not exist unless --force).
    #[arg(long)]
    pub out: PathBuf,
    /// Replace an earlier dwmtj run folder at --out (only one with a dwmtj manifest.json; never
    /// the current folder, an ancestor, $HOME or a folder holding an input).
    #[arg(long)]
    pub force: bool,
    /// Print the summary as JSON on stdout (test_accuracy, energy_j, ...).
    #[arg(long)]
    pub json: bool,
    /// train: continue an interrupted run from its checkpoint (OUT.interrupted, kept when the
    /// run was stopped by Ctrl-C or SIGTERM); the result is that of an uninterrupted run.
    #[arg(long)]
    pub resume: bool,
    /// train: wall-clock time between checkpoints (taken at the end of an epoch).
    #[arg(long, default_value = "300 s", allow_hyphen_values = true)]
    pub checkpoint_every: String,
    /// train: program an inference network from these weights instead of training, and
    /// evaluate it on the test images: a safetensors file, from an earlier run's
    /// weights.safetensors or from PyTorch (`nn.Linear` weights, outputs x inputs, named
    /// `*.weight` with optional `*.bias`, layers in name order).
    #[arg(long, conflicts_with = "resume")]
    pub weights: Option<PathBuf>,
    /// With --weights: also the test accuracy from 1 s to 1 year after programming,
    /// under aihwkit's PCM-like drift (with and without global drift compensation) and, for the
    /// DW-MTJ synapses, thermal flips of the Fig. 3f (200 x 400 nm) and of scaled 20 x 25 nm
    /// footprints (docs/nn.md 5).
    #[arg(long, requires = "weights")]
    pub over_time: bool,
}

/// What identifies a training run for --resume: the configuration and every override.
fn fingerprint(args: &Args) -> Result<String> {
    let text = match &args.config {
        Some(p) => std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))?,
        None => dwmtj_nn::run::BUILTIN_CONFIG.to_string(),
    };
    Ok(format!(
        "dwmtj train\ndata_dir = {:?}\ndevice = {:?}\nepochs = {:?}\nseed = {:?}\n{text}",
        args.data_dir, args.device, args.epochs, args.seed
    ))
}

/// The run's checkpoints, offered by the training loop after every epoch.
struct TrainCheckpoints {
    folder: crate::checkpoint::CheckpointFolder,
    sizes: Vec<(usize, usize)>,
    epochs: usize,
}

impl dwmtj_core::checkpoint::Checkpoints<TrainState> for TrainCheckpoints {
    fn due(&mut self, _: usize) -> bool {
        self.folder.due()
    }
    fn save(&mut self, state: &TrainState) {
        let progress = format!("after {} of {} epochs", state.epochs_done, self.epochs);
        self.folder.save(&state.to_bytes(&self.sizes), &progress);
    }
}

/// The files and folders a training run reads.
pub fn inputs(args: &Args) -> Vec<&Path> {
    args.config
        .iter()
        .chain(&args.data_dir)
        .chain(&args.weights)
        .map(PathBuf::as_path)
        .collect()
}

/// Validate the configuration with the flags applied, and load its data.
pub fn load(args: &Args) -> Result<TrainRun> {
    let o = Overrides {
        data_dir: args.data_dir.clone(),
        device: args.device.clone(),
        epochs: args.epochs,
        seed: args.seed,
    };
    Ok(match &args.config {
        Some(p) => {
            let text = std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))?;
            let base = p.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf);
            prepare(Some((&text, &p.display().to_string(), &base)), &o)?
        }
        None => prepare(None, &o)?,
    })
}

/// Train `device` with a progress bar.
pub fn run_one(
    run: &TrainRun,
    device: &dwmtj_nn::catalog::DeviceEntry,
    resume: Option<TrainState>,
    checkpoints: &mut (dyn dwmtj_core::checkpoint::Checkpoints<TrainState> + Send),
) -> Result<TrainResult> {
    let pb = crate::progress::bar(run.steps(), &device.name, "batches");
    if let Some(state) = &resume {
        pb.set_position(run.steps_of(state.epochs_done));
    }
    let r = run.train(
        device,
        &|n| {
            if n % 16 == 0 {
                pb.set_position(n);
            }
        },
        resume,
        checkpoints,
    );
    pb.finish_and_clear();
    Ok(r?)
}

pub fn run(args: &Args) -> Result<ExitCode> {
    if let Some(weights) = &args.weights {
        return run_inference(args, weights);
    }
    let prepared = load(args)?;
    let (cfg, data) = (&prepared.config, &prepared.data);
    let every = crate::checkpoint::parse_every(&args.checkpoint_every)?;
    let fingerprint = fingerprint(args)?;
    let sizes = prepared.plan.tiles.clone();
    let resume = match crate::checkpoint::resume_bytes(&args.out, args.resume, args.force, &fingerprint)? {
        Some(bytes) => Some(TrainState::from_bytes(&bytes, &sizes, data.train_y.len(), cfg.params.epochs).context("--resume")?),
        None => None,
    };
    let mut run = RunDir::create(&args.out, args.force, &inputs(args))?;
    // A resumed (or, with --force, discarded) checkpoint goes once the results are in place.
    run.discard_on_finish(crate::checkpoint::interrupted_path(&args.out));
    let mut checkpoints = TrainCheckpoints {
        folder: crate::checkpoint::CheckpointFolder::new(
            run.temp_path(),
            &args.out,
            fingerprint,
            every,
            &crate::checkpoint::resume_command(),
        ),
        sizes,
        epochs: cfg.params.epochs,
    };
    let t0 = std::time::Instant::now();
    let r = run_one(&prepared, &cfg.device, resume, &mut checkpoints)?;
    let mut summary = serde_json::to_value(summary(&r, cfg, data))?;
    summary["wall_time_s"] = json!(t0.elapsed().as_secs_f64());
    let crossbar = read_through_lines(&prepared, &r.layers, args.json)?;
    if let Some(c) = &crossbar {
        summary["crossbar"] = serde_json::to_value(c)?;
    }
    write_metrics(&run, "", &r)?;
    write_common(&run, &prepared.raw, cfg)?;
    run.write_bytes("weights.safetensors", &dwmtj_nn::interchange::write(&r.layers, &r.device)?)?;
    run.write_json("summary.json", &summary)?;
    Manifest::new(Some(cfg.params.seed)).write(&run, "")?;
    let dir = run.finish()?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        println!(
            "{} on {} ({} scheme, {:?}): test accuracy {:.2} % after {} epochs",
            cfg.name,
            r.device,
            r.scheme,
            r.sizes,
            100.0 * r.test_accuracy,
            r.epochs.len()
        );
        println!(
            "  training energy {:.3e} J ({:.3e} J/epoch: device writes {:.3e}, array reads {:.3e}, ADC {:.3e}, DAC {:.3e}, digital {:.3e}, neurons {:.3e}), latency {:.3e} s",
            r.training.total_j(),
            r.training.total_j() / r.epochs.len().max(1) as f64,
            r.training.device_write_j,
            r.training.array_read_j,
            r.training.adc_j,
            r.training.dac_j,
            r.training.digital_j,
            r.training.activation_j,
            r.training.latency_s()
        );
        println!(
            "  inference {:.3e} J and {:.3e} s per image",
            r.inference.total_j(),
            r.inference.latency_s()
        );
        if let Some(c) = &crossbar {
            print_crossbar(c);
        }
        println!("  wrote {}", dir.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// `--weights FILE`: program the network from a weights file and evaluate it.
fn run_inference(args: &Args, weights: &Path) -> Result<ExitCode> {
    let prepared = load(args)?;
    let (cfg, data) = (&prepared.config, &prepared.data);
    let sizes = prepared.plan.tiles.clone();
    let bytes = std::fs::read(weights).with_context(|| format!("cannot read --weights {}", weights.display()))?;
    let layers = dwmtj_nn::interchange::read(&bytes, &sizes).with_context(|| format!("--weights {}", weights.display()))?;
    crate::output::check_target(&args.out, args.force, crate::output::OutKind::Folder, &inputs(args))?;
    let pb = args.over_time.then(|| {
        crate::progress::bar(
            dwmtj_nn::drift::standard_models(&cfg.device).len() as u64,
            "accuracy over time",
            "models",
        )
    });
    let (r, programmed) = prepared
        .infer(&layers, args.over_time, &|k| {
            if let Some(pb) = &pb {
                pb.set_position(k)
            }
        })
        .map_err(|e| anyhow::anyhow!("--weights {}: {e}", weights.display()))?;
    if let Some(pb) = pb {
        pb.finish_and_clear();
    }
    let run = RunDir::create(&args.out, args.force, &inputs(args))?;
    let mut summary = serde_json::to_value(&r)?;
    summary["weights_file"] = json!(weights.display().to_string());
    if let Some(curves) = &r.over_time {
        write_over_time(&run, &cfg.name, &r.device, curves)?;
    }
    write_common(&run, &prepared.raw, cfg)?;
    run.write_bytes("weights.safetensors", &dwmtj_nn::interchange::write(&programmed, &r.device)?)?;
    run.write_json("summary.json", &summary)?;
    Manifest::new(Some(cfg.params.seed)).write(&run, "")?;
    let dir = run.finish()?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        println!(
            "{} on {} programmed from {}: test accuracy {:.2} % on {} images ({:.2} % of the weights clipped to the device range); {:.3e} J and {:.3e} s per image; wrote {}",
            cfg.name,
            r.device,
            weights.display(),
            100.0 * r.test_accuracy,
            data.test_y.len(),
            100.0 * r.clipped_fraction,
            r.inference.total_j(),
            r.inference.latency_s(),
            dir.display()
        );
        if let Some(c) = &r.crossbar {
            print_crossbar(c);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The trained network read through the lines of `[crossbar]`, with a progress bar (the
/// transfer solves of a large tile take a while).
fn read_through_lines(
    prepared: &dwmtj_nn::run::TrainRun,
    layers: &[dwmtj_nn::network::TrainedLayer],
    quiet: bool,
) -> Result<Option<dwmtj_nn::run::CrossbarSummary>> {
    if prepared.config.crossbar.is_none() {
        return Ok(None);
    }
    let pb = (!quiet).then(|| crate::progress::bar(layers.len() as u64, "reading through the lines", "tile layers"));
    let r = prepared
        .read_through_lines(layers, &|k| {
            if let Some(pb) = &pb {
                pb.set_position(k)
            }
        })
        .map_err(|e| anyhow::anyhow!("[crossbar]: {e}"))?;
    if let Some(pb) = pb {
        pb.finish_and_clear();
    }
    Ok(r)
}

/// The accuracy through the array's lines, for people.
fn print_crossbar(c: &dwmtj_nn::run::CrossbarSummary) {
    println!(
        "  through the array's lines ({} Ohm per segment, devices {:.3e} .. {:.3e} Ohm): test accuracy {:.2} %; effective weights off by {} % RMS per layer",
        c.params.line_resistance_ohm,
        c.params.r_on_ohm,
        c.params.r_off_ohm,
        100.0 * c.test_accuracy,
        c.weight_error_rms.iter().map(|e| format!("{:.2}", 100.0 * e)).collect::<Vec<_>>().join(", ")
    );
}

fn write_over_time(run: &RunDir, name: &str, device: &str, curves: &[dwmtj_nn::drift::TimeCurve]) -> Result<()> {
    let mut w = crate::output::Csv::with_header(["model", "time_s", "accuracy", "accuracy_std"])?;
    for c in curves {
        for p in &c.points {
            w.row([
                c.label.clone(),
                p.time_s.to_string(),
                p.accuracy.to_string(),
                p.accuracy_std.to_string(),
            ])?;
        }
    }
    run.write_csv("over_time.csv", w)?;
    let series = curves
        .iter()
        .map(|c| crate::plot::Series {
            label: c.label.clone(),
            points: c
                .points
                .iter()
                .map(|p| (p.time_s.log10(), 100.0 * p.accuracy, 100.0 * p.accuracy_std))
                .collect(),
            mark: crate::plot::Mark::Line,
        })
        .collect();
    crate::plot::write_chart(
        run,
        "accuracy-vs-time",
        &crate::plot::Chart {
            title: format!("{name} on {device}: test accuracy after programming"),
            x_label: "log10(time after programming / s): 1 s, 1 min, 1 h, 1 day, 1 week, 1 month, 1 year".into(),
            y_label: "test accuracy (%), mean of 3 draws".into(),
            series,
        },
    )
}
