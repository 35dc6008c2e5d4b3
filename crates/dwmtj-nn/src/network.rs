//! Multilayer perceptrons on crossbar tiles, trained on chip by minibatch SGD with a
//! softmax cross-entropy loss (Gokmen & Vlasov 2016's 784-256-128-10, or NeuroSim's 400-100-10
//! on 20 x 20 crops).
//!
//! Layer l: z = alpha_l W_l a + b_l (W_l on a tile, b_l digital), a' = f(z) for hidden layers,
//! softmax for the output. Backward: delta_L = softmax - onehot; delta_{l-1} =
//! (alpha W_l^T delta_l) * f'(z_{l-1}) through the tile's backward periphery. Every random draw
//! (periphery noise, pulse trains, device noise, the generator's switching, the shuffle) comes
//! from a stream keyed by (seed, epoch, step, layer, sample), so results do not depend on the
//! thread count.
//!
//! Weight mapping: the device range [b_min, b_max] maps to effective weights up to
//! w_max = weight_range / sqrt(fan_in) (alpha = w_max / b_max); weights start uniform within the
//! Glorot bound sqrt(6 / (fan_in + fan_out)). The float baseline has alpha = 1 and no bounds.

use crate::activation::Activation;
use crate::catalog::DeviceEntry;
use crate::energy::{adc_energy, dac_energy, CircuitParams, EnergyBreakdown};
use crate::idx::Dataset;
use crate::tile::{FromSeedU64, IoParams, ReadCounts, Tile};
use crate::update::{UpdateCounts, UpdateScheme, UpdateState};
use rand::seq::SliceRandom;
use rand::Rng;
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;

/// Training and test data as floats in [0, 1].
#[derive(Clone, Debug)]
pub struct Data {
    /// Values per image (the network's input size).
    pub inputs: usize,
    /// Training images, `inputs` values each, one after another.
    pub train_x: Vec<f32>,
    /// Class (0-9) of each training image.
    pub train_y: Vec<u8>,
    /// Test images, `inputs` values each, one after another.
    pub test_x: Vec<f32>,
    /// Class (0-9) of each test image.
    pub test_y: Vec<u8>,
}

/// A centre crop that does not fit the images.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("crop {crop} does not fit {rows} x {cols} images")]
pub struct CropError {
    /// The crop asked for (pixels per side).
    pub crop: usize,
    /// Image height (pixels).
    pub rows: usize,
    /// Image width (pixels).
    pub cols: usize,
}

impl Data {
    /// Images scaled by 1/255, optionally centre-cropped to `crop` x `crop`, optionally limited
    /// to the first `train_limit` / `test_limit` images.
    pub fn from_dataset(
        ds: &Dataset,
        crop: Option<usize>,
        train_limit: Option<usize>,
        test_limit: Option<usize>,
    ) -> Result<Self, CropError> {
        let (rows, cols) = (ds.train.rows, ds.train.cols);
        let (c, r0, c0) = match crop {
            Some(c) if c > rows.min(cols) || c == 0 => return Err(CropError { crop: c, rows, cols }),
            Some(c) => (Some(c), (rows - c) / 2, (cols - c) / 2),
            None => (None, 0, 0),
        };
        let inputs = c.map_or(rows * cols, |c| c * c);
        let convert = |split: &crate::idx::Split, limit: Option<usize>| {
            let n = limit.map_or(split.len(), |l| l.min(split.len()));
            let mut x = Vec::with_capacity(n * inputs);
            for k in 0..n {
                let img = split.image(k);
                match c {
                    Some(c) => {
                        for r in r0..r0 + c {
                            x.extend(img[r * cols + c0..r * cols + c0 + c].iter().map(|&p| f32::from(p) / 255.0));
                        }
                    }
                    None => x.extend(img.iter().map(|&p| f32::from(p) / 255.0)),
                }
            }
            (x, split.labels[..n].to_vec())
        };
        let (train_x, train_y) = convert(&ds.train, train_limit);
        let (test_x, test_y) = convert(&ds.test, test_limit);
        Ok(Self {
            inputs,
            train_x,
            train_y,
            test_x,
            test_y,
        })
    }
}

