//! The micromagnetic system: mesh, material, drive, and the effective field, energy and LLG
//! right-hand side.
//!
//! Landau-Lifshitz-Gilbert in the explicit form (mumax3's convention, B in tesla):
//!   dm/dt = -gamma/(1+alpha^2) [ m x B + alpha m x (m x B) ],
//! B = B_ex + B_anis + B_dmi + B_demag + B_ext + B_sot, with
//! * exchange   B_ex   = (2A/Ms) sum_nb (m_nb - m)/d^2 (4 neighbours; free boundaries);
//! * anisotropy B_anis = (2K_u/Ms) m_z z (uniaxial, easy axis z);
//! * interfacial DMI (physics.md 2.2 convention: D > 0 gives the up/down wall phi = 0; mumax3's
//!   D_ind = -D): energy density D[(m.grad)m_z - m_z div m], field
//!   B_dmi = (2D/Ms)(-d_x m_z, -d_y m_z, d_x m_x + d_y m_y) with central differences;
//! * boundaries (Rohart & Thiaville, PRB 88, 184422 (2013)): a missing neighbour across a face
//!   with outward normal n is a ghost cell m + d dm/dn with dm/dn = (D/2A)(m_z n_x, m_z n_y,
//!   -(m.n)), the natural boundary condition of exchange plus DMI;
//! * demag: Newell FFT (demag.rs), the thin-film local approximation -mu0 Ms m_z z, or none;
//! * thermal field (Brown; mumax3's form): B_th = eta sqrt(2 alpha k_B T/(gamma Ms V dt)), eta
//!   ~ N(0, 1) per cell and component, constant over a Heun step;
//! * damping-like and field-like SOT as the pseudo-fields B_DL (m x sigma) + B_FL sigma with
//!   B_DL = hbar theta_SH J_x/(2 e Ms t_F), B_FL = r_FL B_DL and sigma = s_geom y for current
//!   along +x. With s_geom = +1 this is exactly the drive of physics.md 2.3: a Neel wall
//!   (m along x cos phi at its centre) feels H_z = (pi/2) H_SL cos phi (tested against the 1D
//!   model). The current density follows the local wire width, J(x) = J_0 w_0/w(x).

use crate::demag::DemagKernel;
use crate::mesh::Mesh;
use dwmtj_core::material::{E_CHARGE, GAMMA, HBAR};
use dwmtj_core::units::MU0;
use rayon::prelude::*;

/// How the demagnetising field is computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum DemagMode {
    None,
    /// Thin-film local approximation: B = -mu0 Ms m_z z.
    Local,
    /// Newell tensor FFT convolution.
    Full,
}

/// Material and drive, uniform over the magnetic cells.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Params {
    pub ms: f64,
    pub a_ex: f64,
    pub ku: f64,
    pub dmi: f64,
    pub alpha: f64,
    pub gamma: f64,
    /// Applied field (T).
    pub b_ext: [f64; 3],
    pub demag: DemagMode,
    pub theta_sh: f64,
    /// Field-like to damping-like SOT ratio.
    pub fl_ratio: f64,
    /// s_geom of physics.md 2.3 (+1: sigma = +y for current along +x).
    pub sot_sign: f64,
    /// Heavy-metal current density along x (A/m^2) where the wire has width `j_ref_width`.
    pub current_density: f64,
    /// Width at which `current_density` holds (0: uniform current density).
    pub j_ref_width: f64,
    /// Temperature (K) of the thermal field (used by the Heun integrator).
    pub temperature: f64,
    /// Seed of the thermal field's random streams.
    pub seed: u64,
}

impl Default for Params {
    /// The benchmark strip's material (issue 6): Ms 1.1e6, A 1.5e-11, Ku 1e6, D 0.5e-3,
    /// alpha 0.1, full demag, no drive.
    fn default() -> Self {
        Self {
            ms: 1.1e6,
            a_ex: 1.5e-11,
            ku: 1.0e6,
            dmi: 0.5e-3,
            alpha: 0.1,
            gamma: GAMMA,
            b_ext: [0.0; 3],
            demag: DemagMode::Full,
            theta_sh: 0.1,
            fl_ratio: 0.0,
            sot_sign: 1.0,
            current_density: 0.0,
            j_ref_width: 0.0,
            temperature: 0.0,
            seed: 0,
        }
    }
}

/// Energies (J) of a state.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct Energies {
    pub exchange: f64,
    pub anisotropy: f64,
    pub dmi: f64,
    pub demag: f64,
    pub zeeman: f64,
}

