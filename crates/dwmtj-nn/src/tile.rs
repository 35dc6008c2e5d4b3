//! An analog crossbar tile: one layer's weights stored in devices, read by matrix-vector
//! products through a DAC, the array, output noise and an ADC (docs/nn.md 2.2, aihwkit's
//! `IOParameters`; Gokmen & Vlasov, Front. Neurosci. 10, 333 (2016)).
//!
//! Forward pass of one input vector x (length N) through weights w (M x N, device units, each a
//! differential conductance pair G+ - G- normalised to the device's weight range):
//!
//! * noise management (ABS_MAX): s = max_i |x_i|, x <- x / s;
//! * DAC: x_i <- clip(round(x_i / dx) dx, -inp_bound, inp_bound), dx = inp_res * 2 inp_bound
//!   (inp_res = 1/(2^7 - 2): a 7-bit signed DAC over the input range);
//! * array: y = w x + out_noise * xi, xi ~ N(0, 1) per output;
//! * bound management (ITERATIVE, forward only): if any |y_j| > out_bound, repeat with x / 2
//!   (up to max_bm_factor), so that saturated outputs are not silently clipped;
//! * ADC: y_j <- clip(round(y_j / dy) dy, -out_bound, out_bound), dy = out_res * 2 out_bound;
//! * y <- alpha * s * (scale of bound management) * y, with alpha the tile's digital output
//!   scale (effective weight = alpha w).
//!
//! The backward pass (d_in = w^T d_out) uses the same chain with its own `IoParams` and no
//! bound management, as in aihwkit.

use crate::devices::DeviceModel;
use crate::noise::TableNormal;
use rand::Rng;
use rand_distr::StandardNormal;
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;
use std::cell::RefCell;

thread_local! {
    /// Per-thread scratch for the noise-free MVM outputs of one sample.
    static SCRATCH: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// Periphery non-idealities of one direction (forward or backward) of a tile.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct IoParams {
    /// DAC resolution as a fraction of the input range (0 = ideal).
    pub inp_res: f32,
    /// Input range: the DAC clips inputs to +-inp_bound.
    pub inp_bound: f32,
    /// ADC resolution as a fraction of the output range (0 = ideal).
    pub out_res: f32,
    /// Output range: the ADC clips outputs to +-out_bound.
    pub out_bound: f32,
    /// Output noise sigma, in units of full-scale weight times full-scale input.
    pub out_noise: f32,
    /// Divide each input vector by its max |x_i| before the DAC (aihwkit ABS_MAX).
    pub noise_management: bool,
    /// Forward only: repeat a saturated MVM with the input halved (aihwkit ITERATIVE).
    pub bound_management: bool,
    /// Largest total input division of bound management.
    pub max_bm_factor: f32,
}

impl Default for IoParams {
    /// aihwkit's defaults (docs/nn.md 2.2).
    fn default() -> Self {
        Self {
            inp_res: 1.0 / 126.0,
            inp_bound: 1.0,
            out_res: 1.0 / 510.0,
            out_bound: 12.0,
            out_noise: 0.06,
            noise_management: true,
            bound_management: true,
            max_bm_factor: 1000.0,
        }
    }
}

impl IoParams {
    /// A perfect periphery: no quantisation, noise or bounds.
    pub fn ideal() -> Self {
        Self {
            inp_res: 0.0,
            inp_bound: f32::INFINITY,
            out_res: 0.0,
            out_bound: f32::INFINITY,
            out_noise: 0.0,
            noise_management: false,
            bound_management: false,
            max_bm_factor: 1.0,
        }
    }

    /// Whether the periphery quantises, adds noise and clips nothing.
    pub fn is_ideal(&self) -> bool {
        self.inp_res <= 0.0 && self.out_res <= 0.0 && self.out_noise <= 0.0 && !self.inp_bound.is_finite() && !self.out_bound.is_finite()
    }

    /// Number of DAC bits implied by inp_res (0 for an ideal DAC).
    pub fn dac_bits(&self) -> u32 {
        bits(self.inp_res)
    }

    /// Number of ADC bits implied by out_res (0 for an ideal ADC).
    pub fn adc_bits(&self) -> u32 {
        bits(self.out_res)
    }
}

fn bits(res: f32) -> u32 {
    if res <= 0.0 {
        0
    } else {
        ((1.0 / res + 2.0).log2()).round() as u32
    }
}