/// Network shape and periphery.
#[derive(Clone, Debug)]
pub struct NetworkSpec {
    /// Hidden layer sizes (input and output sizes come from the data and the 10 classes).
    pub hidden: Vec<usize>,
    /// Activation of the hidden layers.
    pub activation: Activation,
    /// Forward periphery of every tile (float devices use an ideal one).
    pub fwd: IoParams,
    /// Backward periphery of every tile (float devices use an ideal one).
    pub bwd: IoParams,
    /// Largest effective weight times sqrt(fan_in): w_max = weight_range / sqrt(fan_in) (unused by float
    /// devices).
    pub weight_range: f32,
}

/// Minibatch SGD settings.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct TrainParams {
    /// Passes over the training set.
    pub epochs: usize,
    /// Minibatch size.
    pub batch: usize,
    /// Learning rate of the first epoch.
    pub lr: f32,
    /// Multiply lr by this after every epoch.
    pub lr_decay: f32,
    /// Seed of every random stream of the run.
    pub seed: u64,
}

struct Layer {
    tile: Tile,
    bias: Vec<f32>,
    state: UpdateState,
}

/// Event counts of one layer (forward, backward, update, activation).
#[derive(Clone, Copy, Debug, Default)]
struct LayerCounts {
    fwd: ReadCounts,
    bwd: ReadCounts,
    upd: UpdateCounts,
    act_energy: f64,
    act_evals: u64,
}

/// A multilayer perceptron: one crossbar tile of the device per layer, digital biases.
pub struct Mlp {
    layers: Vec<Layer>,
    activation: Activation,
    device: DeviceEntry,
    sizes: Vec<usize>,
}

/// One trained layer: its effective weights alpha * w (row-major, `outputs` x `inputs`) and
/// biases.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainedLayer {
    /// Inputs of the layer.
    pub inputs: usize,
    /// Outputs of the layer.
    pub outputs: usize,
    /// Effective weights alpha * w, row-major (outputs x inputs).
    pub weights: Vec<f32>,
    /// Biases, one per output.
    pub bias: Vec<f32>,
    /// The devices' states w in the device's own range (row-major); the effective weight is
    /// `alpha` times it.
    pub device_state: Vec<f32>,
    /// Digital output scale alpha of the layer's tile.
    pub alpha: f32,
}

/// One epoch's metrics.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EpochMetrics {
    /// Epoch number, from 1.
    pub epoch: usize,
    /// Learning rate of the epoch.
    pub lr: f32,
    /// Mean cross-entropy over the training images during the epoch.
    pub train_loss: f64,
    /// Fraction of training images classified correctly during the epoch.
    pub train_accuracy: f64,
    /// Mean cross-entropy over the test images after the epoch.
    pub test_loss: f64,
    /// Fraction of test images classified correctly after the epoch (hardware forward pass).
    pub test_accuracy: f64,
    /// Device programming pulses applied during the epoch.
    pub device_pulses: u64,
    /// Energy and latency of the epoch's training (forward, backward and update).
    pub energy: EnergyBreakdown,
}

/// A finished training run.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct TrainResult {
    /// Device name.
    pub device: String,
    /// Update scheme name.
    pub scheme: String,
    /// Layer sizes, input to output.
    pub sizes: Vec<usize>,
    /// Metrics of every epoch.
    pub epochs: Vec<EpochMetrics>,
    /// Test accuracy after the last epoch (fraction; 0 without epochs).
    pub test_accuracy: f64,
    /// Training energy and latency summed over all epochs.
    pub training: EnergyBreakdown,
    /// Energy and latency of one inference (mean over the test set).
    pub inference: EnergyBreakdown,
    /// Number of weights.
    pub weights: usize,
    /// Wall-clock seconds spent training and evaluating (not part of the seeded results).
    pub train_seconds: f64,
    /// Wall-clock seconds spent evaluating (not part of the seeded results).
    pub eval_seconds: f64,
    /// The trained network, layer by layer (not part of the JSON summaries).
    #[serde(skip)]
    pub layers: Vec<TrainedLayer>,
}

fn seed_id(epoch: usize, step: usize, layer: usize, tag: u64) -> u64 {
    ((epoch as u64) << 44) ^ ((step as u64) << 12) ^ ((layer as u64) << 4) ^ tag
}

