//! The validated multi-MTJ device (Mode L of docs/physics.md section 1) and its pulse programs.
//!
//! Current split and wire (docs/physics.md section 4):
//! ```text
//! f_HM = (t_HM/rho_HM) / (t_HM/rho_HM + t_F/rho_F),   R_sq = 1 / (t_HM/rho_HM + t_F/rho_F)
//! J_HM(x) = f_HM I / (w(x) t_HM),                    R_wire = R_sq * integral dx / w(x)
//! ```
//! The breakdown limit is a heavy-metal current density at the narrowest point:
//! I_bd = J_bd w_min t_HM / f_HM.

use crate::error::ConfigError;
use crate::geometry::WidthProfile;
use crate::material::Material;
use crate::mtj::Mtj;

/// The wire: its width profile and breakdown limit.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Wire {
    /// Width w(x) along the wire (m).
    pub profile: WidthProfile,
    /// Heavy-metal current density limit at the narrowest point (A/m^2); infinite if unset.
    pub breakdown_current_density: f64,
}

/// Where the depinning threshold comes from.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub enum ThresholdSource {
    /// From the material: F_c = H_dep + H_geo, J_c = (F_c - H_assist) / eps.
    Material,
    /// From a measured 50 % switching current density `j_th` at bias `at_bias` for a pulse of
    /// `at_pulse_width` (default: the program's pulse), for an MTJ with the default stray field.
    Calibrated {
        /// Measured 50 % switching current density, A/m^2.
        j_th: f64,
        /// Bias field H_z at which `j_th` was measured, A/m.
        at_bias: f64,
        /// Pulse width (FWHM) at which `j_th` was measured, s; None = the program's pulse.
        at_pulse_width: Option<f64>,
    },
    /// The 1D wall model for every MTJ ([`crate::dynamic`]), with sinusoidal film pinning of the
    /// material's H_dep and this period (m). Quasi-static thresholds as for `Material`.
    Dynamic {
        /// Period of the sinusoidal film pinning, m.
        pin_period: f64,
    },
}

/// Which current sign writes which state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Polarity {
    /// Walls sit at both footprint edges: either sign expands the AP domain (the paper's Mode L,
    /// "a current in either direction can cause domain wall propagation").
    Symmetric,
    /// Positive current writes P -> AP, negative writes AP -> P.
    Bipolar,
}

/// How MTJs switch: the threshold source, SOT efficiency, polarity, flow and thermal activation.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Switching {
    /// Where the depinning threshold comes from.
    pub source: ThresholdSource,
    /// SOT depinning efficiency eps: equivalent H_z per unit HM current density (A/m per A/m^2).
    pub efficiency: f64,
    /// Which current sign writes which state.
    pub polarity: Polarity,
    /// Threshold for a wall already inside a footprint, as a fraction of the edge depinning
    /// threshold (the reference-layer pinning is strongest at the edges, device paper ref. 30).
    pub propagation_fraction: f64,
    /// Flow mobility dv/dJ above the propagation threshold (m/s per A/m^2); None = from the 1D
    /// model's steady SOT-driven velocity (docs/physics.md 2.6).
    pub mobility: Option<f64>,
    /// Depinning barrier E_0 at zero drive (J).
    pub barrier_energy: f64,
    /// Barrier exponent n in E_b = E_0 (1 - J/J_c)^n (3/2 smooth barrier, 2 parabolic).
    pub barrier_exponent: f64,
    /// Attempt time tau_0 (s).
    pub attempt_time: f64,
    /// Temperature of the thermal activation, K.
    pub temperature: f64,
}

/// Threshold variation, as relative standard deviations.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Variation {
    /// Relative std of each MTJ's threshold, fixed per device instance.
    pub d2d: f64,
    /// Relative std of the threshold, drawn anew for every pulse.
    pub c2c: f64,
}

