//! A training run as one model: a training file (or the built-in one) with its [`Overrides`]
//! -> [`prepare`] (validate, load the data, check the memory) -> [`TrainRun`] -> the
//! [`crate::network::train_resumable`] run -> [`TrainResult`] -> [`summary`] -> [`TrainSummary`]
//! (plain data). `dwmtj train` and `dwmtj compare` write these; Python returns them.

use crate::config::{self, Overrides, RawTrainConfig, TrainConfig};
use crate::energy::EnergyBreakdown;
use crate::idx::{load_source, IdxError};
use crate::network::{CropError, Data, TrainResult};
use dwmtj_core::ConfigError;
use serde::Serialize;
use std::path::Path;

/// The built-in training file (configs/nn/mnist-mlp.toml: 784-256-128-10, DW-MTJ synapse pairs,
/// mixed precision, the built-in MNIST subset); it names no other files.
pub const BUILTIN_CONFIG: &str = include_str!("../../../configs/nn/mnist-mlp.toml");

/// Why a training run cannot start.
#[derive(Debug, thiserror::Error)]
pub enum TrainRunError {
    /// The training file is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The data set cannot be loaded.
    #[error("loading the data set from {source_name}: {error}")]
    Data {
        /// Where the data come from: the folder, or the built-in subset.
        source_name: String,
        /// The read error.
        error: IdxError,
    },
    /// The crop does not fit the images.
    #[error("data.crop: {0}")]
    Crop(#[from] CropError),
    /// The limits leave no training or no test images.
    #[error("{source_name}: {train} training and {test} test images; training needs at least one of each (data.train_limit / data.test_limit must be >= 1)")]
    Empty {
        /// Where the data come from.
        source_name: String,
        /// Training images left.
        train: usize,
        /// Test images left.
        test: usize,
    },
}

/// A validated training run with its data loaded.
pub struct TrainRun {
    /// The training file as written.
    pub raw: RawTrainConfig,
    /// The validated configuration.
    pub config: TrainConfig,
    /// The loaded images.
    pub data: Data,
    /// The network's stages and tile shapes on these images.
    pub plan: crate::layers::Plan,
}

/// Where the run's images come from, for messages and summaries.
pub fn data_source(cfg: &TrainConfig) -> String {
    cfg.data_dir
        .as_ref()
        .map_or_else(|| "the built-in MNIST subset".to_string(), |d| d.display().to_string())
}

/// Validate a training file (`text`, named `origin`, relative paths from `base`; `None` for the
/// built-in file), load its data and check the network fits in memory.
pub fn prepare(file: Option<(&str, &str, &Path)>, o: &Overrides) -> Result<TrainRun, TrainRunError> {
    let (raw, cfg) = match file {
        Some((text, origin, base)) => config::parse(text, origin, base, o)?,
        None => config::parse(BUILTIN_CONFIG, "built-in configs/nn/mnist-mlp.toml", Path::new("."), o)?,
    };
    let source_name = data_source(&cfg);
    let ds = load_source(cfg.data_dir.as_deref()).map_err(|error| TrainRunError::Data {
        source_name: source_name.clone(),
        error,
    })?;
    let data = Data::from_dataset(&ds, cfg.crop, cfg.train_limit, cfg.test_limit)?;
    if data.train_y.is_empty() || data.test_y.is_empty() {
        return Err(TrainRunError::Empty {
            source_name,
            train: data.train_y.len(),
            test: data.test_y.len(),
        });
    }
    let field = if raw.network.layers.is_some() {
        "network.layers"
    } else {
        "network.hidden"
    };
    let plan = cfg
        .spec
        .plan(data.shape)
        .map_err(|e| ConfigError::field(field, format!("{} x {} images", data.shape[1], data.shape[2]), e.to_string()))?;
    dwmtj_core::resources::check_memory(
        field,
        format!("tiles {:?} on {} inputs", plan.tiles, data.inputs),
        crate::network::memory_estimate(&plan, cfg.params.batch),
    )?;
    if cfg.crossbar.is_some() {
        if let Some(&(outputs, inputs)) = plan.tiles.iter().find(|(o, i)| o * i > crate::crossbar::MAX_LINE_CELLS) {
            return Err(ConfigError::field(
                "crossbar",
                format!("a {outputs} x {inputs} tile"),
                format!(
                    "reading through lines takes tiles of at most {} cells (inputs x outputs); split arrays are not modelled",
                    crate::crossbar::MAX_LINE_CELLS
                ),
            )
            .into());
        }
    }
    Ok(TrainRun {
        raw,
        config: cfg,
        data,
        plan,
    })
}

/// An energy and latency breakdown with its totals.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BreakdownSummary {
    /// Total energy (J).
    pub total_j: f64,
    /// Crossbar array reads (J).
    pub array_read_j: f64,
    /// ADC conversions (J).
    pub adc_j: f64,
    /// DAC conversions (J).
    pub dac_j: f64,
    /// Device programming pulses (J).
    pub device_write_j: f64,
    /// Digital operations (J).
    pub digital_j: f64,
    /// DW-MTJ activation generator pulses (J).
    pub activation_j: f64,
    /// Total latency (s).
    pub latency_s: f64,
    /// Time of the array reads and conversions (s).
    pub read_latency_s: f64,
    /// Time of the device programming (s).
    pub write_latency_s: f64,
    /// Time of the digital operations (s).
    pub digital_latency_s: f64,
}