fn softmax_ce(logits: &mut [f32], label: u8) -> (f64, bool) {
    let max = logits.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
    let pred = logits.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).map_or(0, |(k, _)| k);
    let mut sum = 0.0f32;
    for v in logits.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    logits.iter_mut().for_each(|v| *v /= sum);
    let p = logits[usize::from(label)].max(1e-30);
    (-f64::from(p.ln()), pred == usize::from(label))
}

impl Layer {
    /// The layer as trained: effective weights alpha w, biases, device states and alpha.
    fn trained(&self) -> TrainedLayer {
        TrainedLayer {
            inputs: self.tile.in_size,
            outputs: self.tile.out_size,
            weights: self.tile.w.iter().map(|w| self.tile.alpha * w).collect(),
            bias: self.bias.clone(),
            device_state: self.tile.w.clone(),
            alpha: self.tile.alpha,
        }
    }
}

impl Mlp {
    /// Layers `inputs`, the hidden sizes of `spec`, 10 outputs; initial weights from `seed`.
    pub fn new(spec: &NetworkSpec, device: &DeviceEntry, inputs: usize, seed: u64) -> Self {
        let mut sizes = vec![inputs];
        sizes.extend(&spec.hidden);
        sizes.push(10);
        let mut rng = Xoshiro256PlusPlus::from_seed_u64(seed ^ 0x005E_ED0F_1A7E);
        let (fwd, bwd) = if device.is_float {
            (IoParams::ideal(), IoParams::ideal())
        } else {
            (spec.fwd.clone(), spec.bwd.clone())
        };
        let layers = sizes
            .windows(2)
            .map(|s| {
                let (n, m) = (s[0], s[1]);
                let glorot = (6.0 / (n + m) as f32).sqrt();
                let (_, b_max) = device.model.bounds();
                let alpha = if device.is_float {
                    1.0
                } else {
                    spec.weight_range / (n as f32).sqrt() / b_max as f32
                };
                let tile = Tile::new(
                    m,
                    n,
                    device.model.clone(),
                    alpha,
                    glorot / alpha,
                    device.d2d,
                    fwd.clone(),
                    bwd.clone(),
                    &mut rng,
                );
                Layer {
                    tile,
                    bias: vec![0.0; m],
                    state: UpdateState::default(),
                }
            })
            .collect();
        Self {
            layers,
            activation: spec.activation.clone(),
            device: device.clone(),
            sizes,
        }
    }

    /// Number of weights (biases not counted).
    pub fn weights(&self) -> usize {
        self.sizes.windows(2).map(|s| s[0] * s[1]).sum()
    }

    /// Forward a batch; returns per-layer inputs, pre-activations, the output probabilities,
    /// loss sum and correct count, and the counts.
    #[allow(clippy::type_complexity)]
    fn forward(
        &self,
        x: &[f32],
        labels: &[u8],
        seed: u64,
        epoch: usize,
        step: usize,
        counts: &mut [LayerCounts],
    ) -> (Vec<Vec<f32>>, Vec<Vec<f32>>, Vec<f32>, f64, usize) {
        let batch = labels.len();
        let mut inputs = vec![x.to_vec()];
        let mut zs = Vec::new();
        let nl = self.layers.len();
        for (l, layer) in self.layers.iter().enumerate() {
            let a = inputs.last().expect("input");
            let (mut z, c) = layer.tile.forward(a, batch, (seed, seed_id(epoch, step, l, 1)));
            counts[l].fwd.add(&c);
            let m = layer.tile.out_size;
            for zr in z.chunks_mut(m) {
                zr.iter_mut().zip(&layer.bias).for_each(|(v, b)| *v += b);
            }
            if l + 1 < nl {
                let mut out = vec![0.0f32; z.len()];
                let act = &self.activation;
                let energies: Vec<f64> = out
                    .par_chunks_mut(m)
                    .zip(z.par_chunks(m))
                    .with_min_len(crate::tile::rows_per_task(16 * m))
                    .enumerate()
                    .map(|(b, (o, zr))| {
                        let mut rng = dwmtj_core::stream::stream(seed, seed_id(epoch, step, l, 2), b as u64);
                        act.forward(zr, o, || rng.gen::<f64>())
                    })
                    .collect();
                counts[l].act_energy += energies.iter().sum::<f64>();
                if act.is_hardware() {
                    counts[l].act_evals += (batch * m) as u64;
                }
                zs.push(z);
                inputs.push(out);
            } else {
                zs.push(z);
            }
        }
        let mut probs = zs.last().expect("output").clone();
        let mut loss = 0.0;
        let mut correct = 0;
        for (p, &y) in probs.chunks_mut(10).zip(labels) {
            let (l, ok) = softmax_ce(p, y);
            loss += l;
            correct += usize::from(ok);
        }
        (inputs, zs, probs, loss, correct)
    }

