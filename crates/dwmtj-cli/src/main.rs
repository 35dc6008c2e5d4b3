//! `dwmtj`: simulate, design-check and reproduce domain-wall MTJ synapses and activation
//! generators. `main` maps errors to a non-zero exit; `run` does the work.

mod checkpoint;
mod commands;
mod design;
mod dw;
mod interrupt;
mod micromag;
mod output;
mod plot;
mod train;
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
    /// Accept values outside the plausible ranges (a 10 m wire, a 100 T field, a TMR of
    /// 4400 %, a 1 um micromagnetic cell). The hard limits (signs, fractions, memory) still hold.
    #[arg(long, global = true)]
    pub allow_implausible: bool,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Drive a device file's pulse program and write its transfer curve (mean and std of R and G
    /// over cycles and device instances) with plots and a summary.
    ///
    /// Example: dwmtj simulate configs/fig3f.toml --cycles 20 --seed 3 --out runs/fig3f
    Simulate {
        /// Device TOML file (with a `[program]` table).
        device: PathBuf,
        /// Override program.cycles.
        #[arg(long, allow_hyphen_values = true)]
        cycles: Option<u32>,
        /// Override program.devices (independent device-to-device draws).
        #[arg(long, allow_hyphen_values = true)]
        devices: Option<u32>,
        /// Override program.seed.
        #[arg(long, allow_hyphen_values = true)]
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
        /// fig3f (linear synapse), fig4c (sigmoid activation), fig3b (one MTJ: threshold vs
        /// bias field, 1D model), fig5b (analog CoTb sigmoid, 1D model, Monte Carlo), energy, or all.
        #[arg(value_parser = ["fig3f", "fig4c", "fig3b", "fig5b", "energy", "all"])]
        target: String,
        /// Output folder (created; refused if it exists and is not empty, unless --force).
        #[arg(long)]
        out: PathBuf,
        /// Replace an earlier dwmtj run folder at --out (only one with a dwmtj manifest.json; never
        /// the current folder, an ancestor, $HOME or a folder holding an input).
        #[arg(long)]
        force: bool,
        /// Print {"checks": [...]} as JSON on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Fit the threshold model to the dynamic 1D model: per-MTJ single-pulse switching currents
    /// of both (and the quasi-static estimate), and a calibrated device file.
    ///
    /// Example: dwmtj calibrate configs/dynamic-synapse.toml --out runs/cal --json
    Calibrate {
        /// Device TOML file with a `[program]` (its pulse is the calibration pulse).
        device: PathBuf,
        /// Output folder (created; refused if it exists and is not empty, unless --force).
        #[arg(long)]
        out: PathBuf,
        /// Replace an earlier dwmtj run folder at --out (only one with a dwmtj manifest.json; never
        /// the current folder, an ancestor, $HOME or a folder holding an input).
        #[arg(long)]
        force: bool,
        #[arg(long)]
        json: bool,
    },
    /// Design a multi-MTJ device for a target transfer function within fabrication rules, and
    /// verify it by simulating it back. Exits non-zero if the verified RMS error exceeds
    /// --tolerance, unless --allow-miss.
    ///
    /// Example: dwmtj design --function sigmoid --current-range "150 uA..600 uA" --mtjs 9 --out runs/sig --json
    Design(Box<DesignArgs>),
    /// Export a device file: gds (GDSII, nm units; layers 1 wire, 2 MTJ pillars, 3 wire
    /// contacts, 4 top electrode), svg (a preview of the same polygons), or spice (an ngspice
    /// subcircuit `in_p in_n out_p out_n` with non-volatile MTJ states, for the program's pulse).
    ///
    /// Example: dwmtj export gds configs/fig3f.toml --out fig3f.gds
    Export {
        #[arg(value_parser = ["gds", "svg", "spice"])]
        format: String,
        /// Device TOML file.
        device: PathBuf,
        /// Output file (default: the device file's name with .gds, .svg or .cir, in the current
        /// folder).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Replace an existing file that dwmtj exported earlier (never any other file).
        #[arg(long)]
        force: bool,
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
        /// Also read materials from this TOML file (`[[material]]` tables).
        #[arg(long)]
        file: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Simulate one domain wall with the 1D (q, phi) model under a current pulse and fields.
    ///
    /// The wall starts at rest at its equilibrium angle at q = 0. Deterministic runs use
    /// adaptive Dormand-Prince RK45; with --temperature > 0 the stochastic Heun integrator runs
    /// --trials independent trials (seeded; identical on any thread count). Terms a material
    /// does not set are off: a material file with only ms, a_ex, k_eff, alpha, dmi, theta_sh,
    /// t_fm, t_hm gives exactly equations (A), (B) of docs/physics.md 2.3 with damping-like SOT and
    /// DMI. The built-in materials also set field-like SOT and STT; `--set fl_dl_ratio=0
    /// --set polarization=0` turns them off. The JSON lists the active terms.
    ///
    /// Example: dwmtj dw --material ta-cofeb-mgo --set dmi=0.3e-3 --current-density 1e11 --pulse "8 ns" --json
    Dw(Box<DwArgs>),
    /// Train an MLP on chip: weights on crossbar tiles of a synaptic device (DW-MTJ from a
    /// device file, aihwkit analytic devices, NeuroSim presets, or float), aihwkit's periphery
    /// (DAC/ADC, output noise, noise and bound management), an update scheme (stochastic
    /// pulse coincidence, NeuroSim pulse count, mixed precision), and the DW sigmoid generator
    /// or a digital activation. Writes metrics.csv per epoch, accuracy and loss plots, the
    /// energy and latency breakdown and summary.json.
    ///
    /// Example: dwmtj train configs/nn/mnist-mlp.toml --device float --epochs 5 --out runs/float --json
    Train(Box<train::TrainArgs>),
    /// Train the same network with several devices (the config's `[compare]` devices) and
    /// tabulate accuracy, energy and latency side by side, with bar charts.
    ///
    /// Example: dwmtj compare configs/nn/neurosim-400-100-10.toml --out runs/neurosim
    Compare(Box<train::TrainArgs>),
    /// Run a micromagnetic problem (finite-difference LLG on a wire, disk or film of one or more
    /// layers: exchange, uniaxial anisotropy, interfacial DMI with its boundary condition,
    /// Newell FFT demag or the thin-film local form, Zeeman with pulses or AC fields,
    /// damping- and field-like SOT and the Oersted field of the heavy-metal current, the thermal
    /// field; regions with their own material, stray fields and MTJ readout) and write
    /// table.csv (time, `<m>`, energies, wall position and velocity, region `<m>` and MTJ
    /// conductances), OVF 2.0 snapshots, an m_z map and summary.json.
    ///
    /// Examples (configs/micromag/): sp4a.toml, sp4b.toml (muMAG standard problem 4),
    /// dmi-1d.toml and skyrmion.toml (the DMI standard problem), field-wall.toml (Walker),
    /// sot-wall.toml, mtj-readout.toml (regions, pulses, Oersted field), layers.toml.
    ///
    /// Example: dwmtj micromag configs/micromag/mtj-readout.toml --out runs/mm
    Micromag(Box<micromag::MicromagArgs>),
    /// Project the write energy of scaled devices, E = J^2 w t rho L tau, under explicit
    /// assumptions, and show the paper's prototype energies (E = P tau).
    Energy {
        /// Wire width.
        #[arg(long, allow_hyphen_values = true, default_value = "25 nm")]
        width: String,
        /// Conducting thickness (heavy metal + free layer).
        #[arg(long, allow_hyphen_values = true, default_value = "6 nm")]
        thickness: String,
        /// Effective (parallel) resistivity of the stack.
        #[arg(long, allow_hyphen_values = true, default_value = "184 uOhm*cm")]
        resistivity: String,
        /// Wire length the write current crosses.
        #[arg(long, allow_hyphen_values = true, default_value = "415 nm")]
        length: String,
        /// Prototype threshold current density.
        #[arg(long, allow_hyphen_values = true, default_value = "0.7e11 A/m^2")]
        j_th: String,
        /// Current-density multipliers for the scaled wire, comma separated.
        #[arg(long, allow_hyphen_values = true, default_value = "2,4", value_delimiter = ',')]
        multipliers: Vec<f64>,
        /// Pulse width at the first multiplier.
        #[arg(long, allow_hyphen_values = true, default_value = "8 ns")]
        pulse: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(clap::Args, Debug)]
pub struct DwArgs {
    /// Built-in material name or a material TOML file.
    #[arg(long, allow_hyphen_values = true, default_value = "ta-cofeb-mgo")]
    pub material: String,
    /// Override a material parameter (any key of `dwmtj materials NAME`), or set a wall term:
    /// pin_field + pin_period (sinusoidal pinning), pin_rms + pin_correlation (random
    /// landscape). Values take units: --set "dmi=0.3 mJ/m^2".
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Heavy-metal current density (plateau).
    #[arg(long, allow_hyphen_values = true)]
    pub current_density: String,
    /// Pulse width (full width at half maximum).
    #[arg(long, allow_hyphen_values = true)]
    pub pulse: String,
    /// Rise time (0 = rectangular pulse).
    #[arg(long, allow_hyphen_values = true, default_value = "0 s")]
    pub rise: String,
    /// Fall time (default: the rise time).
    #[arg(long, allow_hyphen_values = true)]
    pub fall: Option<String>,
    /// Perpendicular field H_z.
    #[arg(long, default_value = "0 A/m", allow_hyphen_values = true)]
    pub hz: String,
    /// Longitudinal in-plane field H_x.
    #[arg(long, default_value = "0 A/m", allow_hyphen_values = true)]
    pub hx: String,
    /// Transverse in-plane field H_y.
    #[arg(long, default_value = "0 A/m", allow_hyphen_values = true)]
    pub hy: String,
    /// Temperature (thermal noise via stochastic Heun when > 0).
    #[arg(long, allow_hyphen_values = true, default_value = "0 K")]
    pub temperature: String,
    /// Wire width (sets the wall cross-section S for noise and pinning).
    #[arg(long, allow_hyphen_values = true, default_value = "1 um")]
    pub width: String,
    /// Wall type: up-down (Q = +1) or down-up (Q = -1).
    #[arg(long, default_value = "up-down", value_parser = ["up-down", "down-up"])]
    pub wall: String,
    /// Simulated time (default: the end of the pulse).
    #[arg(long, allow_hyphen_values = true)]
    pub duration: Option<String>,
    /// Add the Oersted field of the heavy-metal current.
    #[arg(long)]
    pub oersted: bool,
    /// Sweep the current density from --current-density to this value (travel against current:
    /// sweep.csv, a plot and a `sweep` array in the JSON). Deterministic sweeps run in SIMD
    /// batches; with --temperature each point is a Monte Carlo of --trials runs.
    #[arg(long, allow_hyphen_values = true, requires = "sweep_points")]
    pub sweep_to: Option<String>,
    /// Points of the sweep (at least 2), evenly spaced.
    #[arg(long, allow_hyphen_values = true)]
    pub sweep_points: Option<usize>,
    /// Monte Carlo trials (thermal runs).
    #[arg(long, allow_hyphen_values = true, default_value_t = 1)]
    pub trials: usize,
    #[arg(long, allow_hyphen_values = true, default_value_t = 0)]
    pub seed: u64,
    /// Displacement that counts as switched, for the switching probability.
    #[arg(long, allow_hyphen_values = true, default_value = "100 nm")]
    pub target: String,
    /// Time step of the stochastic integrator.
    #[arg(long, allow_hyphen_values = true, default_value = "1 ps")]
    pub dt: String,
    /// Relative tolerance of RK45.
    #[arg(long, allow_hyphen_values = true, default_value_t = 1e-8)]
    pub rtol: f64,
    /// Write trajectory.csv and plots here.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace an earlier dwmtj run folder at --out (only one with a dwmtj manifest.json; never
    /// the current folder, an ancestor, $HOME or a folder holding an input).
    #[arg(long)]
    pub force: bool,
    /// Print the JSON summary on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args, Debug)]
pub struct DesignArgs {
    /// Target file (TOML: `[target]`, `[design]`, `[rules]`; see configs/targets/). Flags given on the
    /// command line are ignored when a file is given, except --out, --force, --json, --allow-miss.
    pub target_file: Option<PathBuf>,
    /// Named target: linear, sigmoid, tanh, softplus (relu), step, gaussian-cdf.
    #[arg(long, allow_hyphen_values = true, conflicts_with = "table")]
    pub function: Option<String>,
    /// CSV target with columns current_a,output (output between 0 and 1, current increasing).
    #[arg(long)]
    pub table: Option<PathBuf>,
    /// Input current range "MIN..MAX" with units, for --function.
    #[arg(long, allow_hyphen_values = true)]
    pub current_range: Option<String>,
    /// Centre of sigmoid/tanh/softplus/step/gaussian-cdf (default: mid-range).
    #[arg(long, allow_hyphen_values = true)]
    pub center: Option<String>,
    /// Scale of the function (default: 1/8 of the range).
    #[arg(long, allow_hyphen_values = true)]
    pub scale: Option<String>,
    /// Number of MTJs.
    #[arg(long, allow_hyphen_values = true, default_value_t = 9)]
    pub mtjs: usize,
    /// Design an analog single-wall device instead (Mode S): static (threshold-limited,
    /// docs/physics.md 7.1) or dynamic (finite pulse, 7.2) heavy-metal width profile.
    #[arg(long, value_parser = ["static", "dynamic"])]
    pub analog: Option<String>,
    /// Analog: track length.
    #[arg(long, allow_hyphen_values = true, default_value = "10 um")]
    pub length: String,
    /// Analog: width of the magnetic wire (constant).
    #[arg(long, allow_hyphen_values = true, default_value = "0.8 um")]
    pub magnetic_width: String,
    /// Material (built-in name; default ta-cofeb-mgo, pt-cotb for --analog).
    #[arg(long, allow_hyphen_values = true)]
    pub material: Option<String>,
    /// Design switching threshold in the heavy metal (the paper's 0.7e11 A/m^2).
    #[arg(long, allow_hyphen_values = true, default_value = "0.7e11 A/m^2")]
    pub j_th: String,
    /// Write pulse width (default 8 ns; analog: 300 ns dynamic, 2 us static verification).
    #[arg(long, allow_hyphen_values = true)]
    pub pulse: Option<String>,
    /// Breakdown current density at the narrowest point.
    #[arg(long, allow_hyphen_values = true, default_value = "3e11 A/m^2")]
    pub breakdown: String,
    /// Largest allowed RMS error (fraction of full scale) of the verified design.
    #[arg(long, allow_hyphen_values = true, default_value_t = 0.05)]
    pub tolerance: f64,
    /// Also verify N device instances with threshold variation (Monte Carlo): per-device RMS
    /// error and the yield within --tolerance.
    #[arg(long, allow_hyphen_values = true)]
    pub monte_carlo: Option<usize>,
    /// Device-to-device threshold spread for --monte-carlo.
    #[arg(long, allow_hyphen_values = true, default_value = "3 %")]
    pub d2d: String,
    /// Cycle-to-cycle threshold spread for --monte-carlo.
    #[arg(long, allow_hyphen_values = true, default_value = "1 %")]
    pub c2c: String,
    /// Also verify with the dynamic 1D model (every MTJ's wall during the pulse, pinning
    /// calibrated to the first MTJ's designed threshold); reported, and then part of the pass.
    #[arg(long)]
    pub verify_dynamic: bool,
    /// Write the outputs and exit 0 even if the design misses the tolerance.
    #[arg(long)]
    pub allow_miss: bool,
    /// Output folder (created; refused if it exists and is not empty, unless --force).
    #[arg(long)]
    pub out: PathBuf,
    /// Replace an earlier dwmtj run folder at --out (only one with a dwmtj manifest.json; never
    /// the current folder, an ancestor, $HOME or a folder holding an input).
    #[arg(long)]
    pub force: bool,
    #[arg(long)]
    pub json: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    interrupt::install();
    if cli.allow_implausible {
        dwmtj_core::plausible::set_enforced(false);
    }
    match commands::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}
