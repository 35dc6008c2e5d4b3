//! `dwmtj dw`: the SciPy peer problem, current sweeps against single runs, Monte Carlo, bad flags.

#[allow(unused_imports)]
use super::*;

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