    #[allow(clippy::too_many_arguments)]
    fn train_step(
        &mut self,
        x: &[f32],
        labels: &[u8],
        lr: f32,
        seed: u64,
        epoch: usize,
        step: usize,
        counts: &mut [LayerCounts],
    ) -> (f64, usize) {
        let batch = labels.len();
        let (inputs, zs, probs, loss, correct) = self.forward(x, labels, seed, epoch, step, counts);
        let mut delta = probs;
        for (d, &y) in delta.chunks_mut(10).zip(labels) {
            d[usize::from(y)] -= 1.0;
        }
        for l in (0..self.layers.len()).rev() {
            let next = if l > 0 {
                let (mut g, c) = self.layers[l].tile.backward(&delta, batch, (seed, seed_id(epoch, step, l, 3)));
                counts[l].bwd.add(&c);
                let act = &self.activation;
                let a = &inputs[l];
                g.par_chunks_mut(4096)
                    .zip(zs[l - 1].par_chunks(4096))
                    .zip(a.par_chunks(4096))
                    .for_each(|((g, z), a)| {
                        for ((g, &z), &a) in g.iter_mut().zip(z).zip(a) {
                            *g *= act.derivative_at(z, a);
                        }
                    });
                Some(g)
            } else {
                None
            };
            let layer = &mut self.layers[l];
            let m = layer.tile.out_size;
            let f = lr / batch as f32;
            for row in delta.chunks(m) {
                layer.bias.iter_mut().zip(row).for_each(|(b, d)| *b -= f * d);
            }
            let scheme = self.device.scheme.clone();
            let c = layer.tile.update(
                &inputs[l],
                &delta,
                batch,
                lr,
                &scheme,
                &mut layer.state,
                (seed, seed_id(epoch, step, l, 4)),
            );
            counts[l].upd.add(&c);
            if let Some(g) = next {
                delta = g;
            }
        }
        (loss, correct)
    }

    /// Test-set loss and accuracy with the hardware forward pass (noise included), and the
    /// counts of that pass.
    fn evaluate(&self, x: &[f32], y: &[u8], seed: u64, epoch: usize, counts: &mut [LayerCounts]) -> (f64, f64) {
        let n_in = self.sizes[0];
        let chunk = 250;
        let (mut loss, mut correct) = (0.0, 0usize);
        for (k, (xb, yb)) in x.chunks(chunk * n_in).zip(y.chunks(chunk)).enumerate() {
            let (_, _, _, l, c) = self.forward(xb, yb, seed, epoch, 1_000_000 + k, counts);
            loss += l;
            correct += c;
        }
        (loss / y.len() as f64, correct as f64 / y.len() as f64)
    }

