"""The Verilog-A export compiled by OpenVAF's front end (openvaf-py) and evaluated at the
operating points the file lists: the state rate dx/dt of every MTJ's wall (toward AP, and back
toward P for bipolar writing) and the read current equal dwmtj's own numbers (written by dwmtj
into the file's header)."""

import os
import pathlib
import re
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]

if os.environ.get("CI"):
    import openvaf_py  # CI installs it: a missing package is a failure there
else:
    openvaf_py = pytest.importorskip("openvaf_py")


def cli_bin():
    path = os.environ.get("DWMTJ_BIN", str(REPO / "target" / "release" / "dwmtj"))
    if not os.path.exists(path):
        pytest.skip(f"no dwmtj binary at {path} (set DWMTJ_BIN)")
    return path


@pytest.mark.parametrize("config", ["fig3f.toml", "material-model.toml", "bipolar-synapse.toml"])
def test_verilog_a_rates_and_read_current_match_dwmtj(tmp_path, config):
    va = tmp_path / "model.va"
    out = subprocess.run([cli_bin(), "export", "verilog-a", str(REPO / "configs" / config), "--out", str(va)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    text = va.read_text()
    module = openvaf_py.compile_va(str(va))[0]
    n_mtj = sum(1 for n in module.param_names if re.fullmatch(r"V\(x\d+\)", n))
    assert n_mtj >= 1 and len(module.nodes) == 4 + n_mtj
    base = {n: 0.0 for n, k in zip(module.param_names, module.param_kinds) if k == "voltage"}
    base.update(module.get_param_defaults())
    base["mfactor"] = 1.0
    rates = reads = 0
    for line in text.splitlines():
        r = re.match(r"// dwmtj expects rate mtj=(\d+) V\(in_p,in_n\)=(\S+) V\(x\d+\)=(\S+) dxdt=(\S+)", line)
        if r:
            k, v, x, want = int(r[1]), float(r[2]), float(r[3]), float(r[4])
            p = dict(base, **{"V(in_p,in_n)": v, f"V(x{k})": x})
            residuals, _ = module.run_init_eval(p)
            # The state's 1 pS leak toward its initial value x0_k (it sets the DC point).
            got = -residuals[4 + k][0] / 1e-12 + (x - p[f"x0_{k}"])
            assert abs(got - want) <= 1e-6 * max(abs(want), 1.0), (line, got)
            rates += 1
        r = re.match(r"// dwmtj expects read V\(out_p,out_n\)=(\S+) x=(\S+) I=(\S+)", line)
        if r:
            v, x, want = float(r[1]), float(r[2]), float(r[3])
            p = dict(base, **{"V(out_p,out_n)": v})
            for k in range(n_mtj):
                p[f"V(x{k})"] = x
            residuals, _ = module.run_init_eval(p)
            got = residuals[2][0]
            assert abs(got / want - 1.0) <= 1e-9, (line, got)
            reads += 1
    assert rates >= 4 and reads == 3
