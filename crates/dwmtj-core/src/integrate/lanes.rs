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

// Lane loops index several per-lane arrays by the same lane.
#![allow(clippy::needless_range_loop)]

use super::{initial_probe, initial_step, step_factor, Tolerances};
use super::{A21, A31, A32, A41, A42, A43, A51, A52, A53, A54, A61, A62, A63, A64, A65};
use super::{B1, B3, B4, B5, B6, C2, C3, C4, C5, E1, E3, E4, E5, E6, E7};

/// A right-hand side evaluated for L lanes at once. `job[l]` is the problem lane l holds and
/// `p[k][l]` its k-th parameter from [`LaneSystem::params`] (loaded once per problem, so the
/// hot path reads lanes, not problems); a lane with no problem repeats the last valid state of
/// a problem, and its result is ignored.
pub trait LaneSystem<const N: usize, const P: usize> {
    /// The P parameters of problem `job`, loaded into its lane when the problem starts.
    fn params(&self, job: usize) -> [f64; P];
    /// Whether the right-hand side reads component i of y. Intermediate stages skip the
    /// components it does not read (an angle kept only for output, say); the step's result
    /// and error estimate still use every component.
    fn reads(&self, _component: usize) -> bool {
        true
    }
    /// dy/dt of every lane into `out`: lane l holds problem `job[l]` at time `t[l]`, state
    /// `y[i][l]`, parameters `p[k][l]`.
    fn rhs<const L: usize>(&self, job: &[usize; L], p: &[[f64; L]; P], t: &[f64; L], y: &[[f64; L]; N], out: &mut [[f64; L]; N]);
}

/// One problem: start (t0, y0), then segment ends `marks` (increasing; those <= t0 are skipped).
#[derive(Clone, Debug, PartialEq)]
pub struct LaneJob<const N: usize> {
    /// Start time.
    pub t0: f64,
    /// Start state.
    pub y0: [f64; N],
    /// Segment ends, increasing; the last is the end time.
    pub marks: Vec<f64>,
}

/// Result of one problem.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LaneOutcome<const N: usize> {
    /// Time reached (the last mark when completed).
    pub t: f64,
    /// State at `t`.
    pub y: [f64; N],
    /// Right-hand-side evaluations.
    pub rhs_evals: usize,
    /// Accepted steps.
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

/// What each lane holds: its problem, time, step, segment, counters, state and parameters.
struct LaneState<const N: usize, const P: usize, const L: usize> {
    job: [usize; L],
    active: [bool; L],
    needs_init: [bool; L],
    t: [f64; L],
    t_end: [f64; L],
    h: [f64; L],
    seg: [usize; L],
    nfev: [usize; L],
    steps: [usize; L],
    y: Block<N, L>,
    par: [[f64; L]; P],
    /// The next problem of the queue.
    next_job: usize,
}

