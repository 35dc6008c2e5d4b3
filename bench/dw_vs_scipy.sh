#!/usr/bin/env bash
# Side-by-side benchmark of one wall-pulse simulation: dwmtj (Rust, RK45) vs SciPy solve_ivp
# (RK45) on the same problem, tolerances and machine, one thread each. Prints both JSON lines
# and the throughput ratio. Needs a Python with scipy: PYTHON=/path/to/venv/bin/python3.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
PEER=${PEER:-../shared/bench/scipy_dw_peer.py}
ARGS=(--dmi 0.3e-3 --j 1e11 --pulse 8e-9 --rtol 1e-8 --atol 1e-12)
cargo build --release -q -p dwmtj-core --example bench_dw
PIN=(); command -v taskset >/dev/null && PIN=(taskset -c 0)
ours=$(RAYON_NUM_THREADS=1 "${PIN[@]}" target/release/examples/bench_dw "${ARGS[@]}")
peer=$(OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 "${PIN[@]}" "$PY" "$PEER" "${ARGS[@]}" --repeat 50)
echo "dwmtj: $ours"
echo "scipy: $peer"
"$PY" - "$ours" "$peer" <<'PYEOF'
import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"displacement: dwmtj {a['displacement_m']:.9e} m, scipy {b['displacement_m']:.9e} m, rel diff {abs(a['displacement_m']/b['displacement_m']-1):.2e}")
print(f"rhs evals: dwmtj {a['rhs_evals']}, scipy {b['rhs_evals']}")
print(f"deterministic pulses/s: dwmtj {a['pulses_per_s']:.0f}, scipy {b['pulses_per_s']:.1f}, ratio {a['pulses_per_s']/b['pulses_per_s']:.0f}x")
print(f"thermal (Heun, dt 1 ps, 300 K) pulses/s: dwmtj {a['thermal_pulses_per_s']:.0f}")
PYEOF
