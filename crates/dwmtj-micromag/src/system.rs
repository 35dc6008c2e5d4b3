//! The micromagnetic system: mesh, material, drive, and the effective field, energy and LLG
//! right-hand side.
//!
//! Landau-Lifshitz-Gilbert in the explicit form (mumax3's convention, B in tesla):
//!   dm/dt = -gamma/(1+alpha^2) [ m x B + alpha m x (m x B) ],
//! B = B_ex + B_anis + B_dmi + B_demag + B_ext + B_sot, with
//! * exchange   B_ex   = (2A/Ms) sum_nb (m_nb - m)/d^2 (4 neighbours; free boundaries);
//! * anisotropy B_anis = (2K_u/Ms) m_z z (uniaxial, easy axis z);
//! * interfacial DMI (docs/physics.md 2.2 convention: D > 0 gives the up/down wall phi = 0; mumax3's
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
//!   along +x. With s_geom = +1 this is exactly the drive of docs/physics.md 2.3: a Neel wall
//!   (m along x cos phi at its centre) feels H_z = (pi/2) H_SL cos phi (tested against the 1D
//!   model). The current density follows the local wire width, J(x) = J_0 w_0/w(x);
//! * Oersted field of the heavy-metal sheet current below the free layer (Ampere's law for a
//!   sheet, K = J t_HM along x): B_Oe = -mu0 J t_HM / 2 along y, scaled with the drive;
//! * applied field B_ext + b s(t) (a trapezoidal pulse or a sine) plus static per-cell stray
//!   fields (an MTJ's reference layer).
//!
//! Regions give cells their own Ms, A, Ku, D, alpha (and stray field). Across a face between
//! cells i and j exchange uses A_ij = 2 A_i A_j / (A_i + A_j) (mumax3's default) and DMI
//! D_ij = (D_i + D_j)/2, in the pair form
//!   B_ex,i  = (2/Ms_i) sum_faces A_f (m_nb - m_i)/d^2,
//!   B_dmi,i = (1/Ms_i) ( -(D_r m_z,r - D_l m_z,l)/dx, -(D_u m_z,u - D_d m_z,d)/dy,
//!                         (D_r m_x,r - D_l m_x,l)/dx + (D_u m_y,u - D_d m_y,d)/dy ),
//! the gradient of a symmetric pair energy (so the energy still falls without drive, tested);
//! for uniform A and D it is the stencil above.

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
    /// s_geom of docs/physics.md 2.3 (+1: sigma = +y for current along +x).
    pub sot_sign: f64,
    /// Heavy-metal current density along x (A/m^2) where the wire has width `j_ref_width`.
    pub current_density: f64,
    /// Width at which `current_density` holds (0: uniform current density).
    pub j_ref_width: f64,
    /// Temperature (K) of the thermal field (used by the Heun integrator).
    pub temperature: f64,
    /// Seed of the thermal field's random streams.
    pub seed: u64,
    /// Add the Oersted field of the heavy-metal current (-mu0 J t_HM / 2 along y).
    pub oersted: bool,
    /// Heavy-metal thickness (m), for the Oersted field.
    pub t_hm: f64,
    /// The demag convolution in single precision (FFTs and spectra in f32; the tensor is
    /// computed in f64 and the field accumulated in f64).
    pub demag_f32: bool,
}

impl Default for Params {
    /// The benchmark strip's material (docs/micromag.md 6): Ms 1.1e6, A 1.5e-11, Ku 1e6, D 0.5e-3,
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
            oersted: false,
            t_hm: 5e-9,
            demag_f32: false,
        }
    }
}

/// Energies (J) of a state.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
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

/// A region's outline in the plane: x from the wire's start, y from the mesh's centre line.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub enum Shape {
    Rect { x0: f64, x1: f64, y0: f64, y1: f64 },
    Ellipse { cx: f64, cy: f64, rx: f64, ry: f64 },
}

impl Shape {
    pub fn contains(&self, x: f64, y: f64) -> bool {
        match *self {
            Shape::Rect { x0, x1, y0, y1 } => x >= x0 && x <= x1 && y >= y0 && y <= y1,
            Shape::Ellipse { cx, cy, rx, ry } => ((x - cx) / rx).powi(2) + ((y - cy) / ry).powi(2) <= 1.0,
        }
    }
}

