//! `dwmtj materials`: the built-in materials, every parameter with unit, doc and source.

use anyhow::{bail, Context, Result};
use dwmtj_core::material::{builtin, describe, parse_material_file, Material, PARAMS};
use dwmtj_core::units::MU0;
use std::path::PathBuf;
use std::process::ExitCode;

/// List the built-in materials, or show one with every parameter's unit and source and the
/// derived wall quantities.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Material name (e.g. ta-cofeb-mgo).
    pub name: Option<String>,
    /// Also read materials from this TOML file (`[[material]]` tables).
    #[arg(long)]
    pub file: Option<PathBuf>,
    /// Print the material(s) as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

fn material_json(m: &Material) -> Result<serde_json::Value> {
    Ok(serde_json::to_value(describe(m))?)
}

pub fn run(a: &Args) -> Result<ExitCode> {
    let (name, file, json) = (a.name.as_deref(), a.file.as_deref(), a.json);
    let mut mats = builtin();
    if let Some(f) = file {
        let text = std::fs::read_to_string(f).with_context(|| format!("cannot read {}", f.display()))?;
        mats.extend(parse_material_file(&text, &f.display().to_string())?);
    }
    match name {
        None => {
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&mats.iter().map(material_json).collect::<Result<Vec<_>>>()?)?
                );
            } else {
                for m in &mats {
                    println!("{:<16} {}", m.name, m.description);
                }
            }
        }
        Some(n) => {
            let norm = |s: &str| s.to_ascii_lowercase().replace(['_', '/'], "-");
            let Some(m) = mats.iter().find(|m| norm(&m.name) == norm(n)) else {
                bail!(
                    "no material named '{n}'; known: {}",
                    mats.iter().map(|m| m.name.as_str()).collect::<Vec<_>>().join(", ")
                );
            };
            if json {
                println!("{}", serde_json::to_string_pretty(&material_json(m)?)?);
            } else {
                println!("{}: {}", m.name, m.description);
                for p in PARAMS {
                    println!(
                        "  {:<13} {:>12.4e} {:<7} {}  [{}]",
                        p.key,
                        (p.get)(m),
                        p.unit,
                        p.doc,
                        m.sources.get(p.key).copied().unwrap_or("-")
                    );
                }
                println!("derived:");
                println!("  wall width Delta = sqrt(A/K_eff)          {:.3} nm", m.wall_width() * 1e9);
                println!("  shape anisotropy mu0 H_K                  {:.2} mT", m.h_k() * MU0 * 1e3);
                println!("  DMI field mu0 H_D                         {:.2} mT", m.h_d() * MU0 * 1e3);
                println!("  Neel threshold D_c                        {:.3} mJ/m^2", m.d_c() * 1e3);
                println!("  |cos phi_eq|                              {:.3}", m.cos_phi_eq());
                println!(
                    "  mu0 H_SL per 1e11 A/m^2                   {:.3} mT",
                    m.chi_sl() * 1e11 * MU0 * 1e3
                );
                println!(
                    "  SOT depinning field per 1e11 A/m^2        {:.2} Oe",
                    m.sot_depinning_efficiency() * 1e11 * 4e-3 * std::f64::consts::PI
                );
                println!("  Walker field mu0 H_W                      {:.3} mT", m.walker_field() * MU0 * 1e3);
                println!("  heavy-metal current fraction f_HM         {:.3}", m.hm_current_fraction());
                println!("  sheet resistance                          {:.1} Ohm/sq", m.sheet_resistance());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
