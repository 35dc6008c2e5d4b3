//! Tiki-Taka training for asymmetric devices (Gokmen & Haensch, Front. Neurosci. 14, 103
//! (2020); aihwkit's `TransferCompound`) and its buffered form TTv2 (Gokmen, Front. Artif.
//! Intell. 4, 699148 (2021); aihwkit's `BufferedTransferCompound`), docs/nn.md 5.
//!
//! Each weight has two devices: a fast array A, which takes the pulsed SGD updates (the
//! device's own scheme: stochastic for aihwkit's devices, pulse counts for NeuroSim's), and the
//! slow array C, the weights the network reads (aihwkit's default gamma = 0: the forward and
//! backward passes see C alone). Every `transfer_every` mini-batches, `columns` columns of A are
//! read in turn (column i: a forward read of the one-hot input e_i through the periphery, with
//! its noise and quantisation) and moved into C's column i:
//!
//! ```text
//! Tiki-Taka:  n = round(transfer_lr a_i / dw_min) pulses to C[:, i]
//! TTv2:       h_i <- h_i + transfer_lr a_i;  n = trunc(h_i / dw_min) pulses, h_i <- h_i - n dw_min
//! ```
//! (a_i the read column in device units, h a digital buffer per weight). A keeps its state: a
//! soft-bounds device's drift toward its symmetry point, which spoils plain SGD, is what
//! Tiki-Taka turns into a decay of A, so that C integrates the gradient's running mean.

use crate::tile::{FromSeedU64, ReadCounts, Tile};
use crate::update::{UpdateCounts, UpdateScheme, UpdateState};
use rand_xoshiro::Xoshiro256PlusPlus;

/// Settings of a transfer scheme.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct TransferParams {
    /// How the fast array A is updated (the device's pulsed scheme; not a transfer scheme).
    pub fast: Box<UpdateScheme>,
    /// Mini-batches between transfers (1-100000).
    pub transfer_every: u32,
    /// Columns of A read and moved into C per transfer (1-4096).
    pub columns: u32,
    /// Scale of the read column written to C (0-1000).
    pub transfer_lr: f32,
    /// TTv2: accumulate the reads in a digital buffer and write whole steps.
    pub buffered: bool,
}

/// The fast array and its bookkeeping, kept in a tile's [`UpdateState`].
#[derive(Clone, Debug)]
pub struct FastArray {
    /// The fast devices A (same device model, periphery and output scale as the tile).
    pub tile: Tile,
    /// The fast array's own update state.
    pub state: Box<UpdateState>,
    /// TTv2's digital buffer h, one value per weight (device units; empty for Tiki-Taka).
    pub buffer: Vec<f32>,
    /// Mini-batches seen.
    pub batches: u64,
    /// The next column to transfer.
    pub next_column: usize,
}

impl FastArray {
    /// A fast array for `slow` with every device at 0 and its own device-to-device draws from
    /// `seed`.
    pub fn new(slow: &Tile, d2d: f32, seed: u64, buffered: bool) -> Self {
        let mut rng = Xoshiro256PlusPlus::from_seed_u64(seed ^ 0x7171_7A1A);
        let mut tile = Tile::new(
            slow.out_size,
            slow.in_size,
            slow.device.clone(),
            slow.alpha,
            0.0,
            d2d,
            slow.fwd.clone(),
            slow.bwd.clone(),
            &mut rng,
        );
        // Start at 0 (the symmetric point of the soft-bounds and NeuroSim models' ranges).
        tile.w.iter_mut().for_each(|w| *w = 0.0);
        Self {
            buffer: if buffered { vec![0.0; slow.w.len()] } else { Vec::new() },
            tile,
            state: Box::default(),
            batches: 0,
            next_column: 0,
        }
    }

    /// Set the counters as after `batches` mini-batches (a resumed run).
    pub fn resume_at(&mut self, batches: u64, p: &TransferParams) {
        self.batches = batches;
        let transfers = batches / u64::from(p.transfer_every.max(1));
        self.next_column = ((transfers * u64::from(p.columns)) % self.tile.in_size as u64) as usize;
    }
}

