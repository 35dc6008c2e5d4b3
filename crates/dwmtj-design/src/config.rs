//! A design run as written: a target file (`dwmtj design TARGET.toml`) or the flags of
//! `dwmtj design`, both the same [`RawDesignRun`]; quantities with units, unknown keys rejected.
//! [`RawDesignRun::validate`] gives the [`DesignRunSpec`] that [`crate::run::run`] designs and
//! verifies. Flags override a file's values before validation, so a field's error names both
//! (`design.mtjs (or --mtjs)`).
//!
//! ```toml
//! version = 1
//! [target]
//! function = "sigmoid"              # or: table = "measured.csv" (columns current_a,output)
//! current_range = ["150 uA", "600 uA"]
//! center = "375 uA"                 # optional
//! scale = "55 uA"                   # optional
//! [design]
//! mtjs = 9
//! material = "ta-cofeb-mgo"
//! j_th = "0.7e11 A/m^2"
//! pulse = "8 ns"
//! tolerance = 0.05
//! # analog = "static" | "dynamic"   # a single-wall (Mode S) width profile instead
//! # length = "10 um"                # analog: track length
//! # magnetic_width = "0.8 um"       # analog: width of the magnetic wire
//! [rules]                           # all optional
//! min_wire_width = "100 nm"
//! max_wire_width = "5 um"
//! min_mtj_side = "50 nm"
//! max_mtj_side = "600 nm"
//! mtj_spacing = "200 nm"
//! breakdown_current_density = "3e11 A/m^2"
//! fill = 0.8
//! max_current = "5 mA"
//! [verify]                          # all optional
//! monte_carlo = 100                 # device instances with threshold spread
//! d2d = "3 %"
//! c2c = "1 %"
//! dynamic = false                   # also verify with the dynamic 1D model
//! ```

use crate::analog::{AnalogKind, AnalogSpec};
use crate::discrete::{DesignSpec, FabRules};
use crate::target::Target;
use dwmtj_core::error::ConfigError;
use dwmtj_core::units::Dim;
use dwmtj_core::RawQuantity as Q;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// A design run as written.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawDesignRun {
    /// File format version; must be 1.
    pub version: u32,
    /// The `[target]` table.
    pub target: RawTarget,
    /// The `[design]` table (optional).
    #[serde(default)]
    pub design: RawDesign,
    /// The `[rules]` table (optional).
    #[serde(default)]
    pub rules: RawRules,
    /// The `[verify]` table (optional).
    #[serde(default)]
    pub verify: RawVerify,
}

/// `[target]`: a named function on a current range, or a table file.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawTarget {
    /// A named function: linear, sigmoid, tanh, softplus (relu), step or gaussian-cdf; exclusive with `table`.
    pub function: Option<String>,
    /// A CSV table with the columns current_a,output, relative to the target file; exclusive with `function`.
    pub table: Option<String>,
    /// The current range [MIN, MAX] (current), required with `function`.
    pub current_range: Option<[Q; 2]>,
    /// Centre current of the function (default: the middle of the range).
    pub center: Option<Q>,
    /// Scale current of the function (default: 1/8 of the range, 1/100 for step).
    pub scale: Option<Q>,
}

/// `[design]`: the design choices.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawDesign {
    /// Number of MTJs of a discrete design, 1-64 (default 9).
    pub mtjs: Option<usize>,
    /// Built-in material name or a material file, relative to the target file (default
    /// ta-cofeb-mgo; pt-cotb for analog designs).
    pub material: Option<String>,
    /// Switching threshold current density in the heavy metal, discrete designs (default 0.7e11 A/m^2).
    pub j_th: Option<Q>,
    /// Pulse width (default 8 ns; analog: 2 us static, 300 ns dynamic).
    pub pulse: Option<Q>,
    /// Largest accepted RMS error, fraction of full scale in (0, 1) (default 0.05).
    pub tolerance: Option<f64>,
    /// "static" or "dynamic" for a single-wall (Mode S) width profile; unset for a discrete design.
    pub analog: Option<String>,
    /// Analog: track length (default 10 um).
    pub length: Option<Q>,
    /// Analog: width of the magnetic wire (default 0.8 um).
    pub magnetic_width: Option<Q>,
    /// Discrete designs: which model the design is solved against, "threshold", "dynamic" (the
    /// 1D wall model at the pulse) or "auto" (dynamic where feasible, else threshold; default).
    pub model: Option<String>,
}

