#!/usr/bin/env bash
# Load test of `tinydata serve` with wrk over loopback keep-alive connections (bench/README.md,
# section "Server").
#
#   bench/server/run.sh
#
# Each repetition starts a fresh server (SQLite, synchronous=full: every commit is fsynced) on a
# free port, seeds a requester, an admin, one annotator per wrk thread and a project of TASKS
# single-choice tasks, then measures
#   1. GET /api/v1/tasks/next for DURATION seconds (next.lua: every request leases a task), and
#   2. POST /api/v1/assignments/{id}/answer for DURATION/2 seconds on the leased assignments
#      (answer.lua; half as long, so the leased ids last the whole phase),
# and reads the store's write statistics from /api/v1/admin/metrics around the answer phase
# to tell how many answers shared one commit. Prints one line per repetition and the medians.
#
# Environment: BUILD_DIR (default build), REPS (5), DURATION (10 s), THREADS (wrk threads =
# annotators, 2), CONNECTIONS (64), TASKS (60000), SYNCHRONOUS (full), SERVER_THREADS (0 = one
# per core), KEEP (1: keep the temporary directories).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
here=$root/bench/server
build=${BUILD_DIR:-$root/build}
case $build in /*) ;; *) build=$root/$build ;; esac
tinydata=$build/src/tinydata/cli/tinydata
reps=${REPS:-5}
duration=${DURATION:-10}
threads=${THREADS:-2}
connections=${CONNECTIONS:-64}
tasks=${TASKS:-60000}
synchronous=${SYNCHRONOUS:-full}
server_threads=${SERVER_THREADS:-0}

. "$root/bench/lib.sh"
require_tools wrk curl jq
ensure_tinydata "$build" "$root"

# post <path> <token|-> <json> -> response body; fails on a non-2xx status.
post() {
  local auth=()
  [[ $2 != - ]] && auth=(-H "Authorization: Bearer $2")
  curl -sf -X POST "$base$1" "${auth[@]}" -H 'Content-Type: application/json' --data-binary "$3"
}

metrics() {
  curl -sf "$base/api/v1/admin/metrics" -H "Authorization: Bearer $admin_token"
}

server_pid=
cleanup() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"
    wait "$server_pid" || true
  fi
}
trap cleanup EXIT

declare -a next_rate next_p99 answer_rate answer_p99 per_commit
for rep in $(seq 1 "$reps"); do
  dir=$(mktemp -d /tmp/tinydata-bench.XXXXXX)
  port=$(free_port)
  base=http://127.0.0.1:$port
  "$tinydata" user add --database "$dir/db" --email admin@bench.local --role admin \
    --password bench-admin-password >/dev/null
  "$tinydata" serve --listen "127.0.0.1:$port" --database "$dir/db" --no-access-log \
    --client-rate 0 --client-connections 0 \
    --synchronous "$synchronous" --threads "$server_threads" --lease-seconds 3600 \
    --maintenance-seconds 3600 2>"$dir/server.log" &
  server_pid=$!
  for _ in $(seq 1 100); do
    curl -sf "$base/healthz" >/dev/null 2>&1 && break
    sleep 0.1
  done

  admin_token=$(post /api/v1/auth/login - \
    '{"email":"admin@bench.local","password":"bench-admin-password"}' | jq -r .token)
  requester=$(post /api/v1/auth/register - \
    '{"email":"req@bench.local","password":"bench-password","role":"requester"}' | jq -r .token)
  project=$(post /api/v1/projects "$requester" "$(jq -n --argjson n "$threads" '{
      title: "bench", instructions: "pick one",
      question: {type: "single_choice", options: [{value: "a", label: "A"}, {value: "b", label: "B"}]},
      domain: "general", tier: 1, min_level: 1,
      overlap: {min_answers: $n, max_answers: $n, target_confidence: 0.99},
      reward_aia: 1, gold_rate: 0}')" | jq -r .id)
  seq 1 "$tasks" | awk '{printf "{\"data\":{\"text\":\"item %d\"}}\n", $1}' >"$dir/tasks.jsonl"
  curl -sf -X POST "$base/api/v1/projects/$project/tasks?format=jsonl" \
    -H "Authorization: Bearer $requester" --data-binary @"$dir/tasks.jsonl" >/dev/null
  : >"$dir/tokens"
  for i in $(seq 1 "$threads"); do
    post /api/v1/auth/register - \
      "{\"email\":\"ann$i@bench.local\",\"password\":\"bench-password\"}" | jq -r .token \
      >>"$dir/tokens"
  done

  next=$(wrk -t "$threads" -c "$connections" -d "${duration}s" -s "$here/next.lua" "$base" \
    -- "$dir/tokens" "$dir/ids" "$project" | grep '^{"script"')
  before=$(metrics)
  answer=$(wrk -t "$threads" -c "$connections" -d "$(( (duration + 1) / 2 ))s" -s "$here/answer.lua" \
    "$base" -- "$dir/tokens" "$dir/ids" a | grep '^{"script"')
  after=$(metrics)
  commits=$(( $(jq .store.commits <<<"$after") - $(jq .store.commits <<<"$before") ))
  answers=$(( $(jq .store.answers <<<"$after") - $(jq .store.answers <<<"$before") ))
  share=$(awk -v a="$answers" -v c="$commits" 'BEGIN { printf "%.1f", c ? a / c : 0 }')
  max_share=$(jq .store.max_answers_per_commit <<<"$after")

  kill -TERM "$server_pid"
  wait "$server_pid" || true
  server_pid=
  echo "rep $rep: next $(jq -c '{rate, p50_ms, p99_ms, leased, empty, errors}' <<<"$next")"
  echo "rep $rep: answer $(jq -c '{rate, p50_ms, p99_ms, answered, rejected, exhausted, errors}' <<<"$answer")" \
    "answers_per_commit=$share max=$max_share commits=$commits"
  next_rate+=("$(jq .rate <<<"$next")")
  next_p99+=("$(jq .p99_ms <<<"$next")")
  answer_rate+=("$(jq .rate <<<"$answer")")
  answer_p99+=("$(jq .p99_ms <<<"$answer")")
  per_commit+=("$share")
  if [[ ${KEEP:-0} == 1 ]]; then echo "kept $dir"; else rm -rf "$dir"; fi
done

echo
echo "median of $reps runs (wrk -t $threads -c $connections, synchronous=$synchronous):"
printf '  tasks/next   %8.0f req/s   p99 %6.2f ms\n' "$(median "${next_rate[@]}")" \
  "$(median "${next_p99[@]}")"
printf '  answers      %8.0f /s      p99 %6.2f ms   %s answers per commit\n' \
  "$(median "${answer_rate[@]}")" "$(median "${answer_p99[@]}")" "$(median "${per_commit[@]}")"
