//! Time integration of the LLG equation.
//!
//! * Dormand-Prince RK45 (adaptive, FSAL), mumax3's controller: error = max over cells and
//!   components of |m5 - m4| / (max_err + rel_err |m|) (the torque difference times dt against
//!   the absolute and relative tolerances), accepted when <= 1; the next step is
//!   dt (max_err/err)^(1/5) x 0.8 clamped to [0.5, 2] of the last one (failures shrink by the
//!   1/6 power); m is renormalised after every accepted step. (Dormand & Prince, J. Comput. Appl.
//!   Math. 6, 19 (1980); mumax3 engine/rk45dp.go.)
//! * Bogacki-Shampine RK23 (adaptive, same controller with exponents 1/3 and 1/4).
//! * Classical RK4 (fixed step), with a thermal field held over the step like Heun's.
//! * At finite temperature the adaptive methods hold one thermal field per attempted step
//!   (drawn for that dt, redrawn after a rejection) and evaluate the first stage afresh (FSAL
//!   off).
//! * Heun (fixed step), the integrator to use with a thermal field: the field is drawn once per
//!   step from a stream keyed by (seed, step) and held over both stages (Stratonovich).
//! * Relaxation: integrate with the system's damping until the largest torque |m x B| falls
//!   below a threshold (tesla).

use crate::system::{zeros, Field3, System};

/// Adaptive method.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Method {
    /// Dormand-Prince 5(4), FSAL.
    Rk45,
    /// Runge-Kutta-Fehlberg 4(5), fifth-order solution (magnum.np's default).
    Rkf45,
    /// Bogacki-Shampine 3(2), adaptive.
    Rk23,
    /// Heun at a fixed step (a thermal field is held over both stages).
    Heun,
    /// Classical fourth-order Runge-Kutta at a fixed step (thermal field held over the step).
    Rk4,
}

/// Integrator settings: method, tolerances and step limits.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SolverParams {
    /// The integration method.
    pub method: Method,
    /// Absolute tolerance on each component of m per step.
    pub max_err: f64,
    /// Relative tolerance: a component's error is measured against max_err + rel_err |m_a|.
    pub rel_err: f64,
    /// First step, s (the step itself for the fixed-step methods).
    pub dt_init: f64,
    /// Smallest step, s: an adaptive step this short is accepted whatever its error.
    pub dt_min: f64,
    /// Largest adaptive step, s.
    pub dt_max: f64,
}

impl Default for SolverParams {
    fn default() -> Self {
        Self {
            method: Method::Rk45,
            max_err: 1e-5,
            rel_err: 0.0,
            dt_init: 1e-14,
            dt_min: 1e-18,
            dt_max: 1e-11,
        }
    }
}

/// Counters of a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Stats {
    /// Accepted steps.
    pub steps: u64,
    /// Rejected (repeated) steps.
    pub rejected: u64,
    /// Evaluations of the LLG right-hand side.
    pub rhs_evals: u64,
}

/// Integrator state: the magnetisation, time, next step and scratch.
pub struct Integrator {
    /// The magnetisation.
    pub m: Field3,
    /// Time, s.
    pub t: f64,
    /// The next step, s.
    pub dt: f64,
    /// The settings.
    pub params: SolverParams,
    /// The counters.
    pub stats: Stats,
    k: Vec<Field3>,
    tmp: Field3,
    b: Field3,
    fsal_valid: bool,
}

/// out = m + sum c_i k_i on the magnetic cells (0 elsewhere), block by block so that each
/// term is one vectorised pass over a block that stays in cache.
fn axpy_into(out: &mut Field3, m: &Field3, terms: &[(f64, &Field3)], mask: &[bool]) {
    use rayon::prelude::*;
    const BLOCK: usize = 2048;
    for a in 0..3 {
        out[a].par_chunks_mut(BLOCK).enumerate().for_each(|(b, o)| {
            let r = b * BLOCK..b * BLOCK + o.len();
            o.copy_from_slice(&m[a][r.clone()]);
            for (c, k) in terms {
                for (v, x) in o.iter_mut().zip(&k[a][r.clone()]) {
                    *v += c * x;
                }
            }
            for (v, &on) in o.iter_mut().zip(&mask[r]) {
                if !on {
                    *v = 0.0;
                }
            }
        });
    }
}

