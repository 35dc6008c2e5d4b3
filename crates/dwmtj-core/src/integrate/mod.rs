//! ODE/SDE integrators for small fixed-size systems.
//!
//! * [`dopri45`]: Dormand-Prince 5(4) with FSAL, per-component absolute and a relative
//!   tolerance (error norm as in Hairer-Norsett-Wanner and SciPy's `solve_ivp`: RMS of
//!   err_i / (atol_i + rtol max(|y_i|, |y_new_i|))), accepted when below 1, step factor 0.9 err^(-1/5)
//!   in [0.2, 10] and no growth on the step that follows a rejection (SciPy's RK45 controller), and
//!   event location (a sign change of g(t, y) is bracketed by the step and refined by bisection
//!   on cubic Hermite interpolation between the step ends).
//! * [`rk4`]: the classical fixed-step fourth-order method, used as an independent check.
//! * [`lanes::dopri45_lanes`]: the same Dormand-Prince method on L independent problems in
//!   lock-step (one problem per SIMD lane), each lane with its own step size and bitwise the
//!   same result as [`dopri45`] alone.
//! * [`heun_step`]: stochastic Heun for additive noise (Stratonovich = Ito here), with the same
//!   noise increment in predictor and corrector.

pub mod lanes;

/// An event function g(t, y): integration stops where it changes sign.
pub type EventFn<'a, const N: usize> = &'a dyn Fn(f64, &[f64; N]) -> f64;

/// Tolerances and limits of the adaptive integrator.
#[derive(Clone, Copy, Debug)]
pub struct Tolerances<const N: usize> {
    /// Relative tolerance.
    pub rtol: f64,
    /// Absolute tolerance of each component.
    pub atol: [f64; N],
    /// Largest step (s); infinite if unbounded.
    pub h_max: f64,
    /// Most step attempts (accepted and rejected) per integration (per segment in the lanes).
    pub max_steps: usize,
    /// Only the first `controlled` components enter the error norm (the rest are auxiliary,
    /// e.g. cos and sin of an angle that is itself controlled). N for all.
    pub controlled: usize,
}

/// Result of an adaptive integration.
#[derive(Clone, Debug)]
pub struct Solution<const N: usize> {
    /// Time reached: t1, the event time, or where the step limit stopped it.
    pub t: f64,
    /// State at `t`.
    pub y: [f64; N],
    /// Right-hand-side evaluations.
    pub rhs_evals: usize,
    /// Accepted steps.
    pub steps: usize,
    /// Rejected steps.
    pub rejected: usize,
    /// Time of the first event (g crossing zero), where integration stopped.
    pub event: Option<f64>,
}

fn axpy<const N: usize>(y: &[f64; N], h: f64, terms: &[(f64, &[f64; N])]) -> [f64; N] {
    let mut out = *y;
    for (c, k) in terms {
        for i in 0..N {
            out[i] += h * c * k[i];
        }
    }
    out
}

/// Cubic Hermite interpolation between (t0, y0, f0) and (t1, y1, f1).
fn hermite<const N: usize>(t0: f64, y0: &[f64; N], f0: &[f64; N], t1: f64, y1: &[f64; N], f1: &[f64; N], t: f64) -> [f64; N] {
    let h = t1 - t0;
    let s = (t - t0) / h;
    let (h00, h10, h01, h11) = (
        2.0 * s.powi(3) - 3.0 * s * s + 1.0,
        s.powi(3) - 2.0 * s * s + s,
        -2.0 * s.powi(3) + 3.0 * s * s,
        s.powi(3) - s * s,
    );
    let mut out = [0.0; N];
    for i in 0..N {
        out[i] = h00 * y0[i] + h10 * h * f0[i] + h01 * y1[i] + h11 * h * f1[i];
    }
    out
}

/// First half of the initial-step heuristic (Hairer-Norsett-Wanner II.4, as in SciPy): the probe
/// step h0 and the scaled derivative norm d1. The caller evaluates f at (t + h0, y + h0 f).
fn initial_probe<const N: usize>(y: &[f64; N], k1: &[f64; N], tol: &Tolerances<N>, span: f64) -> (f64, f64) {
    let nc = tol.controlled.clamp(1, N);
    let scale = |i: usize| tol.atol[i] + tol.rtol * y[i].abs().max(y[i].abs());
    let d0 = (0..nc).map(|i| (y[i] / scale(i)).powi(2)).sum::<f64>().sqrt() / (nc as f64).sqrt();
    let d1 = (0..nc).map(|i| (k1[i] / scale(i)).powi(2)).sum::<f64>().sqrt() / (nc as f64).sqrt();
    let h0 = if d0 < 1e-5 || d1 < 1e-5 { 1e-6 * span } else { 0.01 * d0 / d1 };
    (h0, d1)
}

