//! The effective (interaction) field term by term, and the energies.

use super::{zeros, DemagMode, Field3, System};
use crate::demag::DemagKernel;
use dwmtj_core::units::MU0;
use rayon::prelude::*;

/// Which terms a field evaluation includes (energies evaluate them one at a time).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Terms {
    /// Exchange.
    pub exchange: bool,
    /// Interfacial DMI.
    pub dmi: bool,
    /// Uniaxial anisotropy.
    pub anisotropy: bool,
    /// The local demag approximation (when the system uses it) and the full FFT demag.
    pub demag: bool,
    /// The applied field and the regions' stray fields.
    pub zeeman: bool,
}

impl Terms {
    /// Every term.
    pub const ALL: Terms = Terms {
        exchange: true,
        dmi: true,
        anisotropy: true,
        demag: true,
        zeeman: true,
    };
    /// No term.
    pub const NONE: Terms = Terms {
        exchange: false,
        dmi: false,
        anisotropy: false,
        demag: false,
        zeeman: false,
    };
}

/// Coefficients of the uniform material's local field (see [`System::stencil`]).
struct Stencil {
    xi: f64,
    ex_x: f64,
    ex_y: f64,
    ex_z: f64,
    dm_x: f64,
    dm_y: f64,
    kz: f64,
    b: [f64; 3],
}

/// The demag convolution in double or single precision.
pub(super) enum Kernel {
    F64(DemagKernel<f64>),
    F32(DemagKernel<f32>),
    /// Several layers (f64).
    Layered(crate::demag_layers::LayeredKernel),
}

impl Kernel {
    fn add_b(&self, m: [&[f64]; 3], ms: &[f64], b: [&mut [f64]; 3]) {
        match self {
            Kernel::F64(k) => k.add_b(m, ms, b),
            Kernel::F32(k) => k.add_b(m, ms, b),
            Kernel::Layered(k) => k.add_b(m, ms, b),
        }
    }
}

/// Per-cell material where regions make it non-uniform, with the couplings across each face
/// (right, left, up, down) resolved once: the harmonic mean of A and the mean of D between two
/// magnetic cells (a symmetric pair energy, so the field stays the energy's gradient), the
/// cell's own values towards a ghost cell.
pub(super) struct Maps {
    pub(super) ku: Vec<f64>,
    pub(super) alpha: Vec<f64>,
    /// D/(2A) of the cell: the ghost-cell boundary condition.
    pub(super) xi: Vec<f64>,
    /// Exchange across the faces +x, -x, +y, -y, +z, -z.
    pub(super) a_face: Vec<[f64; 6]>,
    pub(super) d_face: Vec<[f64; 4]>,
    pub(super) b_stray: Field3,
}

/// Energies (J) of a state.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Energies {
    /// Exchange energy, J.
    pub exchange: f64,
    /// Uniaxial anisotropy energy, J.
    pub anisotropy: f64,
    /// Interfacial DMI energy, J.
    pub dmi: f64,
    /// Demagnetising (magnetostatic) energy, J (0 without demag).
    pub demag: f64,
    /// Zeeman energy of the applied and stray fields, J.
    pub zeeman: f64,
}

impl Energies {
    /// The sum of the terms, J.
    pub fn total(&self) -> f64 {
        self.exchange + self.anisotropy + self.dmi + self.demag + self.zeeman
    }
}

impl System {
    /// Interaction field (no SOT pseudo-field, no Oersted field) at t = 0, tesla, into `b`.
    pub fn field(&self, m: &Field3, b: &mut Field3) {
        self.field_terms(m, self.applied_field(0.0), Terms::ALL, b);
    }

