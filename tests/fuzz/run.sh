#!/usr/bin/env bash
# Runs every libFuzzer harness of tests/fuzz/ for a bounded time, starting from a scratch copy of
# its seed corpus (corpus/<name>/, so the repository is never written), and prints one line per
# harness: executions and coverage from libFuzzer's final statistics. Exits non-zero when any
# harness crashed, leaked, timed out on an input or broke an invariant; its log and the saved
# input are named in the output.
#
#   tests/fuzz/run.sh BUILD_DIR [SECONDS_PER_HARNESS]   (default 20; FUZZ_JOBS harnesses at once)
set -euo pipefail
shopt -s nullglob

build=$(cd "${1:?usage: run.sh BUILD_DIR [SECONDS]}" && pwd)
seconds=${2:-20}
jobs=${FUZZ_JOBS:-1}
here=$(cd "$(dirname "$0")" && pwd)
work=$build/fuzz-run
rm -rf "$work"
mkdir -p "$work"

# Reports go to each harness's log; -fno-sanitize-recover makes every UBSan finding fatal.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1:check_initialization_order=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

run_one() {
  local name=$1 dir=$work/$1
  mkdir -p "$dir/corpus" "$dir/artifacts"
  cp "$here/corpus/$name/"* "$dir/corpus/"
  local rc=0
  "$build/tests/fuzz/${name}_fuzz" -max_total_time="$seconds" -print_final_stats=1 \
    -timeout=10 -artifact_prefix="$dir/artifacts/" "$dir/corpus" >"$dir/log" 2>&1 || rc=$?
  echo "$rc" >"$dir/rc"
}

names=()
for corpus in "$here"/corpus/*/; do
  name=$(basename "$corpus")
  if [ ! -x "$build/tests/fuzz/${name}_fuzz" ]; then
    echo "run.sh: no harness $build/tests/fuzz/${name}_fuzz for corpus/$name" >&2
    exit 1
  fi
  names+=("$name")
done

echo "fuzzing ${#names[@]} harnesses for ${seconds}s each, $jobs at a time (logs in $work)"
for name in "${names[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  run_one "$name" &
done
wait

# The last value of a -print_final_stats line, and a field of the last status line.
final_stat() { sed -n "s/^stat::$2: *//p" "$1" | tail -n 1; }
status_field() { grep -E '^#[0-9]+.* cov: ' "$1" | tail -n 1 | sed -n "s/.* $2: \([^ ]*\).*/\1/p"; }

failed=0
printf '%-18s %-6s %12s %9s %7s %7s %12s\n' harness result execs exec/s cov ft corpus
for name in "${names[@]}"; do
  log=$work/$name/log
  result=ok
  [ "$(cat "$work/$name/rc")" = 0 ] || { result=FAIL; failed=1; }
  printf '%-18s %-6s %12s %9s %7s %7s %12s\n' "$name" "$result" \
    "$(final_stat "$log" number_of_executed_units)" "$(final_stat "$log" average_exec_per_sec)" \
    "$(status_field "$log" cov)" "$(status_field "$log" ft)" "$(status_field "$log" corp)"
done
if [ "$failed" != 0 ]; then
  for name in "${names[@]}"; do
    dir=$work/$name
    [ "$(cat "$dir/rc")" = 0 ] && continue
    echo
    echo "=== $name failed (exit $(cat "$dir/rc")); log $dir/log; saved input(s):" \
      "$dir"/artifacts/*
    grep -v -E '^#[0-9]+ ' "$dir/log" | tail -n 60
  done
  exit 1
fi
