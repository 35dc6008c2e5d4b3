//! Training configuration files: TOML with unknown keys rejected, physical constants as unit
//! strings, converted once here into the validated `TrainConfig`.
//!
//! ```toml
//! [data]                      # optional: the vendored MNIST subset by default
//! dir = "path/to/idx"         # standard IDX names, relative to this file
//! crop = 20                   # centre crop (NeuroSim's 20 x 20)
//! [network]
//! hidden = [256, 128]         # dense hidden layers; or, for a convolutional network, layers:
//! # [[network.layers]]  kind = "conv", channels = 6, kernel = 5, padding = 2
//! # [[network.layers]]  kind = "max-pool", size = 2       (or "avg-pool")
//! # [[network.layers]]  kind = "dense", units = 120
//! activation = "relu"         # sigmoid | relu | tanh | dw-sigmoid
//! activation_device = "../fig4c.toml"   # the generator, for dw-sigmoid (default: Fig. 4c)
//! weight_range = 4.0          # w_max = weight_range / sqrt(fan_in)
//! periphery = "aihwkit"       # aihwkit (defaults of docs/nn.md 2.2) | ideal
//! [training]
//! device = "dw-linear"        # see `catalog::names()`
//! device_file = "../fig3f.toml"         # the DW-MTJ synapse (default: Fig. 3f)
//! scheme = "mixed-precision"  # optional: float | stochastic | pulse-count | mixed-precision | tiki-taka | ttv2
//! transfer_every = 1          # tiki-taka / ttv2: mini-batches between transfers (and transfer_columns, transfer_lr)
//! epochs = 10
//! batch = 8
//! lr = 0.1
//! lr_decay = 0.9
//! seed = 1
//! shift = 2                   # random translation of the training images, pixels (augmentation)
//! [energy]                    # optional circuit constants (energy.rs)
//! v_read = "0.2 V"
//! [crossbar]                  # optional: inference (--weights) also read through lines with IR drop
//! line_resistance = "2 Ohm"   # per cell segment of word and bit lines (crossbar.rs)
//! r_on = "10 kOhm"            # the devices' lowest and highest resistance (the pair's conductances)
//! r_off = "100 kOhm"
//! [compare]
//! devices = ["float", "dw-linear", "ag-a-si"]
//! ```

use crate::activation::Activation;
use crate::catalog::{self, DeviceEntry};
use crate::dwdevice::{self, DwActivation, DwSynapse};
use crate::energy::CircuitParams;
use crate::network::{NetworkSpec, TrainParams};
use crate::tile::IoParams;
use crate::update::UpdateScheme;
use dwmtj_core::quantity::{opt_si, RawQuantity};
use dwmtj_core::units::Dim;
use dwmtj_core::ConfigError;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// `[data]`: where the images come from (optional: the built-in MNIST subset by default).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawData {
    /// Folder with the standard IDX files, relative to the training file.
    pub dir: Option<String>,
    /// Centre crop, in pixels per side (4-1024).
    pub crop: Option<usize>,
    /// Use only the first this many training images.
    pub train_limit: Option<usize>,
    /// Use only the first this many test images.
    pub test_limit: Option<usize>,
}

/// `[network]`: the network and its periphery.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawNetwork {
    /// Hidden layer sizes (each 1-100000): an MLP. Give this or `layers`.
    pub hidden: Option<Vec<usize>>,
    /// The stages before the 10-class output layer: `conv`, `max-pool`, `avg-pool` and `dense`
    /// tables (convolutions and pooling first). Give this or `hidden`.
    pub layers: Option<Vec<crate::layers::LayerSpec>>,
    /// sigmoid, relu, tanh or dw-sigmoid (default sigmoid).
    pub activation: Option<String>,
    /// Device file of the dw-sigmoid generator, relative to the training file (default: the built-in Fig. 4c).
    pub activation_device: Option<String>,
    /// w_max = weight_range / sqrt(fan_in), in (0, 1000] (default 4).
    pub weight_range: Option<f64>,
    /// aihwkit (its default periphery) or ideal (default aihwkit).
    pub periphery: Option<String>,
    /// "standard" (default) or "neurosim": MLP+NeuroSim V3.0's own training algorithm.
    pub mode: Option<String>,
}

