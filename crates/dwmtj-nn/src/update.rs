//! Weight-update schemes for a tile (docs/nn.md 2.3, 4.1 and 2.4). All take the layer's
//! batch of inputs x (batch x N) and output errors d (batch x M, dL/dy of the mean loss) and a
//! learning rate lr; the ideal change of device weight w_ji is dw = -(lr / alpha) mean_b d_bj
//! x_bi: SGD on the effective weight alpha w (alpha: the tile's output scale), so one learning
//! rate means the same step for every device and for the float baseline.
//!
//! * `Float`: w <- w + dw exactly (no device; the software baseline).
//! * `Stochastic` (Gokmen & Vlasov 2016; aihwkit `StochasticCompressed`): per sample, row i
//!   fires in each of BL slots with probability A |x_i|, column j with B |delta_j|,
//!   delta = -d lr-scaled; each coincidence is one device pulse in direction sign(x_i delta_j).
//!   E(change) = BL A B |x_i delta_j| dw_min, so A = B = sqrt(lr' / (dw_min BL)) gives the SGD
//!   step. BL management: BL = min(ceil(lr' max|x| max|delta| / dw_min), desired_BL); update
//!   management: A *= sqrt(max|delta|/max|x|), B *= sqrt(max|x|/max|delta|).
//! * `PulseCount` (MLP+NeuroSim): once per batch, n = round(dw / dw_min) pulses of sign(dw) to
//!   each device (NeuroSim's `truncate()` rounds to the nearest level; updates below half a
//!   step are lost).
//! * `MixedPrecision` (Nandakumar et al., Front. Neurosci. 14, 406 (2020); aihwkit
//!   `MixedPrecisionCompound`): chi <- chi + dw in digital memory; where |chi| >= dw_min,
//!   n = trunc(chi / dw_min) pulses are applied and chi <- chi - n dw_min. The device's actual
//!   response (nonlinearity, noise, missed switching) is not fed back, as in hardware.

use crate::devices::DeviceModel;
use crate::tile::{gemm_outer, rows_per_task, Tile};
use rand::{Rng, RngCore};
use rand_distr::StandardNormal;
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;

/// How a tile turns a batch's gradient into device pulses (the schemes of the module docs).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(tag = "scheme", rename_all = "kebab-case")]
pub enum UpdateScheme {
    /// Exact SGD on the stored weights (no device, no pulses).
    Float,
    /// Stochastic pulse trains with coincidence updates (Gokmen & Vlasov 2016).
    Stochastic {
        /// Pulse-train length BL, at most (1-64).
        desired_bl: u32,
        /// Shorten BL to what the sample's largest update needs.
        bl_management: bool,
        /// Balance the row and column probabilities by sqrt(max|delta| / max|x|).
        update_management: bool,
    },
    /// Once per batch, round(dw / dw_min) pulses to each device (MLP+NeuroSim).
    PulseCount {
        /// Most pulses one device receives per update.
        max_pulses: u32,
    },
    /// A digital accumulator; whole steps of dw_min are applied as pulses.
    MixedPrecision {
        /// Most pulses one device receives per update.
        max_pulses: u32,
    },
    /// Tiki-Taka or TTv2: SGD on a fast array, periodic transfers into the slow one
    /// ([`crate::tiki_taka`]).
    Transfer(crate::tiki_taka::TransferParams),
}

impl UpdateScheme {
    /// aihwkit's defaults: BL 31 with both managements.
    pub fn stochastic_default() -> Self {
        UpdateScheme::Stochastic {
            desired_bl: 31,
            bl_management: true,
            update_management: true,
        }
    }

    /// The name used in training files and summaries.
    pub fn name(&self) -> &'static str {
        match self {
            UpdateScheme::Float => "float",
            UpdateScheme::Stochastic { .. } => "stochastic",
            UpdateScheme::PulseCount { .. } => "pulse-count",
            UpdateScheme::MixedPrecision { .. } => "mixed-precision",
            UpdateScheme::Transfer(p) if p.buffered => "ttv2",
            UpdateScheme::Transfer(_) => "tiki-taka",
        }
    }
}

/// What one update did.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct UpdateCounts {
    /// Device programming pulses applied.
    pub pulses: u64,
    /// Parallel update cycles (stochastic: BL slots for the whole array at once).
    pub parallel_slots: u64,
    /// Row-by-row writes: sum over written rows of the longest pulse train in the row.
    pub row_pulse_slots: u64,
    /// Digital operations (multiply-accumulates for the outer product and accumulator adds).
    pub digital_ops: u64,
    /// The transfer schemes' reads of the fast array (priced as forward reads).
    pub transfer_reads: crate::tile::ReadCounts,
}