    /// The selected terms of the interaction field with applied field `b_app`, into `b`.
    pub fn field_terms(&self, m: &Field3, b_app: [f64; 3], terms: Terms, b: &mut Field3) {
        let nx = self.mesh.nx;
        let stencil = self.stencil(terms, b_app);
        let [bx, by, bz] = b;
        let rows = bx
            .par_chunks_mut(nx)
            .zip(by.par_chunks_mut(nx))
            .zip(bz.par_chunks_mut(nx))
            .enumerate();
        rows.for_each(|(j, ((bxr, byr), bzr))| {
            for i in 0..nx {
                let k = j * nx + i;
                let h = if !self.mesh.mask[k] {
                    [0.0; 3]
                } else if self.maps.is_some() {
                    self.cell_field_maps(m, k, terms, b_app)
                } else {
                    self.cell_field_uniform(m, k, &stencil)
                };
                bxr[i] = h[0];
                byr[i] = h[1];
                bzr[i] = h[2];
            }
        });
        if terms.demag {
            if let Some(kernel) = &self.kernel {
                let [bx, by, bz] = b;
                kernel.add_b([&m[0], &m[1], &m[2]], &self.ms, [bx, by, bz]);
            }
        }
    }

    /// The four neighbours (right, left, up, down) of magnetic cell k, ghost cells where one
    /// is missing (xi = D/2A of the cell).
    #[inline(always)]
    fn neighbours(&self, m: &Field3, k: usize, xi: f64) -> [[f64; 3]; 4] {
        let mesh = &self.mesh;
        let (nx, ny) = (mesh.nx, mesh.ny);
        let at = |q: usize| [m[0][q], m[1][q], m[2][q]];
        if self.interior[k] && !mesh.periodic_y {
            // All four neighbours inside this layer's plane: no wrap, no ghost.
            return [at(k + 1), at(k - 1), at(k + nx), at(k - nx)];
        }
        let plane = nx * ny;
        let (base, kk) = (k - k % plane, k % plane);
        let up = base + if kk + nx < plane { kk + nx } else { kk + nx - plane };
        let down = base + if kk >= nx { kk - nx } else { kk + plane - nx };
        if self.interior[k] {
            return [at(k + 1), at(k - 1), at(up), at(down)];
        }
        let c = at(k);
        let (i, j) = ((kk % nx) as isize, (kk / nx) as isize);
        let nb = |ii: isize, jj: isize, nxo: f64, nyo: f64, d: f64| -> [f64; 3] {
            let jj = if mesh.periodic_y { jj.rem_euclid(ny as isize) } else { jj };
            if ii >= 0 && jj >= 0 && (ii as usize) < nx && (jj as usize) < ny {
                let q = base + jj as usize * nx + ii as usize;
                if mesh.mask[q] {
                    return at(q);
                }
            }
            let mn = c[0] * nxo + c[1] * nyo;
            [c[0] + d * xi * c[2] * nxo, c[1] + d * xi * c[2] * nyo, c[2] - d * xi * mn]
        };
        [
            nb(i + 1, j, 1.0, 0.0, mesh.dx),
            nb(i - 1, j, -1.0, 0.0, mesh.dx),
            nb(i, j + 1, 0.0, 1.0, mesh.dy),
            nb(i, j - 1, 0.0, -1.0, mesh.dy),
        ]
    }

    /// The uniform material's stencil with the selected terms folded into its coefficients
    /// (a term left out has zero coefficients), so that a cell's field has no branches.
    fn stencil(&self, terms: Terms, b_app: [f64; 3]) -> Stencil {
        let p = &self.params;
        let (dx, dy) = (self.mesh.dx, self.mesh.dy);
        let on = |t: bool| if t { 1.0 } else { 0.0 };
        let (ex, dm) = (on(terms.exchange), on(terms.dmi));
        let local = on(terms.demag && p.demag == DemagMode::Local);
        Stencil {
            // The ghost cells carry the exchange + DMI boundary condition; with exchange alone
            // (energies) they carry xi of the full system all the same.
            xi: if p.a_ex > 0.0 { p.dmi / (2.0 * p.a_ex) } else { 0.0 },
            // 2A/Ms times the 5-point Laplacian; 2D/Ms times central differences.
            ex_x: ex * 2.0 * p.a_ex / (p.ms * dx * dx),
            ex_y: ex * 2.0 * p.a_ex / (p.ms * dy * dy),
            ex_z: ex * 2.0 * p.a_ex / (p.ms * self.mesh.dz * self.mesh.dz),
            dm_x: dm * p.dmi / (p.ms * dx),
            dm_y: dm * p.dmi / (p.ms * dy),
            kz: on(terms.anisotropy) * 2.0 * p.ku / p.ms - local * MU0 * p.ms,
            b: b_app.map(|v| on(terms.zeeman) * v),
        }
    }