/// `[training]`: the device and the optimiser.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawTraining {
    /// Catalog device name (default float).
    pub device: Option<String>,
    /// Device file of the DW-MTJ synapse, relative to the training file (default: the built-in Fig. 3f).
    pub device_file: Option<String>,
    /// float, stochastic, pulse-count or mixed-precision (default: each device's own).
    pub scheme: Option<String>,
    /// Pulse-train length BL of the stochastic scheme, 1-64 (default 31).
    pub desired_bl: Option<u32>,
    /// Epochs, 1-100000 (default 10).
    pub epochs: Option<usize>,
    /// Minibatch size, 1-65536 (default 8).
    pub batch: Option<usize>,
    /// Learning rate, in (0, 1000) (default 0.1).
    pub lr: Option<f64>,
    /// Factor on the learning rate after every epoch, in (0, 1] (default 1).
    pub lr_decay: Option<f64>,
    /// Seed of every random stream (default 1).
    pub seed: Option<u64>,
    /// Largest random translation of a training image per epoch, pixels (0-8; default 0).
    pub shift: Option<usize>,
    /// Learning rate of each tile layer, input to output, replacing `lr` (each in (0, 1000)).
    pub layer_lr: Option<Vec<f64>>,
    /// tiki-taka / ttv2: mini-batches between transfers, 1-100000 (default 1).
    pub transfer_every: Option<u32>,
    /// tiki-taka / ttv2: columns read and transferred each time, 1-4096 (default 1).
    pub transfer_columns: Option<u32>,
    /// tiki-taka / ttv2: scale of the transferred reads, in (0, 1000] (default 1).
    pub transfer_lr: Option<f64>,
}

/// `[energy]`: circuit constants of the energy and latency accounting (optional; defaults of `CircuitParams`).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawEnergy {
    /// Read voltage (voltage).
    pub v_read: Option<RawQuantity>,
    /// Read time of one MVM (time).
    pub t_read: Option<RawQuantity>,
    /// ADC figure of merit, energy per conversion step (energy).
    pub adc_fom: Option<RawQuantity>,
    /// ADC conversion time (time).
    pub t_adc: Option<RawQuantity>,
    /// DAC energy per level (energy).
    pub dac_energy_per_level: Option<RawQuantity>,
    /// Energy of one fp32 multiply-accumulate (energy).
    pub digital_mac: Option<RawQuantity>,
    /// Energy of one fp32 add (energy).
    pub digital_add: Option<RawQuantity>,
    /// Digital throughput (multiply-accumulates per second).
    pub digital_macs_per_s: Option<f64>,
}

/// `[crossbar]`: the physical array an inference reads through (optional).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawCrossbar {
    /// Resistance of each word- and bit-line segment between neighbouring cells (resistance).
    pub line_resistance: RawQuantity,
    /// Resistance of a device at its highest conductance (resistance).
    pub r_on: RawQuantity,
    /// Resistance of a device at its lowest conductance (resistance), above r_on.
    pub r_off: RawQuantity,
}

/// `[compare]`: devices to train one after another.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawCompare {
    /// Catalog device names (at least one).
    pub devices: Vec<String>,
    /// Update schemes to train each device with ("default": the device's own, or the file's
    /// `training.scheme`); default `["default"]`.
    pub schemes: Option<Vec<String>>,
}

/// A training file as written.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawTrainConfig {
    /// Run name (default "train").
    pub name: Option<String>,
    /// Free text for people.
    pub description: Option<String>,
    /// The `[data]` table.
    #[serde(default)]
    pub data: RawData,
    /// The `[network]` table.
    pub network: RawNetwork,
    /// The `[training]` table.
    pub training: RawTraining,
    /// The `[energy]` table.
    #[serde(default)]
    pub energy: RawEnergy,
    /// The `[compare]` table.
    pub compare: Option<RawCompare>,
    /// The `[crossbar]` table.
    pub crossbar: Option<RawCrossbar>,
}