impl UpdateCounts {
    /// Add `o`, count by count.
    pub fn add(&mut self, o: &UpdateCounts) {
        self.pulses += o.pulses;
        self.parallel_slots += o.parallel_slots;
        self.row_pulse_slots += o.row_pulse_slots;
        self.digital_ops += o.digital_ops;
        self.transfer_reads.add(&o.transfer_reads);
    }
}

/// State a scheme keeps between updates (the mixed-precision accumulator, a transfer scheme's
/// fast array).
#[derive(Clone, Debug, Default)]
pub struct UpdateState {
    /// Mixed-precision accumulator, one value per weight (device units; empty until first used).
    pub chi: Vec<f32>,
    /// Tiki-Taka's fast array (None for the other schemes).
    pub fast: Option<crate::tiki_taka::FastArray>,
}

/// Apply `n` pulses in direction `up` to one device weight, with its D2D step factor.
#[inline]
pub(crate) fn pulses(tile: &Tile, k: usize, w: f32, n: u32, up: bool, rng: &mut Xoshiro256PlusPlus) -> f32 {
    let s = f64::from(tile.step_scale[k]);
    let (lo, hi) = tile.device.bounds();
    if let DeviceModel::ConstantStep { dw_min, c2c, .. } = tile.device {
        if n > 1 {
            // n constant steps dw (1 + c2c xi_k) sum to dw (n + c2c sqrt(n) xi): exact in
            // distribution unless a bound is reached on the way, where the clip below applies
            // to the end point instead (steps are all of one sign unless xi < -1/c2c).
            let d = if up { 1.0 } else { -1.0 };
            let xi: f64 = if c2c > 0.0 { rng.sample(StandardNormal) } else { 0.0 };
            let nf = f64::from(n);
            return (f64::from(w) + d * s * dw_min * (nf + c2c * nf.sqrt() * xi)).clamp(lo, hi) as f32;
        }
    }
    let v = f64::from(w);
    match tile.device {
        DeviceModel::Levels { .. } => tile.device.pulses(v, n, up, rng) as f32,
        _ => {
            let next = tile.device.pulses(v, n, up, rng);
            (v + s * (next - v)).clamp(lo, hi) as f32
        }
    }
}

/// Apply a dense change dw (device units) by pulse counts, row by row in parallel.
fn apply_counts(tile: &mut Tile, dw: &[f32], chi: Option<&mut Vec<f32>>, max_pulses: u32, seed: (u64, u64)) -> UpdateCounts {
    let n = tile.in_size;
    let step = tile.device.dw_min() as f32;
    let mut w = std::mem::take(&mut tile.w);
    let snapshot = &*tile;
    let per_row: Vec<(u64, u64)> = match chi {
        Some(chi) => {
            chi.iter_mut().zip(dw).for_each(|(c, d)| *c += d);
            w.par_chunks_mut(n)
                .zip(chi.par_chunks_mut(n))
                .with_min_len(rows_per_task(4 * n))
                .enumerate()
                .map(|(j, (wr, cr))| {
                    let mut rng = dwmtj_core::stream::stream(seed.0, seed.1, j as u64);
                    let (mut count, mut longest) = (0u64, 0u64);
                    for (i, (wv, c)) in wr.iter_mut().zip(cr.iter_mut()).enumerate() {
                        let k = (*c / step).trunc();
                        if k != 0.0 {
                            let np = (k.abs() as u32).min(max_pulses);
                            *wv = pulses(snapshot, j * n + i, *wv, np, k > 0.0, &mut rng);
                            *c -= k * step;
                            count += u64::from(np);
                            longest = longest.max(u64::from(np));
                        }
                    }
                    (count, longest)
                })
                .collect()
        }
        None => w
            .par_chunks_mut(n)
            .zip(dw.par_chunks(n))
            .with_min_len(rows_per_task(4 * n))
            .enumerate()
            .map(|(j, (wr, dr))| {
                let mut rng = dwmtj_core::stream::stream(seed.0, seed.1, j as u64);
                let (mut count, mut longest) = (0u64, 0u64);
                for (i, (wv, d)) in wr.iter_mut().zip(dr).enumerate() {
                    let k = crate::tile::round_even(d / step);
                    if k != 0.0 {
                        let np = (k.abs() as u32).min(max_pulses);
                        *wv = pulses(snapshot, j * n + i, *wv, np, k > 0.0, &mut rng);
                        count += u64::from(np);
                        longest = longest.max(u64::from(np));
                    }
                }
                (count, longest)
            })
            .collect(),
    };
    tile.w = w;
    UpdateCounts {
        pulses: per_row.iter().map(|r| r.0).sum(),
        parallel_slots: 0,
        row_pulse_slots: per_row.iter().map(|r| r.1).sum(),
        ..Default::default()
    }
}