/// A converter's grid: clip to +-bound, then round to steps of res * 2 bound.
#[derive(Clone, Copy)]
struct Grid {
    bound: f32,
    step: f32,
    inv_step: f32,
}

impl Grid {
    fn new(res: f32, bound: f32) -> Self {
        let step = if res > 0.0 { res * 2.0 * bound } else { 0.0 };
        Self {
            bound,
            step,
            inv_step: if step > 0.0 { 1.0 / step } else { 0.0 },
        }
    }

    #[inline]
    fn apply(self, v: f32) -> f32 {
        let v = v.clamp(-self.bound, self.bound);
        if self.step > 0.0 {
            round_even(v * self.inv_step) * self.step
        } else {
            v
        }
    }
}

/// Round to the nearest integer (ties to even) for |v| < 2^22, without a libm call: adding and
/// subtracting 1.5 * 2^23 leaves no fraction bits in the f32 sum.
#[inline]
pub(crate) fn round_even(v: f32) -> f32 {
    const MAGIC: f32 = 12_582_912.0;
    if v.abs() < 4_194_304.0 {
        (v + MAGIC) - MAGIC
    } else {
        v
    }
}

/// What the periphery did during one batch: conversions and bound-management repeats.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct ReadCounts {
    /// Matrix-vector products on the array (each reads every device once).
    pub mvms: u64,
    /// Sum over MVMs of sum_i (x_i / inp_bound)^2 (the read energy scales with it).
    pub input_power: f64,
    /// DAC conversions (one per input per MVM).
    pub dac_conversions: u64,
    /// ADC conversions (one per output per MVM).
    pub adc_conversions: u64,
}

impl ReadCounts {
    /// Add `o`, count by count.
    pub fn add(&mut self, o: &ReadCounts) {
        self.mvms += o.mvms;
        self.input_power += o.input_power;
        self.dac_conversions += o.dac_conversions;
        self.adc_conversions += o.adc_conversions;
    }
}

/// One layer on one crossbar (weights `out_size x in_size`, row-major).
#[derive(Clone, Debug)]
pub struct Tile {
    /// Outputs M (rows of `w`).
    pub out_size: usize,
    /// Inputs N (columns of `w`).
    pub in_size: usize,
    /// Device weights in the device's range [b_min, b_max].
    pub w: Vec<f32>,
    /// Digital output scale: the effective weight is alpha * w.
    pub alpha: f32,
    /// The update model of every device.
    pub device: DeviceModel,
    /// Device-to-device factor on each device's step (1 = nominal).
    pub step_scale: Vec<f32>,
    /// Forward periphery.
    pub fwd: IoParams,
    /// Backward periphery.
    pub bwd: IoParams,
}

/// Blocks of one matrix-multiply task: the split dimension `dim` in at most 2 blocks of at
/// least 32, and one block when the product has under 2^18 multiply-adds (too little to pay
/// for a hand-over between threads). Each task packs the other operand whole, so fewer, larger
/// tasks pack less. Fixed by the sizes alone, never by the thread count.
fn gemm_block(dim: usize, work: usize) -> usize {
    if work < 1 << 18 {
        return dim.max(1);
    }
    dim.div_ceil(2).max(32).div_ceil(16) * 16
}

/// Rows per parallel task so that each task does at least ~64k multiply-adds (smaller tasks
/// cost more in scheduling than they save). Depends only on the sizes, never on the threads.
pub(crate) fn rows_per_task(work_per_row: usize) -> usize {
    ((1usize << 16) / work_per_row.max(1)).max(1)
}

