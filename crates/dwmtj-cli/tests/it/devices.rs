//! Device files: every example checks and simulates, bad inputs, thread-count independence, `materials` and `energy`.

#[allow(unused_imports)]
use super::*;

#[test]
fn every_example_config_checks_and_simulates() {
    let tmp = tempfile::tempdir().unwrap();
    let mut n = 0;
    for e in std::fs::read_dir(repo().join("configs")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_none_or(|x| x != "toml") {
            continue;
        }
        n += 1;
        let check = dwmtj(&["check", p.to_str().unwrap()]);
        assert!(check.status.success(), "{}: {}", p.display(), stderr(&check));
        let out = tmp.path().join(p.file_stem().unwrap());
        let o = dwmtj(&[
            "simulate",
            p.to_str().unwrap(),
            "--cycles",
            "3",
            "--out",
            out.to_str().unwrap(),
            "--json",
        ]);
        assert!(o.status.success(), "{}: {}", p.display(), stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["cycles"], 3);
        for f in [
            "transfer.csv",
            "transfer.png",
            "transfer.svg",
            "summary.json",
            "config.resolved.toml",
            "manifest.json",
        ] {
            assert!(out.join(f).is_file(), "{}: {f}", p.display());
        }
        // The resolved config is itself a valid device file.
        let again = tmp.path().join(format!("{}-resolved", p.file_stem().unwrap().to_string_lossy()));
        let o2 = dwmtj(&[
            "simulate",
            out.join("config.resolved.toml").to_str().unwrap(),
            "--out",
            again.to_str().unwrap(),
        ]);
        assert!(o2.status.success(), "{}: {}", p.display(), stderr(&o2));
    }
    assert!(n >= 4);
}

#[test]
fn bad_inputs_exit_nonzero_name_the_field_and_write_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "negative_width",
            GOOD.replace("value = \"1 um\"", "value = \"-1 um\""),
            "wire.width.value",
        ),
        (
            "unknown_key",
            GOOD.replace("[wire]", "[wire]\nshape = \"round\""),
            "unknown field `shape`",
        ),
        (
            "length_in_oe",
            GOOD.replace("length = \"2 um\"", "length = \"200 Oe\""),
            "wire.length",
        ),
        (
            "negative_tmr",
            GOOD.replace("[[mtj]]", "[mtj_defaults]\ntmr = \"-50 %\"\n\n[[mtj]]"),
            "mtj_defaults.tmr",
        ),
        (
            "nan",
            GOOD.replace("[[mtj]]", "[mtj_defaults]\nra = nan\n\n[[mtj]]"),
            "mtj_defaults.ra",
        ),
        ("nan_text", GOOD.replace("length = \"2 um\"", "length = \"NaN um\""), "wire.length"),
    ];
    for (name, text, needle) in cases {
        let f = write(tmp.path(), &format!("{name}.toml"), &with_program(&text));
        let out = tmp.path().join(format!("out-{name}"));
        assert_rejected!(
            dwmtj(&["simulate", f.to_str().unwrap(), "--out", out.to_str().unwrap()]),
            out,
            needle
        );
        let o = dwmtj(&["check", f.to_str().unwrap()]);
        assert!(!o.status.success() && stderr(&o).contains(needle), "check {name}: {}", stderr(&o));
    }
    let out = tmp.path().join("out-missing");
    assert_rejected!(
        dwmtj(&["simulate", "/nonexistent/device.toml", "--out", out.to_str().unwrap()]),
        out,
        "/nonexistent/device.toml"
    );
    // A file without a program cannot be simulated.
    let f = write(tmp.path(), "noprog.toml", GOOD);
    let out = tmp.path().join("out-noprog");
    assert_rejected!(
        dwmtj(&["simulate", f.to_str().unwrap(), "--out", out.to_str().unwrap()]),
        out,
        "no [program]"
    );
    // Bad command-line values.
    let o = dwmtj(&["energy", "--width", "25 Oe"]);
    assert!(!o.status.success() && stderr(&o).contains("--width"));
    let o = dwmtj(&["materials", "kryptonite"]);
    assert!(!o.status.success() && stderr(&o).contains("kryptonite"));
}

