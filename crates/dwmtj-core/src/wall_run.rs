//! A 1D wall run as one model: raw description ([`RawWallRun`], quantities as unit strings, what
//! `dwmtj dw` flags or a script give) -> [`RawWallRun::validate`] -> [`WallRunSpec`] (SI, the
//! pinning landscape and edge roughness built, seeds assigned) -> [`run`] -> [`WallReport`]
//! (plain data: the summary, the trajectory, the Monte Carlo trials, the current sweep).
//!
//! The wall starts at rest at its equilibrium angle at q = 0 (mid-way along a rough 20 um wire
//! when edge roughness is on). Deterministic runs use adaptive Dormand-Prince RK45; with a
//! temperature > 0 the stochastic Heun integrator runs `trials` trials (streams in
//! [`crate::stream`]). A sweep of the current density runs in SIMD batches (deterministic) or as a
//! Monte Carlo per point (thermal); point k uses seed + k.

use crate::device::PulseShape;
use crate::error::ConfigError;
use crate::material::{Material, PARAMS};
use crate::quantity::RawQuantity;
use crate::stream::stream;
use crate::units::Dim;
use crate::wall::{
    monte_carlo_from, run_deterministic, run_deterministic_many, run_thermal, run_tilted, Drive, MonteCarlo, Pinning, RunOptions,
    WallModel, WALL_TERM_KEYS,
};
use serde::{Deserialize, Serialize};
use std::path::Path;

type Q = RawQuantity;

fn text(s: &str) -> Q {
    Q::Text(s.to_string())
}

/// A wall run as written: every field a flag of `dwmtj dw` (same names, `_` for `-`). As a
/// wall-run file (TOML, [`RawWallRun::from_toml`]) every key is optional, with the flags'
/// defaults, and `[material_overrides]` sets material parameters by key, with units.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawWallRun {
    /// File format version; must be 1.
    pub version: u32,
    /// Built-in material name or a material TOML file.
    pub material: String,
    /// Material parameters overriding the material's, by key (any key of `dwmtj materials
    /// NAME`), applied before `set`.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub material_overrides: std::collections::BTreeMap<String, Q>,
    /// `KEY=VALUE` overrides: a material parameter or a wall term ([`WALL_TERM_KEYS`]).
    pub set: Vec<String>,
    /// HM current density at the plateau (`--current-density`).
    pub current_density: Q,
    /// Pulse width (FWHM).
    pub pulse: Q,
    /// Rise time.
    pub rise: Q,
    /// Default: the rise time.
    pub fall: Option<Q>,
    /// Applied perpendicular field H_z.
    pub hz: Q,
    /// Applied in-plane field H_x (along the wire).
    pub hx: Q,
    /// Applied in-plane field H_y (across the wire).
    pub hy: Q,
    /// Temperature; > 0 runs the stochastic Heun integrator.
    pub temperature: Q,
    /// Wire width.
    pub width: Q,
    /// "up-down" (Q = +1) or "down-up" (Q = -1).
    pub wall: String,
    /// Default: the end of the pulse.
    pub duration: Option<Q>,
    /// Add the Oersted field of the heavy-metal current.
    pub oersted: bool,
    /// End current density of a sweep from `current_density` (with `sweep_points`).
    pub sweep_to: Option<Q>,
    /// Points of the sweep, at least 2 (with `sweep_to`).
    pub sweep_points: Option<usize>,
    /// Thermal trials; the Monte Carlo runs when there are more than 1.
    pub trials: usize,
    /// Seed of the thermal noise, the random pinning and the edge roughness.
    pub seed: u64,
    /// Displacement at which a trial counts as switched.
    pub target: Q,
    /// Fixed step of the stochastic Heun integrator.
    pub dt: Q,
    /// Relative tolerance of the adaptive integrator, in (0, 0.1].
    pub rtol: f64,
    /// Add the wall tilt chi as a third coordinate (docs/physics.md 2.8; deterministic runs).
    pub tilt: bool,
}

