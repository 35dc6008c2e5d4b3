"""The Python package against the command line: the same inputs give the same JSON; arrays
have the documented dtypes and shapes; errors carry field, value and problem; long calls
release the GIL and stop on Ctrl-C."""

import _thread
import json
import os
import pathlib
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

import dwmtj

REPO = pathlib.Path(__file__).resolve().parents[2]
CONFIGS = REPO / "configs"
# Wall-clock measurements, not results.
CLOCK = {"wall_time_s", "ns_per_cell_eval", "train_samples_per_s", "inference_samples_per_s"}


def cli_bin():
    path = os.environ.get("DWMTJ_BIN", str(REPO / "target" / "release" / "dwmtj"))
    if not os.path.exists(path):
        pytest.skip(f"no dwmtj binary at {path} (set DWMTJ_BIN)")
    return path


def cli_json(*args, tmp=None):
    out = subprocess.run([cli_bin(), *args], capture_output=True, text=True, cwd=tmp)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def strip_clock(v):
    if isinstance(v, dict):
        return {k: strip_clock(x) for k, x in v.items() if k not in CLOCK}
    if isinstance(v, list):
        return [strip_clock(x) for x in v]
    return v


def test_device_check_and_simulate_match_the_cli(tmp_path):
    d = dwmtj.Device.from_file(CONFIGS / "fig3f.toml")
    want = cli_json("check", str(CONFIGS / "fig3f.toml"), "--json")
    want.pop("file")
    assert d.check() == want
    sim = d.simulate(cycles=3, seed=2)
    cli = cli_json("simulate", str(CONFIGS / "fig3f.toml"), "--cycles", "3", "--seed", "2", "--out", str(tmp_path / "s"), "--json")
    assert sim.summary == cli
    n = len(sim["sweep"])
    for key in ("current_a", "r_mean_ohm", "r_std_ohm", "g_mean_s", "g_std_s", "switched_mean", "switched_std", "energy_j"):
        assert sim[key].dtype == np.float64 and sim[key].shape == (n,), key
    assert sim["index"].dtype == np.int64
    # The CSV the CLI wrote has the same numbers.
    rows = (tmp_path / "s" / "transfer.csv").read_text().splitlines()[1:]
    assert len(rows) == n
    assert float(rows[-1].split(",")[3]) == sim["r_mean_ohm"][-1]
    up = sim.sweep(sim["sweep"][0])
    assert up["current_a"].size > 0
    assert "[wire]" in d.resolved_toml() or "wire" in d.resolved_toml()


def test_the_builtin_devices_load():
    for name in ("fig3f", "fig4c"):
        assert dwmtj.Device.builtin(name).check()["mtjs"] == 9
    with pytest.raises(dwmtj.ConfigError):
        dwmtj.Device.builtin("fig99")


def test_wall_matches_dw_json():
    r = dwmtj.wall(material="ta-cofeb-mgo", set={"dmi": "0.3e-3"}, current_density=1e11, pulse="8 ns")
    assert r == cli_json("dw", "--material", "ta-cofeb-mgo", "--set", "dmi=0.3e-3", "--current-density", "1e11", "--pulse", "8 ns", "--json")
    # SI numbers and unit strings are the same input.
    assert dwmtj.wall(current_density="1e11 A/m^2", pulse=8e-9)["displacement_m"] == dwmtj.wall(current_density=1e11, pulse="8 ns")["displacement_m"]

    # The tilted model: the same as `dw --tilt`, with the tilt in the summary.
    t = dwmtj.wall(set={"dmi": "0.5e-3"}, width="128 nm", current_density=1e11, pulse="5 ns", tilt=True)
    assert t == cli_json("dw", "--set", "dmi=0.5e-3", "--width", "128 nm", "--current-density", "1e11", "--pulse", "5 ns", "--tilt", "--json")
    assert t["tilt_rad"] != 0.0 and "tilted" in t["integrator"]