fn normalise(m: &mut Field3, mask: &[bool]) {
    use rayon::prelude::*;
    let [x, y, z] = m;
    x.par_iter_mut()
        .zip(y.par_iter_mut())
        .zip(z.par_iter_mut())
        .zip(mask.par_iter())
        .with_min_len(4096)
        .for_each(|(((x, y), z), &on)| {
            if on {
                let r = (*x * *x + *y * *y + *z * *z).sqrt();
                *x /= r;
                *y /= r;
                *z /= r;
            }
        });
}

/// Everything of an integrator that its next steps depend on: with it a run continues exactly as
/// if it had not stopped (the thermal streams are keyed by the step counters; the FSAL slope is
/// kept because it was taken before the last renormalisation).
#[derive(Clone, Debug, PartialEq)]
pub struct IntegratorState {
    /// The magnetisation.
    pub m: Field3,
    /// Time, s.
    pub t: f64,
    /// The next step, s.
    pub dt: f64,
    /// The counters.
    pub stats: Stats,
    /// The first-stage slope carried over to the next step (FSAL), if valid.
    pub fsal: Option<Field3>,
}

impl Integrator {
    /// A copy of the state the next steps depend on.
    pub fn state(&self) -> IntegratorState {
        IntegratorState {
            m: self.m.clone(),
            t: self.t,
            dt: self.dt,
            stats: self.stats,
            fsal: self.fsal_valid.then(|| self.k[0].clone()),
        }
    }

    /// Continue from `state` (of an integrator with the same method and mesh).
    pub fn restore(&mut self, state: IntegratorState) {
        self.m = state.m;
        self.t = state.t;
        self.dt = state.dt;
        self.stats = state.stats;
        self.fsal_valid = state.fsal.is_some();
        if let Some(k) = state.fsal {
            self.k[0] = k;
        }
    }

    /// An integrator starting from m at t = 0 with the step `params.dt_init`.
    pub fn new(m: Field3, params: SolverParams) -> Self {
        let n = m[0].len();
        let stages = match params.method {
            Method::Rk45 => 7,
            Method::Rk23 => 4,
            Method::Rkf45 => 6,
            Method::Heun => 2,
            Method::Rk4 => 4,
        };
        Self {
            dt: params.dt_init,
            m,
            t: 0.0,
            params,
            stats: Stats::default(),
            k: (0..stages).map(|_| zeros(n)).collect(),
            tmp: zeros(n),
            b: zeros(n),
            fsal_valid: false,
        }
    }

    fn eval(&mut self, sys: &System, stage: usize, from_tmp: bool, t: f64, drive: f64, thermal: Option<&Field3>) {
        let src = if from_tmp { &self.tmp } else { &self.m };
        let mut k = std::mem::take(&mut self.k[stage]);
        sys.rhs_with(src, t, drive, thermal, &mut self.b, &mut k);
        self.k[stage] = k;
        self.stats.rhs_evals += 1;
    }

