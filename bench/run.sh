#!/usr/bin/env bash
# Runs the tinydata benchmarks and prints one table (see bench/README.md).
#
#   bench/run.sh            generate W1-W3 into bench/out/, run bench/infer_bench (median of
#                           REPS runs), run W3 end to end for every method REPS times
#
# Environment: BUILD_DIR (default build), REPS (default 5), W3_METHODS (default: all methods),
# W3_ITERATIONS (iteration cap for the W3 runs, default 100), BENCH_FILTER (a regex passed to
# --benchmark_filter, default: all).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
case $build in /*) ;; *) build=$root/$build ;; esac
out=$root/bench/out
reps=${REPS:-5}
w3_methods=${W3_METHODS:-"mv wawa zbs ds onecoin glad mace"}
w3_iterations=${W3_ITERATIONS:-100}
bench_filter=${BENCH_FILTER:-.}
tinydata=$build/src/tinydata/cli/tinydata
gen=$build/bench/gen_answers
infer_bench=$build/bench/infer_bench

if [[ ! -x $tinydata || ! -x $gen || ! -x $infer_bench ]]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DTINYDATA_WERROR=ON >/dev/null
  cmake --build "$build" --target tinydata gen_answers infer_bench -j "$(nproc)"
fi
if [[ ! -x /usr/bin/time ]]; then
  echo "bench/run.sh: /usr/bin/time is missing (Debian package 'time')" >&2
  exit 1
fi

# generate <name> <gen_answers arguments...>: writes bench/out/<name>/{answers,gold}.csv once per
# set of arguments.
generate() {
  local name=$1
  shift
  local dir=$out/$name
  local stamp="$*"
  if [[ -f $dir/answers.csv && -f $dir/stamp && $(cat "$dir/stamp") == "$stamp" ]]; then
    return
  fi
  mkdir -p "$dir"
  echo "generating $name: $stamp" >&2
  "$gen" "$@" --out "$dir/answers.csv" --gold "$dir/gold.csv"
  echo "$stamp" >"$dir/stamp"
}

generate w1 --items 100000 --answers-per-item 10 --workers 2000 --classes 2 --seed 1
generate w2 --items 100000 --answers-per-item 10 --workers 2000 --classes 5 --seed 2
generate w3 --items 1000000 --answers-per-item 10 --workers 2000 --classes 2 --seed 3

# median <numbers...>
median() {
  printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {
    if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

echo "running infer_bench ($reps repetitions)" >&2
TINYDATA_BENCH_W1_CSV=$out/w1/answers.csv "$infer_bench" \
  --benchmark_filter="$bench_filter" \
  --benchmark_repetitions="$reps" --benchmark_report_aggregates_only=true \
  --benchmark_out="$out/infer_bench.csv" --benchmark_out_format=csv >&2

# bench_value <benchmark name> <column name>: the median row's value of that column.
bench_value() {
  awk -F, -v name="\"$1_median\"" -v col="$2" '
    /^name,/ { for (i = 1; i <= NF; i++) idx[$i] = i; header = 1; next }
    header && $1 == name { print $(idx[col]); exit }' "$out/infer_bench.csv"
}

declare -A w3_seconds w3_mb w3_accuracy
for m in $w3_methods; do
  times=()
  rss=()
  for ((r = 1; r <= reps; r++)); do
    /usr/bin/time -f '%e %M' -o "$out/time.txt" \
      "$tinydata" aggregate --method "$m" --iterations "$w3_iterations" \
      --out "$out/w3/labels_$m.csv" "$out/w3/answers.csv"
    read -r seconds kb <"$out/time.txt"
    times+=("$seconds")
    rss+=("$kb")
    echo "W3 $m run $r: ${seconds}s, $((kb / 1024)) MB" >&2
  done
  w3_seconds[$m]=$(median "${times[@]}")
  w3_mb[$m]=$(( $(median "${rss[@]}" | cut -d. -f1) / 1024 ))
  w3_accuracy[$m]=$("$tinydata" eval --gold "$out/w3/gold.csv" "$out/w3/labels_$m.csv" |
    awk -F': ' '$1 == "accuracy" { print $2 }')
done

printf '\n%-16s %10s %8s %10s %8s %10s %10s %8s\n' method "W1 ms" "W1 acc" "W2 ms" "W2 acc" \
  "W3 e2e s" "W3 MB" "W3 acc"
for m in mv wawa zbs ds ds_100it ds_100it_2threads onecoin glad mace; do
  w1=$(bench_value "infer/$m/W1" real_time)
  w2=$(bench_value "infer/$m/W2" real_time)
  a1=$(bench_value "infer/$m/W1" accuracy)
  a2=$(bench_value "infer/$m/W2" accuracy)
  printf '%-16s %10.1f %8.4f %10.1f %8.4f %10s %10s %8s\n' "$m" "${w1:-nan}" "${a1:-nan}" \
    "${w2:-nan}" "${a2:-nan}" "${w3_seconds[$m]:--}" "${w3_mb[$m]:--}" "${w3_accuracy[$m]:--}"
done
for m in mean median robust; do
  printf '%-16s %10.1f  (numeric W1, mae %s)\n' "numeric/$m" \
    "$(bench_value "numeric/$m/W1" real_time)" "$(bench_value "numeric/$m/W1" mae)"
done
printf '%-16s %10.1f ms\n' load_csv/W1 "$(bench_value load_csv/W1 real_time)"
printf '%-16s %10.1f ms\n' write_labels/W1 "$(bench_value write_labels/W1 real_time)"
echo
echo "targets: ds_100it W1 < 1000 ms, load_csv W1 < 500 ms, W3 ds end to end < 20 s and < 1536 MB"
