#!/usr/bin/env bash
# Sweep throughput (BENCHMARKS.md "Parameter sweeps"): points per second of `dwmtj sweep` for a
# wall-model study (32 x 32 grid of 8 ns pulses) and a device study (Fig. 3f over bias x pulse),
# on 1 and 2 threads, the same wall study in memory from Python (`dwmtj.sweep`, no folders), and,
# where Slurm is installed, the overhead per array task on a single-node Slurm
# (scripts/slurm-single-node.sh). Usage: scripts/bench_sweep.sh [PYTHON]
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
bin=$repo/target/release/dwmtj
py=${1:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp configs/wall/ta-cofeb-dmi.toml "$work/wall.toml"
cp configs/fig3f.toml "$work/fig3f.toml"
cat > "$work/wall-sweep.toml" <<'T'
version = 1
base = "wall.toml"
[[axis]]
key = "hz"
range = { from = "-100 Oe", to = "100 Oe", points = 32 }
[[axis]]
key = "current_density"
range = { from = "0.2e11 A/m^2", to = "2e11 A/m^2", points = 32, scale = "log" }
T
cat > "$work/dev-sweep.toml" <<'T'
version = 1
base = "fig3f.toml"
[[axis]]
key = "bias.hz"
range = { from = "-520 Oe", to = "-440 Oe", points = 15 }
[[axis]]
key = "program.pulse_width"
values = ["4 ns", "8 ns", "16 ns"]
[[axis]]
key = "program.cycles"
values = [2]
T
rate() { # points seconds
  echo "$1 $2" | awk '{printf "%.1f points/s (%d points in %.2f s)", $1 / $2, $1, $2}'
}
timed() { # command... -> seconds
  local t0 t1
  t0=$(date +%s.%N)
  "$@" > /dev/null
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc
}
cd "$work"
for jobs in 1 2; do
  for study in wall dev; do
    n=$([ $study = wall ] && echo 1024 || echo 45)
    best=999999
    for round in 1 2 3; do
      rm -rf "out-$study-$jobs"
      s=$(timed "$bin" sweep "$study-sweep.toml" --out "out-$study-$jobs" --jobs "$jobs")
      best=$(echo "if ($s < $best) $s else $best" | bc)
    done
    echo "dwmtj sweep ($study, --jobs $jobs, run folders and plots): $(rate $n $best)"
  done
done
cmp out-wall-1/sweep.csv out-wall-2/sweep.csv && echo "  tables identical on 1 and 2 threads"
if [ -n "$py" ]; then
  "$py" - <<'P'
import time, dwmtj
best = {}
for jobs in (1, 2):
    ts = []
    for _ in range(3):
        t0 = time.perf_counter(); r = dwmtj.sweep("wall-sweep.toml", jobs=jobs); ts.append(time.perf_counter() - t0)
    print(f"dwmtj.sweep (wall, jobs={jobs}, in memory): {1024 / min(ts):.1f} points/s (1024 points in {min(ts):.2f} s)")
P
fi
if command -v slurmctld > /dev/null && [ "$(id -u)" = 0 ]; then
  state=$work/slurm
  bash "$repo/scripts/slurm-single-node.sh" start "$state" > /dev/null
  export SLURM_CONF=$state/slurm.conf
  cat > "$work/tiny.toml" <<'T'
version = 1
base = "wall.toml"
[[axis]]
key = "hz"
range = { from = "-100 Oe", to = "100 Oe", points = 64 }
T
  local_s=$(timed "$bin" sweep tiny.toml --out tiny-local --jobs 2)
  t0=$(date +%s.%N)
  "$bin" sweep tiny.toml --out tiny-slurm --slurm --chunk 1 > /dev/null
  while [ ! -f tiny-slurm/sweep.csv ] || [ -n "$(squeue -h)" ]; do sleep 0.05; done
  t1=$(date +%s.%N)
  slurm_s=$(echo "$t1 - $t0" | bc)
  cpus=$(nproc)
  echo "slurm: 64 array tasks of 1 point on $cpus CPUs in $slurm_s s (local --jobs 2: $local_s s)" \
    | awk '{print}'
  echo "$slurm_s $local_s $cpus" | awk '{printf "  overhead per task: %.3f s of a CPU slot ((%.2f - %.2f) s x %d slots / 64 tasks)\n", ($1 - $2) * $3 / 64, $1, $2, $3}'
  cmp tiny-local/sweep.csv tiny-slurm/sweep.csv && echo "  tables identical (local, Slurm)"
  bash "$repo/scripts/slurm-single-node.sh" stop "$state"
fi