    /// One attempted adaptive step (or one fixed Heun step); returns true if accepted.
    /// `drive(t)` scales the current (pulse shape).
    pub fn step(&mut self, sys: &System, drive: &dyn Fn(f64) -> f64) -> bool {
        let mask = &sys.mesh.mask;
        let dt = self.dt;
        let t = self.t;
        match self.params.method {
            Method::Heun => {
                let thermal = self.thermal_field(sys, dt);
                let mut k = std::mem::take(&mut self.k[0]);
                sys.rhs_with(&self.m, t, drive(t), thermal.as_ref(), &mut self.b, &mut k);
                self.k[0] = k;
                self.stats.rhs_evals += 1;
                let k0 = std::mem::take(&mut self.k[0]);
                axpy_into(&mut self.tmp, &self.m, &[(dt, &k0)], mask);
                self.k[0] = k0;
                let mut k = std::mem::take(&mut self.k[1]);
                sys.rhs_with(&self.tmp, t + dt, drive(t + dt), thermal.as_ref(), &mut self.b, &mut k);
                self.k[1] = k;
                self.stats.rhs_evals += 1;
                let (k0, k1) = (std::mem::take(&mut self.k[0]), std::mem::take(&mut self.k[1]));
                let mut next = zeros(self.m[0].len());
                axpy_into(&mut next, &self.m, &[(0.5 * dt, &k0), (0.5 * dt, &k1)], mask);
                self.k[0] = k0;
                self.k[1] = k1;
                normalise(&mut next, mask);
                self.m = next;
                self.t += dt;
                self.stats.steps += 1;
                true
            }
            Method::Rk4 => {
                let thermal = self.thermal_field(sys, dt);
                let th = thermal.as_ref();
                let n = self.m[0].len();
                // k1..k4 at t, t + dt/2, t + dt/2, t + dt.
                let nodes = [(0.0, 0.0), (0.5, 0.5), (0.5, 0.5), (1.0, 1.0)];
                for (i, &(c, a)) in nodes.iter().enumerate() {
                    let mut k = std::mem::take(&mut self.k[i]);
                    if i == 0 {
                        sys.rhs_with(&self.m, t, drive(t), th, &mut self.b, &mut k);
                    } else {
                        let prev = std::mem::take(&mut self.k[i - 1]);
                        axpy_into(&mut self.tmp, &self.m, &[(a * dt, &prev)], mask);
                        self.k[i - 1] = prev;
                        sys.rhs_with(&self.tmp, t + c * dt, drive(t + c * dt), th, &mut self.b, &mut k);
                    }
                    self.k[i] = k;
                    self.stats.rhs_evals += 1;
                }
                let mut next = zeros(n);
                {
                    let ks: Vec<&Field3> = self.k.iter().collect();
                    let w = dt / 6.0;
                    axpy_into(
                        &mut next,
                        &self.m,
                        &[(w, ks[0]), (2.0 * w, ks[1]), (2.0 * w, ks[2]), (w, ks[3])],
                        mask,
                    );
                }
                normalise(&mut next, mask);
                self.m = next;
                self.t += dt;
                self.stats.steps += 1;
                true
            }
            Method::Rk45 => self.step_tableau(sys, drive, &DP45, 5.0),
            Method::Rk23 => self.step_tableau(sys, drive, &BS23, 3.0),
            Method::Rkf45 => self.step_tableau(sys, drive, &RKF45, 5.0),
        }
    }

    /// The thermal field of this step attempt (None at T = 0): drawn from one stream per
    /// (step, rejections so far), so the same noise on any thread count.
    fn thermal_field(&self, sys: &System, dt: f64) -> Option<Field3> {
        use rand_distr::{Distribution, StandardNormal};
        (sys.params.temperature > 0.0).then(|| {
            let n = self.m[0].len();
            let mut f = zeros(n);
            let mut rng = dwmtj_core::stream::stream(sys.params.seed, self.stats.steps, 0x7E + (self.stats.rejected << 8));
            for a in 0..3 {
                for i in 0..n {
                    let g: f64 = StandardNormal.sample(&mut rng);
                    f[a][i] = if sys.mesh.mask[i] { sys.thermal_sigma_at(i, dt) * g } else { 0.0 };
                }
            }
            f
        })
    }