def test_wall_sweep_equals_the_cli_sweep_and_keeps_the_shape():
    j = np.linspace(0.5e11, 2e11, 5)
    s = dwmtj.wall_sweep(j, pulse="4 ns")
    cli = cli_json("dw", "--current-density", "0.5e11", "--sweep-to", "2e11", "--sweep-points", "5", "--pulse", "4 ns", "--json")
    assert np.array_equal(s["displacement_m"], [p["displacement_m"] for p in cli["sweep"]])
    assert np.array_equal(s["final_velocity_m_per_s"], [p["final_velocity_m_per_s"] for p in cli["sweep"]])
    grid = dwmtj.wall_sweep(j.reshape(1, 5).repeat(2, axis=0), pulse="4 ns")
    assert grid["displacement_m"].shape == (2, 5)
    assert np.array_equal(grid["displacement_m"][1], s["displacement_m"])
    # Any other quantity sweeps one run per value.
    hz = dwmtj.wall_sweep(1e11, hz=np.array([-1e3, 0.0, 1e3]), pulse="4 ns")
    assert hz["displacement_m"].shape == (3,)
    assert hz["displacement_m"][1] == dwmtj.wall(current_density=1e11, pulse="4 ns")["displacement_m"]
    # One point alone gives the batch's value (SIMD lanes are bitwise single runs).
    one = dwmtj.wall(current_density=j[3], pulse="4 ns")
    assert one["displacement_m"] == s["displacement_m"][3]


def test_bad_inputs_raise_config_error_with_field_value_problem():
    with pytest.raises(dwmtj.ConfigError) as e:
        dwmtj.wall(current_density="1e11 Oe", pulse="8 ns")
    assert isinstance(e.value, ValueError)
    assert e.value.field == "current_density" and "Oe" in e.value.value and e.value.problem
    text = (CONFIGS / "fig3f.toml").read_text().replace('pulse_width = "8 ns"', 'pulse_width = "-8 ns"')
    with pytest.raises(dwmtj.ConfigError) as e:
        dwmtj.Device.from_toml(text)
    assert e.value.field.startswith("program.pulse_width")
    with pytest.raises(dwmtj.ConfigError) as e:
        dwmtj.Device.from_toml("[wire]\ncolour = 1\n", "x.toml")
    assert e.value.field is None and e.value.value == "x.toml" and "colour" in e.value.problem
    with pytest.raises(dwmtj.ConfigError):
        dwmtj.wall(colour=1)
    with pytest.raises(dwmtj.ConfigError):
        dwmtj.wall_sweep([1e11, float("nan")])
    with pytest.raises(dwmtj.ConfigError):
        dwmtj.material("kryptonite")


def test_materials_and_energy_match_the_cli():
    assert dwmtj.materials() == cli_json("materials", "--json")
    m = dwmtj.material("ta-cofeb-mgo")
    assert m == cli_json("materials", "ta-cofeb-mgo", "--json")
    ms = next(p for p in m["parameters"] if p["key"] == "ms")
    assert ms["unit"] == "A/m" and ms["value"] > 0 and ms["source"]
    assert dwmtj.energy() == cli_json("energy", "--json")
    assert dwmtj.energy(width="20 nm", multipliers=[2, 3]) == cli_json("energy", "--width", "20 nm", "--multipliers", "2,3", "--json")


def test_design_matches_the_cli_and_exports(tmp_path):
    d = dwmtj.design("sigmoid", ("150 uA", "600 uA"), mtjs=9)
    cli = cli_json("design", "--function", "sigmoid", "--current-range", "150 uA..600 uA", "--mtjs", "9", "--out", str(tmp_path / "d"), "--json")
    assert d.summary == cli
    assert d.curve.shape[1] == 3 and d.curve.dtype == np.float64
    assert d.gds[:64].find(b"DWMTJ") >= 0 or b"DWMTJ" in d.gds[:128]
    assert d.spice.startswith("* dwmtj export") or "* dwmtj export" in d.spice[:200]
    assert d.device.check()["mtjs"] == 9
    d.write(str(tmp_path / "w"))
    assert (tmp_path / "w" / "layout.gds").read_bytes() == d.gds
    f = dwmtj.design(file=str(CONFIGS / "targets" / "tanh-9.toml"))
    assert f.summary == cli_json("design", str(CONFIGS / "targets" / "tanh-9.toml"), "--out", str(tmp_path / "f"), "--json")
    # The dynamic design, as `--model dynamic`: solved against and verified by the 1D model.
    m = str(CONFIGS / "materials" / "ta-cofeb-dmi.toml")
    g = dwmtj.design("sigmoid", ("150 uA", "600 uA"), mtjs=9, material=m, model="dynamic")
    assert g.summary == cli_json("design", "--function", "sigmoid", "--current-range", "150 uA..600 uA", "--mtjs", "9", "--material", m, "--model", "dynamic", "--out", str(tmp_path / "g"), "--json")
    assert g.summary["design_model"] == "dynamic" and g.summary["rms_error"] < 0.05


