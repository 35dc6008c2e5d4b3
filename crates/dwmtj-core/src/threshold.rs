//! L0 threshold (compact) model of field-assisted, SOT-driven local wall motion (Mode L).
//!
//! Each MTJ footprint is reversed by a wall pinned at its edge (docs/physics.md 1, 5). The wall at rest
//! feels the perpendicular field and the damping-like SOT as one equivalent field
//! (docs/physics.md 5.1, eq. A is linear in the drive):
//!
//! ```text
//! F = H_assist + eps |J|,   eps = (pi/2) |chi_SL| |cos phi_eq|
//! athermal depinning when F >= F_c   <=>   |J| >= J_c = (F_c - H_assist) / eps
//! ```
//! so J_c is linear in the bias field. F_c = H_dep + H_geo for `model = "material"`; for
//! `model = "calibrated"` F_c follows from a measured 50 % threshold.
//!
//! Below J_c the wall escapes thermally (Neel-Arrhenius/Kramers, docs/physics.md 5.2):
//! ```text
//! E_b = E_0 (1 - |J|/J_c)^n,   rate = exp(-E_b / kB T) / tau_0,
//! P(depinned by t) = 1 - exp(-integral_0^t rate(J(t')) dt')
//! ```
//! Once depinned, the wall must cross the footprint within the pulse: L/2 per wall when walls
//! enter from both edges (symmetric writing), L for one wall (bipolar). It moves at
//! v(J) = mu (|J| - p J_c) (a flow law with propagation threshold p J_c, docs/physics.md 7.2) or, by
//! default, at the 1D model's steady SOT-driven velocity at the overdrive |J| - p J_c (linear at
//! low drive, saturating at the DMI velocity: SOT alone has no Walker breakdown; docs/physics.md
//! 2.6). A wall that does not cross leaves a partly switched
//! footprint, which the readout weights by area (docs/physics.md 6).
//!
//! A footprint with J_c <= 0 is switched by the bias field alone.

use crate::device::{Device, Polarity, PulseShape, ThresholdSource};
use crate::error::ConfigError;
use crate::material::KB;
use rand::Rng;
use rand_distr::{Exp1, StandardNormal};

/// Samples per pulse for the time integrals. Hazard and travel are smooth within the rise,
/// plateau and fall, so 96 trapezoids are well converged (tested against 4x refinement).
const PULSE_SAMPLES: usize = 96;

/// Thresholds of one MTJ for both write directions.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct MtjThresholds {
    /// Athermal critical HM current density for P -> AP (A/m^2); <= 0 means field-switched.
    pub j_c_ap: f64,
    /// Athermal critical HM current density for AP -> P (A/m^2).
    pub j_c_p: f64,
}

/// Wall velocity inside a footprint as a function of the overdrive above the propagation
/// threshold, with the material constants computed once.
#[derive(Clone, Debug, PartialEq)]
pub enum VelocityLaw {
    /// v = mu * overdrive.
    Flow {
        /// Mobility mu = dv/dJ, m/s per A/m^2.
        mobility: f64,
    },
    /// The 1D model's steady SOT-driven velocity at the overdrive (docs/physics.md 2.6, 5.2):
    /// H_SL = overdrive eps / ((pi/2) cos(phi_eq)), so a set `sot_field_per_1e11` scales it.
    /// Tabulated once ([`crate::material::sot_driven_velocity`]): g = v/(v_D x) at 1025 points of
    /// u = x/(1 + x), x = H_SL/(alpha |H_D|), linear in u; within 1e-3 of the law away from the
    /// jump where an intermediate wall's fast branch ends (tested).
    OneD {
        /// SOT field H_SL per unit overdrive, A/m per A/m^2.
        h_sl_per_j: f64,
        /// alpha |H_D|, A/m: the scale of x.
        alpha_h_d: f64,
        /// The DMI velocity (pi/2) gamma0 Delta |H_D|, m/s: the saturation.
        v_d: f64,
        /// g = v / (v_D x) at u = k/1024 (shared: a law is cloned with its model).
        table: std::sync::Arc<[f64]>,
    },
}

/// Points of the tabulated SOT-driven velocity law.
const SOT_TABLE: usize = 1025;

