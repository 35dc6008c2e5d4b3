//! Single wall runs: deterministic (adaptive RK45, alone or many in lanes) and thermal
//! (stochastic Heun).

use super::lanes::{solve_lanes, WallLanes};
use super::model::{Drive, WallModel};
use crate::integrate::lanes::{LaneJob, LaneOutcome};
use crate::integrate::{dopri45, heun_step, Tolerances};
use rand::Rng;
use rand_distr::StandardNormal;

/// Options of a wall run.
#[derive(Clone, Copy, Debug)]
pub struct RunOptions {
    /// End time (s); default the pulse duration.
    pub t_end: f64,
    /// Relative tolerance of the adaptive integrator.
    pub rtol: f64,
    /// Absolute tolerances for q (m) and phi (rad).
    pub atol: [f64; 2],
    /// Fixed step of the stochastic Heun integrator (s).
    pub dt_thermal: f64,
    /// Samples of the trajectory to record (0 = none).
    pub samples: usize,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            t_end: f64::NAN,
            rtol: 1e-8,
            atol: [1e-18, 1e-12],
            dt_thermal: 1e-12,
            samples: 0,
        }
    }
}

/// Outcome of one wall run.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct WallOutcome {
    /// Displacement q(t_end) - q0, m.
    pub displacement_m: f64,
    /// q-dot at the end time, with the drive as it is just before that time (m/s).
    pub final_velocity_m_per_s: f64,
    /// Wall angle phi at the end time (unwrapped), rad.
    pub phi_rad: f64,
    /// Right-hand-side evaluations.
    pub rhs_evals: usize,
    /// Integrator steps (accepted steps; every step for thermal runs).
    pub steps: usize,
    /// False if the adaptive integrator stopped at its step limit before the end time.
    pub completed: bool,
    /// (t, q, phi) samples.
    #[serde(skip)]
    pub trajectory: Vec<(f64, f64, f64)>,
}

fn end_time(drive: &Drive, opts: &RunOptions) -> f64 {
    if opts.t_end.is_finite() {
        opts.t_end
    } else {
        drive.pulse.duration()
    }
}

pub(super) fn deterministic_tolerances(opts: &RunOptions) -> Tolerances<4> {
    Tolerances {
        rtol: opts.rtol,
        atol: [opts.atol[0], opts.atol[1], opts.atol[1], opts.atol[1]],
        h_max: f64::INFINITY,
        max_steps: 10_000_000,
        // (cos, sin) are functions of the controlled phi.
        controlled: 2,
    }
}

/// Segment ends: the pulse's kinks before the end time, then the end time.
pub(super) fn segment_marks(drive: &Drive, t_end: f64) -> Vec<f64> {
    let mut marks: Vec<f64> = drive.breakpoints().into_iter().filter(|&t| t < t_end).collect();
    marks.push(t_end);
    marks
}

/// Keep (cos, sin) on the unit circle between segments.
pub(super) fn renormalise(y: &mut [f64; 4]) {
    let r = y[2].hypot(y[3]);
    y[2] /= r;
    y[3] /= r;
}

/// The outcome of a run that ended in state `end` at t_end.
fn outcome(model: &WallModel, drive: &Drive, q0: f64, t_end: f64, end: &LaneOutcome<4>) -> WallOutcome {
    let y = [end.y[0], end.y[1]];
    // Velocity with the drive just before t_end (left limit at a pulse edge).
    let v = model.rhs(t_end * (1.0 - 1e-12), &y, drive)[0];
    WallOutcome {
        displacement_m: y[0] - q0,
        final_velocity_m_per_s: v,
        phi_rad: y[1],
        rhs_evals: end.rhs_evals,
        steps: end.steps,
        completed: end.completed,
        trajectory: Vec::new(),
    }
}

