#!/usr/bin/env bash
# A relay's forward when its receiver stops reading once, briefly: N (default 400,000) ~250-byte messages over
# one TCP connection into `logwarden run` with one omfwd (its default disk-assisted queue) to bench/lib/sink-pause.mjs,
# which stops reading for PAUSE_MS (default 300) after 5 MB. Per run: ms from the first byte the sink gets to the
# last line it gets, and the queue's segment files left in the work directory (a queue that never spilled has
# none). Rounds alternate a run without the pause and one with it.
# usage: bench/forward-hiccup.sh [N] [ROUNDS] [PAUSE_MS]
source "$(dirname "$0")/lib/common.sh"
N=${1:-400000}; ROUNDS=${2:-3}; PAUSE=${3:-300}
WORK=$(mktemp -d /tmp/lw-bench-hiccup.XXXXXX); trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
[ -f "$ROOT/dist/src/cli/main.js" ] || (cd "$ROOT" && npx tsc -p .)
node "$BENCH_DIR/lib/gen.mjs" "$N" "$WORK/input.lf" lf 250
machine_info; echo "load: $N messages, one TCP connection; the sink pauses ${PAUSE} ms once after 5 MB"

one_run() { # PAUSE_MS
  local pause=$1 sport port pid spid out segs
  rm -rf "$WORK/wd" "$WORK/sink.out"; mkdir -p "$WORK/wd"
  PAUSE_MS=$pause AFTER=5000000 LINES=$N node "$BENCH_DIR/lib/sink-pause.mjs" > "$WORK/sink.out" & spid=$!
  until [ -s "$WORK/sink.out" ]; do sleep 0.05; done # its port, on the first line
  sport=$(head -1 "$WORK/sink.out"); port=$(free_port)
  cat > "$WORK/c.conf" <<CONF
global(workDirectory="$WORK/wd")
module(load="imtcp")
input(type="imtcp" port="$port" address="127.0.0.1")
action(type="omfwd" target="127.0.0.1" port="$sport" protocol="tcp")
CONF
  node "$ROOT/bin/logwarden.js" run -f "$WORK/c.conf" --log-level error & pid=$!
  wait_port "$port"
  node "$BENCH_DIR/lib/send-tcp.mjs" 127.0.0.1 "$port" "$WORK/input.lf"
  wait "$spid" || true
  out=$(tail -1 "$WORK/sink.out")
  segs=$(find "$WORK/wd" -name '*.seg' | wc -l)
  printf '  pause %4d ms: %s, segment files %s\n' "$pause" "$out" "$segs"
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
}

for r in $(seq 1 "$ROUNDS"); do
  echo "-- round $r"
  if [ $((r % 2)) = 1 ]; then one_run 0; one_run "$PAUSE"; else one_run "$PAUSE"; one_run 0; fi
done