impl<const N: usize, const P: usize, const L: usize> LaneState<N, P, L> {
    /// Load the next problem into lane l, or idle it when the queue is empty (an idle lane has
    /// h = 0 and keeps a valid state); problems with no segment complete at once.
    #[inline(always)]
    fn load<S: LaneSystem<N, P>>(&mut self, l: usize, sys: &S, jobs: &[LaneJob<N>], out: &mut [Option<LaneOutcome<N>>]) {
        self.active[l] = false;
        self.h[l] = 0.0;
        while self.next_job < jobs.len() {
            let j = self.next_job;
            self.next_job += 1;
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
                    self.job[l] = j;
                    self.active[l] = true;
                    self.needs_init[l] = true;
                    self.t[l] = p.t0;
                    self.t_end[l] = p.marks[s];
                    self.seg[l] = s;
                    self.nfev[l] = 0;
                    self.steps[l] = 0;
                    set_lane(&mut self.y, l, &p.y0);
                    set_lane(&mut self.par, l, &sys.params(j));
                    return;
                }
            }
        }
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
    let mut st = LaneState::<N, P, L> {
        job: [0; L],
        active: [false; L],
        needs_init: [false; L],
        t: [jobs[0].t0; L],
        t_end: [jobs[0].t0; L],
        h: [0.0; L],
        seg: [0; L],
        nfev: [0; L],
        steps: [0; L],
        y: std::array::from_fn(|i| [jobs[0].y0[i]; L]),
        par: std::array::from_fn(|k| [sys.params(0)[k]; L]),
        next_job: 0,
    };
    let mut seg_tries = [0usize; L];
    let mut retried = [false; L];
    let mut k1: Block<N, L> = [[0.0; L]; N];
    for l in 0..L {
        st.load(l, sys, jobs, &mut out);
    }
    let mut kt: Block<N, L> = [[0.0; L]; N];
    // Stage derivatives, the stage state and the candidate step, reused across steps. The
    // stage state starts as a copy of a valid state so that unread components stay finite.
    let (mut k2, mut k3, mut k4, mut k5, mut k6, mut k7) = (kt, kt, kt, kt, kt, kt);
    let (mut ys, mut y_new) = (st.y, st.y);
    while st.active.iter().any(|&a| a) {
        if st.needs_init.iter().any(|&b| b) {
            // Initial-step heuristic for the lanes that start a segment: two evaluations for
            // all lanes, kept only where needed (segment starts are rare next to steps).
            sys.rhs(&st.job, &st.par, &st.t, &st.y, &mut kt);
            let mut tp = st.t;
            let mut yp = st.y;
            let mut probe = [(0.0, 0.0); L];
            for l in 0..L {
                if st.needs_init[l] {
                    let (yl, kl) = (lane(&st.y, l), lane(&kt, l));
                    set_lane(&mut k1, l, &kl);
                    st.nfev[l] += 1;
                    let (h0, d1) = initial_probe(&yl, &kl, tol, st.t_end[l] - st.t[l]);
                    probe[l] = (h0, d1);
                    tp[l] = st.t[l] + h0;
                    for i in 0..N {
                        yp[i][l] = yl[i] + h0 * 1.0 * kl[i];
                    }
                }
            }
            sys.rhs(&st.job, &st.par, &tp, &yp, &mut kt);
            for l in 0..L {
                if st.needs_init[l] {
                    st.nfev[l] += 1;
                    let (h0, d1) = probe[l];
                    st.h[l] = initial_step(&lane(&st.y, l), &lane(&k1, l), &lane(&kt, l), h0, d1, tol, st.t_end[l] - st.t[l]);
                    st.needs_init[l] = false;
                    seg_tries[l] = 0;
                    retried[l] = false;
                }
            }
        }
        let mut last = [false; L];
        for l in 0..L {
            last[l] = st.active[l] && st.t[l] + st.h[l] >= st.t_end[l];
            st.h[l] = if last[l] { st.t_end[l] - st.t[l] } else { st.h[l] };
        }
        let ts = |c: f64| -> [f64; L] {
            let mut out = [0.0; L];
            for l in 0..L {
                out[l] = st.t[l] + c * st.h[l];
            }
            out
        };
        stage(&mut ys, &st.y, &st.h, &[(A21, &k1)], &reads);
        sys.rhs(&st.job, &st.par, &ts(C2), &ys, &mut k2);
        stage(&mut ys, &st.y, &st.h, &[(A31, &k1), (A32, &k2)], &reads);
        sys.rhs(&st.job, &st.par, &ts(C3), &ys, &mut k3);
        stage(&mut ys, &st.y, &st.h, &[(A41, &k1), (A42, &k2), (A43, &k3)], &reads);
        sys.rhs(&st.job, &st.par, &ts(C4), &ys, &mut k4);
        stage(&mut ys, &st.y, &st.h, &[(A51, &k1), (A52, &k2), (A53, &k3), (A54, &k4)], &reads);
        sys.rhs(&st.job, &st.par, &ts(C5), &ys, &mut k5);
        stage(
            &mut ys,
            &st.y,
            &st.h,
            &[(A61, &k1), (A62, &k2), (A63, &k3), (A64, &k4), (A65, &k5)],
            &reads,
        );
        sys.rhs(&st.job, &st.par, &ts(1.0), &ys, &mut k6);
        stage(
            &mut y_new,
            &st.y,
            &st.h,
            &[(B1, &k1), (B3, &k3), (B4, &k4), (B5, &k5), (B6, &k6)],
            &[true; N],
        );
        sys.rhs(&st.job, &st.par, &ts(1.0), &y_new, &mut k7);
        // Error norm per lane, in dopri45's order.
        let mut acc = [0.0; L];
        for i in 0..nc {
            for l in 0..L {
                let e = st.h[l] * (E1 * k1[i][l] + E3 * k3[i][l] + E4 * k4[i][l] + E5 * k5[i][l] + E6 * k6[i][l] + E7 * k7[i][l]);
                let sc = tol.atol[i] + tol.rtol * st.y[i][l].abs().max(y_new[i][l].abs());
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
            st.t[l] = if ok[l] {
                if last[l] {
                    st.t_end[l]
                } else {
                    st.t[l] + st.h[l]
                }
            } else {
                st.t[l]
            };
            st.h[l] = (st.h[l] * if retried[l] || !ok[l] { factor.min(1.0) } else { factor }).min(tol.h_max);
            retried[l] = !ok[l];
            st.steps[l] += usize::from(ok[l]);
            st.nfev[l] += 6;
            seg_tries[l] += 1;
        }
        for i in 0..N {
            for l in 0..L {
                st.y[i][l] = if ok[l] { y_new[i][l] } else { st.y[i][l] };
                k1[i][l] = if ok[l] { k7[i][l] } else { k1[i][l] };
            }
        }
        for l in 0..L {
            if !st.active[l] || (st.t[l] < st.t_end[l] && seg_tries[l] < tol.max_steps) {
                continue;
            }
            let reached = st.t[l] >= st.t_end[l];
            if reached || seg_tries[l] >= tol.max_steps {
                let mut yl = lane(&st.y, l);
                at_mark(&mut yl);
                set_lane(&mut st.y, l, &yl);
                let p = &jobs[st.job[l]];
                let next = st.seg[l] + 1;
                if reached && next < p.marks.len() {
                    st.seg[l] = next;
                    st.t_end[l] = p.marks[next];
                    st.needs_init[l] = true;
                } else {
                    out[st.job[l]] = Some(LaneOutcome {
                        t: st.t[l],
                        y: yl,
                        rhs_evals: st.nfev[l],
                        steps: st.steps[l],
                        completed: reached,
                    });
                    st.load(l, sys, jobs, &mut out);
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
