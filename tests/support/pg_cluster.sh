#!/usr/bin/env bash
# A private, throwaway PostgreSQL cluster for the tests and benchmarks, on 127.0.0.1 only.
#
#   pg_cluster.sh start STATE_DIR [--durable]   initdb + start; prints the URL, writes STATE_DIR/url
#   pg_cluster.sh stop STATE_DIR                 stop and delete the cluster
#
# The cluster lives in a fresh temporary directory (recorded in STATE_DIR/data_dir) and listens
# on a free port of 127.0.0.1 with its socket in that directory, so it never touches a system
# cluster. The database superuser is "tinydata" with trust authentication (loopback only).
# PostgreSQL refuses to run as root: as root the server runs as the unprivileged user `nobody`.
# Without --durable fsync is off (tests only need crash safety of the server process, which
# PostgreSQL's WAL gives without fsync); benchmarks pass --durable.
set -euo pipefail

die() { echo "pg_cluster.sh: $*" >&2; exit 1; }

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bindir" ] && [ -x "$bindir/initdb" ] ||
  die "no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql)"

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi
}

cmd=${1:-}; state=${2:-}
[ -n "$cmd" ] && [ -n "$state" ] || die "usage: pg_cluster.sh start|stop STATE_DIR [--durable]"

case "$cmd" in
start)
  durable=0; [ "${3:-}" = "--durable" ] && durable=1
  mkdir -p "$state"
  if [ -f "$state/data_dir" ] && [ -d "$(cat "$state/data_dir")" ]; then
    "$0" stop "$state" || true
  fi
  data_dir=$(mktemp -d /tmp/tinydata-pg-XXXXXX)
  chmod 700 "$data_dir"
  [ "$(id -u)" = 0 ] && chown nobody:nogroup "$data_dir"
  echo "$data_dir" > "$state/data_dir"
  as_owner "$bindir/initdb" -D "$data_dir/data" -U tinydata --auth=trust -E UTF8 --no-locale \
    > "$data_dir/initdb.log" 2>&1 || { cat "$data_dir/initdb.log" >&2; die "initdb failed"; }
  options="-c listen_addresses=127.0.0.1 -c unix_socket_directories=$data_dir -c max_connections=300"
  options="$options -c shared_buffers=256MB"
  if [ "$durable" = 0 ]; then
    options="$options -c fsync=off -c full_page_writes=off -c synchronous_commit=off"
  fi
  for attempt in 1 2 3 4 5 6 7 8; do
    port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
    # Something already answers on this port: pick another.
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then continue; fi
    if as_owner "$bindir/pg_ctl" -D "$data_dir/data" -l "$data_dir/server.log" -w -t 60 \
         -o "$options -p $port" start > /dev/null 2>&1; then
      url="postgresql://tinydata@127.0.0.1:$port/postgres"
      echo "$url" > "$state/url"
      echo "$url"
      exit 0
    fi
  done
  tail -n 20 "$data_dir/server.log" >&2 || true
  die "could not start PostgreSQL on a free port"
  ;;
stop)
  [ -f "$state/data_dir" ] || exit 0
  data_dir=$(cat "$state/data_dir")
  if [ -d "$data_dir/data" ]; then
    as_owner "$bindir/pg_ctl" -D "$data_dir/data" -m fast -w stop > /dev/null 2>&1 || true
  fi
  rm -rf "$data_dir"
  rm -f "$state/data_dir" "$state/url"
  ;;
*)
  die "unknown command '$cmd' (start or stop)"
  ;;
esac
