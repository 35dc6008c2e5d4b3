//! `dwmtj train` and `dwmtj compare`: on-chip training of an MLP on crossbars of a device, with
//! accuracy, energy and latency.

use crate::output::Num;
use crate::output::{Manifest, RunDir};
use crate::plot::{write_bars, write_chart, Bars, Chart, Mark, Series};
use anyhow::{Context, Result};
use dwmtj_nn::config::{self, Overrides, RawTrainConfig, TrainConfig};
use dwmtj_nn::energy::EnergyBreakdown;
use dwmtj_nn::idx::load_source;
use dwmtj_nn::network::{train_resumable, Data, TrainResult, TrainState};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{json, Value};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The built-in configuration used when no file is given.
const DEFAULT_CONFIG: &str = include_str!("../../../configs/nn/mnist-mlp.toml");

#[derive(clap::Args, Debug)]
pub struct TrainArgs {
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
}

/// What identifies a training run for --resume: the configuration and every override.
fn fingerprint(args: &TrainArgs) -> Result<String> {
    let text = match &args.config {
        Some(p) => std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))?,
        None => DEFAULT_CONFIG.to_string(),
    };
    Ok(format!(
        "dwmtj train\ndata_dir = {:?}\ndevice = {:?}\nepochs = {:?}\nseed = {:?}\n{text}",
        args.data_dir, args.device, args.epochs, args.seed
    ))
}

/// The run's checkpoints, offered by the training loop after every epoch.
struct TrainCheckpoints {
    folder: crate::checkpoint::CheckpointFolder,
    sizes: Vec<usize>,
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

/// Where the data comes from, for people.
fn data_source(cfg: &TrainConfig) -> String {
    cfg.data_dir
        .as_ref()
        .map_or_else(|| "the built-in MNIST subset".to_string(), |d| d.display().to_string())
}

/// The files and folders a training run reads.
fn inputs(args: &TrainArgs) -> Vec<&Path> {
    args.config.iter().chain(&args.data_dir).map(PathBuf::as_path).collect()
}

fn load(args: &TrainArgs) -> Result<(RawTrainConfig, TrainConfig, Data)> {
    let o = Overrides {
        data_dir: args.data_dir.clone(),
        device: args.device.clone(),
        epochs: args.epochs,
        seed: args.seed,
    };
    let (raw, cfg) = match &args.config {
        Some(p) => {
            let text = std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))?;
            let base = p.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf);
            config::parse(&text, &p.display().to_string(), &base, &o)?
        }
        None => {
            // The built-in file names no other files: its synapse is the built-in Fig. 3f
            // device and its data the built-in subset.
            let base = PathBuf::from(".");
            config::parse(DEFAULT_CONFIG, "built-in configs/nn/mnist-mlp.toml", &base, &o)?
        }
    };
    let source = data_source(&cfg);
    let ds = load_source(cfg.data_dir.as_deref()).with_context(|| format!("loading the data set from {source}"))?;
    let data = Data::from_dataset(&ds, cfg.crop, cfg.train_limit, cfg.test_limit).map_err(|m| anyhow::anyhow!("data.crop: {m}"))?;
    if data.train_y.is_empty() || data.test_y.is_empty() {
        anyhow::bail!(
            "{}: {} training and {} test images; training needs at least one of each (data.train_limit / data.test_limit must be >= 1)",
            source,
            data.train_y.len(),
            data.test_y.len()
        );
    }
    dwmtj_core::resources::check_memory(
        "network.hidden",
        format!("{:?} on {} inputs", cfg.spec.hidden, data.inputs),
        dwmtj_nn::network::memory_estimate(&cfg.spec, data.inputs, cfg.params.batch),
    )?;
    Ok((raw, cfg, data))
}

fn bar(total: u64, what: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::new(total);
    pb.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} batches ({eta})")
            .expect("valid template")
            .progress_chars("=> "),
    );
    pb.set_message(what.to_string());
    pb
}