/// Part of the mesh with its own material or an extra static field: an MTJ footprint and its
/// stray field, a notch of lower anisotropy, a damping sink. Later regions win where regions
/// overlap; the number of regions is not limited (each cell holds its own values).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Region {
    pub name: String,
    pub shape: Shape,
    pub ms: Option<f64>,
    pub a_ex: Option<f64>,
    pub ku: Option<f64>,
    pub dmi: Option<f64>,
    pub alpha: Option<f64>,
    /// Static field added in the region (T): the stray field of an MTJ's reference layer.
    pub b_stray: [f64; 3],
    /// Layers the region covers (first, last; 0 is the bottom, next to the heavy metal); all
    /// when None.
    pub layers: Option<(usize, usize)>,
    /// An MTJ on this footprint: its conductance is read from the top layer's m_z.
    pub mtj: Option<MtjReadout>,
}

/// The tunnel junction on a region: G(theta) = G_P (1 + cos theta)/2 + G_AP (1 - cos theta)/2 per
/// cell (Slonczewski's angular dependence), cos theta = s m_z with s = +1 for a reference layer
/// along +z, G_P = area / RA_P, G_AP = G_P / (1 + TMR); cells in parallel.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct MtjReadout {
    /// Resistance-area product of the parallel state (Ohm m^2).
    pub ra: f64,
    /// TMR ratio (R_AP - R_P)/R_P (1.0 = 100 %).
    pub tmr: f64,
    /// +1: reference layer along +z; -1: along -z.
    pub reference: f64,
}

impl Region {
    /// A region that changes nothing yet.
    pub fn new(name: &str, shape: Shape) -> Self {
        Self {
            name: name.into(),
            shape,
            ms: None,
            a_ex: None,
            ku: None,
            dmi: None,
            alpha: None,
            b_stray: [0.0; 3],
            layers: None,
            mtj: None,
        }
    }
}

/// A time-dependent applied field added to `Params::b_ext`: b s(t), with s a trapezoidal pulse
/// (delay, rise, plateau, fall as [`dwmtj_core::device::PulseShape`]) or a sine.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub enum FieldWaveform {
    Pulse {
        b: [f64; 3],
        delay: f64,
        pulse: dwmtj_core::device::PulseShape,
    },
    Sine {
        b: [f64; 3],
        frequency: f64,
        phase: f64,
    },
}

impl FieldWaveform {
    pub fn at(&self, t: f64) -> [f64; 3] {
        match self {
            FieldWaveform::Pulse { b, delay, pulse } => {
                let s = pulse.shape(t - delay);
                b.map(|v| v * s)
            }
            FieldWaveform::Sine { b, frequency, phase } => {
                let s = (2.0 * std::f64::consts::PI * frequency * t + phase).sin();
                b.map(|v| v * s)
            }
        }
    }
}

/// Which terms a field evaluation includes (energies evaluate them one at a time).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Terms {
    pub exchange: bool,
    pub dmi: bool,
    pub anisotropy: bool,
    /// The local demag approximation (when the system uses it) and the full FFT demag.
    pub demag: bool,
    pub zeeman: bool,
}