def test_fit_material_matches_the_cli(tmp_path):
    v, s = str(CONFIGS / "measured" / "velocity.csv"), str(CONFIGS / "measured" / "switching.csv")
    fit, text = dwmtj.fit_material(velocity=v, switching=s)
    assert fit == cli_json("calibrate", "--velocity", v, "--switching", s, "--out", str(tmp_path / "c"), "--json")
    assert text == (tmp_path / "c" / "material.toml").read_text()
    assert {f["key"] for f in fit["fitted"]} == {"dmi", "alpha", "theta_sh", "h_dep"}
    with pytest.raises(dwmtj.ConfigError):
        dwmtj.fit_material(velocity=str(CONFIGS / "fig3f.toml"))


def test_calibrate_from_micromag_matches_the_cli(tmp_path):
    # The pinned strip, shortened: three velocity runs of 1 ns and the depinning ramp.
    text = (CONFIGS / "micromag" / "pinned-strip.toml").read_text().replace('duration = "3 ns"', 'duration = "1 ns"')
    run = tmp_path / "strip.toml"
    run.write_text(text)
    seen = []
    cal, material = dwmtj.calibrate_from_micromag(str(run), currents=(0.5e11, 1e11, 2e11), progress=lambda d, t: seen.append((d, t)))
    cli = cli_json("calibrate", "--from-micromag", str(run), "--currents", "0.5e11, 1e11, 2e11", "--out", str(tmp_path / "c"), "--json")
    for key in ("micromagnetic", "model_1d_rms_m_per_s", "fitted_1d_rms_m_per_s", "fit", "depinning"):
        assert cal[key] == cli[key], key
    assert material == (tmp_path / "c" / "material.toml").read_text()
    d = cal["depinning"]
    assert abs(d["fitted_1d_a_per_m2"] / d["micromagnetic_a_per_m2"] - 1) < 2e-3
    h_dep = next(float(line.split("=")[1]) for line in material.splitlines() if line.startswith("h_dep = "))
    assert abs(h_dep / d["h_dep_a_per_m"] - 1) < 1e-12
    assert seen and seen[-1] == (4, 4)
    with pytest.raises(dwmtj.ConfigError):
        dwmtj.calibrate_from_micromag(str(run), currents=(1e11, 2e11))


def test_export_matches_the_cli(tmp_path):
    d = dwmtj.Device.from_file(CONFIGS / "fig3f.toml")
    out = subprocess.run([cli_bin(), "export", "spice", str(CONFIGS / "fig3f.toml"), "--out", str(tmp_path / "a.cir")], capture_output=True)
    assert out.returncode == 0
    assert d.export("spice") == (tmp_path / "a.cir").read_bytes()
    path = tmp_path / "mine.txt"
    path.write_text("notes")
    with pytest.raises(FileExistsError):
        d.export("svg", str(path))
    assert path.read_text() == "notes"


def test_reproduce_fig3f_gives_the_checks_of_the_cli(tmp_path):
    seen = []
    r = dwmtj.reproduce("fig3f", progress=lambda done, total: seen.append((done, total)))
    cli = cli_json("reproduce", "fig3f", "--out", str(tmp_path / "r"), "--json")
    assert r["checks"] == cli["checks"] and r["all_pass"] == cli["all_pass"] is True
    assert r["transfer"][0]["id"] == "fig3f"
    assert seen and all(t == 10 for _, t in seen) and seen == sorted(seen)
    with pytest.raises(dwmtj.ConfigError):
        dwmtj.reproduce("fig9z")


