//! `dwmtj micromag`: the examples, OVF read back by an independent reader.

#[allow(unused_imports)]
use super::*;

/// Column `name` of a run folder's table.csv.
fn table_column(run: &Path, name: &str) -> Vec<f64> {
    let table = std::fs::read_to_string(run.join("table.csv")).unwrap();
    let c = table
        .lines()
        .next()
        .unwrap()
        .split(',')
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("{name} column"));
    table
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(c).unwrap().parse().unwrap())
        .collect()
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
    let mz = table_column(&mtj, "mz_mtj1");
    // The wall passes both MTJ footprints: each reverses from down to up, and with a +z
    // reference layer each conductance steps from G_AP = G_P / (1 + TMR) to G_P = area / RA,
    // mtj1 first.
    let column = |name: &str| table_column(&mtj, name);
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

/// A pulse program on a wall held by film pinning (a modulated anisotropy) under an MTJ's stray
/// field (configs/micromag/pinned-program.toml): the pulses below the footprint's threshold
/// leave it unswitched and the wall where it was, the one above it switches the footprint; and
/// the new keys' bad values are refused with their names.
#[test]
fn a_pinned_wall_switches_its_footprint_only_above_the_threshold() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = repo().join("configs/micromag/pinned-program.toml");
    let out = tmp.path().join("pinned");
    let o = dwmtj(&["micromag", cfg.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let column = |name: &str| table_column(&out, name);
    // Rows at 0, 5, 10 and 15 ns: after the 0.85, 1.15 and 1.45 J_dep pulses (threshold 1.3).
    let (mz, wall) = (column("mz_footprint"), column("wall_x_m"));
    assert!(mz[..3].iter().all(|&m| m < -0.9), "switched below the threshold: {mz:?}");
    assert!(mz[3] > 0.95, "not switched above it: {mz:?}");
    assert!((wall[2] - wall[0]).abs() < 3e-9, "the pinned wall moved: {wall:?}");
    let text = std::fs::read_to_string(&cfg).unwrap();
    for (from, to, field) in [
        ("pinning_ku = \"1.2e4 J/m^3\"\n", "", "material.pinning_ku"),
        ("pinning_period = \"40 nm\"\n", "", "material.pinning_period"),
        ("pinning_ku = \"1.2e4 J/m^3\"", "pinning_ku = \"2e6 J/m^3\"", "material.pinning_ku"),
        ("pinning_ku = \"1.2e4 J/m^3\"", "pinning_ku = \"1.2e4 A/m\"", "material.pinning_ku"),
        ("pinning_period = \"40 nm\"", "pinning_period = \"5 nm\"", "material.pinning_period"),
        ("scales = [0.85, 1.15, 1.45]", "scales = []", "drive.pulse_train.scales"),
        ("scales = [0.85, 1.15, 1.45]", "scales = [0.85, 1e3]", "drive.pulse_train.scales"),
        ("period = \"5 ns\"", "period = \"2 ns\"", "drive.pulse_train.period"),
        ("rise = \"1 ns\"", "rise = \"9 ns\"", "drive.pulse_train.width"),
        (
            "[drive.pulse_train]",
            "[drive.current_pulse]\nwidth = \"1 ns\"\n[drive.pulse_train]",
            "drive.pulse_train",
        ),
    ] {
        assert!(text.contains(from), "pinned-program.toml lacks {from:?}");
        let bad = write(tmp.path(), "bad-train.toml", &text.replacen(from, to, 1));
        let dir = tmp.path().join("bad-train");
        assert_rejected!(
            dwmtj(&["micromag", bad.to_str().unwrap(), "--out", dir.to_str().unwrap()]),
            dir,
            field
        );
    }
}

/// The pinned strip of configs/ (the calibration example): above its depinning threshold the
/// wall runs from well to well; at 0.8 of the quasi-static J_dep = 1.63e11 A/m^2 it stays in
/// its well.
#[test]
fn the_pinned_strip_holds_its_wall_below_depinning_and_releases_it_above() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = repo().join("configs/micromag/pinned-strip.toml");
    let text = std::fs::read_to_string(&cfg).unwrap();
    let travel = |drive: &str, name: &str| -> f64 {
        let file = write(
            tmp.path(),
            &format!("{name}.toml"),
            &text.replace("current_density = \"2.5e11 A/m^2\"", drive),
        );
        let out = tmp.path().join(name);
        let o = dwmtj(&["micromag", file.to_str().unwrap(), "--out", out.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        let x = table_column(&out, "wall_x_m");
        x[x.len() - 1] - x[0]
    };
    let above = travel("current_density = \"2.5e11 A/m^2\"", "above");
    let below = travel("current_density = \"1.3e11 A/m^2\"", "below");
    eprintln!("3 ns: {:.1} nm at 2.5e11 A/m^2, {:.2} nm at 1.3e11 A/m^2", above * 1e9, below * 1e9);
    assert!(above > 80e-9, "did not depin: {above}");
    assert!(below.abs() < 20e-9, "passed its barrier (half a period) below depinning: {below}");
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
