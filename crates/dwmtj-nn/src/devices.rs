//! Synaptic device update models: how one programming pulse changes a weight
//! (docs/nn.md sections 2.4, 4.1 and 7).
//!
//! * `ConstantStep` (aihwkit, Gokmen-Vlasov 2016): w <- clip(w + d dw_min (1 + s xi), b_min, b_max).
//! * `LinearStep` (aihwkit): w <- w + d dw_min (gamma^d w + 1 + s xi), gamma^+ = -|g_up|/b_max,
//!   gamma^- = -|g_down|/b_min; `soft_bounds` is gamma = 1 (the step vanishes at the bound).
//! * `ExpStep` (aihwkit): z = 2 a w/(b_max - b_min) + b, y = 1 - A^d e^(d gamma^d z),
//!   w <- w + d max(y, 0) dw_min (1 + s xi).
//! * `NeuroSim` (Chen & Yu; MLP+NeuroSim V3.0 `RealDevice::Write`): on normalised G in [0, 1],
//!   G(P) = B (1 - e^(-P/A)), B = 1/(1 - e^(-P_max/A)); an LTP pulse moves P -> P + 1 on the
//!   curve with A = A_LTP, an LTD pulse P -> P - 1 on the curve with A = A_LTD. |A|/P_max comes
//!   from the NL label's magnitude (manual table), its sign from the label's sign (negative:
//!   convex curve, so LTD steps are largest at high G, the usual saturating depression; positive
//!   LTD labels, as for GST PCM and HZO FeFET, give LTD steps that track the LTP steps).
//!   C2C noise s (fraction of the range) per pulse.
//!   Weights map linearly: w = b_min + G (b_max - b_min).
//! * `Levels` (DW-MTJ): the device's discrete conductance levels from its simulation; a pulse
//!   moves one level with probability p_switch.
//!
//! d = +1 potentiates, -1 depresses; xi ~ N(0, 1) drawn by the caller's RNG.

use rand::Rng;
use rand_distr::StandardNormal;

/// NeuroSim's NL label -> A/P_max (manual table, `getParamA`), interpolated in log(A/P_max).
const NL_TABLE: [(f64, f64); 7] = [
    (0.04, 31.6),
    (0.5, 2.52),
    (1.0, 1.25),
    (1.75, 0.70),
    (2.4, 0.50),
    (3.68, 0.30),
    (4.88, 0.20),
];

/// A/P_max for a NeuroSim nonlinearity label (its magnitude; 0 means linear).
pub fn neurosim_a_over_pmax(nl: f64) -> f64 {
    let nl = nl.abs();
    if nl <= NL_TABLE[0].0 {
        // Towards NL = 0 the curve becomes linear: A grows without bound.
        return NL_TABLE[0].1 * NL_TABLE[0].0 / nl.max(1e-6);
    }
    for w in NL_TABLE.windows(2) {
        let ((x0, y0), (x1, y1)) = (w[0], w[1]);
        if nl <= x1 {
            let t = (nl - x0) / (x1 - x0);
            return (y0.ln() + t * (y1.ln() - y0.ln())).exp();
        }
    }
    let (x0, y0) = NL_TABLE[5];
    let (x1, y1) = NL_TABLE[6];
    (y1.ln() + (nl - x1) / (x1 - x0) * (y1.ln() - y0.ln())).exp()
}

