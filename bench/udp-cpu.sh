#!/usr/bin/env bash
# CPU per datagram of Logwarden's UDP input, A/B: the three UDP rows of bench/matrix.sh (same configs, same
# offered-rate sender), each receiver variant started, left to finish starting (its startup CPU is not counted),
# then fed N datagrams at UDP_RATE; per run: datagrams written, loss, and CPU µs per datagram offered (utime+stime
# of Logwarden and its child processes, i.e. the recvmmsg helper included, from after startup to the last line).
# Variants: helper (this tree), dgram (this tree, LW_UDP_NO_HELPER=1), base (BASE=/path/to/another/tree, when set).
# Order alternates per round; the table gives the median of ROUNDS. Under load, compare CPU, not msgs/s.
# usage: [N=100000] [ROUNDS=3] [UDP_RATE=100000] [BASE=/tree] bench/udp-cpu.sh [ROW_ID_SUBSTRING...]
source "$(dirname "$0")/lib/common.sh"
N=${N:-100000}; ROUNDS=${ROUNDS:-3}; UDP_RATE=${UDP_RATE:-100000}; IDLE_S=${IDLE_S:-4}
FILTERS=("$@")
ROWS=(
  "udp-3164-120-ff      3164   120  file-ff"
  "udp-5424sd-250-trad  5424sd 250  file-trad"
  "udp-json-2k-dyn      json   2048 dynafile"
)
VARIANTS=(helper dgram); [ -n "${BASE:-}" ] && VARIANTS+=(base)
WORK=$(mktemp -d /tmp/lw-bench-udpcpu.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
machine_info; echo "N=$N ROUNDS=$ROUNDS UDP_RATE=$UDP_RATE variants: ${VARIANTS[*]}; start: $(uptime)"

out_lines() { if [ -d "$1" ]; then find "$1" -type f -exec cat {} + | wc -l; else wc -l < "$1" 2>/dev/null || echo 0; fi; }
out_size() { if [ -d "$1" ]; then find "$1" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }'; else stat -c %s "$1" 2>/dev/null || echo 0; fi; }
wait_out() { # PATH N → lines once N are there or the output stopped growing for IDLE_S
  local last=-1 size idle=$SECONDS hard=$((SECONDS + 300))
  while [ $SECONDS -lt $hard ]; do
    size=$(out_size "$1")
    if [ "$size" = "$last" ]; then
      [ "$(out_lines "$1")" -ge "$2" ] && break
      [ $((SECONDS - idle)) -ge "$IDLE_S" ] && break
    else idle=$SECONDS; fi
    last=$size; sleep 0.1
  done
  out_lines "$1"
}

run_one() { # VARIANT FORMAT OUTPUT INPUT → prints "lines us_per_dgram"
  local variant=$1 format=$2 output=$3 input=$4 root=$ROOT env=() port out pid c0 c1 lines
  [ "$variant" = base ] && root=$BASE
  [ "$variant" = dgram ] && env=(LW_UDP_NO_HELPER=1)
  port=$(free_port); out=$WORK/out; rm -rf "$out" "$WORK/wd"; mkdir -p "$WORK/wd"
  [ "$output" = dynafile ] && mkdir -p "$out"
  { echo "global(workDirectory=\"$WORK/wd\")"; echo 'module(load="imudp")'
    echo "input(type=\"imudp\" port=\"$port\" address=\"127.0.0.1\" rcvbufSize=\"4m\")"
    case $output in
      file-ff) echo "action(type=\"omfile\" file=\"$out\" template=\"RSYSLOG_FileFormat\")" ;;
      file-trad) echo "action(type=\"omfile\" file=\"$out\" template=\"RSYSLOG_TraditionalFileFormat\")" ;;
      dynafile) echo "\$template remote-incoming-logs,\"$out/%HOSTNAME%/%PROGRAMNAME%.log\""; echo '*.* ?remote-incoming-logs' ;;
    esac; } > "$WORK/lw.conf"
  env "${env[@]}" node "$root/bin/logwarden.js" run -f "$WORK/lw.conf" --log-level warn 2>"$WORK/lw.err" & pid=$!
  local hex; hex=$(printf ':%04X ' "$port")
  until grep -q "$hex" /proc/net/udp; do sleep 0.05; done
  sleep 1 # the rest of startup
  c0=$(cpu_seconds_tree "$pid")
  node "$BENCH_DIR/lib/send-udp.mjs" 127.0.0.1 "$port" "$input" "$UDP_RATE"
  lines=$(wait_out "$out" "$N")
  c1=$(cpu_seconds_tree "$pid")
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  echo "$lines $(awk -v a="$c0" -v b="$c1" -v n="$N" 'BEGIN { printf "%.2f", (b - a) * 1e6 / n }')"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "| row | variant | runs | median µs CPU/datagram | all runs µs | median lost | load1 |"
echo "|---|---|---|---|---|---|---|"
for row in "${ROWS[@]}"; do
  read -r ID FORMAT SIZE OUTPUT <<< "$row"
  if [ ${#FILTERS[@]} -gt 0 ]; then hit=0; for f in "${FILTERS[@]}"; do [[ $ID == *"$f"* ]] && hit=1; done; [ $hit = 1 ] || continue; fi
  count=$N; [ "$SIZE" -ge 2048 ] && count=$((N / 4))
  INPUT=$WORK/in; node "$BENCH_DIR/lib/gen-matrix.mjs" "$count" "$INPUT" lf "$FORMAT" "$SIZE"
  declare -A US=() LOST=()
  for r in $(seq 1 "$ROUNDS"); do
    order=("${VARIANTS[@]}"); [ $((r % 2)) = 0 ] && order=($(printf '%s\n' "${VARIANTS[@]}" | tac))
    for v in "${order[@]}"; do
      N_SAVE=$N; N=$count; read -r lines us <<< "$(run_one "$v" "$FORMAT" "$OUTPUT" "$INPUT")"; N=$N_SAVE
      US[$v]="${US[$v]:-} $us"; LOST[$v]="${LOST[$v]:-} $((count - lines))"
    done
  done
  for v in "${VARIANTS[@]}"; do
    echo "| $ID | $v | $ROUNDS | $(echo "${US[$v]}" | tr ' ' '\n' | sed '/^$/d' | median) | ${US[$v]} | $(echo "${LOST[$v]}" | tr ' ' '\n' | sed '/^$/d' | median) of $count | $(cut -d' ' -f1 /proc/loadavg) |"
  done
  unset US LOST
done
echo "end: $(uptime)"
