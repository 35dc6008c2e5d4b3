//! Many drives of one wall model integrated side by side in SIMD lanes: the folded constants,
//! the lane system, and the lane solver with its AVX2 build.

use super::model::{Drive, ForceInputs, WallModel};
use super::run::renormalise;
use super::WALL_LANES;
use crate::integrate::lanes::{dopri45_lanes, LaneJob, LaneOutcome, LaneSystem};
use crate::integrate::Tolerances;

/// The forces and rates of the module docs with every model constant folded in, so that an
/// evaluation is multiplications and additions only:
/// F_A = a_hz H_z + a_jc J cos + a_j J - f_pin - f_geo,
/// F_B = b_sc sin cos + b_h (H_y cos - H_x sin) + b_s sin + b_jc J cos + b_j J,
/// qdot = q_a F_A + q_b F_B, phidot = p_a F_A + p_b F_B.
#[derive(Clone, Copy, Debug)]
pub(super) struct Folded {
    pub(super) a_hz: f64,
    pub(super) a_jc: f64,
    pub(super) a_j: f64,
    pub(super) b_sc: f64,
    pub(super) b_h: f64,
    pub(super) b_s: f64,
    pub(super) b_jc: f64,
    pub(super) b_j: f64,
    pub(super) q_a: f64,
    pub(super) q_b: f64,
    pub(super) p_a: f64,
    pub(super) p_b: f64,
}

impl Folded {
    /// (F_A, F_B) at HM current density j, fields (hx, hy, hz), pinning and taper forces.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)] // the force inputs, kept scalar so lanes vectorise
    pub(super) fn forces(&self, j: f64, hx: f64, hy: f64, hz: f64, f_pin: f64, f_geo: f64, cp: f64, sp: f64) -> (f64, f64) {
        let fa = self.a_hz * hz + self.a_jc * j * cp + self.a_j * j - f_pin - f_geo;
        let fb = self.b_sc * sp * cp + self.b_h * (hy * cp - hx * sp) + self.b_s * sp + self.b_jc * j * cp + self.b_j * j;
        (fa, fb)
    }

    #[inline(always)]
    pub(super) fn forces_at(&self, x: &ForceInputs, cp: f64, sp: f64) -> (f64, f64) {
        self.forces(x.j, x.hx, x.hy, x.hz, x.f_pin, x.f_geo, cp, sp)
    }

    #[inline(always)]
    pub(super) fn rates(&self, fa: f64, fb: f64) -> (f64, f64) {
        (self.q_a * fa + self.q_b * fb, self.p_a * fa + self.p_b * fb)
    }
}

/// One wall model under many drives, for [`dopri45_lanes`]: job k runs under `drives[k]`.
pub(super) struct WallLanes<'a> {
    model: &'a WallModel,
    folded: Folded,
    drives: Vec<&'a Drive>,
    /// Uniform wire at the reference width without pinning, stray fields or a separate
    /// heavy-metal profile: the forces need no position lookup.
    plain: bool,
    /// Every pulse rectangular (no rise or fall): the shape is 1 on [0, duration], else 0.
    rectangular: bool,
    /// Plain, rectangular, and only the damping-like torque and DMI act (no applied or Oersted
    /// field, STT or field-like torque): equations (A), (B) of docs/physics.md 2.3 as they stand.
    bare: bool,
}

/// Lane parameters of a drive: amplitude (0 without a pulse), hx, hy, hz, and the pulse's
/// rise, plateau end, duration and fall, as [`PulseShape::shape`](crate::device::PulseShape::shape) uses them.
const DRIVE_PARAMS: usize = 8;

impl<'a> WallLanes<'a> {
    pub(super) fn new(model: &'a WallModel, drives: Vec<&'a Drive>) -> Self {
        let plain = model.pinning.is_empty()
            && model.stray.is_empty()
            && model.hm_profile.is_none()
            && matches!(model.uniform, Some(w) if (w - model.reference_width).abs() <= 1e-15 * w);
        let rectangular = drives.iter().all(|d| d.pulse.rise <= 0.0 && d.pulse.fall <= 0.0);
        let folded = model.folded();
        let no_field = drives.iter().all(|d| d.hx == 0.0 && d.hy == 0.0 && d.hz == 0.0) && !model.oersted;
        let bare = plain && rectangular && no_field && folded.a_j == 0.0 && folded.b_j == 0.0 && folded.b_jc == 0.0;
        Self {
            model,
            folded,
            drives,
            plain,
            rectangular,
            bare,
        }
    }
}

