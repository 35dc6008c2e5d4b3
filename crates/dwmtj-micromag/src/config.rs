//! Micromagnetic run files (TOML, quantities with units, unknown keys rejected):
//!
//! ```toml
//! [mesh]
//! shape = "wire"          # or "disk" with diameter = "100 nm"
//! length = "1024 nm"      # along x (the current)
//! width = "128 nm"        # or width_end for a linear taper
//! thickness = "1 nm"
//! cell = "2 nm"
//! periodic_y = false
//! layers = 1              # the thickness split into this many layers (3D demag, exchange in z)
//! [material]
//! base = "ta-cofeb-mgo"   # optional: a built-in material gives the defaults of every key below
//! ms = "1.1e6 A/m"
//! a_ex = "1.5e-11 J/m"
//! ku = "1e6 J/m^3"        # or k_eff = "0.24e6 J/m^3" (K_u = K_eff + mu0 Ms^2 / 2)
//! dmi = "0.5 mJ/m^2"      # docs/physics.md sign: D > 0 puts the up/down wall at phi = 0
//! alpha = 0.1
//! theta_sh = 0.1
//! fl_dl_ratio = 0.0      # field-like / damping-like SOT ratio
//! gamma = 1.76086e11      # rad/(s T), optional
//! t_hm = "5 nm"          # heavy-metal thickness (Oersted field)
//! [drive]
//! current_density = "1e11 A/m^2"   # heavy metal, along +x, at the start width
//! oersted = false         # add -mu0 J t_hm / 2 along y
//! bx = "0 mT"
//! by = "0 mT"
//! bz = "0 mT"
//! [drive.current_pulse]   # optional: the current as a trapezoidal pulse (else constant)
//! delay = "0.1 ns"
//! width = "1 ns"          # FWHM, as for device pulses
//! rise = "0.1 ns"
//! fall = "0.1 ns"
//! [drive.field_pulse]     # optional: b s(t) added to (bx, by, bz), s as above
//! b = ["0 mT", "0 mT", "20 mT"]
//! delay = "0 ns"
//! width = "0.5 ns"
//! rise = "0.05 ns"
//! fall = "0.05 ns"
//! [drive.field_ac]        # optional, instead of field_pulse: b sin(2 pi f t + phase)
//! b = ["5 mT", "0 mT", "0 mT"]
//! frequency = "2 GHz"
//! phase = 0.0             # rad
//! [[region]]              # any number; later regions win where they overlap
//! name = "mtj1"           # its average m is a table column (the MTJ readout)
//! shape = "ellipse"       # rect (x, y ranges) or ellipse (centre, semi-axes)
//! x = ["200 nm", "260 nm"]  # rect: x range from the wire start; ellipse: [cx, rx]
//! y = ["-20 nm", "20 nm"]   # rect: y range from the centre line; ellipse: [cy, ry]
//! ku = "0.9e6 J/m^3"      # any of ms, a_ex, ku, dmi, alpha
//! b = ["0 mT", "0 mT", "-15 mT"]   # static stray field of the MTJ's reference layer
//! layers = [0, 0]         # only these layers (0 = bottom); default all
//! ra = "10 Ohm*um^2"      # an MTJ on the footprint: its conductance is a table column
//! tmr = "150 %"
//! reference = "+z"
//! [initial]
//! state = "neel-wall"     # or "uniform" (direction = [x, y, z]) or "skyrmion" (radius)
//! x0 = "512 nm"
//! [run]
//! demag = "full"          # full | local | none
//! demag_precision = "f64" # or "f32": single-precision FFT convolution
//! duration = "1 ns"
//! relax = false
//! method = "rk45"         # rk45 | rkf45 | rk23 | heun | rk4 (heun, rk4: fixed step `dt`)
//! temperature = "300 K"   # thermal field (adaptive methods: one field per attempted step)
//! dt = "50 fs"
//! seed = 1
//! max_err = 1e-5          # absolute tolerance per component and step
//! rel_err = 0.0           # relative tolerance
//! samples = 100           # table rows
//! snapshots = 4           # OVF files besides the final state
//! ```

use crate::mesh::Mesh;
use crate::solver::{Method, SolverParams};
use crate::system::{DemagMode, FieldWaveform, Params, Region, Shape};
use dwmtj_core::device::PulseShape;
use dwmtj_core::geometry::WidthProfile;
use dwmtj_core::quantity::{opt_si, RawQuantity};
use dwmtj_core::units::Dim;
use dwmtj_core::ConfigError;
use serde::{Deserialize, Serialize};

/// The `[mesh]` table of a run file, as written (quantities with units).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawMesh {
    /// "wire" (default: length, width, width_end) or "disk" (diameter).
    pub shape: Option<String>,
    /// Disk diameter (shape = "disk").
    pub diameter: Option<RawQuantity>,
    /// Wire length along x, the current's direction (shape = "wire").
    pub length: Option<RawQuantity>,
    /// Wire width at its start.
    pub width: Option<RawQuantity>,
    /// Wire width at its end, for a linear taper (default: `width`).
    pub width_end: Option<RawQuantity>,
    /// Free-layer thickness (all layers together).
    pub thickness: RawQuantity,
    /// Cell size in x and y (rounded to fit the length and width).
    pub cell: RawQuantity,
    /// Periodic boundaries along y (default false; not with full demag).
    pub periodic_y: Option<bool>,
    /// Layers through the thickness (default 1).
    pub layers: Option<usize>,
}