impl Terms {
    pub const ALL: Terms = Terms {
        exchange: true,
        dmi: true,
        anisotropy: true,
        demag: true,
        zeeman: true,
    };
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
enum Kernel {
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
struct Maps {
    ku: Vec<f64>,
    alpha: Vec<f64>,
    /// D/(2A) of the cell: the ghost-cell boundary condition.
    xi: Vec<f64>,
    /// Exchange across the faces +x, -x, +y, -y, +z, -z.
    a_face: Vec<[f64; 6]>,
    d_face: Vec<[f64; 4]>,
    b_stray: Field3,
}

pub struct System {
    pub mesh: Mesh,
    pub params: Params,
    /// Ms per cell (0 outside the mask).
    pub ms: Vec<f64>,
    /// Heavy-metal current density per cell (A/m^2, along x).
    pub jx: Vec<f64>,
    /// SOT sign-carrying prefactor of the base material: B_DL = sot_b * J (T per A/m^2).
    pub sot_b: f64,
    pub t_fm: f64,
    pub regions: Vec<Region>,
    /// The cells of each region (magnetic cells only), for region averages (MTJ readout).
    pub region_cells: Vec<Vec<usize>>,
    /// Optional time-dependent applied field.
    pub waveform: Option<FieldWaveform>,
    /// The demag kernel, shared between systems on the same mesh ([`System::rebuild`]).
    kernel: Option<std::sync::Arc<Kernel>>,
    maps: Option<Maps>,
    /// All four neighbours magnetic and inside (or wrapped): no ghost cell needed.
    interior: Vec<bool>,
    /// The cells above and below (the cell itself at a free surface); empty-effect for nz = 1.
    vertical: Vec<[usize; 2]>,
}

/// A system that cannot be built (the run-file validation rejects these first).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SystemError {
    #[error("full demag is not periodic: use local demag with periodic_y")]
    PeriodicFullDemag,
}

impl System {
    pub fn new(mesh: Mesh, params: Params) -> Result<Self, SystemError> {
        Self::with_regions(mesh, params, Vec::new())
    }

    /// A system whose material and static field vary by region.
    pub fn with_regions(mesh: Mesh, params: Params, regions: Vec<Region>) -> Result<Self, SystemError> {
        if mesh.periodic_y && params.demag == DemagMode::Full {
            return Err(SystemError::PeriodicFullDemag);
        }
        let n = mesh.cells();
        let (nx, ny) = (mesh.nx, mesh.ny);
        let centre = |k: usize| {
            (
                ((k % nx) as f64 + 0.5) * mesh.dx,
                ((k / nx % ny) as f64 + 0.5) * mesh.dy - 0.5 * ny as f64 * mesh.dy,
            )
        };
        let mut ms: Vec<f64> = mesh.mask.iter().map(|&m| if m { params.ms } else { 0.0 }).collect();
        let mut a_ex = vec![params.a_ex; n];
        let mut ku = vec![params.ku; n];
        let mut dmi = vec![params.dmi; n];
        let mut alpha = vec![params.alpha; n];
        let mut b_stray = zeros(n);
        let mut region_cells = vec![Vec::new(); regions.len()];
        for (r, region) in regions.iter().enumerate() {
            for k in (0..n).filter(|&k| mesh.mask[k]) {
                let (x, y) = centre(k);
                let layer = k / (nx * ny);
                let in_layers = region.layers.is_none_or(|(a, b)| layer >= a && layer <= b);
                if !in_layers || !region.shape.contains(x, y) {
                    continue;
                }
                region_cells[r].push(k);
                if let Some(v) = region.ms {
                    ms[k] = v;
                }
                if let Some(v) = region.a_ex {
                    a_ex[k] = v;
                }
                if let Some(v) = region.ku {
                    ku[k] = v;
                }
                if let Some(v) = region.dmi {
                    dmi[k] = v;
                }
                if let Some(v) = region.alpha {
                    alpha[k] = v;
                }
                for a in 0..3 {
                    b_stray[a][k] += region.b_stray[a];
                }
            }
        }
        let plane = nx * ny;
        // Neighbour of k across face dir (0..4 in the plane: +x, -x, +y, -y; 4, 5: +z, -z).
        let neighbour = |k: usize, dir: usize| -> Option<usize> {
            let (l, kk) = (k / plane, k % plane);
            if dir >= 4 {
                let lz = if dir == 4 { l + 1 } else { l.wrapping_sub(1) };
                return (lz < mesh.nz).then(|| lz * plane + kk).filter(|&q| mesh.mask[q]);
            }
            let (i, j) = ((kk % nx) as isize, (kk / nx) as isize);
            let (ii, mut jj) = match dir {
                0 => (i + 1, j),
                1 => (i - 1, j),
                2 => (i, j + 1),
                _ => (i, j - 1),
            };
            if mesh.periodic_y {
                jj = jj.rem_euclid(ny as isize);
            }
            (ii >= 0 && jj >= 0 && (ii as usize) < nx && (jj as usize) < ny)
                .then(|| l * plane + jj as usize * nx + ii as usize)
                .filter(|&q| mesh.mask[q])
        };
        let interior: Vec<bool> = (0..n).map(|k| mesh.mask[k] && (0..4).all(|d| neighbour(k, d).is_some())).collect();
        // Through the thickness: the cell above and below (free surfaces: the cell itself, so
        // the exchange term vanishes there, dm/dz = 0).
        let vertical: Vec<[usize; 2]> = (0..n)
            .map(|k| [neighbour(k, 4).unwrap_or(k), neighbour(k, 5).unwrap_or(k)])
            .collect();
        let maps = (!regions.is_empty()).then(|| {
            let xi = (0..n).map(|k| if a_ex[k] > 0.0 { dmi[k] / (2.0 * a_ex[k]) } else { 0.0 }).collect();
            let harmonic = |a: f64, b: f64| if a + b > 0.0 { 2.0 * a * b / (a + b) } else { 0.0 };
            let a_face = (0..n)
                .map(|k| std::array::from_fn(|d| neighbour(k, d).map_or(a_ex[k], |q| harmonic(a_ex[k], a_ex[q]))))
                .collect();
            let d_face = (0..n)
                .map(|k| std::array::from_fn(|d| neighbour(k, d).map_or(dmi[k], |q| 0.5 * (dmi[k] + dmi[q]))))
                .collect();
            Maps {
                ku,
                alpha,
                xi,
                a_face,
                d_face,
                b_stray,
            }
        });
        let jx = (0..n)
            .map(|k| {
                if !mesh.mask[k] {
                    return 0.0;
                }
                if params.j_ref_width > 0.0 {
                    let w = mesh.column_width(k % nx);
                    params.current_density * params.j_ref_width / w
                } else {
                    params.current_density
                }
            })
            .collect();
        let kernel = (params.demag == DemagMode::Full).then(|| {
            std::sync::Arc::new(if mesh.nz > 1 {
                Kernel::Layered(crate::demag_layers::LayeredKernel::new(&mesh))
            } else if params.demag_f32 {
                Kernel::F32(DemagKernel::new(&mesh))
            } else {
                Kernel::F64(DemagKernel::new(&mesh))
            })
        });
        // The SOT acts on the whole free layer: its thickness is all the layers.
        let t_fm = mesh.dz * mesh.nz as f64;
        let sot_b = params.sot_sign * HBAR * params.theta_sh / (2.0 * E_CHARGE * params.ms * t_fm);
        Ok(Self {
            mesh,
            params,
            ms,
            jx,
            sot_b,
            t_fm,
            regions,
            region_cells,
            waveform: None,
            kernel,
            maps,
            interior,
            vertical,
        })
    }

