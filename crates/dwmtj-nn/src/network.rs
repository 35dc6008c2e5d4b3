//! Networks on crossbar tiles, trained on chip by minibatch SGD with a softmax cross-entropy
//! loss: multilayer perceptrons (Gokmen & Vlasov 2016's 784-256-128-10, or NeuroSim's
//! 400-100-10 on 20 x 20 crops) and convolutional networks (LeNet-5: convolutions on tiles by
//! im2col, max or average pooling; [`crate::layers`]).
//!
//! Tile layer l: z = alpha_l W_l a + b_l (W_l on a tile, b_l digital; a convolution applies it to
//! every patch), a' = f(z) for every tile layer but the last, softmax for the output. Backward:
//! delta_L = softmax - onehot; through a pooling stage its transpose; at tile layer l,
//! delta_z = delta (*) f'(z) and delta_in = alpha W^T delta_z through the tile's backward
//! periphery (a convolution scatters the patch gradients back, col2im). Every random draw
//! (periphery noise, pulse trains, device noise, the generator's switching, the shuffle) comes
//! from a stream keyed by (seed, epoch, step, layer, sample), so results do not depend on the
//! thread count.
//!
//! Weight mapping: the device range [b_min, b_max] maps to effective weights up to
//! w_max = weight_range / sqrt(fan_in) (alpha = w_max / b_max; fan_in = C k^2 for a
//! convolution); weights start uniform within the Glorot bound sqrt(6 / (fan_in + fan_out))
//! (fan_out = C_out k^2). The float baseline has alpha = 1 and no bounds. A convolution's
//! update sums over the output positions (the tile's update of the B H' W' patch rows with the
//! learning rate times H' W').

use crate::activation::Activation;
use crate::catalog::DeviceEntry;
use crate::energy::{adc_energy, dac_energy, CircuitParams, EnergyBreakdown};
use crate::idx::Dataset;
use crate::layers::{plan, LayerSpec, Plan, PlanError, Shape, Stage};
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
    /// Shape of an image: channels, rows, columns (inputs = their product).
    pub shape: Shape,
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
        let shape = c.map_or([1, rows, cols], |c| [1, c, c]);
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
            shape,
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
    /// The stages before the 10-class output layer, input to output: dense layers, or
    /// convolutions and pooling followed by dense layers ([`LayerSpec`]).
    pub layers: Vec<LayerSpec>,
    /// Activation after every tile layer but the output.
    pub activation: Activation,
    /// Forward periphery of every tile (float devices use an ideal one).
    pub fwd: IoParams,
    /// Backward periphery of every tile (float devices use an ideal one).
    pub bwd: IoParams,
    /// Largest effective weight times sqrt(fan_in): w_max = weight_range / sqrt(fan_in) (unused by float
    /// devices).
    pub weight_range: f32,
    /// The training algorithm: this crate's, or MLP+NeuroSim V3.0's own ([`Mode::NeuroSim`]).
    pub mode: Mode,
}

/// How a network trains and reads (docs/nn.md 5).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// Softmax cross-entropy, biases, the tiles' periphery as configured, minibatch SGD on the
    /// effective weights alpha w.
    #[default]
    Standard,
    /// MLP+NeuroSim V3.0's algorithm (an MLP with sigmoid layers): binary inputs (x >= 0.5),
    /// weights on (-1, 1) read directly (alpha 1), initialised uniformly on {-1, -2/3, ..., 1},
    /// no biases; each layer's sum through an 8-bit partial-sum ADC over its full range
    /// (steps of 2 N / 255 for N inputs; no other periphery noise); the hidden outputs thresholded
    /// at 0.5 to binary inputs of the next layer; squared-error loss on sigmoid outputs; per-layer
    /// learning rates on the outer products of the errors with the binary input (first layer) and
    /// the analog hidden outputs (second), written as pulse counts.
    NeuroSim,
}

impl NetworkSpec {
    /// A multilayer perceptron with these hidden layer sizes.
    pub fn mlp(hidden: &[usize], activation: Activation, fwd: IoParams, bwd: IoParams, weight_range: f32) -> Self {
        Self {
            layers: hidden.iter().map(|&units| LayerSpec::Dense { units }).collect(),
            activation,
            fwd,
            bwd,
            weight_range,
            mode: Mode::Standard,
        }
    }

    /// The network's stages on images of `shape` (10 classes).
    pub fn plan(&self, shape: Shape) -> Result<Plan, PlanError> {
        plan(&self.layers, shape, CLASSES)
    }
}