/// The read operation.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Readout {
    /// Read current, A.
    pub current: f64,
    /// Solve the read network through the wire segments instead of ideal parallel MTJs.
    pub network: bool,
    /// Read pulse duration, for read energy (s).
    pub duration: f64,
}

/// A validated device: material, wire, MTJs, bias, switching, variation and readout (SI).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Device {
    /// Device name.
    pub name: String,
    /// Free-text description (empty if none).
    pub description: String,
    /// The material, with the file's overrides applied.
    pub material: Material,
    /// The wire.
    pub wire: Wire,
    /// The MTJs along the wire, in increasing position.
    pub mtjs: Vec<Mtj>,
    /// Reference layer along +z (the P state of the free layer is up).
    pub reference_up: bool,
    /// Perpendicular bias field H_z (A/m).
    pub bias_field: f64,
    /// How the MTJs switch.
    pub switching: Switching,
    /// Threshold variation.
    pub variation: Variation,
    /// The read operation.
    pub readout: Readout,
}

/// A trapezoidal current pulse: `width` is the full width at half maximum.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct PulseShape {
    /// Full width at half maximum, s.
    pub width: f64,
    /// Rise time (0 to full amplitude), s.
    pub rise: f64,
    /// Fall time (full amplitude to 0), s.
    pub fall: f64,
}

/// Why a pulse shape is not a pulse.
#[derive(Clone, Copy, Debug, PartialEq, thiserror::Error)]
pub enum PulseError {
    /// The width (FWHM) is not finite and > 0 (the value, s).
    #[error("the width (FWHM) {0:e} s must be > 0")]
    Width(f64),
    /// A rise or fall time is not finite and >= 0.
    #[error("the {edge} time {value:e} s must be >= 0")]
    Edge {
        /// "rise" or "fall".
        edge: &'static str,
        /// The rejected time, s.
        value: f64,
    },
    /// (rise + fall)/2 exceeds the width (FWHM).
    #[error("(rise + fall)/2 = {half_edges:e} s exceeds the pulse width (FWHM) {width:e} s")]
    Edges {
        /// (rise + fall)/2, s.
        half_edges: f64,
        /// The width (FWHM), s.
        width: f64,
    },
}

impl PulseError {
    /// The parameter at fault: "width", "rise" or "fall".
    pub fn key(&self) -> &'static str {
        match self {
            Self::Width(_) => "width",
            Self::Edge { edge, .. } => edge,
            Self::Edges { .. } => "rise",
        }
    }
}

impl PulseShape {
    /// The one validated constructor of every pulse (device programs, wall runs, micromagnetic
    /// drives): a finite width (FWHM) > 0, finite rise and fall >= 0, (rise + fall)/2 <= width.
    pub fn new(width: f64, rise: f64, fall: f64) -> Result<Self, PulseError> {
        if !(width > 0.0 && width.is_finite()) {
            return Err(PulseError::Width(width));
        }
        for (edge, value) in [("rise", rise), ("fall", fall)] {
            if !(value >= 0.0 && value.is_finite()) {
                return Err(PulseError::Edge { edge, value });
            }
        }
        if 0.5 * (rise + fall) > width {
            return Err(PulseError::Edges {
                half_edges: 0.5 * (rise + fall),
                width,
            });
        }
        Ok(Self { width, rise, fall })
    }

    /// A pulse with no rise or fall (unchecked).
    pub fn rectangular(width: f64) -> Self {
        Self {
            width,
            rise: 0.0,
            fall: 0.0,
        }
    }

    /// Total duration from the start of the rise to the end of the fall.
    pub fn duration(&self) -> f64 {
        self.width + 0.5 * (self.rise + self.fall)
    }

    /// Normalised amplitude s(t) in [0, 1].
    #[inline]
    pub fn shape(&self, t: f64) -> f64 {
        let plateau_end = self.rise + self.width - 0.5 * (self.rise + self.fall);
        if t < 0.0 || t > self.duration() {
            0.0
        } else if t < self.rise {
            t / self.rise
        } else if t <= plateau_end {
            1.0
        } else {
            ((self.duration() - t) / self.fall).max(0.0)
        }
    }

