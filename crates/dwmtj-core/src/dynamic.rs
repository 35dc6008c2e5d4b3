//! Dynamic device mode (`[switching] model = "dynamic"`): each MTJ's local wall (Mode L) is
//! integrated with the 1D (q, phi) model of [`crate::wall`] during the real pulse shape, so pulse
//! width, rise time, wall inertia and Walker breakdown all matter.
//!
//! Local frame of MTJ i: q runs into the footprint from its edge; the wall must travel the
//! crossing length L_i (half the footprint for symmetric writing, docs/physics.md 1). The wall
//! (Q = +1, cross-section = the wire's critical width x t_F) feels
//! * the heavy-metal current density at the critical width, with the sign that pushes it inward
//!   (the current's polarity only selects which write happens);
//! * the net perpendicular field H_assist = bias along the target state - the reference-layer
//!   stray field;
//! * sinusoidal film pinning of amplitude H_dep (material `h_dep`, times the device-to-device and
//!   cycle-to-cycle factors) and period `pin_period`, and the geometric taper force through
//!   H_dep + H_geo;
//! * thermal noise at the device temperature (stochastic Heun, 1 ps), or none at 0 K (RK45).
//!
//! After the pulse the wall relaxes for `RELAX` with no current. The footprint's switched
//! fraction is q / L_i. A footprint whose net field exceeds its pinning is switched by the field.

use crate::device::{Device, Polarity, PulseShape};
use crate::error::ConfigError;
use crate::wall::{run_deterministic, run_thermal, Drive, Pinning, RunOptions, WallModel};
use rand::Rng;
use rand_distr::StandardNormal;

/// Time the wall may settle after the pulse (s).
pub const RELAX: f64 = 2e-9;

/// One MTJ's local wall, for both write directions.
#[derive(Clone, Debug)]
struct LocalWall {
    model: WallModel,
    /// Sign of the HM current density that pushes the wall inward.
    drive_sign: f64,
    phi0: f64,
    /// Pinning amplitude before variation (A/m).
    h_pin: f64,
}

/// One MTJ's wall equations ([`DynamicModel::local_equations`]).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct LocalEquations {
    /// The folded constants of the (q, phi) equations.
    pub rates: crate::wall::RateConstants,
    /// Sign of the HM current density that pushes the wall toward AP.
    pub drive_sign: f64,
    /// Angle of the wall at rest, rad.
    pub phi0: f64,
    /// Net perpendicular field along AP (bias along AP minus the stray field), A/m.
    pub hz_ap: f64,
    /// Amplitude of the pinning force f_pin = mu0 |M| H_pin (film H_dep plus the taper), J/m^3.
    pub pin_force: f64,
    /// Period of the sinusoidal pinning, m.
    pub pin_period: f64,
}

/// The dynamic pulse model of a device.
#[derive(Clone, Debug)]
pub struct DynamicModel<'a> {
    /// The device modelled.
    pub device: &'a Device,
    /// Period of the sinusoidal film pinning, m.
    pub pin_period: f64,
    walls: Vec<LocalWall>,
}

impl<'a> DynamicModel<'a> {
    /// One wall model per MTJ, at its critical width and the switching temperature; an error if
    /// the material has no film depinning field (h_dep <= 0).
    pub fn new(device: &'a Device, pin_period: f64) -> Result<Self, ConfigError> {
        let m = &device.material;
        let walls = (0..device.mtjs.len())
            .map(|i| {
                let mut model = WallModel::from_material(m, device.critical_width(i), 1.0);
                model.temperature = device.switching.temperature;
                let phi0 = model.equilibrium_phi(0.0, 0.0);
                let drive_sign = (m.theta_sh * phi0.cos()).signum();
                let h_pin = m.h_dep + device.taper_field(device.mtjs[i].position);
                LocalWall {
                    model,
                    drive_sign,
                    phi0,
                    h_pin,
                }
            })
            .collect();
        if m.h_dep <= 0.0 {
            return Err(ConfigError::field(
                format!("material '{}'.h_dep", m.name),
                "0",
                "model = \"dynamic\" needs a film depinning field h_dep > 0 for the wall's pinning",
            ));
        }
        Ok(Self { device, pin_period, walls })
    }

    /// True if the bias field alone reverses MTJ i toward AP.
    pub fn field_switched(&self, i: usize) -> bool {
        self.device.assist_field(i, true) >= self.walls[i].h_pin
    }