    /// The same mesh with other parameters and regions, reusing this system's demag kernel
    /// (the Newell tensor and its spectra depend on the mesh only).
    pub fn rebuild(&self, params: Params, regions: Vec<Region>) -> Result<System, SystemError> {
        let keep = self
            .kernel
            .clone()
            .filter(|_| params.demag == DemagMode::Full && params.demag_f32 == self.params.demag_f32);
        let demag = params.demag;
        // Build without a kernel, then attach the shared one.
        let mut sys = System::with_regions(
            self.mesh.clone(),
            Params {
                demag: if keep.is_some() { DemagMode::None } else { demag },
                ..params
            },
            regions,
        )?;
        if keep.is_some() {
            sys.params.demag = demag;
            sys.kernel = keep;
        }
        Ok(sys)
    }

    /// Set the drive current density (same width scaling).
    pub fn set_current(&mut self, j: f64) {
        let old = self.params.current_density;
        self.params.current_density = j;
        if old != 0.0 {
            let f = j / old;
            self.jx.iter_mut().for_each(|v| *v *= f);
        } else {
            let jx: Vec<f64> = self.mesh.mask.iter().map(|&on| if on { j } else { 0.0 }).collect();
            self.jx = if self.params.j_ref_width > 0.0 {
                (0..jx.len())
                    .map(|k| jx[k] * self.params.j_ref_width / self.mesh.column_width(k % self.mesh.nx).max(f64::MIN_POSITIVE))
                    .collect()
            } else {
                jx
            };
        }
    }

