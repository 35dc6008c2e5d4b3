//! `dwmtj`: simulate, design-check and reproduce domain-wall MTJ synapses and activation
//! generators. `main` maps errors to a non-zero exit; `run` does the work.

mod commands;
mod output;
mod plot;
mod transfer;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Domain-wall / magnetic-tunnel-junction device toolkit.
///
/// Devices are described in TOML files with units ("8 ns", "-480 Oe", "20 Ohm*um^2"); see
/// configs/ for complete examples. Every run writes a folder with CSV data, PNG and SVG plots,
/// summary.json, config.resolved.toml and manifest.json, or nothing at all if it fails.
#[derive(Parser, Debug)]
#[command(name = "dwmtj", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Drive a device file's pulse program and write its transfer curve (mean and std of R and G
    /// over cycles and device instances) with plots and a summary.
    ///
    /// Example: dwmtj simulate configs/fig3f.toml --cycles 20 --seed 3 --out runs/fig3f
    Simulate {
        /// Device TOML file (with a [program] table).
        device: PathBuf,
        /// Override program.cycles.
        #[arg(long)]
        cycles: Option<u32>,
        /// Override program.devices (independent device-to-device draws).
        #[arg(long)]
        devices: Option<u32>,
        /// Override program.seed.
        #[arg(long)]
        seed: Option<u64>,
        /// Output folder (created; must not exist unless --force).
        #[arg(long)]
        out: PathBuf,
        /// Replace an existing output folder.
        #[arg(long)]
        force: bool,
        /// Print the summary as JSON on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Reproduce the device paper's figures and numbers on built-in device files, with checks
    /// against the paper. Exits non-zero if any check fails.
    ///
    /// Example: dwmtj reproduce all --out out --json
    Reproduce {
        /// fig3f (linear synapse), fig4c (sigmoid activation), energy, or all.
        #[arg(value_parser = ["fig3f", "fig4c", "energy", "all"])]
        target: String,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        force: bool,
        /// Print {"checks": [...]} as JSON on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Validate a device file (units, ranges, geometry, calibration) without running it.
    Check {
        /// Device TOML file.
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// List the built-in materials, or show one with every parameter's unit and source and the
    /// derived wall quantities.
    Materials {
        /// Material name (e.g. ta-cofeb-mgo).
        name: Option<String>,
        /// Also read materials from this TOML file ([[material]] tables).
        #[arg(long)]
        file: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Project the write energy of scaled devices, E = J^2 w t rho L tau, under explicit
    /// assumptions, and show the paper's prototype energies (E = P tau).
    Energy {
        /// Wire width.
        #[arg(long, default_value = "25 nm")]
        width: String,
        /// Conducting thickness (heavy metal + free layer).
        #[arg(long, default_value = "6 nm")]
        thickness: String,
        /// Effective (parallel) resistivity of the stack.
        #[arg(long, default_value = "184 uOhm*cm")]
        resistivity: String,
        /// Wire length the write current crosses.
        #[arg(long, default_value = "415 nm")]
        length: String,
        /// Prototype threshold current density.
        #[arg(long, default_value = "0.7e11 A/m^2")]
        j_th: String,
        /// Current-density multipliers for the scaled wire, comma separated.
        #[arg(long, default_value = "2,4", value_delimiter = ',')]
        multipliers: Vec<f64>,
        /// Pulse width at the first multiplier.
        #[arg(long, default_value = "8 ns")]
        pulse: String,
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}