#[test]
fn results_do_not_depend_on_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = repo().join("configs/bipolar-synapse.toml");
    let mut csvs = Vec::new();
    for threads in ["1", "2"] {
        let out = tmp.path().join(format!("t{threads}"));
        let o = dwmtj_env(
            &["simulate", cfg.to_str().unwrap(), "--seed", "42", "--out", out.to_str().unwrap()],
            &[("RAYON_NUM_THREADS", threads)],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        csvs.push(std::fs::read_to_string(out.join("transfer.csv")).unwrap());
    }
    assert_eq!(csvs[0], csvs[1]);
}

#[test]
fn materials_and_energy_commands() {
    let o = dwmtj(&["materials"]);
    assert!(o.status.success());
    let s = String::from_utf8_lossy(&o.stdout);
    for m in ["ta-cofeb-mgo", "pt-cotb", "pt-co"] {
        assert!(s.contains(m), "{s}");
    }
    let o = dwmtj(&["materials", "ta-cofeb-mgo", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!((v["derived"]["wall_width_m"].as_f64().unwrap() - 7.07e-9).abs() < 0.01e-9);
    assert!(v["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| !p["source"].as_str().unwrap().is_empty()));
    let f = repo().join("configs/materials/pt-co-strong-dmi.toml");
    let o = dwmtj(&["materials", "pt-co-annealed", "--file", f.to_str().unwrap()]);
    assert!(
        o.status.success() && String::from_utf8_lossy(&o.stdout).contains("user file"),
        "{}",
        stderr(&o)
    );
    let o = dwmtj(&["energy", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let rows = v["scaled"].as_array().unwrap();
    let e2 = rows[0]["energy_scaled_pulse_j"].as_f64().unwrap();
    let e4 = rows[1]["energy_scaled_pulse_j"].as_f64().unwrap();
    assert!((e2 / 18e-15 - 1.0).abs() < 0.05 && (e4 / 36e-15 - 1.0).abs() < 0.05, "{e2} {e4}");
}

#[test]
fn field_sweep_program_writes_loops_with_the_stray_field_offset() {
    // configs/field/single-mtj.toml: a 90 Oe stray field (favouring P, reference up) centres the
    // footprint's loop on -90 Oe; the bare wire's loop is centred on zero; the files are complete.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("loop");
    let cfg = repo().join("configs/field/single-mtj.toml");
    let o = dwmtj(&[
        "simulate",
        cfg.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--json",
        "--seed",
        "9",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["seed"], 9);
    let oe = 1e3 / (4.0 * std::f64::consts::PI);
    let regions = v["regions"].as_array().unwrap();
    let mtj = regions.iter().find(|r| r["region"]["mtj"] == 1).unwrap();
    let offset = mtj["offset_a_per_m"].as_f64().unwrap() / oe;
    assert!((offset + 90.0).abs() < 2.0, "offset {offset} Oe");
    let wire = regions.iter().find(|r| r["region"] == "wire").unwrap();
    assert!((wire["offset_a_per_m"].as_f64().unwrap() / oe).abs() < 2.0);
    for f in [
        "loops.csv",
        "switching_fields.csv",
        "regions.csv",
        "loop.png",
        "loop.svg",
        "hall.png",
        "summary.json",
        "device.toml",
        "manifest.json",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let csv = std::fs::read_to_string(out.join("loops.csv")).unwrap();
    // 10 loops of 2 x 1200 + 1 readings.
    assert_eq!(csv.lines().count(), 1 + 10 * 2401);
    // The same seed gives the same loops; another seed other thermal draws.
    let again = tmp.path().join("again");
    assert!(
        dwmtj(&["simulate", cfg.to_str().unwrap(), "--out", again.to_str().unwrap(), "--seed", "9"])
            .status
            .success()
    );
    assert_eq!(
        std::fs::read(out.join("switching_fields.csv")).unwrap(),
        std::fs::read(again.join("switching_fields.csv")).unwrap()
    );
}