impl From<&EnergyBreakdown> for BreakdownSummary {
    fn from(e: &EnergyBreakdown) -> Self {
        Self {
            total_j: e.total_j(),
            array_read_j: e.array_read_j,
            adc_j: e.adc_j,
            dac_j: e.dac_j,
            device_write_j: e.device_write_j,
            digital_j: e.digital_j,
            activation_j: e.activation_j,
            latency_s: e.latency_s(),
            read_latency_s: e.read_latency_s,
            write_latency_s: e.write_latency_s,
            digital_latency_s: e.digital_latency_s,
        }
    }
}

/// What a training run gives, for people and scripts: accuracy, energy, latency. The
/// `*_samples_per_s` rates are wall-clock measurements, not seeded results.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TrainSummary {
    /// Device name.
    pub device: String,
    /// Update scheme name.
    pub scheme: String,
    /// Layer sizes, input to output.
    pub layers: Vec<usize>,
    /// Number of weights.
    pub weights: usize,
    /// Hidden-layer activation name.
    pub activation: String,
    /// Seed of the run.
    pub seed: u64,
    /// Epochs run.
    pub epochs: usize,
    /// Number of training images.
    pub train_images: usize,
    /// Number of test images.
    pub test_images: usize,
    /// Values per image (the network's input size).
    pub inputs: usize,
    /// Where the images come from: the folder, or "the built-in MNIST subset".
    pub data_dir: String,
    /// Test accuracy after the last epoch (fraction).
    pub test_accuracy: f64,
    /// Best test accuracy after any epoch (fraction).
    pub best_test_accuracy: f64,
    /// Mean training loss of the last epoch; None without epochs.
    pub final_train_loss: Option<f64>,
    /// Training energy over all epochs (J).
    pub energy_j: f64,
    /// Training energy per epoch (J).
    pub energy_per_epoch_j: f64,
    /// Training latency over all epochs (s).
    pub latency_s: f64,
    /// Energy of one inference, mean over the test set (J).
    pub inference_energy_j: f64,
    /// Latency of one inference, mean over the test set (s).
    pub inference_latency_s: f64,
    /// Device programming pulses over the whole run.
    pub device_pulses: u64,
    /// Training images per wall-clock second.
    pub train_samples_per_s: f64,
    /// Test images evaluated per wall-clock second.
    pub inference_samples_per_s: f64,
    /// Training energy and latency by component.
    pub training: BreakdownSummary,
    /// Energy and latency of one inference by component.
    pub inference: BreakdownSummary,
}

