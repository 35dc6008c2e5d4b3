#!/usr/bin/env bash
# Runs every subcommand on fixed inputs and prints one digest line per output file and per
# JSON printed on stdout, with wall-clock fields and manifests' timestamps removed. Compare the
# output of two builds to show a restructuring changed no result:
#   scripts/output-digest.sh target/release/dwmtj > before.txt   (old build)
#   scripts/output-digest.sh target/release/dwmtj > after.txt    (new build); diff before.txt after.txt
# PNG files are listed by name only (their encoder may change); everything else by content.
set -euo pipefail
BIN=$(realpath "${1:-target/release/dwmtj}")
REPO=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
C="$REPO/configs"
cat > cmp.toml <<TOML
name = "cmp"
[data]
dir = "$REPO/data/mnist"
train_limit = 300
test_limit = 100
[network]
hidden = [16]
[training]
epochs = 1
batch = 8
lr = 0.2
device_file = "$C/fig3f.toml"
[compare]
devices = ["float", "dw-linear", "epiram"]
TOML
run() { local name=$1; shift; "$BIN" "$@" > "stdout.$name.json"; }
run sim-fig3f simulate "$C/fig3f.toml" --cycles 3 --seed 2 --out sim-fig3f --json
run sim-fig4c simulate "$C/fig4c.toml" --cycles 3 --out sim-fig4c --json
run sim-bipolar simulate "$C/bipolar-synapse.toml" --cycles 2 --out sim-bipolar --json
run sim-dynamic simulate "$C/dynamic-synapse.toml" --cycles 1 --devices 1 --out sim-dynamic --json
run sim-material simulate "$C/material-model.toml" --cycles 1 --out sim-material --json
run reproduce reproduce all --out reproduce --json
run calibrate calibrate "$C/dynamic-synapse.toml" --out calibrate --json
run design-sig design --function sigmoid --current-range "150 uA..600 uA" --mtjs 9 --monte-carlo 4 --out design-sig --json
run design-file design "$C/targets/tanh-9.toml" --out design-file --json
run design-analog design --analog static --function sigmoid --current-range "1 mA..3 mA" --allow-miss --out design-analog --json
"$BIN" export gds "$C/fig3f.toml" --out fig3f.gds > /dev/null
"$BIN" export svg "$C/fig3f.toml" --out fig3f.svg > /dev/null
"$BIN" export spice "$C/fig3f.toml" --out fig3f.cir > /dev/null
run check check "$C/fig3f.toml" --json
run materials materials --json
run material materials ta-cofeb-mgo --json
run energy energy --json
run dw dw --material ta-cofeb-mgo --set dmi=0.3e-3 --current-density 1e11 --pulse "8 ns" --out dw --json
run dw-sweep dw --current-density 0.5e11 --sweep-to 2e11 --sweep-points 5 --pulse "4 ns" --out dw-sweep --json
run dw-thermal dw --current-density 1e11 --pulse "2 ns" --temperature "300 K" --trials 4 --seed 7 --width "200 nm" --dt "5 ps" --out dw-thermal --json
run train train "$C/nn/mnist-mlp.toml" --device float --epochs 1 --seed 5 --out train --json
run compare compare cmp.toml --out compare --json
run micromag micromag "$C/micromag/dmi-1d.toml" --out micromag --json
# Wall-clock fields and timestamps vary run to run; the command line names temporary paths.
strip() { sed -E 's/"(created_unix_s|wall_time_s|ns_per_cell_eval|[a-z_]*samples_per_s)": [0-9.e+-]+/"\1": X/g; s#'"$WORK"'#WORK#g; s#'"$REPO"'#REPO#g'; }
find . -type f ! -name cmp.toml | LC_ALL=C sort | while read -r f; do
  case "$f" in
    *.png) echo "png $f" ;;
    # GDSII libraries and structures carry their creation dates (BGNLIB, BGNSTR): zeroed.
    *.gds) echo "$(python3 -c 'import sys
b = bytearray(open(sys.argv[1], "rb").read()); i = 0
while i + 4 <= len(b):
    n, t = int.from_bytes(b[i:i + 2], "big"), b[i + 2]
    if t in (0x01, 0x05): b[i + 4:i + 28] = bytes(24)
    i += max(n, 4)
sys.stdout.buffer.write(b)' "$f" | sha256sum | cut -c1-16) $f" ;;
    *) echo "$(strip < "$f" | sha256sum | cut -c1-16) $f" ;;
  esac
done