/// Command-line overrides (`--data-dir`, `--device`, `--epochs`, `--seed`).
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    /// `--data-dir`: replaces `data.dir`.
    pub data_dir: Option<PathBuf>,
    /// `--device`: replaces `training.device`.
    pub device: Option<String>,
    /// `--epochs`: replaces `training.epochs`.
    pub epochs: Option<usize>,
    /// `--seed`: replaces `training.seed`.
    pub seed: Option<u64>,
}

/// A validated training run.
#[derive(Clone, Debug)]
pub struct TrainConfig {
    /// Run name.
    pub name: String,
    /// The data folder; None for the built-in MNIST subset.
    pub data_dir: Option<PathBuf>,
    /// Centre crop, in pixels per side.
    pub crop: Option<usize>,
    /// Use only the first this many training images.
    pub train_limit: Option<usize>,
    /// Use only the first this many test images.
    pub test_limit: Option<usize>,
    /// Network shape and periphery.
    pub spec: NetworkSpec,
    /// Training hyper-parameters.
    pub params: TrainParams,
    /// The device trained (with the scheme override applied).
    pub device: DeviceEntry,
    /// The scheme named in the file (applied to every compared device when set).
    pub scheme_override: Option<UpdateScheme>,
    /// The scheme's name in the file, its BL and transfer settings (to resolve compared devices).
    pub scheme_name: Option<String>,
    /// Pulse-train length BL of stochastic updates.
    pub desired_bl: u32,
    /// Transfer settings of tiki-taka / ttv2.
    pub transfer: TransferKeys,
    /// The DW-MTJ synapse of `training.device_file` (or the built-in Fig. 3f) for the dw-* devices.
    pub synapse: Option<Arc<DwSynapse>>,
    /// Circuit constants of the energy and latency accounting.
    pub circuit: CircuitParams,
    /// Devices of `dwmtj compare`: `[compare].devices`, or just the trained device.
    pub compare: Vec<String>,
    /// Schemes of `dwmtj compare` (None: the default), each device trained with each.
    pub compare_schemes: Vec<Option<String>>,
    /// Device files as resolved paths (for the resolved config).
    pub device_file: Option<PathBuf>,
    /// The dw-sigmoid generator's device file as a resolved path; None for the built-in Fig. 4c.
    pub activation_device: Option<PathBuf>,
    /// The physical array an inference also reads through (`[crossbar]`), if any.
    pub crossbar: Option<crate::crossbar::CrossbarParams>,
}

fn err(field: &str, value: impl ToString, problem: impl Into<String>) -> ConfigError {
    ConfigError::field(field, value.to_string(), problem)
}

fn load_device(path: &Path) -> Result<(dwmtj_core::device::Device, dwmtj_core::device::PulseShape), ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    let (_, d, p) = dwmtj_core::config::parse_device(&text, &path.display().to_string(), path.parent())?;
    let p = p.ok_or_else(|| {
        err(
            "device_file",
            path.display(),
            "the device file needs a [program] table with its pulse",
        )
    })?;
    Ok((d, p.pulse))
}

fn builtin(id: &str) -> Result<(dwmtj_core::device::Device, dwmtj_core::device::PulseShape), ConfigError> {
    let text = dwmtj_core::builtin::device(id).expect("built-in device");
    let (_, d, p) = dwmtj_core::config::parse_device(text, id, None)?;
    Ok((d, p.expect("built-in devices have a program").pulse))
}

/// A transfer scheme's settings as given (`[training]` keys).
#[derive(Clone, Copy, Debug)]
pub struct TransferKeys {
    /// Mini-batches between transfers.
    pub every: u32,
    /// Columns per transfer.
    pub columns: u32,
    /// Scale of the transferred reads.
    pub lr: f32,
}

impl Default for TransferKeys {
    /// aihwkit's `TransferCompound` defaults: every mini-batch, one column, transfer_lr 1.
    fn default() -> Self {
        Self {
            every: 1,
            columns: 1,
            lr: 1.0,
        }
    }
}

/// Parse a scheme name (`transfer` sets the Tiki-Taka and TTv2 schemes).
pub fn scheme(name: &str, desired_bl: u32, device: &DeviceEntry) -> Result<UpdateScheme, ConfigError> {
    scheme_with(name, desired_bl, device, TransferKeys::default())
}

