//! Validation of `[program] kind = "field-sweep"` and the `[field]` table into
//! [`crate::field_sweep`]'s model.

use super::raw::{RawDevice, RawProgram};
use crate::device::Device;
use crate::error::ConfigError;
use crate::field_sweep::{FieldSweep, FieldSwitching};
use crate::material::KB;
use crate::quantity::{opt_si, RawQuantity};
use crate::threshold::ThresholdModel;
use crate::units::Dim;

/// 1 Oe in A/m.
const OE: f64 = 1e3 / (4.0 * std::f64::consts::PI);

fn positive(q: &Option<RawQuantity>, dim: Dim, field: &str, default: f64) -> Result<f64, ConfigError> {
    let v = opt_si(q, dim, field, default)?;
    if v > 0.0 && v.is_finite() {
        Ok(v)
    } else {
        Err(ConfigError::field(
            field,
            q.as_ref().map_or(v.to_string(), ToString::to_string),
            format!("must be > 0 ({})", dim.describe()),
        ))
    }
}

impl RawDevice {
    /// The reversal parameters and the field program of a `kind = "field-sweep"` program, or
    /// None for pulse programs and files without a program.
    pub fn field_sweep(&self, device: &Device) -> Result<Option<(FieldSwitching, FieldSweep)>, ConfigError> {
        let Some(p) = self.program.as_ref().filter(|p| p.kind == "field-sweep") else {
            return Ok(None);
        };
        let sweep = p.validate_field_sweep()?;
        let f = self.field.clone().unwrap_or_default();
        let s = &device.switching;
        let n = device.mtjs.len();
        let (switching_field, barrier) = match (&f.switching_field, &f.barrier_energy) {
            (Some(_), Some(_)) => (
                vec![positive(&f.switching_field, Dim::FIELD, "field.switching_field", 0.0)?; n],
                vec![positive(&f.barrier_energy, Dim::ENERGY, "field.barrier_energy", 0.0)?; n],
            ),
            _ => {
                // From the threshold model: H_k = F_c, U_0 (1 - H_a/F_c)^n = E_0.
                let model = ThresholdModel::new(device, None).map_err(|e| match e {
                    ConfigError::Field { field, value, problem } => ConfigError::Field {
                        field,
                        value,
                        problem: format!("{problem}; or set field.switching_field and field.barrier_energy"),
                    },
                    other => other,
                })?;
                let hk: Vec<f64> = match &f.switching_field {
                    Some(_) => vec![positive(&f.switching_field, Dim::FIELD, "field.switching_field", 0.0)?; n],
                    None => model.critical_field.clone(),
                };
                if let Some(i) = hk.iter().position(|&h| h <= 0.0) {
                    return Err(ConfigError::field(
                        "field.switching_field",
                        "not set",
                        format!(
                            "the threshold model gives MTJ {}'s footprint a critical field of {:.1} Oe (<= 0): set field.switching_field",
                            i + 1,
                            hk[i] / OE
                        ),
                    ));
                }
                let u0: Vec<f64> = match &f.barrier_energy {
                    Some(_) => vec![positive(&f.barrier_energy, Dim::ENERGY, "field.barrier_energy", 0.0)?; n],
                    None => (0..n)
                        .map(|i| {
                            let ratio = device.assist_field(i, true) / hk[i];
                            if ratio < 0.999 {
                                s.barrier_energy / (1.0 - ratio).powf(s.barrier_exponent)
                            } else {
                                s.barrier_energy
                            }
                        })
                        .collect(),
                };
                (hk, u0)
            }
        };
        let fs = FieldSwitching {
            mtj_switching_field: switching_field,
            mtj_barrier: barrier,
            wire_switching_field: positive(&f.wire_switching_field, Dim::FIELD, "field.wire_switching_field", 40.0 * OE)?,
            wire_barrier: positive(&f.wire_barrier_energy, Dim::ENERGY, "field.wire_barrier_energy", 0.23e-18)?,
            spread: {
                let v = opt_si(&f.spread, Dim::NONE, "field.spread", device.variation.d2d)?;
                if !(0.0..=0.5).contains(&v) {
                    return Err(ConfigError::field(
                        "field.spread",
                        f.spread.as_ref().map_or(v.to_string(), ToString::to_string),
                        "must be between 0 and 0.5 (a relative spread; 2 % is 0.02)",
                    ));
                }
                v
            },
            exponent: s.barrier_exponent,
            attempt_time: s.attempt_time,
            temperature: s.temperature,
            reference_switching_field: positive(
                &f.reference_switching_field,
                Dim::FIELD,
                "field.reference_switching_field",
                1500.0 * OE,
            )?,
            hall_resistance: positive(&f.hall_resistance, Dim::RESISTANCE, "field.hall_resistance", 1.0)?,
        };
        let barrier_kt = fs.mtj_barrier.iter().chain([&fs.wire_barrier]).fold(0.0f64, |m, &u| m.max(u)) / (KB * 300.0);
        if barrier_kt > 1e7 {
            return Err(ConfigError::field(
                "field.barrier_energy",
                format!("{barrier_kt:.3e} kB T at 300 K"),
                "is implausibly large (at most 1e7 kB T)",
            ));
        }
        Ok(Some((fs, sweep)))
    }
}

