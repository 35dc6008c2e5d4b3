//! `dwmtj train` and `dwmtj compare`.

#[allow(unused_imports)]
use super::*;

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
fn weights_round_trip_through_safetensors_and_program_other_devices() {
    // A float run's weights.safetensors programs a float network to exactly its accuracy, and
    // a DW-MTJ network (clipped and snapped to its levels) to within a few points.
    let tmp = tempfile::tempdir().unwrap();
    let cfg = repo().join("configs/nn/mnist-mlp.toml");
    let cfg = cfg.to_str().unwrap();
    let run = |args: &[&str]| -> serde_json::Value {
        let o = dwmtj(args);
        assert!(o.status.success(), "{}", stderr(&o));
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let trained = tmp.path().join("trained");
    let t = run(&[
        "train",
        cfg,
        "--device",
        "float",
        "--epochs",
        "1",
        "--out",
        trained.to_str().unwrap(),
        "--json",
    ]);
    let weights = trained.join("weights.safetensors");
    let bytes = std::fs::read(&weights).unwrap();
    // The safetensors header: an 8-byte length, then JSON naming the tensors and the format.
    let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let header = std::str::from_utf8(&bytes[8..8 + n]).unwrap();
    for key in [
        "layers.0.weight",
        "layers.2.bias",
        "layers.1.device_state",
        "dwmtj-weights-1",
        "784,256,128,10",
    ] {
        assert!(header.contains(key), "{key} not in {header}");
    }
    let w = weights.to_str().unwrap();
    let same = run(&[
        "train",
        cfg,
        "--device",
        "float",
        "--weights",
        w,
        "--out",
        tmp.path().join("f").to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(same["test_accuracy"], t["test_accuracy"]);
    assert_eq!(same["clipped_fraction"], 0.0);
    let dw = run(&[
        "train",
        cfg,
        "--weights",
        w,
        "--out",
        tmp.path().join("dw").to_str().unwrap(),
        "--json",
    ]);
    let (a, b) = (dw["test_accuracy"].as_f64().unwrap(), t["test_accuracy"].as_f64().unwrap());
    assert!((a - b).abs() < 0.03, "dw-linear {a} vs float {b}");
    assert!(tmp.path().join("dw/weights.safetensors").is_file());
    // Weights for another network are refused with the shapes named, and nothing is written.
    let small = tmp.path().join("small.toml");
    std::fs::write(
        &small,
        std::fs::read_to_string(repo().join("configs/nn/mnist-mlp.toml"))
            .unwrap()
            .replace("[256, 128]", "[64]"),
    )
    .unwrap();
    let o = dwmtj(&[
        "train",
        small.to_str().unwrap(),
        "--weights",
        w,
        "--out",
        tmp.path().join("x").to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    let e = stderr(&o);
    assert!(e.contains("layers.0.weight") || e.contains("weight matrices"), "{e}");
    assert!(!tmp.path().join("x").exists());
}

#[test]
fn accuracy_over_time_drifts_pcm_and_flips_scaled_footprints() {
    // Float-trained weights programmed into DW-MTJ tiles, then read 1 s .. 1 year later: the
    // prototype footprints (Delta ~ 400) keep their accuracy exactly; 20 x 25 nm footprints
    // (Delta ~ 36, tau_0 e^Delta ~ 2 months) lose it by a year; PCM-like drift costs accuracy
    // that global drift compensation wins back.
    let tmp = tempfile::tempdir().unwrap();
    let cfg = repo().join("configs/nn/mnist-mlp.toml");
    let cfg = cfg.to_str().unwrap();
    let trained = tmp.path().join("trained");
    assert!(dwmtj(&[
        "train",
        cfg,
        "--device",
        "float",
        "--epochs",
        "1",
        "--out",
        trained.to_str().unwrap()
    ])
    .status
    .success());
    let w = trained.join("weights.safetensors");
    let out = tmp.path().join("ot");
    let o = dwmtj(&[
        "train",
        cfg,
        "--weights",
        w.to_str().unwrap(),
        "--over-time",
        "--out",
        out.to_str().unwrap(),
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let curves = v["over_time"].as_array().unwrap();
    let curve = |needle: &str| -> Vec<f64> {
        let c = curves.iter().find(|c| c["label"].as_str().unwrap().contains(needle)).unwrap();
        c["points"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["accuracy"].as_f64().unwrap())
            .collect()
    };
    let base = v["test_accuracy"].as_f64().unwrap();
    assert!(
        curve("200 x 400").iter().all(|a| (a - base).abs() < 1e-12),
        "{:?} vs {base}",
        curve("200 x 400")
    );
    let scaled = curve("20 x 25");
    assert!((scaled[0] - base).abs() < 0.01 && *scaled.last().unwrap() < 0.3, "{scaled:?}");
    let (pcm, gdc) = (curve("aihwkit"), curve("compensation"));
    assert!(pcm.last().unwrap() < &(base - 0.005), "{pcm:?}");
    assert!(gdc.last().unwrap() > pcm.last().unwrap(), "{gdc:?} vs {pcm:?}");
    for f in ["over_time.csv", "accuracy-vs-time.png", "accuracy-vs-time.svg"] {
        assert!(out.join(f).is_file(), "{f}");
    }
    // --over-time needs --weights.
    let o = dwmtj(&["train", cfg, "--over-time", "--out", tmp.path().join("x").to_str().unwrap()]);
    assert!(!o.status.success() && stderr(&o).contains("--weights"));
}

/// configs/nn/ir-drop.toml: the trained network is also read through the arrays' 1 Ohm lines;
/// the summary (and summary.json) carry the accuracy through them, below the ideal one.
#[test]
fn train_reads_the_network_through_the_lines_of_its_crossbar() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("ir");
    let cfg = repo().join("configs/nn/ir-drop.toml");
    let o = dwmtj(&["train", cfg.to_str().unwrap(), "--out", out.to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let c = &v["crossbar"];
    let (ideal, lines) = (v["test_accuracy"].as_f64().unwrap(), c["test_accuracy"].as_f64().unwrap());
    eprintln!(
        "ideal {ideal}, through 1 Ohm lines {lines}, weight errors {}",
        c["weight_error_rms"]
    );
    assert!(ideal > 0.8 && lines < ideal - 0.05, "{v}");
    assert_eq!(c["params"]["line_resistance_ohm"], 1.0);
    assert_eq!(c["weight_error_rms"].as_array().unwrap().len(), 2);
    let saved: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(saved["crossbar"], *c);
}