    /// Price the counts of one or more passes.
    fn price(&self, counts: &[LayerCounts], circuit: &CircuitParams) -> EnergyBreakdown {
        let mut e = EnergyBreakdown::default();
        for (l, c) in counts.iter().enumerate() {
            let (n, m) = (self.sizes[l] as f64, self.sizes[l + 1] as f64);
            e.activation_j += c.act_energy;
            if let Activation::DwSigmoid(a) = &self.activation {
                if c.act_evals > 0 {
                    // Generators of a layer fire in parallel: one pulse plus a read per batch row.
                    e.read_latency_s += (c.fwd.mvms as f64) * (a.pulse_width + circuit.t_read);
                }
            }
            match &self.device.costs {
                None => {
                    let macs = (c.fwd.mvms + c.bwd.mvms) as f64 * n * m + c.upd.digital_ops as f64;
                    e.digital_j += macs * circuit.digital_mac;
                    e.digital_latency_s += macs / circuit.digital_macs_per_s;
                }
                Some(dev) => {
                    let g_pair = dev.g_min + dev.g_max;
                    let v2t = circuit.v_read * circuit.v_read * circuit.t_read;
                    e.array_read_j += v2t * g_pair * (c.fwd.input_power * m + c.bwd.input_power * n);
                    let fb = (self.layers[l].tile.fwd.adc_bits(), self.layers[l].tile.fwd.dac_bits());
                    let bb = (self.layers[l].tile.bwd.adc_bits(), self.layers[l].tile.bwd.dac_bits());
                    e.adc_j +=
                        c.fwd.adc_conversions as f64 * adc_energy(circuit, fb.0) + c.bwd.adc_conversions as f64 * adc_energy(circuit, bb.0);
                    e.dac_j +=
                        c.fwd.dac_conversions as f64 * dac_energy(circuit, fb.1) + c.bwd.dac_conversions as f64 * dac_energy(circuit, bb.1);
                    e.read_latency_s += (c.fwd.mvms + c.bwd.mvms) as f64 * (circuit.t_read + circuit.t_adc);
                    e.device_write_j += c.upd.pulses as f64 * dev.pulse_energy;
                    e.write_latency_s += (c.upd.parallel_slots + c.upd.row_pulse_slots) as f64 * dev.pulse_width;
                    let ops = c.upd.digital_ops as f64;
                    let add = if matches!(self.device.scheme, UpdateScheme::Stochastic { .. }) {
                        circuit.digital_add
                    } else {
                        circuit.digital_mac
                    };
                    e.digital_j += ops * add;
                    e.digital_latency_s += ops / circuit.digital_macs_per_s;
                }
            }
        }
        e
    }
}

/// Bytes a network of `spec` on `inputs` inputs holds while training with batches of `batch`:
/// per weight its value, step scale, update state and gradient buffers (about 32 bytes), per
/// activation of a batch the forward, backward and periphery buffers (about 64 bytes).
pub fn memory_estimate(spec: &NetworkSpec, inputs: usize, batch: usize) -> f64 {
    let mut widths = vec![inputs as f64];
    widths.extend(spec.hidden.iter().map(|&h| h as f64));
    widths.push(10.0);
    let weights: f64 = widths.windows(2).map(|w| (w[0] + 1.0) * w[1]).sum();
    let activations: f64 = widths.iter().sum::<f64>() * batch.max(1) as f64;
    weights * 32.0 + activations * 64.0
}

/// A training run stopped after `epochs_done` epochs: what it needs to continue to the same
/// result (the device weights, biases and update accumulators of every layer, the sample order,
/// the metrics and energy so far).
#[derive(Clone, Debug, PartialEq)]
pub struct TrainState {
    /// Epochs completed.
    pub epochs_done: usize,
    /// Every layer's state, input to output.
    pub layers: Vec<LayerState>,
    /// The training-image order of the last epoch (the next shuffle starts from it).
    pub order: Vec<usize>,
    /// Metrics of the completed epochs.
    pub epochs: Vec<EpochMetrics>,
    /// Training energy and latency so far.
    pub training: EnergyBreakdown,
    /// Energy and latency of one inference at the last evaluation.
    pub inference: EnergyBreakdown,
    /// Learning rate of the next epoch.
    pub lr: f32,
    /// Wall-clock seconds spent training so far.
    pub train_seconds: f64,
    /// Wall-clock seconds spent evaluating so far.
    pub eval_seconds: f64,
}

/// The state one layer carries between epochs.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerState {
    /// Device weights (out x in, row-major, device units).
    pub w: Vec<f32>,
    /// Digital biases.
    pub bias: Vec<f32>,
    /// Mixed-precision accumulator (empty for the other schemes).
    pub chi: Vec<f32>,
}

/// A checkpoint that does not belong to the run it is resumed with.
#[derive(Debug, thiserror::Error)]
#[error("the training checkpoint does not fit this run: {0}")]
pub struct ResumeError(pub String);

#[derive(serde::Serialize, serde::Deserialize)]
struct StateHeader {
    format: String,
    epochs_done: usize,
    sizes: Vec<usize>,
    chi_lens: Vec<usize>,
    order: Vec<usize>,
    epochs: Vec<EpochMetrics>,
    training: EnergyBreakdown,
    inference: EnergyBreakdown,
    lr_bits: u32,
    train_seconds: f64,
    eval_seconds: f64,
}

const STATE_FORMAT: &str = "dwmtj-train-checkpoint-1";