/// The `[material]` table of a run file.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawMaterial {
    /// A built-in material (`dwmtj materials`) whose values are the defaults of the keys below,
    /// under the same names (its K_eff becomes K_u = K_eff + mu0 Ms^2 / 2).
    pub base: Option<String>,
    /// Saturation magnetisation (A/m; required unless `base` gives it).
    pub ms: Option<RawQuantity>,
    /// Exchange stiffness (J/m; required unless `base` gives it).
    pub a_ex: Option<RawQuantity>,
    /// Uniaxial anisotropy K_u along z (the demag field is computed, so not K_eff).
    pub ku: Option<RawQuantity>,
    /// Or the effective anisotropy of the material files: K_u = K_eff + mu0 Ms^2 / 2.
    pub k_eff: Option<RawQuantity>,
    /// Interfacial DMI constant (J/m^2; default the base's, else 0).
    pub dmi: Option<RawQuantity>,
    /// Gilbert damping, in (0, 10] (required unless `base` gives it).
    pub alpha: Option<f64>,
    /// Spin Hall angle (default the base's, else 0).
    pub theta_sh: Option<f64>,
    /// Field-like / damping-like SOT ratio (the material files' key; `fl_ratio` is accepted).
    #[serde(alias = "fl_ratio")]
    pub fl_dl_ratio: Option<f64>,
    /// Gyromagnetic ratio (rad/(s T)); default 1.76086e11 (docs/physics.md), mumax3 uses 1.7595e11.
    pub gamma: Option<f64>,
    /// Heavy-metal thickness, for the Oersted field.
    pub t_hm: Option<RawQuantity>,
    /// Film pinning: amplitude of the anisotropy modulation K_u(x) = K_u - pinning_ku cos(2 pi x / p).
    pub pinning_ku: Option<RawQuantity>,
    /// Film pinning: the modulation's period p.
    pub pinning_period: Option<RawQuantity>,
}

/// A `[drive.current_pulse]` or `[drive.field_pulse]` table: a trapezoidal pulse.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawPulse {
    /// The field at the plateau (a field pulse only).
    pub b: Option<[RawQuantity; 3]>,
    /// Start of the pulse (default 0).
    pub delay: Option<RawQuantity>,
    /// Width (FWHM, as for device pulses).
    pub width: RawQuantity,
    /// Rise time (default 0).
    pub rise: Option<RawQuantity>,
    /// Fall time (default 0).
    pub fall: Option<RawQuantity>,
}

/// The `[drive.pulse_train]` table: trapezoidal current pulses of one shape every `period`,
/// pulse k scaled by `scales[k]` (a pulse program, as a device's ramp).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawPulseTrain {
    /// Multipliers of `drive.current_density`, one per pulse (signed).
    pub scales: Vec<f64>,
    /// Start of the first pulse (default 0).
    pub delay: Option<RawQuantity>,
    /// Start-to-start spacing of the pulses.
    pub period: RawQuantity,
    /// Width (FWHM) of every pulse.
    pub width: RawQuantity,
    /// Rise time (default 0).
    pub rise: Option<RawQuantity>,
    /// Fall time (default 0).
    pub fall: Option<RawQuantity>,
}

/// A validated pulse train: pulse k starts at `delay + k period` and has amplitude `scales[k]`
/// times the run's current density.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PulseTrain {
    /// Start of the first pulse, s.
    pub delay: f64,
    /// Start-to-start spacing, s.
    pub period: f64,
    /// The shape of every pulse.
    pub shape: PulseShape,
    /// Amplitude of each pulse relative to the current density.
    pub scales: Vec<f64>,
}

impl PulseTrain {
    /// The current's scale at time t.
    pub fn at(&self, t: f64) -> f64 {
        let u = t - self.delay;
        if u < 0.0 {
            return 0.0;
        }
        let k = (u / self.period).floor() as usize;
        match self.scales.get(k) {
            Some(s) => s * self.shape.shape(u - k as f64 * self.period),
            None => 0.0,
        }
    }

    /// End of pulse k (its fall done), s.
    pub fn pulse_end(&self, k: usize) -> f64 {
        self.delay + k as f64 * self.period + self.shape.duration()
    }
}

/// The `[drive.field_ac]` table: b sin(2 pi f t + phase).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawAc {
    /// Amplitude.
    pub b: [RawQuantity; 3],
    /// Frequency.
    pub frequency: RawQuantity,
    /// Phase at t = 0, rad (default 0).
    pub phase: Option<f64>,
}

/// One `[[region]]` table of a run file.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawRegion {
    /// A unique name of letters, digits, '_' or '-' (it names table columns).
    pub name: String,
    /// "rect" (default) or "ellipse".
    pub shape: Option<String>,
    /// Rect: the x range from the wire's start; ellipse: [cx, rx].
    pub x: [RawQuantity; 2],
    /// Rect: the y range from the centre line (default: all of it); ellipse: [cy, ry] (required).
    pub y: Option<[RawQuantity; 2]>,
    /// Saturation magnetisation in the region (default: the material's).
    pub ms: Option<RawQuantity>,
    /// Exchange stiffness in the region (default: the material's).
    pub a_ex: Option<RawQuantity>,
    /// Uniaxial anisotropy K_u in the region (default: the material's).
    pub ku: Option<RawQuantity>,
    /// Interfacial DMI constant in the region (default: the material's).
    pub dmi: Option<RawQuantity>,
    /// Gilbert damping in the region, in (0, 10] (default: the material's).
    pub alpha: Option<f64>,
    /// Static field added in the region: the stray field of an MTJ's reference layer.
    pub b: Option<[RawQuantity; 3]>,
    /// [first, last] layer (0 = bottom); all layers when absent.
    pub layers: Option<[usize; 2]>,
    /// An MTJ on the region: resistance-area product of the parallel state.
    pub ra: Option<RawQuantity>,
    /// TMR ratio (1.0 = 100 %, or "150 %"), with `ra`.
    pub tmr: Option<RawQuantity>,
    /// Reference layer direction, "+z" (default) or "-z", with `ra`.
    pub reference: Option<String>,
}

