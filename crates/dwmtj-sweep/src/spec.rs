//! Sweep files: a base run file and axes over its keys -> [`Sweep`] (every point's values and
//! seed, before anything runs).
//!
//! ```toml
//! version = 1
//! base = "fig3f.toml"          # relative to this file; its kind is recognised from its content
//! kind = "device"              # optional: device, wall, design, micromag, train
//! mode = "grid"                # grid (every combination), zip (i-th value of each), random
//! seed = 1                     # point k runs with a seed drawn from (seed, k)
//!
//! [[axis]]
//! key = "bias.hz"
//! range = { from = "-600 Oe", to = "-300 Oe", points = 31, scale = "linear" }
//!
//! [[axis]]
//! key = "program.pulse_width"
//! values = ["4 ns", "8 ns", "16 ns"]
//! ```
//!
//! `mode = "random"` draws `points = N` points as a seeded Latin hypercube: each axis's range is
//! cut into N equal strata (equal in log for `scale = "log"`), each stratum is used once, at a
//! uniform position inside it, and the strata of the axes are paired by independent random
//! permutations (McKay, Beckman and Conover 1979). A `values` axis in random mode takes
//! value floor(s * len / N) for stratum s.
//!
//! Points are numbered from 0 in row-major order (the last axis varies fastest). Point k's
//! seed is the first `u64` of the stream (seed, k, [`SEED_STREAM`]) shifted right by one bit
//! (TOML integers have 63 bits) (`seeds = "per-point"`, the default) or the sweep's seed itself (`seeds = "shared"`: common random numbers across
//! points); it is written into the base's seed key unless an axis sets that key.

use crate::keys::KeyPath;
use crate::kind::Kind;
use dwmtj_core::stream::stream;
use dwmtj_core::units::{parse_unit, split_number};
use dwmtj_core::ConfigError;
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use toml::Value;

/// The `b` key of the streams that give each point's seed: (seed, point, SEED_STREAM).
pub const SEED_STREAM: u64 = 0x5EED_5EED;
/// The `b` key of the streams of the Latin hypercube: (seed, axis, LHS_STREAM).
pub const LHS_STREAM: u64 = 0x1A71_4C0B;
/// The most points a sweep may have (its table alone then takes some hundred megabytes).
pub const MAX_POINTS: usize = 1_000_000;

/// A sweep file as written.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawSweep {
    /// File format version; must be 1.
    pub version: u32,
    /// Name of the study (default: the sweep file's stem).
    #[serde(default)]
    pub name: Option<String>,
    /// The base run file, relative to the sweep file.
    pub base: String,
    /// The base's kind; default: recognised from its content.
    #[serde(default)]
    pub kind: Option<String>,
    /// "grid" (default), "zip" or "random".
    #[serde(default)]
    pub mode: Option<String>,
    /// Points of a random sweep.
    #[serde(default)]
    pub points: Option<usize>,
    /// Seed of the study (default 0).
    #[serde(default)]
    pub seed: Option<u64>,
    /// "per-point" (default) or "shared".
    #[serde(default)]
    pub seeds: Option<String>,
    /// The axes (`[[axis]]`).
    #[serde(default, rename = "axis")]
    pub axes: Vec<RawAxis>,
}

/// One `[[axis]]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawAxis {
    /// The key of the base file it sets.
    pub key: String,
    /// The values, as the base file would write them.
    #[serde(default)]
    pub values: Option<Vec<Value>>,
    /// Or a range.
    #[serde(default)]
    pub range: Option<RawRange>,
}

/// `range = { from, to, points, scale }`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawRange {
    /// First value (a quantity with its unit, or a number).
    pub from: Value,
    /// Last value, in a unit of the same dimension.
    pub to: Value,
    /// Number of values, at least 2 (not used in random mode).
    #[serde(default)]
    pub points: Option<usize>,
    /// "linear" (default) or "log".
    #[serde(default)]
    pub scale: Option<String>,
}

/// How the axes combine into points.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Every combination.
    Grid,
    /// The i-th value of every axis.
    Zip,
    /// A seeded Latin hypercube.
    Random,
}

/// How points are seeded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Seeds {
    /// A seed per point from (seed, point).
    PerPoint,
    /// The sweep's seed for every point.
    Shared,
}

/// Spacing of a range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scale {
    /// Evenly spaced.
    Linear,
    /// Evenly spaced in the logarithm.
    Log,
}

