"""Sweeps from Python: the same table as `dwmtj sweep`, byte for byte, in memory, from
results gathered point by point, and from a Dask LocalCluster of two worker processes."""

import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import dwmtj

REPO = pathlib.Path(__file__).resolve().parents[2]
WALL_SWEEP = REPO / "configs" / "sweeps" / "wall-current-field.toml"


def cli_bin():
    path = os.environ.get("DWMTJ_BIN", str(REPO / "target" / "release" / "dwmtj"))
    if not os.path.exists(path):
        pytest.skip(f"no dwmtj binary at {path} (set DWMTJ_BIN)")
    return path


def cli_table(tmp_path, sweep, *extra):
    out = tmp_path / "cli"
    r = subprocess.run([cli_bin(), "sweep", str(sweep), "--out", str(out), *extra], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return (out / "sweep.csv").read_text(), json.loads((out / "sweep.json").read_text())


def test_sweep_gives_the_cli_table(tmp_path):
    want_csv, want_json = cli_table(tmp_path, WALL_SWEEP)
    r = dwmtj.sweep(WALL_SWEEP, jobs=2)
    assert r.csv == want_csv
    assert r.info["points"] == 50 and r.info["done"] == 50 and r.info["failed"] == 0
    assert r.info["columns"] == want_json["columns"]
    hz, j = r.table["hz [Oe]"], r.table["current_density [A/m^2]"]
    assert hz.dtype == np.float64 and hz.shape == (50,)
    assert set(hz) == {-100.0, -50.0, 0.0, 50.0, 100.0}
    assert j[0] == pytest.approx(0.2e11) and j[9] == pytest.approx(2e11)
    assert r.table["status"] == ["done"] * 50
    assert r.table["terms.dmi"].dtype == bool
    # One thread gives the same bytes.
    assert dwmtj.sweep(WALL_SWEEP, jobs=1).csv == want_csv


def test_points_run_one_by_one_give_the_same_table_and_failures_are_rows(tmp_path):
    points = dwmtj.sweep_points(WALL_SWEEP)
    assert [p["index"] for p in points] == list(range(50))
    assert points[0]["values"] == ["-100.0 Oe", "20000000000.0 A/m^2"]
    results = [dwmtj.sweep_point(WALL_SWEEP, p["index"]) for p in points]
    assert json.loads(results[7])["seed"] == points[7]["seed"]
    assert dwmtj.sweep_table(WALL_SWEEP, results).csv == dwmtj.sweep(WALL_SWEEP).csv
    results[3] = RuntimeError("node lost")
    results[4] = None
    t = dwmtj.sweep_table(WALL_SWEEP, results)
    assert t.table["status"][3:5] == ["failed", "pending"]
    assert t.table["error"][3] == "node lost"
    assert np.isnan(t.table["displacement_m"][3]) and not np.isnan(t.table["displacement_m"][2])
    assert (t.info["failed"], t.info["pending"]) == (1, 1)
    with pytest.raises(dwmtj.ConfigError):
        dwmtj.sweep_point(WALL_SWEEP, 50)


def test_bad_sweep_files_raise_config_errors(tmp_path):
    (tmp_path / "wall.toml").write_text('pulse = "2 ns"\n')
    (tmp_path / "s.toml").write_text('version = 1\nbase = "wall.toml"\n[[axis]]\nkey = "current_density"\nvalues = ["1 ns"]\n')
    with pytest.raises(dwmtj.ConfigError, match="current_density"):
        dwmtj.sweep(tmp_path / "s.toml")
    (tmp_path / "s.toml").write_text('version = 1\nbase = "wall.toml"\nmode = "diagonal"\n[[axis]]\nkey = "hz"\nvalues = [1]\n')
    with pytest.raises(dwmtj.ConfigError) as e:
        dwmtj.sweep_points(tmp_path / "s.toml")
    assert e.value.field == "mode"


def test_dask_local_cluster_gives_the_same_table(tmp_path):
    try:
        import dask.distributed  # noqa: F401
    except ImportError:
        if os.environ.get("CI") == "true":
            raise  # CI installs dask[distributed]: a missing one is a failure, not a skip
        pytest.skip("dask.distributed is not installed (pip install 'dask[distributed]')")
    want_csv, _ = cli_table(tmp_path, WALL_SWEEP)
    out = tmp_path / "dask.csv"
    r = subprocess.run(
        [sys.executable, str(REPO / "python" / "examples" / "dask_sweep.py"), str(WALL_SWEEP), "--workers", "2", "--csv", str(out), "--check"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "50 points on 2 Dask workers" in r.stdout and "identical" in r.stdout, r.stdout
    assert out.read_text() == want_csv
