# Helpers the server benchmark scripts share (bench/server/run.sh, bench/cluster/run.sh).
# Source it: `. "$root/bench/lib.sh"`.

# A TCP port on 127.0.0.1 that was free a moment ago.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# The median of the numbers given as arguments.
median() {
  printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {
    if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# Fails unless every command named is on PATH.
require_tools() {
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "${0##*/}: $tool is missing" >&2; exit 1; }
  done
}

# Builds the tinydata binary of build directory $1 (source tree $2) unless it is there.
ensure_tinydata() {
  if [[ ! -x $1/src/tinydata/cli/tinydata ]]; then
    cmake -S "$2" -B "$1" -DCMAKE_BUILD_TYPE=Release -DTINYDATA_WERROR=ON >/dev/null
    cmake --build "$1" --target tinydata -j "$(nproc)"
  fi
}