impl TrainState {
    /// Bytes of a checkpoint: a JSON header (floats exact), then every layer's w, bias and
    /// accumulator as little-endian f32 bits.
    pub fn to_bytes(&self, sizes: &[usize]) -> Vec<u8> {
        use dwmtj_core::checkpoint::{push_block, push_f32s};
        let header = StateHeader {
            format: STATE_FORMAT.into(),
            epochs_done: self.epochs_done,
            sizes: sizes.to_vec(),
            chi_lens: self.layers.iter().map(|l| l.chi.len()).collect(),
            order: self.order.clone(),
            epochs: self.epochs.clone(),
            training: self.training,
            inference: self.inference,
            lr_bits: self.lr.to_bits(),
            train_seconds: self.train_seconds,
            eval_seconds: self.eval_seconds,
        };
        let mut out = Vec::new();
        push_block(&mut out, &serde_json::to_vec(&header).expect("serialisable header"));
        for l in &self.layers {
            push_f32s(&mut out, &l.w);
            push_f32s(&mut out, &l.bias);
            push_f32s(&mut out, &l.chi);
        }
        out
    }

    /// Read a checkpoint for a network of layer `sizes` on `n_train` training images.
    pub fn from_bytes(bytes: &[u8], sizes: &[usize], n_train: usize, epochs: usize) -> Result<Self, ResumeError> {
        let bad = |m: &str| ResumeError(m.to_string());
        let mut r = dwmtj_core::checkpoint::Reader::new(bytes);
        let h: StateHeader = serde_json::from_slice(r.block().ok_or_else(|| bad("truncated header"))?).map_err(|e| bad(&e.to_string()))?;
        if h.format != STATE_FORMAT {
            return Err(bad(&format!("format {:?}", h.format)));
        }
        if h.sizes != sizes || h.order.len() != n_train || h.epochs_done > epochs || h.chi_lens.len() + 1 != sizes.len() {
            return Err(bad(&format!(
                "layers {:?} after {} epochs on {} images; this run has layers {sizes:?}, {epochs} epochs, {n_train} images",
                h.sizes,
                h.epochs_done,
                h.order.len()
            )));
        }
        let mut layers = Vec::new();
        for (s, &chi) in sizes.windows(2).zip(&h.chi_lens) {
            let w = r.f32s(s[0] * s[1]).ok_or_else(|| bad("truncated weights"))?;
            let bias = r.f32s(s[1]).ok_or_else(|| bad("truncated biases"))?;
            let chi = r.f32s(chi).ok_or_else(|| bad("truncated accumulators"))?;
            layers.push(LayerState { w, bias, chi });
        }
        if !r.is_empty() {
            return Err(bad("trailing data"));
        }
        Ok(Self {
            epochs_done: h.epochs_done,
            layers,
            order: h.order,
            epochs: h.epochs,
            training: h.training,
            inference: h.inference,
            lr: f32::from_bits(h.lr_bits),
            train_seconds: h.train_seconds,
            eval_seconds: h.eval_seconds,
        })
    }
}