    /// Initial state after a field reset.
    pub fn reset_state(&self, pin_factors: &[f64]) -> Vec<f64> {
        (0..self.walls.len())
            .map(|i| {
                if self.device.assist_field(i, true) >= self.walls[i].h_pin * pin_factors[i] {
                    1.0
                } else {
                    0.0
                }
            })
            .collect()
    }

    /// Device-to-device pinning factors 1 + d2d N.
    pub fn draw_device<R: Rng>(&self, rng: &mut R) -> Vec<f64> {
        let s = self.device.variation.d2d;
        self.walls
            .iter()
            .map(|_| {
                let g: f64 = rng.sample(StandardNormal);
                (1.0 + s * g).max(0.05)
            })
            .collect()
    }

    /// Distance travelled from q0 by MTJ i's wall under one pulse of HM density magnitude j.
    /// `rng` = None runs deterministically.
    #[allow(clippy::too_many_arguments)] // one call site per engine; a struct would only rename them
    pub fn travel<R: Rng>(&self, i: usize, j: f64, to_ap: bool, pin_factor: f64, q0: f64, pulse: &PulseShape, rng: Option<&mut R>) -> f64 {
        let model = self.pinned(i, pin_factor);
        let drive = self.drive(i, j, to_ap, pulse);
        let opts = Self::options(pulse);
        let phi0 = self.walls[i].phi0;
        let out = match rng {
            Some(r) if model.temperature > 0.0 => run_thermal(&model, &drive, q0, phi0, &opts, r),
            _ => run_deterministic(&model, &drive, q0, phi0, &opts),
        };
        out.displacement_m
    }

    /// MTJ i's wall with its pinning scaled by `pin_factor`.
    fn pinned(&self, i: usize, pin_factor: f64) -> WallModel {
        let w = &self.walls[i];
        let mut model = w.model.clone();
        model.pinning = vec![Pinning::Periodic {
            h_dep: w.h_pin * pin_factor,
            period: self.pin_period,
        }];
        model
    }

    /// The drive of MTJ i's wall: HM density magnitude j pushing it inward, the net field.
    fn drive(&self, i: usize, j: f64, to_ap: bool, pulse: &PulseShape) -> Drive {
        Drive {
            current_density: self.walls[i].drive_sign * j,
            pulse: *pulse,
            hx: 0.0,
            hy: 0.0,
            hz: self.device.assist_field(i, to_ap),
        }
    }

    /// The pulse, then `RELAX` without current.
    fn options(pulse: &PulseShape) -> RunOptions {
        RunOptions {
            t_end: pulse.duration() + RELAX,
            dt_thermal: 1e-12,
            ..RunOptions::default()
        }
    }

    /// Apply one signed current pulse to a device instance in state `f_ap`.
    pub fn apply_pulse<R: Rng>(&self, pin_factors: &[f64], f_ap: &mut [f64], current: f64, pulse: &PulseShape, rng: &mut R) {
        let dev = self.device;
        for (i, f) in f_ap.iter_mut().enumerate() {
            let to_ap = current >= 0.0 || dev.switching.polarity == Polarity::Symmetric;
            if (to_ap && *f >= 1.0) || (!to_ap && *f <= 0.0) || current == 0.0 {
                continue;
            }
            let j = dev.density_at_mtj(i, current).abs();
            let c2c: f64 = if dev.variation.c2c > 0.0 { rng.sample(StandardNormal) } else { 0.0 };
            let factor = pin_factors[i] * (1.0 + dev.variation.c2c * c2c).max(0.05);
            // Without current the wall cannot leave a well deeper than the net field: skip runs
            // that cannot move it (saves the integration; the quasi-static bound is exact at 0 K).
            if self.blocked(i, j, to_ap, factor) {
                continue;
            }
            let length = dev.crossing_length(i);
            let q0 = if to_ap { *f * length } else { (1.0 - *f) * length };
            // Signed: a wall that slides back after the pulse gives up its ground (clamping each
            // pulse's travel at 0 would ratchet sub-threshold wobbles into motion).
            let df = self.travel(i, j, to_ap, factor, q0, pulse, Some(&mut *rng)) / length;
            *f = if to_ap {
                (*f + df).clamp(0.0, 1.0)
            } else {
                (*f - df).clamp(0.0, 1.0)
            };
        }
    }

