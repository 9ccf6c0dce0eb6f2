#!/usr/bin/env bash
# Side-by-side benchmark: N (default 1,000,000) ~250-byte RFC 5424 messages over ONE TCP connection into a file,
# Logwarden (imtcp → omfile) vs rsyslog (imptcp → omfile), same machine, same template, alternating who runs
# first. A run that lost messages counts as a failure. usage: bench/tcp-file.sh [N] [ROUNDS]
source "$(dirname "$0")/lib/common.sh"
N=${1:-1000000}; ROUNDS=${2:-2}
WORK=$(mktemp -d /tmp/lw-bench-tcp.XXXXXX); trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT  # || true: under set -e a failed kill (no jobs left) aborted the trap before rm
[ -f "$ROOT/dist/src/cli/main.js" ] || (cd "$ROOT" && npx tsc -p .)
node "$BENCH_DIR/lib/gen.mjs" "$N" "$WORK/input.lf" lf 250
machine_info; echo "load: $N messages, $(stat -c %s "$WORK/input.lf") bytes, one TCP connection, LF framing"

run_rsyslog() {
  sync  # flush the input file and the previous run's output first: writeback slowed whoever ran next
  local port out=$WORK/rsyslog.out; port=$(free_port); rm -f "$out"; mkdir -p "$WORK/rs"
  cat > "$WORK/rs.conf" <<CONF
global(workDirectory="$WORK/rs")
module(load="imptcp")
input(type="imptcp" port="$port" address="127.0.0.1")
action(type="omfile" file="$out" template="RSYSLOG_FileFormat")
CONF
  rsyslogd -n -f "$WORK/rs.conf" -i "$WORK/rs.pid" & local pid=$!
  wait_port "$port"; local t0; t0=$(now_ms)
  node "$BENCH_DIR/lib/send-tcp.mjs" 127.0.0.1 "$port" "$WORK/input.lf"
  local lines; lines=$(wait_lines "$out" "$N" 300) || true; local t1; t1=$(now_ms)
  report rsyslog "$N" "$lines" "$t0" "$t1" "$pid" || FAILED=1; RS_RATE=$RESULT_RATE
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

run_logwarden() {
  sync  # flush the input file and the previous run's output first: writeback slowed whoever ran next
  local port out=$WORK/lw.out; port=$(free_port); rm -f "$out"
  cat > "$WORK/lw.conf" <<CONF
global(workDirectory="$WORK/lw")
module(load="imtcp")
input(type="imtcp" port="$port" address="127.0.0.1")
action(type="omfile" file="$out" template="RSYSLOG_FileFormat")
CONF
  node "$ROOT/bin/logwarden.js" run -f "$WORK/lw.conf" --log-level warn & local pid=$!
  wait_port "$port"; local t0; t0=$(now_ms)
  node "$BENCH_DIR/lib/send-tcp.mjs" 127.0.0.1 "$port" "$WORK/input.lf"
  local lines; lines=$(wait_lines "$out" "$N" 300) || true; local t1; t1=$(now_ms)
  report logwarden "$N" "$lines" "$t0" "$t1" "$pid" || FAILED=1; LW_RATE=$RESULT_RATE
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
}

FAILED=0
for r in $(seq 1 "$ROUNDS"); do
  echo "-- round $r"
  if [ $((r % 2)) -eq 1 ]; then run_logwarden; run_rsyslog; else run_rsyslog; run_logwarden; fi
  awk -v a="$LW_RATE" -v b="$RS_RATE" 'BEGIN { printf "ratio logwarden/rsyslog: %.2f\n", a / b }'
done
exit $FAILED