impl Default for RawWallRun {
    fn default() -> Self {
        Self {
            version: 1,
            material: "ta-cofeb-mgo".into(),
            material_overrides: std::collections::BTreeMap::new(),
            set: Vec::new(),
            current_density: Q::Number(0.0),
            pulse: text("8 ns"),
            rise: text("0 s"),
            fall: None,
            hz: text("0 A/m"),
            hx: text("0 A/m"),
            hy: text("0 A/m"),
            temperature: text("0 K"),
            width: text("1 um"),
            wall: "up-down".into(),
            duration: None,
            oersted: false,
            sweep_to: None,
            sweep_points: None,
            trials: 1,
            seed: 0,
            target: text("100 nm"),
            dt: text("1 ps"),
            rtol: 1e-8,
            tilt: false,
        }
    }
}

/// A validated wall run.
#[derive(Clone, Debug)]
pub struct WallRunSpec {
    /// The material, with the `set` overrides applied.
    pub material: Material,
    /// "up-down" or "down-up".
    pub wall: String,
    /// The wall model, pinning and roughness included.
    pub model: WallModel,
    /// The drive.
    pub drive: Drive,
    /// Initial wall position, m (mid-way along the rough wire with edge roughness, else 0).
    pub q0: f64,
    /// Initial wall angle: the equilibrium at (hx, hy), rad.
    pub phi0: f64,
    /// Integrator options.
    pub options: RunOptions,
    /// Temperature, K.
    pub temperature: f64,
    /// Wire width, m.
    pub width: f64,
    /// Thermal trials.
    pub trials: usize,
    /// Seed of the random streams.
    pub seed: u64,
    /// Displacement at which a trial counts as switched, m.
    pub target: f64,
    /// Current densities of the sweep (first = the run's own).
    pub sweep: Option<Vec<f64>>,
    /// Integrate the tilted (q, phi, chi) model (docs/physics.md 2.8).
    pub tilt: bool,
}

/// Which terms of the model are on.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ActiveTerms {
    /// Damping-like SOT (theta_sh != 0).
    pub damping_like_sot: bool,
    /// Interfacial DMI (D != 0).
    pub dmi: bool,
    /// Field-like SOT (fl_dl_ratio != 0).
    pub field_like_sot: bool,
    /// Spin-transfer torque (b_J != 0).
    pub stt: bool,
    /// Oersted field of the heavy-metal current.
    pub oersted: bool,
    /// Pinning (periodic or random).
    pub pinning: bool,
    /// Self-affine edge roughness.
    pub edge_roughness: bool,
    /// Thermal noise (T > 0).
    pub thermal: bool,
    /// Two-sublattice ferrimagnet.
    pub ferrimagnet: bool,
}

/// One point of a current sweep.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct SweepPoint {
    /// HM current density of the point, A/m^2.
    pub current_density_a_per_m2: f64,
    /// Displacement (mean over trials when thermal), m.
    pub displacement_m: f64,
    /// Standard deviation of the displacement over trials (0 when deterministic), m.
    pub displacement_std_m: f64,
    /// Final velocity (mean over trials when thermal), m/s.
    pub final_velocity_m_per_s: f64,
    /// Final wall angle (mean over trials when thermal), rad.
    pub phi_rad: f64,
}