/// A numeric range of an axis, in the unit of its `from`.
#[derive(Clone, Debug, Serialize)]
pub struct Range {
    /// First value.
    pub from: f64,
    /// Last value.
    pub to: f64,
    /// Spacing.
    pub scale: Scale,
    /// Both ends were TOML integers (the values are written as integers when whole).
    pub integer: bool,
}

impl Range {
    /// The value at fraction `u` in [0, 1] of the range.
    pub fn at(&self, u: f64) -> f64 {
        match self.scale {
            Scale::Linear => self.from + u * (self.to - self.from),
            Scale::Log => self.from.signum() * (self.from.abs().ln() + u * (self.to.abs().ln() - self.from.abs().ln())).exp(),
        }
    }
}

/// A validated axis.
#[derive(Clone, Debug, Serialize)]
pub struct Axis {
    /// The key.
    #[serde(rename = "key", serialize_with = "key_text")]
    pub path: KeyPath,
    /// The unit of the axis's numbers (None: bare numbers or not numeric).
    pub unit: Option<String>,
    /// The values of a grid or zip axis (a random one has them per point).
    pub values: Vec<Value>,
    /// The range of a range axis.
    pub range: Option<Range>,
}

fn key_text<S: serde::Serializer>(k: &KeyPath, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&k.text)
}

impl Axis {
    /// The column name of the axis in tables: the key, with its unit in brackets.
    pub fn column(&self) -> String {
        match &self.unit {
            Some(u) if !u.is_empty() => format!("{} [{u}]", self.path.text),
            _ => self.path.text.clone(),
        }
    }

    /// The number a value stands for, in the axis's unit (None if not numeric).
    pub fn number(&self, v: &Value) -> Option<f64> {
        match v {
            Value::Integer(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            Value::String(s) => {
                let (x, unit) = split_number(s).ok()?;
                match &self.unit {
                    Some(u) if u == unit => Some(x),
                    Some(u) if !u.is_empty() && !unit.is_empty() => {
                        let (a, b) = (parse_unit(unit).ok()?, parse_unit(u).ok()?);
                        (a.dim == b.dim).then(|| x * a.factor / b.factor)
                    }
                    _ if unit.is_empty() => Some(x),
                    _ => None,
                }
            }
            _ => None,
        }
    }
}

/// One point of a sweep.
#[derive(Clone, Debug, Serialize)]
pub struct Point {
    /// Its number, from 0.
    pub index: usize,
    /// The value of each axis, as written into the base.
    pub values: Vec<Value>,
    /// The seed written into the base's seed key (None where the kind has no seed or an axis
    /// sets it).
    pub seed: Option<u64>,
}

/// A validated sweep: the base, the axes and every point.
#[derive(Clone, Debug, Serialize)]
pub struct Sweep {
    /// Name of the study.
    pub name: String,
    /// The base's kind.
    pub kind: Kind,
    /// The base file (absolute).
    pub base_path: PathBuf,
    /// The base file's text.
    #[serde(skip)]
    pub base_text: String,
    /// How the axes combine.
    pub mode: Mode,
    /// Seed of the study.
    pub seed: u64,
    /// How points are seeded.
    pub seeds: Seeds,
    /// The axes.
    pub axes: Vec<Axis>,
    /// Every point.
    #[serde(skip)]
    pub points: Vec<Point>,
    #[serde(skip)]
    base_doc: toml::Table,
}

fn cfg(field: impl Into<String>, value: impl std::fmt::Display, problem: impl Into<String>) -> ConfigError {
    ConfigError::field(field, value.to_string(), problem)
}

/// `(number, unit text)` of a range end; `field` names it.
fn range_end(v: &Value, field: &str) -> Result<(f64, String, bool), ConfigError> {
    match v {
        Value::Integer(i) => Ok((*i as f64, String::new(), true)),
        Value::Float(f) if f.is_finite() => Ok((*f, String::new(), false)),
        Value::String(s) => {
            let (x, unit) = split_number(s).map_err(|e| cfg(field, format!("{s:?}"), e.to_string()))?;
            if !x.is_finite() {
                return Err(cfg(field, format!("{s:?}"), "must be finite"));
            }
            if !unit.is_empty() {
                parse_unit(unit).map_err(|e| cfg(field, format!("{s:?}"), e.to_string()))?;
            }
            Ok((x, unit.to_string(), false))
        }
        other => Err(cfg(field, other, "expected a quantity such as \"-600 Oe\" or a number")),
    }
}

fn format_number(x: f64, unit: &str, integer: bool) -> Value {
    if integer && x.fract() == 0.0 && x.abs() < 9.0e15 {
        return Value::Integer(x as i64);
    }
    if unit.is_empty() {
        Value::Float(x)
    } else {
        Value::String(format!("{} {unit}", ryu::Buffer::new().format(x)))
    }
}

impl RawSweep {
    /// Parse a sweep file's text.
    pub fn from_toml(text: &str, origin: &str) -> Result<Self, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::Toml {
            origin: origin.into(),
            message: e.to_string(),
        })
    }
}

