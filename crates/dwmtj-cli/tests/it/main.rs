//! End-to-end tests of the `dwmtj` binary: reproductions, every example config, bad inputs
//! (clear message, non-zero exit, no output folder), and reproducibility across thread counts.

mod adversarial;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn dwmtj(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dwmtj")).args(args).output().expect("run dwmtj")
}

fn dwmtj_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dwmtj"));
    c.args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run dwmtj")
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts a run failed with a message naming `needle`, and left no folder (or partial) behind.
macro_rules! assert_rejected {
    ($out:expr, $dir:expr, $needle:expr) => {{
        let o = $out;
        assert!(!o.status.success(), "expected failure, got success; stderr: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains($needle), "stderr lacks {:?}:\n{}", $needle, err);
        assert!(!$dir.exists(), "{} was created", $dir.display());
        let parent = $dir.parent().unwrap();
        let leftovers: Vec<_> = std::fs::read_dir(parent)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().contains(".partial"))
            .collect();
        assert!(
            leftovers.is_empty(),
            "partial output left: {:?}",
            leftovers.iter().map(|e| e.path()).collect::<Vec<_>>()
        );
    }};
}

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

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

const GOOD: &str = include_str!("../../../dwmtj-core/tests/fixtures/good/minimal.toml");

fn with_program(text: &str) -> String {
    format!("{text}\n[program]\nkind = \"list\"\ncurrents = [\"100 uA\", \"200 uA\"]\npulse_width = \"8 ns\"\n")
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

fn dw_json(args: &[&str], env: &[(&str, &str)]) -> serde_json::Value {
    let mut full = vec!["dw"];
    full.extend_from_slice(args);
    full.push("--json");
    let o = dwmtj_env(&full, env);
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

/// The problem of the SciPy peer of bench/dw_vs_scipy.sh (scipy_dw_peer.py): SciPy solve_ivp (RK45, rtol 1e-8) gives
/// 4.3209773125e-7 m, 64.4490264553 m/s and 1.3859709420 rad (measured side by side).
#[test]
fn dw_matches_the_scipy_peer_problem() {
    let dir = tempfile::tempdir().unwrap();
    let mat = dir.path().join("m.toml");
    std::fs::write(
        &mat,
        "version = 1\n[[material]]\nname = \"peer\"\nms = 1.1e6\na_ex = 1.5e-11\nk_eff = 3e5\nalpha = 0.02\ndmi = 0.3e-3\ntheta_sh = 0.12\nt_fm = 1e-9\nt_hm = 5e-9\n",
    )
    .unwrap();
    let v = dw_json(
        &[
            "--material",
            mat.to_str().unwrap(),
            "--current-density",
            "1e11 A/m^2",
            "--pulse",
            "8 ns",
        ],
        &[],
    );
    let d = v["displacement_m"].as_f64().unwrap();
    let u = v["final_velocity_m_per_s"].as_f64().unwrap();
    let p = v["phi_rad"].as_f64().unwrap();
    assert!((d / 4.3209773125e-7 - 1.0).abs() < 1e-6, "{d}");
    assert!((u / 64.4490264553 - 1.0).abs() < 1e-6, "{u}");
    assert!((p - 1.3859709420).abs() < 1e-6, "{p}");
    // A file with only these keys has no field-like torque, STT, Oersted field or pinning.
    for t in ["field_like_sot", "stt", "oersted", "pinning", "thermal"] {
        assert_eq!(v["terms"][t], false, "{t}");
    }
    // The built-in material plus --set gives the same problem once FL-SOT and STT are off.
    let w = dw_json(
        &[
            "--set",
            "dmi=0.3 mJ/m^2",
            "--set",
            "theta_sh=0.12",
            "--set",
            "fl_dl_ratio=0",
            "--set",
            "polarization=0",
            "--current-density",
            "1e11",
            "--pulse",
            "8ns",
        ],
        &[],
    );
    assert!((w["displacement_m"].as_f64().unwrap() / d - 1.0).abs() < 1e-9);
}

/// A current sweep runs the drives side by side in SIMD lanes: each point is the single run at
/// that current, bit for bit, and the travel grows with the current.
#[test]
fn dw_current_sweep_matches_single_runs() {
    let base = ["--pulse", "4 ns", "--rise", "0.3 ns", "--set", "dmi=0.3 mJ/m^2"];
    let sweep = dw_json(
        &[
            &["--current-density", "0.4e11", "--sweep-to", "2e11", "--sweep-points", "17"],
            &base[..],
        ]
        .concat(),
        &[],
    );
    let points = sweep["sweep"].as_array().unwrap();
    assert_eq!(points.len(), 17);
    for k in [0usize, 5, 16] {
        let j = points[k]["current_density_a_per_m2"].as_f64().unwrap();
        let single = dw_json(&[&["--current-density", &j.to_string()], &base[..]].concat(), &[]);
        assert_eq!(points[k]["displacement_m"], single["displacement_m"], "point {k}");
    }
    let travel: Vec<f64> = points.iter().map(|p| p["displacement_m"].as_f64().unwrap().abs()).collect();
    assert!(travel.windows(2).all(|w| w[1] > w[0]), "{travel:?}");
    let o = dwmtj(
        &[
            &["dw", "--current-density", "1e11", "--sweep-to", "2e11", "--sweep-points", "1"],
            &base[..],
        ]
        .concat(),
    );
    assert!(!o.status.success() && stderr(&o).contains("--sweep-points"), "{}", stderr(&o));
}

#[test]
fn dw_monte_carlo_is_reproducible_and_writes_outputs() {
    let tmp = tempfile::tempdir().unwrap();
    let args = [
        "--current-density",
        "0.5e11",
        "--pulse",
        "4 ns",
        "--rise",
        "0.5 ns",
        "--temperature",
        "300 K",
        "--trials",
        "6",
        "--seed",
        "4",
        "--width",
        "200 nm",
    ];
    let a = dw_json(&args, &[("RAYON_NUM_THREADS", "1")]);
    let b = dw_json(&args, &[("RAYON_NUM_THREADS", "2")]);
    assert_eq!(a, b);
    for k in ["displacement_std_m", "switching_probability", "final_velocity_std_m_per_s"] {
        assert!(a[k].is_number(), "{k}");
    }
    let out = tmp.path().join("dw");
    let o = dwmtj(&[
        "dw",
        "--current-density",
        "1e11",
        "--pulse",
        "8 ns",
        "--hz",
        "5 Oe",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    for f in [
        "trajectory.csv",
        "trajectory.png",
        "trajectory.svg",
        "angle.png",
        "angle.svg",
        "summary.json",
        "manifest.json",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }
    assert!(std::fs::read_to_string(out.join("trajectory.csv")).unwrap().lines().count() > 10);
}

#[test]
fn dw_bad_inputs_name_the_flag() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("x");
    for (args, needle) in [
        (vec!["dw", "--current-density", "5 nm", "--pulse", "8 ns"], "--current-density"),
        (vec!["dw", "--current-density", "1e11", "--pulse", "8 Oe"], "--pulse"),
        (
            vec!["dw", "--current-density", "1e11", "--pulse", "8 ns", "--set", "spin=3"],
            "spin",
        ),
        (
            vec!["dw", "--current-density", "1e11", "--pulse", "8 ns", "--set", "alpha=7"],
            "alpha",
        ),
        (
            vec!["dw", "--material", "unobtainium", "--current-density", "1e11", "--pulse", "8 ns"],
            "unobtainium",
        ),
    ] {
        let mut a = args.clone();
        a.extend(["--out", out.to_str().unwrap()]);
        assert_rejected!(dwmtj(&a), out, needle);
    }
}

#[test]
fn calibrate_writes_a_calibrated_device_that_simulates() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("cal");
    let cfg = repo().join("configs/dynamic-synapse.toml");
    let o = dwmtj(&["calibrate", cfg.to_str().unwrap(), "--out", out.to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["rms_log_error"].as_f64().unwrap() < 0.02);
    for f in [
        "calibration.csv",
        "calibration.png",
        "calibration.svg",
        "calibrated.toml",
        "summary.json",
        "manifest.json",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }
    let again = tmp.path().join("sim");
    let o = dwmtj(&[
        "simulate",
        out.join("calibrated.toml").to_str().unwrap(),
        "--out",
        again.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn design_function_and_table_targets() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("sig");
    let o = dwmtj(&[
        "design",
        "--function",
        "sigmoid",
        "--current-range",
        "150 uA..600 uA",
        "--mtjs",
        "9",
        "--out",
        out.to_str().unwrap(),
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["rms_error"].as_f64().unwrap() <= 0.05);
    assert!(v["max_error"].as_f64().unwrap() >= v["rms_error"].as_f64().unwrap());
    assert_eq!(v["levels"], 10);
    for f in [
        "design.toml",
        "target_vs_achieved.csv",
        "target_vs_achieved.png",
        "target_vs_achieved.svg",
        "summary.json",
        "manifest.json",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }
    // The design file simulates as is.
    let sim = tmp.path().join("sim");
    let o = dwmtj(&[
        "simulate",
        out.join("design.toml").to_str().unwrap(),
        "--out",
        sim.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // A measured table (a cubic-ish monotone curve) as the target.
    let csv = tmp.path().join("t.csv");
    let rows: String = (0..=20)
        .map(|k| {
            let x = f64::from(k) / 20.0;
            format!("{:e},{}\n", 200e-6 + 400e-6 * x, x * x * (3.0 - 2.0 * x))
        })
        .collect();
    std::fs::write(&csv, format!("current_a,output\n{rows}")).unwrap();
    let out2 = tmp.path().join("tab");
    let o = dwmtj(&[
        "design",
        "--table",
        csv.to_str().unwrap(),
        "--mtjs",
        "10",
        "--out",
        out2.to_str().unwrap(),
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["rms_error"].as_f64().unwrap() <= 0.05, "{v}");
}

#[test]
fn design_rejects_infeasible_and_reports_misses() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("x");
    // A 30x current range cannot pass the breakdown limit of the narrowest section.
    assert_rejected!(
        dwmtj(&[
            "design",
            "--function",
            "linear",
            "--current-range",
            "20 uA..600 uA",
            "--out",
            out.to_str().unwrap()
        ]),
        out,
        "breakdown"
    );
    assert_rejected!(
        dwmtj(&[
            "design",
            "--function",
            "cubic",
            "--current-range",
            "200 uA..600 uA",
            "--out",
            out.to_str().unwrap()
        ]),
        out,
        "cubic"
    );
    assert_rejected!(
        dwmtj(&[
            "design",
            "--function",
            "sigmoid",
            "--current-range",
            "200 Oe..600 uA",
            "--out",
            out.to_str().unwrap()
        ]),
        out,
        "--current-range"
    );
    // Two MTJs cannot follow a sigmoid within 1 %: the outputs are written, the exit is 1.
    let o = dwmtj(&[
        "design",
        "--function",
        "sigmoid",
        "--current-range",
        "200 uA..600 uA",
        "--mtjs",
        "2",
        "--tolerance",
        "0.01",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("misses its tolerance"));
    assert!(out.join("design.toml").is_file());
    let o = dwmtj(&[
        "design",
        "--function",
        "sigmoid",
        "--current-range",
        "200 uA..600 uA",
        "--mtjs",
        "2",
        "--tolerance",
        "0.01",
        "--allow-miss",
        "--force",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success());
}

/// A Python with gdstk: $DWMTJ_PYTHON (set by .ci/run), else python3 if it has gdstk.
/// A Python (DWMTJ_PYTHON, else python3) that can run `import_line`.
fn python_with(import_line: &str) -> Option<String> {
    let candidates: Vec<String> = std::env::var("DWMTJ_PYTHON")
        .ok()
        .into_iter()
        .chain(std::iter::once("python3".to_string()))
        .collect();
    candidates.into_iter().find(|py| {
        Command::new(py)
            .args(["-c", import_line])
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

fn gdstk_python() -> Option<String> {
    python_with("import gdstk")
}

/// Under CI=true every external reader must be there (a missing one is a failure, not a skip).
#[test]
fn external_tools_are_present_in_ci() {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        // Found by build.rs when the tests were built.
        let found = [
            (cfg!(dwmtj_has_ngspice), "ngspice"),
            (cfg!(dwmtj_has_gdstk), "a Python with gdstk in DWMTJ_PYTHON"),
            (cfg!(dwmtj_has_ovf), "a Python with ovf and numpy in DWMTJ_PYTHON"),
        ];
        let missing: Vec<&str> = found.iter().filter(|(ok, _)| !ok).map(|(_, what)| *what).collect();
        assert!(missing.is_empty(), "CI must provide {missing:?} (see .ci/run)");
    }
}

/// The GDS read back by an independent reader (gdstk) matches the device geometry.
#[test]
#[cfg_attr(not(dwmtj_has_gdstk), ignore = "no Python with gdstk: set DWMTJ_PYTHON (.ci/run installs one)")]
fn gds_export_read_back_by_gdstk() {
    let py = gdstk_python().expect("a Python with gdstk (found when the tests were built)");
    let tmp = tempfile::tempdir().unwrap();
    let gds = tmp.path().join("fig3f.gds");
    let cfg = repo().join("configs/fig3f.toml");
    let o = dwmtj(&["export", "gds", cfg.to_str().unwrap(), "--out", gds.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let script = format!(
        "import gdstk, json\nlib = gdstk.read_gds({:?})\nc = lib.top_level()[0]\nprint(json.dumps({{'unit': lib.unit, 'precision': lib.precision, 'name': c.name, 'polys': [[p.layer, list(p.bounding_box()[0]), list(p.bounding_box()[1])] for p in c.polygons]}}))",
        gds.to_str().unwrap()
    );
    let out = Command::new(&py).args(["-c", &script]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!((v["unit"].as_f64().unwrap() - 1e-6).abs() < 1e-18 && (v["precision"].as_f64().unwrap() - 1e-9).abs() < 1e-21);
    let polys = v["polys"].as_array().unwrap();
    let on = |layer: i64| polys.iter().filter(|p| p[0] == layer).collect::<Vec<_>>();
    // Wire: 14.5 um long, 0.45 -> 1.45 um wide, centred on y = 0 (values in um).
    let wire = on(1);
    assert_eq!(wire.len(), 1);
    // Coordinates snap to the 1 nm database grid.
    let close = |a: &serde_json::Value, b: f64| (a.as_f64().unwrap() - b).abs() <= 0.5e-3 + 1e-9;
    assert!(
        close(&wire[0][1][0], 0.0) && close(&wire[0][2][0], 14.5) && close(&wire[0][1][1], -0.725) && close(&wire[0][2][1], 0.725),
        "{:?}",
        wire[0]
    );
    // Nine 200 nm x 400 nm MTJs at the array positions 0.8056 ... 13.6944 um.
    let mtjs = on(2);
    assert_eq!(mtjs.len(), 9);
    for (k, m) in mtjs.iter().enumerate() {
        let centre = 0.8056 + (13.6944 - 0.8056) * k as f64 / 8.0;
        assert!(close(&m[1][0], centre - 0.1) && close(&m[2][0], centre + 0.1), "MTJ {k}: {m:?}");
        assert!(close(&m[1][1], -0.2) && close(&m[2][1], 0.2));
    }
    assert_eq!(on(3).len(), 2, "two wire contacts");
    assert!(!on(4).is_empty(), "top electrode");
}

/// The SPICE subcircuit, run in the real ngspice on a pulse program, gives the same resistance
/// after every pulse as dwmtj's own simulation of the device.
#[test]
#[cfg_attr(not(dwmtj_has_ngspice), ignore = "ngspice is not installed (.ci/run installs it)")]
fn spice_export_matches_dwmtj_in_ngspice() {
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(repo().join("configs/fig3f.toml")).unwrap();
    let (_, device, program) = dwmtj_core::config::parse_device(&text, "fig3f", None).unwrap();
    let program = program.unwrap();
    // Pulses between the thresholds (222, 270, 318, 366, 414, 463, 511 uA), both signs.
    let currents: Vec<f64> = [200.0, 246.0, 294.0, 342.0, 390.0, 438.0, 487.0, 530.0, -530.0]
        .iter()
        .map(|u| u * 1e-6)
        .collect();
    let data = tmp.path().join("out.txt");
    let (net, samples) = dwmtj_design::spice::testbench(&device, &program.pulse, &currents, 20e-9, data.to_str().unwrap()).unwrap();
    let cir = tmp.path().join("tb.cir");
    std::fs::write(&cir, net).unwrap();
    // ngspice -b exits 1 after a .control run ("no .plot lines"); judge by its data file.
    let o = Command::new("ngspice").args(["-b", cir.to_str().unwrap()]).output().unwrap();
    let rows: Vec<(f64, f64)> = std::fs::read_to_string(&data)
        .unwrap_or_else(|_| panic!("ngspice wrote no data: {}", String::from_utf8_lossy(&o.stdout)))
        .lines()
        .map(|l| {
            let mut it = l.split_whitespace().map(|v| v.parse::<f64>().unwrap());
            (it.next().unwrap(), it.next().unwrap())
        })
        .collect();
    let r_spice: Vec<f64> = samples
        .iter()
        .map(|&t| rows.iter().min_by(|a, b| (a.0 - t).abs().total_cmp(&(b.0 - t).abs())).unwrap().1 / device.readout.current)
        .collect();
    // dwmtj: the same pulses as one list program, one cycle.
    let mut p = program.clone();
    p.sweeps = vec![dwmtj_core::device::Sweep {
        label: "positive".into(),
        currents: currents.clone(),
    }];
    p.cycles = 1;
    let sim = dwmtj_core::simulate::simulate(&device, &p, &|_| {}).unwrap();
    for (k, (pt, rs)) in sim.points.iter().zip(&r_spice).enumerate() {
        assert!(
            (pt.r_mean_ohm / rs - 1.0).abs() < 1e-4,
            "pulse {k} ({:.0} uA): dwmtj {} vs ngspice {}",
            currents[k] * 1e6,
            pt.r_mean_ohm,
            rs
        );
    }
    // 7 MTJs switched: the last level is the all-but-two-AP resistance.
    assert!(r_spice[7] > r_spice[0] * 1.25);
}

#[test]
fn every_target_file_designs_within_its_tolerance() {
    let tmp = tempfile::tempdir().unwrap();
    let mut n = 0;
    for e in std::fs::read_dir(repo().join("configs/targets")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_none_or(|x| x != "toml") {
            continue;
        }
        n += 1;
        let out = tmp.path().join(p.file_stem().unwrap());
        let o = dwmtj(&["design", p.to_str().unwrap(), "--out", out.to_str().unwrap(), "--json"]);
        assert!(o.status.success(), "{}: {}", p.display(), stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["within_tolerance"], true, "{}", p.display());
        for f in [
            "design.toml",
            "layout.gds",
            "layout.svg",
            "device.cir",
            "target_vs_achieved.png",
            "target_vs_achieved.svg",
            "summary.json",
        ] {
            assert!(out.join(f).is_file(), "{}: {f}", p.display());
        }
    }
    assert!(n >= 1);
}

#[test]
fn analog_designs_within_two_percent() {
    let tmp = tempfile::tempdir().unwrap();
    for (kind, function) in [("static", "sigmoid"), ("static", "tanh"), ("dynamic", "sigmoid")] {
        let out = tmp.path().join(format!("{kind}-{function}"));
        let o = dwmtj(&[
            "design",
            "--function",
            function,
            "--current-range",
            "1 mA..3 mA",
            "--analog",
            kind,
            "--tolerance",
            "0.02",
            "--out",
            out.to_str().unwrap(),
            "--json",
        ]);
        assert!(o.status.success(), "{kind} {function}: {}", stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert!(v["rms_error"].as_f64().unwrap() <= 0.02, "{v}");
        for f in [
            "hm_width.csv",
            "target_vs_achieved.csv",
            "target_vs_achieved.png",
            "layout.gds",
            "layout.svg",
            "summary.json",
        ] {
            assert!(out.join(f).is_file(), "{kind}: {f}");
        }
    }
    // A wall that cannot travel the track in the pulse is reported as infeasible.
    let out = tmp.path().join("x");
    assert_rejected!(
        dwmtj(&[
            "design",
            "--function",
            "sigmoid",
            "--current-range",
            "1 mA..3 mA",
            "--analog",
            "dynamic",
            "--pulse",
            "2 ns",
            "--out",
            out.to_str().unwrap()
        ]),
        out,
        "infeasible"
    );
}

#[test]
fn train_writes_metrics_plots_and_a_json_summary() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    let cfg = repo().join("configs/nn/mnist-mlp.toml");
    let o = dwmtj(&[
        "train",
        cfg.to_str().unwrap(),
        "--device",
        "float",
        "--epochs",
        "2",
        "--seed",
        "5",
        "--out",
        out.to_str().unwrap(),
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["test_accuracy"].as_f64().unwrap() > 0.9, "{v}");
    assert!(v["energy_j"].as_f64().unwrap() > 0.0);
    assert_eq!(v["device"], "float");
    assert_eq!(v["seed"], 5);
    for f in [
        "metrics.csv",
        "energy_breakdown.csv",
        "accuracy.png",
        "accuracy.svg",
        "loss.png",
        "loss.svg",
        "summary.json",
        "config.resolved.toml",
        "manifest.json",
        "synapse.json",
    ] {
        assert!(out.join(f).exists(), "{f} missing");
    }
    let metrics = std::fs::read_to_string(out.join("metrics.csv")).unwrap();
    assert_eq!(metrics.lines().count(), 3, "header and one row per epoch");
    // The resolved config trains the same run again.
    let again = tmp.path().join("again");
    let o = dwmtj(&[
        "train",
        out.join("config.resolved.toml").to_str().unwrap(),
        "--out",
        again.to_str().unwrap(),
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let w: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["test_accuracy"], w["test_accuracy"]);
    assert_eq!(v["energy_j"], w["energy_j"]);
    // The DW-neuron example: DW-MTJ synapses and DW sigmoid generators, one epoch.
    let dw = tmp.path().join("dw");
    let cfg = repo().join("configs/nn/dw-activation.toml");
    let o = dwmtj(&[
        "train",
        cfg.to_str().unwrap(),
        "--epochs",
        "1",
        "--out",
        dw.to_str().unwrap(),
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["test_accuracy"].as_f64().unwrap() > 0.8, "{v}");
    assert!(v["training"]["activation_j"].as_f64().unwrap() > 0.0);
    assert!(dw.join("activation.json").exists());
}

#[test]
fn compare_tabulates_every_device_with_bar_charts() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = write(
        tmp.path(),
        "cmp.toml",
        &format!(
            "name = \"cmp\"\n[data]\ndir = \"{}\"\ntrain_limit = 600\ntest_limit = 200\n[network]\nhidden = [32]\n[training]\nepochs = 1\nbatch = 8\nlr = 0.2\ndevice_file = \"{}\"\n[compare]\ndevices = [\"float\", \"dw-linear\", \"constant-step\", \"epiram\"]\n",
            repo().join("data/mnist").display(),
            repo().join("configs/fig3f.toml").display()
        ),
    );
    let out = tmp.path().join("cmp");
    let o = dwmtj(&["compare", cfg.to_str().unwrap(), "--out", out.to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let devices = v["devices"].as_array().unwrap();
    let names: Vec<&str> = devices.iter().map(|d| d["device"].as_str().unwrap()).collect();
    assert_eq!(names, ["float", "dw-linear", "constant-step", "epiram"]);
    for d in devices {
        assert!(d["test_accuracy"].as_f64().unwrap() > 0.3, "{d}");
        assert!(d["energy_j"].as_f64().unwrap() > 0.0, "{d}");
        assert!(d["inference_latency_s"].as_f64().unwrap() > 0.0, "{d}");
    }
    let table = std::fs::read_to_string(out.join("comparison.csv")).unwrap();
    assert_eq!(table.lines().count(), 5);
    for f in [
        "accuracy.png",
        "training_energy.svg",
        "inference_energy.png",
        "devices/epiram/metrics.csv",
    ] {
        assert!(out.join(f).exists(), "{f} missing");
    }
}

#[test]
fn train_bad_inputs_name_the_problem_and_write_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = repo().join("configs/nn/mnist-mlp.toml");
    let out = tmp.path().join("x");
    assert_rejected!(
        dwmtj(&[
            "train",
            cfg.to_str().unwrap(),
            "--device",
            "memristor",
            "--out",
            out.to_str().unwrap()
        ]),
        out,
        "unknown device `memristor`"
    );
    let empty = tmp.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    assert_rejected!(
        dwmtj(&[
            "train",
            cfg.to_str().unwrap(),
            "--data-dir",
            empty.to_str().unwrap(),
            "--out",
            out.to_str().unwrap()
        ]),
        out,
        "train-images-idx3-ubyte"
    );
    let bad = write(tmp.path(), "bad.toml", "[network]\nhidden = [8]\n[training]\nlr = \"fast\"\n");
    assert_rejected!(dwmtj(&["train", bad.to_str().unwrap(), "--out", out.to_str().unwrap()]), out, "lr");
}

#[test]
fn micromag_examples_run_and_write_ovf_that_reads_back() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("dmi");
    let cfg = repo().join("configs/micromag/dmi-1d.toml");
    let o = dwmtj(&[
        "micromag",
        cfg.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--format",
        "binary8",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let bytes = std::fs::read(out.join("m_final.ovf")).unwrap();
    let f = dwmtj_micromag::ovf::read(&bytes).unwrap();
    assert_eq!(f.nodes, [200, 2, 1]);
    // The standard problem's edge canting (cell centre 0.25 nm inside the edge).
    let edge = f.values[199][0] + 0.25e-9 * (3e-3 / 26e-12) * f.values[199][2];
    assert!((edge - 0.6578).abs() < 0.01, "{edge}");
    for v in &f.values {
        assert!(((v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt() - 1.0).abs() < 1e-9);
    }
    for name in ["table.csv", "mz.png", "wall.svg", "summary.json", "manifest.json"] {
        assert!(out.join(name).exists(), "{name}");
    }
    let sot = tmp.path().join("sot");
    let cfg = repo().join("configs/micromag/sot-wall.toml");
    let o = dwmtj(&["micromag", cfg.to_str().unwrap(), "--out", sot.to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["wall_displacement_m"].as_f64().unwrap() > 0.0, "{v}");
    let f = dwmtj_micromag::ovf::read(&std::fs::read(sot.join("m_final.ovf")).unwrap()).unwrap();
    assert_eq!(f.nodes, [256, 16, 1]);
    let bad = write(
        tmp.path(),
        "bad.toml",
        &std::fs::read_to_string(&cfg)
            .unwrap()
            .replace("demag = \"full\"", "demag = \"fft\""),
    );
    let dir = tmp.path().join("bad");
    assert_rejected!(
        dwmtj(&["micromag", bad.to_str().unwrap(), "--out", dir.to_str().unwrap()]),
        dir,
        "run.demag"
    );
    // The validation examples: the DMI standard problem's skyrmion on a disk mesh, and a
    // field-driven wall below the Walker field at gamma Delta B / alpha.
    let sk = tmp.path().join("skyrmion");
    let cfg = repo().join("configs/micromag/skyrmion.toml");
    let o = dwmtj(&["micromag", cfg.to_str().unwrap(), "--out", sk.to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let mz = v["final_m"][2].as_f64().unwrap();
    assert!(mz > -0.7 && mz < -0.4, "a skyrmion of ~22 nm in a 100 nm disk: <m_z> = {mz}");
    let fw = tmp.path().join("field-wall");
    let cfg = repo().join("configs/micromag/field-wall.toml");
    let o = dwmtj(&["micromag", cfg.to_str().unwrap(), "--out", fw.to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let speed = v["wall_velocity_m_per_s"].as_f64().unwrap();
    assert!((speed / 9.27 - 1.0).abs() < 0.05, "{speed} m/s");
    // Three layers through the thickness: the OVF output carries them as znodes.
    let layers = tmp.path().join("layers");
    let cfg = repo().join("configs/micromag/layers.toml");
    let o = dwmtj(&["micromag", cfg.to_str().unwrap(), "--out", layers.to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["wall_displacement_m"].as_f64().unwrap() > 0.0, "{v}");
    let f = dwmtj_micromag::ovf::read(&std::fs::read(layers.join("m_final.ovf")).unwrap()).unwrap();
    assert_eq!(f.nodes, [128, 16, 3]);
    let bad = write(
        tmp.path(),
        "bad-layers.toml",
        &std::fs::read_to_string(&cfg)
            .unwrap()
            .replace("demag = \"full\"", "demag = \"full\"\ndemag_precision = \"f32\""),
    );
    let dir = tmp.path().join("bad-layers");
    assert_rejected!(
        dwmtj(&["micromag", bad.to_str().unwrap(), "--out", dir.to_str().unwrap()]),
        dir,
        "run.demag_precision"
    );
    // Regions: MTJ footprints with stray fields read out as table columns, under a current
    // pulse with its Oersted field.
    let mtj = tmp.path().join("mtj");
    let cfg = repo().join("configs/micromag/mtj-readout.toml");
    let o = dwmtj(&["micromag", cfg.to_str().unwrap(), "--out", mtj.to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["final_region_m"][2]["name"], "mtj2", "{v}");
    let table = std::fs::read_to_string(mtj.join("table.csv")).unwrap();
    let header: Vec<&str> = table.lines().next().unwrap().split(',').collect();
    let col = header.iter().position(|h| *h == "mz_mtj1").expect("mz_mtj1 column");
    let mz: Vec<f64> = table
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(col).unwrap().parse().unwrap())
        .collect();
    // The wall passes both MTJ footprints: each reverses from down to up, and with a +z
    // reference layer each conductance steps from G_AP = G_P / (1 + TMR) to G_P = area / RA,
    // mtj1 first.
    let column = |name: &str| -> Vec<f64> {
        let c = header.iter().position(|h| *h == name).unwrap_or_else(|| panic!("{name} column"));
        table
            .lines()
            .skip(1)
            .map(|l| l.split(',').nth(c).unwrap().parse().unwrap())
            .collect()
    };
    assert!(mz[0] < -0.9 && *mz.last().unwrap() > 0.9, "{mz:?}");
    let (area, ra) = (std::f64::consts::PI * 20e-9 * 14e-9, 10e-12);
    let (g_p, g_ap) = (area / ra, area / ra / 2.5);
    let crossed = |g: &[f64]| g.iter().position(|&x| x > 0.5 * (g_p + g_ap)).expect("the conductance rises");
    for name in ["g_mtj1_s", "g_mtj2_s"] {
        let g = column(name);
        assert!((g[0] / g_ap - 1.0).abs() < 0.05, "{name} starts at G_AP {g_ap}: {g:?}");
        assert!((g.last().unwrap() / g_p - 1.0).abs() < 0.05, "{name} ends at G_P {g_p}: {g:?}");
    }
    assert!(
        crossed(&column("g_mtj1_s")) < crossed(&column("g_mtj2_s")),
        "mtj1 switches before mtj2"
    );
    assert!(v["final_region_m"][1]["conductance_s"].is_null());
    let text = std::fs::read_to_string(&cfg).unwrap();
    for (from, to, field) in [
        ("name = \"notch\"", "name = \"mtj1\"", "region[1].name"),
        ("shape = \"ellipse\"", "shape = \"circle\"", "region[0].shape"),
        ("ku = \"0.95e6 J/m^3\"", "ku = \"0.95e6 A/m\"", "region[1].ku"),
        ("width = \"1.8 ns\"", "width = \"0.01 ns\"", "drive.current_pulse.width"),
        ("tmr = \"150 %\"", "tmr = \"-1\"", "region[0].tmr"),
    ] {
        assert!(text.contains(from), "mtj-readout.toml lacks {from:?}");
        let bad = write(tmp.path(), "bad-region.toml", &text.replacen(from, to, 1));
        let dir = tmp.path().join("bad-region");
        assert_rejected!(
            dwmtj(&["micromag", bad.to_str().unwrap(), "--out", dir.to_str().unwrap()]),
            dir,
            field
        );
    }
}

/// A Python with spirit-code's `ovf` package (libovf), an OVF reader independent of ours.
fn ovf_python() -> Option<String> {
    python_with("from ovf import ovf; import numpy")
}

#[test]
#[cfg_attr(
    not(dwmtj_has_ovf),
    ignore = "no Python with spirit-code's ovf and numpy: set DWMTJ_PYTHON (.ci/run installs one)"
)]
fn ovf_output_reads_back_with_an_independent_reader() {
    let py = ovf_python().expect("a Python with ovf (found when the tests were built)");
    let tmp = tempfile::tempdir().unwrap();
    let cfg = repo().join("configs/micromag/dmi-1d.toml");
    let script = "import sys, numpy as np\nfrom ovf import ovf\nwith ovf.ovf_file(sys.argv[1]) as f:\n    s = ovf.ovf_segment()\n    f.read_segment_header(0, s)\n    d = np.zeros((s.N, 3), dtype='d')\n    f.read_segment_data(0, s, d)\n    print(s.n_cells[0], s.n_cells[1], s.n_cells[2], repr(float(d[199][0])), repr(float(d[199][2])), repr(float(np.abs(np.linalg.norm(d, axis=1) - 1).max())))\n";
    let mut seen = Vec::new();
    for format in ["binary4", "binary8", "text"] {
        let out = tmp.path().join(format);
        let o = dwmtj(&[
            "micromag",
            cfg.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--format",
            format,
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let file = out.join("m_final.ovf");
        let ours = dwmtj_micromag::ovf::read(&std::fs::read(&file).unwrap()).unwrap();
        let r = Command::new(&py).args(["-c", script, file.to_str().unwrap()]).output().unwrap();
        assert!(r.status.success(), "{format}: {}", String::from_utf8_lossy(&r.stderr));
        let text = String::from_utf8_lossy(&r.stdout);
        let f: Vec<f64> = text.split_whitespace().map(|v| v.parse().unwrap()).collect();
        assert_eq!(&f[..3], &[200.0, 2.0, 1.0], "{format}: {text}");
        let tol = if format == "binary4" { 1e-6 } else { 1e-12 };
        assert!(
            (f[3] - ours.values[199][0]).abs() < tol && (f[4] - ours.values[199][2]).abs() < tol,
            "{format}: {text}"
        );
        assert!(f[5] < 1e-6, "{format}: |m| = 1 as read: {text}");
        seen.push(f[3]);
    }
    assert!((seen[0] - seen[1]).abs() < 1e-6);
}