/// The `[drive]` table of a run file (all optional).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawDrive {
    /// Heavy-metal current density along +x at the start width (default 0).
    pub current_density: Option<RawQuantity>,
    /// Add the heavy-metal current's Oersted field, -mu0 J t_hm / 2 along y (default false).
    pub oersted: Option<bool>,
    /// The current as a trapezoidal pulse (default: constant).
    pub current_pulse: Option<RawPulse>,
    /// The current as a train of scaled pulses, instead of `current_pulse`.
    pub pulse_train: Option<RawPulseTrain>,
    /// A field pulse added to (bx, by, bz).
    pub field_pulse: Option<RawPulse>,
    /// A sine field added to (bx, by, bz), instead of `field_pulse`.
    pub field_ac: Option<RawAc>,
    /// Static applied field along x (default 0).
    pub bx: Option<RawQuantity>,
    /// Static applied field along y (default 0).
    pub by: Option<RawQuantity>,
    /// Static applied field along z (default 0).
    pub bz: Option<RawQuantity>,
}

/// The `[initial]` table of a run file: the starting state.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawInitial {
    /// "neel-wall", "uniform" or "skyrmion".
    pub state: String,
    /// Core radius of the "skyrmion" state.
    pub radius: Option<RawQuantity>,
    /// Centre of the "neel-wall" state (default: the middle of the wire).
    pub x0: Option<RawQuantity>,
    /// Direction of the "uniform" state (default [0, 0, 1]; any non-zero length).
    pub direction: Option<[f64; 3]>,
}

/// The `[run]` table of a run file.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawRun {
    /// "full" (default), "local" or "none".
    pub demag: Option<String>,
    /// Simulated time with the drive on.
    pub duration: RawQuantity,
    /// Relax without drive before the run (default false).
    pub relax: Option<bool>,
    /// "rk45" (default), "rkf45", "rk23", "heun" or "rk4".
    pub method: Option<String>,
    /// Absolute tolerance per component and step, in (0, 0.1) (default 1e-5).
    pub max_err: Option<f64>,
    /// Relative tolerance (0: absolute only).
    pub rel_err: Option<f64>,
    /// Table rows after the one at t = 0 (default 100).
    pub samples: Option<usize>,
    /// Snapshots of m taken every samples / snapshots rows before the end, besides the
    /// final state (default 4).
    pub snapshots: Option<usize>,
    /// Temperature of the thermal field (any method; the adaptive ones draw one per attempt).
    pub temperature: Option<RawQuantity>,
    /// Fixed step of the Heun integrator.
    pub dt: Option<RawQuantity>,
    /// Seed of the thermal field (default 0).
    pub seed: Option<u64>,
    /// Precision of the demag convolution: "f64" (default) or "f32".
    pub demag_precision: Option<String>,
}

/// A micromagnetic run file as parsed from TOML, before validation.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawRunFile {
    /// The run's name (default "micromag").
    pub name: Option<String>,
    /// Free text about the run (the solver does not read it).
    pub description: Option<String>,
    /// The `[mesh]` table.
    pub mesh: RawMesh,
    /// The `[material]` table.
    pub material: RawMaterial,
    #[serde(default)]
    /// The `[drive]` table (default: no drive).
    pub drive: RawDrive,
    /// The `[initial]` table.
    pub initial: RawInitial,
    /// The `[run]` table.
    pub run: RawRun,
    #[serde(default)]
    /// The `[[region]]` tables, in order.
    pub region: Vec<RawRegion>,
}

/// The initial magnetisation.
#[derive(Clone, Debug, PartialEq)]
pub enum Initial {
    /// An up/down Neel wall (phi = 0) centred at x0.
    NeelWall {
        /// Centre of the wall from the wire's start, m.
        x0: f64,
    },
    /// Uniform along a direction (normalised when the state is built).
    Uniform([f64; 3]),
    /// A +z core of this radius in a -z background, centred, with a slight radial tilt.
    Skyrmion {
        /// Core radius, m.
        radius: f64,
    },
}

/// A validated run.
#[derive(Clone, Debug)]
pub struct RunSpec {
    /// The run's name.
    pub name: String,
    /// The mesh.
    pub mesh: Mesh,
    /// The base material and the drive.
    pub params: Params,
    /// The regions, in the order of the run file.
    pub regions: Vec<Region>,
    /// The time-dependent applied field, if any.
    pub waveform: Option<FieldWaveform>,
    /// The current's time dependence: (delay, shape); None for a constant current (or a train).
    pub current_pulse: Option<(f64, PulseShape)>,
    /// The current as a train of scaled pulses (`[drive.pulse_train]`).
    pub pulse_train: Option<PulseTrain>,
    /// The integrator settings.
    pub solver: SolverParams,
    /// The initial state.
    pub initial: Initial,
    /// Simulated time with the drive on, s.
    pub duration: f64,
    /// Relax first, without drive and with alpha = 1.
    pub relax: bool,
    /// Table rows after the one at t = 0.
    pub samples: usize,
    /// Snapshots of m taken every samples / snapshots rows before the end, besides the
    /// final state.
    pub snapshots: usize,
}

fn err(field: &str, value: impl ToString, problem: &str) -> ConfigError {
    ConfigError::field(field, value.to_string(), problem)
}