/// How one programming pulse changes a weight (the models of the module docs).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub enum DeviceModel {
    /// aihwkit ConstantStep: a constant step dw_min with relative noise.
    ConstantStep {
        /// Nominal weight change of one pulse.
        dw_min: f64,
        /// Lower weight bound.
        b_min: f64,
        /// Upper weight bound.
        b_max: f64,
        /// Cycle-to-cycle spread of the step, relative to dw_min (the s of the module docs).
        c2c: f64,
    },
    /// aihwkit LinearStep: a step that shrinks linearly towards the bound it moves to.
    LinearStep {
        /// Nominal weight change of one pulse at w = 0.
        dw_min: f64,
        /// |g_up|: gamma^+ = -|g_up| / b_max (1 for soft bounds).
        gamma_up: f64,
        /// |g_down|: gamma^- = -|g_down| / b_min (1 for soft bounds).
        gamma_down: f64,
        /// Lower weight bound.
        b_min: f64,
        /// Upper weight bound.
        b_max: f64,
        /// Cycle-to-cycle spread of the step, relative to dw_min.
        c2c: f64,
    },
    /// aihwkit ExpStep: a step that falls exponentially with the weight in the direction of the pulse.
    ExpStep {
        /// Nominal weight change of one pulse.
        dw_min: f64,
        /// A^+: amplitude of the exponential of an up pulse.
        a_up: f64,
        /// A^-: amplitude of the exponential of a down pulse.
        a_down: f64,
        /// gamma^+: rate of the exponential of an up pulse.
        gamma_up: f64,
        /// gamma^-: rate of the exponential of a down pulse.
        gamma_down: f64,
        /// a in z = 2 a w / (b_max - b_min) + b.
        a: f64,
        /// b in z = 2 a w / (b_max - b_min) + b.
        b: f64,
        /// Lower weight bound.
        b_min: f64,
        /// Upper weight bound.
        b_max: f64,
        /// Cycle-to-cycle spread of the step, relative to the step.
        c2c: f64,
    },
    /// NeuroSim's nonlinear model on the normalised conductance G in [0, 1].
    NeuroSim {
        /// P_max: pulses that cross the whole range.
        p_max: f64,
        /// A_LTP, in pulses: curvature of the potentiation curve (negative: convex).
        a_ltp: f64,
        /// A_LTD, in pulses: curvature of the depression curve (negative: convex).
        a_ltd: f64,
        /// Cycle-to-cycle noise sigma per pulse, as a fraction of the conductance range.
        c2c: f64,
        /// Weight at G = 0.
        b_min: f64,
        /// Weight at G = 1.
        b_max: f64,
    },
    /// Normalised levels in [0, 1] (ascending), mapped to [b_min, b_max].
    Levels {
        /// The levels, normalised to [0, 1], ascending.
        levels: Vec<f64>,
        /// Probability that a pulse moves the weight one level.
        p_switch: f64,
        /// Weight of normalised level 0.
        b_min: f64,
        /// Weight of normalised level 1.
        b_max: f64,
    },
}

/// A named NeuroSim device (docs/nn.md 4.2, V3.0 table; "<1 %" taken as 1 %, "<0.5 %" as 0.5 %).
pub struct Preset {
    /// Catalog name.
    pub name: &'static str,
    /// Number of conductance states (used as P_max).
    pub states: f64,
    /// NeuroSim nonlinearity label of potentiation (its sign sets the curve's convexity).
    pub nl_ltp: f64,
    /// NeuroSim nonlinearity label of depression (its sign sets the curve's convexity).
    pub nl_ltd: f64,
    /// Cycle-to-cycle noise, as a fraction of the conductance range.
    pub c2c: f64,
}

/// The NeuroSim V3.0 devices of docs/nn.md 4.2.
pub const NEUROSIM_PRESETS: &[Preset] = &[
    Preset {
        name: "ag-a-si",
        states: 97.0,
        nl_ltp: 2.4,
        nl_ltd: -4.88,
        c2c: 0.035,
    },
    Preset {
        name: "taox-hfox",
        states: 128.0,
        nl_ltp: 0.04,
        nl_ltd: -0.63,
        c2c: 0.037,
    },
    Preset {
        name: "pcmo",
        states: 50.0,
        nl_ltp: 3.68,
        nl_ltd: -6.76,
        c2c: 0.01,
    },
    Preset {
        name: "alox-hfo2",
        states: 40.0,
        nl_ltp: 1.94,
        nl_ltd: -0.61,
        c2c: 0.05,
    },
    Preset {
        name: "gst-pcm",
        states: 100.0,
        nl_ltp: 0.105,
        nl_ltd: 2.4,
        c2c: 0.015,
    },
    Preset {
        name: "epiram",
        states: 64.0,
        nl_ltp: 0.5,
        nl_ltd: -0.5,
        c2c: 0.02,
    },
    Preset {
        name: "hzo-fefet",
        states: 32.0,
        nl_ltp: 1.75,
        nl_ltd: 1.46,
        c2c: 0.005,
    },
];

impl DeviceModel {
    /// aihwkit's ConstantStep defaults (GV 2016): dw_min 0.001 on [-0.6, 0.6], c2c 0.3.
    pub fn constant_step_default() -> Self {
        DeviceModel::ConstantStep {
            dw_min: 0.001,
            b_min: -0.6,
            b_max: 0.6,
            c2c: 0.3,
        }
    }

    /// aihwkit SoftBounds: a LinearStep with gamma 1 both ways, so the step vanishes at the bound.
    pub fn soft_bounds(dw_min: f64, b_min: f64, b_max: f64, c2c: f64) -> Self {
        DeviceModel::LinearStep {
            dw_min,
            gamma_up: 1.0,
            gamma_down: 1.0,
            b_min,
            b_max,
            c2c,
        }
    }

