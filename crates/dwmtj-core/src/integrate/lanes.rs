//! Dormand-Prince 5(4) on many independent problems of one system, L at a time in lock-step.
//!
//! A scalar RK45 step of a small system is a chain of dependent floating-point operations: the
//! core waits on latencies, not on arithmetic. Holding L problems side by side in
//! structure-of-arrays form (`[[f64; L]; N]`, component-major) turns every stage into loops over
//! lanes that the compiler vectorises and the core overlaps. Each lane keeps its own time, step
//! size, error control and segment list, and computes exactly the operations of
//! [`super::dopri45`] in the same order, so a lane's result is bitwise that of the scalar
//! integrator (tested). When a lane's problem ends, the lane takes the next problem of the queue.
//!
//! Per problem: integrate from `t0` to each mark in turn (the kinks of a pulse), restarting the
//! step control at every mark as [`super::dopri45`] called once per segment does; `at_mark` may
//! adjust the state between segments.

use super::{initial_probe, initial_step, step_factor, Tolerances};
use super::{A21, A31, A32, A41, A42, A43, A51, A52, A53, A54, A61, A62, A63, A64, A65};
use super::{B1, B3, B4, B5, B6, C2, C3, C4, C5, E1, E3, E4, E5, E6, E7};

/// A right-hand side evaluated for L lanes at once. `job[l]` is the problem lane l holds and
/// `p[k][l]` its k-th parameter from [`LaneSystem::params`] (loaded once per problem, so the
/// hot path reads lanes, not problems); a lane with no problem repeats the last valid state of
/// a problem, and its result is ignored.
pub trait LaneSystem<const N: usize, const P: usize> {
    fn params(&self, job: usize) -> [f64; P];
    /// Whether the right-hand side reads component i of y. Intermediate stages skip the
    /// components it does not read (an angle kept only for output, say); the step's result
    /// and error estimate still use every component.
    fn reads(&self, _component: usize) -> bool {
        true
    }
    fn rhs<const L: usize>(&self, job: &[usize; L], p: &[[f64; L]; P], t: &[f64; L], y: &[[f64; L]; N], out: &mut [[f64; L]; N]);
}

/// One problem: start (t0, y0), then segment ends `marks` (increasing; those <= t0 are skipped).
#[derive(Clone, Debug, PartialEq)]
pub struct LaneJob<const N: usize> {
    pub t0: f64,
    pub y0: [f64; N],
    pub marks: Vec<f64>,
}

/// Result of one problem.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LaneOutcome<const N: usize> {
    pub t: f64,
    pub y: [f64; N],
    pub rhs_evals: usize,
    pub steps: usize,
    /// False if a segment hit the step limit before its mark.
    pub completed: bool,
}

type Block<const N: usize, const L: usize> = [[f64; L]; N];

/// out = y + h c1 k1 + h c2 k2 + ... per lane, in the order of [`super::axpy`], for the
/// components marked in `used` (the others are left as they are: nobody reads them).
#[inline(always)]
fn stage<const N: usize, const L: usize>(
    out: &mut Block<N, L>,
    y: &Block<N, L>,
    h: &[f64; L],
    terms: &[(f64, &Block<N, L>)],
    used: &[bool; N],
) {
    for i in 0..N {
        if !used[i] {
            continue;
        }
        for l in 0..L {
            let mut v = y[i][l];
            for (c, k) in terms {
                v += h[l] * c * k[i][l];
            }
            out[i][l] = v;
        }
    }
}

#[inline(always)]
fn lane<const N: usize, const L: usize>(b: &Block<N, L>, l: usize) -> [f64; N] {
    let mut out = [0.0; N];
    for i in 0..N {
        out[i] = b[i][l];
    }
    out
}

#[inline(always)]
fn set_lane<const N: usize, const L: usize>(b: &mut Block<N, L>, l: usize, v: &[f64; N]) {
    for i in 0..N {
        b[i][l] = v[i];
    }
}