/// Bytes a run on an `nx` x `ny` x `nz` mesh holds: per cell m, up to 7 Runge-Kutta stages,
/// scratch, field and thermal buffers and the material maps (about 50 f64); the demag kernel
/// spectra (6 components, per layer offset) and the padded FFT work arrays.
pub fn memory_estimate(nx: usize, ny: usize, nz: usize) -> f64 {
    let cells = (nx * ny * nz) as f64;
    let px = (2 * nx).max(2) as f64;
    let py = if ny > 1 { 2.0 * ny as f64 } else { 1.0 };
    let spectrum = (px / 2.0 + 1.0) * py * 16.0;
    let offsets = if nz > 1 { (2 * nz - 1) as f64 } else { 1.0 };
    cells * 50.0 * 8.0 + offsets * 6.0 * spectrum + nz as f64 * 6.0 * spectrum
}

fn positive(v: f64, field: &str, what: &str) -> Result<f64, ConfigError> {
    if v > 0.0 && v.is_finite() {
        Ok(v)
    } else {
        Err(err(field, v, &format!("expected a positive {what}")))
    }
}

fn pulse(raw: &RawPulse, field: &str) -> Result<(f64, PulseShape), ConfigError> {
    let q = |v: &Option<RawQuantity>, name: &str| opt_si(v, Dim::TIME, &format!("{field}.{name}"), 0.0);
    let width = raw.width.to_si(Dim::TIME, &format!("{field}.width"))?;
    let (delay, rise, fall) = (q(&raw.delay, "delay")?, q(&raw.rise, "rise")?, q(&raw.fall, "fall")?);
    if !(delay >= 0.0 && delay.is_finite()) {
        return Err(err(&format!("{field}.delay"), delay, "expected a time >= 0"));
    }
    let shape = PulseShape::new(width, rise, fall).map_err(|e| {
        // Edges too long for the width: the width is what the user most likely meant to set.
        let (key, value) = match e {
            dwmtj_core::device::PulseError::Edge { edge: "rise", .. } => ("rise", rise),
            dwmtj_core::device::PulseError::Edge { .. } => ("fall", fall),
            _ => ("width", width),
        };
        err(&format!("{field}.{key}"), format!("{value:e} s"), &e.to_string())
    })?;
    Ok((delay, shape))
}

/// Most pulses a train may hold (each is a few numbers; the run's duration sets the cost).
const MAX_TRAIN_PULSES: usize = 100_000;

fn pulse_train(raw: &RawPulseTrain) -> Result<PulseTrain, ConfigError> {
    let field = "drive.pulse_train";
    let (delay, shape) = pulse(
        &RawPulse {
            b: None,
            delay: raw.delay.clone(),
            width: raw.width.clone(),
            rise: raw.rise.clone(),
            fall: raw.fall.clone(),
        },
        field,
    )?;
    if raw.scales.is_empty() || raw.scales.len() > MAX_TRAIN_PULSES {
        return Err(err(
            &format!("{field}.scales"),
            format!("{} entries", raw.scales.len()),
            &format!("expected 1 to {MAX_TRAIN_PULSES} pulse amplitudes (multipliers of drive.current_density)"),
        ));
    }
    if let Some(s) = raw.scales.iter().find(|s| !s.is_finite() || s.abs() > 100.0) {
        return Err(err(
            &format!("{field}.scales"),
            s,
            "expected multipliers of drive.current_density between -100 and 100",
        ));
    }
    let period = raw.period.to_si(Dim::TIME, &format!("{field}.period"))?;
    if !(period >= shape.duration() && period.is_finite()) {
        return Err(err(
            &format!("{field}.period"),
            format!("{period:e} s"),
            &format!(
                "expected at least the pulse's duration ({:e} s: width + (rise + fall)/2), so that pulses do not overlap",
                shape.duration()
            ),
        ));
    }
    Ok(PulseTrain {
        delay,
        period,
        shape,
        scales: raw.scales.clone(),
    })
}

fn field3(raw: &[RawQuantity; 3], field: &str) -> Result<[f64; 3], ConfigError> {
    let mut b = [0.0; 3];
    for a in 0..3 {
        b[a] = raw[a].to_si(Dim::FLUX_DENSITY, &format!("{field}[{a}]"))?;
    }
    Ok(b)
}

