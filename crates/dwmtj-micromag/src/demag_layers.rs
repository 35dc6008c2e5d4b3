//! Demagnetising field of a mesh of several layers (nz > 1): the in-plane convolution of
//! demag.rs for every pair of layers.
//!
//! H_l = -sum_{l'} N(r, (l - l') dz) * M_{l'}, with the full cell-averaged Newell tensor at a
//! vertical offset: N_xx, N_yy, N_zz from f and N_xy from g as in demag.rs, and
//! N_xz(x, y, z) = g(x, z, y), N_yz(x, y, z) = g(y, z, x) (odd in z: they vanish between cells of
//! one layer, which is why the single-layer path needs only four components). Beyond 40 cells
//! the point-dipole tensor -V (3 r_a r_b - r^2 delta_ab)/(4 pi r^5) is used. Each layer's M is
//! transformed once per evaluation (zero-padded 2nx x 2ny, f64); the product with the 2 nz - 1
//! offset kernels is summed in Fourier space and each layer's field transformed back. The
//! spectra are stored complex (N_xz, N_yz are odd in x or y: imaginary spectra).

use crate::demag::{newell_f, newell_g, stencil, FAR_CELLS};
use crate::mesh::Mesh;
use dwmtj_core::units::MU0;
use rayon::prelude::*;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};
use rustfft::num_complex::Complex64;
use rustfft::{Fft, FftPlanner};
use std::f64::consts::PI;
use std::sync::Arc;

/// Six components (xx, yy, zz, xy, xz, yz) of the cell-averaged tensor at offset (x, y, z).
pub fn newell_tensor3(x: f64, y: f64, z: f64, dx: f64, dy: f64, dz: f64) -> [f64; 6] {
    if (x * x + y * y + z * z).sqrt() > FAR_CELLS * dx.max(dy).max(dz) {
        let v = dx * dy * dz;
        let r2 = x * x + y * y + z * z;
        let k = -v / (4.0 * PI * r2 * r2 * r2.sqrt());
        return [
            k * (3.0 * x * x - r2),
            k * (3.0 * y * y - r2),
            k * (3.0 * z * z - r2),
            k * 3.0 * x * y,
            k * 3.0 * x * z,
            k * 3.0 * y * z,
        ];
    }
    let pre = 1.0 / (4.0 * PI * dx * dy * dz);
    [
        pre * stencil(newell_f, x, y, z, dx, dy, dz),
        pre * stencil(|a, b, c| newell_f(b, a, c), x, y, z, dx, dy, dz),
        pre * stencil(|a, b, c| newell_f(c, b, a), x, y, z, dx, dy, dz),
        pre * stencil(newell_g, x, y, z, dx, dy, dz),
        pre * stencil(|a, b, c| newell_g(a, c, b), x, y, z, dx, dy, dz),
        pre * stencil(|a, b, c| newell_g(b, c, a), x, y, z, dx, dy, dz),
    ]
}

/// Tensor component index of (a, b), a, b in 0..3.
fn component(a: usize, b: usize) -> usize {
    match (a.min(b), a.max(b)) {
        (0, 0) => 0,
        (1, 1) => 1,
        (2, 2) => 2,
        (0, 1) => 3,
        (0, 2) => 4,
        _ => 5,
    }
}

/// The kernels of a layered mesh.
pub struct LayeredKernel {
    nx: usize,
    ny: usize,
    nz: usize,
    px: usize,
    py: usize,
    /// spectra[d][c]: offset l - l' = d - (nz - 1), component c, column-major (kx * py + ky).
    spectra: Vec<[Vec<Complex64>; 6]>,
    r2c: Arc<dyn RealToComplex<f64>>,
    c2r: Arc<dyn ComplexToReal<f64>>,
    fwd_y: Arc<dyn Fft<f64>>,
    inv_y: Arc<dyn Fft<f64>>,
}

impl std::fmt::Debug for LayeredKernel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LayeredKernel({}x{}x{})", self.nx, self.ny, self.nz)
    }
}