impl Tile {
    /// Update the tile's weights from a batch; `seed` = (run seed, stream id of this update).
    #[allow(clippy::too_many_arguments)]
    pub fn update(
        &mut self,
        x: &[f32],
        d: &[f32],
        batch: usize,
        lr: f32,
        scheme: &UpdateScheme,
        state: &mut UpdateState,
        seed: (u64, u64),
    ) -> UpdateCounts {
        let (n, m) = (self.in_size, self.out_size);
        let scale = -lr / (self.alpha * batch as f32);
        match scheme {
            UpdateScheme::Float => {
                let mut g = vec![0.0f32; m * n];
                gemm_outer(d, x, batch, m, n, scale, &mut g);
                let (lo, hi) = self.device.bounds();
                let (lo, hi) = (lo as f32, hi as f32);
                self.w.iter_mut().zip(&g).for_each(|(w, g)| *w = (*w + g).clamp(lo, hi));
                UpdateCounts {
                    digital_ops: (batch * m * n) as u64,
                    ..Default::default()
                }
            }
            UpdateScheme::PulseCount { max_pulses } => {
                let mut g = vec![0.0f32; m * n];
                gemm_outer(d, x, batch, m, n, scale, &mut g);
                let mut c = apply_counts(self, &g, None, *max_pulses, seed);
                c.digital_ops = (batch * m * n) as u64;
                c
            }
            UpdateScheme::MixedPrecision { max_pulses } => {
                let mut g = vec![0.0f32; m * n];
                gemm_outer(d, x, batch, m, n, scale, &mut g);
                if state.chi.len() != m * n {
                    state.chi = vec![0.0; m * n];
                }
                let mut chi = std::mem::take(&mut state.chi);
                let mut c = apply_counts(self, &g, Some(&mut chi), *max_pulses, seed);
                state.chi = chi;
                c.digital_ops = (batch * m * n + m * n) as u64;
                c
            }
            UpdateScheme::Stochastic {
                desired_bl,
                bl_management,
                update_management,
            } => {
                let lr_s = lr / (self.alpha * batch as f32);
                self.stochastic(x, d, batch, lr_s, *desired_bl, *bl_management, *update_management, seed)
            }
            UpdateScheme::Transfer(p) => crate::tiki_taka::update(self, x, d, batch, lr, p, state, seed),
        }
    }

