#!/usr/bin/env bash
# Side-by-side benchmark of wall-pulse simulations: dwmtj (Rust, RK45) vs SciPy solve_ivp (RK45)
# on the same problem, tolerances and machine, one thread each, pinned to one core. The two
# codes run in alternation for ROUNDS rounds (default 3); each round prints both JSON lines and
# the round's ratios, and the last lines give the median ratio over the rounds (a shared
# machine's load moves both codes' figures from run to run).
# Needs a Python with scipy: PYTHON=/path/to/venv/bin/python3.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
# PEER: the peer script (scipy_dw_peer.py, the same problem written for the peer code; kept with the
# benchmark references, outside this repository).
PEER=${PEER:?set PEER=/path/to/scipy_dw_peer.py}
ROUNDS=${ROUNDS:-3}
ARGS=(--dmi 0.3e-3 --j 1e11 --pulse 8e-9 --rtol 1e-8 --atol 1e-12)
cargo build --release -q -p dwmtj-core --example bench_dw
PIN=(); command -v taskset >/dev/null && PIN=(taskset -c 0)
lines=()
for r in $(seq "$ROUNDS"); do
  ours=$(RAYON_NUM_THREADS=1 "${PIN[@]}" target/release/examples/bench_dw "${ARGS[@]}")
  peer=$(OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 "${PIN[@]}" "$PY" "$PEER" "${ARGS[@]}" --repeat 50)
  echo "round $r dwmtj: $ours"
  echo "round $r scipy: $peer"
  lines+=("$ours" "$peer")
done
"$PY" - "${lines[@]}" <<'PYEOF'
import json, statistics, sys
runs = [json.loads(s) for s in sys.argv[1:]]
pairs = list(zip(runs[0::2], runs[1::2]))
a, b = pairs[0]
print(f"displacement: dwmtj {a['displacement_m']:.9e} m, scipy {b['displacement_m']:.9e} m, rel diff {abs(a['displacement_m']/b['displacement_m']-1):.2e}")
print(f"rhs evals per pulse: dwmtj {a['rhs_evals']}, scipy {b['rhs_evals']}")
med = lambda f: statistics.median(f(x, y) for x, y in pairs)
for i, (x, y) in enumerate(pairs, 1):
    print(f"round {i}: scipy {y['pulses_per_s']:.1f} pulses/s; dwmtj one at a time {x['pulses_per_s']:.0f} ({x['pulses_per_s']/y['pulses_per_s']:.0f}x), "
          f"batched {x['batch_pulses_per_s']:.0f} ({x['batch_pulses_per_s']/y['pulses_per_s']:.0f}x), sweep {x['batch_sweep_pulses_per_s']:.0f} ({x['batch_sweep_pulses_per_s']/y['pulses_per_s']:.0f}x)")
print(f"median ratio, one pulse at a time: {med(lambda x, y: x['pulses_per_s']/y['pulses_per_s']):.0f}x")
print(f"median ratio, batches of 4096 pulses in SIMD lanes: {med(lambda x, y: x['batch_pulses_per_s']/y['pulses_per_s']):.0f}x (same pulse), "
      f"{med(lambda x, y: x['batch_sweep_pulses_per_s']/y['pulses_per_s']):.0f}x (0.5-1.5 J sweep)")
print(f"thermal (Heun, dt 1 ps, 300 K), one at a time: dwmtj {statistics.median(x['thermal_pulses_per_s'] for x, _ in pairs):.0f} pulses/s (no SciPy peer)")
PYEOF