impl Energies {
    pub fn total(&self) -> f64 {
        self.exchange + self.anisotropy + self.dmi + self.demag + self.zeeman
    }
}

/// Magnetisation as three component arrays (structure of arrays), zero outside the mask.
pub type Field3 = [Vec<f64>; 3];

pub fn zeros(n: usize) -> Field3 {
    std::array::from_fn(|_| vec![0.0; n])
}

pub struct System {
    pub mesh: Mesh,
    pub params: Params,
    /// Ms per cell (0 outside the mask).
    pub ms: Vec<f64>,
    /// Heavy-metal current density per cell (A/m^2, along x).
    pub jx: Vec<f64>,
    /// SOT sign-carrying prefactor: B_DL = sot_b * J (T per A/m^2).
    pub sot_b: f64,
    pub t_fm: f64,
    kernel: Option<DemagKernel>,
}

impl System {
    pub fn new(mesh: Mesh, params: Params) -> Self {
        let ms: Vec<f64> = mesh.mask.iter().map(|&m| if m { params.ms } else { 0.0 }).collect();
        let jx = (0..mesh.cells())
            .map(|k| {
                if !mesh.mask[k] {
                    return 0.0;
                }
                if params.j_ref_width > 0.0 {
                    let w = mesh.column_width(k % mesh.nx);
                    params.current_density * params.j_ref_width / w
                } else {
                    params.current_density
                }
            })
            .collect();
        assert!(
            !(mesh.periodic_y && params.demag == DemagMode::Full),
            "full demag is not periodic: use local demag with periodic_y"
        );
        let kernel = (params.demag == DemagMode::Full).then(|| DemagKernel::new(&mesh));
        let t_fm = mesh.dz;
        let sot_b = params.sot_sign * HBAR * params.theta_sh / (2.0 * E_CHARGE * params.ms * t_fm);
        Self {
            mesh,
            params,
            ms,
            jx,
            sot_b,
            t_fm,
            kernel,
        }
    }

    /// Set the drive current density (same width scaling).
    pub fn set_current(&mut self, j: f64) {
        let old = self.params.current_density;
        self.params.current_density = j;
        if old != 0.0 {
            let f = j / old;
            self.jx.iter_mut().for_each(|v| *v *= f);
        } else {
            *self = System::new(self.mesh.clone(), self.params.clone());
        }
    }

    /// Interaction field (no SOT pseudo-field), tesla, into `b` (overwritten).
    pub fn field(&self, m: &Field3, b: &mut Field3) {
        let mesh = &self.mesh;
        let p = &self.params;
        let (nx, ny) = (mesh.nx, mesh.ny);
        let (dx, dy) = (mesh.dx, mesh.dy);
        let cex = 2.0 * p.a_ex / p.ms;
        let cdm = 2.0 * p.dmi / p.ms;
        let can = 2.0 * p.ku / p.ms;
        let xi = if p.a_ex > 0.0 { p.dmi / (2.0 * p.a_ex) } else { 0.0 };
        let [bx, by, bz] = b;
        let rows = bx
            .par_chunks_mut(nx)
            .zip(by.par_chunks_mut(nx))
            .zip(bz.par_chunks_mut(nx))
            .enumerate();
        rows.for_each(|(j, ((bxr, byr), bzr))| {
            for i in 0..nx {
                let k = j * nx + i;
                if !mesh.mask[k] {
                    bxr[i] = 0.0;
                    byr[i] = 0.0;
                    bzr[i] = 0.0;
                    continue;
                }
                let c = [m[0][k], m[1][k], m[2][k]];
                // Neighbour or ghost across the face with outward normal (nxo, nyo).
                let nb = |ii: isize, jj: isize, nxo: f64, nyo: f64, d: f64| -> [f64; 3] {
                    let jj = if mesh.periodic_y { jj.rem_euclid(ny as isize) } else { jj };
                    if ii >= 0 && jj >= 0 && (ii as usize) < nx && (jj as usize) < ny {
                        let q = jj as usize * nx + ii as usize;
                        if mesh.mask[q] {
                            return [m[0][q], m[1][q], m[2][q]];
                        }
                    }
                    let mn = c[0] * nxo + c[1] * nyo;
                    [c[0] + d * xi * c[2] * nxo, c[1] + d * xi * c[2] * nyo, c[2] - d * xi * mn]
                };
                let (ii, jj) = (i as isize, j as isize);
                let r = nb(ii + 1, jj, 1.0, 0.0, dx);
                let l = nb(ii - 1, jj, -1.0, 0.0, dx);
                let u = nb(ii, jj + 1, 0.0, 1.0, dy);
                let dn = nb(ii, jj - 1, 0.0, -1.0, dy);
                let mut h = [0.0; 3];
                for a in 0..3 {
                    h[a] = cex * ((r[a] + l[a] - 2.0 * c[a]) / (dx * dx) + (u[a] + dn[a] - 2.0 * c[a]) / (dy * dy));
                }
                if p.dmi != 0.0 {
                    let dxmz = (r[2] - l[2]) / (2.0 * dx);
                    let dxmx = (r[0] - l[0]) / (2.0 * dx);
                    let (dymz, dymy) = ((u[2] - dn[2]) / (2.0 * dy), (u[1] - dn[1]) / (2.0 * dy));
                    h[0] -= cdm * dxmz;
                    h[1] -= cdm * dymz;
                    h[2] += cdm * (dxmx + dymy);
                }
                h[2] += can * c[2];
                if p.demag == DemagMode::Local {
                    h[2] -= MU0 * p.ms * c[2];
                }
                bxr[i] = h[0] + p.b_ext[0];
                byr[i] = h[1] + p.b_ext[1];
                bzr[i] = h[2] + p.b_ext[2];
            }
        });
        if let Some(k) = &self.kernel {
            let [bx, by, bz] = b;
            k.add_b([&m[0], &m[1], &m[2]], &self.ms, [bx, by, bz]);
        }
    }

