//! The tilted wall: a third collective coordinate chi, the angle of the wall's normal to the
//! wire axis (Boulle et al., PRL 111, 217203 (2013)), docs/physics.md 2.8.
//!
//! Ansatz: theta = 2 atan exp(Q u / Delta) with u = (x - q) cos chi + y sin chi across a strip of
//! width w, so the wall is a straight line through (q, 0) whose normal is (cos chi, sin chi), and
//! phi is the in-plane angle of m at its centre (phi = chi is a Neel wall). Per wire
//! cross-section S = w t_F:
//!
//! ```text
//! E = S sigma(phi, chi) / cos chi - 2 mu0 M_net S Q H_z q + V_pin(q)
//! sigma(phi, chi) = sigma0 + 2 K_D Delta cos^2(phi - chi) - Q pi D cos(phi - chi)
//!                   - pi mu0 M_net Delta (H_x cos phi + H_y sin phi)
//! ```
//! (the wall is w / cos chi long; its Neel-Bloch anisotropy and DMI follow the wall's normal, the
//! in-plane fields the absolute angle). The Rayleigh function of the ansatz, integrated across the
//! strip (the rotation rate chi-dot moves a point at distance s along the wall by s chi-dot, and
//! the strip's edges shift the s-range by -u tan chi), is
//! alpha s_tot S [cos chi qdot^2 / Delta + Delta phidot^2 / cos chi
//!               + (pi^2 Delta / (12 cos chi)) (tan^2 chi + (w / (pi Delta cos chi))^2) chidot^2],
//! and the gyrotropic (Berry-phase) term couples only q and phi, as without tilt, because the
//! net m_z depends on q alone. The damping-like SOT's generalised force on q is the untilted
//! Q (pi/2) c_J cos phi (the torque follows the current along x), and it exerts none on phi or chi.
//! Lagrange's equations:
//!
//! ```text
//! alpha s_tot cos chi qdot / Delta + Q s_net phidot = F_A
//! s_net qdot / Delta - alpha s_tot Q phidot / cos chi = F_B'
//! F_A  = the untilted F_A (Zeeman, damping-like SOT with cos phi, STT, pinning, taper)
//! F_B' = { Q [ -K_D sin 2(phi - chi) - (pi/2) mu0 M_net (H_y cos phi - H_x sin phi) ]
//!          + (pi/2) (D / Delta) sin(phi - chi) - Q (pi/2) r_FL c_J cos phi } / cos chi + b_J / Delta
//! alpha s_tot (pi^2 Delta / 6) [tan^2 chi + (w / (pi Delta cos chi))^2] chidot
//!     = -sigma tan chi + Q pi D sin(phi - chi) - 2 K_D Delta sin 2(phi - chi)
//! ```
//! so that qdot = Delta (alpha s_tot F_A / cos chi + s_net F_B') / (alpha^2 s_tot^2 + s_net^2) and
//! phidot = Q (s_net F_A - alpha s_tot cos chi F_B') / (alpha^2 s_tot^2 + s_net^2). With chi held
//! at 0 these are the two-coordinate equations of [`crate::wall`] term by term (tested), and
//! without drive dE/dt <= 0 (tested). Boulle et al. write sin chi where the energy above gives
//! tan chi; the two agree to O(chi^3).
//!
//! Scope: deterministic runs (no thermal noise), the field-like SOT taken as the transverse field
//! it is, STT as without tilt; the taper force uses sigma(phi) of the untilted wall.

use super::model::{Drive, WallModel};
use super::run::{segment_marks, RunOptions};
use crate::integrate::{dopri45, Tolerances};
use crate::units::MU0;
use serde::Serialize;
use std::f64::consts::PI;

/// Outcome of one tilted-wall run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TiltOutcome {
    /// Displacement q(t_end) - q0 of the wall's centre along the wire, m.
    pub displacement_m: f64,
    /// q-dot at the end time, m/s.
    pub final_velocity_m_per_s: f64,
    /// Wall angle phi at the end time (absolute, unwrapped), rad.
    pub phi_rad: f64,
    /// Tilt chi of the wall's normal at the end time, rad.
    pub chi_rad: f64,
    /// Right-hand-side evaluations.
    pub rhs_evals: usize,
    /// False if the integrator stopped at its step limit before the end time.
    pub completed: bool,
    /// (t, q, phi, chi) samples when asked for.
    #[serde(skip)]
    pub trajectory: Vec<(f64, f64, f64, f64)>,
}

/// The constants of the tilted equations, resolved once per run.
struct Tilted<'a> {
    model: &'a WallModel,
    den: f64,
    /// Hold chi at its initial value (0 gives the two-coordinate model).
    pin_chi: bool,
}