    /// integral s(t)^2 dt: the Joule-energy duration, E = I^2 R * this.
    pub fn energy_duration(&self) -> f64 {
        self.width - (self.rise + self.fall) / 6.0
    }
}

/// One sweep of a program: signed pulse currents applied in order.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Sweep {
    /// "positive" or "negative".
    pub label: String,
    /// Signed pulse amplitudes (A), in order.
    pub currents: Vec<f64>,
}

impl Sweep {
    /// Sign of the sweep: -1 for "negative", +1 otherwise.
    pub fn sign(&self) -> f64 {
        if self.label == "negative" {
            -1.0
        } else {
            1.0
        }
    }
}

/// When the device is reset to all-P.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum ResetPolicy {
    /// Field reset to all-P before every sweep.
    EachSweep,
    /// Field reset only at the start of each cycle; sweeps within a cycle carry state.
    EachCycle,
}

/// How the device returns to its reset state.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub enum ResetMethod {
    /// A large perpendicular field along P (an external magnet; no electrical energy).
    Field,
    /// A write current through every MTJ whose state changes (spin-transfer torque).
    Stt,
}

/// STT writes through individual MTJs: current density and pulse width.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct SttWrite {
    /// Current density through the junction, A/m^2.
    pub current_density: f64,
    /// Pulse width, s.
    pub pulse: f64,
}

impl SttWrite {
    /// Energy of one write of `mtj`: (J A)^2 (RA/A) tau = J^2 A RA tau.
    pub fn energy(&self, mtj: &crate::mtj::Mtj) -> f64 {
        self.current_density.powi(2) * mtj.area() * mtj.ra * self.pulse
    }
}

/// A validated pulse program: sweeps, pulse shape, cycles, devices, seed and reset policy.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Program {
    /// The sweeps of one cycle, in order.
    pub sweeps: Vec<Sweep>,
    /// Shape of every pulse.
    pub pulse: PulseShape,
    /// Cycles to run per device instance.
    pub cycles: u32,
    /// Device instances (independent device-to-device draws).
    pub devices: u32,
    /// Seed of the random streams (variation and thermal draws).
    pub seed: u64,
    /// When the device is reset to all-P.
    pub reset: ResetPolicy,
    /// How it is reset.
    pub reset_by: ResetMethod,
    /// The STT write used by `ResetMethod::Stt` and by presets.
    pub stt: SttWrite,
    /// MTJs (indices from 0) written to AP after every reset, before the input.
    pub preset_ap: Vec<usize>,
}

impl Program {
    /// Largest pulse current magnitude over all sweeps, A.
    pub fn max_abs_current(&self) -> f64 {
        self.sweeps.iter().flat_map(|s| s.currents.iter()).fold(0.0, |m, c| m.max(c.abs()))
    }

    /// Pulses in one cycle (all sweeps).
    pub fn pulses_per_cycle(&self) -> usize {
        self.sweeps.iter().map(|s| s.currents.len()).sum()
    }
}

impl Device {
    /// Fraction of the wire current flowing in the heavy metal, f_HM.
    pub fn hm_fraction(&self) -> f64 {
        self.material.hm_current_fraction()
    }

    /// Sheet resistance of the bilayer, Ohm per square.
    pub fn sheet_resistance(&self) -> f64 {
        self.material.sheet_resistance()
    }

    /// Resistance of the whole wire, R_sq times its number of squares, Ohm.
    pub fn wire_resistance(&self) -> f64 {
        self.sheet_resistance() * self.wire.profile.squares()
    }

    /// Heavy-metal current density at x for wire current I.
    pub fn hm_current_density(&self, x: f64, current: f64) -> f64 {
        self.hm_fraction() * current / (self.wire.profile.width(x) * self.material.t_hm)
    }