    /// The local field of cell k for a uniform material.
    #[inline(always)]
    fn cell_field_uniform(&self, m: &Field3, k: usize, st: &Stencil) -> [f64; 3] {
        let c = [m[0][k], m[1][k], m[2][k]];
        let [r, l, u, dn] = self.neighbours(m, k, st.xi);
        let mut h = [0.0; 3];
        for a in 0..3 {
            h[a] = st.ex_x * (r[a] + l[a] - 2.0 * c[a]) + st.ex_y * (u[a] + dn[a] - 2.0 * c[a]) + st.b[a];
        }
        if self.mesh.nz > 1 {
            let [above, below] = self.vertical[k];
            for a in 0..3 {
                h[a] += st.ex_z * (m[a][above] + m[a][below] - 2.0 * c[a]);
            }
        }
        h[0] -= st.dm_x * (r[2] - l[2]);
        h[1] -= st.dm_y * (u[2] - dn[2]);
        h[2] += st.dm_x * (r[0] - l[0]) + st.dm_y * (u[1] - dn[1]) + st.kz * c[2];
        h
    }

    /// The local field of cell k with per-cell material (see [`Maps`]).
    #[inline(always)]
    fn cell_field_maps(&self, m: &Field3, k: usize, terms: Terms, b_app: [f64; 3]) -> [f64; 3] {
        let maps = self.maps.as_ref().expect("maps");
        let (dx, dy) = (self.mesh.dx, self.mesh.dy);
        let ms = self.ms[k];
        let c = [m[0][k], m[1][k], m[2][k]];
        let [r, l, u, dn] = self.neighbours(m, k, maps.xi[k]);
        let (af, df) = (maps.a_face[k], maps.d_face[k]);
        let mut h = [0.0; 3];
        if terms.exchange {
            let dz = self.mesh.dz;
            let [above, below] = self.vertical[k];
            for a in 0..3 {
                h[a] = 2.0 / ms
                    * ((af[0] * (r[a] - c[a]) + af[1] * (l[a] - c[a])) / (dx * dx)
                        + (af[2] * (u[a] - c[a]) + af[3] * (dn[a] - c[a])) / (dy * dy)
                        + (af[4] * (m[a][above] - c[a]) + af[5] * (m[a][below] - c[a])) / (dz * dz));
            }
        }
        if terms.dmi {
            h[0] -= (df[0] * r[2] - df[1] * l[2]) / (ms * dx);
            h[1] -= (df[2] * u[2] - df[3] * dn[2]) / (ms * dy);
            h[2] += ((df[0] * r[0] - df[1] * l[0]) / dx + (df[2] * u[1] - df[3] * dn[1]) / dy) / ms;
        }
        if terms.anisotropy {
            h[2] += 2.0 * maps.ku[k] / ms * c[2];
        }
        if terms.demag && self.params.demag == DemagMode::Local {
            h[2] -= MU0 * ms * c[2];
        }
        if terms.zeeman {
            for a in 0..3 {
                h[a] += b_app[a] + maps.b_stray[a][k];
            }
        }
        h
    }

    /// Energies of the state m at t = 0 (applied field included).
    pub fn energies(&self, m: &Field3) -> Energies {
        self.energies_at(m, 0.0)
    }