/// The result of a wall run (serialises to the `dwmtj dw --json` summary).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WallReport {
    /// Material name.
    pub material: String,
    /// "up-down" or "down-up".
    pub wall: String,
    /// Which terms were on.
    pub terms: ActiveTerms,
    /// HM current density at the plateau, A/m^2.
    pub current_density_a_per_m2: f64,
    /// Pulse width (FWHM), s.
    pub pulse_s: f64,
    /// Rise time, s.
    pub rise_s: f64,
    /// Fall time, s.
    pub fall_s: f64,
    /// Simulated time, s.
    pub duration_s: f64,
    /// Applied perpendicular field H_z, A/m.
    pub hz_a_per_m: f64,
    /// Applied in-plane field H_x, A/m.
    pub hx_a_per_m: f64,
    /// Applied in-plane field H_y, A/m.
    pub hy_a_per_m: f64,
    /// Temperature, K.
    pub temperature_k: f64,
    /// Wire width, m.
    pub width_m: f64,
    /// Initial wall angle, rad.
    pub initial_phi_rad: f64,
    /// Wall-width parameter Delta, m.
    pub wall_width_m: f64,
    /// Mean over trials when there are several.
    pub displacement_m: f64,
    /// Final velocity (mean over trials when there are several), m/s.
    pub final_velocity_m_per_s: f64,
    /// Final wall angle (mean over trials when there are several), rad.
    pub phi_rad: f64,
    /// "Dormand-Prince RK45" or "stochastic Heun".
    pub integrator: String,
    /// Right-hand-side evaluations of the single run.
    pub rhs_evals: usize,
    /// The single run reached the end time.
    pub completed: bool,
    /// Thermal trials.
    pub trials: usize,
    /// Seed of the random streams.
    pub seed: u64,
    /// Sample standard deviation of the displacement over trials, m (several trials only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub displacement_std_m: Option<f64>,
    /// Sample standard deviation of the final velocity over trials, m/s (several trials only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub final_velocity_std_m_per_s: Option<f64>,
    /// Sample standard deviation of the final angle over trials, rad (several trials only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phi_std_rad: Option<f64>,
    /// Fraction of trials that reached the target (several trials only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub switching_probability: Option<f64>,
    /// Displacement a trial must reach to count as switched, m (several trials only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_m: Option<f64>,
    /// The current sweep, if one was asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sweep: Option<Vec<SweepPoint>>,
    /// Final tilt chi of the wall's normal (tilted runs only), rad.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tilt_rad: Option<f64>,
    /// (t, q, phi) of the single run.
    #[serde(skip)]
    pub trajectory: Vec<(f64, f64, f64)>,
    /// chi at each trajectory sample (tilted runs only).
    #[serde(skip)]
    pub tilt_trajectory: Vec<f64>,
    /// Every trial's (displacement, final velocity, phi).
    #[serde(skip)]
    pub trial_outcomes: Vec<(f64, f64, f64)>,
}

/// A run that could not be completed.
#[derive(Debug, thiserror::Error)]
pub enum WallRunError {
    /// The adaptive integrator hit its step limit before the end time.
    #[error(
        "the adaptive integrator hit its step limit at t = {reached:.3e} s of {t_end:.3e} s ({rhs_evals} right-hand-side evaluations); simulate a shorter time (pulse, duration) or loosen rtol"
    )]
    StepLimit {
        /// Time reached, s.
        reached: f64,
        /// End time, s.
        t_end: f64,
        /// Right-hand-side evaluations spent.
        rhs_evals: usize,
    },
}

