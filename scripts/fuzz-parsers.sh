#!/usr/bin/env bash
# Long property-test run of every configuration parser (device, wall quantities, micromagnetic
# run files, training files, design targets, unit strings), outside CI. Each test edits one
# value of an example file with a value chosen to break parsers (or feeds arbitrary text) and
# asserts a validated model or an error naming a field, never a panic. Usage:
# scripts/fuzz-parsers.sh [SCALE] (default 1: 20 s to 4 minutes per test, about 13 minutes in all; the case
# counts below are scaled by SCALE). Prints each test's cases and seconds, and the totals.
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-1}
# crate, test binary, test, cases at scale 1
tests=(
  "dwmtj-core it device_parser_never_panics 3000000"
  "dwmtj-core it device_files_with_any_value_validate_or_name_the_field 200000"
  "dwmtj-core it quantity_mutations_give_errors_not_panics 3000000"
  "dwmtj-core lib parser_never_panics 3000000"
  "dwmtj-design it target_files_with_any_value_validate_or_name_the_field 3000000"
  "dwmtj-micromag it run_files_with_any_value_validate_or_name_the_field 80000"
  "dwmtj-nn it training_files_with_any_value_validate_or_name_the_field 20000"
  "dwmtj-sweep it sweep_files_with_any_value_validate_or_name_the_field 200000"
)
cargo test --release --workspace --no-run -q 2>/dev/null
total_cases=0
t_all=$(date +%s.%N)
for t in "${tests[@]}"; do
  read -r crate bin name n <<<"$t"
  cases=$(echo "$n * $scale / 1" | bc)
  if [ "$bin" = lib ]; then target=(--lib); else target=(--test "$bin"); fi
  t0=$(date +%s.%N)
  PROPTEST_CASES=$cases cargo test --release -q -p "$crate" "${target[@]}" "$name" -- --test-threads 1 \
    2>&1 | grep -E "test result|panicked|FAILED" || true
  t1=$(date +%s.%N)
  printf '%-70s %8d cases %8.1f s\n' "$crate $name" "$cases" "$(echo "$t1 - $t0" | bc)"
  total_cases=$((total_cases + cases))
done
printf 'total: %d cases in %.1f s\n' "$total_cases" "$(echo "$(date +%s.%N) - $t_all" | bc)"