/// y (batch x m) = x (batch x n) * w^T, computed as y^T = w x^T in blocks of output rows, one
/// block per task: each task packs its rows of w once (contiguous) and all of x. The blocks
/// depend only on the sizes, so results do not depend on the thread count.
///
/// Panics unless `x`, `w` and `y` hold exactly batch x n, m x n and batch x m values: the
/// unchecked pointer arithmetic below relies on it.
pub(crate) fn gemm_xwt(x: &[f32], w: &[f32], batch: usize, n: usize, m: usize, y: &mut [f32]) {
    assert!(
        x.len() == batch * n && w.len() == m * n && y.len() == batch * m,
        "gemm_xwt: slice lengths {} {} {} for batch {batch}, n {n}, m {m}",
        x.len(),
        w.len(),
        y.len()
    );
    let rows = gemm_block(m, batch * n * m);
    let yp = SendPtr(y.as_mut_ptr());
    (0..m.div_ceil(rows)).into_par_iter().for_each(|blk| {
        let j0 = blk * rows;
        let r = rows.min(m - j0);
        let yp = &yp;
        // SAFETY: w rows j0..j0+r (r x n, row stride n); x^T (n x batch): element (k, b) at
        // x[b*n + k]; y^T block: element (j, b) at y[b*m + j0 + j]. Blocks write disjoint j.
        unsafe {
            matrixmultiply::sgemm(
                r,
                n,
                batch,
                1.0,
                w.as_ptr().add(j0 * n),
                n as isize,
                1,
                x.as_ptr(),
                1,
                n as isize,
                0.0,
                yp.0.add(j0),
                1,
                m as isize,
            );
        }
    });
}

/// A raw pointer that tasks writing disjoint parts of one buffer may share.
struct SendPtr(*mut f32);
// SAFETY: used only for disjoint writes, joined before the buffer is read.
unsafe impl Sync for SendPtr {}

/// d_in (batch x n) = d (batch x m) * w (m x n), in blocks of input columns.
///
/// Panics unless `d`, `w` and `out` hold exactly batch x m, m x n and batch x n values.
pub(crate) fn gemm_dw(d: &[f32], w: &[f32], batch: usize, m: usize, n: usize, out: &mut [f32]) {
    assert!(
        d.len() == batch * m && w.len() == m * n && out.len() == batch * n,
        "gemm_dw: slice lengths {} {} {} for batch {batch}, m {m}, n {n}",
        d.len(),
        w.len(),
        out.len()
    );
    let cols = gemm_block(n, batch * n * m);
    let op = SendPtr(out.as_mut_ptr());
    (0..n.div_ceil(cols)).into_par_iter().for_each(|blk| {
        let i0 = blk * cols;
        let c = cols.min(n - i0);
        let op = &op;
        // SAFETY: w columns i0..i0+c (m x c, row stride n); out columns i0..i0+c (row stride
        // n); blocks write disjoint columns.
        unsafe {
            matrixmultiply::sgemm(
                batch,
                m,
                c,
                1.0,
                d.as_ptr(),
                m as isize,
                1,
                w.as_ptr().add(i0),
                n as isize,
                1,
                0.0,
                op.0.add(i0),
                n as isize,
                1,
            );
        }
    });
}

/// g (m x n) = scale * d^T (m x batch) * x (batch x n), output rows split over threads.
///
/// Panics unless `d`, `x` and `g` hold exactly batch x m, batch x n and m x n values.
pub(crate) fn gemm_outer(d: &[f32], x: &[f32], batch: usize, m: usize, n: usize, scale: f32, g: &mut [f32]) {
    assert!(
        d.len() == batch * m && x.len() == batch * n && g.len() == m * n && n > 0,
        "gemm_outer: slice lengths {} {} {} for batch {batch}, m {m}, n {n}",
        d.len(),
        x.len(),
        g.len()
    );
    let rows_per = gemm_block(m, batch * n * m);
    g.par_chunks_mut(rows_per * n).enumerate().for_each(|(c, gc)| {
        let r0 = c * rows_per;
        let rows = gc.len() / n;
        // SAFETY: d^T rows r0..r0+rows: element (j, b) = d[b*m + r0 + j].
        unsafe {
            matrixmultiply::sgemm(
                rows,
                batch,
                n,
                scale,
                d.as_ptr().add(r0),
                1,
                m as isize,
                x.as_ptr(),
                n as isize,
                1,
                0.0,
                gc.as_mut_ptr(),
                n as isize,
                1,
            );
        }
    });
}

