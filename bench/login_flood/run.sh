#!/usr/bin/env bash
# Latency of an ordinary route while 16 connections flood the sign-in endpoint with wrong
# passwords (bench/README.md, section "Login flood").
#
#   bench/login_flood/run.sh [BASELINE_BINARY]
#
# Each repetition starts a fresh server (SQLite) on a free port, registers a user whose token
# GET /api/v1/me uses and a victim account, then runs two wrk processes at once: 16 connections
# posting wrong passwords for the victim to /api/v1/auth/login (login.lua) for FLOOD seconds,
# and, from the 3rd second, one connection calling ROUTE (GET /api/v1/me/profile, a route that
# waits for the database on the blocking pool) for MEASURE seconds, whose p50 and p99 latency
# are reported. The flood and the reader are two clients at different addresses, as seen
# through a trusted proxy (X-Forwarded-For; the servers of this build get --trusted-proxy
# 127.0.0.1, the baseline ignores the header), so per-address limits apply to the flood only.
# Three servers are measured in the same run:
#   baseline  BASELINE_BINARY (an older tinydata; optional) with its defaults;
#   default   this build with its defaults (per-client rate, sign-in throttling);
#   unlimited this build with every throttle off, so each of the flood's requests hashes a
#             password: what is left is the password work queue keeping other routes free.
#
# Environment: BUILD_DIR (default build), REPS (5), FLOOD (20 s), MEASURE (15 s),
# CONNECTIONS (16), ROUTE (/api/v1/me/profile).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
here=$root/bench/login_flood
build=${BUILD_DIR:-$root/build}
case $build in /*) ;; *) build=$root/$build ;; esac
tinydata=$build/src/tinydata/cli/tinydata
baseline=${1:-}
reps=${REPS:-5}
flood=${FLOOD:-20}
measure=${MEASURE:-15}
connections=${CONNECTIONS:-16}
route=${ROUTE:-/api/v1/me/profile}

. "$root/bench/lib.sh"
require_tools wrk curl jq
ensure_tinydata "$build" "$root"

server_pid=
cleanup() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"
    wait "$server_pid" || true
  fi
}
trap cleanup EXIT

# wrk's latency percentile line ("99%  12.34ms") in milliseconds.
percentile_ms() {
  awk -v p="$1" '$1 == p {
    v = $2; unit = v; sub(/[0-9.]+/, "", unit); sub(/[a-z]+$/, "", v);
    if (unit == "us") v /= 1000; else if (unit == "s") v *= 1000; else if (unit == "m") v *= 60000;
    print v }' "$2"
}

# run_one <binary> <extra serve args...>: prints "p50 p99 me_requests flood_requests flood_429".
run_one() {
  local binary=$1
  shift
  local dir port base token
  dir=$(mktemp -d /tmp/tinydata-login-flood.XXXXXX)
  port=$(free_port)
  base=http://127.0.0.1:$port
  "$binary" serve --listen "127.0.0.1:$port" --database "$dir/db" --no-access-log "$@" \
    2>"$dir/server.log" &
  server_pid=$!
  for _ in $(seq 1 100); do
    curl -sf "$base/healthz" >/dev/null 2>&1 && break
    sleep 0.1
  done
  token=$(curl -sf -X POST "$base/api/v1/auth/register" -H 'Content-Type: application/json' \
    --data-binary '{"email":"reader@bench.local","password":"reader password"}' | jq -r .token)
  curl -sf -X POST "$base/api/v1/auth/register" -H 'Content-Type: application/json' \
    --data-binary '{"email":"victim@bench.local","password":"victim password"}' >/dev/null
  EMAIL=victim@bench.local FORWARDED_FOR=203.0.113.7 wrk -t2 -c"$connections" -d"${flood}s" -s "$here/login.lua" \
    --latency "$base" >"$dir/flood.txt" 2>&1 &
  local flood_pid=$!
  sleep 3
  wrk -t1 -c1 -d"${measure}s" --latency -H "Authorization: Bearer $token" \
    -H "X-Forwarded-For: 198.51.100.9" "$base$route" >"$dir/me.txt" 2>&1
  wait "$flood_pid"
  local p50 p99 me_requests flood_requests non2xx
  p50=$(percentile_ms 50% "$dir/me.txt")
  p99=$(percentile_ms 99% "$dir/me.txt")
  me_requests=$(awk '/requests in/ {print $1}' "$dir/me.txt")
  flood_requests=$(awk '/requests in/ {print $1}' "$dir/flood.txt")
  non2xx=$(awk '/Non-2xx/ {print $NF}' "$dir/flood.txt")
  kill -TERM "$server_pid"
  wait "$server_pid" || true
  server_pid=
  rm -rf "$dir"
  echo "$p50 $p99 $me_requests $flood_requests ${non2xx:-0}"
}

configs=(default unlimited)
[[ -n $baseline ]] && configs=(baseline "${configs[@]}")
declare -A p99s p50s
for rep in $(seq 1 "$reps"); do
  for config in "${configs[@]}"; do
    case $config in
      baseline) line=$(run_one "$baseline") ;;
      default) line=$(run_one "$tinydata" --trusted-proxy 127.0.0.1) ;;
      unlimited)
        line=$(run_one "$tinydata" --trusted-proxy 127.0.0.1 --client-rate 0 --client-connections 0 \
          --login-failures-per-account 0 --login-failures-per-address 0)
        ;;
    esac
    read -r p50 p99 me_count flood_count refused <<<"$line"
    printf "rep %d %-9s GET $route p50 %8.2f ms  p99 %8.2f ms  (%s requests; flood %s requests, %s non-2xx)\n" \
      "$rep" "$config" "$p50" "$p99" "$me_count" "$flood_count" "$refused"
    p99s[$config]+="$p99 "
    p50s[$config]+="$p50 "
  done
done
echo "medians over $reps repetitions, GET $route during a $connections-connection login flood:"
for config in "${configs[@]}"; do
  # shellcheck disable=SC2086
  printf '  %-9s p50 %8.2f ms  p99 %8.2f ms\n' "$config" "$(median ${p50s[$config]})" \
    "$(median ${p99s[$config]})"
done