/// Integrate every job; results in job order. See the module docs. Inlined always, so that a
/// caller compiled for wider vector units (`#[target_feature]`) gets them here too.
#[inline(always)]
pub fn dopri45_lanes<const N: usize, const P: usize, const L: usize, S: LaneSystem<N, P>>(
    sys: &S,
    jobs: &[LaneJob<N>],
    tol: &Tolerances<N>,
    at_mark: impl Fn(&mut [f64; N]),
) -> Vec<LaneOutcome<N>> {
    let mut out: Vec<Option<LaneOutcome<N>>> = vec![None; jobs.len()];
    if jobs.is_empty() {
        return Vec::new();
    }
    let nc = tol.controlled.clamp(1, N);
    let inv_nc = 1.0 / nc as f64;
    let mut reads = [true; N];
    for (i, r) in reads.iter_mut().enumerate() {
        *r = sys.reads(i);
    }
    // Lane state.
    let mut job = [0usize; L];
    let mut active = [false; L];
    let mut needs_init = [false; L];
    let mut t = [jobs[0].t0; L];
    let mut t_end = [jobs[0].t0; L];
    let mut h = [0.0; L];
    let mut seg = [0usize; L];
    let mut seg_tries = [0usize; L];
    let mut retried = [false; L];
    let mut nfev = [0usize; L];
    let mut steps = [0usize; L];
    let mut y: Block<N, L> = std::array::from_fn(|i| [jobs[0].y0[i]; L]);
    let mut k1: Block<N, L> = [[0.0; L]; N];
    let mut par: [[f64; L]; P] = std::array::from_fn(|k| [sys.params(0)[k]; L]);
    let mut next_job = 0;

    // Load the next job into lane l (or idle it); finished jobs with no segment complete at once.
    let mut load = |l: usize,
                    job: &mut [usize; L],
                    active: &mut [bool; L],
                    needs_init: &mut [bool; L],
                    t: &mut [f64; L],
                    t_end: &mut [f64; L],
                    h: &mut [f64; L],
                    seg: &mut [usize; L],
                    nfev: &mut [usize; L],
                    steps: &mut [usize; L],
                    y: &mut Block<N, L>,
                    par: &mut [[f64; L]; P],
                    out: &mut [Option<LaneOutcome<N>>]| {
        active[l] = false;
        h[l] = 0.0;
        while next_job < jobs.len() {
            let j = next_job;
            next_job += 1;
            let p = &jobs[j];
            match p.marks.iter().position(|&m| m > p.t0) {
                None => {
                    out[j] = Some(LaneOutcome {
                        t: p.t0,
                        y: p.y0,
                        rhs_evals: 0,
                        steps: 0,
                        completed: true,
                    });
                }
                Some(s) => {
                    job[l] = j;
                    active[l] = true;
                    needs_init[l] = true;
                    t[l] = p.t0;
                    t_end[l] = p.marks[s];
                    seg[l] = s;
                    nfev[l] = 0;
                    steps[l] = 0;
                    set_lane(y, l, &p.y0);
                    set_lane(par, l, &sys.params(j));
                    return;
                }
            }
        }
    };
    for l in 0..L {
        load(
            l,
            &mut job,
            &mut active,
            &mut needs_init,
            &mut t,
            &mut t_end,
            &mut h,
            &mut seg,
            &mut nfev,
            &mut steps,
            &mut y,
            &mut par,
            &mut out,
        );
    }

    let mut kt: Block<N, L> = [[0.0; L]; N];
    // Stage derivatives, the stage state and the candidate step, reused across steps. The
    // stage state starts as a copy of a valid state so that unread components stay finite.
    let (mut k2, mut k3, mut k4, mut k5, mut k6, mut k7) = (kt, kt, kt, kt, kt, kt);
    let (mut ys, mut y_new) = (y, y);
    while active.iter().any(|&a| a) {
        if needs_init.iter().any(|&b| b) {
            // Initial-step heuristic for the lanes that start a segment: two evaluations for
            // all lanes, kept only where needed (segment starts are rare next to steps).
            sys.rhs(&job, &par, &t, &y, &mut kt);
            let mut tp = t;
            let mut yp = y;
            let mut probe = [(0.0, 0.0); L];
            for l in 0..L {
                if needs_init[l] {
                    let (yl, kl) = (lane(&y, l), lane(&kt, l));
                    set_lane(&mut k1, l, &kl);
                    nfev[l] += 1;
                    let (h0, d1) = initial_probe(&yl, &kl, tol, t_end[l] - t[l]);
                    probe[l] = (h0, d1);
                    tp[l] = t[l] + h0;
                    for i in 0..N {
                        yp[i][l] = yl[i] + h0 * 1.0 * kl[i];
                    }
                }
            }
            sys.rhs(&job, &par, &tp, &yp, &mut kt);
            for l in 0..L {
                if needs_init[l] {
                    nfev[l] += 1;
                    let (h0, d1) = probe[l];
                    h[l] = initial_step(&lane(&y, l), &lane(&k1, l), &lane(&kt, l), h0, d1, tol, t_end[l] - t[l]);
                    needs_init[l] = false;
                    seg_tries[l] = 0;
                    retried[l] = false;
                }
            }
        }
        let mut last = [false; L];
        for l in 0..L {
            last[l] = active[l] && t[l] + h[l] >= t_end[l];
            h[l] = if last[l] { t_end[l] - t[l] } else { h[l] };
        }
        let ts = |c: f64| -> [f64; L] {
            let mut out = [0.0; L];
            for l in 0..L {
                out[l] = t[l] + c * h[l];
            }
            out
        };
        stage(&mut ys, &y, &h, &[(A21, &k1)], &reads);
        sys.rhs(&job, &par, &ts(C2), &ys, &mut k2);
        stage(&mut ys, &y, &h, &[(A31, &k1), (A32, &k2)], &reads);
        sys.rhs(&job, &par, &ts(C3), &ys, &mut k3);
        stage(&mut ys, &y, &h, &[(A41, &k1), (A42, &k2), (A43, &k3)], &reads);
        sys.rhs(&job, &par, &ts(C4), &ys, &mut k4);
        stage(&mut ys, &y, &h, &[(A51, &k1), (A52, &k2), (A53, &k3), (A54, &k4)], &reads);
        sys.rhs(&job, &par, &ts(C5), &ys, &mut k5);
        stage(
            &mut ys,
            &y,
            &h,
            &[(A61, &k1), (A62, &k2), (A63, &k3), (A64, &k4), (A65, &k5)],
            &reads,
        );
        sys.rhs(&job, &par, &ts(1.0), &ys, &mut k6);
        stage(
            &mut y_new,
            &y,
            &h,
            &[(B1, &k1), (B3, &k3), (B4, &k4), (B5, &k5), (B6, &k6)],
            &[true; N],
        );
        sys.rhs(&job, &par, &ts(1.0), &y_new, &mut k7);
        // Error norm per lane, in dopri45's order.
        let mut acc = [0.0; L];
        for i in 0..nc {
            for l in 0..L {
                let e = h[l] * (E1 * k1[i][l] + E3 * k3[i][l] + E4 * k4[i][l] + E5 * k5[i][l] + E6 * k6[i][l] + E7 * k7[i][l]);
                let sc = tol.atol[i] + tol.rtol * y[i][l].abs().max(y_new[i][l].abs());
                acc[l] += (e / sc).powi(2);
            }
        }
        // Accept or reject every lane at once (selects, no branches); idle lanes have h = 0
        // and stay where they are.
        let mut ok = [false; L];
        for l in 0..L {
            let err = (acc[l] * inv_nc).sqrt();
            let factor = step_factor(err);
            ok[l] = err < 1.0;
            t[l] = if ok[l] {
                if last[l] {
                    t_end[l]
                } else {
                    t[l] + h[l]
                }
            } else {
                t[l]
            };
            h[l] = (h[l] * if retried[l] || !ok[l] { factor.min(1.0) } else { factor }).min(tol.h_max);
            retried[l] = !ok[l];
            steps[l] += usize::from(ok[l]);
            nfev[l] += 6;
            seg_tries[l] += 1;
        }
        for i in 0..N {
            for l in 0..L {
                y[i][l] = if ok[l] { y_new[i][l] } else { y[i][l] };
                k1[i][l] = if ok[l] { k7[i][l] } else { k1[i][l] };
            }
        }
        for l in 0..L {
            if !active[l] || (t[l] < t_end[l] && seg_tries[l] < tol.max_steps) {
                continue;
            }
            let reached = t[l] >= t_end[l];
            if reached || seg_tries[l] >= tol.max_steps {
                let mut yl = lane(&y, l);
                at_mark(&mut yl);
                set_lane(&mut y, l, &yl);
                let p = &jobs[job[l]];
                let next = seg[l] + 1;
                if reached && next < p.marks.len() {
                    seg[l] = next;
                    t_end[l] = p.marks[next];
                    needs_init[l] = true;
                } else {
                    out[job[l]] = Some(LaneOutcome {
                        t: t[l],
                        y: yl,
                        rhs_evals: nfev[l],
                        steps: steps[l],
                        completed: reached,
                    });
                    load(
                        l,
                        &mut job,
                        &mut active,
                        &mut needs_init,
                        &mut t,
                        &mut t_end,
                        &mut h,
                        &mut seg,
                        &mut nfev,
                        &mut steps,
                        &mut y,
                        &mut par,
                        &mut out,
                    );
                }
            }
        }
    }
    out.into_iter().map(|o| o.expect("every job finished")).collect()
}

