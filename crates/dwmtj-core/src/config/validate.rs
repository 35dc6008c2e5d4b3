//! Validation of the raw structures into the SI model: [`RawDevice::validate`].

use super::raw::{RawDevice, RawProgram, RawWidth};
use crate::device::{
    Device, Polarity, Program, PulseShape, Readout, ResetMethod, ResetPolicy, SttWrite, Sweep, Switching, ThresholdSource, Variation, Wire,
};
use crate::error::ConfigError;
use crate::geometry::WidthProfile;
use crate::material::{find_builtin, parse_material_file, Material};
use crate::mtj::Mtj;
use crate::quantity::{opt_si, RawQuantity};
use crate::units::Dim;
use std::path::Path;

type Q = RawQuantity;

fn positive(v: f64, field: &str, raw: &Q) -> Result<f64, ConfigError> {
    if v > 0.0 {
        Ok(v)
    } else {
        Err(ConfigError::field(field, raw.to_string(), "must be > 0"))
    }
}

fn req_positive(q: &Q, dim: Dim, field: &str) -> Result<f64, ConfigError> {
    positive(q.to_si(dim, field)?, field, q)
}

fn opt_positive(q: &Option<Q>, dim: Dim, field: &str, default: f64) -> Result<f64, ConfigError> {
    match q {
        Some(q) => req_positive(q, dim, field),
        None => Ok(default),
    }
}

/// A TMR ratio: positive, and at most 10 (1000 %) unless the plausibility check is off.
fn opt_tmr(q: &Option<Q>, field: &str, default: f64) -> Result<f64, ConfigError> {
    let v = opt_positive(q, Dim::NONE, field, default)?;
    if let Some(q) = q {
        crate::plausible::check_ratio(field, &q.to_string(), v, 10.0)?;
    }
    Ok(v)
}

fn fraction(q: &Option<Q>, field: &str, default: f64, lo: f64, hi: f64) -> Result<f64, ConfigError> {
    let v = opt_si(q, Dim::NONE, field, default)?;
    if (lo..=hi).contains(&v) {
        Ok(v)
    } else {
        Err(ConfigError::field(
            field,
            q.as_ref().map_or(v.to_string(), ToString::to_string),
            format!("must be between {lo} and {hi}"),
        ))
    }
}

fn choice<'a>(value: &Option<String>, field: &str, options: &[&'a str], default: &'a str) -> Result<&'a str, ConfigError> {
    match value {
        None => Ok(default),
        Some(v) => options
            .iter()
            .copied()
            .find(|o| o == v)
            .ok_or_else(|| ConfigError::field(field, format!("'{v}'"), format!("expected one of {}", options.join(", ")))),
    }
}