    /// The uniform applied field at time t (T): the static part plus the waveform.
    pub fn applied_field(&self, t: f64) -> [f64; 3] {
        let mut b = self.params.b_ext;
        if let Some(w) = &self.waveform {
            let d = w.at(t);
            for a in 0..3 {
                b[a] += d[a];
            }
        }
        b
    }

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

    /// dm/dt for state m at time t and drive scale `drive` (the pulse shape times the
    /// current), into `out`.
    pub fn rhs(&self, m: &Field3, t: f64, drive: f64, b: &mut Field3, out: &mut Field3) {
        self.rhs_with(m, t, drive, None, b, out);
    }

    /// dm/dt with an extra field (the thermal field) added to B.
    pub fn rhs_with(&self, m: &Field3, t: f64, drive: f64, extra: Option<&Field3>, b: &mut Field3, out: &mut Field3) {
        self.field_terms(m, self.applied_field(t), Terms::ALL, b);
        if let Some(e) = extra {
            for (dst, src) in b.iter_mut().zip(e) {
                dst.par_iter_mut().zip(src.par_iter()).with_min_len(4096).for_each(|(x, y)| *x += y);
            }
        }
        let p = &self.params;
        let sign = p.sot_sign;
        // Oersted field of the heavy-metal sheet current at the free layer: -J t_HM / 2 along y.
        let oe = if p.oersted { -MU0 * p.t_hm / 2.0 } else { 0.0 };
        let maps = self.maps.as_ref();
        let sot_c = p.sot_sign * HBAR * p.theta_sh / (2.0 * E_CHARGE * self.t_fm);
        let [ox, oy, oz] = out;
        let (bx, by, bz) = (&b[0], &b[1], &b[2]);
        // Block by block, the per-cell material looked up once per block's path, every cell
        // computed without branches (masked cells zeroed after), so that the loop vectorises.
        const BLOCK: usize = 1024;
        ox.par_chunks_mut(BLOCK)
            .zip(oy.par_chunks_mut(BLOCK))
            .zip(oz.par_chunks_mut(BLOCK))
            .enumerate()
            .for_each(|(blk, ((ox, oy), oz))| {
                let k0 = blk * BLOCK;
                for i in 0..ox.len() {
                    let k = k0 + i;
                    let (alpha, sot_b) = match maps {
                        None => (p.alpha, self.sot_b),
                        Some(mp) => (mp.alpha[k], sot_c / self.ms[k].max(f64::MIN_POSITIVE)),
                    };
                    let g = p.gamma / (1.0 + alpha * alpha);
                    let c = [m[0][k], m[1][k], m[2][k]];
                    let j = self.jx[k] * drive;
                    // sigma = sign * y: m x sigma = sign (-m_z, 0, m_x); the field-like part along
                    // sigma; the Oersted field along y.
                    let bdl = sot_b * j * sign;
                    let h = [bx[k] - bdl * c[2], by[k] + p.fl_ratio * bdl + oe * j, bz[k] + bdl * c[0]];
                    let mxh = cross(c, h);
                    let mxmxh = cross(c, mxh);
                    let on = if self.mesh.mask[k] { 1.0 } else { 0.0 };
                    ox[i] = on * -g * (mxh[0] + alpha * mxmxh[0]);
                    oy[i] = on * -g * (mxh[1] + alpha * mxmxh[1]);
                    oz[i] = on * -g * (mxh[2] + alpha * mxmxh[2]);
                }
            });
    }

    /// Average m over a region's cells (the MTJ readout), or over the mesh without regions.
    pub fn region_average(&self, m: &Field3, region: usize) -> [f64; 3] {
        let cells = &self.region_cells[region];
        let mut s = [0.0; 3];
        for &k in cells {
            for a in 0..3 {
                s[a] += m[a][k];
            }
        }
        s.map(|v| v / cells.len().max(1) as f64)
    }

