//! `dwmtj export`: a device file as GDSII, an SVG preview or an ngspice subcircuit.

use crate::output::{check_target, write_file, OutKind};
use anyhow::Result;
use dwmtj_core::config::load_device;
use dwmtj_design::export;
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

impl From<Format> for export::Format {
    fn from(f: Format) -> Self {
        match f {
            Format::Gds => Self::Gds,
            Format::Svg => Self::Svg,
            Format::Spice => Self::Spice,
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
    let format = export::Format::from(a.format);
    let path: &Path = &a.device;
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(path.file_stem().unwrap_or_default()).with_extension(format.extension()));
    let signature = format.signature();
    check_target(&out, a.force, OutKind::File { signature }, &[path])?;
    let (_, device, program) = load_device(path)?;
    let e = export::export(&device, program.as_ref().map(|p| &p.pulse), format)?;
    write_file(&out, a.force, signature, &e.bytes)?;
    println!("wrote {} ({})", out.display(), e.description);
    Ok(ExitCode::SUCCESS)
}