fn run_one(
    cfg: &TrainConfig,
    device: &dwmtj_nn::catalog::DeviceEntry,
    data: &Data,
    resume: Option<TrainState>,
    checkpoints: &mut (dyn dwmtj_core::checkpoint::Checkpoints<TrainState> + Send),
) -> Result<TrainResult> {
    let steps = data.train_y.len().div_ceil(cfg.params.batch) * cfg.params.epochs;
    let pb = bar(steps as u64, &device.name);
    if let Some(state) = &resume {
        pb.set_position((data.train_y.len().div_ceil(cfg.params.batch) * state.epochs_done) as u64);
    }
    // Run on a pool's worker, so the sequential parts of a step do not compete with the
    // workers from a third thread (2-core machines lose ~20 % to wake-ups otherwise).
    let bar_in_run = pb.clone();
    let run = move || {
        train_resumable(
            &cfg.spec,
            device,
            &cfg.params,
            data,
            &cfg.circuit,
            &|n, _| {
                if n % 16 == 0 {
                    bar_in_run.set_position(n);
                }
            },
            resume,
            checkpoints,
        )
    };
    let r = match rayon::ThreadPoolBuilder::new().num_threads(rayon::current_num_threads()).build() {
        Ok(pool) => pool.install(run),
        Err(_) => run(),
    };
    pb.finish_and_clear();
    Ok(r?)
}

fn breakdown_json(e: &EnergyBreakdown) -> Value {
    json!({
        "total_j": e.total_j(),
        "array_read_j": e.array_read_j,
        "adc_j": e.adc_j,
        "dac_j": e.dac_j,
        "device_write_j": e.device_write_j,
        "digital_j": e.digital_j,
        "activation_j": e.activation_j,
        "latency_s": e.latency_s(),
        "read_latency_s": e.read_latency_s,
        "write_latency_s": e.write_latency_s,
        "digital_latency_s": e.digital_latency_s,
    })
}

fn result_json(r: &TrainResult, cfg: &TrainConfig, data: &Data) -> Value {
    let epochs = r.epochs.len().max(1) as f64;
    json!({
        "device": r.device,
        "scheme": r.scheme,
        "layers": r.sizes,
        "weights": r.weights,
        "activation": cfg.spec.activation.name(),
        "seed": cfg.params.seed,
        "epochs": r.epochs.len(),
        "train_images": data.train_y.len(),
        "test_images": data.test_y.len(),
        "inputs": data.inputs,
        "data_dir": data_source(cfg),
        "test_accuracy": r.test_accuracy,
        "best_test_accuracy": r.epochs.iter().map(|e| e.test_accuracy).fold(0.0, f64::max),
        "final_train_loss": r.epochs.last().map(|e| e.train_loss),
        "energy_j": r.training.total_j(),
        "energy_per_epoch_j": r.training.total_j() / epochs,
        "latency_s": r.training.latency_s(),
        "inference_energy_j": r.inference.total_j(),
        "inference_latency_s": r.inference.latency_s(),
        "device_pulses": r.epochs.iter().map(|e| e.device_pulses).sum::<u64>(),
        "train_samples_per_s": (data.train_y.len() * r.epochs.len()) as f64 / r.train_seconds.max(1e-12),
        "inference_samples_per_s": (data.test_y.len() * r.epochs.len()) as f64 / r.eval_seconds.max(1e-12),
        "training": breakdown_json(&r.training),
        "inference": breakdown_json(&r.inference),
    })
}