    /// The pulsed rank-one updates of a batch, sample after sample (GV 2016). Pulse trains
    /// (up to 64 slots, one bit each) are drawn for every sample first; then each output row
    /// applies its coincidences sample by sample, rows in parallel. Only rows and columns with
    /// at least one pulse are visited, so the cost follows the number of active lines, as in
    /// aihwkit's compressed stochastic update.
    #[allow(clippy::too_many_arguments)]
    fn stochastic(
        &mut self,
        x: &[f32],
        d: &[f32],
        batch: usize,
        lr: f32,
        desired_bl: u32,
        bl_man: bool,
        um: bool,
        seed: (u64, u64),
    ) -> UpdateCounts {
        let (n, m) = (self.in_size, self.out_size);
        let dw_min = self.device.dw_min() as f32;
        let desired = desired_bl.clamp(1, 64);
        // Per sample (in parallel, each from its own stream): the active input lines with
        // their trains, each output's train, and the train length BL.
        type Trains = (usize, Vec<u32>, [u32; 65], Vec<u64>, u64);
        // Tasks of many samples: a convolution's update has thousands of short patch rows, most
        // of them silent (a blank patch, or no gradient behind a max pool): only samples with
        // both inputs and errors are kept, in order.
        let per: Vec<Trains> = (0..batch)
            .into_par_iter()
            .with_min_len(rows_per_task(64 * (n + m)))
            .filter_map(|b| {
                let xs = &x[b * n..(b + 1) * n];
                let ds = &d[b * m..(b + 1) * m];
                let x_max = xs.iter().fold(0.0f32, |a, v| a.max(v.abs()));
                let d_max = ds.iter().fold(0.0f32, |a, v| a.max(v.abs()));
                if x_max <= 0.0 || d_max <= 0.0 || lr <= 0.0 {
                    return None;
                }
                let bl = if bl_man {
                    ((lr * x_max * d_max / dw_min).ceil() as u32).clamp(1, desired)
                } else {
                    desired
                };
                let a0 = (lr / (dw_min * bl as f32)).sqrt();
                let (pa, pb) = if um {
                    let g = (d_max / x_max).sqrt();
                    (a0 * g, a0 / g)
                } else {
                    (a0, a0)
                };
                let mut rng = dwmtj_core::stream::stream(seed.0, seed.1, u64::MAX - b as u64);
                let mut train = |p: f32| -> u64 {
                    let p = p.min(1.0);
                    if p <= 0.0 {
                        return 0;
                    }
                    // Bernoulli(p) per slot from 16-bit uniforms, four per 64-bit draw (p is
                    // resolved to 1/65536).
                    let thr = (p * 65536.0) as u64;
                    let mut bits = 0u64;
                    let mut s = 0;
                    while s < bl {
                        let mut r = rng.next_u64();
                        for k in 0..4.min(bl - s) {
                            if (r & 0xFFFF) < thr {
                                bits |= 1 << (s + k);
                            }
                            r >>= 16;
                        }
                        s += 4;
                    }
                    bits
                };
                // The input lines firing in each slot (sign of x in the index's top bit), as
                // one list ordered by slot with offsets (a counting sort of the trains).
                let mut trains: Vec<(u32, u64)> = Vec::with_capacity(n);
                let mut per_slot = [0u32; 65];
                for (i, &v) in xs.iter().enumerate() {
                    if v != 0.0 {
                        let t = train(pa * v.abs());
                        if t != 0 {
                            let code = i as u32 | if v < 0.0 { 1 << 31 } else { 0 };
                            trains.push((code, t));
                            let mut u = t;
                            while u != 0 {
                                per_slot[u.trailing_zeros() as usize + 1] += 1;
                                u &= u - 1;
                            }
                        }
                    }
                }
                for s in 1..65 {
                    per_slot[s] += per_slot[s - 1];
                }
                let mut fill = per_slot;
                let mut act = vec![0u32; per_slot[64] as usize];
                for &(code, t) in &trains {
                    let mut u = t;
                    while u != 0 {
                        let s = u.trailing_zeros() as usize;
                        act[fill[s] as usize] = code;
                        fill[s] += 1;
                        u &= u - 1;
                    }
                }
                let db: Vec<u64> = ds.iter().map(|&v| if v != 0.0 { train(pb * v.abs()) } else { 0 }).collect();
                Some((b, act, per_slot, db, u64::from(bl)))
            })
            .collect();
        let slots: u64 = per.iter().map(|p| p.4).sum();
        let mut w = std::mem::take(&mut self.w);
        let snapshot = &*self;
        let counts: Vec<u64> = w
            .par_chunks_mut(n)
            .with_min_len(rows_per_task(4 * n))
            .enumerate()
            .map(|(j, wr)| {
                let mut rng = dwmtj_core::stream::stream(seed.0, seed.1, j as u64);
                let mut count = 0u64;
                if let DeviceModel::ConstantStep { dw_min, c2c, b_min, b_max } = snapshot.device {
                    // The common case inlined in f32: each coincidence is one step
                    // d dw (1 + c2c xi) with the device's D2D factor, clipped to the bounds.
                    let (dw, c2c, lo, hi) = (dw_min as f32, c2c as f32, b_min as f32, b_max as f32);
                    let scale = &snapshot.step_scale[j * n..(j + 1) * n];
                    let mut normal = crate::noise::TableNormal::new();
                    for (b, act, off, dbits, _) in &per {
                        let mut db = dbits[j];
                        let d_pos = d[b * m + j] > 0.0;
                        // Visit only the coincidences: the slots where column j fires, and in
                        // each the rows that fire too.
                        while db != 0 {
                            let slot = db.trailing_zeros() as usize;
                            db &= db - 1;
                            let lane = &act[off[slot] as usize..off[slot + 1] as usize];
                            for &code in lane {
                                let i = (code & !(1 << 31)) as usize;
                                let sign = if (code >> 31 == 0) != d_pos { 1.0f32 } else { -1.0 };
                                let xi = if c2c > 0.0 { normal.draw(&mut rng) } else { 0.0 };
                                wr[i] = (wr[i] + sign * dw * scale[i] * (1.0 + c2c * xi)).clamp(lo, hi);
                            }
                            count += lane.len() as u64;
                        }
                    }
                    return count;
                }
                for (b, act, off, dbits, _) in &per {
                    let mut db = dbits[j];
                    let d_pos = d[b * m + j] > 0.0;
                    while db != 0 {
                        let slot = db.trailing_zeros() as usize;
                        db &= db - 1;
                        let lane = &act[off[slot] as usize..off[slot + 1] as usize];
                        for &code in lane {
                            let i = (code & !(1 << 31)) as usize;
                            // Descent: the weight moves against sign(x_i d_j).
                            wr[i] = pulses(snapshot, j * n + i, wr[i], 1, (code >> 31 == 0) != d_pos, &mut rng);
                        }
                        count += lane.len() as u64;
                    }
                }
                count
            })
            .collect();
        self.w = w;
        UpdateCounts {
            pulses: counts.iter().sum(),
            parallel_slots: slots,
            digital_ops: (batch * (n + m)) as u64,
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::devices::DeviceModel;
    use crate::tile::{FromSeedU64, IoParams};

    fn tile(device: DeviceModel) -> Tile {
        let mut rng = Xoshiro256PlusPlus::from_seed_u64(1);
        let mut t = Tile::new(3, 4, device, 1.0, 0.0, 0.0, IoParams::ideal(), IoParams::ideal(), &mut rng);
        t.w.iter_mut().for_each(|w| *w = 0.0);
        t
    }

    fn ideal_change(x: &[f32], d: &[f32], lr: f32) -> Vec<f32> {
        (0..3).flat_map(|j| (0..4).map(move |i| -lr * d[j] * x[i])).collect()
    }

    #[test]
    fn stochastic_update_is_unbiased_sgd_on_average() {
        let dev = DeviceModel::ConstantStep {
            dw_min: 0.001,
            b_min: -1.0,
            b_max: 1.0,
            c2c: 0.0,
        };
        let x = [0.9f32, -0.5, 0.2, 0.0];
        let d = [0.3f32, -0.8, 0.05];
        let lr = 0.01;
        let want = ideal_change(&x, &d, lr);
        let mut mean = [0.0f64; 12];
        let trials = 4000;
        let mut pulses = 0;
        for s in 0..trials {
            let mut t = tile(dev.clone());
            let c = t.update(
                &x,
                &d,
                1,
                lr,
                &UpdateScheme::stochastic_default(),
                &mut UpdateState::default(),
                (7, s),
            );
            pulses += c.pulses;
            for (m, w) in mean.iter_mut().zip(&t.w) {
                *m += f64::from(*w) / trials as f64;
            }
        }
        assert!(pulses > 0);
        for (m, w) in mean.iter().zip(&want) {
            // lr max|x| max|d| / dw_min = 7.2 -> BL 8; the per-weight std error is below 2e-5.
            assert!((m - f64::from(*w)).abs() < 1.2e-4, "{m} vs {w}");
        }
    }

    #[test]
    fn mixed_precision_accumulates_until_a_whole_step_and_pulse_count_drops_small_updates() {
        let dev = DeviceModel::Levels {
            levels: (0..15).map(|k| f64::from(k) / 14.0).collect(),
            p_switch: 1.0,
            b_min: -1.0,
            b_max: 1.0,
        };
        let step = dev.dw_min() as f32;
        let x = [1.0f32, 0.0, 0.0, 0.0];
        let d = [-0.4 * step, 0.0, 0.0];
        let mut mp = tile(dev.clone());
        let mut pc = tile(dev);
        let mut st = UpdateState::default();
        let scheme = UpdateScheme::MixedPrecision { max_pulses: 8 };
        let mut moved_at = None;
        for k in 0..5 {
            let c = mp.update(&x, &d, 1, 1.0, &scheme, &mut st, (1, k));
            if c.pulses > 0 && moved_at.is_none() {
                moved_at = Some(k);
            }
            pc.update(
                &x,
                &d,
                1,
                1.0,
                &UpdateScheme::PulseCount { max_pulses: 8 },
                &mut UpdateState::default(),
                (1, k),
            );
        }
        // 0.4 steps per update: the accumulator crosses one step on the third update.
        assert_eq!(moved_at, Some(2));
        assert!((mp.w[0] - 2.0 * step).abs() < 1e-6, "two steps after 2.0 accumulated: {}", mp.w[0]);
        assert!((st.chi[0] - 0.0).abs() < 1e-5);
        assert!(pc.w[0].abs() < 1e-9, "pulse count never reaches one step: {}", pc.w[0]);
        // Float follows the gradient exactly.
        let mut fl = tile(DeviceModel::constant_step_default());
        fl.update(&x, &d, 1, 1.0, &UpdateScheme::Float, &mut UpdateState::default(), (1, 1));
        assert!((fl.w[0] - 0.4 * step).abs() < 1e-7);
    }
}