def test_calibrate_matches_the_cli(tmp_path):
    d = dwmtj.Device.from_file(CONFIGS / "dynamic-synapse.toml")
    report, calibrated = dwmtj.calibrate(d)
    assert report == cli_json("calibrate", str(CONFIGS / "dynamic-synapse.toml"), "--out", str(tmp_path / "c"), "--json")
    assert calibrated.check()["mtjs"] == d.check()["mtjs"]


SMALL_RUN = {
    "mesh": {"length": "128 nm", "width": "32 nm", "thickness": "1 nm", "cell": "4 nm"},
    "material": {"base": "ta-cofeb-mgo"},
    "initial": {"state": "neel-wall", "x0": "64 nm"},
    "run": {"duration": "0.05 ns", "demag": "local", "samples": 10},
}


def test_micromag_dict_run_and_ovf_round_trip(tmp_path):
    r = dwmtj.micromag(SMALL_RUN)
    m = r.m
    assert m.shape == (1, 8, 32, 3) and m.dtype == np.float64
    assert np.allclose(np.linalg.norm(m, axis=-1), 1.0, atol=1e-9)
    assert r.table["t_s"].shape == r.table["mx"].shape and r.table["t_s"].size >= 2
    assert r.summary["cells"] == 8 * 32
    for fmt in ("binary8", "text"):
        data = dwmtj.write_ovf(str(tmp_path / f"m.{fmt}.ovf"), m, (4e-9, 4e-9, 1e-9), fmt)
        back, cell, title = dwmtj.read_ovf(str(tmp_path / f"m.{fmt}.ovf"))
        assert back.shape == m.shape and np.allclose(back, m, atol=1e-12 if fmt == "binary8" else 1e-9)
        assert np.allclose(cell, (4e-9, 4e-9, 1e-9)) and title == "m" and data[:4] == b"# OO"
    with pytest.raises(dwmtj.ConfigError):
        dwmtj.write_ovf(None, np.zeros((2, 3)), (1e-9, 1e-9, 1e-9))
    bad = dict(SMALL_RUN, material={"base": "kryptonite"})
    with pytest.raises(dwmtj.ConfigError) as e:
        dwmtj.micromag(bad)
    assert e.value.field == "material.base"


def test_micromag_matches_the_cli(tmp_path):
    cfg = CONFIGS / "micromag" / "dmi-1d.toml"
    r = dwmtj.micromag(str(cfg))
    cli = cli_json("micromag", str(cfg), "--out", str(tmp_path / "m"), "--json")
    assert strip_clock(r.summary) == strip_clock(cli)
    back, _, _ = dwmtj.read_ovf(str(tmp_path / "m" / "m_final.ovf"))
    assert np.allclose(back, r.m, atol=1e-6)  # binary4 on disk


def test_train_matches_the_cli(tmp_path):
    r = dwmtj.train(str(CONFIGS / "nn" / "mnist-mlp.toml"), device="float", epochs=1, seed=5)
    cli = cli_json("train", str(CONFIGS / "nn" / "mnist-mlp.toml"), "--device", "float", "--epochs", "1", "--seed", "5", "--out", str(tmp_path / "t"), "--json")
    metrics = r.pop("metrics")
    weights = r.pop("layer_weights")
    assert strip_clock(r) == strip_clock(cli)
    assert sum(w.size for w, _ in weights) == cli["weights"]
    assert [w.shape for w, _ in weights] == [(cli["layers"][k + 1], cli["layers"][k]) for k in range(len(cli["layers"]) - 1)]
    assert all(w.dtype == np.float32 and b.shape == (w.shape[0],) for w, b in weights)
    assert len(metrics) == 1 and metrics[0]["test_accuracy"] == cli["test_accuracy"]