/// Train from scratch; see [`train_resumable`].
pub fn train(
    spec: &NetworkSpec,
    device: &DeviceEntry,
    params: &TrainParams,
    data: &Data,
    circuit: &CircuitParams,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> TrainResult {
    let none = &mut dwmtj_core::checkpoint::NoCheckpoints;
    train_resumable(spec, device, params, data, circuit, progress, None, none).expect("no checkpoint to resume")
}

/// The layer sizes of a network of `spec` on `inputs` inputs.
pub fn layer_sizes(spec: &NetworkSpec, inputs: usize) -> Vec<usize> {
    let mut sizes = vec![inputs];
    sizes.extend(&spec.hidden);
    sizes.push(10);
    sizes
}

/// Train, from scratch or from `resume`, offering `checkpoints` the state after every epoch. A
/// resumed run ends with exactly the metrics and weights of an uninterrupted one.
#[allow(clippy::too_many_arguments)]
pub fn train_resumable(
    spec: &NetworkSpec,
    device: &DeviceEntry,
    params: &TrainParams,
    data: &Data,
    circuit: &CircuitParams,
    progress: &(dyn Fn(u64, u64) + Sync),
    resume: Option<TrainState>,
    checkpoints: &mut dyn dwmtj_core::checkpoint::Checkpoints<TrainState>,
) -> Result<TrainResult, ResumeError> {
    let mut net = Mlp::new(spec, device, data.inputs, params.seed);
    let n_train = data.train_y.len();
    let n_in = data.inputs;
    let steps_per_epoch = n_train.div_ceil(params.batch);
    let total = (steps_per_epoch * params.epochs) as u64;
    let mut order: Vec<usize> = (0..n_train).collect();
    let mut epochs = Vec::new();
    let mut training = EnergyBreakdown::default();
    let mut lr = params.lr;
    let mut xb = Vec::with_capacity(params.batch * n_in);
    let mut yb = Vec::with_capacity(params.batch);
    let mut inference = EnergyBreakdown::default();
    let (mut train_seconds, mut eval_seconds) = (0.0, 0.0);
    let mut first = 0;
    if let Some(state) = resume {
        if state.layers.len() != net.layers.len() {
            return Err(ResumeError(format!(
                "{} layers in the checkpoint, {} in the run",
                state.layers.len(),
                net.layers.len()
            )));
        }
        for (layer, saved) in net.layers.iter_mut().zip(state.layers) {
            if saved.w.len() != layer.tile.w.len() || saved.bias.len() != layer.bias.len() {
                return Err(ResumeError("layer sizes differ".into()));
            }
            layer.tile.w = saved.w;
            layer.bias = saved.bias;
            layer.state.chi = saved.chi;
        }
        first = state.epochs_done;
        order = state.order;
        epochs = state.epochs;
        training = state.training;
        inference = state.inference;
        lr = state.lr;
        train_seconds = state.train_seconds;
        eval_seconds = state.eval_seconds;
    }
    for epoch in first..params.epochs {
        let t0 = std::time::Instant::now();
        let mut shuffle = dwmtj_core::stream::stream(params.seed, 0xDA7A, epoch as u64);
        order.shuffle(&mut shuffle);
        let mut counts = vec![LayerCounts::default(); net.layers.len()];
        let (mut loss, mut correct) = (0.0, 0usize);
        for (step, idx) in order.chunks(params.batch).enumerate() {
            xb.clear();
            yb.clear();
            for &k in idx {
                xb.extend_from_slice(&data.train_x[k * n_in..(k + 1) * n_in]);
                yb.push(data.train_y[k]);
            }
            let (l, c) = net.train_step(&xb, &yb, lr, params.seed, epoch, step, &mut counts);
            loss += l;
            correct += c;
            progress((epoch * steps_per_epoch + step + 1) as u64, total);
        }
        train_seconds += t0.elapsed().as_secs_f64();
        let energy = net.price(&counts, circuit);
        training.add(&energy);
        let t1 = std::time::Instant::now();
        let mut test_counts = vec![LayerCounts::default(); net.layers.len()];
        let (test_loss, test_accuracy) = net.evaluate(&data.test_x, &data.test_y, params.seed, epoch, &mut test_counts);
        eval_seconds += t1.elapsed().as_secs_f64();
        inference = net.price(&test_counts, circuit).scaled(1.0 / data.test_y.len().max(1) as f64);
        epochs.push(EpochMetrics {
            epoch: epoch + 1,
            lr,
            train_loss: loss / n_train as f64,
            train_accuracy: correct as f64 / n_train as f64,
            test_loss,
            test_accuracy,
            device_pulses: counts.iter().map(|c| c.upd.pulses).sum(),
            energy,
        });
        lr *= params.lr_decay;
        if epoch + 1 < params.epochs && checkpoints.due(epoch + 1) {
            checkpoints.save(&TrainState {
                epochs_done: epoch + 1,
                layers: net
                    .layers
                    .iter()
                    .map(|l| LayerState {
                        w: l.tile.w.clone(),
                        bias: l.bias.clone(),
                        chi: l.state.chi.clone(),
                    })
                    .collect(),
                order: order.clone(),
                epochs: epochs.clone(),
                training,
                inference,
                lr,
                train_seconds,
                eval_seconds,
            });
        }
    }
    let acc = epochs.last().map_or(0.0, |e| e.test_accuracy);
    Ok(TrainResult {
        device: device.name.clone(),
        scheme: device.scheme.name().to_string(),
        sizes: net.sizes.clone(),
        weights: net.weights(),
        test_accuracy: acc,
        epochs,
        training,
        inference,
        train_seconds,
        eval_seconds,
        layers: net.layers.iter().map(Layer::trained).collect(),
    })
}

/// An inference network programmed from given weights: its accuracy and cost.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct InferenceResult {
    /// Device name.
    pub device: String,
    /// Layer sizes, input to output.
    pub sizes: Vec<usize>,
    /// Mean cross-entropy over the test images.
    pub test_loss: f64,
    /// Fraction of test images classified correctly (hardware forward pass).
    pub test_accuracy: f64,
    /// Fraction of weights clipped to the device range when programmed.
    pub clipped_fraction: f64,
    /// Energy and latency of one inference (mean over the test set).
    pub inference: EnergyBreakdown,
    /// The programmed network, layer by layer (effective weights after clipping and snapping).
    #[serde(skip)]
    pub layers: Vec<TrainedLayer>,
}