impl Tile {
    /// A tile with weights drawn uniformly in [-init, init] (device units, clipped to the
    /// device range) and device-to-device step factors 1 + d2d N(0, 1) (floored at 0.1).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        out_size: usize,
        in_size: usize,
        device: DeviceModel,
        alpha: f32,
        init: f32,
        d2d: f32,
        fwd: IoParams,
        bwd: IoParams,
        rng: &mut Xoshiro256PlusPlus,
    ) -> Self {
        let (lo, hi) = device.bounds();
        let n = out_size * in_size;
        let mut w: Vec<f32> = (0..n).map(|_| rng.gen_range(-init..=init).clamp(lo as f32, hi as f32)).collect();
        if let DeviceModel::Levels { .. } = device {
            // Discrete devices start on a level.
            let mut dummy = Xoshiro256PlusPlus::from_seed_u64(0);
            for v in &mut w {
                *v = device.snap(f64::from(*v), &mut dummy) as f32;
            }
        }
        let step_scale = (0..n)
            .map(|_| {
                if d2d > 0.0 {
                    (1.0 + d2d * rng.sample::<f32, _>(StandardNormal)).max(0.1)
                } else {
                    1.0
                }
            })
            .collect();
        Self {
            out_size,
            in_size,
            w,
            alpha,
            device,
            step_scale,
            fwd,
            bwd,
        }
    }

    /// The tile as a differential-pair crossbar (rows = inputs, columns = outputs): a device
    /// weight w in [b_min, b_max] is the pair G+ = g_min + (g_max - g_min) max(w, 0)/b_max,
    /// G- = g_min + (g_max - g_min) max(-w, 0)/|b_min|.
    pub fn pair_array(&self, g_min: f64, g_max: f64) -> crate::crossbar::PairArray {
        let (lo, hi) = self.device.bounds();
        let (m, n) = (self.out_size, self.in_size);
        let mut g_plus = vec![0.0; n * m];
        let mut g_minus = vec![0.0; n * m];
        for j in 0..m {
            for i in 0..n {
                let w = f64::from(self.w[j * n + i]);
                g_plus[i * m + j] = g_min + (g_max - g_min) * w.max(0.0) / hi.abs().max(1e-30);
                g_minus[i * m + j] = g_min + (g_max - g_min) * (-w).max(0.0) / lo.abs().max(1e-30);
            }
        }
        crate::crossbar::PairArray {
            rows: n,
            cols: m,
            g_plus,
            g_minus,
        }
    }

    /// The output currents I+ - I- (A) of one read with row voltages `v` (V, one per input)
    /// through word and bit lines of resistance `lines` (IR drop, [`crate::crossbar`]).
    pub fn read_with_lines(&self, v: &[f64], g_min: f64, g_max: f64, lines: crate::crossbar::Lines) -> Result<Vec<f64>, String> {
        self.pair_array(g_min, g_max).read(v, lines)
    }

    /// Forward MVMs of a batch (x: batch x in_size) through the periphery; returns y (batch x
    /// out_size, effective units) and the read counts. `seed` = (run seed, stream id) gives one noise
    /// stream per sample.
    pub fn forward(&self, x: &[f32], batch: usize, seed: (u64, u64)) -> (Vec<f32>, ReadCounts) {
        self.mvm(x, batch, seed, true)
    }

    /// Backward MVMs: d_in = alpha w^T d_out.
    pub fn backward(&self, d: &[f32], batch: usize, seed: (u64, u64)) -> (Vec<f32>, ReadCounts) {
        self.mvm(d, batch, seed, false)
    }

    fn mvm(&self, x: &[f32], batch: usize, seed: (u64, u64), forward: bool) -> (Vec<f32>, ReadCounts) {
        let (n, m) = if forward {
            (self.in_size, self.out_size)
        } else {
            (self.out_size, self.in_size)
        };
        let io = if forward { &self.fwd } else { &self.bwd };
        let mut xq = vec![0.0f32; batch * n];
        let scales: Vec<f32> = xq
            .par_chunks_mut(n)
            .zip(x.par_chunks(n))
            .with_min_len(rows_per_task(8 * n))
            .map(|(q, xs)| {
                let s = if io.noise_management {
                    xs.iter().fold(0.0f32, |a, v| a.max(v.abs()))
                } else {
                    1.0
                };
                let s = if s > 0.0 { s } else { 1.0 };
                let inv = 1.0 / s;
                let grid = Grid::new(io.inp_res, io.inp_bound);
                for (q, &v) in q.iter_mut().zip(xs) {
                    *q = grid.apply(v * inv);
                }
                s
            })
            .collect();
        let mut y = vec![0.0f32; batch * m];
        if forward {
            gemm_xwt(&xq, &self.w, batch, n, m, &mut y);
        } else {
            gemm_dw(&xq, &self.w, batch, n, m, &mut y);
        }
        let mut counts = ReadCounts::default();
        if io.is_ideal() {
            counts.mvms = batch as u64;
            counts.input_power = xq.iter().map(|v| f64::from(v * v)).sum();
            for (b, yr) in y.chunks_mut(m).enumerate() {
                let f = self.alpha * scales[b];
                yr.iter_mut().for_each(|v| *v *= f);
            }
            return (y, counts);
        }
        // Periphery per sample, each with its own noise stream.
        let per: Vec<ReadCounts> = y
            .par_chunks_mut(m)
            .zip(xq.par_chunks(n))
            .with_min_len(rows_per_task(8 * m))
            .enumerate()
            .map(|(b, (yr, xr))| {
                let mut rng = dwmtj_core::stream::stream(seed.0, seed.1, b as u64);
                let mut c = ReadCounts {
                    mvms: 1,
                    input_power: xr.iter().map(|v| f64::from(v * v)).sum(),
                    dac_conversions: n as u64,
                    adc_conversions: m as u64,
                };
                let mut bm_scale = 1.0f32;
                let mut normal = TableNormal::new();
                SCRATCH.with(|cell| {
                    let mut raw = cell.borrow_mut();
                    raw.clear();
                    raw.extend_from_slice(yr);
                    loop {
                        let mut saturated = false;
                        for (o, &r) in yr.iter_mut().zip(raw.iter()) {
                            *o = r + io.out_noise * normal.draw(&mut rng);
                            saturated |= o.abs() > io.out_bound;
                        }
                        if !(forward && io.bound_management && saturated && bm_scale * 2.0 <= io.max_bm_factor) {
                            break;
                        }
                        // Repeat the MVM with the input halved (the array is linear in x; the
                        // DAC grid is not refined, exact for an ideal DAC).
                        bm_scale *= 2.0;
                        raw.iter_mut().for_each(|v| *v *= 0.5);
                        let xp: f64 = xr.iter().map(|v| f64::from(v * v)).sum();
                        c.mvms += 1;
                        c.input_power += xp / f64::from(bm_scale * bm_scale);
                        c.dac_conversions += n as u64;
                        c.adc_conversions += m as u64;
                    }
                });
                let f = self.alpha * scales[b] * bm_scale;
                let grid = Grid::new(io.out_res, io.out_bound);
                for v in yr.iter_mut() {
                    *v = grid.apply(*v) * f;
                }
                c
            })
            .collect();
        for c in &per {
            counts.add(c);
        }
        (y, counts)
    }
}

