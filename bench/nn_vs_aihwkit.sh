#!/usr/bin/env bash
# Side-by-side benchmark of on-chip MLP training with a pulsed ConstantStep device: dwmtj vs
# IBM aihwkit 1.1.0 on the same 784-256-128-10 sigmoid MLP, data (the vendored 8000/2000 MNIST
# subset), batch size, learning rate, device (aihwkit's ConstantStepDevice defaults: dw_min
# 0.001 on +-0.6, 30 % c2c and d2d), update (stochastic compressed, BL 31 with BL and update
# management) and periphery (aihwkit's default IOParameters), on the same cores.
# Runs alternate, REPEAT times each; the ratio of the medians is reported.
#
# aihwkit is ~4 GB with torch, so it is not part of .ci/run; install it once:
#   python3.11 -m venv /tmp/aihw && /tmp/aihw/bin/pip install aihwkit==1.1.0 torch==2.10.0 torchvision==0.25.0
#   AIHWKIT_PYTHON=/tmp/aihw/bin/python bench/nn_vs_aihwkit.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${AIHWKIT_PYTHON:-python3}
THREADS=${THREADS:-2}
EPOCHS=${EPOCHS:-2}
BATCH=${BATCH:-64}
LR=${LR:-0.1}
REPEAT=${REPEAT:-3}
cargo build --release -q -p dwmtj-cli
cfg=$(mktemp --suffix .toml)
out=$(mktemp -d)
trap 'rm -rf "$cfg" "$out"' EXIT
cat > "$cfg" <<TOML
name = "bench-aihwkit"
[network]
hidden = [256, 128]
activation = "sigmoid"
periphery = "aihwkit"
weight_range = 4.0
[training]
device = "constant-step"
scheme = "stochastic"
epochs = $EPOCHS
batch = $BATCH
lr = $LR
seed = 1
TOML
ours=(); peer=()
for r in $(seq "$REPEAT"); do
  ours+=("$(RAYON_NUM_THREADS=$THREADS target/release/dwmtj train "$cfg" --out "$out/run$r" --json | tr -d '\n')")
  peer+=("$(OMP_NUM_THREADS=$THREADS "$PY" bench/aihwkit_mlp.py data/mnist --threads "$THREADS" --epochs "$EPOCHS" --batch "$BATCH" --lr "$LR")")
done
printf '%s\n' "${ours[@]}" > "$out/ours.jsonl"
printf '%s\n' "${peer[@]}" > "$out/peer.jsonl"
"$PY" - "$out/ours.jsonl" "$out/peer.jsonl" "$THREADS" <<'PYEOF'
import json, statistics, sys
ours = [json.loads(l) for l in open(sys.argv[1])]
peer = [json.loads(l) for l in open(sys.argv[2])]
def med(rows, key):
    return statistics.median(r[key] for r in rows)
for key, name in [("train_samples_per_s", "training"), ("inference_samples_per_s", "inference")]:
    a, b = med(ours, key), med(peer, key)
    print(f"{name} samples/s on {sys.argv[3]} threads: dwmtj {a:.0f} (runs {[round(r[key]) for r in ours]}), "
          f"aihwkit {b:.0f} (runs {[round(r[key]) for r in peer]}), ratio {a / b:.2f}x")
print(f"test accuracy after {ours[0]['epochs']} epochs: dwmtj {[r['test_accuracy'] for r in ours]}, aihwkit {[round(r['test_accuracy'], 4) for r in peer]}")
PYEOF