impl VelocityLaw {
    /// The device's law: the flow law if it sets a mobility, else the 1D model's.
    pub fn for_device(device: &Device) -> Self {
        let s = &device.switching;
        let m = &device.material;
        match s.mobility {
            Some(mobility) => VelocityLaw::Flow { mobility },
            None => {
                let cos_eq = m.cos_phi_eq();
                let h_d = m.h_d().abs();
                let v_d = std::f64::consts::FRAC_PI_2 * crate::material::GAMMA0 * m.wall_width() * h_d;
                let alpha_h_d = m.alpha * h_d;
                let mut table = vec![0.0; SOT_TABLE];
                if h_d > 0.0 {
                    let phi_start = -cos_eq.acos();
                    let mut phi = phi_start;
                    for (k, y) in table.iter_mut().enumerate() {
                        let u = k as f64 / (SOT_TABLE - 1) as f64;
                        // g = v/(v_D x) = cos(phi) of the steady state.
                        *y = if k + 1 == SOT_TABLE {
                            0.0
                        } else if k == 0 {
                            cos_eq
                        } else {
                            let x = u / (1.0 - u);
                            phi = crate::material::sot_steady_angle(m.alpha, h_d, m.h_k(), phi_start, phi, alpha_h_d * x);
                            phi.cos()
                        };
                    }
                }
                VelocityLaw::OneD {
                    h_sl_per_j: if cos_eq > 0.0 {
                        s.efficiency / (std::f64::consts::FRAC_PI_2 * cos_eq)
                    } else {
                        0.0
                    },
                    alpha_h_d,
                    v_d,
                    table: table.into(),
                }
            }
        }
    }

    /// Wall velocity at `overdrive` (A/m^2; negative counts as 0), m/s.
    pub fn velocity(&self, overdrive: f64) -> f64 {
        let over = overdrive.max(0.0);
        match *self {
            VelocityLaw::Flow { mobility } => mobility * over,
            VelocityLaw::OneD {
                h_sl_per_j,
                alpha_h_d,
                v_d,
                ref table,
            } => {
                if alpha_h_d <= 0.0 {
                    return 0.0;
                }
                let x = h_sl_per_j * over / alpha_h_d;
                if !x.is_finite() {
                    return v_d;
                }
                let pos = x / (1.0 + x) * (SOT_TABLE - 1) as f64;
                let k = (pos.floor() as usize).min(SOT_TABLE - 2);
                let f = pos - k as f64;
                // v = v_D x g, with v -> v_D as x -> infinity (g ~ 1/x).
                (v_d * x * (table[k] + f * (table[k + 1] - table[k]))).min(v_d)
            }
        }
    }
}

/// The compact model, with per-MTJ nominal thresholds.
#[derive(Clone, Debug)]
pub struct ThresholdModel<'a> {
    /// The device modelled.
    pub device: &'a Device,
    /// Velocity law inside a footprint.
    pub law: VelocityLaw,
    /// Nominal (variation-free) thresholds of each MTJ.
    pub nominal: Vec<MtjThresholds>,
    /// Common critical force F_c (A/m) for calibrated devices, per MTJ for material ones.
    pub critical_field: Vec<f64>,
}

/// What one pulse did to one footprint.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PulseOutcome {
    /// The wall moved during the pulse: it was already free, or the pulse depinned it.
    pub depinned: bool,
    /// Distance travelled by the wall inside the footprint (m).
    pub travel: f64,
}