impl RawWallRun {
    /// Parse a wall-run file (the keys of this struct; any may be left out).
    pub fn from_toml(text: &str, origin: &str) -> Result<Self, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::Toml {
            origin: origin.into(),
            message: e.to_string(),
        })
    }

    /// Validate into SI. `prefix` is put before every field name in errors (`"--"` when the
    /// fields are command-line flags); `base` resolves a material file's path.
    pub fn validate(&self, prefix: &str, base: Option<&Path>) -> Result<WallRunSpec, ConfigError> {
        // Flags are kebab-case (`--current-density`); as a struct (JSON, Python) the field names
        // are the struct's (`current_density`).
        let f = |name: &str| {
            if prefix == "--" {
                format!("{prefix}{name}")
            } else {
                format!("{prefix}{}", name.replace('-', "_"))
            }
        };
        let si = |q: &Q, dim: Dim, name: &str| q.to_si(dim, &f(name));
        let bad = |name: &str, value: &dyn std::fmt::Display, problem: &str| ConfigError::field(f(name), value.to_string(), problem);
        if self.version != 1 {
            return Err(bad("version", &self.version, "must be 1"));
        }
        if !(self.rtol > 0.0 && self.rtol <= 0.1) {
            return Err(bad("rtol", &self.rtol, "expected a relative tolerance in (0, 0.1], e.g. 1e-8"));
        }
        let mut material = crate::material::load_named(&self.material, base, &f("material"))?;
        for (k, v) in &self.material_overrides {
            material.set_raw(k, v, &f("material_overrides"))?;
        }
        let mut wall_keys: Vec<(String, String)> = Vec::new();
        for kv in &self.set {
            let (k, v) = kv
                .split_once('=')
                .ok_or_else(|| bad("set", &format!("{kv:?}"), "expected KEY=VALUE"))?;
            let (k, v) = (k.trim(), v.trim());
            if PARAMS.iter().any(|p| p.key == k) {
                let raw = match v.parse::<f64>() {
                    Ok(x) => Q::Number(x),
                    Err(_) => Q::Text(v.to_string()),
                };
                material.set_raw(k, &raw, &f("set"))?;
            } else if WALL_TERM_KEYS.contains(&k) {
                wall_keys.push((k.to_string(), v.to_string()));
            } else {
                return Err(ConfigError::field(
                    format!("{} {k}", f("set")),
                    v,
                    format!(
                        "unknown key; expected a material parameter ({}) or {}",
                        PARAMS.iter().map(|p| p.key).collect::<Vec<_>>().join(", "),
                        WALL_TERM_KEYS.join(", ")
                    ),
                ));
            }
        }
        material.validate()?;
        let width = si(&self.width, Dim::LENGTH, "width")?;
        if width <= 0.0 {
            return Err(bad("width", &self.width, "must be > 0"));
        }
        let q_sign = match self.wall.as_str() {
            "up-down" => 1.0,
            "down-up" => -1.0,
            other => return Err(bad("wall", &other, "expected up-down or down-up")),
        };
        let mut model = WallModel::from_material(&material, width, q_sign);
        model.oersted = self.oersted;
        let temperature = si(&self.temperature, Dim::TEMPERATURE, "temperature")?;
        if temperature < 0.0 {
            return Err(bad("temperature", &self.temperature, "must be >= 0 K"));
        }
        model.temperature = temperature;
        let get = |k: &str, dim: Dim| -> Result<Option<f64>, ConfigError> {
            wall_keys
                .iter()
                .find(|(kk, _)| kk == k)
                .map(|(_, v)| Q::Text(v.clone()).to_si(dim, &format!("{} {k}", f("set"))))
                .transpose()
        };
        match (get("pin_field", Dim::FIELD)?, get("pin_period", Dim::LENGTH)?) {
            (Some(h), Some(p)) if p > 0.0 => model.pinning.push(Pinning::Periodic { h_dep: h, period: p }),
            (None, None) => {}
            _ => {
                return Err(bad(
                    "set",
                    &"pin_field/pin_period",
                    "pin_field and pin_period go together (pin_period > 0)",
                ))
            }
        }
        let pulse_w = si(&self.pulse, Dim::TIME, "pulse")?;
        let rise = si(&self.rise, Dim::TIME, "rise")?;
        let fall = self.fall.as_ref().map_or(Ok(rise), |q| si(q, Dim::TIME, "fall"))?;
        let pulse = PulseShape::new(pulse_w, rise, fall).map_err(|e| {
            let (name, q) = match e.key() {
                "width" => ("pulse", &self.pulse),
                "fall" => ("fall", self.fall.as_ref().unwrap_or(&self.rise)),
                _ => ("rise", &self.rise),
            };
            bad(name, q, &e.to_string())
        })?;
        let drive = Drive {
            current_density: si(&self.current_density, Dim::CURRENT_DENSITY, "current-density")?,
            pulse,
            hx: si(&self.hx, Dim::FIELD, "hx")?,
            hy: si(&self.hy, Dim::FIELD, "hy")?,
            hz: si(&self.hz, Dim::FIELD, "hz")?,
        };
        let t_end = match &self.duration {
            Some(d) => si(d, Dim::TIME, "duration")?,
            None => drive.pulse.duration(),
        };
        if t_end <= 0.0 {
            return Err(bad(
                "duration",
                &"0",
                "nothing to simulate: the pulse and the duration are both zero",
            ));
        }
        let dt = si(&self.dt, Dim::TIME, "dt")?;
        if !(dt > 0.0 && dt <= t_end) {
            return Err(bad("dt", &self.dt, "must be > 0 and at most the simulated time"));
        }
        let target = si(&self.target, Dim::LENGTH, "target")?;
        if self.trials == 0 {
            return Err(bad("trials", &0, "must be at least 1"));
        }
        if self.tilt && (temperature > 0.0 || self.trials > 1) {
            return Err(bad(
                "tilt",
                &true,
                "the tilted (q, phi, chi) model runs deterministically: set temperature to 0 K and trials to 1",
            ));
        }
        // Each trial keeps its (displacement, velocity, phi) for the statistics and the file.
        crate::resources::check_memory(&f("trials"), self.trials, self.trials as f64 * 64.0)?;
        let sweep = match (&self.sweep_to, self.sweep_points) {
            (Some(to), Some(n)) => {
                crate::resources::check_memory(&f("sweep-points"), n, n as f64 * 512.0)?;
                let j1 = si(to, Dim::CURRENT_DENSITY, "sweep-to")?;
                if n < 2 {
                    return Err(bad("sweep-points", &n, "expected at least 2"));
                }
                let j0 = drive.current_density;
                Some((0..n).map(|k| j0 + (j1 - j0) * k as f64 / (n - 1) as f64).collect())
            }
            (None, None) => None,
            _ => return Err(bad("sweep-points", &"", "sweep-to and sweep-points go together")),
        };
        if let (Some(rms), Some(xi)) = (get("pin_rms", Dim::FIELD)?, get("pin_correlation", Dim::LENGTH)?) {
            // A landscape long enough for any plausible travel: 10 um or 2x the flow distance.
            let span = 10e-6f64.max(4.0 * t_end * 1e3);
            model
                .pinning
                .push(Pinning::random(span, rms, xi, &mut stream(self.seed, u64::MAX, 1)));
            if let Some(Pinning::Random { x0, .. }) = model.pinning.last_mut() {
                *x0 = -span / 2.0;
            }
        }
        // Self-affine edge roughness: the wall sits mid-way along a rough 20 um wire.
        let mut q0 = 0.0;
        if let Some(rms) = get("roughness_rms", Dim::LENGTH)? {
            let xi = get("roughness_correlation", Dim::LENGTH)?
                .ok_or_else(|| bad("set", &"roughness_rms", "roughness_rms needs roughness_correlation"))?;
            let hurst = match wall_keys.iter().find(|(k, _)| k == "roughness_hurst") {
                Some((_, v)) => v
                    .parse::<f64>()
                    .map_err(|_| bad("set", &format!("roughness_hurst={v}"), "expected a number"))?,
                None => 0.5,
            };
            if !(rms >= 0.0 && xi > 0.0 && hurst > 0.0 && hurst <= 1.0) {
                return Err(bad("set", &"roughness_*", "need rms >= 0, correlation > 0 and 0 < hurst <= 1"));
            }
            let span = 20e-6;
            let r = crate::roughness::Roughness {
                rms,
                correlation: xi,
                hurst,
            };
            let base = crate::geometry::WidthProfile::constant(span, width);
            let dx = (xi / 4.0).min(model.delta / 2.0);
            let rough = crate::roughness::rough_width(&base, &r, model.delta, dx, &mut stream(self.seed, u64::MAX, 2));
            model.set_width(rough, width);
            q0 = span / 2.0;
        }
        let phi0 = model.equilibrium_phi(drive.hx, drive.hy);
        let options = RunOptions {
            t_end,
            rtol: self.rtol,
            dt_thermal: dt,
            samples: 500,
            ..RunOptions::default()
        };
        Ok(WallRunSpec {
            material,
            wall: self.wall.clone(),
            model,
            drive,
            q0,
            phi0,
            options,
            temperature,
            width,
            trials: self.trials,
            seed: self.seed,
            target,
            sweep,
            tilt: self.tilt,
        })
    }
}

