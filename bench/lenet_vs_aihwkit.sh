#!/usr/bin/env bash
# Side-by-side benchmark of on-chip LeNet-5 training with a pulsed ConstantStep device: dwmtj vs
# IBM aihwkit 1.1.0 (AnalogConv2d, AnalogLinear) on the network of configs/nn/lenet5.toml, the
# same data (the vendored 8000/2000 MNIST subset, 2-pixel shifts), batch, learning rate and its
# decay, device (aihwkit's ConstantStepDevice defaults: dw_min 0.001 on +-0.6, 30 % c2c and d2d),
# update (stochastic compressed, BL 31 with BL and update management) and periphery (aihwkit's
# default IOParameters), on the same cores. Runs alternate, REPEAT times each; the ratio of the
# medians is reported, and the test accuracy after EPOCHS epochs of both.
#
# aihwkit is ~4 GB with torch, so it is not part of .ci/run; install it once:
#   python3.11 -m venv /tmp/aihw && /tmp/aihw/bin/pip install aihwkit==1.1.0 torch==2.10.0 torchvision==0.25.0
#   AIHWKIT_PYTHON=/tmp/aihw/bin/python bench/lenet_vs_aihwkit.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${AIHWKIT_PYTHON:-python3}
THREADS=${THREADS:-2}
EPOCHS=${EPOCHS:-3}
REPEAT=${REPEAT:-1}
cargo build --release -q -p dwmtj-cli
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
ours=(); peer=()
for r in $(seq "$REPEAT"); do
  ours+=("$(RAYON_NUM_THREADS=$THREADS target/release/dwmtj train configs/nn/lenet5.toml --device constant-step --epochs "$EPOCHS" --out "$out/run$r" --json | tr -d '\n')")
  peer+=("$(OMP_NUM_THREADS=$THREADS "$PY" bench/aihwkit_lenet.py data/mnist --threads "$THREADS" --epochs "$EPOCHS" --batch 8 --lr 0.05 --decay 0.88 --shift 2)")
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
print(f"test accuracy after {ours[0]['epochs']} epochs: dwmtj {[r['test_accuracy'] for r in ours]}, "
      f"aihwkit {[round(r['test_accuracy'], 4) for r in peer]} (per epoch {[[round(a, 4) for a in r['test_accuracy_per_epoch']] for r in peer]})")
PYEOF