/// Classes of the output layer.
pub const CLASSES: usize = 10;

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
    /// Largest random translation of a training image, in pixels per axis (0: none): each
    /// training image is shifted anew every epoch by a draw from stream (seed, epoch, image),
    /// zeros filling in (data augmentation; test images are never shifted).
    pub shift: usize,
    /// Learning rate of each tile layer, input to output, replacing `lr` (empty: `lr` for all);
    /// `lr_decay` applies to them too.
    pub layer_lr: Vec<f32>,
}

/// `image` (shape C x H x W) translated by (dy, dx) pixels, zeros filling in.
fn translate(image: &[f32], shape: Shape, dy: isize, dx: isize, out: &mut Vec<f32>) {
    let [c, h, w] = shape;
    let start = out.len();
    out.resize(start + image.len(), 0.0);
    for ch in 0..c {
        for y in 0..h {
            let sy = y as isize - dy;
            if sy < 0 || sy >= h as isize {
                continue;
            }
            for x in 0..w {
                let sx = x as isize - dx;
                if sx >= 0 && sx < w as isize {
                    out[start + (ch * h + y) * w + x] = image[(ch * h + sy as usize) * w + sx as usize];
                }
            }
        }
    }
}

struct Layer {
    tile: Tile,
    bias: Vec<f32>,
    state: UpdateState,
    /// The weight tensor's shape: (outputs, inputs) dense, (C_out, C_in, k, k) convolution.
    weight_shape: Vec<usize>,
}

/// Event counts of one tile layer (forward, backward, update, activation, the pooling after it).
#[derive(Clone, Copy, Debug, Default)]
struct LayerCounts {
    fwd: ReadCounts,
    bwd: ReadCounts,
    upd: UpdateCounts,
    act_energy: f64,
    act_evals: u64,
    pool_ops: u64,
}

/// A network: one crossbar tile of the device per dense or convolution layer, digital biases
/// and pooling.
pub struct Network {
    layers: Vec<Layer>,
    plan: Plan,
    activation: Activation,
    device: DeviceEntry,
    mode: Mode,
}

/// One trained tile layer: its effective weights alpha * w (row-major, `outputs` x `inputs`) and
/// biases.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainedLayer {
    /// Inputs of the layer's tile (C_in k^2 for a convolution).
    pub inputs: usize,
    /// Outputs of the layer's tile (output channels for a convolution).
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
    /// The weight tensor's shape as PyTorch holds it: [outputs, inputs] (`nn.Linear`) or
    /// [C_out, C_in, k, k] (`nn.Conv2d`); empty means [outputs, inputs].
    pub weight_shape: Vec<usize>,
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
    /// Activation values after each stage (per sample), the input first: the layer sizes of an
    /// MLP.
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
    /// The trained network, tile layer by tile layer (not part of the JSON summaries).
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
            weight_shape: self.weight_shape.clone(),
        }
    }
}

/// What the forward pass keeps of each stage for the backward pass.
enum StageCache {
    /// A tile layer: its input rows (the patches of a convolution), their count, the
    /// pre-activations and the activations (channel-first maps for a convolution).
    Tile {
        rows: Vec<f32>,
        n_rows: usize,
        z: Vec<f32>,
        a: Vec<f32>,
    },
    /// A max pooling's argmax indices (empty for average pooling).
    Pool { arg: Vec<u32> },
}

/// The result of a forward pass: each stage's cache, the output probabilities, the loss sum and
/// the correct count.
struct Forward {
    caches: Vec<StageCache>,
    probs: Vec<f32>,
    loss: f64,
    correct: usize,
}

