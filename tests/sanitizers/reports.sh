#!/usr/bin/env bash
# Prints every sanitizer report written under <dir> (log_path=<dir>/asan|ubsan|tsan.<pid>),
# one summary line each, then the reports in full; exits 1 when there is any.
set -uo pipefail
dir=${1:?usage: reports.sh <sanitizer-reports dir>}
shopt -s nullglob
reports=("$dir"/*)
if [ ${#reports[@]} -eq 0 ]; then
  echo "sanitizers: no report"
  exit 0
fi
echo "sanitizers: ${#reports[@]} report file(s) in $dir"
for f in "${reports[@]}"; do
  echo "== $f: $(grep -m1 -E 'SUMMARY|runtime error' "$f")"
done
for f in "${reports[@]}"; do
  echo; echo "==== $f"; head -80 "$f"
done
exit 1