    fn step_tableau(&mut self, sys: &System, drive: &dyn Fn(f64) -> f64, tab: &Tableau, order: f64) -> bool {
        let mask = &sys.mesh.mask;
        let dt = self.dt;
        let t = self.t;
        let s = tab.c.len();
        // At finite temperature each attempt holds its own thermal field (drawn for this dt),
        // so the first stage cannot be reused from the last step (FSAL off).
        let thermal = self.thermal_field(sys, dt);
        let th = thermal.as_ref();
        if !self.fsal_valid || th.is_some() {
            self.eval(sys, 0, false, t, drive(t), th);
        }
        for i in 1..s {
            let ks: Vec<Field3> = (0..i).map(|j| std::mem::take(&mut self.k[j])).collect();
            let terms: Vec<(f64, &Field3)> = (0..i).filter(|&j| tab.a[i][j] != 0.0).map(|j| (dt * tab.a[i][j], &ks[j])).collect();
            axpy_into(&mut self.tmp, &self.m, &terms, mask);
            for (j, k) in ks.into_iter().enumerate() {
                self.k[j] = k;
            }
            self.eval(sys, i, true, t + tab.c[i] * dt, drive(t + tab.c[i] * dt), th);
        }
        // FSAL tableaux: the last stage's input is the higher-order solution and tmp holds it;
        // otherwise form it from the weights.
        if let Some(b) = tab.b {
            let ks: Vec<Field3> = (0..s).map(|j| std::mem::take(&mut self.k[j])).collect();
            let terms: Vec<(f64, &Field3)> = (0..s).filter(|&j| b[j] != 0.0).map(|j| (dt * b[j], &ks[j])).collect();
            axpy_into(&mut self.tmp, &self.m, &terms, mask);
            for (j, k) in ks.into_iter().enumerate() {
                self.k[j] = k;
            }
        }
        // Error: dt * sum (b_i - b*_i) k_i, max norm over cells.
        let ks: Vec<Field3> = (0..s).map(|j| std::mem::take(&mut self.k[j])).collect();
        let n = self.m[0].len();
        // The max norm is independent of the order of evaluation, so the parallel reduction
        // gives the same step sequence on any thread count.
        // Error norm: max over cells and components of |e_a| / (max_err + rel_err |m_a|), the
        // step accepted when it is <= 1. The max is independent of the order of evaluation, so
        // the parallel reduction gives the same steps on any thread count.
        let (atol, rtol) = (self.params.max_err, self.params.rel_err);
        let err: f64 = {
            use rayon::prelude::*;
            const BLOCK: usize = 2048;
            let ks = &ks;
            let m = &self.m;
            let nb = n.div_ceil(BLOCK);
            (0..nb)
                .into_par_iter()
                .map(|b| {
                    let r = b * BLOCK..(b * BLOCK + BLOCK).min(n);
                    let mut e = vec![0.0; r.len()];
                    let mut worst: f64 = 0.0;
                    for a in 0..3 {
                        e.iter_mut().for_each(|v| *v = 0.0);
                        for (j, k) in ks.iter().enumerate() {
                            let c = tab.e[j] * dt;
                            if c != 0.0 {
                                for (v, x) in e.iter_mut().zip(&k[a][r.clone()]) {
                                    *v += c * x;
                                }
                            }
                        }
                        for ((v, &mv), &on) in e.iter().zip(&m[a][r.clone()]).zip(&mask[r.clone()]) {
                            if on {
                                worst = worst.max(v.abs() / (atol + rtol * mv.abs()));
                            }
                        }
                    }
                    worst
                })
                .reduce(|| 0.0, f64::max)
        };
        for (j, k) in ks.into_iter().enumerate() {
            self.k[j] = k;
        }
        self.stats.rhs_evals += 0;
        let tol = 1.0;
        if err <= tol || dt <= self.params.dt_min {
            std::mem::swap(&mut self.m, &mut self.tmp);
            normalise(&mut self.m, mask);
            self.t += dt;
            self.stats.steps += 1;
            // FSAL: the last stage's slope is the next step's first (before renormalisation,
            // which changes m by O(err)); reuse it.
            if tab.b.is_none() {
                let last = s - 1;
                self.k.swap(0, last);
                self.fsal_valid = true;
            } else {
                self.fsal_valid = false;
            }
            let f = if err > 0.0 { HEADROOM * (tol / err).powf(1.0 / order) } else { 2.0 };
            self.dt = (dt * f.clamp(0.5, 2.0)).clamp(self.params.dt_min, self.params.dt_max);
            true
        } else {
            self.stats.rejected += 1;
            self.fsal_valid = true;
            // k[0] is still the slope at the start of the step.
            let f = HEADROOM * (tol / err).powf(1.0 / (order + 1.0));
            self.dt = (dt * f.clamp(0.1, 0.9)).max(self.params.dt_min);
            false
        }
    }

    /// Integrate to time `t_end` (steps land exactly on it; a fixed step is restored after
    /// the shortened last one).
    pub fn run_until(&mut self, sys: &System, t_end: f64, drive: &dyn Fn(f64) -> f64) {
        while self.t < t_end * (1.0 - 1e-12) {
            let remaining = t_end - self.t;
            let planned = self.dt;
            let shortened = planned > remaining;
            if shortened {
                self.dt = remaining;
            }
            self.step(sys, drive);
            let fixed = matches!(self.params.method, Method::Heun | Method::Rk4);
            if shortened && (fixed || self.dt < planned) {
                self.dt = planned;
            }
        }
    }

    /// The largest torque |m x B| (tesla) of the current state.
    pub fn max_torque(&mut self, sys: &System) -> f64 {
        sys.field(&self.m, &mut self.b);
        let mut t: f64 = 0.0;
        for i in 0..self.m[0].len() {
            if sys.mesh.mask[i] {
                let c = crate::system::cross(
                    [self.m[0][i], self.m[1][i], self.m[2][i]],
                    [self.b[0][i], self.b[1][i], self.b[2][i]],
                );
                t = t.max((c[0] * c[0] + c[1] * c[1] + c[2] * c[2]).sqrt());
            }
        }
        t
    }