impl Network {
    /// The network of `spec` on images of `shape` (10 outputs); initial weights from `seed`.
    pub fn new(spec: &NetworkSpec, device: &DeviceEntry, shape: Shape, seed: u64) -> Result<Self, PlanError> {
        let plan = spec.plan(shape)?;
        let neurosim = spec.mode == Mode::NeuroSim;
        if neurosim && plan.stages.iter().any(|s| !matches!(s, Stage::Dense { .. })) {
            return Err(PlanError {
                index: 1,
                kind: "conv",
                problem: "NeuroSim's mode trains MLPs: dense layers only".into(),
            });
        }
        let mut rng = Xoshiro256PlusPlus::from_seed_u64(seed ^ 0x005E_ED0F_1A7E);
        let (fwd, bwd) = if device.is_float {
            (IoParams::ideal(), IoParams::ideal())
        } else {
            (spec.fwd.clone(), spec.bwd.clone())
        };
        let mut layers = Vec::new();
        for stage in &plan.stages {
            let (m, n, fan_out, weight_shape) = match *stage {
                Stage::Dense { tile } => {
                    let (m, n) = plan.tiles[tile];
                    (m, n, m, vec![m, n])
                }
                Stage::Conv { tile, geom } => {
                    let (m, n) = plan.tiles[tile];
                    let k2 = geom.kernel * geom.kernel;
                    (m, n, m * k2, vec![m, geom.input[0], geom.kernel, geom.kernel])
                }
                Stage::Pool(_) => continue,
            };
            let glorot = (6.0 / (n + fan_out) as f32).sqrt();
            let (_, b_max) = device.model.bounds();
            let alpha = if device.is_float || neurosim {
                1.0
            } else {
                spec.weight_range / (n as f32).sqrt() / b_max as f32
            };
            // NeuroSim: its 8-bit partial-sum ADC over the layer's full range (N binary inputs
            // times |w| <= 1), nothing else; the backward pass is digital.
            let (fwd, bwd) = if neurosim && !device.is_float {
                (
                    IoParams {
                        inp_res: 0.0,
                        inp_bound: f32::INFINITY,
                        out_res: 1.0 / 255.0,
                        out_bound: n as f32,
                        out_noise: 0.0,
                        noise_management: false,
                        bound_management: false,
                        max_bm_factor: 1.0,
                    },
                    IoParams::ideal(),
                )
            } else {
                (fwd.clone(), bwd.clone())
            };
            let mut tile = Tile::new(m, n, device.model.clone(), alpha, glorot / alpha, device.d2d, fwd, bwd, &mut rng);
            if neurosim {
                // NeuroSim's WeightInitialize: uniform on {-1, -2/3, ..., 1}.
                for w in &mut tile.w {
                    *w = (rng.gen_range(0..7) as f32 - 3.0) / 3.0;
                }
            }
            let mut state = UpdateState::default();
            if let UpdateScheme::Transfer(p) = &device.scheme {
                let seed_l = seed ^ ((layers.len() as u64 + 1) << 40);
                state.fast = Some(crate::tiki_taka::FastArray::new(&tile, device.d2d, seed_l, p.buffered));
            }
            layers.push(Layer {
                tile,
                bias: vec![0.0; m],
                state,
                weight_shape,
            });
        }
        Ok(Self {
            layers,
            plan,
            activation: spec.activation.clone(),
            device: device.clone(),
            mode: spec.mode,
        })
    }

    /// Number of weights (biases not counted).
    pub fn weights(&self) -> usize {
        self.plan.tiles.iter().map(|(m, n)| m * n).sum()
    }

    /// Activation values after each stage, the input first.
    pub fn sizes(&self) -> &[usize] {
        &self.plan.sizes
    }

    /// Apply the activation to `z` (per sample chunks of `m` values), counting its energy.
    fn activate(&self, z: &[f32], m: usize, seed: u64, id: u64, counts: &mut LayerCounts) -> Vec<f32> {
        let mut out = vec![0.0f32; z.len()];
        let act = &self.activation;
        let energies: Vec<f64> = out
            .par_chunks_mut(m)
            .zip(z.par_chunks(m))
            .with_min_len(crate::tile::rows_per_task(16 * m))
            .enumerate()
            .map(|(b, (o, zr))| {
                let mut rng = dwmtj_core::stream::stream(seed, id, b as u64);
                act.forward(zr, o, || rng.gen::<f64>())
            })
            .collect();
        counts.act_energy += energies.iter().sum::<f64>();
        if act.is_hardware() {
            counts.act_evals += z.len() as u64;
        }
        out
    }