fn load_material(name: &str, base_dir: Option<&Path>) -> Result<Material, ConfigError> {
    if let Some(m) = find_builtin(name) {
        return Ok(m);
    }
    let path = base_dir.map_or_else(|| Path::new(name).to_path_buf(), |d| d.join(name));
    if !path.exists() {
        return Err(ConfigError::field(
            "material",
            format!("'{name}'"),
            format!(
                "neither a built-in material ({}) nor a readable file",
                crate::material::builtin_names()
            ),
        ));
    }
    let text = std::fs::read_to_string(&path).map_err(|e| ConfigError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    let mats = parse_material_file(&text, &path.display().to_string())?;
    mats.into_iter()
        .next()
        .ok_or_else(|| ConfigError::field("material", format!("'{name}'"), "the material file defines no [[material]]"))
}

impl RawDevice {
    /// Convert to the validated SI model.
    pub fn validate(&self, base_dir: Option<&Path>) -> Result<(Device, Option<Program>), ConfigError> {
        if self.version != 1 {
            return Err(ConfigError::field("version", self.version.to_string(), "must be 1"));
        }
        let mut material = load_material(self.material.as_deref().unwrap_or("ta-cofeb-mgo"), base_dir)?;
        for (k, v) in &self.material_overrides {
            material.set_raw(k, v, "material_overrides")?;
        }
        material.validate()?;
        for (key, v) in [("rho_hm", material.rho_hm), ("rho_fm", material.rho_fm)] {
            if !v.is_finite() {
                return Err(ConfigError::field(
                    format!("material '{}'.{key}", material.name),
                    "not set",
                    "a device needs both resistivities for the current split; set it in the material or [material_overrides]",
                ));
            }
        }

        // Wire.
        let length = req_positive(&self.wire.length, Dim::LENGTH, "wire.length")?;
        let profile = match &self.wire.width {
            RawWidth::Constant { value } => WidthProfile::constant(length, req_positive(value, Dim::LENGTH, "wire.width.value")?),
            RawWidth::Linear { start, end } => WidthProfile::linear(
                length,
                req_positive(start, Dim::LENGTH, "wire.width.start")?,
                req_positive(end, Dim::LENGTH, "wire.width.end")?,
            ),
            RawWidth::Table { x, w } => {
                if x.len() != w.len() || x.len() < 2 {
                    return Err(ConfigError::field(
                        "wire.width",
                        format!("{} x and {} w values", x.len(), w.len()),
                        "need equal counts, at least 2",
                    ));
                }
                let xs = x
                    .iter()
                    .enumerate()
                    .map(|(i, q)| q.to_si(Dim::LENGTH, &format!("wire.width.x[{i}]")))
                    .collect::<Result<Vec<_>, _>>()?;
                let ws = w
                    .iter()
                    .enumerate()
                    .map(|(i, q)| req_positive(q, Dim::LENGTH, &format!("wire.width.w[{i}]")))
                    .collect::<Result<Vec<_>, _>>()?;
                if xs[0].abs() > 1e-15 {
                    return Err(ConfigError::field(
                        "wire.width.x[0]",
                        x[0].to_string(),
                        "the table must start at x = 0",
                    ));
                }
                for i in 1..xs.len() {
                    if xs[i] <= xs[i - 1] {
                        return Err(ConfigError::field(
                            format!("wire.width.x[{i}]"),
                            x[i].to_string(),
                            "x must increase strictly",
                        ));
                    }
                }
                let last = xs[xs.len() - 1];
                if ((last - length) / length).abs() > 1e-9 {
                    return Err(ConfigError::field(
                        format!("wire.width.x[{}]", xs.len() - 1),
                        x[xs.len() - 1].to_string(),
                        "the table must end at wire.length",
                    ));
                }
                WidthProfile::table(xs, ws)
            }
        };
        let breakdown = opt_positive(
            &self.wire.breakdown_current_density,
            Dim::CURRENT_DENSITY,
            "wire.breakdown_current_density",
            f64::INFINITY,
        )?;
        let wire = Wire {
            profile,
            breakdown_current_density: breakdown,
        };

        // MTJs.
        let d = &self.mtj_defaults;
        let def_len = opt_positive(&d.length, Dim::LENGTH, "mtj_defaults.length", 200e-9)?;
        let def_wid = opt_positive(&d.width, Dim::LENGTH, "mtj_defaults.width", 400e-9)?;
        let def_ra = opt_positive(&d.ra, Dim::RESISTANCE_AREA, "mtj_defaults.ra", 20e-12)?;
        let def_tmr = opt_tmr(&d.tmr, "mtj_defaults.tmr", 0.44)?;
        let vh = opt_positive(&d.tmr_half_voltage, Dim::VOLTAGE, "mtj_defaults.tmr_half_voltage", 0.5)?;
        let def_stray = opt_si(&d.stray_field, Dim::FIELD, "mtj_defaults.stray_field", 0.0)?;
        let reference_up = choice(&d.reference, "mtj_defaults.reference", &["up", "down"], "up")? == "up";
        let base = Mtj {
            position: 0.0,
            length: def_len,
            width: def_wid,
            ra: def_ra,
            tmr: def_tmr,
            tmr_half_voltage: vh,
            stray_field: def_stray,
        };
        let mut mtjs = Vec::new();
        match (&self.mtj_array, self.mtj.is_empty()) {
            (Some(_), false) => return Err(ConfigError::field("mtj_array", "given together with [[mtj]]", "use one of them")),
            (None, true) => {
                return Err(ConfigError::field(
                    "mtj",
                    "none",
                    "define MTJs with [[mtj]] tables or an [mtj_array]",
                ))
            }
            (Some(a), true) => {
                if a.count == 0 || a.count > 10_000 {
                    return Err(ConfigError::field(
                        "mtj_array.count",
                        a.count.to_string(),
                        "must be between 1 and 10000",
                    ));
                }
                let first = a.first.to_si(Dim::LENGTH, "mtj_array.first")?;
                let last = a.last.to_si(Dim::LENGTH, "mtj_array.last")?;
                let n = a.count;
                for k in 0..n {
                    let t = if n == 1 { 0.0 } else { f64::from(k) / f64::from(n - 1) };
                    mtjs.push(Mtj {
                        position: first + t * (last - first),
                        ..base.clone()
                    });
                }
            }
            (None, false) => {
                for (i, m) in self.mtj.iter().enumerate() {
                    let f = |k: &str| format!("mtj[{i}].{k}");
                    mtjs.push(Mtj {
                        position: m.position.to_si(Dim::LENGTH, &f("position"))?,
                        length: opt_positive(&m.length, Dim::LENGTH, &f("length"), def_len)?,
                        width: opt_positive(&m.width, Dim::LENGTH, &f("width"), def_wid)?,
                        ra: opt_positive(&m.ra, Dim::RESISTANCE_AREA, &f("ra"), def_ra)?,
                        tmr: opt_tmr(&m.tmr, &f("tmr"), def_tmr)?,
                        tmr_half_voltage: vh,
                        stray_field: opt_si(&m.stray_field, Dim::FIELD, &f("stray_field"), def_stray)?,
                    });
                }
            }
        }
        let wire_len = wire.profile.length();
        for (i, m) in mtjs.iter().enumerate() {
            let (a, b) = (m.position - m.length / 2.0, m.position + m.length / 2.0);
            if a < -1e-15 || b > wire_len * (1.0 + 1e-12) {
                return Err(ConfigError::field(
                    format!("mtj[{i}].position"),
                    format!("{:.4} um", m.position * 1e6),
                    format!(
                        "the footprint [{:.4}, {:.4}] um leaves the wire [0, {:.4}] um",
                        a * 1e6,
                        b * 1e6,
                        wire_len * 1e6
                    ),
                ));
            }
            let w_min = wire.profile.min_width_on(a, b);
            if m.width > w_min * (1.0 + 1e-9) {
                return Err(ConfigError::field(
                    format!("mtj[{i}].width"),
                    format!("{:.1} nm", m.width * 1e9),
                    format!("wider than the wire under it ({:.1} nm)", w_min * 1e9),
                ));
            }
            if i > 0 {
                let prev = &mtjs[i - 1];
                if prev.position + prev.length / 2.0 > a {
                    return Err(ConfigError::field(
                        format!("mtj[{i}].position"),
                        format!("{:.4} um", m.position * 1e6),
                        "overlaps the previous MTJ; positions must increase",
                    ));
                }
            }
        }

        let bias_field = opt_si(&self.bias.hz, Dim::FIELD, "bias.hz", 0.0)?;

        // Switching.
        let s = &self.switching;
        let model = choice(
            &Some(s.model.clone()),
            "switching.model",
            &["calibrated", "material", "dynamic"],
            "calibrated",
        )?;
        if model != "dynamic" {
            if let Some(p) = &s.pin_period {
                return Err(ConfigError::field(
                    "switching.pin_period",
                    p.to_string(),
                    "only used with model = \"dynamic\"",
                ));
            }
        }
        let source = if model == "calibrated" {
            let j_th = s
                .j_th
                .as_ref()
                .ok_or_else(|| ConfigError::field("switching.j_th", "missing", "required with model = \"calibrated\" (A/m^2)"))?;
            ThresholdSource::Calibrated {
                j_th: req_positive(j_th, Dim::CURRENT_DENSITY, "switching.j_th")?,
                at_bias: opt_si(&s.at_bias, Dim::FIELD, "switching.at_bias", bias_field)?,
                at_pulse_width: match &s.at_pulse_width {
                    Some(q) => Some(req_positive(q, Dim::TIME, "switching.at_pulse_width")?),
                    None => None,
                },
            }
        } else {
            for (k, v) in [("j_th", &s.j_th), ("at_bias", &s.at_bias), ("at_pulse_width", &s.at_pulse_width)] {
                if let Some(v) = v {
                    return Err(ConfigError::field(
                        format!("switching.{k}"),
                        v.to_string(),
                        "only used with model = \"calibrated\"",
                    ));
                }
            }
            if model == "dynamic" {
                ThresholdSource::Dynamic {
                    pin_period: opt_positive(&s.pin_period, Dim::LENGTH, "switching.pin_period", 20e-9)?,
                }
            } else {
                ThresholdSource::Material
            }
        };
        let efficiency = match &s.sot_field_per_1e11 {
            Some(q) => req_positive(q, Dim::FIELD, "switching.sot_field_per_1e11")? / 1e11,
            None => {
                let e = material.sot_depinning_efficiency();
                if e <= 0.0 {
                    return Err(ConfigError::field(
                        "switching.sot_field_per_1e11",
                        "missing",
                        "the material gives no SOT efficiency (theta_sh or cos phi_eq is 0); set it",
                    ));
                }
                e
            }
        };
        let polarity = match choice(&s.polarity, "switching.polarity", &["symmetric", "bipolar"], "symmetric")? {
            "symmetric" => Polarity::Symmetric,
            _ => Polarity::Bipolar,
        };
        let mobility = match (&s.flow_velocity, &s.flow_overdrive) {
            (None, None) => None,
            (Some(v), Some(j)) => Some(
                req_positive(v, Dim::VELOCITY, "switching.flow_velocity")?
                    / req_positive(j, Dim::CURRENT_DENSITY, "switching.flow_overdrive")?,
            ),
            (Some(v), None) => {
                return Err(ConfigError::field(
                    "switching.flow_velocity",
                    v.to_string(),
                    "needs switching.flow_overdrive (the J above threshold at which it holds)",
                ))
            }
            (None, Some(j)) => {
                return Err(ConfigError::field(
                    "switching.flow_overdrive",
                    j.to_string(),
                    "needs switching.flow_velocity",
                ))
            }
        };
        let switching = Switching {
            source,
            efficiency,
            polarity,
            propagation_fraction: fraction(&s.propagation_fraction, "switching.propagation_fraction", 0.5, 0.0, 1.0)?,
            mobility,
            barrier_energy: opt_positive(
                &s.barrier_energy,
                Dim::ENERGY,
                "switching.barrier_energy",
                60.0 * crate::material::KB * 300.0,
            )?,
            barrier_exponent: fraction(&s.barrier_exponent, "switching.barrier_exponent", 1.5, 1.0, 2.0)?,
            attempt_time: opt_positive(&s.attempt_time, Dim::TIME, "switching.attempt_time", 1e-9)?,
            temperature: {
                let t = opt_si(&s.temperature, Dim::TEMPERATURE, "switching.temperature", 300.0)?;
                if !(0.0..=1500.0).contains(&t) {
                    return Err(ConfigError::field(
                        "switching.temperature",
                        s.temperature.as_ref().map_or(String::new(), ToString::to_string),
                        "must be between 0 and 1500 K",
                    ));
                }
                t
            },
        };
        let variation = Variation {
            d2d: fraction(&self.variation.d2d, "variation.d2d", 0.0, 0.0, 0.5)?,
            c2c: fraction(&self.variation.c2c, "variation.c2c", 0.0, 0.0, 0.5)?,
        };
        let readout = Readout {
            current: opt_positive(&self.readout.current, Dim::CURRENT, "readout.current", 100e-9)?,
            duration: opt_positive(&self.readout.duration, Dim::TIME, "readout.duration", 10e-9)?,
            network: self.readout.network.unwrap_or(false),
        };
        let device = Device {
            name: self.name.clone().unwrap_or_else(|| "device".into()),
            description: self.description.clone().unwrap_or_default(),
            material,
            wire,
            mtjs,
            reference_up,
            bias_field,
            switching,
            variation,
            readout,
        };
        let breakdown_current = device.breakdown_current();
        if device.readout.current >= breakdown_current {
            return Err(ConfigError::field(
                "readout.current",
                self.readout
                    .current
                    .as_ref()
                    .map_or_else(|| format!("{:e} A", device.readout.current), ToString::to_string),
                format!(
                    "must be below the breakdown current {:.1} uA (a read current must not write or destroy the device)",
                    breakdown_current * 1e6
                ),
            ));
        }
        if self.program.as_ref().is_some_and(|p| p.kind == "field-sweep") {
            // A field sweep has no pulse program; its own validation covers the calibration.
            self.field_sweep(&device)?;
            return Ok((device, None));
        }
        if self.field.is_some() {
            return Err(ConfigError::field(
                "field",
                "set",
                "the [field] table is read by [program] kind = \"field-sweep\" only",
            ));
        }
        let program = match &self.program {
            Some(p) => Some(p.validate(&device)?),
            None => None,
        };
        device.check_calibration(program.as_ref())?;
        Ok((device, program))
    }
}

impl RawProgram {
    fn validate(&self, device: &Device) -> Result<Program, ConfigError> {
        let kind = choice(&Some(self.kind.clone()), "program.kind", &["ramp", "list", "field-sweep"], "ramp")?;
        for (key, set) in [
            ("from", self.from.is_some()),
            ("to", self.to.is_some()),
            ("rate", self.rate.is_some()),
            ("loops", self.loops.is_some()),
        ] {
            if set {
                return Err(ConfigError::field(
                    format!("program.{key}"),
                    "set",
                    format!("belongs to kind = \"field-sweep\", not kind = \"{kind}\""),
                ));
            }
        }
        let magnitudes: Vec<f64> = if kind == "ramp" {
            let get = |q: &Option<Q>, k: &str| -> Result<f64, ConfigError> {
                let q = q
                    .as_ref()
                    .ok_or_else(|| ConfigError::field(format!("program.{k}"), "missing", "required for kind = \"ramp\" (a current)"))?;
                q.to_si(Dim::CURRENT, &format!("program.{k}"))
            };
            let (start, stop) = (get(&self.start, "start")?, get(&self.stop, "stop")?);
            let step = req_positive(
                self.step
                    .as_ref()
                    .ok_or_else(|| ConfigError::field("program.step", "missing", "required for kind = \"ramp\" (a current)"))?,
                Dim::CURRENT,
                "program.step",
            )?;
            if start < 0.0 || stop < start {
                return Err(ConfigError::field(
                    "program.stop",
                    format!("{stop:e} A"),
                    format!("need 0 <= start <= stop (start = {start:e} A); the sign comes from `polarities`"),
                ));
            }
            let n = ((stop - start) / step + 1e-9).floor() as usize + 1;
            if n > 1_000_000 {
                return Err(ConfigError::field(
                    "program.step",
                    format!("{step:e} A"),
                    format!("gives {n} pulses; at most 1000000"),
                ));
            }
            (0..n).map(|k| start + step * k as f64).collect()
        } else {
            let list = self
                .currents
                .as_ref()
                .ok_or_else(|| ConfigError::field("program.currents", "missing", "required for kind = \"list\""))?;
            if list.is_empty() {
                return Err(ConfigError::field("program.currents", "[]", "needs at least one current"));
            }
            list.iter()
                .enumerate()
                .map(|(i, q)| q.to_si(Dim::CURRENT, &format!("program.currents[{i}]")))
                .collect::<Result<_, _>>()?
        };
        let sweep_mode = choice(&self.sweep, "program.sweep", &["up", "up-down"], "up")?;
        let mut ordered = magnitudes.clone();
        if sweep_mode == "up-down" {
            ordered.extend(magnitudes.iter().rev().skip(1));
        }
        let pols: Vec<String> = self.polarities.clone().unwrap_or_else(|| vec!["positive".into()]);
        if pols.is_empty() {
            return Err(ConfigError::field(
                "program.polarities",
                "[]",
                "needs \"positive\" and/or \"negative\"",
            ));
        }
        let mut sweeps = Vec::new();
        for (i, p) in pols.iter().enumerate() {
            let sign = match choice(
                &Some(p.clone()),
                &format!("program.polarities[{i}]"),
                &["positive", "negative"],
                "positive",
            )? {
                "positive" => 1.0,
                _ => -1.0,
            };
            // A list keeps its own signs for "positive" and flips them for "negative".
            sweeps.push(Sweep {
                label: p.clone(),
                currents: ordered.iter().map(|c| sign * c).collect(),
            });
        }
        let pulse_width = req_positive(
            self.pulse_width
                .as_ref()
                .ok_or_else(|| ConfigError::field("program.pulse_width", "missing", format!("required for kind = \"{kind}\" (a time)")))?,
            Dim::TIME,
            "program.pulse_width",
        )?;
        let rise = opt_si(&self.rise, Dim::TIME, "program.rise", 0.0)?;
        let fall = opt_si(&self.fall, Dim::TIME, "program.fall", rise)?;
        let pulse = PulseShape::new(pulse_width, rise, fall).map_err(|e| {
            let key = if e.key() == "width" { "pulse_width" } else { e.key() };
            let value = match key {
                "fall" => fall,
                "rise" => rise,
                _ => pulse_width,
            };
            ConfigError::field(format!("program.{key}"), format!("{value:e} s"), e.to_string())
        })?;
        let cycles = self.cycles.unwrap_or(1);
        let devices = self.devices.unwrap_or(1);
        if cycles == 0 || cycles > 100_000 {
            return Err(ConfigError::field(
                "program.cycles (or --cycles)",
                cycles.to_string(),
                "must be between 1 and 100000",
            ));
        }
        if devices == 0 || devices > 100_000 {
            return Err(ConfigError::field(
                "program.devices (or --devices)",
                devices.to_string(),
                "must be between 1 and 100000",
            ));
        }
        let reset = match choice(&self.reset, "program.reset", &["each-sweep", "each-cycle"], "each-sweep")? {
            "each-sweep" => ResetPolicy::EachSweep,
            _ => ResetPolicy::EachCycle,
        };
        let reset_by = match choice(&self.reset_by, "program.reset_by", &["field", "stt"], "field")? {
            "stt" => ResetMethod::Stt,
            _ => ResetMethod::Field,
        };
        let stt = SttWrite {
            current_density: opt_positive(&self.stt_current_density, Dim::CURRENT_DENSITY, "program.stt_current_density", 3e10)?,
            pulse: opt_positive(&self.stt_pulse, Dim::TIME, "program.stt_pulse", 10e-9)?,
        };
        let n = device.mtjs.len();
        let mut preset_ap = Vec::new();
        for (k, &m) in self.preset_ap.iter().flatten().enumerate() {
            if m == 0 || m as usize > n {
                return Err(ConfigError::field(
                    format!("program.preset_ap[{k}]"),
                    m.to_string(),
                    format!("must be an MTJ number from 1 to {n}"),
                ));
            }
            if preset_ap.contains(&(m as usize - 1)) {
                return Err(ConfigError::field(
                    format!("program.preset_ap[{k}]"),
                    m.to_string(),
                    "is listed twice",
                ));
            }
            preset_ap.push(m as usize - 1);
        }
        preset_ap.sort_unstable();
        let program = Program {
            sweeps,
            pulse,
            cycles,
            devices,
            seed: self.seed.unwrap_or(0),
            reset,
            reset_by,
            stt,
            preset_ap,
        };
        let i_bd = device.breakdown_current();
        let i_max = program.max_abs_current();
        if i_max > i_bd * (1.0 + 1e-9) {
            return Err(ConfigError::field(
                "program.stop",
                format!("{:.1} uA", i_max * 1e6),
                format!(
                    "exceeds the breakdown current {:.1} uA of the narrowest part (J_HM = {:.3e} A/m^2 limit)",
                    i_bd * 1e6,
                    device.wire.breakdown_current_density
                ),
            ));
        }
        Ok(program)
    }
}
