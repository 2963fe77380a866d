#!/usr/bin/env bash
# Answers/s with 1, 2 and 3 `tinydata serve` processes on one PostgreSQL database, next to one
# server on SQLite, on this machine and under the same load (bench/README.md, "Cluster").
#
#   bench/cluster/run.sh
#
# For each configuration in CONFIGS and each repetition: a fresh database (a SQLite file with
# synchronous=full, or a new database on a private PostgreSQL cluster started by
# tests/support/pg_cluster.sh --durable: fsync and synchronous_commit on, so every commit is
# flushed as SQLite's are), N servers on free ports, ANNOTATORS annotators and a project of TASKS
# single-choice tasks (overlap = ANNOTATORS, so every annotator may answer every task). Then the
# phases of bench/server/run.sh: GET /api/v1/tasks/next for DURATION seconds (next.lua, every 200
# leases a task), then POST /api/v1/assignments/{id}/answer for DURATION/2 seconds on those
# leases (answer.lua). With N servers the load is split as a round-robin load balancer would:
# N wrk processes run at once, each with ANNOTATORS/N annotators (one per wrk thread) and
# CONNECTIONS/N connections against its own server; their rates add up, the p99 is the worst.
# Prints a line per repetition and the medians.
#
# Environment: BUILD_DIR (build), REPS (3), DURATION (10), ANNOTATORS (6), CONNECTIONS (64),
# TASKS (30000), CONFIGS ("sqlite:1 postgresql:1 postgresql:2 postgresql:3"), DURABLE (0: run
# PostgreSQL with fsync off, to tell I/O from CPU), PG_URL (a running cluster to use instead of
# a private one, e.g. with pg_stat_statements loaded), KEEP (1: keep the temporary directories). Needs wrk, curl, jq and Debian's postgresql (the Makefile's deps).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
lua=$root/bench/server
build=${BUILD_DIR:-$root/build}
case $build in /*) ;; *) build=$root/$build ;; esac
tinydata=$build/src/tinydata/cli/tinydata
reps=${REPS:-3}
duration=${DURATION:-10}
annotators=${ANNOTATORS:-6}
connections=${CONNECTIONS:-64}
tasks=${TASKS:-30000}
configs=${CONFIGS:-"sqlite:1 postgresql:1 postgresql:2 postgresql:3"}

. "$root/bench/lib.sh"
require_tools wrk curl jq
ensure_tinydata "$build" "$root"

work=$(mktemp -d /tmp/tinydata-cluster-bench.XXXXXX)
pids=()
pg_started=0
cleanup() {
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  done
  [[ $pg_started == 1 ]] && "$root/tests/support/pg_cluster.sh" stop "$work/pg" || true
  [[ ${KEEP:-0} == 1 ]] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT

# post <base> <path> <token|-> <json> -> response body; fails on a non-2xx status.
post() {
  local auth=()
  [[ $3 != - ]] && auth=(-H "Authorization: Bearer $3")
  curl -sf -X POST "$1$2" "${auth[@]}" -H 'Content-Type: application/json' --data-binary "$4"
}

if [[ -n ${PG_URL:-} ]]; then
  pg_admin=$PG_URL
elif [[ $configs == *postgresql* ]]; then
  durable=--durable
  [[ ${DURABLE:-1} == 0 ]] && durable=
  "$root/tests/support/pg_cluster.sh" start "$work/pg" $durable >/dev/null
  pg_started=1
  pg_admin=$(cat "$work/pg/url")
fi

declare -A next_rates answer_rates answer_p99s
for config in $configs; do
  backend=${config%%:*}
  servers=${config##*:}
  for rep in $(seq 1 "$reps"); do
    dir=$work/$backend-$servers-$rep
    mkdir -p "$dir"
    if [[ $backend == sqlite ]]; then
      database=$dir/db
      server_flags=(--synchronous full)
    else
      name=bench_${servers}_${rep}_$$
      psql -q "$pg_admin" -c "CREATE DATABASE $name" >/dev/null
      database=${pg_admin%/*}/$name
      server_flags=()
    fi
    "$tinydata" user add --database "$database" --email admin@bench.local --role admin \
      --password bench-admin-password >/dev/null
    bases=()
    pids=()
    for s in $(seq 1 "$servers"); do
      port=$(free_port)
      "$tinydata" serve --listen "127.0.0.1:$port" --database "$database" --no-access-log \
        --client-rate 0 --client-connections 0 \
        "${server_flags[@]}" --lease-seconds 3600 --maintenance-seconds 3600 \
        2>"$dir/server$s.log" &
      pids+=($!)
      bases+=("http://127.0.0.1:$port")
      for _ in $(seq 1 150); do
        curl -sf "${bases[-1]}/healthz" >/dev/null 2>&1 && break
        sleep 0.1
      done
    done
    base=${bases[0]}
    requester=$(post "$base" /api/v1/auth/register - \
      '{"email":"req@bench.local","password":"bench-password","role":"requester"}' | jq -r .token)
    project=$(post "$base" /api/v1/projects "$requester" "$(jq -n --argjson n "$annotators" '{
        title: "bench", instructions: "pick one",
        question: {type: "single_choice", options: [{value: "a", label: "A"}, {value: "b", label: "B"}]},
        domain: "general", tier: 1, min_level: 1,
        overlap: {min_answers: $n, max_answers: $n, target_confidence: 0.99},
        reward_aia: 1, gold_rate: 0}')" | jq -r .id)
    seq 1 "$tasks" | awk '{printf "{\"data\":{\"text\":\"item %d\"}}\n", $1}' >"$dir/tasks.jsonl"
    curl -sf -X POST "$base/api/v1/projects/$project/tasks?format=jsonl" \
      -H "Authorization: Bearer $requester" --data-binary @"$dir/tasks.jsonl" >/dev/null
    # Server s gets annotators/servers annotators of its own, registered through it.
    per_server=$(( annotators / servers ))
    per_connections=$(( connections / servers ))
    for s in $(seq 1 "$servers"); do
      : >"$dir/tokens.$s"
      for i in $(seq 1 "$per_server"); do
        post "${bases[s-1]}" /api/v1/auth/register - \
          "{\"email\":\"ann$s-$i@bench.local\",\"password\":\"bench-password\"}" | jq -r .token \
          >>"$dir/tokens.$s"
      done
    done

    wrks=()
    for s in $(seq 1 "$servers"); do
      wrk -t "$per_server" -c "$per_connections" -d "${duration}s" -s "$lua/next.lua" \
        "${bases[s-1]}" -- "$dir/tokens.$s" "$dir/ids.$s" "$project" >"$dir/next.$s" &
      wrks+=($!)
    done
    wait "${wrks[@]}"
    wrks=()
    for s in $(seq 1 "$servers"); do
      wrk -t "$per_server" -c "$per_connections" -d "$(( (duration + 1) / 2 ))s" \
        -s "$lua/answer.lua" "${bases[s-1]}" -- "$dir/tokens.$s" "$dir/ids.$s" a \
        >"$dir/answer.$s" &
      wrks+=($!)
    done
    wait "${wrks[@]}"

    next_rate=0; answer_rate=0; answer_p99=0; errors=0; leased=0; answered=0
    for s in $(seq 1 "$servers"); do
      n=$(grep '^{"script"' "$dir/next.$s")
      a=$(grep '^{"script"' "$dir/answer.$s")
      next_rate=$(awk -v x="$next_rate" -v y="$(jq .rate <<<"$n")" 'BEGIN { print x + y }')
      answer_rate=$(awk -v x="$answer_rate" -v y="$(jq .rate <<<"$a")" 'BEGIN { print x + y }')
      answer_p99=$(awk -v x="$answer_p99" -v y="$(jq .p99_ms <<<"$a")" 'BEGIN { print (y > x ? y : x) }')
      errors=$(( errors + $(jq .errors <<<"$n") + $(jq .errors <<<"$a") + $(jq .rejected <<<"$a") ))
      leased=$(( leased + $(jq .leased <<<"$n") ))
      answered=$(( answered + $(jq .answered <<<"$a") ))
    done
    for pid in "${pids[@]}"; do kill -TERM "$pid"; wait "$pid" || true; done
    pids=()
    printf 'rep %d %-12s next %7.0f/s  answers %7.0f/s  p99 %6.1f ms  (leased %d, answered %d, errors %d)\n' \
      "$rep" "$config" "$next_rate" "$answer_rate" "$answer_p99" "$leased" "$answered" "$errors"
    next_rates[$config]+=" $next_rate"
    answer_rates[$config]+=" $answer_rate"
    answer_p99s[$config]+=" $answer_p99"
    [[ ${KEEP:-0} == 1 ]] || rm -f "$dir"/tasks.jsonl "$dir"/ids.*
  done
done

echo
echo "median of $reps runs (ANNOTATORS=$annotators, CONNECTIONS=$connections split over the servers, DURATION=${duration}s):"
for config in $configs; do
  # shellcheck disable=SC2086
  printf '  %-12s tasks/next %7.0f req/s   answers %7.0f/s   answer p99 %6.1f ms\n' "$config" \
    "$(median ${next_rates[$config]})" "$(median ${answer_rates[$config]})" \
    "$(median ${answer_p99s[$config]})"
done