    /// Energies of the state m with the applied field of time t.
    pub fn energies_at(&self, m: &Field3, t: f64) -> Energies {
        let n = self.mesh.cells();
        let v = self.mesh.cell_volume();
        let b_app = self.applied_field(t);
        // E = -1/2 sum V Ms m.B for each quadratic term, -sum V Ms m.B for the Zeeman term.
        let sum = |terms: Terms, factor: f64| -> f64 {
            let mut b = zeros(n);
            self.field_terms(m, b_app, terms, &mut b);
            let mut s = 0.0;
            for k in 0..n {
                if self.mesh.mask[k] {
                    s += self.ms[k] * (m[0][k] * b[0][k] + m[1][k] * b[1][k] + m[2][k] * b[2][k]);
                }
            }
            -factor * v * s
        };
        let exchange = sum(
            Terms {
                exchange: true,
                ..Terms::NONE
            },
            0.5,
        );
        // DMI with exchange present (the ghost cells are shared), minus exchange alone.
        let dmi = sum(
            Terms {
                exchange: true,
                dmi: true,
                ..Terms::NONE
            },
            0.5,
        ) - exchange;
        Energies {
            exchange,
            dmi,
            anisotropy: sum(
                Terms {
                    anisotropy: true,
                    ..Terms::NONE
                },
                0.5,
            ),
            demag: if self.params.demag == DemagMode::None {
                0.0
            } else {
                sum(
                    Terms {
                        demag: true,
                        ..Terms::NONE
                    },
                    0.5,
                )
            },
            zeeman: sum(
                Terms {
                    zeeman: true,
                    ..Terms::NONE
                },
                1.0,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::canted;
    use crate::mesh::Mesh;
    use crate::system::{zeros, Params, Region, Shape, System, Terms};

    /// A region that repeats the base material everywhere takes the per-cell path and gives the
    /// uniform path's field (to rounding) and energies.
    #[test]
    fn per_cell_maps_reduce_to_the_uniform_material() {
        let mesh = Mesh::from_profile(&dwmtj_core::geometry::WidthProfile::linear(200e-9, 40e-9, 60e-9), 4e-9, 1e-9);
        let p = Params {
            b_ext: [0.01, -0.02, 0.03],
            ..Params::default()
        };
        let uniform = System::new(mesh.clone(), p.clone()).unwrap();
        let mut all = Region::new(
            "all",
            Shape::Rect {
                x0: -1.0,
                x1: 1.0,
                y0: -1.0,
                y1: 1.0,
            },
        );
        all.ku = Some(p.ku);
        let mapped = System::with_regions(mesh, p, vec![all]).unwrap();
        let m = canted(&uniform);
        let (mut b1, mut b2) = (zeros(m[0].len()), zeros(m[0].len()));
        uniform.field(&m, &mut b1);
        mapped.field(&m, &mut b2);
        let scale = b1[2].iter().fold(0.0f64, |a, v| a.max(v.abs()));
        for a in 0..3 {
            for k in 0..m[0].len() {
                assert!((b1[a][k] - b2[a][k]).abs() < 1e-10 * scale, "{a} {k}: {} {}", b1[a][k], b2[a][k]);
            }
        }
        let (e1, e2) = (uniform.energies(&m), mapped.energies(&m));
        assert!((e1.total() - e2.total()).abs() < 1e-9 * e1.total().abs(), "{e1:?} {e2:?}");
        assert_eq!(mapped.region_cells[0].len(), mapped.mesh.magnetic_cells());
    }

    /// The single-precision convolution gives the double-precision demag field to about the
    /// f32 rounding of a sum over the mesh.
    #[test]
    fn single_precision_demag_matches_double() {
        let mesh = Mesh::rectangle(40, 10, 2e-9, 2e-9, 1e-9);
        let only = Terms {
            demag: true,
            ..Terms::NONE
        };
        let field = |f32: bool| {
            let sys = System::new(
                mesh.clone(),
                Params {
                    demag_f32: f32,
                    ..Params::default()
                },
            )
            .unwrap();
            let m = canted(&sys);
            let mut b = zeros(m[0].len());
            sys.field_terms(&m, [0.0; 3], only, &mut b);
            b
        };
        let (b64, b32) = (field(false), field(true));
        let scale = b64[2].iter().fold(0.0f64, |a, v| a.max(v.abs()));
        let worst = (0..3)
            .flat_map(|a| b64[a].iter().zip(&b32[a]).map(|(x, y)| (x - y).abs()))
            .fold(0.0f64, f64::max);
        assert!(worst < 1e-6 * scale && worst > 0.0, "{worst} of {scale}");
    }
}