fn region(raw: &RawRegion, k: usize) -> Result<Region, ConfigError> {
    let f = |name: &str| format!("region[{k}].{name}");
    let len = |q: &RawQuantity, name: &str| q.to_si(Dim::LENGTH, &f(name));
    let x = [len(&raw.x[0], "x")?, len(&raw.x[1], "x")?];
    let y = match &raw.y {
        Some(y) => [len(&y[0], "y")?, len(&y[1], "y")?],
        None => [-1.0, 1.0],
    };
    let shape = match raw.shape.as_deref().unwrap_or("rect") {
        "rect" => {
            if x[1] <= x[0] || y[1] <= y[0] {
                return Err(err(
                    &f("x"),
                    format!("{x:?} {y:?}"),
                    "expected increasing [start, end] ranges in x and y",
                ));
            }
            Shape::Rect {
                x0: x[0],
                x1: x[1],
                y0: y[0],
                y1: y[1],
            }
        }
        "ellipse" => {
            if raw.y.is_none() || x[1] <= 0.0 || y[1] <= 0.0 {
                return Err(err(
                    &f("x"),
                    format!("{x:?} {y:?}"),
                    "an ellipse needs x = [cx, rx] and y = [cy, ry] with positive semi-axes",
                ));
            }
            Shape::Ellipse {
                cx: x[0],
                rx: x[1],
                cy: y[0],
                ry: y[1],
            }
        }
        other => return Err(err(&f("shape"), other, "expected rect or ellipse")),
    };
    let mut r = Region::new(&raw.name, shape);
    let opt = |q: &Option<RawQuantity>, dim: Dim, name: &str| -> Result<Option<f64>, ConfigError> {
        q.as_ref().map(|q| q.to_si(dim, &f(name))).transpose()
    };
    r.ms = opt(&raw.ms, Dim::FIELD, "ms")?;
    r.a_ex = opt(&raw.a_ex, Dim::EXCHANGE, "a_ex")?;
    r.ku = opt(&raw.ku, Dim::ENERGY_DENSITY, "ku")?;
    r.dmi = opt(&raw.dmi, Dim::SURFACE_ENERGY, "dmi")?;
    if let Some(v) = r.ms.filter(|v| v.is_nan() || *v <= 0.0) {
        return Err(err(&f("ms"), v, "expected a positive magnetisation"));
    }
    if let Some(v) = r.a_ex.filter(|v| v.is_nan() || *v <= 0.0) {
        return Err(err(&f("a_ex"), v, "expected a positive exchange stiffness"));
    }
    if let Some(a) = raw.alpha {
        if !(a > 0.0 && a <= 10.0) {
            return Err(err(&f("alpha"), a, "expected a damping in (0, 10]"));
        }
        r.alpha = Some(a);
    }
    if let Some(b) = &raw.b {
        r.b_stray = field3(b, &f("b"))?;
    }
    match (&raw.ra, &raw.tmr) {
        (Some(ra), Some(tmr)) => {
            let ra = positive(ra.to_si(Dim::RESISTANCE_AREA, &f("ra"))?, &f("ra"), "resistance-area product")?;
            let tmr = tmr.to_si(Dim::NONE, &f("tmr"))?;
            if !(tmr >= 0.0 && tmr.is_finite()) {
                return Err(err(&f("tmr"), tmr, "expected a TMR ratio >= 0 (1.0 or \"100 %\")"));
            }
            let reference = match raw.reference.as_deref().unwrap_or("+z") {
                "+z" => 1.0,
                "-z" => -1.0,
                other => return Err(err(&f("reference"), other, "expected +z or -z")),
            };
            r.mtj = Some(crate::system::MtjReadout { ra, tmr, reference });
        }
        (None, None) if raw.reference.is_none() => {}
        _ => return Err(err(&f("ra"), "(incomplete)", "an MTJ needs both ra and tmr (reference optional)")),
    }
    if let Some([a, b]) = raw.layers {
        if a > b {
            return Err(err(
                &f("layers"),
                format!("[{a}, {b}]"),
                "expected [first, last] with first <= last",
            ));
        }
        r.layers = Some((a, b));
    }
    Ok(r)
}