    /// Relax (no drive) until the largest torque is below `torque` (T) or `t_max` passes. The
    /// state jitters at the level the error tolerance allows (a stiff exchange field turns
    /// 1e-5 of m into mT of torque), so whenever the torque stops falling the tolerance is
    /// halved, as mumax3's relax() does; it is restored at the end.
    pub fn relax(&mut self, sys: &System, torque: f64, t_max: f64) -> f64 {
        let t0 = self.t;
        let tol0 = self.params.max_err;
        let zero = |_: f64| 0.0;
        let mut best = f64::INFINITY;
        let tq = loop {
            for _ in 0..100 {
                self.step(sys, &zero);
            }
            let tq = self.max_torque(sys);
            if tq < torque || self.t - t0 > t_max {
                break tq;
            }
            if tq >= best {
                if self.params.max_err < 1e-12 {
                    break tq;
                }
                self.params.max_err *= 0.5;
            }
            best = best.min(tq);
        };
        self.params.max_err = tol0;
        tq
    }
}

/// Safety factor of the step-size controller (mumax3's 0.8; magnum.np uses 0.9, which changes
/// nothing here: the step is held by the stability limit, not the tolerance).
const HEADROOM: f64 = 0.8;

/// An explicit Runge-Kutta tableau with an embedded error estimate e = b - b*.
struct Tableau {
    c: &'static [f64],
    /// Rows padded with zeros (a_ij for j < i).
    a: &'static [[f64; 6]],
    e: &'static [f64],
    /// Weights of the propagated solution when it is not the last stage's input (None: an
    /// FSAL tableau, whose last stage is evaluated at the solution and reused next step).
    b: Option<&'static [f64]>,
}

/// Dormand-Prince 5(4), core's tableau (shared with the 1D model's RK45).
const DP45: Tableau = Tableau {
    c: &dwmtj_core::integrate::dormand_prince::C,
    a: &dwmtj_core::integrate::dormand_prince::A,
    e: &dwmtj_core::integrate::dormand_prince::E,
    b: None,
};

const BS23: Tableau = Tableau {
    c: &[0.0, 0.5, 0.75, 1.0],
    a: &[
        [0.0; 6],
        [0.5, 0.0, 0.0, 0.0, 0.0, 0.0],
        [0.0, 0.75, 0.0, 0.0, 0.0, 0.0],
        [2.0 / 9.0, 1.0 / 3.0, 4.0 / 9.0, 0.0, 0.0, 0.0],
    ],
    e: &[2.0 / 9.0 - 7.0 / 24.0, 1.0 / 3.0 - 0.25, 4.0 / 9.0 - 1.0 / 3.0, -0.125],
    b: None,
};

/// Runge-Kutta-Fehlberg 4(5) propagating the fifth-order solution, as magnum.np's RKF45 does
/// (Fehlberg, NASA TR R-315 (1969)); six evaluations per step, no FSAL.
const RKF45: Tableau = Tableau {
    c: &[0.0, 1.0 / 4.0, 3.0 / 8.0, 12.0 / 13.0, 1.0, 1.0 / 2.0],
    a: &[
        [0.0; 6],
        [1.0 / 4.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        [3.0 / 32.0, 9.0 / 32.0, 0.0, 0.0, 0.0, 0.0],
        [1932.0 / 2197.0, -7200.0 / 2197.0, 7296.0 / 2197.0, 0.0, 0.0, 0.0],
        [439.0 / 216.0, -8.0, 3680.0 / 513.0, -845.0 / 4104.0, 0.0, 0.0],
        [-8.0 / 27.0, 2.0, -3544.0 / 2565.0, 1859.0 / 4104.0, -11.0 / 40.0, 0.0],
    ],
    e: &[
        16.0 / 135.0 - 25.0 / 216.0,
        0.0,
        6656.0 / 12825.0 - 1408.0 / 2565.0,
        28561.0 / 56430.0 - 2197.0 / 4104.0,
        -9.0 / 50.0 + 1.0 / 5.0,
        2.0 / 55.0,
    ],
    b: Some(&[16.0 / 135.0, 0.0, 6656.0 / 12825.0, 28561.0 / 56430.0, -9.0 / 50.0, 2.0 / 55.0]),
};