/// Second half of the heuristic: the first step from the probe's derivative `k`.
fn initial_step<const N: usize>(y: &[f64; N], k1: &[f64; N], k: &[f64; N], h0: f64, d1: f64, tol: &Tolerances<N>, span: f64) -> f64 {
    let nc = tol.controlled.clamp(1, N);
    let scale = |i: usize| tol.atol[i] + tol.rtol * y[i].abs().max(y[i].abs());
    let d2 = (0..nc).map(|i| ((k[i] - k1[i]) / scale(i)).powi(2)).sum::<f64>().sqrt() / (nc as f64).sqrt() / h0;
    let h1 = if d1 <= 1e-15 && d2 <= 1e-15 {
        (h0 * 1e-3).max(1e-6 * span)
    } else {
        (0.01 / d1.max(d2)).powf(0.2)
    };
    (100.0 * h0).min(h1).min(tol.h_max).min(span)
}

/// The Dormand-Prince 5(4) tableau (Dormand & Prince, J. Comput. Appl. Math. 6, 19 (1980)),
/// the one every RK45 of dwmtj uses (this module, [`lanes`] and the micromagnetic solver).
/// Rows of `A` are padded with zeros; the last row is the fifth-order solution (FSAL).
pub mod dormand_prince {
    /// Nodes c_i.
    pub const C: [f64; 7] = [0.0, 1.0 / 5.0, 3.0 / 10.0, 4.0 / 5.0, 8.0 / 9.0, 1.0, 1.0];
    /// Stage weights a_ij (j < i).
    pub const A: [[f64; 6]; 7] = [
        [0.0; 6],
        [1.0 / 5.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        [3.0 / 40.0, 9.0 / 40.0, 0.0, 0.0, 0.0, 0.0],
        [44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0, 0.0, 0.0, 0.0],
        [19372.0 / 6561.0, -25360.0 / 2187.0, 64448.0 / 6561.0, -212.0 / 729.0, 0.0, 0.0],
        [
            9017.0 / 3168.0,
            -355.0 / 33.0,
            46732.0 / 5247.0,
            49.0 / 176.0,
            -5103.0 / 18656.0,
            0.0,
        ],
        [35.0 / 384.0, 0.0, 500.0 / 1113.0, 125.0 / 192.0, -2187.0 / 6784.0, 11.0 / 84.0],
    ];
    /// Error weights b - b* (fifth minus fourth order), as exact rationals.
    pub const E: [f64; 7] = [
        71.0 / 57600.0,
        0.0,
        -71.0 / 16695.0,
        71.0 / 1920.0,
        -17253.0 / 339200.0,
        22.0 / 525.0,
        -1.0 / 40.0,
    ];
}

use dormand_prince::{A, C, E};
const C2: f64 = C[1];
const C3: f64 = C[2];
const C4: f64 = C[3];
const C5: f64 = C[4];
const A21: f64 = A[1][0];
const A31: f64 = A[2][0];
const A32: f64 = A[2][1];
const A41: f64 = A[3][0];
const A42: f64 = A[3][1];
const A43: f64 = A[3][2];
const A51: f64 = A[4][0];
const A52: f64 = A[4][1];
const A53: f64 = A[4][2];
const A54: f64 = A[4][3];
const A61: f64 = A[5][0];
const A62: f64 = A[5][1];
const A63: f64 = A[5][2];
const A64: f64 = A[5][3];
const A65: f64 = A[5][4];
const B1: f64 = A[6][0];
const B3: f64 = A[6][2];
const B4: f64 = A[6][3];
const B5: f64 = A[6][4];
const B6: f64 = A[6][5];
const E1: f64 = E[0];
const E3: f64 = E[2];
const E4: f64 = E[3];
const E5: f64 = E[4];
const E6: f64 = E[5];
const E7: f64 = E[6];

/// Integrate y' = f(t, y) from t0 to t1 (t1 > t0), stopping early at the first zero crossing of
/// `event` if given.
pub fn dopri45<const N: usize>(
    mut f: impl FnMut(f64, &[f64; N]) -> [f64; N],
    t0: f64,
    y0: [f64; N],
    t1: f64,
    tol: &Tolerances<N>,
    event: Option<EventFn<'_, N>>,
    mut record: Option<&mut Vec<(f64, [f64; N])>>,
) -> Solution<N> {
    let mut t = t0;
    let mut y = y0;
    let mut k1 = f(t, &y);
    let mut nfev = 1;
    let scale = |y: &[f64; N], yn: &[f64; N], i: usize| tol.atol[i] + tol.rtol * y[i].abs().max(yn[i].abs());
    let mut h = {
        let (h0, d1) = initial_probe(&y, &k1, tol, t1 - t0);
        let k = f(t + h0, &axpy(&y, h0, &[(1.0, &k1)]));
        nfev += 1;
        initial_step(&y, &k1, &k, h0, d1, tol, t1 - t0)
    };
    let (mut steps, mut rejected) = (0, 0);
    // The current step was rejected at least once (SciPy's `step_rejected`).
    let mut retried = false;
    let mut g_prev = event.map(|g| g(t, &y));
    while t < t1 && steps + rejected < tol.max_steps {
        let last = t + h >= t1;
        if last {
            h = t1 - t;
        }
        let k2 = f(t + C2 * h, &axpy(&y, h, &[(A21, &k1)]));
        let k3 = f(t + C3 * h, &axpy(&y, h, &[(A31, &k1), (A32, &k2)]));
        let k4 = f(t + C4 * h, &axpy(&y, h, &[(A41, &k1), (A42, &k2), (A43, &k3)]));
        let k5 = f(t + C5 * h, &axpy(&y, h, &[(A51, &k1), (A52, &k2), (A53, &k3), (A54, &k4)]));
        let k6 = f(t + h, &axpy(&y, h, &[(A61, &k1), (A62, &k2), (A63, &k3), (A64, &k4), (A65, &k5)]));
        let y_new = axpy(&y, h, &[(B1, &k1), (B3, &k3), (B4, &k4), (B5, &k5), (B6, &k6)]);
        let k7 = f(t + h, &y_new);
        nfev += 6;
        let err = {
            let mut acc = 0.0;
            let nc = tol.controlled.clamp(1, N);
            for i in 0..nc {
                let e = h * (E1 * k1[i] + E3 * k3[i] + E4 * k4[i] + E5 * k5[i] + E6 * k6[i] + E7 * k7[i]);
                acc += (e / scale(&y, &y_new, i)).powi(2);
            }
            (acc * (1.0 / nc as f64)).sqrt()
        };
        let factor = step_factor(err);
        if err < 1.0 {
            let t_new = if last { t1 } else { t + h };
            if let (Some(g), Some(gp)) = (event, g_prev) {
                let gn = g(t_new, &y_new);
                if gp.signum() != gn.signum() && gn != 0.0 || gn == 0.0 {
                    // Bisection on the Hermite interpolant.
                    let (mut a, mut b) = (t, t_new);
                    for _ in 0..60 {
                        let m = 0.5 * (a + b);
                        let ym = hermite(t, &y, &k1, t_new, &y_new, &k7, m);
                        if g(m, &ym).signum() == gp.signum() {
                            a = m;
                        } else {
                            b = m;
                        }
                    }
                    let te = 0.5 * (a + b);
                    let ye = hermite(t, &y, &k1, t_new, &y_new, &k7, te);
                    return Solution {
                        t: te,
                        y: ye,
                        rhs_evals: nfev,
                        steps: steps + 1,
                        rejected,
                        event: Some(te),
                    };
                }
                g_prev = Some(gn);
            }
            t = t_new;
            y = y_new;
            k1 = k7;
            steps += 1;
            if let Some(r) = record.as_deref_mut() {
                r.push((t, y));
            }
        } else {
            rejected += 1;
        }
        let ok = err < 1.0;
        h = (h * if retried || !ok { factor.min(1.0) } else { factor }).min(tol.h_max);
        retried = !ok;
    }
    Solution {
        t,
        y,
        rhs_evals: nfev,
        steps,
        rejected,
        event: None,
    }
}

/// The Dormand-Prince step-size factor 0.9 err^(-1/5), clamped to [0.2, 10] as in SciPy (10 for
/// err = 0, 0.2 for a NaN error). err^(-1/5) comes from a single-precision exponent-bit guess,
/// bits(y) = K - bits(err)/5 with K tuned for the smallest worst-case error (3.2 %), and three
/// Newton steps on y^-5 = err (relative error below 3e-9), not from libm's `pow`, which costs
/// as much as a right-hand side of the wall model. Branch-free, so that it vectorises across
/// lanes, and each Newton step is four multiplications deep.
#[inline(always)]
pub fn step_factor(err: f64) -> f64 {
    // Outside [5.8e-6, 2000] the clamp decides the factor anyway.
    let x = err.clamp(5.8e-6, 2000.0);
    let mut y = f64::from(f32::from_bits(1_277_930_359 - (x as f32).to_bits() / 5));
    for _ in 0..3 {
        // y (6 - x y^5) / 5, grouped for a short dependency chain.
        let (xy, y2) = (x * y, y * y);
        y = (0.2 * y) * (6.0 - xy * (y2 * y2));
    }
    let f = (0.9 * y).clamp(0.2, 10.0);
    if err.is_nan() {
        0.2
    } else {
        f
    }
}

/// Classical RK4 with `n` equal steps from t0 to t1.
pub fn rk4<const N: usize>(mut f: impl FnMut(f64, &[f64; N]) -> [f64; N], t0: f64, y0: [f64; N], t1: f64, n: usize) -> [f64; N] {
    let h = (t1 - t0) / n as f64;
    let mut y = y0;
    for k in 0..n {
        let t = t0 + k as f64 * h;
        let k1 = f(t, &y);
        let k2 = f(t + 0.5 * h, &axpy(&y, 0.5 * h, &[(1.0, &k1)]));
        let k3 = f(t + 0.5 * h, &axpy(&y, 0.5 * h, &[(1.0, &k2)]));
        let k4 = f(t + h, &axpy(&y, h, &[(1.0, &k3)]));
        y = axpy(&y, h / 6.0, &[(1.0, &k1), (2.0, &k2), (2.0, &k3), (1.0, &k4)]);
    }
    y
}

/// One stochastic Heun step for dy = f(t, y, xi) dt with additive noise `xi` held fixed over
/// the step (the caller draws it with variance ~ 1/dt): predictor and corrector see the same
/// noise, so the scheme converges to the Stratonovich solution.
pub fn heun_step<const N: usize>(f: &mut impl FnMut(f64, &[f64; N]) -> [f64; N], t: f64, y: &[f64; N], dt: f64) -> [f64; N] {
    let k1 = f(t, y);
    let yp = axpy(y, dt, &[(1.0, &k1)]);
    let k2 = f(t + dt, &yp);
    axpy(y, 0.5 * dt, &[(1.0, &k1), (1.0, &k2)])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tol(rtol: f64) -> Tolerances<2> {
        Tolerances {
            rtol,
            atol: [1e-12, 1e-12],
            h_max: f64::INFINITY,
            max_steps: 1_000_000,
            controlled: 2,
        }
    }

    #[test]
    fn step_factor_matches_the_power_law() {
        let mut worst: f64 = 0.0;
        for k in 0..=4000 {
            let err = 10f64.powf(-6.0 + 10.0 * f64::from(k) / 4000.0);
            let exact = (0.9 * err.powf(-0.2)).clamp(0.2, 10.0);
            worst = worst.max((step_factor(err) / exact - 1.0).abs());
        }
        assert!(worst < 5e-9, "{worst}");
        assert!((step_factor(0.0) - 10.0).abs() < 1e-15 && (step_factor(f64::NAN) - 0.2).abs() < 1e-15);
    }

    #[test]
    fn harmonic_oscillator_to_tolerance() {
        // y'' = -y: y = cos t after 10 periods.
        let f = |_t: f64, y: &[f64; 2]| [y[1], -y[0]];
        let t1 = 20.0 * std::f64::consts::PI;
        let s = dopri45(f, 0.0, [1.0, 0.0], t1, &tol(1e-10), None, None);
        assert!((s.y[0] - 1.0).abs() < 1e-7 && s.y[1].abs() < 1e-7, "{:?}", s.y);
        let r = rk4(f, 0.0, [1.0, 0.0], t1, 20000);
        assert!((r[0] - 1.0).abs() < 1e-9);
    }

    #[test]
    fn error_scales_with_tolerance() {
        let f = |_t: f64, y: &[f64; 2]| [y[1], -y[0]];
        let e = |rtol| {
            let s = dopri45(f, 0.0, [1.0, 0.0], 10.0, &tol(rtol), None, None);
            (s.y[0] - 10f64.cos()).abs()
        };
        assert!(e(1e-6) > e(1e-9) && e(1e-9) < 1e-7);
    }

    #[test]
    fn event_located() {
        // Falling body from 1 m at g = 1: hits zero at t = sqrt(2).
        let f = |_t: f64, y: &[f64; 2]| [y[1], -1.0];
        let g = |_t: f64, y: &[f64; 2]| y[0];
        let s = dopri45(f, 0.0, [1.0, 0.0], 10.0, &tol(1e-10), Some(&g), None);
        assert!((s.event.unwrap() - 2f64.sqrt()).abs() < 1e-9);
    }

    #[test]
    fn heun_is_second_order_without_noise() {
        let mut f = |_t: f64, y: &[f64; 2]| [y[1], -y[0]];
        let run = |n: usize, f: &mut dyn FnMut(f64, &[f64; 2]) -> [f64; 2]| {
            let mut ff = |t: f64, y: &[f64; 2]| f(t, y);
            let dt = 1.0 / n as f64;
            let mut y = [1.0, 0.0];
            for k in 0..n {
                y = heun_step(&mut ff, k as f64 * dt, &y, dt);
            }
            (y[0] - 1f64.cos()).abs()
        };
        let (e1, e2) = (run(100, &mut f), run(200, &mut f));
        assert!((e1 / e2 - 4.0).abs() < 0.2, "{e1} {e2}");
    }
}
