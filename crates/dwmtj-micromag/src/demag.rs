//! Demagnetising field of a single-layer mesh by FFT convolution with the Newell tensor.
//!
//! H_demag(r_i) = -sum_j N(r_i - r_j) M(r_j), with the cell-averaged tensor of Newell, Williams
//! and Dunlop, J. Geophys. Res. 98, 9551 (1993):
//!
//! N_xx(X) = 1/(4 pi dx dy dz) sum_{e in {-1,0,1}^3} c(e) f(X + e d), c(e) = prod_k (2 if e_k = 0
//! else -1), with
//! f(x,y,z) = y/2 (z^2 - x^2) asinh(y/sqrt(x^2+z^2)) + z/2 (y^2 - x^2) asinh(z/sqrt(x^2+y^2))
//!          - x y z atan(y z/(x R)) + (2x^2 - y^2 - z^2) R/6,
//! N_xy likewise with
//! g(x,y,z) = x y z asinh(z/sqrt(x^2+y^2)) + y/6 (3z^2 - y^2) asinh(x/sqrt(y^2+z^2))
//!          + x/6 (3z^2 - x^2) asinh(y/sqrt(x^2+z^2)) - z^3/6 atan(x y/(z R))
//!          - z y^2/2 atan(x z/(y R)) - z x^2/2 atan(y z/(x R)) - x y R/3,
//! and N_yy, N_zz by permuting the arguments. The 27-term sums cancel badly far away, so beyond
//! 40 cells the point-dipole tensor N_ab = -V (3 r_a r_b - r^2 delta_ab)/(4 pi r^5) is used
//! (relative error ~ (d/r)^2 < 1e-3 of an already small coupling). The tensor is computed in f64.
//!
//! Single layer (nz = 1): N_xz = N_yz = 0 by symmetry, so four components (xx, yy, zz, xy) are
//! kept: the thin-film fast path. The grid is zero-padded to 2nx x 2ny; the x transforms are
//! real-to-complex (realfft), the y transforms complex; the kernel spectra are computed once per
//! mesh (`DemagKernel::new`) and reused.

use crate::mesh::Mesh;
use dwmtj_core::units::MU0;
use rayon::prelude::*;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};
use rustfft::num_complex::{Complex, Complex64};
use rustfft::{Fft, FftNum, FftPlanner};
use std::f64::consts::PI;
use std::sync::Arc;

/// asinh(num / sqrt(den2)); 0 when den2 = 0, where every term using it has a vanishing
/// prefactor.
fn asinh_ratio(num: f64, den2: f64) -> f64 {
    if den2 <= 0.0 {
        0.0
    } else {
        (num / den2.sqrt()).asinh()
    }
}

fn atan_ratio(num: f64, den: f64) -> f64 {
    if den == 0.0 {
        0.0
    } else {
        (num / den).atan()
    }
}

pub(crate) fn newell_f(x: f64, y: f64, z: f64) -> f64 {
    let (x, y, z) = (x.abs(), y.abs(), z.abs());
    let (x2, y2, z2) = (x * x, y * y, z * z);
    let r = (x2 + y2 + z2).sqrt();
    let mut s = (2.0 * x2 - y2 - z2) * r / 6.0;
    if y > 0.0 {
        s += 0.5 * y * (z2 - x2) * asinh_ratio(y, x2 + z2);
    }
    if z > 0.0 {
        s += 0.5 * z * (y2 - x2) * asinh_ratio(z, x2 + y2);
    }
    if x > 0.0 {
        s -= x * y * z * atan_ratio(y * z, x * r);
    }
    s
}