/// [`scheme`] with a transfer scheme's settings.
pub fn scheme_with(name: &str, desired_bl: u32, device: &DeviceEntry, transfer: TransferKeys) -> Result<UpdateScheme, ConfigError> {
    // At most one sweep of the whole range per update.
    let levels = (device.model.states() - 1.0).round().clamp(1.0, 1e6) as u32;
    Ok(match name {
        "tiki-taka" | "ttv2" => {
            // The fast array takes the device's own pulsed update (pulse counts where its
            // default is digital accumulation or float).
            let fast = match &device.scheme {
                s @ (UpdateScheme::Stochastic { .. } | UpdateScheme::PulseCount { .. }) => s.clone(),
                _ => UpdateScheme::PulseCount { max_pulses: levels },
            };
            let fast = match fast {
                UpdateScheme::Stochastic { .. } => UpdateScheme::Stochastic {
                    desired_bl,
                    bl_management: true,
                    update_management: true,
                },
                other => other,
            };
            UpdateScheme::Transfer(crate::tiki_taka::TransferParams {
                fast: Box::new(fast),
                transfer_every: transfer.every,
                columns: transfer.columns,
                transfer_lr: transfer.lr,
                buffered: name == "ttv2",
            })
        }
        "float" => UpdateScheme::Float,
        "stochastic" => UpdateScheme::Stochastic {
            desired_bl,
            bl_management: true,
            update_management: true,
        },
        "pulse-count" => UpdateScheme::PulseCount { max_pulses: levels },
        "mixed-precision" => UpdateScheme::MixedPrecision { max_pulses: levels },
        other => {
            return Err(err(
                "training.scheme",
                other,
                "expected float, stochastic, pulse-count, mixed-precision, tiki-taka or ttv2",
            ))
        }
    })
}

/// Resolve one device by name with this configuration's synapse and scheme override.
pub fn device_entry(
    name: &str,
    synapse: Option<&DwSynapse>,
    scheme_name: Option<&str>,
    desired_bl: u32,
) -> Result<DeviceEntry, ConfigError> {
    device_entry_with(name, synapse, scheme_name, desired_bl, TransferKeys::default())
}

/// [`device_entry`] with a transfer scheme's settings.
pub fn device_entry_with(
    name: &str,
    synapse: Option<&DwSynapse>,
    scheme_name: Option<&str>,
    desired_bl: u32,
    transfer: TransferKeys,
) -> Result<DeviceEntry, ConfigError> {
    let mut entry = catalog::lookup(name, synapse).map_err(|m| err("training.device", name, m.to_string()))?;
    if let Some(s) = scheme_name {
        if !entry.is_float {
            entry.scheme = scheme_with(s, desired_bl, &entry, transfer)?;
        }
    } else if let UpdateScheme::Stochastic { .. } = entry.scheme {
        entry.scheme = scheme("stochastic", desired_bl, &entry)?;
    }
    Ok(entry)
}

impl TrainConfig {
    /// The catalog device `name` with this file's scheme, BL and transfer settings (the devices
    /// `dwmtj compare` trains).
    pub fn entry(&self, name: &str) -> Result<DeviceEntry, ConfigError> {
        device_entry_with(
            name,
            self.synapse.as_deref(),
            self.scheme_name.as_deref(),
            self.desired_bl,
            self.transfer,
        )
    }

    /// The catalog device `name` trained with `scheme` (None: as [`TrainConfig::entry`]).
    pub fn entry_with_scheme(&self, name: &str, scheme: Option<&str>) -> Result<DeviceEntry, ConfigError> {
        match scheme {
            None => self.entry(name),
            Some(s) => device_entry_with(name, self.synapse.as_deref(), Some(s), self.desired_bl, self.transfer),
        }
    }
}