impl RawRunFile {
    /// Check every value and build the run (SI values, mesh, material, drive, regions, initial
    /// state, solver); an error names the offending key.
    pub fn validate(&self) -> Result<RunSpec, ConfigError> {
        let m = &self.mesh;
        let need = |q: &Option<RawQuantity>, field: &str, what: &str| -> Result<f64, ConfigError> {
            match q {
                Some(q) => positive(q.to_si(Dim::LENGTH, field)?, field, what),
                None => Err(err(field, "(missing)", &format!("expected the {what}"))),
            }
        };
        let disk = match m.shape.as_deref().unwrap_or("wire") {
            "wire" => false,
            "disk" => true,
            other => return Err(err("mesh.shape", other, "expected wire or disk")),
        };
        let (length, width, width_end) = if disk {
            let d = need(&m.diameter, "mesh.diameter", "disk diameter")?;
            (d, d, d)
        } else {
            let width = need(&m.width, "mesh.width", "width")?;
            let width_end = match &m.width_end {
                Some(q) => positive(q.to_si(Dim::LENGTH, "mesh.width_end")?, "mesh.width_end", "width")?,
                None => width,
            };
            (need(&m.length, "mesh.length", "length")?, width, width_end)
        };
        let dz = positive(m.thickness.to_si(Dim::LENGTH, "mesh.thickness")?, "mesh.thickness", "thickness")?;
        let cell = positive(m.cell.to_si(Dim::LENGTH, "mesh.cell")?, "mesh.cell", "cell size")?;
        if length / cell < 4.0 {
            return Err(err(
                "mesh.cell",
                format!("{:.2} nm", cell * 1e9),
                &format!(
                    "gives fewer than 4 cells along the {:.1} nm length; use a cell of a few nm",
                    length * 1e9
                ),
            ));
        }
        if dwmtj_core::plausible::enforced() && cell > 50e-9 {
            return Err(err(
                "mesh.cell",
                format!("{:.2} nm", cell * 1e9),
                "a cell over 50 nm is far above any exchange length; expected 0.1-50 nm (dwmtj --allow-implausible accepts it)",
            ));
        }
        let cells = (length / cell) * (width.max(width_end) / cell);
        if cells > 4e6 {
            return Err(err(
                "mesh.cell",
                format!("{} m", dwmtj_core::quantity::short(cell)),
                "more than 4 million cells; use a larger cell",
            ));
        }
        let mut mesh = if disk {
            Mesh::disk(length, cell, dz)
        } else {
            Mesh::from_profile(&WidthProfile::linear(length, width, width_end), cell, dz)
        };
        if m.periodic_y.unwrap_or(false) {
            mesh = mesh.periodic_in_y();
        }
        if let Some(n) = Some(m.layers.unwrap_or(1)).filter(|&n| (1..=64).contains(&n)) {
            let estimate = memory_estimate(mesh.nx, mesh.ny, n);
            dwmtj_core::resources::check_memory("mesh.layers", format!("{n} layers of {} x {} cells", mesh.nx, mesh.ny), estimate)?;
        }
        match m.layers {
            Some(n) if n == 0 || n > 64 => return Err(err("mesh.layers", n, "expected 1 to 64 layers")),
            Some(n) if n > 1 => mesh = mesh.layered(n),
            _ => {}
        }
        let mat = &self.material;
        let base = match &mat.base {
            None => None,
            Some(name) => Some(dwmtj_core::material::find_builtin(name).ok_or_else(|| {
                let known: Vec<String> = dwmtj_core::material::builtin().into_iter().map(|m| m.name).collect();
                err(
                    "material.base",
                    format!("'{name}'"),
                    &format!("not a built-in material; known: {}", known.join(", ")),
                )
            })?),
        };
        // A value of the file, else of the base material, else an error naming the key.
        let value = |q: &Option<RawQuantity>, dim: Dim, key: &str, from_base: Option<f64>| -> Result<f64, ConfigError> {
            let field = format!("material.{key}");
            match (q, from_base) {
                (Some(q), _) => q.to_si(dim, &field),
                (None, Some(v)) => Ok(v),
                (None, None) => Err(err(&field, "missing", "required (or give material.base, a built-in material)")),
            }
        };
        let ms = positive(
            value(&mat.ms, Dim::FIELD, "ms", base.as_ref().map(|b| b.ms))?,
            "material.ms",
            "magnetisation",
        )?;
        let a_ex = positive(
            value(&mat.a_ex, Dim::EXCHANGE, "a_ex", base.as_ref().map(|b| b.a_ex))?,
            "material.a_ex",
            "exchange stiffness",
        )?;
        let shape_energy = 0.5 * dwmtj_core::units::MU0 * ms * ms;
        let ku = match (&mat.ku, &mat.k_eff) {
            (Some(_), Some(_)) => return Err(err("material.k_eff", "(set)", "give either material.ku or material.k_eff")),
            (Some(q), None) => q.to_si(Dim::ENERGY_DENSITY, "material.ku")?,
            (None, Some(q)) => q.to_si(Dim::ENERGY_DENSITY, "material.k_eff")? + shape_energy,
            (None, None) => value(&None, Dim::ENERGY_DENSITY, "ku", base.as_ref().map(|b| b.k_eff + shape_energy))?,
        };
        let dmi = value(&mat.dmi, Dim::SURFACE_ENERGY, "dmi", Some(base.as_ref().map_or(0.0, |b| b.dmi)))?;
        let (pinning_ku, pinning_period) = match (&mat.pinning_ku, &mat.pinning_period) {
            (None, None) => (0.0, 0.0),
            (Some(a), Some(p)) => {
                let a = a.to_si(Dim::ENERGY_DENSITY, "material.pinning_ku")?;
                let p = p.to_si(Dim::LENGTH, "material.pinning_period")?;
                if !(a.is_finite() && a.abs() < ku) {
                    return Err(err(
                        "material.pinning_ku",
                        format!("{a:e} J/m^3"),
                        &format!("expected an amplitude below K_u ({ku:e} J/m^3), so that the anisotropy stays positive"),
                    ));
                }
                if !(p.is_finite() && p >= 4.0 * mesh.dx) {
                    return Err(err(
                        "material.pinning_period",
                        format!("{p:e} m"),
                        &format!("expected at least 4 cells ({:e} m) per period of the modulation", 4.0 * mesh.dx),
                    ));
                }
                (a, p)
            }
            (Some(_), None) => return Err(err("material.pinning_period", "missing", "material.pinning_ku needs its period")),
            (None, Some(_)) => return Err(err("material.pinning_ku", "missing", "material.pinning_period needs its amplitude")),
        };
        let alpha = match (mat.alpha, &base) {
            (Some(a), _) => a,
            (None, Some(b)) => b.alpha,
            (None, None) => {
                return Err(err(
                    "material.alpha",
                    "missing",
                    "required (or give material.base, a built-in material)",
                ))
            }
        };
        if !(alpha > 0.0 && alpha <= 10.0) {
            return Err(err(
                "material.alpha",
                dwmtj_core::quantity::short(alpha),
                "expected a damping in (0, 10]",
            ));
        }
        let theta_sh = mat.theta_sh.unwrap_or(base.as_ref().map_or(0.0, |b| b.theta_sh));
        let fl_dl_ratio = mat.fl_dl_ratio.unwrap_or(base.as_ref().map_or(0.0, |b| b.fl_dl_ratio));
        let t_hm_default = base.as_ref().map_or(5e-9, |b| b.t_hm);
        let d = &self.drive;
        let demag = match self.run.demag.as_deref().unwrap_or("full") {
            "full" => DemagMode::Full,
            "local" => DemagMode::Local,
            "none" => DemagMode::None,
            other => return Err(err("run.demag", other, "expected full, local or none")),
        };
        if demag == DemagMode::Full && mesh.periodic_y {
            return Err(err(
                "mesh.periodic_y",
                true,
                "full demag is not periodic; use run.demag = \"local\"",
            ));
        }
        let mut params = Params {
            ms,
            a_ex,
            ku,
            dmi,
            alpha,
            gamma: match mat.gamma {
                Some(g) if !(g > 1e10 && g < 1e12) => {
                    return Err(err(
                        "material.gamma",
                        dwmtj_core::quantity::short(g),
                        "expected a gyromagnetic ratio in rad/(s T), 1e10-1e12",
                    ))
                }
                Some(g) => g,
                None => dwmtj_core::material::GAMMA,
            },
            b_ext: [
                opt_si(&d.bx, Dim::FLUX_DENSITY, "drive.bx", 0.0)?,
                opt_si(&d.by, Dim::FLUX_DENSITY, "drive.by", 0.0)?,
                opt_si(&d.bz, Dim::FLUX_DENSITY, "drive.bz", 0.0)?,
            ],
            demag,
            theta_sh,
            fl_ratio: fl_dl_ratio,
            current_density: opt_si(&d.current_density, Dim::CURRENT_DENSITY, "drive.current_density", 0.0)?,
            oersted: d.oersted.unwrap_or(false),
            t_hm: {
                let t = opt_si(&mat.t_hm, Dim::LENGTH, "material.t_hm", t_hm_default)?;
                positive(t, "material.t_hm", "thickness")?
            },
            j_ref_width: if (width - width_end).abs() > 0.0 { width } else { 0.0 },
            seed: self.run.seed.unwrap_or(0),
            pinning_ku,
            pinning_period,
            ..Params::default()
        };
        let waveform = match (&d.field_pulse, &d.field_ac) {
            (Some(_), Some(_)) => return Err(err("drive.field_ac", "(set)", "use either drive.field_pulse or drive.field_ac")),
            (Some(p), None) => {
                let (delay, shape) = pulse(p, "drive.field_pulse")?;
                let b = match &p.b {
                    Some(b) => field3(b, "drive.field_pulse.b")?,
                    None => {
                        return Err(err(
                            "drive.field_pulse.b",
                            "(missing)",
                            "expected the pulse's field, e.g. [\"0 mT\", \"0 mT\", \"20 mT\"]",
                        ))
                    }
                };
                Some(FieldWaveform::Pulse { b, delay, pulse: shape })
            }
            (None, Some(ac)) => Some(FieldWaveform::Sine {
                b: field3(&ac.b, "drive.field_ac.b")?,
                frequency: positive(
                    ac.frequency.to_si(Dim::FREQUENCY, "drive.field_ac.frequency")?,
                    "drive.field_ac.frequency",
                    "frequency",
                )?,
                phase: ac.phase.unwrap_or(0.0),
            }),
            (None, None) => None,
        };
        let current_pulse = match &d.current_pulse {
            Some(p) if p.b.is_some() => {
                return Err(err(
                    "drive.current_pulse.b",
                    "(set)",
                    "a current pulse has no field; scale drive.current_density",
                ))
            }
            Some(p) => Some(pulse(p, "drive.current_pulse")?),
            None => None,
        };
        let pulse_train = match &d.pulse_train {
            Some(_) if current_pulse.is_some() => {
                return Err(err(
                    "drive.pulse_train",
                    "(set)",
                    "use either drive.current_pulse or drive.pulse_train",
                ))
            }
            Some(t) => Some(pulse_train(t)?),
            None => None,
        };
        let regions = self
            .region
            .iter()
            .enumerate()
            .map(|(k, r)| region(r, k))
            .collect::<Result<Vec<_>, _>>()?;
        for (k, r) in regions.iter().enumerate() {
            if let Some((_, last)) = r.layers.filter(|&(_, last)| last >= mesh.nz) {
                return Err(err(
                    &format!("region[{k}].layers"),
                    last,
                    &format!("the mesh has {} layer(s), numbered from 0", mesh.nz),
                ));
            }
            let plane = mesh.nx * mesh.ny;
            let covers = (0..plane).any(|c| {
                let (i, j) = (c % mesh.nx, c / mesh.nx);
                mesh.mask[c]
                    && r.shape
                        .contains((i as f64 + 0.5) * mesh.dx, (j as f64 + 0.5 - 0.5 * mesh.ny as f64) * mesh.dy)
            });
            if !covers {
                return Err(err(
                    &format!("region[{k}].x"),
                    format!("{:?}", r.shape),
                    &format!(
                        "covers no magnetic cell of the {:.1} nm x {:.1} nm mesh (x from 0, y centred on 0); move the region onto the magnet",
                        mesh.nx as f64 * mesh.dx * 1e9,
                        mesh.ny as f64 * mesh.dy * 1e9
                    ),
                ));
            }
            let valid = !r.name.is_empty() && r.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if !valid || regions[..k].iter().any(|q| q.name == r.name) {
                return Err(err(
                    &format!("region[{k}].name"),
                    &r.name,
                    "expected a unique name of letters, digits, '_' or '-' (it names table columns)",
                ));
            }
        }
        let initial = match self.initial.state.as_str() {
            "neel-wall" => {
                let x0 = opt_si(&self.initial.x0, Dim::LENGTH, "initial.x0", length / 2.0)?;
                if !(0.0..=length).contains(&x0) {
                    return Err(err(
                        "initial.x0",
                        format!("{:.1} nm", x0 * 1e9),
                        &format!("the wall must start on the wire, between 0 and {:.1} nm", length * 1e9),
                    ));
                }
                Initial::NeelWall { x0 }
            }
            "uniform" => {
                let d = self.initial.direction.unwrap_or([0.0, 0.0, 1.0]);
                if d.iter().map(|v| v * v).sum::<f64>() <= 0.0 {
                    return Err(err("initial.direction", format!("{d:?}"), "expected a non-zero vector"));
                }
                Initial::Uniform(d)
            }
            "skyrmion" => Initial::Skyrmion {
                radius: positive(
                    opt_si(&self.initial.radius, Dim::LENGTH, "initial.radius", width / 8.0)?,
                    "initial.radius",
                    "radius",
                )?,
            },
            other => return Err(err("initial.state", other, "expected neel-wall, uniform or skyrmion")),
        };
        let method = match self.run.method.as_deref().unwrap_or("rk45") {
            "rk45" => Method::Rk45,
            "rkf45" => Method::Rkf45,
            "rk23" => Method::Rk23,
            "heun" => Method::Heun,
            "rk4" => Method::Rk4,
            other => return Err(err("run.method", other, "expected rk45, rkf45, rk23, heun or rk4")),
        };
        let temperature = opt_si(&self.run.temperature, Dim::TEMPERATURE, "run.temperature", 0.0)?;
        if temperature < 0.0 {
            return Err(err(
                "run.temperature",
                dwmtj_core::quantity::short(temperature),
                "expected a temperature >= 0 K",
            ));
        }
        params.temperature = temperature;
        params.demag_f32 = match self.run.demag_precision.as_deref().unwrap_or("f64") {
            "f64" => false,
            "f32" => true,
            other => return Err(err("run.demag_precision", other, "expected f64 or f32")),
        };
        if params.demag_f32 && mesh.nz > 1 {
            return Err(err(
                "run.demag_precision",
                "f32",
                "the layered demag kernel is f64 only; use f64 with mesh.layers > 1",
            ));
        }
        let dt_init = match (&self.run.dt, method) {
            (Some(q), _) => positive(q.to_si(Dim::TIME, "run.dt")?, "run.dt", "time step")?,
            (None, Method::Heun | Method::Rk4) => {
                return Err(err("run.dt", "(missing)", "a fixed-step method needs run.dt, e.g. \"50 fs\""))
            }
            (None, _) => SolverParams::default().dt_init,
        };
        let max_err = self.run.max_err.unwrap_or(1e-5);
        if !(max_err > 0.0 && max_err < 0.1) {
            return Err(err(
                "run.max_err",
                dwmtj_core::quantity::short(max_err),
                "expected a tolerance in (0, 0.1)",
            ));
        }
        let duration = positive(self.run.duration.to_si(Dim::TIME, "run.duration")?, "run.duration", "time")?;
        let samples = self.run.samples.unwrap_or(100);
        if !(1..=100_000).contains(&samples) {
            return Err(err("run.samples", samples, "expected 1 to 100000 table rows"));
        }
        let snapshots = self.run.snapshots.unwrap_or(4);
        if snapshots > 1000 {
            return Err(err("run.snapshots", snapshots, "expected at most 1000 snapshots"));
        }
        // Snapshots are kept in memory until the run is written, with the table rows.
        dwmtj_core::resources::check_memory(
            "run.snapshots",
            format!("{snapshots} snapshots of {} cells", mesh.cells()),
            ((snapshots + 1) * mesh.cells() * 24 + samples * (256 + 64 * regions.len())) as f64,
        )?;
        Ok(RunSpec {
            name: self.name.clone().unwrap_or_else(|| "micromag".into()),
            mesh,
            params,
            regions,
            waveform,
            current_pulse,
            pulse_train,
            solver: SolverParams {
                method,
                max_err,
                rel_err: match self.run.rel_err {
                    Some(r) if !(0.0..0.1).contains(&r) => {
                        return Err(err(
                            "run.rel_err",
                            dwmtj_core::quantity::short(r),
                            "expected a relative tolerance in [0, 0.1)",
                        ))
                    }
                    Some(r) => r,
                    None => 0.0,
                },
                dt_init,
                ..SolverParams::default()
            },
            initial,
            duration,
            relax: self.run.relax.unwrap_or(false),
            samples,
            snapshots,
        })
    }
}