pub(crate) fn newell_g(x: f64, y: f64, z: f64) -> f64 {
    // g is odd in x and in y, even in z; it vanishes at x = 0 or y = 0 (every term carries a
    // factor x or y, or tends to 0 there).
    let sign = if x == 0.0 || y == 0.0 { 0.0 } else { x.signum() * y.signum() };
    let (x, y, z) = (x.abs(), y.abs(), z.abs());
    let (x2, y2, z2) = (x * x, y * y, z * z);
    let r = (x2 + y2 + z2).sqrt();
    let mut s = -x * y * r / 3.0;
    if z > 0.0 {
        s += x * y * z * asinh_ratio(z, x2 + y2);
        s -= z2 * z / 6.0 * atan_ratio(x * y, z * r);
    }
    if x > 0.0 {
        s += y / 6.0 * (3.0 * z2 - y2) * asinh_ratio(x, y2 + z2);
        s -= z * x2 / 2.0 * atan_ratio(y * z, x * r);
    }
    if y > 0.0 {
        s += x / 6.0 * (3.0 * z2 - x2) * asinh_ratio(y, x2 + z2);
        s -= z * y2 / 2.0 * atan_ratio(x * z, y * r);
    }
    if sign == 0.0 {
        0.0
    } else {
        sign * s
    }
}

pub(crate) fn stencil(func: impl Fn(f64, f64, f64) -> f64, x: f64, y: f64, z: f64, dx: f64, dy: f64, dz: f64) -> f64 {
    let c = |e: i32| if e == 0 { 2.0 } else { -1.0 };
    let mut s = 0.0;
    for ex in -1..=1 {
        for ey in -1..=1 {
            for ez in -1..=1 {
                s += c(ex) * c(ey) * c(ez) * func(x + f64::from(ex) * dx, y + f64::from(ey) * dy, z + f64::from(ez) * dz);
            }
        }
    }
    s
}

/// Beyond this many cells the point-dipole tensor replaces Newell's sums (muMAG SP4's result
/// is unchanged to 1e-6 with the switch moved out to 1000 cells).
pub(crate) const FAR_CELLS: f64 = 40.0;

/// The four in-plane components (xx, yy, zz, xy) of the cell-averaged tensor at offset
/// (x, y, 0) between cells of size (dx, dy, dz).
pub fn newell_tensor(x: f64, y: f64, dx: f64, dy: f64, dz: f64) -> [f64; 4] {
    if (x * x + y * y).sqrt() > FAR_CELLS * dx.max(dy).max(dz) {
        dipole_tensor(x, y, dx * dy * dz)
    } else {
        newell_exact(x, y, dx, dy, dz)
    }
}

/// The point-dipole tensor of a moment of volume v at in-plane offset (x, y).
pub fn dipole_tensor(x: f64, y: f64, v: f64) -> [f64; 4] {
    let r2 = x * x + y * y;
    let k = -v / (4.0 * PI * r2 * r2 * r2.sqrt());
    [k * (3.0 * x * x - r2), k * (3.0 * y * y - r2), k * (-r2), k * 3.0 * x * y]
}

/// Newell's 27-term sums (exact for any offset, but cancelling badly far away).
pub fn newell_exact(x: f64, y: f64, dx: f64, dy: f64, dz: f64) -> [f64; 4] {
    let pre = 1.0 / (4.0 * PI * dx * dy * dz);
    let z = 0.0;
    let nxx = pre * stencil(newell_f, x, y, z, dx, dy, dz);
    let nyy = pre * stencil(|a, b, c| newell_f(b, a, c), x, y, z, dx, dy, dz);
    let nzz = pre * stencil(|a, b, c| newell_f(c, b, a), x, y, z, dx, dy, dz);
    let nxy = pre * stencil(newell_g, x, y, z, dx, dy, dz);
    [nxx, nyy, nzz, nxy]
}

/// The floating-point type of the convolution: f64 (default) or f32 (single-precision FFTs
/// and spectra, twice the SIMD width and half the memory traffic; the tensor is still computed
/// in f64 and only rounded at the end, and fields are accumulated in f64).
pub trait KernelFloat: FftNum + Into<f64> {
    /// Round an f64 to this type.
    fn of(x: f64) -> Self;
}

impl KernelFloat for f64 {
    fn of(x: f64) -> Self {
        x
    }
}

impl KernelFloat for f32 {
    fn of(x: f64) -> Self {
        x as f32
    }
}

/// One component's buffers: x-transformed rows and the columns.
type Workspace<T> = (Vec<Complex<T>>, Vec<Complex<T>>);

