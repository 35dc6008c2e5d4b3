//! Detects the external tools the integration tests compare against (ngspice, gdstk and
//! spirit-code's ovf in a Python, Slurm's daemons), so that a test whose tool is missing is reported as ignored
//! with its reason instead of passing. Under CI=true the test `external_tools_are_present_in_ci`
//! fails when one is missing.

use std::process::Command;

fn python_has(import_line: &str) -> bool {
    let mut candidates: Vec<String> = std::env::var("DWMTJ_PYTHON").ok().into_iter().collect();
    candidates.push("python3".into());
    candidates.iter().any(|py| {
        Command::new(py)
            .args(["-c", import_line])
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=DWMTJ_PYTHON");
    println!("cargo::rerun-if-env-changed=PATH");
    for name in ["dwmtj_has_ngspice", "dwmtj_has_gdstk", "dwmtj_has_ovf", "dwmtj_has_slurm"] {
        println!("cargo::rustc-check-cfg=cfg({name})");
    }
    if Command::new("ngspice").arg("--version").output().is_ok() {
        println!("cargo::rustc-cfg=dwmtj_has_ngspice");
    }
    // A single-node Slurm can be started by the tests (scripts/slurm-single-node.sh).
    let runs = |p: &str, arg: &str| Command::new(p).arg(arg).output().is_ok();
    if runs("slurmctld", "-V") && runs("slurmd", "-V") && runs("munged", "--version") && runs("sbatch", "--version") {
        println!("cargo::rustc-cfg=dwmtj_has_slurm");
    }
    if python_has("import gdstk") {
        println!("cargo::rustc-cfg=dwmtj_has_gdstk");
    }
    if python_has("from ovf import ovf; import numpy") {
        println!("cargo::rustc-cfg=dwmtj_has_ovf");
    }
}
