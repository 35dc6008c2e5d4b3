//! Device configuration: raw TOML structures (quantities as unit strings, unknown keys rejected)
//! and their conversion into the validated SI model of [`crate::device`].
//!
//! ```text
//! TOML text --serde--> RawDevice --validate()--> (Device, Option<Program>) --resolve()--> RawDevice (SI)
//! ```
//! `resolve` writes every value, defaults included, as a bare SI number; the result parses back
//! to the same model (tested), and is what the CLI saves as `config.resolved.toml`.

mod field;
mod raw;
mod resolve;
mod validate;

pub use raw::{
    RawBias, RawDevice, RawField, RawMtj, RawMtjArray, RawMtjDefaults, RawProgram, RawReadout, RawSwitching, RawVariation, RawWidth,
    RawWire,
};
pub use resolve::resolve;

use crate::device::{Device, Program};
use crate::error::ConfigError;
use std::path::Path;

/// Read and validate a device file. Relative material paths resolve against the file's folder.
pub fn load_device(path: &Path) -> Result<(RawDevice, Device, Option<Program>), ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    parse_device(&text, &path.display().to_string(), path.parent())
}

/// Command-line overrides of a device file's `[program]`. They are applied to the raw values
/// before validation, so the file's limits hold for them too.
#[derive(Clone, Debug, Default)]
pub struct ProgramOverrides {
    /// Replaces `program.cycles` (`--cycles`).
    pub cycles: Option<u32>,
    /// Replaces `program.devices` (`--devices`).
    pub devices: Option<u32>,
    /// Replaces `program.seed` (`--seed`).
    pub seed: Option<u64>,
}

impl ProgramOverrides {
    /// Write the overrides into `raw.program`; an error if there is none to override.
    pub fn apply(&self, raw: &mut RawDevice) -> Result<(), ConfigError> {
        if self.cycles.is_none() && self.devices.is_none() && self.seed.is_none() {
            return Ok(());
        }
        let p = raw.program.as_mut().ok_or_else(|| {
            ConfigError::field(
                "program",
                "missing",
                "the overrides (--cycles, --devices, --seed) need a [program] table",
            )
        })?;
        p.cycles = self.cycles.or(p.cycles);
        p.devices = self.devices.or(p.devices);
        p.seed = self.seed.or(p.seed);
        Ok(())
    }
}

/// Read a device file, apply `overrides` to its raw values, and validate.
pub fn load_device_with(path: &Path, overrides: &ProgramOverrides) -> Result<(RawDevice, Device, Option<Program>), ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    let mut raw: RawDevice = toml::from_str(&text).map_err(|e| ConfigError::Toml {
        origin: path.display().to_string(),
        message: e.to_string(),
    })?;
    overrides.apply(&mut raw)?;
    let (device, program) = raw.validate(path.parent())?;
    Ok((raw, device, program))
}

/// Parse and validate device TOML text.
pub fn parse_device(text: &str, origin: &str, base_dir: Option<&Path>) -> Result<(RawDevice, Device, Option<Program>), ConfigError> {
    let raw: RawDevice = toml::from_str(text).map_err(|e| ConfigError::Toml {
        origin: origin.to_string(),
        message: e.to_string(),
    })?;
    let (device, program) = raw.validate(base_dir)?;
    Ok((raw, device, program))
}