impl LaneSystem<4, DRIVE_PARAMS> for WallLanes<'_> {
    /// phi is integrated for output only; q matters only where the wire is not plain.
    fn reads(&self, component: usize) -> bool {
        match component {
            0 => !self.plain,
            1 => false,
            _ => true,
        }
    }

    fn params(&self, job: usize) -> [f64; DRIVE_PARAMS] {
        let d = self.drives[job];
        let p = &d.pulse;
        let amplitude = if p.width <= 0.0 { 0.0 } else { d.current_density };
        [
            amplitude,
            d.hx,
            d.hy,
            d.hz,
            p.rise,
            p.rise + p.width - 0.5 * (p.rise + p.fall),
            p.duration(),
            p.fall,
        ]
    }

    #[inline(always)]
    fn rhs<const L: usize>(
        &self,
        job: &[usize; L],
        p: &[[f64; L]; DRIVE_PARAMS],
        t: &[f64; L],
        y: &[[f64; L]; 4],
        out: &mut [[f64; L]; 4],
    ) {
        let m = self.model;
        let k = &self.folded;
        let [amp, hx, hy0, hz, rise, plateau_end, duration, fall] = p;
        let (mut j, mut hy, mut hz, mut f_pin, mut f_geo) = ([0.0; L], [0.0; L], *hz, [0.0; L], [0.0; L]);
        if self.bare {
            // Folded::forces and rates with the zero terms dropped (x + 0 = x, so the results
            // are those of the full expressions).
            for l in 0..L {
                let (tl, cp, sp) = (t[l], y[2][l], y[3][l]);
                let s = if tl < 0.0 || tl > duration[l] { 0.0 } else { 1.0 };
                let fa = k.a_jc * (amp[l] * s) * cp;
                let fb = k.b_sc * sp * cp + k.b_s * sp;
                let (qd, pd) = k.rates(fa, fb);
                out[0][l] = qd;
                out[1][l] = pd;
                out[2][l] = -sp * pd;
                out[3][l] = cp * pd;
            }
            return;
        }
        if self.plain && self.rectangular {
            // PulseShape::shape with rise = fall = 0: the plateau ends at the duration.
            for l in 0..L {
                let tl = t[l];
                let s = if tl < 0.0 || tl > duration[l] { 0.0 } else { 1.0 };
                j[l] = amp[l] * s;
                hy[l] = hy0[l] + if m.oersted { -j[l] * m.t_hm / 2.0 } else { 0.0 };
            }
        } else if self.plain {
            // PulseShape::shape and force_inputs as selects, so that the lanes vectorise.
            for l in 0..L {
                let tl = t[l];
                let s = if tl < 0.0 || tl > duration[l] {
                    0.0
                } else if tl < rise[l] {
                    tl / rise[l]
                } else if tl <= plateau_end[l] {
                    1.0
                } else {
                    ((duration[l] - tl) / fall[l]).max(0.0)
                };
                j[l] = amp[l] * s;
                hy[l] = hy0[l] + if m.oersted { -j[l] * m.t_hm / 2.0 } else { 0.0 };
            }
        } else {
            for l in 0..L {
                let x = m.force_inputs(t[l], y[0][l], y[2][l], y[3][l], self.drives[job[l]]);
                (j[l], hy[l], hz[l], f_pin[l], f_geo[l]) = (x.j, x.hy, x.hz, x.f_pin, x.f_geo);
            }
        }
        for l in 0..L {
            let (cp, sp) = (y[2][l], y[3][l]);
            let (fa, fb) = k.forces(j[l], hx[l], hy[l], hz[l], f_pin[l], f_geo[l], cp, sp);
            let (qd, pd) = k.rates(fa, fb);
            out[0][l] = qd;
            out[1][l] = pd;
            out[2][l] = -sp * pd;
            out[3][l] = cp * pd;
        }
    }
}

/// [`dopri45_lanes`] on the wall system, one lane for a single run, [`WALL_LANES`] otherwise;
/// compiled a second time for AVX2 and used where the CPU has it. Both builds do the same
/// IEEE operations in the same order (Rust never fuses a multiply and an add on its own), so
/// the results do not depend on the CPU (tested).
pub(super) fn solve_lanes(system: &WallLanes<'_>, jobs: &[LaneJob<4>], tol: &Tolerances<4>) -> Vec<LaneOutcome<4>> {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has just been found to support AVX2.
        return unsafe { solve_lanes_avx2(system, jobs, tol) };
    }
    solve_lanes_portable(system, jobs, tol)
}

#[inline(always)]
fn solve_lanes_portable(system: &WallLanes<'_>, jobs: &[LaneJob<4>], tol: &Tolerances<4>) -> Vec<LaneOutcome<4>> {
    if jobs.len() == 1 {
        dopri45_lanes::<4, DRIVE_PARAMS, 1, _>(system, jobs, tol, renormalise)
    } else {
        dopri45_lanes::<4, DRIVE_PARAMS, WALL_LANES, _>(system, jobs, tol, renormalise)
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn solve_lanes_avx2(system: &WallLanes<'_>, jobs: &[LaneJob<4>], tol: &Tolerances<4>) -> Vec<LaneOutcome<4>> {
    solve_lanes_portable(system, jobs, tol)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::PulseShape;
    use crate::material::find_builtin;
    use crate::wall::run::{deterministic_tolerances, segment_marks, RunOptions};

    /// The AVX2 build of the lane integrator (where the CPU has it) and the portable build give
    /// the same bits: results do not depend on the machine's vector width.
    #[test]
    fn vector_builds_agree_bit_for_bit() {
        let model = WallModel::from_material(&find_builtin("ta-cofeb-mgo").unwrap(), 1e-6, 1.0);
        let drives: Vec<Drive> = (0..37)
            .map(|k| Drive {
                hz: 100.0 * f64::from(k % 5),
                ..Drive::current(2e10 + 3e9 * f64::from(k), PulseShape::rectangular(5e-9))
            })
            .collect();
        let jobs: Vec<LaneJob<4>> = drives
            .iter()
            .map(|d| LaneJob {
                t0: 0.0,
                y0: [0.0, 0.1, 0.1f64.cos(), 0.1f64.sin()],
                marks: segment_marks(d, 6e-9),
            })
            .collect();
        let system = WallLanes::new(&model, drives.iter().collect());
        let tol = deterministic_tolerances(&RunOptions::default());
        let dispatched = solve_lanes(&system, &jobs, &tol);
        let portable = solve_lanes_portable(&system, &jobs, &tol);
        for (a, b) in dispatched.iter().zip(&portable) {
            assert_eq!(a.y.map(f64::to_bits), b.y.map(f64::to_bits));
            assert_eq!(a.rhs_evals, b.rhs_evals);
        }
    }
}