fn write_metrics(dir: &Path, r: &TrainResult) -> Result<()> {
    let mut w = csv::Writer::from_path(dir.join("metrics.csv"))?;
    w.write_record([
        "epoch",
        "lr",
        "train_loss",
        "train_accuracy",
        "test_loss",
        "test_accuracy",
        "device_pulses",
        "energy_j",
        "array_read_j",
        "adc_j",
        "dac_j",
        "device_write_j",
        "digital_j",
        "activation_j",
        "latency_s",
    ])?;
    for e in &r.epochs {
        let b = &e.energy;
        w.write_record([
            e.epoch.to_string(),
            e.lr.num(),
            e.train_loss.num(),
            e.train_accuracy.num(),
            e.test_loss.num(),
            e.test_accuracy.num(),
            e.device_pulses.to_string(),
            b.total_j().num(),
            b.array_read_j.num(),
            b.adc_j.num(),
            b.dac_j.num(),
            b.device_write_j.num(),
            b.digital_j.num(),
            b.activation_j.num(),
            b.latency_s().num(),
        ])?;
    }
    w.flush()?;
    let mut w = csv::Writer::from_path(dir.join("energy_breakdown.csv"))?;
    w.write_record(["component", "training_total", "per_inference", "unit"])?;
    let (t, i) = (&r.training, &r.inference);
    for (name, a, b, unit) in [
        ("array_read", t.array_read_j, i.array_read_j, "J"),
        ("adc", t.adc_j, i.adc_j, "J"),
        ("dac", t.dac_j, i.dac_j, "J"),
        ("device_write", t.device_write_j, i.device_write_j, "J"),
        ("digital", t.digital_j, i.digital_j, "J"),
        ("activation", t.activation_j, i.activation_j, "J"),
        ("total", t.total_j(), i.total_j(), "J"),
        ("read_latency", t.read_latency_s, i.read_latency_s, "s"),
        ("write_latency", t.write_latency_s, i.write_latency_s, "s"),
        ("digital_latency", t.digital_latency_s, i.digital_latency_s, "s"),
        ("latency", t.latency_s(), i.latency_s(), "s"),
    ] {
        w.write_record([name.to_string(), a.to_string(), b.to_string(), unit.to_string()])?;
    }
    w.flush()?;
    let series = |label: &str, f: &dyn Fn(&dwmtj_nn::network::EpochMetrics) -> f64| Series {
        label: label.to_string(),
        points: r.epochs.iter().map(|e| (e.epoch as f64, f(e), 0.0)).collect(),
        mark: Mark::Line,
    };
    write_chart(
        dir,
        "accuracy",
        &Chart {
            title: format!("{} ({}): accuracy", r.device, r.scheme),
            x_label: "epoch".into(),
            y_label: "accuracy".into(),
            series: vec![series("train", &|e| e.train_accuracy), series("test", &|e| e.test_accuracy)],
        },
    )?;
    write_chart(
        dir,
        "loss",
        &Chart {
            title: format!("{} ({}): cross-entropy loss", r.device, r.scheme),
            x_label: "epoch".into(),
            y_label: "loss".into(),
            series: vec![series("train", &|e| e.train_loss), series("test", &|e| e.test_loss)],
        },
    )?;
    Ok(())
}

fn write_common(run: &RunDir, raw: &RawTrainConfig, cfg: &TrainConfig) -> Result<()> {
    let resolved = config::resolved(raw, cfg);
    run.write_text("config.resolved.toml", &toml::to_string_pretty(&resolved)?)?;
    if let Some(s) = &cfg.synapse {
        run.write_json("synapse.json", s.as_ref())?;
    }
    if let dwmtj_nn::activation::Activation::DwSigmoid(a) = &cfg.spec.activation {
        run.write_json(
            "activation.json",
            &json!({
                "centre_a": a.centre, "scale_a": a.scale, "fit_rms": a.fit_rms,
                "mtj_weights": a.weight, "energy_at_centre_j": a.energy_at_centre,
            }),
        )?;
    }
    Ok(())
}

pub fn cmd_train(args: &TrainArgs) -> Result<ExitCode> {
    let (raw, cfg, data) = load(args)?;
    let every = crate::checkpoint::parse_every(&args.checkpoint_every)?;
    let fingerprint = fingerprint(args)?;
    let sizes = dwmtj_nn::network::layer_sizes(&cfg.spec, data.inputs);
    let resume = match crate::checkpoint::resume_bytes(&args.out, args.resume, args.force, &fingerprint)? {
        Some(bytes) => Some(TrainState::from_bytes(&bytes, &sizes, data.train_y.len(), cfg.params.epochs).context("--resume")?),
        None => None,
    };
    let mut run = RunDir::create(&args.out, args.force, &inputs(args))?;
    // A resumed (or, with --force, discarded) checkpoint goes once the results are in place.
    run.discard_on_finish(crate::checkpoint::interrupted_path(&args.out));
    let mut checkpoints = TrainCheckpoints {
        folder: crate::checkpoint::CheckpointFolder::new(run.path(), &args.out, fingerprint, every, &crate::checkpoint::resume_command()),
        sizes,
        epochs: cfg.params.epochs,
    };
    let t0 = std::time::Instant::now();
    let r = run_one(&cfg, &cfg.device, &data, resume, &mut checkpoints)?;
    let writing = crate::interrupt::writing();
    let mut summary = result_json(&r, &cfg, &data);
    summary["wall_time_s"] = json!(t0.elapsed().as_secs_f64());
    write_metrics(run.path(), &r)?;
    write_common(&run, &raw, &cfg)?;
    run.write_json("summary.json", &summary)?;
    Manifest::new(Some(cfg.params.seed)).write(&run, "")?;
    drop(writing);
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
        println!("  wrote {}", dir.display());
    }
    Ok(ExitCode::SUCCESS)
}