    /// Energies of the state m.
    pub fn energies(&self, m: &Field3) -> Energies {
        let n = self.mesh.cells();
        let v = self.mesh.cell_volume();
        // Evaluate each quadratic term's field alone: E = -1/2 sum V Ms m.B.
        let part = |params: Params| -> f64 {
            let mut sys = System {
                mesh: self.mesh.clone(),
                params,
                ms: self.ms.clone(),
                jx: self.jx.clone(),
                sot_b: 0.0,
                t_fm: self.t_fm,
                kernel: None,
            };
            if sys.params.demag == DemagMode::Full {
                sys.kernel = None;
            }
            let mut b = zeros(n);
            sys.field(m, &mut b);
            let mut s = 0.0;
            for k in 0..n {
                if self.mesh.mask[k] {
                    s += m[0][k] * b[0][k] + m[1][k] * b[1][k] + m[2][k] * b[2][k];
                }
            }
            -0.5 * v * self.params.ms * s
        };
        let base = Params {
            a_ex: 0.0,
            ku: 0.0,
            dmi: 0.0,
            b_ext: [0.0; 3],
            demag: DemagMode::None,
            ..self.params.clone()
        };
        let exchange = part(Params {
            a_ex: self.params.a_ex,
            ..base.clone()
        });
        let anisotropy = part(Params {
            ku: self.params.ku,
            ..base.clone()
        });
        // DMI with exchange present (the ghost cells need xi = D/2A), minus exchange alone.
        let dmi = part(Params {
            a_ex: self.params.a_ex,
            dmi: self.params.dmi,
            ..base.clone()
        }) - exchange;
        let demag = match self.params.demag {
            DemagMode::None => 0.0,
            DemagMode::Local => part(Params {
                demag: DemagMode::Local,
                ..base.clone()
            }),
            DemagMode::Full => {
                let mut b = zeros(n);
                {
                    let [a, bb, c] = &mut b;
                    self.kernel
                        .as_ref()
                        .expect("full demag has a kernel")
                        .add_b([&m[0], &m[1], &m[2]], &self.ms, [a, bb, c]);
                }
                let mut s = 0.0;
                for k in 0..n {
                    s += m[0][k] * b[0][k] + m[1][k] * b[1][k] + m[2][k] * b[2][k];
                }
                -0.5 * v * self.params.ms * s
            }
        };
        let mut zee = 0.0;
        for k in 0..n {
            if self.mesh.mask[k] {
                zee += m[0][k] * self.params.b_ext[0] + m[1][k] * self.params.b_ext[1] + m[2][k] * self.params.b_ext[2];
            }
        }
        Energies {
            exchange,
            anisotropy,
            dmi,
            demag,
            zeeman: -v * self.params.ms * zee,
        }
    }

    /// dm/dt for state m at drive scale `drive` (the pulse shape times the current), into `out`.
    pub fn rhs(&self, m: &Field3, drive: f64, b: &mut Field3, out: &mut Field3) {
        self.rhs_with(m, drive, None, b, out);
    }