/// The FFT'd kernel of a mesh, with plans and scratch sizes.
pub struct DemagKernel<T: KernelFloat = f64> {
    nx: usize,
    ny: usize,
    px: usize,
    py: usize,
    /// Spectra of N_xx, N_yy, N_zz, N_xy on (px/2 + 1) x py, column-major by kx. The tensor
    /// components are even (xx, yy, zz) or odd in both x and y (xy) on the padded periodic
    /// grid, so their spectra are real: only the real parts are kept.
    spectra: [Vec<T>; 4],
    /// Reused buffers: per component, the x-transformed rows (ny x nk, row-major) and the
    /// columns (nk x py, column-major).
    work: std::sync::Mutex<Vec<Workspace<T>>>,
    r2c: Arc<dyn RealToComplex<T>>,
    c2r: Arc<dyn ComplexToReal<T>>,
    fwd_y: Arc<dyn Fft<T>>,
    inv_y: Arc<dyn Fft<T>>,
}

impl<T: KernelFloat> std::fmt::Debug for DemagKernel<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DemagKernel({}x{} padded {}x{})", self.nx, self.ny, self.px, self.py)
    }
}

impl<T: KernelFloat> DemagKernel<T> {
    /// The kernel of a one-layer mesh: the cell-averaged Newell tensor on the zero-padded
    /// grid, its spectra and the FFT plans.
    pub fn new(mesh: &Mesh) -> Self {
        let (nx, ny) = (mesh.nx, mesh.ny);
        let px = (2 * nx).max(2);
        let py = if ny > 1 { 2 * ny } else { 1 };
        let mut rp = RealFftPlanner::<T>::new();
        let r2c = rp.plan_fft_forward(px);
        let c2r = rp.plan_fft_inverse(px);
        let mut cp = FftPlanner::<T>::new();
        let fwd_y = cp.plan_fft_forward(py);
        let inv_y = cp.plan_fft_inverse(py);
        // Real-space kernel on the padded grid with wrap-around offsets.
        let mut real: [Vec<f64>; 4] = std::array::from_fn(|_| vec![0.0; px * py]);
        let rows: Vec<(usize, Vec<[f64; 4]>)> = (0..py)
            .into_par_iter()
            .map(|jy| {
                let oy = if jy < py.div_ceil(2) { jy as i64 } else { jy as i64 - py as i64 };
                let row = (0..px)
                    .map(|jx| {
                        let ox = if jx < px.div_ceil(2) { jx as i64 } else { jx as i64 - px as i64 };
                        if ox.unsigned_abs() as usize >= nx || oy.unsigned_abs() as usize >= ny {
                            [0.0; 4]
                        } else {
                            newell_tensor(ox as f64 * mesh.dx, oy as f64 * mesh.dy, mesh.dx, mesh.dy, mesh.dz)
                        }
                    })
                    .collect();
                (jy, row)
            })
            .collect();
        for (jy, row) in rows {
            for (jx, t) in row.into_iter().enumerate() {
                for c in 0..4 {
                    real[c][jy * px + jx] = t[c];
                }
            }
        }
        // The spectra in f64 whatever T is, rounded to T at the end.
        let mut rp = RealFftPlanner::<f64>::new();
        let mut cp = FftPlanner::<f64>::new();
        let (r2c64, fwd64) = (rp.plan_fft_forward(px), cp.plan_fft_forward(py));
        let spectra = std::array::from_fn(|c| {
            let spec = forward_f64(&real[c], px, py, &*r2c64, &*fwd64);
            let scale: f64 = spec.iter().fold(0.0f64, |a, z| a.max(z.norm()));
            debug_assert!(
                spec.iter().all(|z: &Complex64| z.im.abs() <= 1e-9 * scale.max(1e-300)),
                "kernel spectrum not real"
            );
            spec.iter().map(|z| T::of(z.re)).collect()
        });
        Self {
            nx,
            ny,
            px,
            py,
            spectra,
            work: std::sync::Mutex::new(Vec::new()),
            r2c,
            c2r,
            fwd_y,
            inv_y,
        }
    }

    /// H_demag (A/m) of magnetisation Ms m (m: 3 x cells, SoA) added into `h` (3 x cells).
    pub fn add_field(&self, m: [&[f64]; 3], ms: &[f64], h: [&mut [f64]; 3]) {
        self.add_scaled(m, ms, h, 1.0);
    }