impl Sweep {
    /// Read the sweep file at `path` and its base, and validate them (every point's base
    /// text is built; whether each point validates as a run is [`crate::check`]'s job).
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        Self::load_with_text(path).map(|(s, _)| s)
    }

    /// [`Sweep::load`], and the sweep file's text as read.
    pub fn load_with_text(path: &Path) -> Result<(Self, String), ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        let raw = RawSweep::from_toml(&text, &path.display().to_string())?;
        let dir = path.parent().unwrap_or(Path::new("."));
        let base_path = std::path::absolute(dir.join(&raw.base)).unwrap_or_else(|_| dir.join(&raw.base));
        let base_text = std::fs::read_to_string(&base_path).map_err(|_| {
            cfg(
                "base",
                format!("{:?}", raw.base),
                format!("cannot read {} (the base is relative to the sweep file)", base_path.display()),
            )
        })?;
        let stem = path
            .file_stem()
            .map_or_else(|| "sweep".to_string(), |s| s.to_string_lossy().into_owned());
        Ok((Self::new(&raw, &stem, base_path, base_text)?, text))
    }

    /// Validate a parsed sweep against its base (`base_text`, read from `base_path`).
    pub fn new(raw: &RawSweep, default_name: &str, base_path: PathBuf, base_text: String) -> Result<Self, ConfigError> {
        if raw.version != 1 {
            return Err(cfg("version", raw.version, "must be 1"));
        }
        let base_doc: toml::Table = toml::from_str(&base_text).map_err(|e| ConfigError::Toml {
            origin: base_path.display().to_string(),
            message: e.to_string(),
        })?;
        let kind = match &raw.kind {
            Some(k) => Kind::from_name(k).ok_or_else(|| cfg("kind", format!("{k:?}"), format!("expected one of {}", Kind::NAMES)))?,
            None => Kind::detect(&base_doc).ok_or_else(|| {
                cfg(
                    "base",
                    format!("{:?}", base_path.display().to_string()),
                    format!(
                        "cannot tell its kind from its content (a device has [wire], a micromagnetic run [mesh], a design [target], a training file [network], a wall run current_density); give kind = one of {}",
                        Kind::NAMES
                    ),
                )
            })?,
        };
        let mode = match raw.mode.as_deref().unwrap_or("grid") {
            "grid" => Mode::Grid,
            "zip" => Mode::Zip,
            "random" => Mode::Random,
            other => return Err(cfg("mode", format!("{other:?}"), "expected grid, zip or random")),
        };
        let seeds = match raw.seeds.as_deref().unwrap_or("per-point") {
            "per-point" => Seeds::PerPoint,
            "shared" => Seeds::Shared,
            other => return Err(cfg("seeds", format!("{other:?}"), "expected per-point or shared")),
        };
        if raw.axes.is_empty() {
            return Err(cfg(
                "axis",
                "[]",
                "a sweep needs at least one [[axis]] with key and values or range",
            ));
        }
        if raw.axes.len() > 16 {
            return Err(cfg("axis", raw.axes.len(), "at most 16 axes"));
        }
        if mode != Mode::Random && raw.points.is_some() {
            return Err(cfg(
                "points",
                raw.points.unwrap_or(0),
                "only for mode = \"random\" (a grid or zip has the points of its axes)",
            ));
        }
        let mut axes = Vec::new();
        for (i, a) in raw.axes.iter().enumerate() {
            axes.push(axis(a, i, mode)?);
        }
        for (i, a) in axes.iter().enumerate() {
            if axes[..i].iter().any(|b| b.path == a.path) {
                return Err(cfg(
                    format!("axis[{}].key", i + 1),
                    format!("{:?}", a.path.text),
                    "is already an axis",
                ));
            }
        }
        let n = match mode {
            Mode::Grid => axes
                .iter()
                .try_fold(1usize, |n, a| n.checked_mul(a.values.len()))
                .unwrap_or(usize::MAX),
            Mode::Zip => {
                let n = axes[0].values.len();
                if let Some((i, a)) = axes.iter().enumerate().find(|(_, a)| a.values.len() != n) {
                    return Err(cfg(
                        format!("axis[{}]", i + 1),
                        format!("{} values", a.values.len()),
                        format!("mode = \"zip\" needs every axis to have the same number of values as axis[1] ({n})"),
                    ));
                }
                n
            }
            Mode::Random => match raw.points {
                Some(n) if n >= 1 => n,
                other => {
                    return Err(cfg(
                        "points",
                        other.map_or("missing".to_string(), |n| n.to_string()),
                        "mode = \"random\" needs points = N (at least 1)",
                    ))
                }
            },
        };
        if n > MAX_POINTS {
            return Err(cfg(
                "axis",
                format!("{n} points"),
                format!("at most {MAX_POINTS} points in one sweep (split the study into several sweeps)"),
            ));
        }
        let seed = raw.seed.unwrap_or(0);
        if seed > i64::MAX as u64 {
            return Err(cfg(
                "seed",
                seed,
                format!("expected 0 to {} (TOML integers have 63 bits)", i64::MAX),
            ));
        }
        let values = match mode {
            Mode::Grid => grid(&axes, n),
            Mode::Zip => (0..n).map(|i| axes.iter().map(|a| a.values[i].clone()).collect()).collect(),
            Mode::Random => latin_hypercube(&axes, n, seed),
        };
        let seed_key = kind.seed_key().map(|k| KeyPath::parse(k, "seed").expect("valid built-in key"));
        let seeded = seed_key.as_ref().is_some_and(|k| !axes.iter().any(|a| &a.path == k));
        let points = values
            .into_iter()
            .enumerate()
            .map(|(index, values)| Point {
                index,
                values,
                seed: seeded.then(|| match seeds {
                    Seeds::PerPoint => stream(seed, index as u64, SEED_STREAM).gen::<u64>() >> 1,
                    Seeds::Shared => seed,
                }),
            })
            .collect();
        let sweep = Self {
            name: raw.name.clone().unwrap_or_else(|| default_name.to_string()),
            kind,
            base_path,
            base_text,
            mode,
            seed,
            seeds,
            axes,
            points,
            base_doc,
        };
        // Every key must be settable in the base (the first point shows it).
        if let Some(p) = sweep.points.first() {
            sweep.point_text(p)?;
        }
        Ok(sweep)
    }

    /// The folder of the base file (relative paths inside it are resolved from there).
    pub fn base_dir(&self) -> &Path {
        self.base_path.parent().unwrap_or(Path::new("."))
    }

    /// The base file's text with point `p`'s values and seed set.
    pub fn point_text(&self, p: &Point) -> Result<String, ConfigError> {
        let mut doc = self.base_doc.clone();
        for (i, (a, v)) in self.axes.iter().zip(&p.values).enumerate() {
            a.path.set(&mut doc, v.clone(), &format!("axis[{}].key", i + 1))?;
        }
        if let (Some(seed), Some(key)) = (p.seed, self.kind.seed_key()) {
            let path = KeyPath::parse(key, "seed").expect("valid built-in key");
            path.set(&mut doc, Value::Integer(seed as i64), "seed")?;
        }
        toml::to_string(&doc).map_err(|e| cfg("base", self.base_path.display(), e.to_string()))
    }
}