fn sweep_point(j: f64, m: &MonteCarlo) -> SweepPoint {
    SweepPoint {
        current_density_a_per_m2: j,
        displacement_m: m.displacement_mean_m,
        displacement_std_m: m.displacement_std_m,
        final_velocity_m_per_s: m.final_velocity_mean_m_per_s,
        phi_rad: m.phi_mean_rad,
    }
}

/// The wall of `spec` under each current density of `js` (A/m^2): deterministic runs in SIMD
/// batches, each bitwise the single run; with a temperature a Monte Carlo of `spec.trials`
/// per point, point k on seed + k.
fn sweep_points(spec: &WallRunSpec, js: &[f64]) -> Vec<SweepPoint> {
    let (model, drive, q0, phi0, opts) = (&spec.model, &spec.drive, spec.q0, spec.phi0, &spec.options);
    let thermal = spec.temperature > 0.0;
    let drives: Vec<Drive> = js
        .iter()
        .map(|&j| Drive {
            current_density: j,
            ..*drive
        })
        .collect();
    if spec.tilt {
        let plain = RunOptions { samples: 0, ..*opts };
        drives
            .iter()
            .map(|d| {
                let o = run_tilted(model, d, q0, phi0, 0.0, false, &plain);
                SweepPoint {
                    current_density_a_per_m2: d.current_density,
                    displacement_m: o.displacement_m,
                    displacement_std_m: 0.0,
                    final_velocity_m_per_s: o.final_velocity_m_per_s,
                    phi_rad: o.phi_rad,
                }
            })
            .collect()
    } else if thermal {
        drives
            .iter()
            .enumerate()
            .map(|(k, d)| {
                let m = monte_carlo_from(model, d, q0, phi0, opts, spec.trials, spec.seed.wrapping_add(k as u64), spec.target);
                sweep_point(d.current_density, &m)
            })
            .collect()
    } else {
        let runs: Vec<(Drive, f64, f64)> = drives.iter().map(|d| (*d, q0, phi0)).collect();
        let plain = RunOptions { samples: 0, ..*opts };
        run_deterministic_many(model, &runs, &plain)
            .iter()
            .zip(js)
            .map(|(o, &j)| SweepPoint {
                current_density_a_per_m2: j,
                displacement_m: o.displacement_m,
                displacement_std_m: 0.0,
                final_velocity_m_per_s: o.final_velocity_m_per_s,
                phi_rad: o.phi_rad,
            })
            .collect()
    }
}