    /// dm/dt with an extra field (the thermal field) added to B.
    pub fn rhs_with(&self, m: &Field3, drive: f64, extra: Option<&Field3>, b: &mut Field3, out: &mut Field3) {
        self.field(m, b);
        if let Some(e) = extra {
            for (dst, src) in b.iter_mut().zip(e) {
                dst.par_iter_mut().zip(src.par_iter()).with_min_len(4096).for_each(|(x, y)| *x += y);
            }
        }
        let p = &self.params;
        let g = p.gamma / (1.0 + p.alpha * p.alpha);
        let alpha = p.alpha;
        let sign = p.sot_sign;
        let [ox, oy, oz] = out;
        let (bx, by, bz) = (&b[0], &b[1], &b[2]);
        ox.par_iter_mut()
            .zip(oy.par_iter_mut())
            .zip(oz.par_iter_mut())
            .enumerate()
            .with_min_len(1024)
            .for_each(|(k, ((dx, dy), dz))| {
                if !self.mesh.mask[k] {
                    *dx = 0.0;
                    *dy = 0.0;
                    *dz = 0.0;
                    return;
                }
                let c = [m[0][k], m[1][k], m[2][k]];
                let mut h = [bx[k], by[k], bz[k]];
                let bdl = self.sot_b * self.jx[k] * drive;
                if bdl != 0.0 {
                    // sigma = sign * y: m x sigma = sign (-m_z, 0, m_x).
                    h[0] += bdl * sign * -c[2];
                    h[2] += bdl * sign * c[0];
                    h[1] += p.fl_ratio * bdl * sign;
                }
                let mxh = cross(c, h);
                let mxmxh = cross(c, mxh);
                *dx = -g * (mxh[0] + alpha * mxmxh[0]);
                *dy = -g * (mxh[1] + alpha * mxmxh[1]);
                *dz = -g * (mxh[2] + alpha * mxmxh[2]);
            });
    }

    /// The thermal field's standard deviation (T) per component for a step dt.
    pub fn thermal_sigma(&self, dt: f64) -> f64 {
        let p = &self.params;
        if p.temperature <= 0.0 {
            return 0.0;
        }
        (2.0 * p.alpha * dwmtj_core::material::KB * p.temperature / (p.gamma * p.ms * self.mesh.cell_volume() * dt)).sqrt()
    }

    /// Up/down wall position from <m_z> over the magnetic cells: q = L (1 + <m_z>)/2.
    pub fn wall_position(&self, m: &Field3) -> f64 {
        let (mut s, mut n) = (0.0, 0usize);
        for k in 0..self.mesh.cells() {
            if self.mesh.mask[k] {
                s += m[2][k];
                n += 1;
            }
        }
        let l = self.mesh.nx as f64 * self.mesh.dx;
        l * (1.0 + s / n.max(1) as f64) / 2.0
    }

    /// Average m over the magnetic cells.
    pub fn average(&self, m: &Field3) -> [f64; 3] {
        let mut s = [0.0; 3];
        let mut n = 0usize;
        for k in 0..self.mesh.cells() {
            if self.mesh.mask[k] {
                for a in 0..3 {
                    s[a] += m[a][k];
                }
                n += 1;
            }
        }
        s.map(|v| v / n.max(1) as f64)
    }

    /// A uniform state.
    pub fn uniform(&self, dir: [f64; 3]) -> Field3 {
        let r = (dir[0] * dir[0] + dir[1] * dir[1] + dir[2] * dir[2]).sqrt();
        let mut m = zeros(self.mesh.cells());
        for k in 0..self.mesh.cells() {
            if self.mesh.mask[k] {
                for a in 0..3 {
                    m[a][k] = dir[a] / r;
                }
            }
        }
        m
    }

    /// An up/down Neel wall at x0 (phi = 0: m_x > 0 at the centre, the D > 0 ground state).
    pub fn neel_wall(&self, x0: f64, phi: f64) -> Field3 {
        let p = &self.params;
        let keff = p.ku - if p.demag == DemagMode::None { 0.0 } else { 0.5 * MU0 * p.ms * p.ms };
        let delta = (p.a_ex / keff.max(1e-30)).sqrt();
        let mut m = zeros(self.mesh.cells());
        for k in 0..self.mesh.cells() {
            if self.mesh.mask[k] {
                let x = ((k % self.mesh.nx) as f64 + 0.5) * self.mesh.dx;
                let theta = 2.0 * ((x - x0) / delta).exp().atan();
                m[0][k] = theta.sin() * phi.cos();
                m[1][k] = theta.sin() * phi.sin();
                m[2][k] = theta.cos();
            }
        }
        m
    }
}

#[inline]
pub fn cross(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
}