    /// aihwkit's ExpStep defaults.
    pub fn exp_step_default() -> Self {
        DeviceModel::ExpStep {
            dw_min: 0.001,
            a_up: 0.00081,
            a_down: 0.36833,
            gamma_up: 12.44625,
            gamma_down: 12.78785,
            a: 0.244,
            b: 0.2425,
            b_min: -0.6,
            b_max: 0.6,
            c2c: 0.0,
        }
    }

    /// A NeuroSim preset by name, weights on [b_min, b_max].
    pub fn neurosim(name: &str, b_min: f64, b_max: f64) -> Option<Self> {
        let p = NEUROSIM_PRESETS.iter().find(|p| p.name == name)?;
        Some(DeviceModel::NeuroSim {
            p_max: p.states,
            a_ltp: p.nl_ltp.signum() * neurosim_a_over_pmax(p.nl_ltp) * p.states,
            a_ltd: p.nl_ltd.signum() * neurosim_a_over_pmax(p.nl_ltd) * p.states,
            c2c: p.c2c,
            b_min,
            b_max,
        })
    }

    /// The weight bounds (b_min, b_max).
    pub fn bounds(&self) -> (f64, f64) {
        match self {
            DeviceModel::ConstantStep { b_min, b_max, .. }
            | DeviceModel::LinearStep { b_min, b_max, .. }
            | DeviceModel::ExpStep { b_min, b_max, .. }
            | DeviceModel::NeuroSim { b_min, b_max, .. }
            | DeviceModel::Levels { b_min, b_max, .. } => (*b_min, *b_max),
        }
    }

    /// The nominal weight change of one pulse (the granularity a mixed-precision or pulse-count
    /// update uses): dw_min, the range over P_max, or the mean level spacing.
    pub fn dw_min(&self) -> f64 {
        match self {
            DeviceModel::ConstantStep { dw_min, .. } | DeviceModel::LinearStep { dw_min, .. } | DeviceModel::ExpStep { dw_min, .. } => {
                *dw_min
            }
            DeviceModel::NeuroSim { p_max, b_min, b_max, .. } => (b_max - b_min) / p_max,
            DeviceModel::Levels { levels, b_min, b_max, .. } => (b_max - b_min) / (levels.len().max(2) - 1) as f64,
        }
    }

    /// Number of distinct states (pulses to cross the range, plus one).
    pub fn states(&self) -> f64 {
        let (lo, hi) = self.bounds();
        match self {
            DeviceModel::Levels { levels, .. } => levels.len() as f64,
            DeviceModel::NeuroSim { p_max, .. } => p_max + 1.0,
            _ => (hi - lo) / self.dw_min() + 1.0,
        }
    }

    /// A weight moved onto the device's state grid (the nearest level for discrete devices).
    pub fn snap<R: Rng>(&self, w: f64, _rng: &mut R) -> f64 {
        match self {
            DeviceModel::Levels { levels, b_min, b_max, .. } => {
                let g = (w - b_min) / (b_max - b_min);
                let k = nearest_level(levels, g);
                b_min + levels[k] * (b_max - b_min)
            }
            _ => {
                let (lo, hi) = self.bounds();
                w.clamp(lo, hi)
            }
        }
    }

    /// The weight after `n` pulses in direction `up`. NeuroSim devices take them as one write,
    /// as NeuroSim does (position moved by n, C2C noise sigma sqrt(n), then clipped); other
    /// devices pulse by pulse.
    pub fn pulses<R: Rng>(&self, w: f64, n: u32, up: bool, rng: &mut R) -> f64 {
        match self {
            DeviceModel::NeuroSim {
                p_max,
                a_ltp,
                a_ltd,
                c2c,
                b_min,
                b_max,
            } if n >= 1 => {
                let g = ((w - b_min) / (b_max - b_min)).clamp(0.0, 1.0);
                let xi: f64 = if *c2c > 0.0 { rng.sample(StandardNormal) } else { 0.0 };
                let g_new = neurosim_move(g, f64::from(n), up, *p_max, *a_ltp, *a_ltd) + c2c * f64::from(n).sqrt() * xi;
                (b_min + g_new * (b_max - b_min)).clamp(*b_min, *b_max)
            }
            _ => {
                let mut v = w;
                for _ in 0..n {
                    v = self.pulse(v, up, rng);
                }
                v
            }
        }
    }