fn axis(a: &RawAxis, i: usize, mode: Mode) -> Result<Axis, ConfigError> {
    let f = |k: &str| format!("axis[{}].{k}", i + 1);
    let path = KeyPath::parse(&a.key, &f("key"))?;
    match (&a.values, &a.range) {
        (Some(values), None) => {
            if values.is_empty() {
                return Err(cfg(f("values"), "[]", "needs at least one value"));
            }
            if values.len() > MAX_POINTS {
                return Err(cfg(f("values"), values.len(), format!("at most {MAX_POINTS} values")));
            }
            // The unit of the numbers: the first value's, if every value converts to it.
            let unit = match &values[0] {
                Value::String(s) => split_number(s).ok().map(|(_, u)| u.to_string()),
                Value::Integer(_) | Value::Float(_) => Some(String::new()),
                _ => None,
            };
            let mut axis = Axis {
                path,
                unit,
                values: values.clone(),
                range: None,
            };
            if values.iter().any(|v| axis.number(v).is_none()) {
                axis.unit = None;
            }
            Ok(axis)
        }
        (None, Some(r)) => {
            let (from, unit, int_from) = range_end(&r.from, &f("range.from"))?;
            let (to_raw, to_unit, int_to) = range_end(&r.to, &f("range.to"))?;
            let to = if to_unit == unit {
                to_raw
            } else {
                let (a, b) = match (parse_unit(&to_unit), parse_unit(&unit)) {
                    (Ok(a), Ok(b)) if a.dim == b.dim && !unit.is_empty() && !to_unit.is_empty() => (a, b),
                    _ => {
                        return Err(cfg(
                            f("range.to"),
                            &r.to,
                            format!(
                                "must have the dimension of range.from ({})",
                                if unit.is_empty() { "a bare number" } else { &unit }
                            ),
                        ))
                    }
                };
                to_raw * a.factor / b.factor
            };
            let scale = match r.scale.as_deref().unwrap_or("linear") {
                "linear" => Scale::Linear,
                "log" => Scale::Log,
                other => return Err(cfg(f("range.scale"), format!("{other:?}"), "expected linear or log")),
            };
            if scale == Scale::Log && !(from != 0.0 && to != 0.0 && (from > 0.0) == (to > 0.0)) {
                return Err(cfg(
                    f("range"),
                    format!("{from} .. {to}"),
                    "a log range needs two non-zero ends of one sign",
                ));
            }
            let range = Range {
                from,
                to,
                scale,
                integer: int_from && int_to,
            };
            let values = match (mode, r.points) {
                (Mode::Random, Some(p)) => {
                    return Err(cfg(
                        f("range.points"),
                        p,
                        "not used in mode = \"random\" (the sweep's points = N sets the count)",
                    ))
                }
                (Mode::Random, None) => Vec::new(),
                (_, Some(p)) if (2..=MAX_POINTS).contains(&p) => {
                    let values: Vec<Value> = (0..p)
                        .map(|k| {
                            let x = match k {
                                0 => from,
                                _ if k + 1 == p => to,
                                _ => range.at(k as f64 / (p - 1) as f64),
                            };
                            format_number(if range.integer { x.round() } else { x }, &unit, range.integer)
                        })
                        .collect();
                    if range.integer && values.windows(2).any(|w| w[0] == w[1]) {
                        return Err(cfg(
                            f("range.points"),
                            p,
                            format!("an integer range from {from} to {to} has fewer than {p} distinct integers"),
                        ));
                    }
                    values
                }
                (_, p) => {
                    return Err(cfg(
                        f("range.points"),
                        p.map_or("missing".to_string(), |p| p.to_string()),
                        format!("expected 2 to {MAX_POINTS} values"),
                    ))
                }
            };
            Ok(Axis {
                path,
                unit: Some(unit),
                values,
                range: Some(range),
            })
        }
        (Some(_), Some(_)) => Err(cfg(f("values"), "values and range", "give values or range, not both")),
        (None, None) => Err(cfg(f("values"), "missing", "give values = [...] or range = { from, to, points }")),
    }
}