impl RawTrainConfig {
    /// Validate with the overrides `o` applied; `base` is the folder relative paths are read from.
    pub fn validate(&self, base: &Path, o: &Overrides) -> Result<TrainConfig, ConfigError> {
        let t = &self.training;
        let n = &self.network;
        let rel = |p: &str| base.join(p);
        let data_dir = match (&o.data_dir, &self.data.dir) {
            (Some(d), _) => Some(d.clone()),
            (None, Some(d)) => Some(rel(d)),
            (None, None) => None,
        };
        if let Some(c) = self.data.crop {
            if !(4..=1024).contains(&c) {
                return Err(err("data.crop", c, "expected a crop size in pixels, 4-1024"));
            }
        }
        let layers = match (&n.hidden, &n.layers) {
            (Some(_), Some(_)) => {
                return Err(err(
                    "network.layers",
                    "(set)",
                    "give either network.hidden (an MLP) or network.layers",
                ))
            }
            (None, None) => {
                return Err(err(
                    "network.hidden",
                    "missing",
                    "give network.hidden (an MLP's layer sizes) or network.layers",
                ))
            }
            (Some(h), None) => {
                if h.is_empty() || h.iter().any(|&h| h == 0 || h > 100_000) {
                    return Err(err(
                        "network.hidden",
                        format!("{h:?}"),
                        "expected one or more layer sizes, each 1-100000",
                    ));
                }
                h.iter().map(|&units| crate::layers::LayerSpec::Dense { units }).collect()
            }
            (None, Some(l)) => {
                if l.len() > 64 {
                    return Err(err("network.layers", format!("{} layers", l.len()), "expected at most 64 layers"));
                }
                // The shapes are checked against the images when the data are loaded; the
                // sizes here, so that a bad number is named before any loading.
                crate::layers::plan(l, [1, 4096, 4096], 10)
                    .map(|_| ())
                    .or_else(|e| if e.problem.contains("does not fit") { Ok(()) } else { Err(e) })
                    .map_err(|e| err("network.layers", format!("layer {}", e.index), e.to_string()))?;
                l.clone()
            }
        };
        let weight_range = n.weight_range.unwrap_or(4.0);
        if !(weight_range > 0.0 && weight_range <= 1000.0) {
            return Err(err(
                "network.weight_range",
                dwmtj_core::quantity::short(weight_range),
                "expected a number in (0, 1000]",
            ));
        }
        let (fwd, bwd) = match n.periphery.as_deref().unwrap_or("aihwkit") {
            "aihwkit" => (IoParams::default(), IoParams::default()),
            "ideal" => (IoParams::ideal(), IoParams::ideal()),
            other => return Err(err("network.periphery", other, "expected aihwkit or ideal")),
        };
        let activation = match n.activation.as_deref().unwrap_or("sigmoid") {
            "sigmoid" => Activation::Sigmoid,
            "relu" => Activation::Relu,
            "tanh" => Activation::Tanh,
            "dw-sigmoid" => {
                let (d, p) = match &n.activation_device {
                    Some(f) => load_device(&rel(f))?,
                    None => builtin("fig4c")?,
                };
                let a: DwActivation = dwdevice::activation(&d, &p)?;
                Activation::DwSigmoid(Arc::new(a))
            }
            other => return Err(err("network.activation", other, "expected sigmoid, relu, tanh or dw-sigmoid")),
        };
        if n.activation_device.is_some() && !matches!(activation, Activation::DwSigmoid(_)) {
            return Err(err(
                "network.activation_device",
                n.activation_device.as_deref().unwrap_or(""),
                "only used with activation = \"dw-sigmoid\"",
            ));
        }
        let epochs = o.epochs.or(t.epochs).unwrap_or(10);
        if epochs == 0 || epochs > 100_000 {
            return Err(err("training.epochs", epochs, "expected 1-100000"));
        }
        let batch = t.batch.unwrap_or(8);
        if batch == 0 || batch > 65_536 {
            return Err(err("training.batch", batch, "expected 1-65536"));
        }
        let lr = t.lr.unwrap_or(0.1);
        if !(lr > 0.0 && lr < 1e3) {
            return Err(err(
                "training.lr",
                dwmtj_core::quantity::short(lr),
                "expected a learning rate in (0, 1000)",
            ));
        }
        let lr_decay = t.lr_decay.unwrap_or(1.0);
        if !(lr_decay > 0.0 && lr_decay <= 1.0) {
            return Err(err(
                "training.lr_decay",
                dwmtj_core::quantity::short(lr_decay),
                "expected a factor in (0, 1]",
            ));
        }
        let mode = match n.mode.as_deref().unwrap_or("standard") {
            "standard" => crate::network::Mode::Standard,
            "neurosim" => crate::network::Mode::NeuroSim,
            other => return Err(err("network.mode", other, "expected standard or neurosim")),
        };
        if mode == crate::network::Mode::NeuroSim {
            if n.hidden.is_none() {
                return Err(err("network.mode", "neurosim", "NeuroSim's mode trains MLPs: give network.hidden"));
            }
            if !matches!(activation, Activation::Sigmoid) {
                return Err(err("network.activation", activation.name(), "NeuroSim's mode uses sigmoid layers"));
            }
            for (key, set) in [
                ("network.periphery", n.periphery.is_some()),
                ("network.weight_range", n.weight_range.is_some()),
            ] {
                if set {
                    return Err(err(
                        key,
                        "(set)",
                        "not used by mode = \"neurosim\" (its weights are on (-1, 1) with its own partial-sum ADC)",
                    ));
                }
            }
        }
        let layer_lr = t.layer_lr.clone().unwrap_or_default();
        if let Some(bad) = layer_lr.iter().find(|&&v| !(v > 0.0 && v < 1e3)) {
            return Err(err(
                "training.layer_lr",
                dwmtj_core::quantity::short(*bad),
                "expected learning rates in (0, 1000)",
            ));
        }
        let tiles = layers.iter().filter(|l| l.has_tile()).count() + 1;
        if !layer_lr.is_empty() && layer_lr.len() != tiles {
            return Err(err(
                "training.layer_lr",
                format!("{} rates", layer_lr.len()),
                format!("expected one per tile layer: {tiles} (the dense and convolution layers and the output layer)"),
            ));
        }
        let shift = t.shift.unwrap_or(0);
        if shift > 8 {
            return Err(err("training.shift", shift, "expected a translation of 0-8 pixels"));
        }
        let desired_bl = t.desired_bl.unwrap_or(31);
        if !(1..=64).contains(&desired_bl) {
            return Err(err("training.desired_bl", desired_bl, "expected 1-64 pulse slots"));
        }
        let synapse = {
            let (d, p) = match &t.device_file {
                Some(f) => load_device(&rel(f))?,
                None => builtin("fig3f")?,
            };
            Some(Arc::new(dwdevice::synapse(&d, &p)?))
        };
        let transfer = TransferKeys {
            every: t.transfer_every.unwrap_or(1),
            columns: t.transfer_columns.unwrap_or(1),
            lr: t.transfer_lr.unwrap_or(1.0) as f32,
        };
        if !(1..=100_000).contains(&transfer.every) {
            return Err(err("training.transfer_every", transfer.every, "expected 1-100000 mini-batches"));
        }
        if !(1..=4096).contains(&transfer.columns) {
            return Err(err("training.transfer_columns", transfer.columns, "expected 1-4096 columns"));
        }
        let tlr = t.transfer_lr.unwrap_or(1.0);
        if !(tlr > 0.0 && tlr <= 1000.0) {
            return Err(err(
                "training.transfer_lr",
                dwmtj_core::quantity::short(tlr),
                "expected a scale in (0, 1000]",
            ));
        }
        let transfer_scheme = matches!(t.scheme.as_deref(), Some("tiki-taka" | "ttv2"))
            || self
                .compare
                .as_ref()
                .and_then(|c| c.schemes.as_ref())
                .is_some_and(|l| l.iter().any(|s| s == "tiki-taka" || s == "ttv2"));
        for (key, set) in [
            ("training.transfer_every", t.transfer_every.is_some()),
            ("training.transfer_columns", t.transfer_columns.is_some()),
            ("training.transfer_lr", t.transfer_lr.is_some()),
        ] {
            if set && !transfer_scheme {
                return Err(err(key, "(set)", "only used with scheme = \"tiki-taka\" or \"ttv2\""));
            }
        }
        let device_name = o.device.clone().or_else(|| t.device.clone()).unwrap_or_else(|| "float".into());
        let device = device_entry_with(&device_name, synapse.as_deref(), t.scheme.as_deref(), desired_bl, transfer)?;
        let scheme_override = match &t.scheme {
            Some(s) => Some(scheme_with(s, desired_bl, &device, transfer)?),
            None => None,
        };
        let e = &self.energy;
        let d = CircuitParams::default();
        let positive = |v: f64, field: &str| -> Result<f64, ConfigError> {
            if v > 0.0 && v.is_finite() {
                Ok(v)
            } else {
                Err(err(field, v, "expected a positive value"))
            }
        };
        let circuit = CircuitParams {
            v_read: positive(opt_si(&e.v_read, Dim::VOLTAGE, "energy.v_read", d.v_read)?, "energy.v_read")?,
            t_read: positive(opt_si(&e.t_read, Dim::TIME, "energy.t_read", d.t_read)?, "energy.t_read")?,
            adc_fom: positive(opt_si(&e.adc_fom, Dim::ENERGY, "energy.adc_fom", d.adc_fom)?, "energy.adc_fom")?,
            t_adc: positive(opt_si(&e.t_adc, Dim::TIME, "energy.t_adc", d.t_adc)?, "energy.t_adc")?,
            dac_energy_per_level: positive(
                opt_si(
                    &e.dac_energy_per_level,
                    Dim::ENERGY,
                    "energy.dac_energy_per_level",
                    d.dac_energy_per_level,
                )?,
                "energy.dac_energy_per_level",
            )?,
            digital_mac: positive(
                opt_si(&e.digital_mac, Dim::ENERGY, "energy.digital_mac", d.digital_mac)?,
                "energy.digital_mac",
            )?,
            digital_add: positive(
                opt_si(&e.digital_add, Dim::ENERGY, "energy.digital_add", d.digital_add)?,
                "energy.digital_add",
            )?,
            digital_macs_per_s: positive(e.digital_macs_per_s.unwrap_or(d.digital_macs_per_s), "energy.digital_macs_per_s")?,
        };
        let compare_schemes = match self.compare.as_ref().and_then(|c| c.schemes.as_ref()) {
            None => vec![None],
            Some(list) => {
                if list.is_empty() || list.len() > 8 {
                    return Err(err("compare.schemes", format!("{list:?}"), "list 1 to 8 schemes (or \"default\")"));
                }
                let probe = catalog::lookup("constant-step", None).map_err(|m| err("compare.schemes", "", m.to_string()))?;
                list.iter()
                    .map(|s| {
                        if s == "default" {
                            Ok(None)
                        } else {
                            scheme(s, desired_bl, &probe).map_err(|e| err("compare.schemes", s, e.to_string()))?;
                            Ok(Some(s.clone()))
                        }
                    })
                    .collect::<Result<Vec<_>, ConfigError>>()?
            }
        };
        let compare = match &self.compare {
            Some(c) => {
                if c.devices.is_empty() {
                    return Err(err("compare.devices", "[]", "list at least one device"));
                }
                for name in &c.devices {
                    catalog::lookup(name, synapse.as_deref()).map_err(|m| err("compare.devices", name, m.to_string()))?;
                }
                c.devices.clone()
            }
            None => vec![device_name.clone()],
        };
        let crossbar = match &self.crossbar {
            Some(c) => Some(crossbar_params(c)?),
            None => None,
        };
        Ok(TrainConfig {
            name: self.name.clone().unwrap_or_else(|| "train".into()),
            data_dir,
            crop: self.data.crop,
            train_limit: self.data.train_limit,
            test_limit: self.data.test_limit,
            spec: NetworkSpec {
                layers,
                activation,
                fwd,
                bwd,
                weight_range: weight_range as f32,
                mode,
            },
            params: TrainParams {
                epochs,
                batch,
                lr: lr as f32,
                lr_decay: lr_decay as f32,
                seed: o.seed.or(t.seed).unwrap_or(1),
                shift,
                layer_lr: layer_lr.iter().map(|&v| v as f32).collect(),
            },
            device,
            scheme_override,
            scheme_name: t.scheme.clone(),
            compare_schemes,
            desired_bl,
            transfer,
            synapse,
            circuit,
            compare,
            device_file: t.device_file.as_deref().map(rel),
            activation_device: n.activation_device.as_deref().map(rel),
            crossbar,
        })
    }
}