/// Summarise a finished run.
pub fn summary(r: &TrainResult, cfg: &TrainConfig, data: &Data) -> TrainSummary {
    let epochs = r.epochs.len().max(1) as f64;
    TrainSummary {
        device: r.device.clone(),
        scheme: r.scheme.clone(),
        layers: r.sizes.clone(),
        weights: r.weights,
        activation: cfg.spec.activation.name().to_string(),
        seed: cfg.params.seed,
        epochs: r.epochs.len(),
        train_images: data.train_y.len(),
        test_images: data.test_y.len(),
        inputs: data.inputs,
        data_dir: data_source(cfg),
        test_accuracy: r.test_accuracy,
        best_test_accuracy: r.epochs.iter().map(|e| e.test_accuracy).fold(0.0, f64::max),
        final_train_loss: r.epochs.last().map(|e| e.train_loss),
        energy_j: r.training.total_j(),
        energy_per_epoch_j: r.training.total_j() / epochs,
        latency_s: r.training.latency_s(),
        inference_energy_j: r.inference.total_j(),
        inference_latency_s: r.inference.latency_s(),
        device_pulses: r.epochs.iter().map(|e| e.device_pulses).sum::<u64>(),
        train_samples_per_s: (data.train_y.len() * r.epochs.len()) as f64 / r.train_seconds.max(1e-12),
        inference_samples_per_s: (data.test_y.len() * r.epochs.len()) as f64 / r.eval_seconds.max(1e-12),
        training: (&r.training).into(),
        inference: (&r.inference).into(),
    }
}

impl TrainRun {
    /// The steps (mini-batches) of the whole run.
    pub fn steps(&self) -> u64 {
        (self.data.train_y.len().div_ceil(self.config.params.batch) * self.config.params.epochs) as u64
    }

    /// The steps of `epochs` epochs (where a resumed run starts).
    pub fn steps_of(&self, epochs: usize) -> u64 {
        (self.data.train_y.len().div_ceil(self.config.params.batch) * epochs) as u64
    }

    /// Train with `device` (the configured one, or one of `compare`'s), from scratch or from
    /// `resume`; `progress` gets the steps done. The run goes on a rayon pool's worker
    /// ([`dwmtj_core::resources::on_worker_pool`]).
    pub fn train(
        &self,
        device: &crate::catalog::DeviceEntry,
        progress: &(dyn Fn(u64) + Sync),
        resume: Option<crate::network::TrainState>,
        checkpoints: &mut (dyn dwmtj_core::checkpoint::Checkpoints<crate::network::TrainState> + Send),
    ) -> Result<TrainResult, crate::network::TrainError> {
        let cfg = &self.config;
        let go = move || {
            crate::network::train_resumable(
                &cfg.spec,
                device,
                &cfg.params,
                &self.data,
                &cfg.circuit,
                &|n, _| progress(n),
                resume,
                checkpoints,
            )
        };
        dwmtj_core::resources::on_worker_pool(go)
    }
}

/// An inference network programmed from given weights, evaluated (and optionally followed over
/// time): what `dwmtj train --weights FILE [--over-time]` and Python's `dwmtj.infer` report.
#[derive(Clone, Debug, Serialize)]
pub struct InferenceSummary {
    /// Run name.
    pub name: String,
    /// Device programmed.
    pub device: String,
    /// Activation values after each stage, the input first.
    pub sizes: Vec<usize>,
    /// Fraction of the test images classified correctly.
    pub test_accuracy: f64,
    /// Mean cross-entropy over the test images.
    pub test_loss: f64,
    /// Fraction of the weights clipped to the device range when programmed.
    pub clipped_fraction: f64,
    /// Test images evaluated.
    pub test_images: usize,
    /// Energy and latency of one inference by component.
    pub inference: crate::energy::EnergyBreakdown,
    /// Energy of one inference (J).
    pub inference_energy_j: f64,
    /// Latency of one inference (s).
    pub inference_latency_s: f64,
    /// Seed of the periphery's noise and of the drift draws.
    pub seed: u64,
    /// Accuracy against time after programming, one curve per drift or retention model
    /// ([`crate::drift::standard_study`]); None unless asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub over_time: Option<Vec<crate::drift::TimeCurve>>,
    /// The same network read through the array's lines (`[crossbar]`); None without it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crossbar: Option<CrossbarSummary>,
}

/// An inference read through the word and bit lines of the physical array (IR drop,
/// [`crate::crossbar::effective_states`]).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CrossbarSummary {
    /// The array.
    pub params: crate::crossbar::CrossbarParams,
    /// Fraction of the test images classified correctly through the lines.
    pub test_accuracy: f64,
    /// Mean cross-entropy through the lines.
    pub test_loss: f64,
    /// Per tile layer: RMS of W_eff - W over the layer's largest |W|.
    pub weight_error_rms: Vec<f64>,
    /// Per tile layer: largest |W_eff - W| over the layer's largest |W|.
    pub weight_error_max: Vec<f64>,
}

