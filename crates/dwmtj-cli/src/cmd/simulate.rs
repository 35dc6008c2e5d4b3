//! `dwmtj simulate`: a device file's pulse program, Monte Carlo over cycles and devices.

use crate::output::{check_target, OutKind, RunDir};
use crate::write::transfer::write_transfer;
use anyhow::{Context, Result};
use dwmtj_core::config::{load_device_with, ProgramOverrides};
use dwmtj_core::simulate::simulate;
use dwmtj_core::simulate::summary;
use std::path::PathBuf;
use std::process::ExitCode;

/// Drive a device file's pulse program and write its transfer curve (mean and std of R and G
/// over cycles and device instances) with plots and a summary.
///
/// Example: dwmtj simulate configs/fig3f.toml --cycles 20 --seed 3 --out runs/fig3f
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Device TOML file (with a `[program]` table).
    pub device: PathBuf,
    /// Override program.cycles.
    #[arg(long, allow_hyphen_values = true)]
    pub cycles: Option<u32>,
    /// Override program.devices (independent device-to-device draws).
    #[arg(long, allow_hyphen_values = true)]
    pub devices: Option<u32>,
    /// Override program.seed.
    #[arg(long, allow_hyphen_values = true)]
    pub seed: Option<u64>,
    /// Output folder (created; must not exist unless --force).
    #[arg(long)]
    pub out: PathBuf,
    /// Replace an earlier dwmtj run folder at --out (only one with a dwmtj manifest.json; never
    /// the current folder, an ancestor, $HOME or a folder holding an input).
    #[arg(long)]
    pub force: bool,
    /// Print the summary as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: &Args) -> Result<ExitCode> {
    let path = a.device.as_path();
    check_target(&a.out, a.force, OutKind::Folder, &[path])?;
    let overrides = ProgramOverrides {
        cycles: a.cycles,
        devices: a.devices,
        seed: a.seed,
    };
    let (raw, device, program) = load_device_with(path, &overrides)?;
    if let Some((switching, sweep)) = raw.field_sweep(&device)? {
        return run_field(a, &device, &switching, &sweep);
    }
    let program = program.with_context(|| format!("{} has no [program] table: nothing to simulate", path.display()))?;
    let run = RunDir::create(&a.out, a.force, &[path])?;
    let pb = crate::progress::bar(u64::from(program.cycles) * u64::from(program.devices), &device.name, "runs");
    let sim = simulate(&device, &program, &|n| pb.set_position(n))?;
    pb.finish_and_clear();
    let value = write_transfer(&run, "", &device, &program, &sim, &[], None)?;
    let dir = run.finish()?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(ExitCode::SUCCESS);
    }
    let s = summary(&device, &program, &sim);
    println!(
        "{}: {} runs, R_wire = {:.3} kOhm, R = {:.2} .. {:.2} Ohm",
        device.name,
        sim.runs,
        s.wire_resistance_ohm / 1e3,
        s.r_all_p_ohm,
        s.r_all_ap_ohm
    );
    for (sweep, n) in &s.levels {
        println!("  {sweep} sweep: {n} resistance levels");
    }
    if !s.unreachable_mtjs.is_empty() {
        println!(
            "  unreachable below breakdown ({:.0} uA): MTJs {:?}",
            s.breakdown_current_a * 1e6,
            s.unreachable_mtjs
        );
    }
    if !s.field_switched_mtjs.is_empty() {
        println!("  switched by the bias field: MTJs {:?}", s.field_switched_mtjs);
    }
    if let (Some(lo), Some(hi)) = (s.energy.min_switching_energy_j, s.energy.max_switching_energy_j) {
        println!("  switching energy {:.2} - {:.2} pJ per pulse", lo * 1e12, hi * 1e12);
    }
    if s.energy.reset_energy_per_cycle_j > 0.0 {
        println!(
            "  STT resets and presets: {:.2} pJ per cycle (MTJs preset to AP: {:?})",
            s.energy.reset_energy_per_cycle_j * 1e12,
            program.preset_ap.iter().map(|i| i + 1).collect::<Vec<_>>()
        );
    }
    println!("wrote {}", dir.display());
    Ok(ExitCode::SUCCESS)
}

/// A `kind = "field-sweep"` program: loops of the swept field, read at every step.
fn run_field(
    a: &Args,
    device: &dwmtj_core::device::Device,
    switching: &dwmtj_core::field_sweep::FieldSwitching,
    sweep: &dwmtj_core::field_sweep::FieldSweep,
) -> Result<ExitCode> {
    let path = a.device.as_path();
    let run = RunDir::create(&a.out, a.force, &[path])?;
    let pb = crate::progress::bar(u64::from(sweep.loops) * u64::from(sweep.devices), &device.name, "loops");
    let loops = dwmtj_core::field_sweep::run(device, switching, sweep, &|n| pb.set_position(n))?;
    pb.finish_and_clear();
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let value = crate::write::field::write_field_run(&run, "", device, switching, sweep, &loops, &text, None)?;
    let dir = run.finish()?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(ExitCode::SUCCESS);
    }
    let oe = |h: f64| h / dwmtj_design::paper_field::OE;
    println!(
        "{}: {} loops x {} devices, {:.0} -> {:.0} Oe at {:.3} Oe/s, R = {:.2} .. {:.2} Ohm (TMR {:.1} %)",
        device.name,
        sweep.loops,
        sweep.devices,
        oe(sweep.from),
        oe(sweep.to),
        oe(sweep.rate),
        loops.r_all_p_ohm,
        loops.r_all_ap_ohm,
        loops.tmr * 100.0
    );
    for g in &loops.regions {
        if g.to_up.count + g.to_down.count == 0 {
            continue;
        }
        let name = match g.region {
            dwmtj_core::field_sweep::Region::Mtj(i) => format!("MTJ {i}"),
            dwmtj_core::field_sweep::Region::Wire => "bare wire".into(),
            dwmtj_core::field_sweep::Region::Reference => "reference layer".into(),
        };
        println!(
            "  {name}: to up {:.1} +/- {:.2} Oe, to down {:.1} +/- {:.2} Oe (loop centre {:.1} Oe, half width {:.1} Oe)",
            oe(g.to_up.mean_a_per_m),
            oe(g.to_up.std_a_per_m),
            oe(g.to_down.mean_a_per_m),
            oe(g.to_down.std_a_per_m),
            oe(g.offset_a_per_m),
            oe(g.coercivity_a_per_m)
        );
    }
    println!("wrote {}", dir.display());
    Ok(ExitCode::SUCCESS)
}