    /// At 0 K, true when a pulse of HM density j cannot move MTJ i's wall: the net field plus
    /// the SOT's equivalent field is below half the pinning (`pin_factor` times the nominal).
    /// Pulses this weak are skipped (the quasi-static bound is exact at 0 K).
    pub fn blocked(&self, i: usize, j: f64, to_ap: bool, pin_factor: f64) -> bool {
        let dev = self.device;
        dev.switching.temperature <= 0.0
            && dev.assist_field(i, to_ap) + dev.switching.efficiency * j < 0.5 * self.walls[i].h_pin * pin_factor
    }

    /// Pinning field of MTJ i's wall: the film's H_dep plus the taper back-force (A/m).
    pub fn pinning_field(&self, i: usize) -> f64 {
        self.walls[i].h_pin
    }

    /// MTJ i's local wall as equations, for writing the model into a circuit simulator: in the
    /// frame of the P -> AP write, with q from the footprint's P edge,
    /// ```text
    /// J   = drive_sign x (HM density, signed: positive toward AP)
    /// F_A = a_hz hz_ap + a_jc J cos(phi) + a_j J - pin_force sin(2 pi q / pin_period)
    /// F_B = b_sc sin(phi) cos(phi) + b_s sin(phi) + b_jc J cos(phi) + b_j J
    /// qdot = q_a F_A + q_b F_B,   phidot = p_a F_A + p_b F_B,   phi(0) = phi0
    /// ```
    /// The AP -> P write of [`DynamicModel::apply_pulse`] runs the same equations mirrored
    /// (q -> L - q, J -> -J, H_z -> -H_z, phi -> -phi), which is this frame exactly when the
    /// crossing length is a whole number of pinning periods.
    pub fn local_equations(&self, i: usize) -> LocalEquations {
        let w = &self.walls[i];
        LocalEquations {
            rates: w.model.rate_constants(),
            drive_sign: w.drive_sign,
            phi0: w.phi0,
            hz_ap: self.device.assist_field(i, true),
            pin_force: crate::units::MU0 * w.model.m_net.abs() * w.h_pin,
            pin_period: self.pin_period,
        }
    }

    /// Deterministic travel of MTJ i's wall toward AP under one pulse for each (HM density,
    /// start position) of `runs`, integrated side by side in SIMD lanes
    /// ([`crate::wall::run_deterministic_many`]); each equals [`DynamicModel::travel`] at 0 K.
    pub fn travel_many(&self, i: usize, runs: &[(f64, f64)], pin_factor: f64, pulse: &PulseShape) -> Vec<f64> {
        let model = self.pinned(i, pin_factor);
        let phi0 = self.walls[i].phi0;
        let jobs: Vec<(Drive, f64, f64)> = runs.iter().map(|&(j, q0)| (self.drive(i, j, true, pulse), q0, phi0)).collect();
        crate::wall::run_deterministic_many(&model, &jobs, &Self::options(pulse))
            .iter()
            .map(|o| o.displacement_m)
            .collect()
    }

    /// Steady velocity of MTJ i's wall without pinning or field at HM density j (after a pulse
    /// of at least 20 ns): the flow velocity the threshold model's mobility is calibrated to.
    pub fn free_velocity(&self, i: usize, j: f64, pulse: &PulseShape) -> f64 {
        let w = &self.walls[i];
        let mut model = w.model.clone();
        model.pinning.clear();
        model.temperature = 0.0;
        let drive = Drive::current(w.drive_sign * j, *pulse);
        let long = PulseShape {
            width: pulse.width.max(20e-9),
            ..*pulse
        };
        let drive = Drive { pulse: long, ..drive };
        let plateau_end = long.rise + long.width - 0.5 * (long.rise + long.fall);
        let opts = RunOptions {
            t_end: plateau_end,
            ..RunOptions::default()
        };
        run_deterministic(&model, &drive, 0.0, w.phi0, &opts).final_velocity_m_per_s
    }

    /// Deterministic single-pulse switching current (A) of MTJ i from the reset state: the
    /// smallest current whose pulse carries the wall across its crossing length.
    pub fn switching_current(&self, i: usize, pulse: &PulseShape, limit: f64) -> Option<f64> {
        if self.field_switched(i) {
            return Some(0.0);
        }
        let length = self.device.crossing_length(i);
        let crosses = |current: f64| {
            let j = self.device.density_at_mtj(i, current).abs();
            self.travel::<rand_xoshiro::Xoshiro256PlusPlus>(i, j, true, 1.0, 0.0, pulse, None) >= length
        };
        if !crosses(limit) {
            return None;
        }
        let (mut lo, mut hi) = (0.0, limit);
        for _ in 0..40 {
            let mid = 0.5 * (lo + hi);
            if crosses(mid) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        Some(hi)
    }
}