#[cfg(test)]
mod tests {
    use super::super::dopri45;
    use super::*;

    /// Damped oscillators with a per-job frequency: y'' = -w^2 y - 0.1 y'.
    struct Oscillators(Vec<f64>);

    impl LaneSystem<2, 1> for Oscillators {
        fn params(&self, job: usize) -> [f64; 1] {
            [self.0[job]]
        }

        fn rhs<const L: usize>(&self, _job: &[usize; L], p: &[[f64; L]; 1], _t: &[f64; L], y: &[[f64; L]; 2], out: &mut [[f64; L]; 2]) {
            for l in 0..L {
                let w = p[0][l];
                out[0][l] = y[1][l];
                out[1][l] = -w * w * y[0][l] - 0.1 * y[1][l];
            }
        }
    }

    fn tol() -> Tolerances<2> {
        Tolerances {
            rtol: 1e-9,
            atol: [1e-12, 1e-12],
            h_max: f64::INFINITY,
            max_steps: 1_000_000,
            controlled: 2,
        }
    }

    fn scalar(w: f64, job: &LaneJob<2>) -> ([f64; 2], usize, usize) {
        let f = |_t: f64, y: &[f64; 2]| [y[1], -w * w * y[0] - 0.1 * y[1]];
        let (mut t, mut y, mut nfev, mut steps) = (job.t0, job.y0, 0, 0);
        for &m in job.marks.iter().filter(|&&m| m > job.t0) {
            let s = dopri45(f, t, y, m, &tol(), None, None);
            y = s.y;
            y[1] *= 0.5;
            (t, nfev, steps) = (m, nfev + s.rhs_evals, steps + s.steps);
        }
        (y, nfev, steps)
    }

