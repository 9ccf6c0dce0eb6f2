#!/usr/bin/env bash
# Side-by-side benchmark: imfile reading a file of N (default 1,000,000) ~250-byte lines into a file action,
# Logwarden vs rsyslog (inotify mode, same config, same template), alternating who runs first. The daemon starts
# on an empty directory; the clock starts when the input file is hard-linked into it (it appears at once) and
# stops when the output holds N lines. A run that lost lines counts as a failure. usage: bench/imfile.sh [N] [ROUNDS]
source "$(dirname "$0")/lib/common.sh"
N=${1:-1000000}; ROUNDS=${2:-2}
WORK=$(mktemp -d /tmp/lw-bench-imfile.XXXXXX); trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
[ -f "$ROOT/dist/src/cli/main.js" ] || (cd "$ROOT" && npx tsc -p .)
node "$BENCH_DIR/lib/gen.mjs" "$N" "$WORK/input.lf" lf 250
machine_info; echo "load: $N lines, $(stat -c %s "$WORK/input.lf") bytes, one file, imfile → omfile"

conf() { # WORKDIR INDIR OUT
  cat <<CONF
global(workDirectory="$1")
module(load="imfile" mode="inotify")
input(type="imfile" File="$2/*.log" Tag="bench:")
template(name="m" type="string" string="%msg%\n")
action(type="omfile" file="$3" template="m")
CONF
}

run_one() { # NAME
  sync
  local name=$1 out=$WORK/$1.out in=$WORK/$1-in pid
  rm -rf "$out" "$in" "$WORK/$1-wd"; mkdir -p "$in" "$WORK/$1-wd"
  conf "$WORK/$1-wd" "$in" "$out" > "$WORK/$1.conf"
  if [ "$name" = rsyslog ]; then rsyslogd -n -f "$WORK/$1.conf" -i "$WORK/rs.pid" & pid=$!
  else node "$ROOT/bin/logwarden.js" run -f "$WORK/$1.conf" --log-level warn & pid=$!; fi
  sleep 2 # started and watching (both need well under a second here)
  local t0; t0=$(now_ms)
  ln "$WORK/input.lf" "$in/app.log"
  local lines; lines=$(wait_lines "$out" "$N" 300) || true; local t1; t1=$(now_ms)
  report "$name" "$N" "$lines" "$t0" "$t1" "$pid" || FAILED=1; RESULT["$name"]=$RESULT_RATE
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  rm -f "$in/app.log"
}

declare -A RESULT
FAILED=0
for r in $(seq 1 "$ROUNDS"); do
  echo "-- round $r"
  if [ $((r % 2)) -eq 1 ]; then run_one logwarden; run_one rsyslog; else run_one rsyslog; run_one logwarden; fi
  awk -v a="${RESULT[logwarden]}" -v b="${RESULT[rsyslog]}" 'BEGIN { printf "ratio logwarden/rsyslog: %.2f\n", a / b }'
done
exit $FAILED
