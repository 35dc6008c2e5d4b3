//! `dwmtj export`: a device file as GDSII, an SVG preview or an ngspice subcircuit.

use crate::output::{check_target, write_file, OutKind};
use anyhow::{Context, Result};
use dwmtj_core::config::load_device;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// File formats of `dwmtj export`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// GDSII, nm units: layers 1 wire, 2 MTJ pillars, 3 wire contacts, 4 top electrode.
    Gds,
    /// An SVG preview of the same polygons.
    Svg,
    /// An ngspice subcircuit `in_p in_n out_p out_n` with non-volatile MTJ states.
    Spice,
}

impl Format {
    fn extension(self) -> &'static str {
        match self {
            Self::Gds => "gds",
            Self::Svg => "svg",
            Self::Spice => "cir",
        }
    }

    /// Bytes every export of the format contains (what `--force` may replace).
    fn signature(self) -> &'static [u8] {
        match self {
            Self::Gds => b"DWMTJ",
            Self::Svg => b"<!-- dwmtj layout -->",
            Self::Spice => b"* dwmtj export",
        }
    }
}

/// Export a device file: gds (GDSII, nm units; layers 1 wire, 2 MTJ pillars, 3 wire
/// contacts, 4 top electrode), svg (a preview of the same polygons), or spice (an ngspice
/// subcircuit `in_p in_n out_p out_n` with non-volatile MTJ states, for the program's pulse).
///
/// Example: dwmtj export gds configs/fig3f.toml --out fig3f.gds
#[derive(clap::Args, Debug)]
pub struct Args {
    #[arg(value_enum)]
    pub format: Format,
    /// Device TOML file.
    pub device: PathBuf,
    /// Output file (default: the device file's name with .gds, .svg or .cir, in the current
    /// folder).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace an existing file that dwmtj exported earlier (never any other file).
    #[arg(long)]
    pub force: bool,
}

pub fn run(a: &Args) -> Result<ExitCode> {
    let format = a.format;
    let path: &Path = &a.device;
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(path.file_stem().unwrap_or_default()).with_extension(format.extension()));
    let signature = format.signature();
    check_target(&out, a.force, OutKind::File { signature }, &[path])?;
    let (_, device, program) = load_device(path)?;
    if format == Format::Spice {
        let pulse = program
            .map(|p| p.pulse)
            .context("spice export needs the device's [program] for the pulse width")?;
        let (name, text) = dwmtj_design::spice::subcircuit(&device, &pulse)?;
        write_file(&out, a.force, signature, text.as_bytes())?;
        println!("wrote {} (subcircuit {name}: in_p in_n out_p out_n)", out.display());
        return Ok(ExitCode::SUCCESS);
    }
    let layout = dwmtj_design::layout::layout(&device);
    let bytes = match format {
        Format::Gds => {
            let mut b = Vec::new();
            layout.to_gds().write(&mut b).map_err(|e| anyhow::anyhow!("GDS: {e:?}"))?;
            b
        }
        _ => layout.to_svg().into_bytes(),
    };
    write_file(&out, a.force, signature, &bytes)?;
    println!("wrote {} ({} polygons, cell {})", out.display(), layout.polygons.len(), layout.cell);
    Ok(ExitCode::SUCCESS)
}