    fn check<const L: usize>() {
        // More jobs than lanes, different lengths, a job with no segment, several segments.
        let ws: Vec<f64> = (0..13).map(|k| 0.5 + 0.37 * f64::from(k)).collect();
        let jobs: Vec<LaneJob<2>> = ws
            .iter()
            .enumerate()
            .map(|(k, _)| LaneJob {
                t0: 0.0,
                y0: [1.0, 0.1 * k as f64],
                marks: match k % 4 {
                    0 => vec![3.0 + k as f64],
                    1 => vec![1.0, 2.5, 7.0],
                    2 => vec![0.0],
                    _ => vec![0.5 * k as f64, 10.0],
                },
            })
            .collect();
        let got = dopri45_lanes::<2, 1, L, _>(&Oscillators(ws.clone()), &jobs, &tol(), |y| y[1] *= 0.5);
        for (k, job) in jobs.iter().enumerate() {
            let (y, nfev, steps) = scalar(ws[k], job);
            assert_eq!(got[k].y.map(f64::to_bits), y.map(f64::to_bits), "job {k} with {L} lanes");
            assert_eq!((got[k].rhs_evals, got[k].steps), (nfev, steps), "job {k}");
            assert!(got[k].completed);
        }
    }

    #[test]
    fn lanes_match_the_scalar_integrator_bit_for_bit() {
        check::<1>();
        check::<4>();
        check::<8>();
    }
}
