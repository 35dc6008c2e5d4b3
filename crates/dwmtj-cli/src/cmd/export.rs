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
    /// The kinematic compact model in Verilog-A (module NAME(in_p, in_n, out_p, out_n); for
    /// Spectre, Xyce or ngspice with OpenVAF/OSDI).
    VerilogA,
    /// An ngspice deck of a --rows x --cols crossbar of the device's synapse pairs with word-
    /// and bit-line resistance and its read periphery (row DACs, virtual-ground sense amps).
    Crossbar,
}

impl From<Format> for export::Format {
    fn from(f: Format) -> Self {
        match f {
            Format::Gds => Self::Gds,
            Format::Svg => Self::Svg,
            Format::Spice | Format::Crossbar | Format::VerilogA => Self::Spice,
        }
    }
}

/// Which compact model `export spice` writes.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpiceModel {
    /// Each MTJ switches fully once the write current passes its 50 % current for the
    /// program's pulse (the pulse width is built in).
    Threshold,
    /// Each footprint's wall position is a state moved at the device's wall velocity above its
    /// depinning threshold, so pulse width and amplitude both count (docs/physics.md 13).
    Kinematic,
    /// For a dynamic-mode device (switching.model = "dynamic"): each footprint's wall position
    /// and angle are states of the device's own 1D (q, phi) equations at T = 0, with its film
    /// pinning, so inertia and the slide back into a pinning well count too (docs/physics.md
    /// 13.1).
    Wall,
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
    /// spice: the compact model.
    #[arg(long, value_enum, default_value = "threshold")]
    pub model: SpiceModel,
    /// spice --model kinematic: also write N seeded Monte Carlo instances NAME_mc1 .. NAME_mcN
    /// (same pins), each with its device-to-device thresholds and, at T > 0, the hazards of its
    /// thermal depinning; 1 to 10000. The stream is --seed's, instance by instance.
    #[arg(long)]
    pub instances: Option<usize>,
    /// crossbar: rows (inputs), 1 to 1024.
    #[arg(long, default_value_t = 16)]
    pub rows: usize,
    /// crossbar: columns (outputs), 1 to 1024.
    #[arg(long, default_value_t = 16)]
    pub cols: usize,
    /// crossbar: line resistance per cell segment of word and bit lines.
    #[arg(long, default_value = "1 Ohm", allow_hyphen_values = true)]
    pub line_resistance: String,
    /// crossbar: largest row read voltage (the inputs are drawn in 0 .. this).
    #[arg(long, default_value = "0.1 V", allow_hyphen_values = true)]
    pub read_voltage: String,
    /// crossbar: seed of the synapse states and the inputs; spice --instances: seed of the
    /// Monte Carlo draws.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// crossbar: also write a run folder here with the IR-drop error of the column currents
    /// against array size and line resistance (ir_drop.csv and a plot).
    #[arg(long)]
    pub study: Option<PathBuf>,
}

pub fn run(a: &Args) -> Result<ExitCode> {
    if a.format == Format::Crossbar {
        return crate::cmd::export_crossbar::run(a);
    }
    if a.format == Format::VerilogA {
        return verilog_a(a);
    }
    if let Some(n) = a.instances {
        if a.format != Format::Spice || a.model != SpiceModel::Kinematic {
            anyhow::bail!("--instances {n}: Monte Carlo instances are written by `export spice --model kinematic` only");
        }
        if !(1..=10_000).contains(&n) {
            anyhow::bail!("--instances {n}: expected 1 to 10000 Monte Carlo instances");
        }
    }
    let format = export::Format::from(a.format);
    let path: &Path = &a.device;
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(path.file_stem().unwrap_or_default()).with_extension(format.extension()));
    let signature = format.signature();
    check_target(&out, a.force, OutKind::File { signature }, &[path])?;
    let (_, device, program) = load_device(path)?;
    if a.format == Format::Spice && a.model == SpiceModel::Wall {
        let (name, text) = dwmtj_design::wall_spice::subcircuit(&device)?;
        write_file(&out, a.force, signature, text.as_bytes())?;
        println!(
            "wrote {} (wall subcircuit {name}: in_p in_n out_p out_n; 1D wall states at T = 0)",
            out.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    if a.format == Format::Spice && a.model == SpiceModel::Kinematic {
        let pulse = program.as_ref().map(|p| p.pulse).ok_or_else(|| {
            anyhow::anyhow!(
                "{}: the kinematic model's calibrated threshold needs the file's [program] pulse",
                path.display()
            )
        })?;
        let (name, text) = match a.instances {
            Some(n) => {
                let draws = dwmtj_design::kinematic::draw_instances(&device, &pulse, n, a.seed)?;
                dwmtj_design::kinematic::monte_carlo_library(&device, &pulse, &draws)?
            }
            None => dwmtj_design::kinematic::subcircuit(&device, &pulse)?,
        };
        write_file(&out, a.force, signature, text.as_bytes())?;
        match a.instances {
            Some(n) => println!(
                "wrote {} (kinematic subcircuit {name} and Monte Carlo instances {name}_mc1 .. {name}_mc{n}, seed {}: in_p in_n out_p out_n)",
                out.display(),
                a.seed
            ),
            None => println!("wrote {} (kinematic subcircuit {name}: in_p in_n out_p out_n)", out.display()),
        }
        return Ok(ExitCode::SUCCESS);
    }
    let e = export::export(&device, program.as_ref().map(|p| &p.pulse), format)?;
    write_file(&out, a.force, signature, &e.bytes)?;
    println!("wrote {} ({})", out.display(), e.description);
    Ok(ExitCode::SUCCESS)
}

/// `export verilog-a`: the kinematic model as a Verilog-A module.
fn verilog_a(a: &Args) -> Result<ExitCode> {
    const SIGNATURE: &[u8] = b"// dwmtj export";
    let path: &Path = &a.device;
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(path.file_stem().unwrap_or_default()).with_extension("va"));
    check_target(&out, a.force, OutKind::File { signature: SIGNATURE }, &[path])?;
    let (_, device, program) = load_device(path)?;
    let pulse = program.as_ref().map(|p| p.pulse).ok_or_else(|| {
        anyhow::anyhow!(
            "{}: the kinematic model's calibrated threshold needs the file's [program] pulse",
            path.display()
        )
    })?;
    let (name, text) = dwmtj_design::kinematic::verilog_a(&device, &pulse)?;
    write_file(&out, a.force, SIGNATURE, text.as_bytes())?;
    println!(
        "wrote {} (Verilog-A module {name}: in_p in_n out_p out_n, one state node per MTJ)",
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}