/// Program a network of `spec` on `device` with the effective weights and biases of `imported`
/// (each layer's weights W, outputs x inputs) and evaluate it on the test images: every device
/// is set to W / alpha, clipped to the device range and snapped to its levels (a discrete
/// device), with alpha as for training (`weight_range / sqrt(inputs) / b_max`). The periphery
/// (DAC, ADC, noise) is the one of `spec`.
pub fn infer(
    spec: &NetworkSpec,
    device: &DeviceEntry,
    params: &TrainParams,
    data: &Data,
    circuit: &CircuitParams,
    imported: &[TrainedLayer],
) -> Result<InferenceResult, String> {
    program_and_evaluate(spec, device, params, data, circuit, imported, true)
}

/// As [`infer`], but each device holds exactly W / alpha, neither clipped nor snapped: for
/// weights that changed after programming (drift, retention flips), evaluated through the same
/// periphery.
pub fn infer_exact(
    spec: &NetworkSpec,
    device: &DeviceEntry,
    params: &TrainParams,
    data: &Data,
    circuit: &CircuitParams,
    layers: &[TrainedLayer],
) -> Result<InferenceResult, String> {
    program_and_evaluate(spec, device, params, data, circuit, layers, false)
}

fn program_and_evaluate(
    spec: &NetworkSpec,
    device: &DeviceEntry,
    params: &TrainParams,
    data: &Data,
    circuit: &CircuitParams,
    imported: &[TrainedLayer],
    snap: bool,
) -> Result<InferenceResult, String> {
    let mut net = Mlp::new(spec, device, data.inputs, params.seed);
    if imported.len() != net.layers.len() {
        return Err(format!(
            "{} layers given, the network {:?} has {}",
            imported.len(),
            net.sizes,
            net.layers.len()
        ));
    }
    let (lo, hi) = device.model.bounds();
    let (mut clipped, mut total) = (0usize, 0usize);
    let mut snap_rng = Xoshiro256PlusPlus::from_seed_u64(params.seed ^ 0x5EA7);
    for (k, (layer, given)) in net.layers.iter_mut().zip(imported).enumerate() {
        if given.inputs != layer.tile.in_size || given.outputs != layer.tile.out_size {
            return Err(format!(
                "layer {}: weights {} x {} (outputs x inputs), the network needs {} x {}",
                k + 1,
                given.outputs,
                given.inputs,
                layer.tile.out_size,
                layer.tile.in_size
            ));
        }
        let alpha = layer.tile.alpha;
        for (w, &target) in layer.tile.w.iter_mut().zip(&given.weights) {
            let v = f64::from(target / alpha);
            total += 1;
            if !snap {
                *w = v as f32;
                continue;
            }
            let c = v.clamp(lo, hi);
            if (c - v).abs() > 1e-9 * (hi - lo) {
                clipped += 1;
            }
            *w = if device.is_float {
                c as f32
            } else {
                device.model.snap(c, &mut snap_rng) as f32
            };
        }
        layer.bias.clone_from(&given.bias);
    }
    let mut counts = vec![LayerCounts::default(); net.layers.len()];
    let (test_loss, test_accuracy) = net.evaluate(&data.test_x, &data.test_y, params.seed, 0, &mut counts);
    let inference = net.price(&counts, circuit).scaled(1.0 / data.test_y.len().max(1) as f64);
    Ok(InferenceResult {
        device: device.name.clone(),
        sizes: net.sizes.clone(),
        test_loss,
        test_accuracy,
        clipped_fraction: clipped as f64 / total.max(1) as f64,
        inference,
        layers: net.layers.iter().map(Layer::trained).collect(),
    })
}