def long_simulation():
    return dwmtj.Device.from_file(CONFIGS / "fig4c.toml").simulate(cycles=100000, devices=1)


def test_ctrl_c_raises_keyboard_interrupt_within_half_a_second():
    timer = threading.Timer(0.5, _thread.interrupt_main)
    t0 = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        long_simulation()
    stopped = time.monotonic() - t0 - 0.5
    assert stopped < 0.5, f"took {stopped:.2f} s to stop"
    # The module still works afterwards.
    assert np.isfinite(dwmtj.wall(current_density=1e11, pulse="1 ns")["displacement_m"])


def test_long_calls_release_the_gil_and_give_the_same_result_in_threads():
    d = dwmtj.Device.from_file(CONFIGS / "fig3f.toml")
    alone = d.simulate(cycles=20, seed=4).summary
    results = [None, None]

    def work(k):
        results[k] = d.simulate(cycles=20, seed=4).summary

    threads = [threading.Thread(target=work, args=(k,)) for k in range(2)]
    ticks = 0
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        ticks += 1  # Python runs while the simulations do.
        time.sleep(0.001)
    for t in threads:
        t.join()
    assert results[0] == alone and results[1] == alone
    assert ticks > 10


def test_a_failing_progress_callback_stops_the_run():
    def boom(done, total):
        raise RuntimeError("stop here")

    with pytest.raises(RuntimeError, match="stop here"):
        dwmtj.Device.from_file(CONFIGS / "fig4c.toml").simulate(cycles=20000, progress=boom)


def test_the_docstring_examples_hold(monkeypatch):
    import doctest

    monkeypatch.chdir(REPO)
    result = doctest.testmod(dwmtj, extraglobs={"dwmtj": dwmtj, "np": np}, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 10 and result.failed == 0, result


def test_results_do_not_depend_on_the_thread_count():
    code = (
        "import json, dwmtj\n"
        f"d = dwmtj.Device.from_file({str(CONFIGS / 'fig4c.toml')!r})\n"
        "s = d.simulate(cycles=6, devices=2, seed=9)\n"
        "w = dwmtj.wall(current_density=1e11, pulse='2 ns', temperature='300 K', trials=8, seed=3, width='200 nm', dt='5 ps')\n"
        "print(json.dumps([s.summary, s['r_mean_ohm'].tolist(), w]))\n"
    )
    outs = []
    for threads in ("1", "3"):
        env = dict(os.environ, RAYON_NUM_THREADS=threads)
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd="/")
        assert r.returncode == 0, r.stderr
        outs.append(r.stdout)
    assert outs[0] == outs[1]


def test_field_loops_match_the_cli(tmp_path):
    # The field-swept single MTJ: the same region statistics as `dwmtj simulate --json`, the
    # loop centred on minus the 90 Oe stray field, arrays of the documented shapes.
    dev = dwmtj.Device.from_file(CONFIGS / "field" / "single-mtj.toml")
    loops = dev.field_loops(seed=5)
    cli = cli_json("simulate", str(CONFIGS / "field" / "single-mtj.toml"), "--seed", "5", "--out", str(tmp_path / "f"), "--json")
    assert loops.summary["regions"] == cli["regions"]
    oe = 1e3 / (4 * np.pi)
    mtj = next(r for r in loops.summary["regions"] if r["region"] == {"mtj": 1})
    assert abs(mtj["offset_a_per_m"] / oe + 90.0) < 2.0
    n = len(loops.readings["field_a_per_m"])
    assert n == 10 * 2401 and loops.readings["resistance_ohm"].dtype == np.float64
    down = loops.switching_fields("mtj 1", -1)
    assert len(down) == 10 and np.all(down < 0)
    with pytest.raises(dwmtj.ConfigError):
        dwmtj.Device.from_file(CONFIGS / "fig3f.toml").field_loops()