/// Parse a run file's TOML text and validate it; `origin` (the file's name) appears in TOML
/// errors.
pub fn parse(text: &str, origin: &str) -> Result<(RawRunFile, RunSpec), ConfigError> {
    let raw: RawRunFile = toml::from_str(text).map_err(|e| ConfigError::Toml {
        origin: origin.to_string(),
        message: e.to_string(),
    })?;
    let spec = raw.validate()?;
    Ok((raw, spec))
}

/// The 1D wall model's material for a run's wall: the run's constants, K_eff = K_u - mu0 Ms^2/2
/// (none without demag), the thin-film Neel-Bloch anisotropy with full demag and none with the
/// local form, no STT and no film pinning (docs/physics.md 5.5).
pub fn wall_material(spec: &RunSpec) -> dwmtj_core::material::Material {
    use crate::system::DemagMode;
    let p = &spec.params;
    let mut m = dwmtj_core::material::find_builtin("ta-cofeb-mgo").expect("built-in");
    m.name = format!("{}-1d", spec.name);
    m.description = format!("the 1D model of micromagnetic run '{}'", spec.name);
    m.ms = p.ms;
    m.a_ex = p.a_ex;
    m.k_eff = p.ku
        - if p.demag == DemagMode::None {
            0.0
        } else {
            0.5 * dwmtj_core::units::MU0 * p.ms * p.ms
        };
    m.dmi = p.dmi;
    m.alpha = p.alpha;
    m.theta_sh = p.theta_sh * p.sot_sign;
    m.t_fm = spec.mesh.dz * spec.mesh.nz as f64;
    m.t_hm = p.t_hm;
    m.fl_dl_ratio = p.fl_ratio;
    m.polarization = 0.0;
    m.h_dep = 0.0;
    m.h_k = if p.demag == DemagMode::Full { f64::NAN } else { 0.0 };
    m
}
