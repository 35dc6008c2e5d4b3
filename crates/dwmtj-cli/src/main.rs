//! `dwmtj`: simulate, design-check and reproduce domain-wall MTJ synapses and activation
//! generators. `main` parses the command line and dispatches to `cmd::<name>::run`; errors
//! become a message on stderr and a non-zero exit.

mod checkpoint;
mod cmd;
mod interrupt;
mod output;
mod plot;
mod progress;
mod slurm;
mod write;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

// mimalloc keeps freed blocks for reuse: the training loop's per-batch buffers (im2col patches,
// activations) are otherwise mapped and zeroed by the kernel on every batch.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Domain-wall / magnetic-tunnel-junction device toolkit.
///
/// Devices are described in TOML files with units ("8 ns", "-480 Oe", "20 Ohm*um^2"); see
/// configs/ for complete examples. Every run writes a folder with CSV data, PNG and SVG plots,
/// summary.json, config.resolved.toml and manifest.json, or nothing at all if it fails.
#[derive(Parser, Debug)]
#[command(name = "dwmtj", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Accept values outside the plausible ranges (a 10 m wire, a 100 T field, a TMR of
    /// 4400 %, a 1 um micromagnetic cell). The hard limits (signs, fractions, memory) still hold.
    #[arg(long, global = true)]
    allow_implausible: bool,
}

/// The subcommands; each one's help is the doc comment of its `Args`.
#[derive(Subcommand, Debug)]
enum Command {
    Simulate(cmd::simulate::Args),
    Reproduce(cmd::reproduce::Args),
    Calibrate(cmd::calibrate::Args),
    Design(Box<cmd::design::Args>),
    Export(cmd::export::Args),
    Check(cmd::check::Args),
    Materials(cmd::materials::Args),
    Dw(Box<cmd::dw::Args>),
    Train(Box<cmd::train::Args>),
    /// Train the same network with several devices (the config's `[compare]` devices) and
    /// tabulate accuracy, energy and latency side by side, with bar charts.
    ///
    /// Example: dwmtj compare configs/nn/neurosim-400-100-10.toml --out runs/neurosim
    Compare(Box<cmd::train::Args>),
    Micromag(Box<cmd::micromag::Args>),
    Energy(cmd::energy::Args),
    Sweep(Box<cmd::sweep::Args>),
}

/// mimalloc's `mi_option_purge_delay` (15 in its option enum, v2 and v3).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> ExitCode {
    // Freed memory stays mapped for reuse instead of being returned to the OS 10 ms later: a
    // training step frees and reallocates the same large buffers, which the kernel would
    // otherwise zero again each time (+25 % inference, +5 % training on LeNet-5). A one-shot
    // process holds its peak footprint either way.
    // SAFETY: called before any other thread exists (mi_option_set is not thread safe).
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    let cli = Cli::parse();
    interrupt::install();
    if cli.allow_implausible {
        dwmtj_core::plausible::set_enforced(false);
    }
    let result = match &cli.command {
        Command::Simulate(a) => cmd::simulate::run(a),
        Command::Reproduce(a) => cmd::reproduce::run(a),
        Command::Calibrate(a) => cmd::calibrate::run(a),
        Command::Design(a) => cmd::design::run(a),
        Command::Export(a) => cmd::export::run(a),
        Command::Check(a) => cmd::check::run(a),
        Command::Materials(a) => cmd::materials::run(a),
        Command::Dw(a) => cmd::dw::run(a),
        Command::Train(a) => cmd::train::run(a),
        Command::Compare(a) => cmd::compare::run(a),
        Command::Micromag(a) => cmd::micromag::run(a),
        Command::Energy(a) => cmd::energy::run(a),
        Command::Sweep(a) => cmd::sweep::run(a),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}