/// Seeding helper for xoshiro from a u64 (rand's SeedableRng::seed_from_u64).
pub trait FromSeedU64 {
    /// The generator seeded from `s`.
    fn from_seed_u64(s: u64) -> Self;
}

impl FromSeedU64 for Xoshiro256PlusPlus {
    fn from_seed_u64(s: u64) -> Self {
        rand::SeedableRng::seed_from_u64(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tile(io: IoParams) -> Tile {
        let mut rng = Xoshiro256PlusPlus::from_seed_u64(3);
        Tile::new(5, 7, DeviceModel::constant_step_default(), 1.0, 0.5, 0.0, io.clone(), io, &mut rng)
    }

    fn reference(t: &Tile, x: &[f32]) -> Vec<f32> {
        (0..t.out_size)
            .map(|j| (0..t.in_size).map(|i| t.w[j * t.in_size + i] * x[i]).sum::<f32>() * t.alpha)
            .collect()
    }

    #[test]
    fn ideal_tile_is_an_exact_matrix_product_both_ways() {
        let t = tile(IoParams::ideal());
        let x: Vec<f32> = (0..14).map(|k| (k as f32 * 0.37).sin()).collect();
        let (y, c) = t.forward(&x, 2, (1, 2));
        for b in 0..2 {
            let r = reference(&t, &x[b * 7..(b + 1) * 7]);
            for j in 0..5 {
                assert!((y[b * 5 + j] - r[j]).abs() < 1e-5);
            }
        }
        assert_eq!(c.mvms, 2);
        let d: Vec<f32> = (0..5).map(|k| k as f32 - 2.0).collect();
        let (g, _) = t.backward(&d, 1, (1, 3));
        for (i, gi) in g.iter().enumerate() {
            let r: f32 = (0..5).map(|j| t.w[j * 7 + i] * d[j]).sum();
            assert!((gi - r).abs() < 1e-5);
        }
    }

    #[test]
    fn default_periphery_quantises_adds_unit_noise_and_manages_bounds() {
        let mut io = IoParams::default();
        assert_eq!((io.dac_bits(), io.adc_bits()), (7, 9));
        // Noise only: the output error is out_noise * alpha * max|x| per output.
        io.inp_res = 0.0;
        io.out_res = 0.0;
        let t = tile(io.clone());
        let x: Vec<f32> = (0..7).map(|k| 2.0 * ((k as f32) * 0.9).cos()).collect();
        let smax = x.iter().fold(0.0f32, |a, v| a.max(v.abs()));
        let r = reference(&t, &x);
        let mut sq = 0.0f64;
        let trials = 4000;
        for s in 0..trials {
            let (y, _) = t.forward(&x, 1, (9, s));
            sq += y.iter().zip(&r).map(|(a, b)| f64::from((a - b) / smax).powi(2)).sum::<f64>();
        }
        let sigma = (sq / (trials as f64 * 5.0)).sqrt();
        // 20000 samples: the standard error of sigma is 0.5 %.
        assert!((sigma / 0.06 - 1.0).abs() < 0.03, "sigma {sigma}");
        // Bound management: a weight matrix whose outputs exceed out_bound is still read right.
        let mut big = tile(IoParams {
            out_noise: 0.0,
            ..IoParams::default()
        });
        big.w.iter_mut().for_each(|w| *w = 0.6);
        big.fwd.out_bound = 2.0;
        let x = vec![1.0f32; 7];
        let (y, c) = big.forward(&x, 1, (1, 1));
        assert!(c.mvms >= 3, "repeated with halved input: {c:?}");
        assert!((y[0] - 4.2).abs() < 0.05, "{}", y[0]);
        big.fwd.bound_management = false;
        let (y, _) = big.forward(&x, 1, (1, 1));
        assert!((y[0] - 2.0).abs() < 1e-6, "clipped at the bound without management: {}", y[0]);
    }

    #[test]
    fn gemm_results_do_not_depend_on_the_thread_count() {
        let t = tile(IoParams::default());
        let x: Vec<f32> = (0..7 * 40).map(|k| ((k * 7919) % 101) as f32 / 50.0 - 1.0).collect();
        let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let three = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap();
        let a = one.install(|| t.forward(&x, 40, (5, 6)).0);
        let b = three.install(|| t.forward(&x, 40, (5, 6)).0);
        assert_eq!(a, b);
    }
}

#[cfg(test)]
#[allow(clippy::needless_range_loop)]
mod line_tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn ideal_lines_read_the_tile_weights_and_resistance_only_loses_current() {
        // With ideal lines the differential read is (g_max - g_min)/b_max sum_i w_ji v_i (the
        // device range is symmetric); line resistance moves every output toward zero.
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(2);
        let tile = Tile::new(
            16,
            16,
            DeviceModel::constant_step_default(),
            1.0,
            0.5,
            0.0,
            IoParams::ideal(),
            IoParams::ideal(),
            &mut rng,
        );
        let v: Vec<f64> = (0..16).map(|i| 0.01 * (i as f64 + 1.0)).collect();
        let (g_min, g_max) = (1e-7, 1e-6);
        let (_, hi) = tile.device.bounds();
        let ideal = tile.read_with_lines(&v, g_min, g_max, crate::crossbar::Lines::IDEAL).unwrap();
        for j in 0..16 {
            let want: f64 = (0..16).map(|i| f64::from(tile.w[j * 16 + i]) * v[i]).sum::<f64>() * (g_max - g_min) / hi;
            assert!((ideal[j] - want).abs() < 1e-12 * want.abs().max(1e-12), "{} vs {want}", ideal[j]);
        }
        // Each side's column currents fall with line resistance (every node sits below its driver).
        let a = tile.pair_array(g_min, g_max);
        let lines = crate::crossbar::Lines { row: 1e3, col: 1e3 };
        for g in [&a.g_plus, &a.g_minus] {
            let ideal = crate::crossbar::column_currents(g, 16, 16, &v, crate::crossbar::Lines::IDEAL).unwrap();
            let lossy = crate::crossbar::column_currents(g, 16, 16, &v, lines).unwrap();
            assert!(lossy.iter().zip(&ideal).all(|(l, i)| l < i));
        }
    }
}