    /// factor x H_demag added into `out`.
    fn add_scaled(&self, m: [&[f64]; 3], ms: &[f64], h: [&mut [f64]; 3], factor: f64) {
        let (nx, ny, px, py) = (self.nx, self.ny, self.px, self.py);
        let nk = px / 2 + 1;
        let zero = Complex::new(T::of(0.0), T::of(0.0));
        let mut work = self.work.lock().unwrap_or_else(|e| e.into_inner());
        if work.len() != 3 {
            *work = (0..3).map(|_| (vec![zero; ny * nk], vec![zero; nk * py])).collect();
        }
        // Forward: x transforms of the ny physical rows (in parallel), then a transpose into
        // columns (zero rows ny..py are the padding), then the y transforms per column.
        for (c, (rows, cols)) in work.iter_mut().enumerate() {
            rows.par_chunks_mut(nk).enumerate().for_each_init(
                || (vec![T::of(0.0); px], vec![zero; self.r2c.get_scratch_len()]),
                |(buf, scratch), (jy, out)| {
                    buf.iter_mut().for_each(|v| *v = T::of(0.0));
                    for ix in 0..nx {
                        let k = jy * nx + ix;
                        buf[ix] = T::of(m[c][k] * ms[k]);
                    }
                    self.r2c.process_with_scratch(buf, out, scratch).expect("sizes match");
                },
            );
            let rows = &*rows;
            cols.par_chunks_mut(py).enumerate().for_each_init(
                || vec![zero; self.fwd_y.get_inplace_scratch_len()],
                |scratch, (kx, col)| {
                    for jy in 0..ny {
                        col[jy] = rows[jy * nk + kx];
                    }
                    col[ny..].iter_mut().for_each(|v| *v = zero);
                    if py > 1 {
                        self.fwd_y.process_with_scratch(col, scratch);
                    }
                },
            );
        }
        // Multiply by the real kernel spectra, in place: Hx = -(Nxx Mx + Nxy My),
        // Hy = -(Nxy Mx + Nyy My), Hz = -Nzz Mz.
        let [nxx, nyy, nzz, nxy] = &self.spectra;
        {
            let (first, rest) = work.split_at_mut(1);
            let (second, third) = rest.split_at_mut(1);
            let (cx, cy, cz) = (&mut first[0].1, &mut second[0].1, &mut third[0].1);
            cx.par_chunks_mut(4096)
                .zip(cy.par_chunks_mut(4096))
                .zip(cz.par_chunks_mut(4096))
                .enumerate()
                .for_each(|(b, ((x, y), z))| {
                    let o = b * 4096;
                    for i in 0..x.len() {
                        let k = o + i;
                        let (mx, my) = (x[i], y[i]);
                        x[i] = -(mx * nxx[k] + my * nxy[k]);
                        y[i] = -(mx * nxy[k] + my * nyy[k]);
                        z[i] = -(z[i] * nzz[k]);
                    }
                });
        }
        // Inverse: y transforms per column, transpose the physical rows back, x transforms.
        let scale = factor / (px * py) as f64;
        for ((rows, cols), dst) in work.iter_mut().zip(h) {
            cols.par_chunks_mut(py).for_each_init(
                || vec![zero; self.inv_y.get_inplace_scratch_len()],
                |scratch, col| {
                    if py > 1 {
                        self.inv_y.process_with_scratch(col, scratch);
                    }
                },
            );
            let cols = &*cols;
            rows.par_chunks_mut(nk).zip(dst.par_chunks_mut(nx)).enumerate().for_each_init(
                || (vec![T::of(0.0); px], vec![zero; self.c2r.get_scratch_len()]),
                |(buf, scratch), (jy, (spec, out))| {
                    for kx in 0..nk {
                        spec[kx] = cols[kx * py + jy];
                    }
                    // The DC and Nyquist bins of a real signal's spectrum are real; rounding
                    // leaves tiny imaginary parts that realfft rejects.
                    spec[0].im = T::of(0.0);
                    if px % 2 == 0 {
                        spec[nk - 1].im = T::of(0.0);
                    }
                    self.c2r.process_with_scratch(spec, buf, scratch).expect("sizes match");
                    for ix in 0..nx {
                        out[ix] += buf[ix].into() * scale;
                    }
                },
            );
        }
    }