    /// Width at which MTJ i's wall sees the lowest current density: the widest point of its
    /// footprint, which the wall must reach (or leave) to reverse the whole footprint.
    pub fn critical_width(&self, i: usize) -> f64 {
        let m = &self.mtjs[i];
        self.wire
            .profile
            .max_width_on(m.position - m.length / 2.0, m.position + m.length / 2.0)
    }

    /// Wire current that produces HM current density `j` at MTJ i's critical width.
    pub fn current_for_density(&self, i: usize, j: f64) -> f64 {
        j * self.critical_width(i) * self.material.t_hm / self.hm_fraction()
    }

    /// HM current density at MTJ i's critical width for wire current I.
    pub fn density_at_mtj(&self, i: usize, current: f64) -> f64 {
        self.hm_fraction() * current / (self.critical_width(i) * self.material.t_hm)
    }

    /// Breakdown current: J_bd at the narrowest point.
    pub fn breakdown_current(&self) -> f64 {
        self.wire.breakdown_current_density * self.wire.profile.min_width() * self.material.t_hm / self.hm_fraction()
    }

    /// Sign of the free-layer AP direction along z (+1 if AP is up).
    pub fn ap_direction(&self) -> f64 {
        if self.reference_up {
            -1.0
        } else {
            1.0
        }
    }

    /// Perpendicular field assisting the write `to_ap` at MTJ i: the bias component along the
    /// target state minus the reference-layer stray field (which favours P).
    pub fn assist_field(&self, i: usize, to_ap: bool) -> f64 {
        let along_ap = self.ap_direction() * self.bias_field - self.mtjs[i].stray_field;
        if to_ap {
            along_ap
        } else {
            -along_ap
        }
    }

    /// Geometric taper back-force on a wall at x as an equivalent field, docs/physics.md 2.4:
    /// H_geo = sigma_w |w'| / (2 mu0 Ms w). It always opposes expansion into the wider side, so
    /// it adds to the depinning field.
    pub fn taper_field(&self, x: f64) -> f64 {
        let m = &self.material;
        m.wall_energy().max(0.0) * self.wire.profile.slope(x).abs() / (2.0 * crate::units::MU0 * m.ms * self.wire.profile.width(x))
    }

    /// Distance each wall must travel to reverse MTJ i. With symmetric polarity the AP domain
    /// grows from both footprint edges at once (walls sit at both edges and the bias field
    /// expands the AP domain from each), so each wall crosses half the footprint; with bipolar
    /// writing one wall crosses all of it.
    pub fn crossing_length(&self, i: usize) -> f64 {
        match self.switching.polarity {
            Polarity::Symmetric => 0.5 * self.mtjs[i].length,
            Polarity::Bipolar => self.mtjs[i].length,
        }
    }

    /// Read the device in state `f_ap` at the read current (ideal parallel MTJs, or the network
    /// through the wire when `readout.network`).
    pub fn read(&self, f_ap: &[f64]) -> crate::mtj::Reading {
        if !self.readout.network {
            return crate::mtj::read_parallel(&self.mtjs, f_ap, self.readout.current);
        }
        let rsq = self.sheet_resistance();
        let mut prev = 0.0;
        let segments: Vec<f64> = self
            .mtjs
            .iter()
            .map(|m| {
                let r = rsq * self.wire.profile.squares_between(prev, m.position).max(1e-12);
                prev = m.position;
                r
            })
            .collect();
        crate::mtj::read_network(&self.mtjs, f_ap, &segments, self.readout.current)
    }

    /// Check that the threshold model can be built for this device and the program's pulse (a
    /// calibrated j_th needs the pulse width it was measured at, and must be reachable in it).
    pub fn check_calibration(&self, program: Option<&Program>) -> Result<(), ConfigError> {
        crate::threshold::ThresholdModel::new(self, program.map(|p| p.pulse)).map(|_| ())
    }
}