/// Deterministic run (T ignored) with adaptive RK45, piecewise across the pulse's kinks.
pub fn run_deterministic(model: &WallModel, drive: &Drive, q0: f64, phi0: f64, opts: &RunOptions) -> WallOutcome {
    if opts.samples == 0 {
        return run_deterministic_many(model, &[(*drive, q0, phi0)], opts).remove(0);
    }
    let t_end = end_time(drive, opts);
    let tol = deterministic_tolerances(opts);
    let (s0, c0) = phi0.sin_cos();
    let mut y = [q0, phi0, c0, s0];
    let (mut t, mut nfev, mut steps) = (0.0, 0, 0);
    let mut record: Vec<(f64, [f64; 4])> = Vec::new();
    let mut completed = true;
    for tb in segment_marks(drive, t_end) {
        if tb <= t {
            continue;
        }
        let s = dopri45(|tt, yy| model.rhs_cs(tt, yy, drive), t, y, tb, &tol, None, Some(&mut record));
        nfev += s.rhs_evals;
        steps += s.steps;
        y = s.y;
        renormalise(&mut y);
        if s.t < tb {
            completed = false;
            break;
        }
        t = tb;
    }
    let end = LaneOutcome {
        t,
        y,
        rhs_evals: nfev,
        steps,
        completed,
    };
    let mut out = outcome(model, drive, q0, t_end, &end);
    out.trajectory = std::iter::once((0.0, q0, phi0))
        .chain(record.iter().map(|(t, y)| (*t, y[0], y[1])))
        .collect();
    out
}

/// Many deterministic runs of one model, each `(drive, q0, phi0)` with the options' tolerances
/// (no trajectories recorded): [`WALL_LANES`](super::WALL_LANES) at a time in lock-step, each result bitwise that
/// of [`run_deterministic`] on its own.
pub fn run_deterministic_many(model: &WallModel, runs: &[(Drive, f64, f64)], opts: &RunOptions) -> Vec<WallOutcome> {
    let jobs: Vec<LaneJob<4>> = runs
        .iter()
        .map(|(drive, q0, phi0)| {
            let (s0, c0) = phi0.sin_cos();
            LaneJob {
                t0: 0.0,
                y0: [*q0, *phi0, c0, s0],
                marks: segment_marks(drive, end_time(drive, opts)),
            }
        })
        .collect();
    let system = WallLanes::new(model, runs.iter().map(|r| &r.0).collect());
    let solved = solve_lanes(&system, &jobs, &deterministic_tolerances(opts));
    solved
        .iter()
        .zip(runs)
        .map(|(s, (drive, q0, _))| outcome(model, drive, *q0, end_time(drive, opts), s))
        .collect()
}

/// Thermal run with stochastic Heun at fixed dt (noise drawn from `rng`).
pub fn run_thermal<R: Rng>(model: &WallModel, drive: &Drive, q0: f64, phi0: f64, opts: &RunOptions, rng: &mut R) -> WallOutcome {
    let t_end = if opts.t_end.is_finite() {
        opts.t_end
    } else {
        drive.pulse.duration()
    };
    let n = (t_end / opts.dt_thermal).ceil().max(1.0) as usize;
    let dt = t_end / n as f64;
    let mut y = [q0, phi0];
    let every = n.checked_div(opts.samples).map_or(usize::MAX, |k| k.max(1));
    let mut traj = vec![(0.0, q0, phi0)];
    let k = model.folded();
    for step in 0..n {
        let t = step as f64 * dt;
        let sd = model.thermal_force_std(y[0], dt);
        let (na, nb): (f64, f64) = (rng.sample(StandardNormal), rng.sample(StandardNormal));
        let (fa_th, fb_th) = (sd * na, sd * nb);
        let mut f = |tt: f64, yy: &[f64; 2]| {
            let (sp, cp) = yy[1].sin_cos();
            let (fa, fb) = k.forces_at(&model.force_inputs(tt, yy[0], cp, sp, drive), cp, sp);
            let (qd, pd) = k.rates(fa + fa_th, fb + fb_th);
            [qd, pd]
        };
        y = heun_step(&mut f, t, &y, dt);
        if (step + 1) % every == 0 {
            traj.push(((step + 1) as f64 * dt, y[0], y[1]));
        }
    }
    let v = model.rhs(t_end * (1.0 - 1e-12), &y, drive)[0];
    WallOutcome {
        displacement_m: y[0] - q0,
        final_velocity_m_per_s: v,
        phi_rad: y[1],
        rhs_evals: 2 * n,
        steps: n,
        completed: true,
        trajectory: traj,
    }
}