    /// B_demag = mu0 H_demag (tesla), added into `b`.
    pub fn add_b(&self, m: [&[f64]; 3], ms: &[f64], b: [&mut [f64]; 3]) {
        self.add_scaled(m, ms, b, MU0);
    }
}

/// 2D forward transform (f64) of a padded real grid (px x py, row-major) to (px/2+1) x py,
/// stored column by column (index kx * py + ky).
fn forward_f64(grid: &[f64], px: usize, py: usize, r2c: &dyn RealToComplex<f64>, fwd_y: &dyn Fft<f64>) -> Vec<Complex64> {
    let nk = px / 2 + 1;
    let mut rows = vec![Complex64::new(0.0, 0.0); nk * py];
    // Row transforms (x), written transposed.
    let mut buf = vec![0.0; px];
    let mut out = r2c.make_output_vec();
    for jy in 0..py {
        buf.copy_from_slice(&grid[jy * px..(jy + 1) * px]);
        r2c.process(&mut buf, &mut out).expect("sizes match");
        for kx in 0..nk {
            rows[kx * py + jy] = out[kx];
        }
    }
    if py > 1 {
        rows.par_chunks_mut(py).for_each(|col| fwd_y.process(col));
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cube_has_a_third_on_each_axis_and_the_trace_of_any_cell_is_one() {
        let t = newell_tensor(0.0, 0.0, 1.0, 1.0, 1.0);
        for k in 0..3 {
            assert!((t[k] - 1.0 / 3.0).abs() < 1e-12, "{t:?}");
        }
        assert!(t[3].abs() < 1e-14);
        let t = newell_tensor(0.0, 0.0, 2.0, 3.0, 0.5);
        assert!((t[0] + t[1] + t[2] - 1.0).abs() < 1e-12, "{t:?}");
        // A flat cell is mostly N_zz.
        assert!(t[2] > 0.5 && t[2] > t[0] && t[0] > t[1], "{t:?}");
    }

    #[test]
    fn newell_tends_to_the_dipole_far_field() {
        // Far away the cell-averaged tensor is the point dipole's, to O((d/r)^2); at 40 cells
        // the 27-term sums still hold ~6 digits, so the switch-over error is below 1e-3.
        for (x, y) in [(20.0, 7.0), (40.0, 3.0), (12.0, 30.0)] {
            let (n, d) = (newell_exact(x, y, 1.0, 1.0, 1.0), dipole_tensor(x, y, 1.0));
            let r2 = x * x + y * y;
            let scale = d.iter().fold(0.0f64, |a, v| a.max(v.abs()));
            for k in 0..4 {
                assert!((n[k] - d[k]).abs() < 3.0 / r2 * scale, "({x},{y}) {n:?} {d:?}");
            }
        }
        // Two cubes side by side along x: the neighbour's field along x is parallel (N_xx < 0).
        let t = newell_tensor(1.0, 0.0, 1.0, 1.0, 1.0);
        assert!(t[0] < 0.0 && t[1] > 0.0 && t[2] > 0.0);
        assert!((t[0] + t[1] + t[2]).abs() < 1e-12, "traceless off the self term");
    }

    #[test]
    fn a_uniform_film_has_nzz_near_one_and_in_plane_near_zero() {
        // 64 x 64 cells of 4 x 4 x 1 nm: demag of uniform m_z at the centre ~ -Ms (1 - t/L).
        let mesh = Mesh::rectangle(64, 64, 4e-9, 4e-9, 1e-9);
        let k: DemagKernel = DemagKernel::new(&mesh);
        let n = mesh.cells();
        let ms = vec![1.0; n];
        for (axis, expect) in [(2usize, -1.0), (0, 0.0)] {
            let mut m: [Vec<f64>; 3] = std::array::from_fn(|_| vec![0.0; n]);
            m[axis].iter_mut().for_each(|v| *v = 1.0);
            let mut h: [Vec<f64>; 3] = std::array::from_fn(|_| vec![0.0; n]);
            {
                let [a, b, c] = &mut h;
                k.add_field([&m[0], &m[1], &m[2]], &ms, [a, b, c]);
            }
            let centre = mesh.idx(32, 32);
            assert!((h[axis][centre] - expect).abs() < 0.03, "axis {axis}: {}", h[axis][centre]);
        }
    }
}