    /// Forward a batch through every stage.
    fn forward(&self, x: &[f32], labels: &[u8], seed: u64, epoch: usize, step: usize, counts: &mut [LayerCounts]) -> Forward {
        let batch = labels.len();
        let n_tiles = self.layers.len();
        let mut a = x.to_vec();
        let mut caches = Vec::with_capacity(self.plan.stages.len());
        let mut last_tile = 0;
        for stage in &self.plan.stages {
            match *stage {
                Stage::Dense { tile: l } | Stage::Conv { tile: l, .. } => {
                    let layer = &self.layers[l];
                    let m = layer.tile.out_size;
                    let (rows, n_rows) = match stage {
                        Stage::Conv { geom, .. } => (geom.im2col(&a, batch), batch * geom.positions()),
                        _ => (std::mem::take(&mut a), batch),
                    };
                    let (mut y, c) = layer.tile.forward(&rows, n_rows, (seed, seed_id(epoch, step, l, 1)));
                    counts[l].fwd.add(&c);
                    for yr in y.chunks_mut(m) {
                        yr.iter_mut().zip(&layer.bias).for_each(|(v, b)| *v += b);
                    }
                    let z = match stage {
                        Stage::Conv { geom, .. } => geom.rows_to_maps(&y, batch),
                        _ => y,
                    };
                    let per_sample = z.len() / batch;
                    let out = if l + 1 < n_tiles {
                        self.activate(&z, per_sample, seed, seed_id(epoch, step, l, 2), &mut counts[l])
                    } else {
                        z.clone()
                    };
                    a.clone_from(&out);
                    caches.push(StageCache::Tile { rows, n_rows, z, a: out });
                    last_tile = l;
                }
                Stage::Pool(g) => {
                    let (y, arg) = g.forward(&a, batch);
                    counts[last_tile].pool_ops += batch as u64 * g.ops();
                    a = y;
                    caches.push(StageCache::Pool { arg });
                }
            }
        }
        let mut probs = a;
        let mut loss = 0.0;
        let mut correct = 0;
        for (p, &y) in probs.chunks_mut(CLASSES).zip(labels) {
            let (l, ok) = softmax_ce(p, y);
            loss += l;
            correct += usize::from(ok);
        }
        Forward {
            caches,
            probs,
            loss,
            correct,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn train_step(
        &mut self,
        x: &[f32],
        labels: &[u8],
        lrs: &[f32],
        seed: u64,
        epoch: usize,
        step: usize,
        counts: &mut [LayerCounts],
    ) -> (f64, usize) {
        let batch = labels.len();
        let n_tiles = self.layers.len();
        let Forward {
            caches,
            probs,
            loss,
            correct,
        } = self.forward(x, labels, seed, epoch, step, counts);
        // dL/dz of the output layer.
        let mut delta = probs;
        for (d, &y) in delta.chunks_mut(CLASSES).zip(labels) {
            d[usize::from(y)] -= 1.0;
        }
        let stages = self.plan.stages.clone();
        for (si, (stage, cache)) in stages.iter().zip(caches).enumerate().rev() {
            match (*stage, cache) {
                (Stage::Pool(g), StageCache::Pool { arg }) => delta = g.backward(&delta, &arg, batch),
                (Stage::Dense { tile: l } | Stage::Conv { tile: l, .. }, StageCache::Tile { rows, n_rows, z, a }) => {
                    if l + 1 < n_tiles {
                        let act = &self.activation;
                        delta
                            .par_chunks_mut(4096)
                            .zip(z.par_chunks(4096))
                            .zip(a.par_chunks(4096))
                            .for_each(|((g, z), a)| {
                                for ((g, &z), &a) in g.iter_mut().zip(z).zip(a) {
                                    *g *= act.derivative_at(z, a);
                                }
                            });
                    }
                    let delta_rows = match stage {
                        Stage::Conv { geom, .. } => geom.maps_to_rows(&delta, batch),
                        _ => std::mem::take(&mut delta),
                    };
                    let next = if si > 0 {
                        let (g, c) = self.layers[l]
                            .tile
                            .backward(&delta_rows, n_rows, (seed, seed_id(epoch, step, l, 3)));
                        counts[l].bwd.add(&c);
                        Some(match stage {
                            Stage::Conv { geom, .. } => geom.col2im(&g, batch),
                            _ => g,
                        })
                    } else {
                        None
                    };
                    let lr = lrs[l];
                    let layer = &mut self.layers[l];
                    let m = layer.tile.out_size;
                    let f = lr / batch as f32;
                    for row in delta_rows.chunks(m) {
                        layer.bias.iter_mut().zip(row).for_each(|(b, d)| *b -= f * d);
                    }
                    // The tile's update averages over its rows: a convolution's gradient sums
                    // over the positions, so its rate is lr times the positions per sample.
                    let scheme = self.device.scheme.clone();
                    let c = layer.tile.update(
                        &rows,
                        &delta_rows,
                        n_rows,
                        lr * (n_rows / batch) as f32,
                        &scheme,
                        &mut layer.state,
                        (seed, seed_id(epoch, step, l, 4)),
                    );
                    counts[l].upd.add(&c);
                    if let Some(g) = next {
                        delta = g;
                    }
                }
                _ => unreachable!("a stage's cache is of its kind"),
            }
        }
        (loss, correct)
    }

    /// NeuroSim's forward pass ([`Mode::NeuroSim`]): returns the binary inputs of each layer,
    /// the sigmoid outputs of each layer, the squared-error sum and the correct count.
    #[allow(clippy::type_complexity)]
    fn forward_neurosim(
        &self,
        x: &[f32],
        labels: &[u8],
        seed: u64,
        epoch: usize,
        step: usize,
        counts: &mut [LayerCounts],
    ) -> (Vec<Vec<f32>>, Vec<Vec<f32>>, f64, usize) {
        let batch = labels.len();
        let binary = |v: &[f32]| -> Vec<f32> { v.iter().map(|&a| if a >= 0.5 { 1.0 } else { 0.0 }).collect() };
        let mut inputs = vec![binary(x)];
        let mut outs = Vec::new();
        for (l, layer) in self.layers.iter().enumerate() {
            let (z, c) = layer
                .tile
                .forward(inputs.last().expect("input"), batch, (seed, seed_id(epoch, step, l, 1)));
            counts[l].fwd.add(&c);
            let a: Vec<f32> = z.iter().map(|&v| 1.0 / (1.0 + (-v).exp())).collect();
            if l + 1 < self.layers.len() {
                inputs.push(binary(&a));
            }
            outs.push(a);
        }
        let (mut loss, mut correct) = (0.0, 0usize);
        for (a, &y) in outs.last().expect("output").chunks(CLASSES).zip(labels) {
            let pred = a.iter().enumerate().max_by(|p, q| p.1.total_cmp(q.1)).map_or(0, |(k, _)| k);
            correct += usize::from(pred == usize::from(y));
            loss += a
                .iter()
                .enumerate()
                .map(|(k, &v)| f64::from(if k == usize::from(y) { 1.0 - v } else { v }).powi(2))
                .sum::<f64>();
        }
        (inputs, outs, loss, correct)
    }

    /// NeuroSim's training step: s_out = -2 a (1 - a)(t - a), s_hidden = a (1 - a) W^T s (the
    /// analog outputs a), updates -lr_l s x^T with x the binary input (first layer) or the
    /// analog hidden outputs, as the device's pulses.
    #[allow(clippy::too_many_arguments)]
    fn train_step_neurosim(
        &mut self,
        x: &[f32],
        labels: &[u8],
        lrs: &[f32],
        seed: u64,
        epoch: usize,
        step: usize,
        counts: &mut [LayerCounts],
    ) -> (f64, usize) {
        let batch = labels.len();
        let (inputs, outs, loss, correct) = self.forward_neurosim(x, labels, seed, epoch, step, counts);
        let nl = self.layers.len();
        let mut delta: Vec<f32> = outs[nl - 1]
            .chunks(CLASSES)
            .zip(labels)
            .flat_map(|(a, &y)| {
                a.iter()
                    .enumerate()
                    .map(move |(k, &v)| -2.0 * v * (1.0 - v) * (if k == usize::from(y) { 1.0 } else { 0.0 } - v))
            })
            .collect();
        for l in (0..nl).rev() {
            let next = (l > 0).then(|| {
                // NeuroSim back-propagates through the weights read back from the devices.
                let (g, c) = self.layers[l].tile.backward(&delta, batch, (seed, seed_id(epoch, step, l, 3)));
                counts[l].bwd.add(&c);
                g.iter().zip(&outs[l - 1]).map(|(g, a)| g * a * (1.0 - a)).collect::<Vec<f32>>()
            });
            let update_input = if l == 0 { &inputs[0] } else { &outs[l - 1] };
            let scheme = self.device.scheme.clone();
            let layer = &mut self.layers[l];
            let c = layer.tile.update(
                update_input,
                &delta,
                batch,
                lrs[l],
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
        let n_in = self.plan.sizes[0];
        let chunk = 250;
        let (mut loss, mut correct) = (0.0, 0usize);
        for (k, (xb, yb)) in x.chunks(chunk * n_in).zip(y.chunks(chunk)).enumerate() {
            let (l, c) = match self.mode {
                Mode::Standard => {
                    let f = self.forward(xb, yb, seed, epoch, 1_000_000 + k, counts);
                    (f.loss, f.correct)
                }
                Mode::NeuroSim => {
                    let f = self.forward_neurosim(xb, yb, seed, epoch, 1_000_000 + k, counts);
                    (f.2, f.3)
                }
            };
            loss += l;
            correct += c;
        }
        (loss / y.len() as f64, correct as f64 / y.len() as f64)
    }

    /// Price the counts of one or more passes.
    fn price(&self, counts: &[LayerCounts], circuit: &CircuitParams) -> EnergyBreakdown {
        let mut e = EnergyBreakdown::default();
        for (l, c) in counts.iter().enumerate() {
            let tile = &self.layers[l].tile;
            let (n, m) = (tile.in_size as f64, tile.out_size as f64);
            e.activation_j += c.act_energy;
            if let Activation::DwSigmoid(a) = &self.activation {
                if c.act_evals > 0 {
                    // Generators of a layer fire in parallel: one pulse plus a read per batch row.
                    e.read_latency_s += (c.fwd.mvms as f64) * (a.pulse_width + circuit.t_read);
                }
            }
            // Pooling is digital: one compare (max) or add (average) per window input.
            e.digital_j += c.pool_ops as f64 * circuit.digital_add;
            e.digital_latency_s += c.pool_ops as f64 / circuit.digital_macs_per_s;
            match &self.device.costs {
                None => {
                    let macs = (c.fwd.mvms + c.bwd.mvms) as f64 * n * m + c.upd.digital_ops as f64;
                    e.digital_j += macs * circuit.digital_mac;
                    e.digital_latency_s += macs / circuit.digital_macs_per_s;
                }
                Some(dev) => {
                    let g_pair = dev.g_min + dev.g_max;
                    let v2t = circuit.v_read * circuit.v_read * circuit.t_read;
                    // A transfer scheme's reads of its fast array are forward reads.
                    let mut fwd = c.fwd;
                    fwd.add(&c.upd.transfer_reads);
                    let c = &LayerCounts { fwd, ..*c };
                    e.array_read_j += v2t * g_pair * (c.fwd.input_power * m + c.bwd.input_power * n);
                    let fb = (tile.fwd.adc_bits(), tile.fwd.dac_bits());
                    let bb = (tile.bwd.adc_bits(), tile.bwd.dac_bits());
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

/// Bytes a network of `plan` holds while training with batches of `batch`: per weight its
/// value, step scale, update state and gradient buffers (about 32 bytes), per activation of a
/// batch the forward, backward and periphery buffers (about 64 bytes), and per convolution the
/// batch's patches, their gradients and the tile's rows (about 16 bytes per patch value).
pub fn memory_estimate(plan: &Plan, batch: usize) -> f64 {
    let weights: f64 = plan.tiles.iter().map(|&(m, n)| ((n + 1) * m) as f64).sum();
    let b = batch.max(1).max(250) as f64;
    let activations: f64 = plan.sizes.iter().map(|&s| s as f64).sum::<f64>() * b;
    let patches: f64 = plan
        .stages
        .iter()
        .map(|s| match s {
            Stage::Conv { geom, .. } => (geom.positions() * geom.patch()) as f64 * b,
            _ => 0.0,
        })
        .sum();
    weights * 32.0 + activations * 64.0 + patches * 16.0
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
    /// A transfer scheme's fast array (empty for the other schemes).
    pub fast: Vec<f32>,
    /// TTv2's transfer buffer (empty for the other schemes).
    pub buffer: Vec<f32>,
}

/// A checkpoint that does not belong to the run it is resumed with.
#[derive(Debug, thiserror::Error)]
#[error("the training checkpoint does not fit this run: {0}")]
pub struct ResumeError(pub String);

#[derive(serde::Serialize, serde::Deserialize)]
struct StateHeader {
    format: String,
    epochs_done: usize,
    shapes: Vec<(usize, usize)>,
    chi_lens: Vec<usize>,
    fast_lens: Vec<usize>,
    buffer_lens: Vec<usize>,
    order: Vec<usize>,
    epochs: Vec<EpochMetrics>,
    training: EnergyBreakdown,
    inference: EnergyBreakdown,
    lr_bits: u32,
    train_seconds: f64,
    eval_seconds: f64,
}

const STATE_FORMAT: &str = "dwmtj-train-checkpoint-2";

impl TrainState {
    /// Bytes of a checkpoint of a network whose tiles have `shapes` (outputs, inputs): a JSON
    /// header (floats exact), then every layer's w, bias and accumulator as little-endian f32 bits.
    pub fn to_bytes(&self, shapes: &[(usize, usize)]) -> Vec<u8> {
        use dwmtj_core::checkpoint::{push_block, push_f32s};
        let header = StateHeader {
            format: STATE_FORMAT.into(),
            epochs_done: self.epochs_done,
            shapes: shapes.to_vec(),
            chi_lens: self.layers.iter().map(|l| l.chi.len()).collect(),
            fast_lens: self.layers.iter().map(|l| l.fast.len()).collect(),
            buffer_lens: self.layers.iter().map(|l| l.buffer.len()).collect(),
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
            push_f32s(&mut out, &l.fast);
            push_f32s(&mut out, &l.buffer);
        }
        out
    }

    /// Read a checkpoint for a network whose tiles have `shapes` (outputs, inputs) on `n_train`
    /// training images.
    pub fn from_bytes(bytes: &[u8], shapes: &[(usize, usize)], n_train: usize, epochs: usize) -> Result<Self, ResumeError> {
        let bad = |m: &str| ResumeError(m.to_string());
        let mut r = dwmtj_core::checkpoint::Reader::new(bytes);
        let h: StateHeader = serde_json::from_slice(r.block().ok_or_else(|| bad("truncated header"))?).map_err(|e| bad(&e.to_string()))?;
        if h.format != STATE_FORMAT {
            return Err(bad(&format!("format {:?}", h.format)));
        }
        let lens_ok = [&h.chi_lens, &h.fast_lens, &h.buffer_lens].iter().all(|l| l.len() == shapes.len());
        if h.shapes != shapes || h.order.len() != n_train || h.epochs_done > epochs || !lens_ok {
            return Err(bad(&format!(
                "tiles {:?} after {} epochs on {} images; this run has tiles {shapes:?}, {epochs} epochs, {n_train} images",
                h.shapes,
                h.epochs_done,
                h.order.len()
            )));
        }
        let mut layers = Vec::new();
        for (k, &(m, n)) in shapes.iter().enumerate() {
            let w = r.f32s(m * n).ok_or_else(|| bad("truncated weights"))?;
            let bias = r.f32s(m).ok_or_else(|| bad("truncated biases"))?;
            let chi = r.f32s(h.chi_lens[k]).ok_or_else(|| bad("truncated accumulators"))?;
            let fast = r.f32s(h.fast_lens[k]).ok_or_else(|| bad("truncated fast arrays"))?;
            let buffer = r.f32s(h.buffer_lens[k]).ok_or_else(|| bad("truncated transfer buffers"))?;
            layers.push(LayerState {
                w,
                bias,
                chi,
                fast,
                buffer,
            });
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
) -> Result<TrainResult, PlanError> {
    let none = &mut dwmtj_core::checkpoint::NoCheckpoints;
    match train_resumable(spec, device, params, data, circuit, progress, None, none) {
        Ok(r) => Ok(r),
        Err(TrainError::Plan(e)) => Err(e),
        Err(TrainError::Resume(_)) => unreachable!("no checkpoint to resume"),
    }
}

/// Why training cannot run.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    /// The layers do not fit the images.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// The checkpoint belongs to another run.
    #[error(transparent)]
    Resume(#[from] ResumeError),
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
) -> Result<TrainResult, TrainError> {
    let mut net = Network::new(spec, device, data.shape, params.seed)?;
    let n_train = data.train_y.len();
    let n_in = data.inputs;
    let steps_per_epoch = n_train.div_ceil(params.batch);
    let total = (steps_per_epoch * params.epochs) as u64;
    let mut order: Vec<usize> = (0..n_train).collect();
    let mut epochs = Vec::new();
    let mut training = EnergyBreakdown::default();
    let mut lr = params.lr;
    let n_tiles = net.layers.len();
    // Each layer's rate: its own (scaled by the decay so far) or the common one.
    let lrs = |lr: f32| -> Vec<f32> {
        if params.layer_lr.is_empty() {
            vec![lr; n_tiles]
        } else {
            params.layer_lr.iter().map(|l| l * lr / params.lr).collect()
        }
    };
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
            ))
            .into());
        }
        for (layer, saved) in net.layers.iter_mut().zip(state.layers) {
            if saved.w.len() != layer.tile.w.len() || saved.bias.len() != layer.bias.len() {
                return Err(ResumeError("layer sizes differ".into()).into());
            }
            layer.tile.w = saved.w;
            layer.bias = saved.bias;
            layer.state.chi = saved.chi;
            if let (Some(fast), UpdateScheme::Transfer(p)) = (layer.state.fast.as_mut(), &device.scheme) {
                if saved.fast.len() != fast.tile.w.len() {
                    return Err(ResumeError("the checkpoint has no fast array for this transfer scheme".into()).into());
                }
                fast.tile.w = saved.fast;
                if p.buffered {
                    fast.buffer = saved.buffer;
                }
                fast.resume_at((state.epochs_done * steps_per_epoch) as u64, p);
            }
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
                let image = &data.train_x[k * n_in..(k + 1) * n_in];
                if params.shift > 0 {
                    let mut rng = dwmtj_core::stream::stream(params.seed ^ 0x5A1F_7000, epoch as u64, k as u64);
                    let s = params.shift as isize;
                    let (dy, dx) = (rng.gen_range(-s..=s), rng.gen_range(-s..=s));
                    translate(image, data.shape, dy, dx, &mut xb);
                } else {
                    xb.extend_from_slice(image);
                }
                yb.push(data.train_y[k]);
            }
            let rates = lrs(lr);
            let (l, c) = match net.mode {
                Mode::Standard => net.train_step(&xb, &yb, &rates, params.seed, epoch, step, &mut counts),
                Mode::NeuroSim => net.train_step_neurosim(&xb, &yb, &rates, params.seed, epoch, step, &mut counts),
            };
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
                        fast: l.state.fast.as_ref().map(|f| f.tile.w.clone()).unwrap_or_default(),
                        buffer: l.state.fast.as_ref().map(|f| f.buffer.clone()).unwrap_or_default(),
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
        sizes: net.sizes().to_vec(),
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
    /// Activation values after each stage, the input first (an MLP's layer sizes).
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
    let mut net = Network::new(spec, device, data.shape, params.seed).map_err(|e| e.to_string())?;
    if imported.len() != net.layers.len() {
        return Err(format!(
            "{} layers given, the network {:?} has {} tile layers",
            imported.len(),
            net.plan.tiles,
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
        sizes: net.sizes().to_vec(),
        test_loss,
        test_accuracy,
        clipped_fraction: clipped as f64 / total.max(1) as f64,
        inference,
        layers: net.layers.iter().map(Layer::trained).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The backward pass is the gradient: for a float network with an ideal periphery, one SGD
    /// step moves each weight and bias by -lr times the finite-difference derivative of the mean
    /// loss, through convolution (with padding), max and average pooling and dense layers.
    #[test]
    fn one_sgd_step_follows_the_finite_difference_gradient() {
        let spec = NetworkSpec {
            layers: vec![
                LayerSpec::Conv {
                    channels: 3,
                    kernel: 3,
                    padding: 1,
                },
                LayerSpec::MaxPool { size: 2 },
                LayerSpec::Conv {
                    channels: 4,
                    kernel: 2,
                    padding: 0,
                },
                LayerSpec::AvgPool { size: 2 },
                LayerSpec::Dense { units: 5 },
            ],
            activation: Activation::Sigmoid,
            fwd: IoParams::ideal(),
            bwd: IoParams::ideal(),
            weight_range: 4.0,
            mode: Mode::Standard,
        };
        let device = crate::catalog::lookup("float", None).unwrap();
        let shape = [2, 6, 6];
        let batch = 3;
        let x: Vec<f32> = (0..batch * 72).map(|i| ((i * 7919 % 101) as f32) / 101.0).collect();
        let labels = [1u8, 7, 3];
        let net = Network::new(&spec, &device, shape, 5).unwrap();
        let loss = |net: &Network| {
            let mut counts = vec![LayerCounts::default(); net.layers.len()];
            net.forward(&x, &labels, 1, 0, 0, &mut counts).loss / batch as f64
        };
        let lr = 1e-3;
        let mut stepped = Network::new(&spec, &device, shape, 5).unwrap();
        let mut counts = vec![LayerCounts::default(); stepped.layers.len()];
        stepped.train_step(&x, &labels, &[lr; 4], 1, 0, 0, &mut counts);
        let mut checked = 0;
        for l in 0..net.layers.len() {
            let n_w = net.layers[l].tile.w.len();
            for k in [0, n_w / 3, n_w - 1] {
                let eps = 1e-2f32;
                let mut plus = Network::new(&spec, &device, shape, 5).unwrap();
                plus.layers[l].tile.w[k] += eps;
                let mut minus = Network::new(&spec, &device, shape, 5).unwrap();
                minus.layers[l].tile.w[k] -= eps;
                let numeric = (loss(&plus) - loss(&minus)) / (2.0 * f64::from(eps));
                let step = f64::from(stepped.layers[l].tile.w[k] - net.layers[l].tile.w[k]);
                let analytic = -step / f64::from(lr);
                assert!(
                    (analytic - numeric).abs() <= 2e-3 * numeric.abs().max(1e-2) + 2e-4,
                    "layer {l} weight {k}: backward {analytic:e}, finite difference {numeric:e}"
                );
                checked += 1;
            }
            let mut plus = Network::new(&spec, &device, shape, 5).unwrap();
            plus.layers[l].bias[0] += 1e-2;
            let mut minus = Network::new(&spec, &device, shape, 5).unwrap();
            minus.layers[l].bias[0] -= 1e-2;
            let numeric = (loss(&plus) - loss(&minus)) / 2e-2;
            let analytic = -f64::from(stepped.layers[l].bias[0] - net.layers[l].bias[0]) / f64::from(lr);
            assert!(
                (analytic - numeric).abs() <= 2e-3 * numeric.abs().max(1e-2) + 2e-4,
                "layer {l} bias: backward {analytic:e}, finite difference {numeric:e}"
            );
        }
        assert_eq!(checked, 12);
    }
}
