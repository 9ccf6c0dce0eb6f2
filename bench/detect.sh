#!/usr/bin/env bash
# Detection cost: N (default 500,000) ~250-byte RFC 5424 messages over ONE TCP connection into a file, with the
# whole rule pack (rules/pack/*.yml) on vs off, alternating which runs first; then the memory of 1,000,000
# distinct threshold keys. A run that lost messages counts as a failure.
# usage: bench/detect.sh [N] [ROUNDS] [KEYS]
source "$(dirname "$0")/lib/common.sh"
N=${1:-500000}; ROUNDS=${2:-2}; KEYS=${3:-1000000}
WORK=$(mktemp -d /tmp/lw-bench-detect.XXXXXX); trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
[ -f "$ROOT/dist/bench/detect-keys.js" ] || (cd "$ROOT" && npx tsc -p .)
node "$BENCH_DIR/lib/gen.mjs" "$N" "$WORK/input.lf" lf 250
machine_info; echo "load: $N messages, $(stat -c %s "$WORK/input.lf") bytes, one TCP connection, LF framing"
echo "rules: $(cat "$ROOT"/rules/pack/*.yml | grep -c '^  - id:') pack rules"

run() { # NAME DETECT(0|1)
  sync
  local name=$1 detect=$2 port out=$WORK/$1.out; port=$(free_port); rm -rf "$out" "$WORK/$1"
  { echo "global(workDirectory=\"$WORK/$name\")"
    echo 'module(load="imtcp")'
    echo "input(type=\"imtcp\" port=\"$port\" address=\"127.0.0.1\")"
    [ "$detect" = 1 ] && echo "action(type=\"detect\" rules=\"$ROOT/rules/pack/*.yml\")"
    echo "action(type=\"omfile\" file=\"$out\" template=\"RSYSLOG_FileFormat\")"; } > "$WORK/$name.conf"
  node "$ROOT/bin/logwarden.js" run -f "$WORK/$name.conf" --log-level warn & local pid=$!
  wait_port "$port"; local t0; t0=$(now_ms)
  node "$BENCH_DIR/lib/send-tcp.mjs" 127.0.0.1 "$port" "$WORK/input.lf"
  local lines; lines=$(wait_lines "$out" "$N" 300) || true; local t1; t1=$(now_ms)
  report "$name" "$N" "$lines" "$t0" "$t1" "$pid" || FAILED=1; RATE=$RESULT_RATE
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
}

FAILED=0
for r in $(seq 1 "$ROUNDS"); do
  echo "-- round $r"
  if [ $((r % 2)) -eq 1 ]; then run detect-on 1; ON=$RATE; run detect-off 0; OFF=$RATE
  else run detect-off 0; OFF=$RATE; run detect-on 1; ON=$RATE; fi
  awk -v a="$ON" -v b="$OFF" 'BEGIN { printf "ratio on/off: %.2f (goal >= 0.80)\n", a / b }'
done
echo "-- $KEYS distinct threshold keys"
node --expose-gc "$ROOT/dist/bench/detect-keys.js" "$KEYS"
exit $FAILED