/// `[rules]`: the fabrication rules ([`FabRules`]; defaults from `FabRules::default`).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawRules {
    /// Narrowest allowed wire (length).
    pub min_wire_width: Option<Q>,
    /// Widest allowed wire (length).
    pub max_wire_width: Option<Q>,
    /// Smallest allowed MTJ side (length).
    pub min_mtj_side: Option<Q>,
    /// Largest allowed MTJ side (length).
    pub max_mtj_side: Option<Q>,
    /// Gap between neighbouring MTJ footprints along the wire (length).
    pub mtj_spacing: Option<Q>,
    /// Heavy-metal current density at which the wire breaks down (current density).
    pub breakdown_current_density: Option<Q>,
    /// Largest MTJ side as a fraction of the wire width under it, in (0, 1].
    pub fill: Option<f64>,
    /// Largest write current the driver can deliver (current).
    pub max_current: Option<Q>,
}

/// `[verify]`: the verifications beyond simulating the nominal design back.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawVerify {
    /// Number of device instances of a Monte Carlo verification (at least 1; unset: none).
    pub monte_carlo: Option<usize>,
    /// Device-to-device relative threshold spread, 0-50 % (default 3 %).
    pub d2d: Option<Q>,
    /// Cycle-to-cycle relative threshold spread, 0-50 % (default 1 %).
    pub c2c: Option<Q>,
    /// Also verify with the dynamic 1D model (default false).
    pub dynamic: Option<bool>,
}

/// What to design.
#[derive(Clone, Debug)]
pub enum DesignKind {
    /// A multi-MTJ device ([`crate::discrete`]).
    Discrete(DesignSpec),
    /// A single-wall width profile ([`crate::analog`]).
    Analog(AnalogSpec),
}

/// Monte Carlo verification: `devices` instances with threshold spread.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct MonteCarloSpec {
    /// Number of device instances.
    pub devices: usize,
    /// Device-to-device relative threshold spread (fraction, 0-0.5).
    pub d2d: f64,
    /// Cycle-to-cycle relative threshold spread (fraction, 0-0.5).
    pub c2c: f64,
}

/// A validated design run.
#[derive(Clone, Debug)]
pub struct DesignRunSpec {
    /// What to design.
    pub kind: DesignKind,
    /// Largest accepted RMS error of the verified design (fraction of full scale).
    pub tolerance: f64,
    /// The Monte Carlo verification, if asked for (discrete designs).
    pub monte_carlo: Option<MonteCarloSpec>,
    /// Also verify with the dynamic 1D model (discrete designs).
    pub verify_dynamic: bool,
    /// Which model a discrete design is solved against.
    pub design_model: DesignModel,
}

/// Which model a discrete design is solved against (`[design] model`, `--model`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DesignModel {
    /// The threshold model: one switching density J_th for every MTJ (docs/physics.md 7.1).
    Threshold,
    /// The dynamic 1D model: each MTJ's wall crossing at the pulse (docs/physics.md 7.5).
    Dynamic,
    /// Dynamic where the material and rules allow it, the threshold model otherwise.
    Auto,
}

/// The command-line flag that sets a key, for error messages.
fn flag(key: &str) -> Option<&'static str> {
    Some(match key {
        "target.function" => "--function",
        "target.table" => "--table",
        "target.current_range" => "--current-range",
        "target.center" => "--center",
        "target.scale" => "--scale",
        "design.mtjs" => "--mtjs",
        "design.material" => "--material",
        "design.j_th" => "--j-th",
        "design.pulse" => "--pulse",
        "design.tolerance" => "--tolerance",
        "design.analog" => "--analog",
        "design.length" => "--length",
        "design.magnetic_width" => "--magnetic-width",
        "design.model" => "--model",
        "rules.breakdown_current_density" => "--breakdown",
        "verify.monte_carlo" => "--monte-carlo",
        "verify.d2d" => "--d2d",
        "verify.c2c" => "--c2c",
        _ => return None,
    })
}