impl LayeredKernel {
    /// The kernels of a layered mesh: the Newell tensor at each of the 2 nz - 1 vertical
    /// offsets on the zero-padded grid, their spectra and the FFT plans.
    pub fn new(mesh: &Mesh) -> Self {
        let (nx, ny, nz) = (mesh.nx, mesh.ny, mesh.nz);
        let px = (2 * nx).max(2);
        let py = if ny > 1 { 2 * ny } else { 1 };
        let mut rp = RealFftPlanner::<f64>::new();
        let mut cp = FftPlanner::<f64>::new();
        let (r2c, c2r) = (rp.plan_fft_forward(px), rp.plan_fft_inverse(px));
        let (fwd_y, inv_y) = (cp.plan_fft_forward(py), cp.plan_fft_inverse(py));
        let mut k = Self {
            nx,
            ny,
            nz,
            px,
            py,
            spectra: Vec::new(),
            r2c,
            c2r,
            fwd_y,
            inv_y,
        };
        k.spectra = (0..2 * nz - 1)
            .map(|d| {
                let oz = (d as f64 - (nz - 1) as f64) * mesh.dz;
                let mut real: [Vec<f64>; 6] = std::array::from_fn(|_| vec![0.0; px * py]);
                let rows: Vec<Vec<[f64; 6]>> = (0..py)
                    .into_par_iter()
                    .map(|jy| {
                        let oy = if jy < py.div_ceil(2) { jy as i64 } else { jy as i64 - py as i64 };
                        (0..px)
                            .map(|jx| {
                                let ox = if jx < px.div_ceil(2) { jx as i64 } else { jx as i64 - px as i64 };
                                if ox.unsigned_abs() as usize >= nx || oy.unsigned_abs() as usize >= ny {
                                    [0.0; 6]
                                } else {
                                    newell_tensor3(ox as f64 * mesh.dx, oy as f64 * mesh.dy, oz, mesh.dx, mesh.dy, mesh.dz)
                                }
                            })
                            .collect()
                    })
                    .collect();
                for (jy, row) in rows.into_iter().enumerate() {
                    for (jx, t) in row.into_iter().enumerate() {
                        for c in 0..6 {
                            real[c][jy * px + jx] = t[c];
                        }
                    }
                }
                std::array::from_fn(|c| k.forward(&real[c]))
            })
            .collect();
        k
    }

    /// 2D forward transform of a padded real grid (px x py, row-major), column-major result.
    fn forward(&self, grid: &[f64]) -> Vec<Complex64> {
        let (px, py) = (self.px, self.py);
        let nk = px / 2 + 1;
        let mut cols = vec![Complex64::new(0.0, 0.0); nk * py];
        let mut buf = vec![0.0; px];
        let mut out = self.r2c.make_output_vec();
        for jy in 0..py {
            buf.copy_from_slice(&grid[jy * px..(jy + 1) * px]);
            self.r2c.process(&mut buf, &mut out).expect("sizes match");
            for kx in 0..nk {
                cols[kx * py + jy] = out[kx];
            }
        }
        if py > 1 {
            cols.par_chunks_mut(py).for_each(|col| self.fwd_y.process(col));
        }
        cols
    }

    /// The inverse of [`LayeredKernel::forward`] for the physical nx x ny corner, unnormalised.
    fn inverse(&self, mut cols: Vec<Complex64>) -> Vec<f64> {
        let (nx, ny, px, py) = (self.nx, self.ny, self.px, self.py);
        let nk = px / 2 + 1;
        if py > 1 {
            cols.par_chunks_mut(py).for_each(|col| self.inv_y.process(col));
        }
        let mut out = vec![0.0; nx * ny];
        let mut spec = self.c2r.make_input_vec();
        let mut buf = self.c2r.make_output_vec();
        for jy in 0..ny {
            for kx in 0..nk {
                spec[kx] = cols[kx * py + jy];
            }
            spec[0].im = 0.0;
            if px % 2 == 0 {
                spec[nk - 1].im = 0.0;
            }
            self.c2r.process(&mut spec, &mut buf).expect("sizes match");
            out[jy * nx..(jy + 1) * nx].copy_from_slice(&buf[..nx]);
        }
        out
    }