impl Tilted<'_> {
    /// Wall energy density sigma(phi, chi) (J/m^2) with the in-plane fields (hx, hy).
    fn sigma(&self, phi: f64, chi: f64, hx: f64, hy: f64) -> f64 {
        let m = self.model;
        let psi = phi - chi;
        m.sigma0 + 2.0 * m.k_d * m.delta * psi.cos().powi(2)
            - m.q_sign * PI * m.dmi * psi.cos()
            - PI * MU0 * m.m_net * m.delta * (hx * phi.cos() + hy * phi.sin())
    }

    fn rhs(&self, t: f64, y: &[f64; 3], drive: &Drive) -> [f64; 3] {
        let m = self.model;
        let k = m.folded();
        let (q, phi, chi) = (y[0], y[1], y[2]);
        let (sp, cp) = phi.sin_cos();
        let psi = phi - chi;
        let (ss, cs) = psi.sin_cos();
        let c = chi.cos();
        let x = m.force_inputs(t, q, cp, sp, drive);
        let fa = k.a_hz * x.hz + k.a_jc * x.j * cp + k.a_j * x.j - x.f_pin - x.f_geo;
        let fb = (k.b_sc * ss * cs + k.b_h * (x.hy * cp - x.hx * sp) + k.b_s * ss + k.b_jc * x.j * cp) / c + k.b_j * x.j;
        let (a, sn, st) = (m.alpha, m.s_net, m.s_tot);
        let qd = m.delta * (a * st * fa / c + sn * fb) / self.den;
        let pd = m.q_sign * (sn * fa - a * st * c * fb) / self.den;
        let cd = if self.pin_chi {
            0.0
        } else {
            // The field-like SOT is the transverse field r_FL c_J / (mu0 M_net) (b_jc / b_h J).
            let hy_fl = if k.b_h != 0.0 { k.b_jc / k.b_h * x.j } else { 0.0 };
            let sigma = self.sigma(phi, chi, x.hx, x.hy + hy_fl);
            let w = m.width_profile().width(q.clamp(0.0, m.width_profile().length()));
            let tc = chi.tan();
            let mobility = 6.0 / (a * st * PI * PI * m.delta * (tc * tc + (w / (PI * m.delta * c)).powi(2)));
            mobility * (-sigma * tc + m.q_sign * PI * m.dmi * ss - 2.0 * m.k_d * m.delta * (2.0 * psi).sin())
        };
        [qd, pd, cd]
    }
}

/// The right-hand side (qdot, phidot, chidot) of the tilted model at (t, q, phi, chi).
pub fn tilted_rhs(model: &WallModel, t: f64, y: &[f64; 3], drive: &Drive) -> [f64; 3] {
    tilted(model, false).rhs(t, y, drive)
}

fn tilted(model: &WallModel, pin_chi: bool) -> Tilted<'_> {
    let (a, sn, st) = (model.alpha, model.s_net, model.s_tot);
    Tilted {
        model,
        den: a * a * st * st + sn * sn,
        pin_chi,
    }
}

/// Energy E(q, phi, chi) (J) of the tilted wall in a uniform wire at fields (hx, hy, hz), with the
/// pinning energy; the module docs' E.
pub fn tilted_energy(model: &WallModel, q: f64, phi: f64, chi: f64, hx: f64, hy: f64, hz: f64) -> f64 {
    let s = model.reference_width() * model.t_fm;
    let sigma = tilted(model, false).sigma(phi, chi, hx, hy);
    let untilted_rest = model.energy(q, phi, hx, hy, hz) - s * model.sigma(phi, hx, hy);
    s * sigma / chi.cos() + untilted_rest
}

/// Deterministic run of the tilted wall from (q0, phi0, chi0), adaptive RK45 piecewise across
/// the pulse's kinks. `pin_chi` holds chi at chi0 (with chi0 = 0: the two-coordinate model).
pub fn run_tilted(model: &WallModel, drive: &Drive, q0: f64, phi0: f64, chi0: f64, pin_chi: bool, opts: &RunOptions) -> TiltOutcome {
    let t_end = if opts.t_end.is_finite() {
        opts.t_end
    } else {
        drive.pulse.duration()
    };
    let sys = tilted(model, pin_chi);
    let tol = Tolerances {
        rtol: opts.rtol,
        atol: [opts.atol[0], opts.atol[1], opts.atol[1]],
        h_max: f64::INFINITY,
        max_steps: 10_000_000,
        controlled: 3,
    };
    let mut y = [q0, phi0, chi0];
    let (mut t, mut nfev) = (0.0, 0);
    let mut record: Vec<(f64, [f64; 3])> = Vec::new();
    let mut completed = true;
    for tb in segment_marks(drive, t_end) {
        if tb <= t {
            continue;
        }
        let rec = if opts.samples > 0 { Some(&mut record) } else { None };
        let s = dopri45(|tt, yy| sys.rhs(tt, yy, drive), t, y, tb, &tol, None, rec);
        nfev += s.rhs_evals;
        y = s.y;
        if s.t < tb {
            completed = false;
            t = s.t;
            break;
        }
        t = tb;
    }
    let v = sys.rhs(t * (1.0 - 1e-12), &y, drive)[0];
    let trajectory = if opts.samples > 0 && !record.is_empty() {
        let stride = (record.len() / opts.samples).max(1);
        let mut tr: Vec<(f64, f64, f64, f64)> = record.iter().step_by(stride).map(|(t, y)| (*t, y[0], y[1], y[2])).collect();
        if let Some(&(tl, yl)) = record.last() {
            if tr.last().is_none_or(|p| p.0 < tl) {
                tr.push((tl, yl[0], yl[1], yl[2]));
            }
        }
        tr
    } else {
        Vec::new()
    };
    TiltOutcome {
        displacement_m: y[0] - q0,
        final_velocity_m_per_s: v,
        phi_rad: y[1],
        chi_rad: y[2],
        rhs_evals: nfev,
        completed,
        trajectory,
    }
}