/// Only the sweep of `spec` (its `sweep` currents; none without): what a vectorised call over
/// many current densities needs, without the single run and its trajectory.
pub fn run_sweep(spec: &WallRunSpec) -> Vec<SweepPoint> {
    spec.sweep.as_deref().map_or_else(Vec::new, |js| sweep_points(spec, js))
}

/// Run `spec`: the single run, the Monte Carlo of `trials` (when > 1) and the sweep.
pub fn run(spec: &WallRunSpec) -> Result<WallReport, WallRunError> {
    let (model, drive, q0, phi0, opts) = (&spec.model, &spec.drive, spec.q0, spec.phi0, &spec.options);
    let thermal = spec.temperature > 0.0;
    let mut tilt = None;
    let single = if spec.tilt {
        let o = run_tilted(model, drive, q0, phi0, 0.0, false, opts);
        tilt = Some((o.chi_rad, o.trajectory.iter().map(|p| p.3).collect::<Vec<f64>>()));
        crate::wall::WallOutcome {
            displacement_m: o.displacement_m,
            final_velocity_m_per_s: o.final_velocity_m_per_s,
            phi_rad: o.phi_rad,
            rhs_evals: o.rhs_evals,
            steps: 0,
            completed: o.completed,
            trajectory: o.trajectory.iter().map(|p| (p.0, p.1, p.2)).collect(),
        }
    } else if thermal {
        run_thermal(model, drive, q0, phi0, opts, &mut stream(spec.seed, 0, 0))
    } else {
        run_deterministic(model, drive, q0, phi0, opts)
    };
    if !single.completed {
        return Err(WallRunError::StepLimit {
            reached: single.trajectory.last().map_or(0.0, |p| p.0),
            t_end: opts.t_end,
            rhs_evals: single.rhs_evals,
        });
    }
    let mc = (spec.trials > 1).then(|| monte_carlo_from(model, drive, q0, phi0, opts, spec.trials, spec.seed, spec.target));
    let sweep = spec.sweep.as_ref().map(|js| sweep_points(spec, js));
    let m = &spec.material;
    let terms = ActiveTerms {
        damping_like_sot: m.theta_sh != 0.0,
        dmi: m.dmi != 0.0,
        field_like_sot: m.fl_dl_ratio != 0.0,
        stt: model.b_j_per_j != 0.0,
        oersted: model.oersted,
        pinning: !model.pinning.is_empty(),
        edge_roughness: q0 > 0.0,
        thermal,
        ferrimagnet: m.is_ferrimagnet(),
    };
    let (disp, vel, phi) = match &mc {
        Some(m) => (m.displacement_mean_m, m.final_velocity_mean_m_per_s, m.phi_mean_rad),
        None => (single.displacement_m, single.final_velocity_m_per_s, single.phi_rad),
    };
    Ok(WallReport {
        material: m.name.clone(),
        wall: spec.wall.clone(),
        terms,
        current_density_a_per_m2: drive.current_density,
        pulse_s: drive.pulse.width,
        rise_s: drive.pulse.rise,
        fall_s: drive.pulse.fall,
        duration_s: opts.t_end,
        hz_a_per_m: drive.hz,
        hx_a_per_m: drive.hx,
        hy_a_per_m: drive.hy,
        temperature_k: spec.temperature,
        width_m: spec.width,
        initial_phi_rad: phi0,
        wall_width_m: model.delta,
        displacement_m: disp,
        final_velocity_m_per_s: vel,
        phi_rad: phi,
        integrator: if thermal {
            "stochastic Heun"
        } else if spec.tilt {
            "Dormand-Prince RK45, tilted (q, phi, chi)"
        } else {
            "Dormand-Prince RK45"
        }
        .into(),
        rhs_evals: single.rhs_evals,
        completed: single.completed,
        trials: spec.trials,
        seed: spec.seed,
        displacement_std_m: mc.as_ref().map(|m| m.displacement_std_m),
        final_velocity_std_m_per_s: mc.as_ref().map(|m| m.final_velocity_std_m_per_s),
        phi_std_rad: mc.as_ref().map(|m| m.phi_std_rad),
        switching_probability: mc.as_ref().map(|m| m.switching_probability),
        target_m: mc.as_ref().map(|m| m.target_m),
        sweep,
        trajectory: single.trajectory,
        tilt_rad: tilt.as_ref().map(|t| t.0),
        tilt_trajectory: tilt.map(|t| t.1).unwrap_or_default(),
        trial_outcomes: mc.map(|m| m.outcomes).unwrap_or_default(),
    })
}
