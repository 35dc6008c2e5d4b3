#!/usr/bin/env bash
# Side-by-side benchmark of the benchmark strip (docs/micromag.md 6): dwmtj-micromag vs magnum.np (CPU, f64) on the
# same strip (1024 x 128 x 1 nm in 2 nm cells, Ms 1.1e6 A/m, A 1.5e-11 J/m, Ku 1e6 J/m^3,
# D 0.5 mJ/m^2, alpha 0.1, centred Neel wall, full demag, DL-SOT 1e11 A/m^2, theta_SH 0.1),
# adaptive RK45 in both (magnum.np's RKF45 with atol = rtol = 1e-5; ours max |dm| 1e-5), same
# threads. Prints the JSON lines, the ratio of wall times and of ns per cell per evaluation,
# and the wall displacements; dwmtj runs four times: Dormand-Prince RK45 and Runge-Kutta-Fehlberg
# (magnum.np's method), each with the demag convolution in f64 and in f32.
#
# magnum.np needs torch (~6 GB), so it is not part of .ci/run:
#   python3.11 -m venv /tmp/aihw && /tmp/aihw/bin/pip install magnumnp
#   MAGNUM_PYTHON=/tmp/aihw/bin/python T_END=1e-9 THREADS=1 bench/micromag_vs_magnum.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${MAGNUM_PYTHON:-python3}
# PEER: the peer script (magnum_peer.py, the same problem written for the peer code; kept with the
# benchmark references, outside this repository).
PEER=${PEER:?set PEER=/path/to/magnum_peer.py}
T_END=${T_END:-1e-10}
THREADS=${THREADS:-1}
cargo build --release -q -p dwmtj-micromag --example bench_strip
out=$(mktemp)
trap 'rm -f "$out"' EXIT
ours=$(RAYON_NUM_THREADS=$THREADS target/release/examples/bench_strip "$T_END")
ours32=$(RAYON_NUM_THREADS=$THREADS target/release/examples/bench_strip "$T_END" f32)
oursf=$(RAYON_NUM_THREADS=$THREADS target/release/examples/bench_strip "$T_END" rkf45)
oursf32=$(RAYON_NUM_THREADS=$THREADS target/release/examples/bench_strip "$T_END" rkf45 f32)
OMP_NUM_THREADS=$THREADS "$PY" "$PEER" --dtype float64 --threads "$THREADS" --t_end "$T_END" --chunk "$T_END" --out "$out" > /dev/null
echo "dwmtj:     $ours"
echo "dwmtj f32: $ours32"
echo "dwmtj rkf45: $oursf"
echo "dwmtj rkf45 f32: $oursf32"
echo "magnum.np: $(cat "$out" | tr -d '\n' | cut -c1-600)"
"$PY" - "$ours" "$out" "$ours32" "$oursf" "$oursf32" <<'PYEOF'
import json, sys
a = json.loads(sys.argv[1])
b = json.load(open(sys.argv[2]))
a32 = json.loads(sys.argv[3])
extra = [json.loads(v) for v in sys.argv[4:]]
def find(d, *keys):
    for k in keys:
        if k in d:
            return d[k]
    for v in d.values():
        if isinstance(v, dict):
            r = find(v, *keys)
            if r is not None:
                return r
    return None
b_wall = find(b, "wall_s", "wall_time_s", "run_wall_s")
b_evals = find(b, "rhs_evals", "evals")
b_disp = find(b, "dw_disp_from_mz_nm")
cells = 512 * 64
b_ns = b_wall / (b_evals * cells) * 1e9 if b_wall and b_evals else float("nan")
print(f"wall time: dwmtj {a['wall_s']:.2f} s, magnum.np {b_wall:.2f} s, ratio {b_wall / a['wall_s']:.1f}x")
print(f"ns per cell per RHS evaluation: dwmtj {a['ns_per_cell_eval']:.1f}, magnum.np {b_ns:.1f}, ratio {b_ns / a['ns_per_cell_eval']:.1f}x")
print(f"RHS evaluations: dwmtj {a['rhs_evals']}, magnum.np {b_evals}")
print(f"wall displacement (from <m_z>): dwmtj {a['displacement_nm']:.3f} nm, magnum.np {b_disp:.3f} nm, relative difference {abs(a['displacement_nm'] / b_disp - 1):.2%}")
for r in [a32] + extra:
    print(f"dwmtj {r['method']}, demag {r['demag']}: {r['wall_s']:.2f} s ({b_wall / r['wall_s']:.1f}x magnum.np), {r['rhs_evals']} evaluations, "
          f"{r['ns_per_cell_eval']:.1f} ns per cell-evaluation, displacement {r['displacement_nm']:.3f} nm")
PYEOF