/// `key` as named in messages: the file key and, where there is one, its flag.
fn name(key: &str) -> String {
    flag(key).map_or_else(|| key.to_string(), |f| format!("{key} (or {f})"))
}

/// An optional positive quantity with a default.
fn positive(q: &Option<Q>, dim: Dim, key: &str, default: f64) -> Result<f64, ConfigError> {
    let field = name(key);
    let v = match q {
        Some(q) => q.to_si(dim, &field)?,
        None => default,
    };
    if v > 0.0 && v.is_finite() {
        Ok(v)
    } else {
        let shown = q.as_ref().map_or_else(|| format!("{v:e}"), ToString::to_string);
        Err(ConfigError::field(field, shown, "must be > 0"))
    }
}

/// As [`positive`] with a default written as a quantity (converted the way a user's value is).
fn positive_or(q: &Option<Q>, dim: Dim, key: &str, default: &str) -> Result<f64, ConfigError> {
    positive(&Some(q.clone().unwrap_or_else(|| Q::Text(default.into()))), dim, key, f64::NAN)
}

impl RawDesignRun {
    /// Parse a target file (TOML).
    pub fn from_toml(text: &str, origin: &str) -> Result<Self, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::Toml {
            origin: origin.into(),
            message: e.to_string(),
        })
    }

    /// Validate; `base` is the folder relative table paths are read from.
    pub fn validate(&self, base: Option<&Path>) -> Result<DesignRunSpec, ConfigError> {
        if self.version != 1 {
            return Err(ConfigError::field("version", self.version.to_string(), "must be 1"));
        }
        let target = self.target(base)?;
        let d = &self.design;
        let tolerance = d.tolerance.unwrap_or(0.05);
        if !(tolerance > 0.0 && tolerance < 1.0) {
            return Err(ConfigError::field(
                name("design.tolerance"),
                tolerance.to_string(),
                "must be between 0 and 1 (fraction of full scale)",
            ));
        }
        let analog = match d.analog.as_deref() {
            None => None,
            Some("static") => Some(AnalogKind::Static),
            Some("dynamic") => Some(AnalogKind::Dynamic),
            Some(other) => {
                return Err(ConfigError::field(
                    name("design.analog"),
                    format!("'{other}'"),
                    "expected static or dynamic",
                ))
            }
        };
        let default_material = if analog.is_some() { "pt-cotb" } else { "ta-cofeb-mgo" };
        let material_name = d.material.as_deref().unwrap_or(default_material);
        let material = dwmtj_core::material::load_named(material_name, base, &name("design.material"))?;
        let v = &self.verify;
        let monte_carlo = match v.monte_carlo {
            None => None,
            Some(0) => return Err(ConfigError::field(name("verify.monte_carlo"), "0", "must be at least 1")),
            Some(n) => {
                // One RMS error per device instance, plus its simulation's scratch.
                dwmtj_core::resources::check_memory(&name("verify.monte_carlo"), n, n as f64 * 64.0)?;
                let spread = |q: &Option<Q>, key: &str, default: f64| -> Result<f64, ConfigError> {
                    let x = q.as_ref().map_or(Ok(default), |q| q.to_si(Dim::NONE, &name(key)))?;
                    if (0.0..=0.5).contains(&x) {
                        Ok(x)
                    } else {
                        Err(ConfigError::field(name(key), format!("{x}"), "must be between 0 and 50 %"))
                    }
                };
                Some(MonteCarloSpec {
                    devices: n,
                    d2d: spread(&v.d2d, "verify.d2d", 0.03)?,
                    c2c: spread(&v.c2c, "verify.c2c", 0.01)?,
                })
            }
        };
        let kind = match analog {
            Some(kind) => {
                let default_pulse = if kind == AnalogKind::Static { "2 us" } else { "300 ns" };
                DesignKind::Analog(AnalogSpec {
                    target,
                    kind,
                    material,
                    length: positive_or(&d.length, Dim::LENGTH, "design.length", "10 um")?,
                    magnetic_width: positive_or(&d.magnetic_width, Dim::LENGTH, "design.magnetic_width", "0.8 um")?,
                    pulse_width: positive_or(&d.pulse, Dim::TIME, "design.pulse", default_pulse)?,
                    pin_period: 20e-9,
                })
            }
            None => {
                let mtjs = d.mtjs.unwrap_or(9);
                if !(1..=64).contains(&mtjs) {
                    return Err(ConfigError::field(
                        name("design.mtjs"),
                        mtjs.to_string(),
                        "must be between 1 and 64",
                    ));
                }
                DesignKind::Discrete(DesignSpec {
                    target,
                    mtjs,
                    material,
                    j_th: positive(&d.j_th, Dim::CURRENT_DENSITY, "design.j_th", 0.7e11)?,
                    pulse_width: positive(&d.pulse, Dim::TIME, "design.pulse", 8e-9)?,
                    ra: 20e-12,
                    tmr: 0.44,
                    rules: self.rules()?,
                })
            }
        };
        let design_model = match d.model.as_deref() {
            None | Some("auto") => DesignModel::Auto,
            Some("threshold") => DesignModel::Threshold,
            Some("dynamic") => DesignModel::Dynamic,
            Some(other) => {
                return Err(ConfigError::field(
                    name("design.model"),
                    format!("'{other}'"),
                    "expected threshold, dynamic or auto",
                ))
            }
        };
        if d.model.is_some() && matches!(kind, DesignKind::Analog(_)) {
            return Err(ConfigError::field(
                name("design.model"),
                format!("'{}'", d.model.as_deref().unwrap_or_default()),
                "applies to discrete designs only (analog designs use the 1D model already)",
            ));
        }
        Ok(DesignRunSpec {
            kind,
            tolerance,
            monte_carlo,
            verify_dynamic: v.dynamic.unwrap_or(false),
            design_model,
        })
    }

    fn target(&self, base: Option<&Path>) -> Result<Target, ConfigError> {
        let t = &self.target;
        match (&t.function, &t.table) {
            (Some(f), None) => {
                let r = t.current_range.as_ref().ok_or_else(|| {
                    ConfigError::field(
                        name("target.current_range"),
                        "missing",
                        "required with target.function: [\"MIN\", \"MAX\"] currents",
                    )
                })?;
                let range = name("target.current_range");
                let lo = r[0].to_si(Dim::CURRENT, &format!("{range}[0]"))?;
                let hi = r[1].to_si(Dim::CURRENT, &format!("{range}[1]"))?;
                let center = t
                    .center
                    .as_ref()
                    .map(|c| c.to_si(Dim::CURRENT, &name("target.center")))
                    .transpose()?;
                let scale = t.scale.as_ref().map(|c| c.to_si(Dim::CURRENT, &name("target.scale"))).transpose()?;
                Target::named(f, lo, hi, center, scale)
                    .map_err(|e| ConfigError::field(name("target.function"), format!("'{f}'"), e.to_string()))
            }
            (None, Some(path)) => {
                let p = base.map_or_else(|| Path::new(path).to_path_buf(), |b| b.join(path));
                Target::read_csv(&p).map_err(|e| ConfigError::field(name("target.table"), format!("'{path}'"), e.to_string()))
            }
            _ => Err(ConfigError::field(
                "target",
                "",
                "give exactly one of `function` (with current_range) or `table` (--function or --table)",
            )),
        }
    }

    fn rules(&self) -> Result<FabRules, ConfigError> {
        let def = FabRules::default();
        let r = &self.rules;
        let rules = FabRules {
            min_wire_width: positive(&r.min_wire_width, Dim::LENGTH, "rules.min_wire_width", def.min_wire_width)?,
            max_wire_width: positive(&r.max_wire_width, Dim::LENGTH, "rules.max_wire_width", def.max_wire_width)?,
            min_mtj_side: positive(&r.min_mtj_side, Dim::LENGTH, "rules.min_mtj_side", def.min_mtj_side)?,
            max_mtj_side: positive(&r.max_mtj_side, Dim::LENGTH, "rules.max_mtj_side", def.max_mtj_side)?,
            mtj_spacing: positive(&r.mtj_spacing, Dim::LENGTH, "rules.mtj_spacing", def.mtj_spacing)?,
            breakdown_current_density: positive(
                &r.breakdown_current_density,
                Dim::CURRENT_DENSITY,
                "rules.breakdown_current_density",
                def.breakdown_current_density,
            )?,
            fill: r.fill.unwrap_or(def.fill),
            max_current: positive(&r.max_current, Dim::CURRENT, "rules.max_current", def.max_current)?,
        };
        if !(rules.fill > 0.0 && rules.fill <= 1.0) {
            return Err(ConfigError::field("rules.fill", rules.fill.to_string(), "must be in (0, 1]"));
        }
        if rules.min_wire_width >= rules.max_wire_width {
            return Err(ConfigError::field(
                "rules.min_wire_width",
                format!("{:e} m", rules.min_wire_width),
                "must be below rules.max_wire_width",
            ));
        }
        if rules.min_mtj_side > rules.max_mtj_side {
            return Err(ConfigError::field(
                "rules.min_mtj_side",
                format!("{:e} m", rules.min_mtj_side),
                "must not exceed rules.max_mtj_side",
            ));
        }
        Ok(rules)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<DesignRunSpec, ConfigError> {
        RawDesignRun::from_toml(text, "t")?.validate(None)
    }

    #[test]
    fn full_file_and_errors_name_fields() {
        let good = "version = 1\n[target]\nfunction = \"tanh\"\ncurrent_range = [\"150 uA\", \"0.6 mA\"]\n[design]\nmtjs = 7\n[rules]\nmtj_spacing = \"150 nm\"\n";
        let r = parse(good).unwrap();
        let DesignKind::Discrete(spec) = &r.kind else {
            panic!("not discrete")
        };
        assert_eq!(spec.mtjs, 7);
        assert!((spec.target.i_max - 6e-4).abs() < 1e-15 && (spec.rules.mtj_spacing - 150e-9).abs() < 1e-18);
        for (text, needle) in [
            (good.replace("mtjs = 7", "mtjs = 7\ncolour = 1"), "unknown field `colour`"),
            (
                good.replace("\"0.6 mA\"", "\"0.6 Oe\""),
                "target.current_range (or --current-range)[1]",
            ),
            (good.replace("\"150 nm\"", "\"-150 nm\""), "rules.mtj_spacing"),
            (good.replace("tanh", "cubic"), "target.function"),
            (good.replace("mtjs = 7", "mtjs = 0"), "design.mtjs (or --mtjs)"),
            (good.replace("mtjs = 7", "analog = \"sideways\""), "design.analog"),
            (good.replace("[rules]", "[verify]\nmonte_carlo = 0\n[rules]"), "verify.monte_carlo"),
            (
                good.replace("[rules]", "[verify]\nmonte_carlo = 3\nd2d = \"60 %\"\n[rules]"),
                "verify.d2d",
            ),
        ] {
            let e = parse(&text).err().unwrap_or_else(|| panic!("accepted: {text}")).to_string();
            assert!(e.contains(needle), "{e}");
        }
    }

    #[test]
    fn analog_runs_take_their_own_defaults() {
        let text = "version = 1\n[target]\nfunction = \"sigmoid\"\ncurrent_range = [\"1 mA\", \"3 mA\"]\n[design]\nanalog = \"dynamic\"\n";
        let DesignKind::Analog(a) = parse(text).unwrap().kind else {
            panic!("not analog")
        };
        assert_eq!(a.material.name, "pt-cotb");
        assert!((a.pulse_width - 300e-9).abs() < 1e-18 && (a.length - 10e-6).abs() < 1e-18);
    }
}
