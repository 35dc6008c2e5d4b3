//! `dwmtj check`: validate a device file without running it.

use anyhow::Result;
use dwmtj_core::config::load_device;
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;

/// Validate a device file (units, ranges, geometry, calibration) without running it.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Device TOML file.
    pub file: PathBuf,
    /// Print the verdict as JSON on stdout (also when the file is invalid).
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: &Args) -> Result<ExitCode> {
    let (path, json) = (a.file.as_path(), a.json);
    let fail = |e: anyhow::Error| -> Result<ExitCode> {
        if json {
            // Scripts get the verdict as JSON on stdout too; the exit code stays non-zero.
            println!(
                "{}",
                serde_json::to_string_pretty(&json!({ "file": path.display().to_string(), "valid": false, "error": format!("{e:#}") }))?
            );
            eprintln!("error: {e:#}");
            Ok(ExitCode::from(2))
        } else {
            Err(e)
        }
    };
    let (device, program) = match load_device(path) {
        Ok((_, d, p)) => (d, p),
        Err(e) => return fail(e.into()),
    };
    let report = match dwmtj_core::threshold::check(&device, program.as_ref()) {
        Ok(r) => r,
        Err(e) => return fail(e.into()),
    };
    let mut info = serde_json::to_value(&report)?;
    info["file"] = json!(path.display().to_string());
    if json {
        println!("{}", serde_json::to_string_pretty(&info)?);
    } else {
        println!(
            "ok: {} ({} MTJs on {}, R_wire = {:.3} kOhm{})",
            device.name,
            device.mtjs.len(),
            device.material.name,
            device.wire_resistance() / 1e3,
            program.map_or(String::new(), |p| format!(", {} pulses per cycle", p.pulses_per_cycle()))
        );
    }
    Ok(ExitCode::SUCCESS)
}