pub fn cmd_compare(args: &TrainArgs) -> Result<ExitCode> {
    if args.resume {
        anyhow::bail!("--resume: compare does not keep checkpoints; run `dwmtj train --device NAME --resume` per device instead");
    }
    let (raw, cfg, data) = load(args)?;
    let names = match &args.device {
        Some(d) => vec![d.clone()],
        None => cfg.compare.clone(),
    };
    let run = RunDir::create(&args.out, args.force, &inputs(args))?;
    let mut rows = Vec::new();
    let mut results = Vec::new();
    for name in &names {
        let device = config::device_entry(
            name,
            cfg.synapse.as_deref(),
            raw.training.scheme.as_deref(),
            raw.training.desired_bl.unwrap_or(31),
        )?;
        let r = run_one(&cfg, &device, &data, None, &mut dwmtj_core::checkpoint::NoCheckpoints)?;
        let sub = run.path().join("devices").join(name);
        std::fs::create_dir_all(&sub)?;
        write_metrics(&sub, &r)?;
        rows.push(result_json(&r, &cfg, &data));
        if !args.json {
            eprintln!(
                "{name:>14} ({:>15}): test {:6.2} %  training {:.3e} J  inference {:.3e} J/image",
                r.scheme,
                100.0 * r.test_accuracy,
                r.training.total_j(),
                r.inference.total_j()
            );
        }
        results.push(r);
    }
    let mut w = csv::Writer::from_path(run.path().join("comparison.csv"))?;
    w.write_record([
        "device",
        "scheme",
        "test_accuracy",
        "training_energy_j",
        "energy_per_epoch_j",
        "device_write_j",
        "training_latency_s",
        "inference_energy_j",
        "inference_latency_s",
        "device_pulses",
    ])?;
    for (r, j) in results.iter().zip(&rows) {
        w.write_record([
            r.device.clone(),
            r.scheme.clone(),
            r.test_accuracy.num(),
            r.training.total_j().num(),
            j["energy_per_epoch_j"].to_string(),
            r.training.device_write_j.num(),
            r.training.latency_s().num(),
            r.inference.total_j().num(),
            r.inference.latency_s().num(),
            j["device_pulses"].to_string(),
        ])?;
    }
    w.flush()?;
    let bars = |title: &str, y: &str, log: bool, f: &dyn Fn(&TrainResult) -> f64| Bars {
        title: title.to_string(),
        y_label: y.to_string(),
        bars: results.iter().map(|r| (r.device.clone(), f(r))).collect(),
        log,
    };
    write_bars(
        run.path(),
        "accuracy",
        &bars("Test accuracy", "accuracy", false, &|r| r.test_accuracy),
    )?;
    write_bars(
        run.path(),
        "training_energy",
        &bars("Training energy", "J", true, &|r| r.training.total_j()),
    )?;
    write_bars(
        run.path(),
        "training_latency",
        &bars("Training latency", "s", true, &|r| r.training.latency_s()),
    )?;
    write_bars(
        run.path(),
        "inference_energy",
        &bars("Energy per inference", "J", true, &|r| r.inference.total_j()),
    )?;
    write_common(&run, &raw, &cfg)?;
    let summary = json!({ "config": cfg.name, "devices": rows });
    run.write_json("summary.json", &summary)?;
    Manifest::new(Some(cfg.params.seed)).write(&run, "")?;
    let dir = run.finish()?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        println!(
            "{:>14} {:>16} {:>9} {:>12} {:>12} {:>12}",
            "device", "scheme", "test acc", "train E (J)", "latency (s)", "E/infer (J)"
        );
        for r in &results {
            println!(
                "{:>14} {:>16} {:>8.2}% {:>12.3e} {:>12.3e} {:>12.3e}",
                r.device,
                r.scheme,
                100.0 * r.test_accuracy,
                r.training.total_j(),
                r.training.latency_s(),
                r.inference.total_j()
            );
        }
        println!("wrote {}", dir.display());
    }
    Ok(ExitCode::SUCCESS)
}