    /// B_demag = mu0 H_demag (tesla) of magnetisation Ms m, added into `b` (3 x cells, layer
    /// after layer).
    pub fn add_b(&self, m: [&[f64]; 3], ms: &[f64], b: [&mut [f64]; 3]) {
        let (nx, ny, nz, px, py) = (self.nx, self.ny, self.nz, self.px, self.py);
        let plane = nx * ny;
        // Spectra of M per component and layer.
        let mhat: Vec<Vec<Complex64>> = (0..3 * nz)
            .into_par_iter()
            .map(|cl| {
                let (c, l) = (cl / nz, cl % nz);
                let mut grid = vec![0.0; px * py];
                for j in 0..ny {
                    for i in 0..nx {
                        let k = l * plane + j * nx + i;
                        grid[j * px + i] = m[c][k] * ms[k];
                    }
                }
                self.forward(&grid)
            })
            .collect();
        let len = mhat[0].len();
        let scale = -MU0 / (px * py) as f64;
        let fields: Vec<Vec<f64>> = (0..3 * nz)
            .into_par_iter()
            .map(|al| {
                let (a, l) = (al / nz, al % nz);
                let mut h = vec![Complex64::new(0.0, 0.0); len];
                for lp in 0..nz {
                    let d = l + nz - 1 - lp;
                    for c in 0..3 {
                        let n = &self.spectra[d][component(a, c)];
                        let src = &mhat[c * nz + lp];
                        for q in 0..len {
                            h[q] += n[q] * src[q];
                        }
                    }
                }
                self.inverse(h)
            })
            .collect();
        for (al, f) in fields.iter().enumerate() {
            let (a, l) = (al / nz, al % nz);
            let dst = &mut b[a][l * plane..(l + 1) * plane];
            for (o, v) in dst.iter_mut().zip(f) {
                *o += scale * v;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_layered_tensor_extends_the_single_layer_one() {
        // In one layer: the four thin-film components, no xz or yz.
        for (x, y) in [(0.0, 0.0), (1.0, 0.0), (2.0, 3.0)] {
            let t3 = newell_tensor3(x, y, 0.0, 1.0, 1.0, 0.5);
            let t2 = crate::demag::newell_tensor(x, y, 1.0, 1.0, 0.5);
            for c in 0..4 {
                assert!((t3[c] - t2[c]).abs() < 1e-12, "{x} {y} {c}: {t3:?} {t2:?}");
            }
            assert!(t3[4].abs() < 1e-14 && t3[5].abs() < 1e-14);
        }
        // Self term: the trace is one; between stacked cubes N_zz < 0 and N_xz = 0.
        let t = newell_tensor3(0.0, 0.0, 0.0, 1.0, 1.0, 1.0);
        assert!((t[0] + t[1] + t[2] - 1.0).abs() < 1e-12);
        let s = newell_tensor3(0.0, 0.0, 1.0, 1.0, 1.0, 1.0);
        assert!(s[2] < 0.0 && s[4].abs() < 1e-14, "{s:?}");
        // Oblique offsets: xz and yz odd in z, near the dipole far away.
        let (a, b) = (
            newell_tensor3(3.0, 2.0, 1.0, 1.0, 1.0, 1.0),
            newell_tensor3(3.0, 2.0, -1.0, 1.0, 1.0, 1.0),
        );
        assert!(a[4] != 0.0 && (a[4] + b[4]).abs() < 1e-12 * a[4].abs() && (a[5] + b[5]).abs() < 1e-12 * a[5].abs());
        let far = newell_tensor3(30.0, 10.0, 3.0, 1.0, 1.0, 1.0);
        let r2: f64 = 30.0 * 30.0 + 10.0 * 10.0 + 9.0;
        let k = -1.0 / (4.0 * PI * r2 * r2 * r2.sqrt());
        assert!((far[4] / (k * 3.0 * 30.0 * 3.0) - 1.0).abs() < 5e-3, "{far:?}");
    }
}