impl RawProgram {
    fn validate_field_sweep(&self) -> Result<FieldSweep, ConfigError> {
        for (key, set) in [
            ("start", self.start.is_some()),
            ("stop", self.stop.is_some()),
            ("currents", self.currents.is_some()),
            ("polarities", self.polarities.is_some()),
            ("sweep", self.sweep.is_some()),
            ("pulse_width", self.pulse_width.is_some()),
            ("rise", self.rise.is_some()),
            ("fall", self.fall.is_some()),
            ("cycles", self.cycles.is_some()),
            ("reset", self.reset.is_some()),
            ("reset_by", self.reset_by.is_some()),
            ("stt_current_density", self.stt_current_density.is_some()),
            ("stt_pulse", self.stt_pulse.is_some()),
            ("preset_ap", self.preset_ap.is_some()),
        ] {
            if set {
                return Err(ConfigError::field(
                    format!("program.{key}"),
                    "set",
                    "is not used by kind = \"field-sweep\" (its keys: from, to, step, rate, loops, devices, seed)",
                ));
            }
        }
        let need = |q: &Option<RawQuantity>, key: &str| -> Result<f64, ConfigError> {
            let q = q
                .as_ref()
                .ok_or_else(|| ConfigError::field(format!("program.{key}"), "missing", "required for kind = \"field-sweep\" (a field)"))?;
            q.to_si(Dim::FIELD, &format!("program.{key}"))
        };
        let (from, to) = (need(&self.from, "from")?, need(&self.to, "to")?);
        if (from - to).abs() < 1e-9 {
            return Err(ConfigError::field(
                "program.to",
                self.to.as_ref().map_or(String::new(), ToString::to_string),
                "must differ from program.from (a loop goes from -> to -> from)",
            ));
        }
        let step = positive(&self.step, Dim::FIELD, "program.step", f64::NAN).map_err(|e| match &self.step {
            None => ConfigError::field(
                "program.step",
                "missing",
                "required for kind = \"field-sweep\" (a field, e.g. \"2 Oe\")",
            ),
            Some(_) => e,
        })?;
        let readings = 2.0 * ((to - from).abs() / step).ceil() + 1.0;
        if readings > 1e6 {
            return Err(ConfigError::field(
                "program.step",
                self.step.as_ref().map_or(String::new(), ToString::to_string),
                format!("gives {readings:.0} readings per loop; at most 1000000"),
            ));
        }
        let rate = positive(&self.rate, Dim::FIELD_RATE, "program.rate", 10.0 * OE)?;
        if rate > 1e15 {
            return Err(ConfigError::field(
                "program.rate",
                self.rate.as_ref().map_or(String::new(), ToString::to_string),
                "is outside the plausible range of a field sweep rate (up to about 1e12 Oe/s)",
            ));
        }
        let loops = self.loops.unwrap_or(1);
        let devices = self.devices.unwrap_or(1);
        for (key, v) in [("loops", loops), ("devices", devices)] {
            if v == 0 || v > 100_000 {
                return Err(ConfigError::field(
                    format!("program.{key}"),
                    v.to_string(),
                    "must be between 1 and 100000",
                ));
            }
        }
        Ok(FieldSweep {
            from,
            to,
            step,
            rate,
            loops,
            devices,
            seed: self.seed.unwrap_or(0),
        })
    }
}