/// `[crossbar]` in SI, each value within its plausible range.
fn crossbar_params(c: &RawCrossbar) -> Result<crate::crossbar::CrossbarParams, ConfigError> {
    let ohm = |q: &RawQuantity, field: &str, lo: f64, hi: f64| -> Result<f64, ConfigError> {
        let v = q.to_si(Dim::RESISTANCE, field)?;
        if v.is_finite() && (lo..=hi).contains(&v) {
            Ok(v)
        } else {
            Err(err(field, format!("{v:e} Ohm"), format!("expected {lo:e} to {hi:e} Ohm")))
        }
    };
    let line = ohm(&c.line_resistance, "crossbar.line_resistance", 1e-6, 1e4)?;
    let r_on = ohm(&c.r_on, "crossbar.r_on", 1.0, 1e9)?;
    let r_off = ohm(&c.r_off, "crossbar.r_off", 1.0, 1e12)?;
    if r_off <= r_on {
        return Err(err(
            "crossbar.r_off",
            format!("{r_off:e} Ohm"),
            format!("expected above crossbar.r_on ({r_on:e} Ohm)"),
        ));
    }
    Ok(crate::crossbar::CrossbarParams {
        line_resistance_ohm: line,
        r_on_ohm: r_on,
        r_off_ohm: r_off,
    })
}

