#!/usr/bin/env bash
# Store ingest CPU by thread: N 250-byte RFC 5424 messages (octet-counted) over one plain TCP connection into
# `logwarden run` with a store action (the matrix's tcp-oc-5424sd-250-store row), ROUNDS runs. Per run: msgs/s,
# CPU seconds of the whole process and of its busiest threads (/proc/PID/task/*/stat, sampled just before exit),
# peak RSS (VmHWM), load average. usage: bench/store-cpu.sh [N=200000] [ROUNDS=3]
#   env: LW_ROOT (the build to run, default this tree), LW_ARGS (extra node args, e.g. --cpu-prof)
source "$(dirname "$0")/lib/common.sh"
N=${1:-200000}; ROUNDS=${2:-3}; LWROOT=${LW_ROOT:-$ROOT}
WORK=$(mktemp -d /tmp/lw-bench-storecpu.XXXXXX); trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
node "$BENCH_DIR/lib/gen-matrix.mjs" "$N" "$WORK/in" octet 5424sd 250
threads() { # PID → "tid:name:cpu" of threads with >= 0.05 CPU-s, busiest first
  for t in /proc/$1/task/*; do
    awk -v t="$CLK_TCK" -v id="${t##*/}" -v name="$(cat "$t/comm")" '{ printf "%s:%s:%.2f\n", id, name, ($14 + $15) / t }' "$t/stat"
  done | sort -t: -k3 -rn | awk -F: '$3 >= 0.05' | tr '\n' ' '
}
for r in $(seq 1 "$ROUNDS"); do
  port=$(free_port); rm -rf "$WORK/store" "$WORK/wd"; mkdir -p "$WORK/wd"
  cat > "$WORK/lw.conf" <<CONF
global(workDirectory="$WORK/wd")
module(load="imptcp")
input(type="imptcp" port="$port" address="127.0.0.1")
action(type="store" path="$WORK/store" queue.type="LinkedList" queue.size="200000" queue.dequeueBatchSize="5000")
CONF
  node ${LW_ARGS:-} "$LWROOT/bin/logwarden.js" run -f "$WORK/lw.conf" --log-level warn & pid=$!
  wait_port "$port"; base=$(cpu_seconds "$pid"); t0=$(now_ms)
  node "$BENCH_DIR/lib/send-tcp.mjs" 127.0.0.1 "$port" "$WORK/in"
  rows=$(node "$BENCH_DIR/lib/store-wait.mjs" "$WORK/store" "$N" 300) || true; t1=$(now_ms)
  cpu=$(cpu_seconds "$pid"); th=$(threads "$pid")
  report "run$r" "$N" "$rows" "$t0" "$t1" "$pid" || true
  echo "  CPU-s after start: $(awk -v a="$cpu" -v b="$base" 'BEGIN { printf "%.2f", a - b }') (startup $base); threads: $th"
  echo "  load: $(cut -d' ' -f1-3 /proc/loadavg)"
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
done
