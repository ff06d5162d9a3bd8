#!/usr/bin/env bash
# Runs every libFuzzer target for FUZZ_SECONDS each (docs/reliability.md).
#   fuzz/run.sh <build-dir>      FUZZ_SECONDS (60), FUZZ_TARGETS (all), FUZZ_JOBS (1)
# Seeds: fuzz/corpus/<target>/ and, for the message parsers, tests/corpus/. What a run learns
# is kept in <build-dir>/fuzz-corpus/<target>/; a crash leaves its input in
# <build-dir>/fuzz-artifacts/<target>/ and makes the script exit 1 after the other targets ran.
set -uo pipefail
build_dir=${1:?usage: fuzz/run.sh <build-dir>}
source_dir=$(cd "$(dirname "$0")/.." && pwd)
seconds=${FUZZ_SECONDS:-60}
targets=${FUZZ_TARGETS:-envelope gateway_answer llm_answer skill_md knight_yaml response_parser request_framing}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=()
for target in $targets; do
  binary="$build_dir/bin/fuzz_$target"
  [ -x "$binary" ] || { echo "fuzz: $binary is missing (cmake --build $build_dir --target fuzzers)"; failed+=("$target"); continue; }
  corpus="$build_dir/fuzz-corpus/$target"
  artifacts="$build_dir/fuzz-artifacts/$target"
  mkdir -p "$corpus" "$artifacts"
  seeds=("$source_dir/fuzz/corpus/$target")
  case $target in
    envelope|gateway_answer) [ -d "$source_dir/tests/corpus" ] && seeds+=("$source_dir/tests/corpus") ;;
  esac
  log="$build_dir/fuzz-$target.log"
  echo "fuzz: $target for ${seconds}s (log $log)"
  "$binary" -max_total_time="$seconds" -max_len=1048576 -timeout=20 -rss_limit_mb=2560 -print_final_stats=1 \
    -artifact_prefix="$artifacts/" "$corpus" "${seeds[@]}" >"$log" 2>&1
  status=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
  if [ $status -ne 0 ]; then
    echo "fuzz: $target FAILED (exit $status); input in $artifacts/:"
    ls "$artifacts"
    grep -m1 -A25 -E '==ERROR|runtime error|SUMMARY|deadly signal|out-of-memory|timeout after' "$log" | head -40
    failed+=("$target")
  else
    echo "fuzz: $target ok, ${runs:-?} runs, ${cov:-cov ?}"
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]}"
  exit 1
fi
echo "fuzz: all targets ran ${seconds}s without a finding"
