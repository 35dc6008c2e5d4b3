//! `dwmtj reproduce`: every figure, its files and checks, the JSON without an output collision.

#[allow(unused_imports)]
use super::*;

#[test]
fn reproduce_all_passes_and_writes_every_file() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = dwmtj(&["reproduce", "all", "--out", out.to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let checks = v["checks"].as_array().unwrap();
    assert!(checks.len() >= 12);
    for c in checks {
        assert_eq!(c["pass"], true, "{c}");
        for k in ["name", "paper", "ours"] {
            assert!(c[k].is_string(), "{c}");
        }
    }
    for fig in ["fig3f", "fig4c"] {
        for f in [
            "transfer.csv",
            "transfer.png",
            "transfer.svg",
            "summary.json",
            "config.resolved.toml",
            "manifest.json",
        ] {
            assert!(out.join(fig).join(f).is_file(), "{fig}/{f} missing");
        }
    }
    for f in ["energy.csv", "energy.png", "energy.svg", "summary.json"] {
        assert!(out.join("energy").join(f).is_file(), "energy/{f} missing");
    }
    // The field-swept figures and the scaling numbers, each named check present.
    for dir in [
        "fig1e",
        "fig2cd",
        "field-steps/fig3f",
        "field-steps/fig4c",
        "field-steps/fig3f-reference",
    ] {
        for f in [
            "loops.csv",
            "switching_fields.csv",
            "regions.csv",
            "loop.png",
            "hall.svg",
            "summary.json",
            "device.toml",
        ] {
            assert!(out.join(dir).join(f).is_file(), "{dir}/{f} missing");
        }
    }
    for f in ["power.csv", "mgo.csv", "tradeoff.csv", "mgo.png", "tradeoff.svg", "summary.json"] {
        assert!(out.join("scaling").join(f).is_file(), "scaling/{f} missing");
    }
    let names: Vec<&str> = checks.iter().map(|c| c["name"].as_str().unwrap()).collect();
    for want in [
        "fig1e_tmr",
        "fig1e_offset",
        "fig2cd_bare_wire",
        "fig2cd_sharrock",
        "field_steps_fig3f_staircase",
        "field_steps_fig4c_asymmetry",
        "field_steps_fig4c_sweep_rate",
        "field_steps_reference_reversal",
        "scaling_switching_power",
        "scaling_mgo_thickness",
        "scaling_retention",
    ] {
        assert!(names.contains(&want), "check {want} missing from {names:?}");
    }
    // The model consistency is not one of the paper's figures: `all` leaves it out.
    assert!(!names.iter().any(|n| n.starts_with("consistency_")) && !out.join("consistency").exists());
    // Energy checks appear once although `scaling` includes them.
    assert_eq!(names.iter().filter(|n| **n == "energy_scaled_20nm").count(), 1);
    // The staircase device files are the figures' own files with a field program.
    let staircase = std::fs::read_to_string(out.join("field-steps/fig3f/device.toml")).unwrap();
    assert!(staircase.contains("field-sweep") && staircase.contains("fig3f-linear-synapse"));
    // PNGs are real images.
    let png = std::fs::read(out.join("fig3f/transfer.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let svg = std::fs::read_to_string(out.join("fig4c/transfer.svg")).unwrap();
    assert!(svg.contains("<svg") && svg.contains("designed response"));
    // The CSV has the documented columns and one row per pulse.
    let csv = std::fs::read_to_string(out.join("fig3f/transfer.csv")).unwrap();
    let header = csv.lines().next().unwrap();
    assert_eq!(
        header,
        "sweep,index,current_a,r_mean_ohm,r_std_ohm,g_mean_s,g_std_s,switched_mean,switched_std,energy_j"
    );
    assert_eq!(csv.lines().count(), 1 + 2 * 67);
    // The manifest records the command and the seed.
    let m: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("fig3f/manifest.json")).unwrap()).unwrap();
    assert_eq!(m["seed"], 7);
    assert!(m["command"].as_array().unwrap().iter().any(|a| a == "reproduce"));
}

#[test]
fn reproduce_json_without_out_folder_collision() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("e");
    assert!(dwmtj(&["reproduce", "energy", "--out", out.to_str().unwrap()]).status.success());
    // A second run into the same folder is refused without --force, and leaves it intact.
    let o = dwmtj(&["reproduce", "energy", "--out", out.to_str().unwrap()]);
    assert!(!o.status.success() && stderr(&o).contains("--force"));
    assert!(out.join("energy/energy.csv").is_file());
    assert!(dwmtj(&["reproduce", "energy", "--out", out.to_str().unwrap(), "--force"])
        .status
        .success());
}

/// `reproduce consistency`: the threshold, 1D and micromagnetic models on one 3-MTJ device
/// (docs/physics.md 14): every check passes, the tables, plots, device and micromagnetic run
/// files are written, and the run files run as they are (`dwmtj check` of the device file).
#[test]
fn reproduce_consistency_passes_and_writes_its_files() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = dwmtj(&["reproduce", "consistency", "--out", out.to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let checks = v["checks"].as_array().unwrap();
    let names: Vec<&str> = checks.iter().map(|c| c["name"].as_str().unwrap()).collect();
    for want in [
        "consistency_velocity_1d",
        "consistency_velocity_tilted",
        "consistency_velocity_threshold",
        "consistency_depinning_1d",
        "consistency_depinning_threshold",
        "consistency_transfer_1d",
        "consistency_transfer_threshold",
        "consistency_levels",
    ] {
        assert!(names.contains(&want), "check {want} missing from {names:?}");
    }
    assert!(checks.iter().all(|c| c["pass"] == true), "{checks:?}");
    let dir = out.join("consistency");
    for f in [
        "velocity.csv",
        "thresholds.csv",
        "ramp.csv",
        "transfer.csv",
        "velocity.png",
        "ramp.svg",
        "transfer.png",
        "device.toml",
        "summary.json",
        "manifest.json",
        "micromag/program-mtj2.toml",
    ] {
        assert!(dir.join(f).is_file(), "consistency/{f} missing");
    }
    let o = dwmtj(&["check", dir.join("device.toml").to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let thresholds = std::fs::read_to_string(dir.join("thresholds.csv")).unwrap();
    assert_eq!(thresholds.lines().count(), 4, "{thresholds}");
    let transfer = std::fs::read_to_string(dir.join("transfer.csv")).unwrap();
    assert_eq!(transfer.lines().count(), 1 + 3 * 4, "{transfer}");
}