def test_weights_interchange_with_pytorch_style_safetensors(tmp_path):
    # A run's weights.safetensors read with safetensors.numpy; saved again under the names a
    # PyTorch nn.Sequential(Linear, ReLU, Linear, ReLU, Linear) state_dict has ("0.weight",
    # "2.weight", "4.weight", ...) in float64, it programs the same float network to the same
    # accuracy.
    if os.environ.get("CI"):
        import safetensors.numpy as st  # CI installs it: a missing package is a failure there
    else:
        st = pytest.importorskip("safetensors.numpy")
    cfg = str(CONFIGS / "nn" / "mnist-mlp.toml")
    t = cli_json("train", cfg, "--device", "float", "--epochs", "1", "--out", str(tmp_path / "t"), "--json")
    w = st.load_file(str(tmp_path / "t" / "weights.safetensors"))
    assert w["layers.0.weight"].shape == (256, 784) and w["layers.2.weight"].shape == (10, 128)
    assert w["layers.0.weight"].dtype == np.float32
    torch_style = {}
    for k, idx in enumerate([0, 2, 4]):
        torch_style[f"{idx}.weight"] = w[f"layers.{k}.weight"].astype(np.float64)
        torch_style[f"{idx}.bias"] = w[f"layers.{k}.bias"].astype(np.float64)
    st.save_file(torch_style, str(tmp_path / "torch.safetensors"))
    r = cli_json("train", cfg, "--device", "float", "--weights", str(tmp_path / "torch.safetensors"), "--out", str(tmp_path / "i"), "--json")
    assert abs(r["test_accuracy"] - t["test_accuracy"]) < 1e-9


def test_infer_programs_weights_as_the_cli_does(tmp_path):
    # dwmtj.infer from a run's weights.safetensors (path and bytes) equals `dwmtj train
    # --weights FILE --over-time --json`; from (W, b) arrays (train's layer_weights) the same;
    # shapes that do not fit the network are a ConfigError naming the layer.
    cfg = str(CONFIGS / "nn" / "mnist-mlp.toml")
    t = cli_json("train", cfg, "--device", "float", "--epochs", "1", "--out", str(tmp_path / "t"), "--json")
    wfile = tmp_path / "t" / "weights.safetensors"
    cli = cli_json("train", cfg, "--weights", str(wfile), "--over-time", "--out", str(tmp_path / "i"), "--json")
    py = dwmtj.infer(str(wfile), config=cfg, over_time=True)
    for key in ("test_accuracy", "clipped_fraction", "sizes", "inference_energy_j", "over_time"):
        assert py[key] == cli[key], key
    assert py["device"] == "dw-linear" and len(py["layer_weights"]) == 3
    assert dwmtj.infer(wfile.read_bytes(), config=cfg)["test_accuracy"] == cli["test_accuracy"]
    r = dwmtj.train(cfg, device="float", epochs=1)
    again = dwmtj.infer(r["layer_weights"], config=cfg, device="float")
    assert abs(again["test_accuracy"] - r["test_accuracy"]) < 1e-12
    assert again["layer_weights"][0][0].shape == (256, 784)
    with pytest.raises(dwmtj.ConfigError, match="layer 1"):
        dwmtj.infer([(np.zeros((256, 700)), None)] + r["layer_weights"][1:], config=cfg)


def test_lenet_trains_and_its_weights_program_an_inference_network():
    # A convolutional network from Python: LeNet-5 on a few images, its layer weights shaped
    # (outputs, C_in k k) per tile, programmed back through infer as (C_out, C_in, k, k).
    text = (CONFIGS / "nn" / "lenet5.toml").read_text().replace("[network]", "[data]\ntrain_limit = 400\ntest_limit = 100\n\n[network]")
    r = dwmtj.train(text, device="float", epochs=1)
    assert r["layers"] == [784, 4704, 1176, 1600, 400, 120, 84, 10]
    shapes = [w.shape for w, _ in r["layer_weights"]]
    assert shapes == [(6, 25), (16, 150), (120, 400), (84, 120), (10, 84)]
    conv = [(w.reshape(6, 1, 5, 5), b) if w.shape == (6, 25) else (w, b) for w, b in r["layer_weights"]]
    p = dwmtj.infer(conv, config=text, device="float")
    assert abs(p["test_accuracy"] - r["test_accuracy"]) < 1e-12