/// Row-major combinations (the last axis fastest).
fn grid(axes: &[Axis], n: usize) -> Vec<Vec<Value>> {
    (0..n)
        .map(|mut k| {
            let mut row = vec![Value::Boolean(false); axes.len()];
            for (j, a) in axes.iter().enumerate().rev() {
                row[j] = a.values[k % a.values.len()].clone();
                k /= a.values.len();
            }
            row
        })
        .collect()
}

/// A seeded Latin hypercube of `n` points (see the module docs).
fn latin_hypercube(axes: &[Axis], n: usize, seed: u64) -> Vec<Vec<Value>> {
    let columns: Vec<Vec<Value>> = axes
        .iter()
        .enumerate()
        .map(|(j, a)| {
            let mut rng = stream(seed, j as u64, LHS_STREAM);
            let mut strata: Vec<usize> = (0..n).collect();
            // Fisher-Yates.
            for i in (1..n).rev() {
                strata.swap(i, rng.gen_range(0..=i));
            }
            strata
                .into_iter()
                .map(|s| {
                    let u = (s as f64 + rng.gen::<f64>()) / n as f64;
                    match &a.range {
                        Some(r) => {
                            let x = r.at(u);
                            let x = if r.integer { x.round() } else { x };
                            format_number(x, a.unit.as_deref().unwrap_or(""), r.integer)
                        }
                        None => a.values[(s * a.values.len() / n).min(a.values.len() - 1)].clone(),
                    }
                })
                .collect()
        })
        .collect();
    (0..n).map(|i| columns.iter().map(|c| c[i].clone()).collect()).collect()
}