/// Parse and validate a configuration text; `base` resolves relative paths.
pub fn parse(text: &str, origin: &str, base: &Path, o: &Overrides) -> Result<(RawTrainConfig, TrainConfig), ConfigError> {
    let raw: RawTrainConfig = toml::from_str(text).map_err(|e| ConfigError::Toml {
        origin: origin.to_string(),
        message: e.to_string(),
    })?;
    let cfg = raw.validate(base, o)?;
    Ok((raw, cfg))
}

/// The resolved configuration written back as TOML (every default made explicit).
pub fn resolved(raw: &RawTrainConfig, cfg: &TrainConfig) -> RawTrainConfig {
    let mut r = raw.clone();
    r.data.dir = cfg.data_dir.as_ref().map(|d| d.display().to_string());
    r.training.device_file = cfg.device_file.as_ref().map(|p| p.display().to_string());
    r.network.activation_device = cfg.activation_device.as_ref().map(|p| p.display().to_string());
    r.network.activation = Some(cfg.spec.activation.name().to_string());
    if cfg.spec.mode == crate::network::Mode::Standard {
        r.network.weight_range = Some(f64::from(cfg.spec.weight_range));
        r.network.periphery = Some(if cfg.spec.fwd.is_ideal() { "ideal" } else { "aihwkit" }.to_string());
        r.network.mode = Some("standard".into());
    } else {
        r.network.mode = Some("neurosim".into());
    }
    r.training.device = Some(cfg.device.name.clone());
    r.training.scheme = Some(cfg.device.scheme.name().to_string());
    r.training.epochs = Some(cfg.params.epochs);
    r.training.batch = Some(cfg.params.batch);
    r.training.lr = Some(f64::from(cfg.params.lr));
    r.training.lr_decay = Some(f64::from(cfg.params.lr_decay));
    r.training.seed = Some(cfg.params.seed);
    r.training.shift = Some(cfg.params.shift);
    let c = &cfg.circuit;
    r.energy = RawEnergy {
        v_read: Some(RawQuantity::Text(format!("{} V", dwmtj_core::quantity::short(c.v_read)))),
        t_read: Some(RawQuantity::Text(format!("{} s", dwmtj_core::quantity::short(c.t_read)))),
        adc_fom: Some(RawQuantity::Text(format!("{} J", dwmtj_core::quantity::short(c.adc_fom)))),
        t_adc: Some(RawQuantity::Text(format!("{} s", dwmtj_core::quantity::short(c.t_adc)))),
        dac_energy_per_level: Some(RawQuantity::Text(format!(
            "{} J",
            dwmtj_core::quantity::short(c.dac_energy_per_level)
        ))),
        digital_mac: Some(RawQuantity::Text(format!("{} J", dwmtj_core::quantity::short(c.digital_mac)))),
        digital_add: Some(RawQuantity::Text(format!("{} J", dwmtj_core::quantity::short(c.digital_add)))),
        digital_macs_per_s: Some(c.digital_macs_per_s),
    };
    r
}