    /// The weight after one pulse in direction `up` (potentiate) or not.
    pub fn pulse<R: Rng>(&self, w: f64, up: bool, rng: &mut R) -> f64 {
        let d = if up { 1.0 } else { -1.0 };
        let (lo, hi) = self.bounds();
        let mut xi = || -> f64 { rng.sample(StandardNormal) };
        let next = match self {
            DeviceModel::ConstantStep { dw_min, c2c, .. } => w + d * dw_min * (1.0 + c2c * xi()),
            DeviceModel::LinearStep {
                dw_min,
                gamma_up,
                gamma_down,
                b_min,
                b_max,
                c2c,
            } => {
                let gamma = if up { -gamma_up.abs() / b_max } else { -gamma_down.abs() / b_min };
                w + d * dw_min * (gamma * w + 1.0 + c2c * xi())
            }
            DeviceModel::ExpStep {
                dw_min,
                a_up,
                a_down,
                gamma_up,
                gamma_down,
                a,
                b,
                b_min,
                b_max,
                c2c,
            } => {
                let z = 2.0 * a * w / (b_max - b_min) + b;
                let (amp, gamma) = if up { (a_up, gamma_up) } else { (a_down, gamma_down) };
                let y = 1.0 - amp * (d * gamma * z).exp();
                w + d * y.max(0.0) * dw_min * (1.0 + c2c * xi())
            }
            DeviceModel::NeuroSim { .. } => return self.pulses(w, 1, up, rng),
            DeviceModel::Levels {
                levels,
                p_switch,
                b_min,
                b_max,
            } => {
                let g = ((w - b_min) / (b_max - b_min)).clamp(0.0, 1.0);
                // Nearest level, then one level up or down with probability p_switch.
                let k = nearest_level(levels, g);
                let u: f64 = rng.gen();
                let k_new = if u < *p_switch {
                    if up {
                        (k + 1).min(levels.len() - 1)
                    } else {
                        k.saturating_sub(1)
                    }
                } else {
                    k
                };
                b_min + levels[k_new] * (b_max - b_min)
            }
        };
        next.clamp(lo, hi)
    }
}

fn nearest_level(levels: &[f64], g: f64) -> usize {
    levels
        .iter()
        .enumerate()
        .min_by(|a, b| (a.1 - g).abs().total_cmp(&(b.1 - g).abs()))
        .map_or(0, |(k, _)| k)
}

/// Levels of a differential pair of two such devices, G+ - G-, programmed so that one side
/// stays at its reset level: {-L_k} and {+L_k}, 2n - 1 levels, mapped back to [0, 1].
pub fn differential_levels(levels: &[f64]) -> Vec<f64> {
    let mut out: Vec<f64> = levels.iter().rev().map(|l| 0.5 - 0.5 * l).collect();
    out.extend(levels.iter().skip(1).map(|l| 0.5 + 0.5 * l));
    out
}

/// NeuroSim's write of `n` pulses from normalised conductance g (RealDevice::Write without the
/// noise): invert G(P) = B (1 - e^(-P/A)), B = 1/(1 - e^(-P_max/A)) for the pulse position, move
/// it by +n (LTP, A = A_LTP) or -n (LTD, A = A_LTD), evaluate; a negative A (negative NL label)
/// makes the curve convex.
#[inline]
fn neurosim_move(g: f64, n: f64, up: bool, p_max: f64, a_ltp: f64, a_ltd: f64) -> f64 {
    let a = if up { a_ltp } else { a_ltd };
    let bb = 1.0 / (1.0 - (-p_max / a).exp());
    let p = -a * (1.0 - g / bb).max(1e-300).ln();
    let p_new = if up { p + n } else { p - n };
    (bb * (1.0 - (-p_new / a).exp())).clamp(0.0, 1.0)
}