/// One Tiki-Taka update of `slow` (C) from a batch: A takes the SGD update, then, when due, the
/// transfer reads columns of A and writes them into C. Returns the pulses of both arrays and
/// the transfer reads.
#[allow(clippy::too_many_arguments)]
pub fn update(
    slow: &mut Tile,
    x: &[f32],
    d: &[f32],
    batch: usize,
    lr: f32,
    p: &TransferParams,
    state: &mut UpdateState,
    seed: (u64, u64),
) -> UpdateCounts {
    let fast = state.fast.get_or_insert_with(|| FastArray::new(slow, 0.0, seed.0, p.buffered));
    let mut counts = fast.tile.update(x, d, batch, lr, &p.fast, &mut fast.state, seed);
    fast.batches += 1;
    if !fast.batches.is_multiple_of(u64::from(p.transfer_every.max(1))) {
        return counts;
    }
    let (n, m) = (slow.in_size, slow.out_size);
    let step = slow.device.dw_min() as f32;
    let max_pulses = (slow.device.states() - 1.0).round().clamp(1.0, 1e6) as u32;
    let mut reads = ReadCounts::default();
    for r in 0..p.columns.min(n as u32) {
        let i = fast.next_column;
        fast.next_column = (i + 1) % n;
        // Read column i of A through the forward periphery: y = alpha A e_i (+ noise, ADC).
        let mut e = vec![0.0f32; n];
        e[i] = 1.0;
        let (y, c) = fast.tile.forward(&e, 1, (seed.0, seed.1 ^ (0x7EAD << 20) ^ u64::from(r)));
        reads.add(&c);
        let mut rng = dwmtj_core::stream::stream(seed.0, seed.1 ^ (0x7A5F << 20), u64::from(r));
        let mut longest = 0u64;
        for (j, &yj) in y.iter().enumerate().take(m) {
            let a = yj / slow.alpha;
            let k = j * n + i;
            let pulses = if p.buffered {
                fast.buffer[k] += p.transfer_lr * a;
                let q = (fast.buffer[k] / step).trunc();
                fast.buffer[k] -= q * step;
                q
            } else {
                crate::tile::round_even(p.transfer_lr * a / step)
            };
            if pulses != 0.0 {
                let np = (pulses.abs() as u32).min(max_pulses);
                slow.w[k] = crate::update::pulses(slow, k, slow.w[k], np, pulses > 0.0, &mut rng);
                counts.pulses += u64::from(np);
                longest = longest.max(u64::from(np));
            }
        }
        counts.row_pulse_slots += longest;
        counts.digital_ops += if p.buffered { 2 * m as u64 } else { m as u64 };
    }
    counts.transfer_reads.add(&reads);
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::devices::DeviceModel;
    use crate::tile::IoParams;

    fn tile(device: DeviceModel) -> Tile {
        let mut rng = Xoshiro256PlusPlus::from_seed_u64(1);
        let mut t = Tile::new(2, 3, device, 1.0, 0.0, 0.0, IoParams::ideal(), IoParams::ideal(), &mut rng);
        t.w.iter_mut().for_each(|w| *w = 0.0);
        t
    }

    /// With an ideal device and periphery, a transfer moves A's column into C: C follows the
    /// running sum of the gradient, column by column, and TTv2 keeps the remainder below a step
    /// in its buffer.
    #[test]
    fn transfers_move_the_fast_array_into_the_slow_one_column_by_column() {
        let device = DeviceModel::ConstantStep {
            dw_min: 0.01,
            b_min: -1.0,
            b_max: 1.0,
            c2c: 0.0,
        };
        for buffered in [false, true] {
            let mut slow = tile(device.clone());
            let p = TransferParams {
                fast: Box::new(UpdateScheme::PulseCount { max_pulses: 200 }),
                transfer_every: 1,
                columns: 1,
                transfer_lr: 1.0,
                buffered,
            };
            let mut state = UpdateState::default();
            // x = e_0, d = [-1, 2]: dw = -lr d x^T on column 0 only.
            let (x, d) = ([1.0f32, 0.0, 0.0], [-1.0f32, 2.0]);
            let c = update(&mut slow, &x, &d, 1, 0.105, &p, &mut state, (1, 1));
            let fast = state.fast.as_ref().unwrap();
            // A: round(0.105 / 0.01) = 10 steps up, 21 steps down (round half to even).
            assert!(
                (fast.tile.w[0] - 0.10).abs() < 1e-6 && (fast.tile.w[3] + 0.21).abs() < 1e-6,
                "{:?}",
                fast.tile.w
            );
            // The transfer read column 0 and wrote it into C.
            assert!((slow.w[0] - 0.10).abs() < 1e-6 && (slow.w[3] + 0.21).abs() < 1e-6, "{:?}", slow.w);
            assert_eq!(c.transfer_reads.mvms, 1);
            assert_eq!(c.pulses, 31 + 31);
            // The next transfer reads column 1 (empty): C unchanged.
            update(&mut slow, &[0.0; 3], &d, 1, 0.105, &p, &mut state, (1, 2));
            assert!((slow.w[0] - 0.10).abs() < 1e-6 && slow.w[1] == 0.0);
            assert_eq!(state.fast.as_ref().unwrap().next_column, 2);
        }
    }
}
