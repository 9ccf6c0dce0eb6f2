#!/usr/bin/env bash
# Main-thread CPU of Logwarden for the "memory" and "isolated" rows of bench/queue.sh (the file action alone, and
# beside `*.* @@127.0.0.1:<closed port>` whose disk-assisted queue spills every message). CPU ticks of the main
# thread are what limits the rate on an idle machine; unlike wall-clock rates they stay meaningful when other
# jobs load the machine. Prints ticks (1/CLK_TCK s) per run, per thread, main thread first.
# usage: bench/queue-cpu.sh [N=300000] [ROUNDS=3]
source "$(dirname "$0")/lib/common.sh"
N=${1:-300000}; ROUNDS=${2:-3}
WORK=$(mktemp -d /tmp/lw-bench-qcpu.XXXXXX); trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
node "$BENCH_DIR/lib/gen.mjs" "$N" "$WORK/input.lf" lf 250 >/dev/null
machine_info; echo "load: $N messages; uptime: $(uptime)"
one() { # VARIANT
  local port closed extra="" pid
  port=$(free_port); closed=$(free_port); rm -rf "$WORK/wd" "$WORK/out"; mkdir -p "$WORK/wd"
  [ "$1" = isolated ] && extra="*.* @@127.0.0.1:$closed"
  cat > "$WORK/c.conf" <<CONF
global(workDirectory="$WORK/wd")
module(load="imtcp")
input(type="imtcp" port="$port" address="127.0.0.1")
action(type="omfile" file="$WORK/out" template="RSYSLOG_FileFormat")
$extra
CONF
  node "$ROOT/bin/logwarden.js" run -f "$WORK/c.conf" --log-level error & pid=$!
  wait_port "$port"
  node "$BENCH_DIR/lib/send-tcp.mjs" 127.0.0.1 "$port" "$WORK/input.lf"
  wait_lines "$WORK/out" "$N" 300 >/dev/null || echo "FAILED: lines missing"
  printf '%-9s main-thread and other threads (ticks):' "$1"
  for t in /proc/$pid/task/*; do awk '{ s = $14 + $15; if (s > 2) printf " %d", s }' "$t/stat"; done; echo
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
}
for r in $(seq 1 "$ROUNDS"); do one memory; one isolated; done
