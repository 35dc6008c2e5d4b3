//! Analog single-wall generator (Mode S, docs/physics.md 1 and 7.1): one wall in a Pt/CoTb wire whose
//! heavy-metal width is shaped so that the distance the wall travels in one pulse is a designed
//! function of the current.
//!
//! Static (threshold-limited) inverse design, docs/physics.md 7.1: the wall moves where
//! J(x) = f_HM I / (w(x) t_HM) exceeds J_th and stops at x*(I) with w(x*) = f_HM I / (J_th t_HM).
//! For a target x* = g(I) on [I_lo, I_hi], w(x) = f_HM g^-1(x) / (J_th t_HM). For the shifted
//! sigmoid g(I) = L [sig((I - I_c)/s) - sig_lo] / (sig_hi - sig_lo):
//! ```text
//! w(x) = f_HM / (J_th t_HM) * { I_c + s logit( sig_lo + (x/L)(sig_hi - sig_lo) ) }
//! ```
//! The magnetic (CoTb) wire keeps a constant width, as in the device paper, so only J_HM varies.

use dwmtj_core::fit::logistic;
use dwmtj_core::geometry::WidthProfile;
use dwmtj_core::wall::{Drive, RunOptions, WallModel};

/// A shifted-sigmoid target x*(I) on [i_lo, i_hi] over a track of length `length`.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct SigmoidTarget {
    /// Track length L (m).
    pub length: f64,
    /// Low end of the current range (A): travel 0.
    pub i_lo: f64,
    /// High end of the current range (A): travel L.
    pub i_hi: f64,
    /// Centre current I_c of the sigmoid (A).
    pub i_c: f64,
    /// Scale current s of the sigmoid (A).
    pub scale: f64,
}

impl SigmoidTarget {
    fn bounds(&self) -> (f64, f64) {
        (
            logistic((self.i_lo - self.i_c) / self.scale),
            logistic((self.i_hi - self.i_c) / self.scale),
        )
    }

    /// Designed travel distance x*(I), clamped to [0, L].
    pub fn travel(&self, i: f64) -> f64 {
        let (lo, hi) = self.bounds();
        let i = i.clamp(self.i_lo, self.i_hi);
        self.length * (logistic((i - self.i_c) / self.scale) - lo) / (hi - lo)
    }

    /// The current whose designed stopping point is x: g^-1(x).
    pub fn inverse(&self, x: f64) -> f64 {
        let (lo, hi) = self.bounds();
        let y = lo + (x / self.length).clamp(0.0, 1.0) * (hi - lo);
        self.i_c + self.scale * (y / (1.0 - y)).ln()
    }
}

/// Heavy-metal width profile w(x) = f_HM g^-1(x) / (J_th t_HM), sampled at `nodes` points.
pub fn static_design(target: &SigmoidTarget, j_th: f64, hm_fraction: f64, t_hm: f64, nodes: usize) -> WidthProfile {
    let n = nodes.max(2);
    let xs: Vec<f64> = (0..n).map(|k| target.length * k as f64 / (n - 1) as f64).collect();
    let ws: Vec<f64> = xs.iter().map(|&x| hm_fraction * target.inverse(x) / (j_th * t_hm)).collect();
    WidthProfile::table(xs, ws)
}

/// Depinning threshold of a Neel wall held by sinusoidal pinning of strength h_dep:
/// mu0 |M| H_dep = (pi/2) c_J |cos phi_eq| (force balance in eq. A'), docs/physics.md 5.1.
pub fn depinning_threshold(model: &WallModel, h_dep: f64) -> f64 {
    let phi = model.equilibrium_phi(0.0, 0.0);
    2.0 * dwmtj_core::units::MU0 * model.m_net.abs() * h_dep / (std::f64::consts::PI * model.c_j_per_j.abs() * phi.cos().abs())
}

/// The model on a uniform wire of its narrowest width (for thresholds and velocity tables).
fn uniform_copy(model: &WallModel) -> WallModel {
    let mut uniform = model.clone();
    let w = model.width_profile().min_width();
    uniform.set_width(WidthProfile::constant(1.0, w), w);
    uniform
}

