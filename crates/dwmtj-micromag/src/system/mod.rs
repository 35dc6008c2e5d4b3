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
//!
//! The code, by concept: `params.rs` (material, drive, demag mode), `regions.rs` (regions and
//! MTJ readouts), `waveform.rs` (the time-dependent applied field), `field.rs` (the field term by
//! term and the energies), `rhs.rs` (dm/dt with the torques, the thermal field's size),
//! `observables.rs` (wall position, averages, conductance) and `initial.rs` (initial states);
//! this file holds the system and its constructors.

mod field;
mod initial;
mod observables;
mod params;
mod regions;
mod rhs;
mod waveform;

pub use field::{Energies, Terms};
pub use observables::WallShape;
pub use params::{DemagMode, Params};
pub use regions::{MtjReadout, Region, Shape};
pub use rhs::cross;
pub use waveform::FieldWaveform;

use crate::demag::DemagKernel;
use crate::mesh::Mesh;
use dwmtj_core::material::{E_CHARGE, HBAR};
use field::{Kernel, Maps};

/// Magnetisation as three component arrays (structure of arrays), zero outside the mask.
pub type Field3 = [Vec<f64>; 3];

/// A field of `n` cells, all zero.
pub fn zeros(n: usize) -> Field3 {
    std::array::from_fn(|_| vec![0.0; n])
}

/// A micromagnetic problem: the mesh, the material per cell, the drive and the demag kernel;
/// its methods give the field, energies and dm/dt of a state, initial states and observables.
pub struct System {
    /// The finite-difference mesh.
    pub mesh: Mesh,
    /// The base material and the drive (regions override the material per cell).
    pub params: Params,
    /// Ms per cell (0 outside the mask).
    pub ms: Vec<f64>,
    /// Heavy-metal current density per cell (A/m^2, along x).
    pub jx: Vec<f64>,
    /// SOT sign-carrying prefactor of the base material: B_DL = sot_b * J (T per A/m^2).
    pub sot_b: f64,
    /// Free-layer thickness (m): all layers, nz dz; the SOT acts on all of it.
    pub t_fm: f64,
    /// The regions, in the order given (later ones win where they overlap).
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
    /// Full (Newell FFT) demag asked for on a mesh periodic in y.
    #[error("full demag is not periodic: use local demag with periodic_y")]
    PeriodicFullDemag,
}

impl System {
    /// A system of uniform material (no regions).
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
        // Film pinning: the anisotropy modulated along the wire (after the regions, on every
        // magnetic cell), docs/micromag.md 1.4.
        let modulated = params.pinning_period > 0.0 && params.pinning_ku != 0.0;
        if modulated {
            for k in (0..n).filter(|&k| mesh.mask[k]) {
                let (x, _) = centre(k);
                ku[k] -= params.pinning_ku * (2.0 * std::f64::consts::PI * x / params.pinning_period).cos();
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
        let maps = (!regions.is_empty() || modulated).then(|| {
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
}

/// A canted wall: the test state of the unit tests.
#[cfg(test)]
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