impl<'a> ThresholdModel<'a> {
    /// Build the model; a calibrated device needs the pulse at which j_th was measured.
    pub fn new(device: &'a Device, program_pulse: Option<PulseShape>) -> Result<Self, ConfigError> {
        let eps = device.switching.efficiency;
        let n = device.mtjs.len();
        let critical_field: Vec<f64> = match device.switching.source {
            ThresholdSource::Material | ThresholdSource::Dynamic { .. } => (0..n)
                .map(|i| device.material.h_dep + device.taper_field(device.mtjs[i].position))
                .collect(),
            ThresholdSource::Calibrated {
                j_th,
                at_bias,
                at_pulse_width,
            } => {
                let pulse = match (at_pulse_width, program_pulse) {
                    (Some(w), _) => PulseShape::rectangular(w),
                    (None, Some(p)) => p,
                    (None, None) => {
                        return Err(ConfigError::field(
                            "switching.at_pulse_width",
                            "missing",
                            "a calibrated threshold needs the pulse width it was measured at (or a [program])",
                        ))
                    }
                };
                let length = device.crossing_length(0);
                let j_c = calibrate_athermal(device, j_th, length, &pulse).ok_or_else(|| {
                    ConfigError::field(
                        "switching.j_th",
                        format!("{j_th:.3e} A/m^2"),
                        format!(
                            "cannot be a 50 % threshold for a {:.2} ns pulse: the wall cannot cross the {:.0} nm footprint in time even without a barrier; raise flow_velocity or the pulse width",
                            pulse.width * 1e9,
                            length * 1e9
                        ),
                    )
                })?;
                // The calibration refers to an MTJ with the default (first MTJ's) stray field.
                let assist_ref = device.ap_direction() * at_bias - device.mtjs[0].stray_field;
                vec![assist_ref + eps * j_c; n]
            }
        };
        let nominal = (0..n)
            .map(|i| MtjThresholds {
                j_c_ap: (critical_field[i] - device.assist_field(i, true)) / eps,
                j_c_p: (critical_field[i] - device.assist_field(i, false)) / eps,
            })
            .collect();
        Ok(Self {
            device,
            law: VelocityLaw::for_device(device),
            nominal,
            critical_field,
        })
    }

    /// Escape rate (1/s) at HM current density magnitude j below the critical j_c.
    pub fn escape_rate(&self, j: f64, j_c: f64) -> f64 {
        let s = &self.device.switching;
        if j >= j_c {
            return f64::INFINITY;
        }
        if s.temperature <= 0.0 {
            return 0.0;
        }
        let reduced = (1.0 - j.max(0.0) / j_c).clamp(0.0, 1.0);
        let eb = s.barrier_energy * reduced.powf(s.barrier_exponent);
        (-eb / (KB * s.temperature)).exp() / s.attempt_time
    }

    /// Wall velocity inside a footprint at drive j with edge threshold j_c.
    pub fn velocity(&self, j: f64, j_c: f64) -> f64 {
        self.law.velocity(j - self.device.switching.propagation_fraction * j_c.max(0.0))
    }

    /// Apply one pulse of peak density `j_peak` (magnitude) to a footprint.
    /// `needs_depinning`: the wall still sits at the edge. `exp_draw` is an Exp(1) variate for
    /// the thermal escape (pass f64::INFINITY for the athermal limit).
    pub fn pulse(&self, j_peak: f64, j_c: f64, pulse: &PulseShape, needs_depinning: bool, exp_draw: f64) -> PulseOutcome {
        let dur = pulse.duration();
        let dt = dur / PULSE_SAMPLES as f64;
        let t_dep = if !needs_depinning || j_c <= 0.0 {
            Some(0.0)
        } else {
            let mut hazard = 0.0;
            let mut found = None;
            let mut prev_rate = self.escape_rate(0.0, j_c);
            for k in 0..=PULSE_SAMPLES {
                let t = k as f64 * dt;
                let j = j_peak * pulse.shape(t);
                if j >= j_c {
                    found = Some(t);
                    break;
                }
                let rate = self.escape_rate(j, j_c);
                if k > 0 {
                    hazard += 0.5 * (rate + prev_rate) * dt;
                    if hazard >= exp_draw {
                        found = Some(t);
                        break;
                    }
                }
                prev_rate = rate;
            }
            found
        };
        let Some(t0) = t_dep else {
            return PulseOutcome {
                depinned: false,
                travel: 0.0,
            };
        };
        // Travel from t0 to the end: the partial first interval, then whole grid intervals.
        let k0 = ((t0 / dt).floor() as usize + 1).min(PULSE_SAMPLES);
        let mut travel = 0.0;
        let mut t = t0;
        let mut v_prev = self.velocity(j_peak * pulse.shape(t), j_c);
        for k in k0..=PULSE_SAMPLES {
            let t_next = k as f64 * dt;
            if t_next <= t {
                continue;
            }
            let v = self.velocity(j_peak * pulse.shape(t_next), j_c);
            travel += 0.5 * (v + v_prev) * (t_next - t);
            v_prev = v;
            t = t_next;
        }
        PulseOutcome { depinned: true, travel }
    }