    /// Conductance (S) of the MTJ on region `region`, if it has one: the region's cells in the
    /// top layer (the free layer's surface under the barrier), each a parallel channel.
    pub fn region_conductance(&self, m: &Field3, region: usize) -> Option<f64> {
        let mtj = self.regions[region].mtj?;
        let top = self.mesh.nz - 1;
        let plane = self.mesh.plane();
        let area = self.mesh.dx * self.mesh.dy;
        let (g_p, g_ap) = (area / mtj.ra, area / mtj.ra / (1.0 + mtj.tmr));
        Some(
            self.region_cells[region]
                .iter()
                .filter(|&&k| k / plane == top)
                .map(|&k| {
                    let c = mtj.reference * m[2][k];
                    g_p * (1.0 + c) / 2.0 + g_ap * (1.0 - c) / 2.0
                })
                .sum(),
        )
    }

    /// The thermal field's standard deviation (T) in cell k for a step dt.
    pub fn thermal_sigma_at(&self, k: usize, dt: f64) -> f64 {
        let p = &self.params;
        if p.temperature <= 0.0 || !self.mesh.mask[k] {
            return 0.0;
        }
        let alpha = self.maps.as_ref().map_or(p.alpha, |mp| mp.alpha[k]);
        (2.0 * alpha * dwmtj_core::material::KB * p.temperature / (p.gamma * self.ms[k] * self.mesh.cell_volume() * dt)).sqrt()
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

    /// A +z core of radius r in a -z background, centred on the mesh, its edge tilted slightly
    /// outwards (5 %) so that the chirality the DMI favours can develop.
    pub fn skyrmion(&self, r: f64) -> Field3 {
        let mut m = self.uniform([0.0, 0.0, -1.0]);
        let (nx, ny) = (self.mesh.nx, self.mesh.ny);
        for k in 0..self.mesh.cells() {
            let (i, j) = (k % nx, k / nx % ny);
            let x = (i as f64 + 0.5) * self.mesh.dx - 0.5 * nx as f64 * self.mesh.dx;
            let y = (j as f64 + 0.5) * self.mesh.dy - 0.5 * ny as f64 * self.mesh.dy;
            if self.mesh.mask[k] && x.hypot(y) < r {
                let phi = y.atan2(x);
                m[0][k] = 0.05 * phi.cos();
                m[1][k] = 0.05 * phi.sin();
                m[2][k] = (1.0f64 - 0.0025).sqrt();
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

#[cfg(test)]
mod tests {
    use super::*;

    fn canted(sys: &System) -> Field3 {
        let mut m = sys.neel_wall(100e-9, 0.4);
        for k in 0..m[0].len() {
            if sys.mesh.mask[k] {
                m[1][k] += 0.3 * ((k as f64) * 0.61).sin();
                let r = (m[0][k] * m[0][k] + m[1][k] * m[1][k] + m[2][k] * m[2][k]).sqrt();
                (0..3).for_each(|a| m[a][k] /= r);
            }
        }
        m
    }

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

    /// The Oersted field of a current along +x points along -y above the heavy metal with
    /// magnitude mu0 J t_HM / 2: for m along x it turns m towards +z at the rate gamma B.
    #[test]
    fn oersted_field_has_the_sheet_current_sign_and_size() {
        let mesh = Mesh::rectangle(8, 4, 4e-9, 4e-9, 1e-9);
        let p = Params {
            ku: 0.0,
            dmi: 0.0,
            demag: DemagMode::None,
            theta_sh: 0.0,
            current_density: 2e12,
            oersted: true,
            t_hm: 5e-9,
            ..Params::default()
        };
        let sys = System::new(mesh, p.clone()).unwrap();
        let m = sys.uniform([1.0, 0.0, 0.0]);
        let n = m[0].len();
        let (mut b, mut out) = (zeros(n), zeros(n));
        sys.rhs(&m, 0.0, 1.0, &mut b, &mut out);
        let b_oe = MU0 * 2e12 * 5e-9 / 2.0;
        // dm/dt = -g [m x B + alpha m x (m x B)] with B = -b_oe y: m x B = -b_oe z.
        let g = p.gamma / (1.0 + p.alpha * p.alpha);
        for k in 0..n {
            assert!((out[2][k] - g * b_oe).abs() < 1e-9 * g * b_oe, "{}", out[2][k]);
            assert!((out[1][k] + g * p.alpha * b_oe).abs() < 1e-9 * g * b_oe, "{}", out[1][k]);
        }
    }

    #[test]
    fn rebuilt_systems_share_the_kernel_and_give_the_fresh_field() {
        let mesh = Mesh::rectangle(24, 6, 4e-9, 4e-9, 1e-9);
        let a = System::new(mesh.clone(), Params::default()).unwrap();
        let p = Params {
            current_density: 1e11,
            ku: 0.9e6,
            ..Params::default()
        };
        let (b, fresh) = (a.rebuild(p.clone(), Vec::new()).unwrap(), System::new(mesh, p).unwrap());
        assert!(std::sync::Arc::ptr_eq(a.kernel.as_ref().unwrap(), b.kernel.as_ref().unwrap()));
        let m = canted(&a);
        let (mut f1, mut f2) = (zeros(m[0].len()), zeros(m[0].len()));
        b.field(&m, &mut f1);
        fresh.field(&m, &mut f2);
        assert_eq!(f1, f2);
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

    #[test]
    fn regions_can_cover_chosen_layers() {
        let mesh = Mesh::rectangle(10, 4, 4e-9, 4e-9, 2e-9).layered(2);
        let mut bottom = Region::new(
            "bottom",
            Shape::Rect {
                x0: 0.0,
                x1: 20e-9,
                y0: -1.0,
                y1: 1.0,
            },
        );
        bottom.layers = Some((0, 0));
        bottom.dmi = Some(1e-3);
        let mut both = bottom.clone();
        both.layers = None;
        let sys = System::with_regions(mesh, Params::default(), vec![bottom, both]).unwrap();
        // Columns with centres below 20 nm: 5 of 10, in 4 rows; one layer, then two.
        assert_eq!((sys.region_cells[0].len(), sys.region_cells[1].len()), (20, 40));
        assert!(sys.region_cells[0].iter().all(|&k| k < 40));
    }

    /// An MTJ over a footprint of 5 x 4 cells: parallel (m_z = +1 under a +z reference) gives
    /// area/RA, antiparallel that over (1 + TMR), a wall in the middle their mean.
    #[test]
    fn mtj_regions_read_the_conductance() {
        let mesh = Mesh::rectangle(10, 4, 4e-9, 4e-9, 1e-9);
        let mut r = Region::new(
            "mtj",
            Shape::Rect {
                x0: 0.0,
                x1: 20e-9,
                y0: -1.0,
                y1: 1.0,
            },
        );
        r.mtj = Some(MtjReadout {
            ra: 10e-12,
            tmr: 1.5,
            reference: 1.0,
        });
        let sys = System::with_regions(mesh, Params::default(), vec![r]).unwrap();
        let g_p = 20.0 * 16e-18 / 10e-12;
        let g = |dir: [f64; 3]| sys.region_conductance(&sys.uniform(dir), 0).unwrap();
        assert!((g([0.0, 0.0, 1.0]) / g_p - 1.0).abs() < 1e-12);
        assert!((g([0.0, 0.0, -1.0]) / (g_p / 2.5) - 1.0).abs() < 1e-12);
        assert!((g([1.0, 0.0, 0.0]) / (0.5 * (g_p + g_p / 2.5)) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn field_waveforms_follow_their_shape() {
        let mut sys = System::new(Mesh::rectangle(2, 2, 1e-9, 1e-9, 1e-9), Params::default()).unwrap();
        sys.params.b_ext = [0.0, 0.0, 0.01];
        sys.waveform = Some(FieldWaveform::Pulse {
            b: [0.0, 0.0, 0.1],
            delay: 1e-9,
            pulse: dwmtj_core::device::PulseShape {
                width: 2e-9,
                rise: 0.5e-9,
                fall: 0.5e-9,
            },
        });
        let bz = |t: f64| sys.applied_field(t)[2];
        assert!((bz(0.5e-9) - 0.01).abs() < 1e-15 && (bz(1.25e-9) - 0.06).abs() < 1e-12 && (bz(2.0e-9) - 0.11).abs() < 1e-12);
        sys.waveform = Some(FieldWaveform::Sine {
            b: [0.02, 0.0, 0.0],
            frequency: 1e9,
            phase: 0.0,
        });
        assert!((sys.applied_field(0.25e-9)[0] - 0.02).abs() < 1e-12);
    }
}