/// Evaluate the programmed `layers` through the lines of `p`: each tile's devices as their
/// effective states with IR drop, through the same periphery.
fn read_through_lines(
    cfg: &TrainConfig,
    data: &Data,
    layers: &[crate::network::TrainedLayer],
    p: &crate::crossbar::CrossbarParams,
    progress: &dyn Fn(u64),
) -> Result<CrossbarSummary, String> {
    let (lo, hi) = cfg.device.model.bounds();
    let (mut rms, mut max) = (Vec::new(), Vec::new());
    let mut effective = Vec::with_capacity(layers.len());
    for l in layers {
        let top = l.device_state.iter().fold(0.0f32, |a, w| a.max(w.abs())).max(f32::MIN_POSITIVE);
        // Float devices have no range: the layer's largest weight maps to g_max.
        let bounds = if lo.is_finite() && hi.is_finite() {
            (lo, hi)
        } else {
            (-f64::from(top), f64::from(top))
        };
        let eff = crate::crossbar::effective_states(&l.device_state, l.inputs, l.outputs, bounds, p)?;
        let errors: Vec<f64> = eff
            .iter()
            .zip(&l.device_state)
            .map(|(a, b)| f64::from((a - b).abs() / top))
            .collect();
        rms.push((errors.iter().map(|e| e * e).sum::<f64>() / errors.len().max(1) as f64).sqrt());
        max.push(errors.iter().copied().fold(0.0, f64::max));
        effective.push(crate::network::TrainedLayer {
            weights: eff.iter().map(|w| w * l.alpha).collect(),
            device_state: eff,
            ..l.clone()
        });
        progress(effective.len() as u64);
    }
    let r = crate::network::infer_exact(&cfg.spec, &cfg.device, &cfg.params, data, &cfg.circuit, &effective)?;
    Ok(CrossbarSummary {
        params: *p,
        test_accuracy: r.test_accuracy,
        test_loss: r.test_loss,
        weight_error_rms: rms,
        weight_error_max: max,
    })
}

impl TrainRun {
    /// The programmed `layers` read through the lines of the configured `[crossbar]` (None
    /// without one); `progress` gets the tile layers done.
    pub fn read_through_lines(
        &self,
        layers: &[crate::network::TrainedLayer],
        progress: &dyn Fn(u64),
    ) -> Result<Option<CrossbarSummary>, String> {
        match &self.config.crossbar {
            Some(p) => Ok(Some(read_through_lines(&self.config, &self.data, layers, p, progress)?)),
            None => Ok(None),
        }
    }

    /// Program the network with `layers` (effective weights W and biases, one per tile layer)
    /// on the configured device and evaluate it; with `over_time`, also the standard
    /// accuracy-against-time study (`progress` gets the models done). Returns the summary and
    /// the network as programmed.
    pub fn infer(
        &self,
        layers: &[crate::network::TrainedLayer],
        over_time: bool,
        progress: &dyn Fn(u64),
    ) -> Result<(InferenceSummary, Vec<crate::network::TrainedLayer>), String> {
        let cfg = &self.config;
        let r = crate::network::infer(&cfg.spec, &cfg.device, &cfg.params, &self.data, &cfg.circuit, layers)?;
        let crossbar = self.read_through_lines(&r.layers, &|_| {})?;
        let curves = if over_time {
            Some(crate::drift::standard_study(
                &cfg.spec,
                &cfg.device,
                &cfg.params,
                &self.data,
                &cfg.circuit,
                &r.layers,
                progress,
            )?)
        } else {
            None
        };
        Ok((
            InferenceSummary {
                name: cfg.name.clone(),
                device: r.device.clone(),
                sizes: r.sizes.clone(),
                test_accuracy: r.test_accuracy,
                test_loss: r.test_loss,
                clipped_fraction: r.clipped_fraction,
                test_images: self.data.test_y.len(),
                inference: r.inference,
                inference_energy_j: r.inference.total_j(),
                inference_latency_s: r.inference.latency_s(),
                seed: cfg.params.seed,
                over_time: curves,
                crossbar,
            },
            r.layers,
        ))
    }
}