    /// Probability that one pulse of wire current `current` fully switches MTJ i from its
    /// initial state, with nominal thresholds (no variation).
    pub fn switching_probability(&self, i: usize, current: f64, pulse: &PulseShape) -> f64 {
        let j = self.device.density_at_mtj(i, current).abs();
        let to_ap = current >= 0.0 || self.device.switching.polarity == Polarity::Symmetric;
        let j_c = if to_ap { self.nominal[i].j_c_ap } else { self.nominal[i].j_c_p };
        full_switch_probability(self, j, j_c, self.device.crossing_length(i), pulse)
    }

    /// The 50 % switching current (A) of MTJ i for this pulse, P -> AP, or None if it would
    /// need more than `limit`.
    pub fn switching_current(&self, i: usize, pulse: &PulseShape, limit: f64) -> Option<f64> {
        if self.nominal[i].j_c_ap <= 0.0 {
            return Some(0.0);
        }
        if self.switching_probability(i, limit, pulse) < 0.5 {
            return None;
        }
        let (mut lo, mut hi) = (0.0, limit);
        for _ in 0..80 {
            let mid = 0.5 * (lo + hi);
            if self.switching_probability(i, mid, pulse) < 0.5 {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        Some(0.5 * (lo + hi))
    }

    /// Thresholds of one device instance: nominal times (1 + d2d N) per MTJ.
    pub fn draw_device<R: Rng>(&self, rng: &mut R) -> Vec<MtjThresholds> {
        let s = self.device.variation.d2d;
        self.nominal
            .iter()
            .map(|t| {
                let g: f64 = rng.sample(StandardNormal);
                let f = (1.0 + s * g).max(0.05);
                MtjThresholds {
                    j_c_ap: t.j_c_ap * f,
                    j_c_p: t.j_c_p * f,
                }
            })
            .collect()
    }

    /// Apply one signed current pulse to one device instance in state `f_ap` (switched area
    /// fractions), drawing cycle-to-cycle noise and thermal escape from `rng`.
    pub fn apply_pulse<R: Rng>(&self, thresholds: &[MtjThresholds], f_ap: &mut [f64], current: f64, pulse: &PulseShape, rng: &mut R) {
        let dev = self.device;
        let c2c = dev.variation.c2c;
        for (i, f) in f_ap.iter_mut().enumerate() {
            let to_ap = current >= 0.0 || dev.switching.polarity == Polarity::Symmetric;
            if (to_ap && *f >= 1.0) || (!to_ap && *f <= 0.0) || current == 0.0 {
                continue;
            }
            let j = dev.density_at_mtj(i, current).abs();
            let base = if to_ap { thresholds[i].j_c_ap } else { thresholds[i].j_c_p };
            let noise: f64 = if c2c > 0.0 { rng.sample(StandardNormal) } else { 0.0 };
            let j_c = if base > 0.0 { base * (1.0 + c2c * noise).max(0.05) } else { base };
            let needs_depinning = if to_ap { *f <= 0.0 } else { *f >= 1.0 };
            // Skip pulses that cannot move the wall (saves the time integral, draws nothing more).
            if needs_depinning && j_c > 0.0 && j < j_c && self.escape_rate(j, j_c) * pulse.duration() < 1e-12 {
                continue;
            }
            if !needs_depinning && self.velocity(j, j_c) <= 0.0 {
                continue;
            }
            let e: f64 = if needs_depinning { rng.sample(Exp1) } else { 0.0 };
            let out = self.pulse(j, j_c, pulse, needs_depinning, e);
            if out.depinned {
                let df = out.travel / dev.crossing_length(i);
                *f = if to_ap { (*f + df).min(1.0) } else { (*f - df).max(0.0) };
            }
        }
    }

    /// Initial state after a field reset: all P, then the footprints whose P -> AP threshold is
    /// <= 0 are switched by the bias field.
    pub fn reset_state(&self, thresholds: &[MtjThresholds]) -> Vec<f64> {
        thresholds.iter().map(|t| if t.j_c_ap <= 0.0 { 1.0 } else { 0.0 }).collect()
    }
}

/// Probability that one pulse at peak density j fully crosses a footprint of length L starting
/// pinned at its edge, for edge threshold j_c (no cycle noise).
pub fn full_switch_probability(model: &ThresholdModel<'_>, j: f64, j_c: f64, length: f64, pulse: &PulseShape) -> f64 {
    if j_c <= 0.0 {
        return 1.0;
    }
    // Latest depinning time that still lets the wall cross: travel is decreasing in t0.
    let dur = pulse.duration();
    let travel_from = |t0: f64| travel_after(model, j, j_c, pulse, t0);
    if travel_from(0.0) < length {
        return 0.0;
    }
    let (mut lo, mut hi) = (0.0, dur);
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if travel_from(mid) >= length {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let t_star = lo;
    // Hazard up to t_star, or certain if the athermal threshold is reached before it.
    let n = 400;
    let dt = t_star / f64::from(n);
    let mut hazard = 0.0;
    for k in 0..=n {
        let t = f64::from(k) * dt;
        if j * pulse.shape(t) >= j_c {
            return 1.0;
        }
        if k > 0 {
            let r0 = model.escape_rate(j * pulse.shape(t - dt), j_c);
            let r1 = model.escape_rate(j * pulse.shape(t), j_c);
            hazard += 0.5 * (r0 + r1) * dt;
        }
    }
    1.0 - (-hazard).exp()
}

fn travel_after(model: &ThresholdModel<'_>, j: f64, j_c: f64, pulse: &PulseShape, t0: f64) -> f64 {
    let dur = pulse.duration();
    let n = 400;
    let dt = (dur - t0) / f64::from(n);
    if dt <= 0.0 {
        return 0.0;
    }
    (0..n)
        .map(|k| {
            let a = t0 + f64::from(k) * dt;
            0.5 * (model.velocity(j * pulse.shape(a), j_c) + model.velocity(j * pulse.shape(a + dt), j_c)) * dt
        })
        .sum()
}

/// Athermal threshold J_c that makes `j_th` the 50 % full-switching point for `pulse`.
fn calibrate_athermal(device: &Device, j_th: f64, length: f64, pulse: &PulseShape) -> Option<f64> {
    // A throwaway model whose only use is escape_rate/velocity (independent of critical fields).
    let model = ThresholdModel {
        device,
        law: VelocityLaw::for_device(device),
        nominal: Vec::new(),
        critical_field: Vec::new(),
    };
    let p = |j_c: f64| full_switch_probability(&model, j_th, j_c, length, pulse);
    // P is non-increasing in J_c. At J_c = j_th the wall depins at once; if it still cannot
    // cross, no J_c works.
    if p(j_th * (1.0 - 1e-12)) < 0.5 {
        return None;
    }
    let (mut lo, mut hi) = (j_th, j_th * 2.0);
    while p(hi) >= 0.5 {
        hi *= 2.0;
        if hi > j_th * 1e6 {
            return None;
        }
    }
    for _ in 0..80 {
        let mid = 0.5 * (lo + hi);
        if p(mid) >= 0.5 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(0.5 * (lo + hi))
}
/// What `dwmtj check` reports of a valid device file.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct CheckReport {
    /// Always true (an invalid file is an error).
    pub valid: bool,
    /// Device name.
    pub device: String,
    /// Material name.
    pub material: String,
    /// Number of MTJs.
    pub mtjs: usize,
    /// Wire resistance, Ohm.
    pub wire_resistance_ohm: f64,
    /// Breakdown current at the narrowest point, A.
    pub breakdown_current_a: f64,
    /// Nominal P->AP switching current density of each MTJ, A/m^2.
    pub j_c_ap_a_per_m2: Vec<f64>,
    /// Pulses in one cycle of the program, if the file has one.
    pub program_pulses_per_cycle: Option<usize>,
}

/// Check a validated device the way a run would use it: build its threshold model (which
/// solves the calibration) and report the figures a person checks first.
pub fn check(device: &Device, program: Option<&crate::device::Program>) -> Result<CheckReport, ConfigError> {
    let model = ThresholdModel::new(device, program.map(|p| p.pulse))?;
    Ok(CheckReport {
        valid: true,
        device: device.name.clone(),
        material: device.material.name.clone(),
        mtjs: device.mtjs.len(),
        wire_resistance_ohm: device.wire_resistance(),
        breakdown_current_a: device.breakdown_current(),
        j_c_ap_a_per_m2: model.nominal.iter().map(|t| t.j_c_ap).collect(),
        program_pulses_per_cycle: program.map(|p| p.pulses_per_cycle()),
    })
}