/// Effective threshold at finite temperature and pulse length: the HM current density at which
/// a wall on a uniform wire moves `distance` on average in one pulse (thermal creep included),
/// found by bisection with `trials` seeded runs per point.
pub fn effective_threshold(
    model: &WallModel,
    pulse: dwmtj_core::device::PulseShape,
    distance: f64,
    trials: usize,
    seed: u64,
    j_max: f64,
) -> f64 {
    let uniform = uniform_copy(model);
    let opts = analog_run_options(pulse.duration());
    let travel = |j: f64| {
        let drive = Drive::current(j, pulse);
        dwmtj_core::wall::monte_carlo(&uniform, &drive, 0.0, &opts, trials, seed, 0.0).displacement_mean_m
    };
    let (mut lo, mut hi) = (0.0, j_max);
    for _ in 0..14 {
        let mid = 0.5 * (lo + hi);
        if travel(mid) >= distance {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Append a run-out after the designed section: the heavy metal widens to `factor` times its
/// final width over `extra`, so a wall driven past x = L stops there.
pub fn with_runout(profile: &WidthProfile, extra: f64, factor: f64) -> WidthProfile {
    let mut nodes: Vec<(f64, f64)> = profile.nodes().collect();
    let (l, w) = *nodes.last().expect("nodes");
    nodes.push((l + extra, w * factor));
    WidthProfile::table(nodes.iter().map(|n| n.0).collect(), nodes.iter().map(|n| n.1).collect())
}

/// Mean wall velocity against HM current density, tabulated from the model on a uniform wire
/// (travel in one pulse / pulse length), made non-decreasing.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct VelocityTable {
    /// HM current densities (A/m^2), ascending.
    pub j: Vec<f64>,
    /// Mean wall velocity at each current density (m/s), non-decreasing.
    pub v: Vec<f64>,
}

impl VelocityTable {
    /// Tabulate v(J) at `j_values` on a uniform copy of `model` (its narrowest width): travel in one
    /// `pulse` over the pulse width, the mean of `trials` seeded thermal runs when the model has a
    /// temperature, one deterministic run otherwise; then made non-decreasing.
    pub fn measure(model: &WallModel, pulse: dwmtj_core::device::PulseShape, j_values: &[f64], trials: usize, seed: u64) -> Self {
        use rayon::prelude::*;
        let uniform = uniform_copy(model);
        let opts = analog_run_options(pulse.duration());
        let mut v: Vec<f64> = if uniform.temperature > 0.0 {
            j_values
                .par_iter()
                .enumerate()
                .map(|(k, &j)| {
                    let drive = Drive::current(j, pulse);
                    dwmtj_core::wall::monte_carlo(&uniform, &drive, 0.0, &opts, trials, seed + k as u64, 0.0).displacement_mean_m
                        / pulse.width
                })
                .collect()
        } else {
            // Deterministic: the whole table side by side in SIMD lanes.
            let runs: Vec<(Drive, f64, f64)> = j_values.iter().map(|&j| (Drive::current(j, pulse), 0.0, 0.0)).collect();
            runs.par_chunks(4 * dwmtj_core::wall::WALL_LANES)
                .flat_map_iter(|chunk| dwmtj_core::wall::run_deterministic_many(&uniform, chunk, &opts))
                .map(|o| o.displacement_m / pulse.width)
                .collect()
        };
        for k in 1..v.len() {
            v[k] = v[k].max(v[k - 1]);
        }
        Self { j: j_values.to_vec(), v }
    }

    /// v(J), linear between table points, 0 below the table, last slope above it.
    pub fn velocity(&self, j: f64) -> f64 {
        let n = self.j.len();
        if j <= self.j[0] {
            return 0.0;
        }
        let k = self.j.partition_point(|&x| x <= j).clamp(1, n - 1);
        let (j0, j1, v0, v1) = (self.j[k - 1], self.j[k], self.v[k - 1], self.v[k]);
        (v0 + (v1 - v0) * (j - j0) / (j1 - j0)).max(0.0)
    }

    /// The smallest J with v(J) = v, if the table reaches v.
    pub fn inverse(&self, v: f64) -> Option<f64> {
        if v <= self.v[0] {
            return Some(self.j[0]);
        }
        let k = self.v.iter().position(|&x| x >= v)?;
        let (j0, j1, v0, v1) = (self.j[k - 1], self.j[k], self.v[k - 1], self.v[k]);
        Some(if v1 > v0 { j0 + (j1 - j0) * (v - v0) / (v1 - v0) } else { j1 })
    }
}

/// Why the marching design cannot place the next segment.
#[derive(Clone, Copy, Debug, PartialEq, thiserror::Error)]
pub enum MarchError {
    /// The wall needs the whole pulse to cross the segments already designed.
    #[error("at I = {:.1} uA the wall needs more than the {:.0} ns pulse to cross the designed part", current * 1e6, pulse * 1e9)]
    NoTimeLeft {
        /// Wire current of the segment (A).
        current: f64,
        /// Pulse width tau (s).
        pulse: f64,
    },
    /// The next segment needs a velocity above the table's largest.
    #[error("at I = {:.1} uA the wall would need {needed:.1} m/s, above the {reached:.1} m/s the velocity table reaches", current * 1e6)]
    TooFast {
        /// Wire current of the segment (A).
        current: f64,
        /// Velocity the segment needs (m/s).
        needed: f64,
        /// Largest velocity in the table (m/s).
        reached: f64,
    },
}

/// Dynamic (velocity-limited) design for a pulse of length tau, docs/physics.md 7.2: march in I so
/// that the wall reaches g(I_k) exactly at the end of the pulse, given the widths already
/// designed. Errors when the wall would need a velocity the table does not reach, or has no
/// time left.
pub fn dynamic_design(
    target: &SigmoidTarget,
    table: &VelocityTable,
    hm_fraction: f64,
    t_hm: f64,
    tau: f64,
    segments: usize,
) -> Result<WidthProfile, MarchError> {
    dynamic_design_for(
        &|i| target.travel(i),
        target.i_lo,
        target.i_hi,
        target.length,
        table,
        hm_fraction,
        t_hm,
        tau,
        segments,
    )
}

/// [`dynamic_design`] for any monotone travel function g(I) on [i_lo, i_hi] with g(i_lo) = 0
/// and g(i_hi) = length.
#[allow(clippy::too_many_arguments)] // the docs/physics.md 7.2 inputs, each distinct
pub fn dynamic_design_for(
    travel: &dyn Fn(f64) -> f64,
    i_lo: f64,
    i_hi: f64,
    length: f64,
    table: &VelocityTable,
    hm_fraction: f64,
    t_hm: f64,
    tau: f64,
    segments: usize,
) -> Result<WidthProfile, MarchError> {
    let m = segments.max(2);
    let currents: Vec<f64> = (0..=m).map(|k| i_lo + (i_hi - i_lo) * k as f64 / m as f64).collect();
    let xs: Vec<f64> = currents.iter().map(|&i| travel(i)).collect();
    let mut widths: Vec<f64> = Vec::with_capacity(m);
    for k in 1..=m {
        let i = currents[k];
        let j_at = |w: f64| hm_fraction * i / (w * t_hm);
        let mut elapsed = 0.0;
        for (jseg, &w) in widths.iter().enumerate() {
            let v = table.velocity(j_at(w));
            if v <= 0.0 {
                elapsed = f64::INFINITY;
                break;
            }
            elapsed += (xs[jseg + 1] - xs[jseg]) / v;
        }
        let left = tau - elapsed;
        if left <= 0.0 {
            return Err(MarchError::NoTimeLeft { current: i, pulse: tau });
        }
        let v_req = (xs[k] - xs[k - 1]) / left;
        let j = table.inverse(v_req).ok_or_else(|| MarchError::TooFast {
            current: i,
            needed: v_req,
            reached: table.v.last().copied().unwrap_or(0.0),
        })?;
        widths.push(hm_fraction * i / (j * t_hm));
    }
    // Node k sits at the middle of segment k; the ends repeat the end segments' widths.
    let mut nx = vec![0.0];
    let mut nw = vec![widths[0]];
    for k in 0..m {
        let mid = 0.5 * (xs[k] + xs[k + 1]);
        if mid > *nx.last().unwrap() + 1e-15 {
            nx.push(mid);
            nw.push(widths[k]);
        }
    }
    if length > *nx.last().unwrap() + 1e-15 {
        nx.push(length);
        nw.push(*widths.last().unwrap());
    }
    Ok(WidthProfile::table(nx, nw))
}

/// Travel of a wall starting at x = 0 for wire current `current` on a model whose heavy-metal
/// profile is already set (reference width `w_ref`).
pub fn drive_for_current(current: f64, hm_fraction: f64, t_hm: f64, w_ref: f64, pulse: dwmtj_core::device::PulseShape) -> Drive {
    Drive::current(hm_fraction * current / (w_ref * t_hm), pulse)
}

/// Readout of the wall position through a continuous MTJ of `length` x `width` over the track
/// (device paper: "a continuous MTJ reference layer ... to enable electrical detection of domain
/// wall positions"): the reversed part [0, q] is antiparallel, so
/// G = (width / RA) [ (length - q) + q / (1 + TMR) ] and R = 1/G.
pub fn continuous_mtj_resistance(q: f64, length: f64, width: f64, ra: f64, tmr: f64) -> f64 {
    let q = q.clamp(0.0, length);
    1.0 / (width / ra * ((length - q) + q / (1.0 + tmr)))
}

/// Default run options for 300 ns analog pulses: RK45 or Heun at 2 ps.
pub fn analog_run_options(t_end: f64) -> RunOptions {
    RunOptions {
        t_end,
        dt_thermal: 2e-12,
        ..RunOptions::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuous_mtj_hand_values() {
        // 8 um x 0.8 um at 20 Ohm um^2: R_P = 20/6.4 = 3.125 Ohm; all AP at TMR 44 %: 4.5 Ohm.
        let r = |q| continuous_mtj_resistance(q, 8e-6, 0.8e-6, 20e-12, 0.44);
        assert!((r(0.0) - 3.125).abs() < 1e-12 && (r(8e-6) - 4.5).abs() < 1e-12);
        // Conductance is linear in q.
        assert!((1.0 / r(4e-6) - 0.5 * (1.0 / r(0.0) + 1.0 / r(8e-6))).abs() < 1e-12);
    }

    #[test]
    fn physics_md_sigmoid_example_widths() {
        // docs/physics.md 7.1: Pt 3 nm, f = 0.7, J_th = 1e11, L = 10 um, I in [0.5, 1.5] mA,
        // I_c = 1 mA, s = 0.15 mA: w = 1.17, 1.66, 2.06, 2.33, 2.61, 3.01, 3.50 um at
        // x = 0, 1, 3, 5, 7, 9, 10 um.
        let t = SigmoidTarget {
            length: 10e-6,
            i_lo: 0.5e-3,
            i_hi: 1.5e-3,
            i_c: 1e-3,
            scale: 0.15e-3,
        };
        let w = static_design(&t, 1e11, 0.7, 3e-9, 10_001);
        for (x, want) in [
            (0.0, 1.17),
            (1.0, 1.66),
            (3.0, 2.06),
            (5.0, 2.33),
            (7.0, 2.61),
            (9.0, 3.01),
            (10.0, 3.50),
        ] {
            let got = w.width(x * 1e-6) * 1e6;
            assert!((got - want).abs() < 0.006, "x {x} um: {got} vs {want}");
        }
        assert!((t.travel(t.inverse(4e-6)) - 4e-6).abs() < 1e-15);
    }
}

#[cfg(test)]
mod dynamic_tests {
    use super::*;

    /// The sigmoid of docs/physics.md 7.1-7.2: 10 um, I in [0.5, 1.5] mA, I_c 1 mA, s 0.15 mA.
    const PHYSICS_MD_TARGET: SigmoidTarget = SigmoidTarget {
        length: 10e-6,
        i_lo: 0.5e-3,
        i_hi: 1.5e-3,
        i_c: 1e-3,
        scale: 0.15e-3,
    };

    /// Position after time tau at current i on a piecewise-linear HM profile under v(J):
    /// march dx/dt = v(J(x)) with small steps in x (time per step dx / v).
    fn forward(profile: &WidthProfile, table: &VelocityTable, f: f64, t: f64, i: f64, tau: f64) -> f64 {
        let dx = 0.1e-9;
        let (mut x, mut time) = (0.0, 0.0);
        loop {
            let v = table.velocity(f * i / (profile.width(x + 0.5 * dx) * t));
            if v <= 0.0 {
                return x;
            }
            if time + dx / v > tau {
                return x + v * (tau - time);
            }
            time += dx / v;
            x += dx;
            if x > profile.length() {
                return x;
            }
        }
    }

    #[test]
    fn physics_md_dynamic_design_example() {
        // docs/physics.md 7.2: v = 40 m/s per 1e11 A/m^2 above J_th = 1e11, tau = 300 ns, sigmoid on
        // 10 um (Pt 3 nm, f 0.7, I in [0.5, 1.5] mA, I_c 1 mA, s 0.15 mA), 400 segments: the
        // designed wire gives x(tau) = 0.328, 1.871, 5.000, 8.130, 9.673 um at 0.6 ... 1.4 mA.
        let target = PHYSICS_MD_TARGET;
        let table = VelocityTable {
            j: vec![1e11, 1e13],
            v: vec![0.0, 40.0 * 99.0],
        };
        let w = dynamic_design(&target, &table, 0.7, 3e-9, 300e-9, 400).unwrap();
        for (i, want) in [
            (0.6e-3, 0.328e-6),
            (0.8e-3, 1.871e-6),
            (1.0e-3, 5.000e-6),
            (1.2e-3, 8.130e-6),
            (1.4e-3, 9.673e-6),
        ] {
            let got = forward(&w, &table, 0.7, 3e-9, i, 300e-9);
            assert!(
                (got - want).abs() < 15e-9,
                "I {:.1} mA: {:.4} um vs {:.4} um",
                i * 1e3,
                got * 1e6,
                want * 1e6
            );
        }
        // The dynamic design is not monotonic in w (docs/physics.md 7.2 notes a dip near 5 um).
        let ws: Vec<f64> = w.nodes().map(|n| n.1).collect();
        assert!(ws.windows(2).any(|p| p[1] < p[0]));
    }

    #[test]
    fn infeasible_design_is_an_error() {
        let target = PHYSICS_MD_TARGET;
        // A wall limited to 5 m/s cannot travel 10 um in 300 ns.
        let table = VelocityTable {
            j: vec![1e11, 1e13],
            v: vec![0.0, 5.0],
        };
        let e = dynamic_design(&target, &table, 0.7, 3e-9, 300e-9, 100).unwrap_err().to_string();
        assert!(e.contains("m/s") || e.contains("pulse"), "{e}");
    }
}
