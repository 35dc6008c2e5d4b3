//! A device file exported for fabrication or circuit simulation: GDSII (nm units; layers 1 wire,
//! 2 MTJ pillars, 3 wire contacts, 4 top electrode, [`crate::layout`]), an SVG preview of the
//! same polygons, or an ngspice subcircuit `in_p in_n out_p out_n` with non-volatile MTJ states
//! at the program's pulse ([`crate::spice`]). Every export carries a signature, so a tool can
//! tell its own files from a user's.

use dwmtj_core::device::{Device, PulseShape};
use dwmtj_core::ConfigError;

/// Export formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// GDSII library (nm database unit).
    Gds,
    /// SVG preview of the layout.
    Svg,
    /// ngspice subcircuit.
    Spice,
}

impl Format {
    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Gds => "gds",
            Self::Svg => "svg",
            Self::Spice => "cir",
        }
    }

    /// Bytes every export of the format contains near its start.
    pub fn signature(self) -> &'static [u8] {
        match self {
            Self::Gds => b"DWMTJ",
            Self::Svg => b"<!-- dwmtj layout -->",
            Self::Spice => b"* dwmtj export",
        }
    }
}

/// Why a device cannot be exported.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// A SPICE export was asked for without a pulse.
    #[error("spice export needs the device's [program] for the pulse width")]
    NoPulse,
    /// The device's threshold model could not be built.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The GDSII writer failed.
    #[error("GDS: {0}")]
    Gds(String),
}

/// An export: its bytes and a one-line description.
pub struct Export {
    /// The file contents.
    pub bytes: Vec<u8>,
    /// One line for people: the polygons and cell, or the subcircuit and its pins.
    pub description: String,
}

/// Export `device`; `pulse` (the program's) is needed for SPICE.
pub fn export(device: &Device, pulse: Option<&PulseShape>, format: Format) -> Result<Export, ExportError> {
    if format == Format::Spice {
        let pulse = pulse.ok_or(ExportError::NoPulse)?;
        let (name, text) = crate::spice::subcircuit(device, pulse)?;
        return Ok(Export {
            bytes: text.into_bytes(),
            description: format!("subcircuit {name}: in_p in_n out_p out_n"),
        });
    }
    let layout = crate::layout::layout(device);
    let bytes = match format {
        Format::Gds => {
            let mut b = Vec::new();
            layout.to_gds().write(&mut b).map_err(|e| ExportError::Gds(format!("{e:?}")))?;
            b
        }
        _ => layout.to_svg().into_bytes(),
    };
    Ok(Export {
        bytes,
        description: format!("{} polygons, cell {}", layout.polygons.len(), layout.cell),
    })
}