/// The DW-MTJ synapse of a device file: its current-reachable conductance levels, in the order
/// the MTJs switch (by their 50 % switching currents for the device's pulse), normalised so the
/// reset state maps to b_min and the highest reachable level to b_max; field-switched MTJs are
/// part of every level, unreachable ones of none. Potentiation here lowers the conductance
/// (P -> AP), so the weight is the normalised conductance drop.
pub fn dw_mtj_levels(
    device: &dwmtj_core::device::Device,
    pulse: &dwmtj_core::device::PulseShape,
    p_switch: f64,
    b_min: f64,
    b_max: f64,
) -> Result<DeviceModel, dwmtj_core::ConfigError> {
    Ok(DeviceModel::Levels {
        levels: crate::dwdevice::synapse(device, pulse)?.levels,
        p_switch,
        b_min,
        b_max,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    fn rng() -> Xoshiro256PlusPlus {
        Xoshiro256PlusPlus::seed_from_u64(1)
    }

    #[test]
    fn constant_step_walks_the_range_in_range_over_dw_min_pulses() {
        let m = DeviceModel::ConstantStep {
            dw_min: 0.01,
            b_min: -0.5,
            b_max: 0.5,
            c2c: 0.0,
        };
        let mut w = -0.5;
        for _ in 0..100 {
            w = m.pulse(w, true, &mut rng());
        }
        assert!((w - 0.5).abs() < 1e-9);
        assert!((m.pulse(w, true, &mut rng()) - 0.5).abs() < 1e-15, "clipped at the bound");
    }

    #[test]
    fn soft_bounds_step_vanishes_at_the_bound() {
        let m = DeviceModel::soft_bounds(0.01, -1.0, 1.0, 0.0);
        let at_top = m.pulse(1.0, true, &mut rng());
        assert!((at_top - 1.0).abs() < 1e-15);
        // At w = 0 up and down steps are equal (the symmetry point of symmetric bounds).
        let up = m.pulse(0.0, true, &mut rng());
        let down = m.pulse(0.0, false, &mut rng());
        assert!((up + down).abs() < 1e-15 && (up - 0.01).abs() < 1e-15);
        // Half way up, the up step is half as large.
        assert!((m.pulse(0.5, true, &mut rng()) - 0.5 - 0.005).abs() < 1e-15);
    }

    #[test]
    fn neurosim_first_and_last_steps_match_the_manual_table() {
        // docs/nn.md 4.1: for P_max = 100, first and last steps in units of 1/P_max.
        for (nl, first, last) in [(0.5, 1.21, 0.82), (1.0, 1.45, 0.66), (2.4, 2.29, 0.32), (4.88, 4.90, 0.035)] {
            let a = neurosim_a_over_pmax(nl) * 100.0;
            let m = DeviceModel::NeuroSim {
                p_max: 100.0,
                a_ltp: a,
                a_ltd: a,
                c2c: 0.0,
                b_min: 0.0,
                b_max: 1.0,
            };
            let mut g = 0.0;
            let mut steps = Vec::new();
            for _ in 0..100 {
                let n = m.pulse(g, true, &mut rng());
                steps.push((n - g) * 100.0);
                g = n;
            }
            assert!((steps[0] / first - 1.0).abs() < 0.02, "NL {nl}: first {} vs {first}", steps[0]);
            assert!((steps[99] / last - 1.0).abs() < 0.03, "NL {nl}: last {} vs {last}", steps[99]);
            assert!((g - 1.0).abs() < 1e-6, "NL {nl}: {} after P_max pulses", g);
            // LTD mirrors LTP: P_max depressing pulses return to 0.
            for _ in 0..100 {
                g = m.pulse(g, false, &mut rng());
            }
            assert!(g.abs() < 1e-6, "NL {nl}: {g}");
        }
    }

    #[test]
    fn presets_and_levels() {
        for p in NEUROSIM_PRESETS {
            let m = DeviceModel::neurosim(p.name, -1.0, 1.0).unwrap();
            let w = m.pulse(0.0, true, &mut rng());
            assert!(w > 0.0 && w < 1.0, "{}", p.name);
        }
        // An 8-level DW-MTJ: 7 certain pulses walk from the bottom to the top.
        let m = DeviceModel::Levels {
            levels: (0..8).map(|k| f64::from(k) / 7.0).collect(),
            p_switch: 1.0,
            b_min: -1.0,
            b_max: 1.0,
        };
        let mut w = -1.0;
        for _ in 0..7 {
            w = m.pulse(w, true, &mut rng());
        }
        assert!((w - 1.0).abs() < 1e-12);
        // The paper's Fig. 3f synapse: 7 current-switched MTJs give 8 nearly equal levels.
        let text = include_str!("../../../configs/fig3f.toml");
        let (_, d, p) = dwmtj_core::config::parse_device(text, "fig3f", None).unwrap();
        let DeviceModel::Levels { levels, .. } = dw_mtj_levels(&d, &p.unwrap().pulse, 1.0, -1.0, 1.0).unwrap() else {
            panic!()
        };
        assert_eq!(levels.len(), 8);
        let steps: Vec<f64> = levels.windows(2).map(|w| w[1] - w[0]).collect();
        assert!(steps.iter().all(|s| (s / (1.0 / 7.0) - 1.0).abs() < 0.05), "{steps:?}");
        let e = DeviceModel::exp_step_default();
        assert!(e.pulse(0.0, true, &mut rng()) > 0.0 && e.pulse(0.0, false, &mut rng()) < 0.0);
    }
}
