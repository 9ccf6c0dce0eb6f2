#!/usr/bin/env bash
# The performance matrix, Logwarden vs rsyslog side by side: transport {tcp, tls, udp} × framing {lf, octet}
# × format {3164, 5424sd, json} × size {120, 250, 2048} × output {file-ff, file-trad, dynafile, forward,
# store}; the rows (not the full product) are listed in ROWS below and explained in bench/README.md.
# Each row runs both receivers with the same config text (except: the store row's rsyslog writes
# RSYSLOG_FileFormat instead, it has no store), alternating who goes first, ROUNDS rounds; per run: msgs/s
# (first byte sent → last message out), CPU seconds (utime+stime from /proc/PID/stat, with its child processes: the
# UDP receive helper), peak RSS (VmHWM); a run
# with fewer messages out than in is a FAILURE. Writes bench/results/matrix-<date>.csv and prints a markdown
# table (bench/lib/matrix-table.mjs).
# usage: bench/matrix.sh [--quick] [ROW_ID_SUBSTRING...]
#   env: N (messages a row, default 500000; 2 KB rows N/4, the burst row 3N), ROUNDS (3), UDP_RATE (offered
#   UDP load, msgs/s of 250 B, default 100000; bigger datagrams get the same bytes/s), LW_NODE (node binary for Logwarden, default `node`; may carry flags,
#   e.g. "node --cpu-prof --cpu-prof-dir DIR"), RECEIVERS (default "logwarden rsyslog"; "lwb" is a second
#   Logwarden build in LW_ROOT_B, e.g. RECEIVERS="logwarden lwb" LW_ROOT_B=/tmp/base for an A/B of two builds)
#   --quick: N=30000, ROUNDS=1 (a smoke run, ~3 minutes)
source "$(dirname "$0")/lib/common.sh"
QUICK=0; FILTERS=()
for a in "$@"; do case $a in --quick) QUICK=1 ;; -h|--help) sed -n 2,13p "$0"; exit 0 ;; *) FILTERS+=("$a") ;; esac; done
if [ $QUICK = 1 ]; then N=${N:-30000}; ROUNDS=${ROUNDS:-1}; else N=${N:-500000}; ROUNDS=${ROUNDS:-3}; fi
UDP_RATE=${UDP_RATE:-100000}
# UDP has no back-pressure, so its rows compare CPU at one offered load: the same bytes/s for every size, UDP_RATE
# datagrams/s of up to 250 bytes (25 MB/s), fewer for bigger ones (2 KB rows: 12207/s). A fixed message rate
# offered 200 MB/s of 2 KB datagrams, which neither receiver (nor the loopback at rcvbufSize 4m) kept without loss.
udp_rate() { awk -v r="$UDP_RATE" -v s="$1" 'BEGIN { x = s > 250 ? r * 250 / s : r; printf "%d", x }'; }
LW_NODE=${LW_NODE:-node}
read -r -a RECV <<< "${RECEIVERS:-logwarden rsyslog}"
LW_ROOT_B=${LW_ROOT_B:-}
# Node flags for Logwarden, by default those deploy/ (systemd, Docker) and `npm start` use: a 4 MB young generation
# (bench/README.md, "Memory"); LW_NODE_FLAGS="" for node's defaults; LW_NODE_FLAGS_B for "lwb" (default the same).
LW_NODE_FLAGS=${LW_NODE_FLAGS---max-semi-space-size=4}
LW_NODE_FLAGS_B=${LW_NODE_FLAGS_B-$LW_NODE_FLAGS}
IDLE_S=${IDLE_S:-4}   # a run ends when its output has not grown for IDLE_S seconds (then: lost messages)

# id transport framing format size output [n-multiplier]
ROWS=(
  "tcp-oc-5424sd-250-ff      tcp octet 5424sd 250  file-ff"
  "tls-oc-5424sd-250-ff      tls octet 5424sd 250  file-ff"
  "tcp-lf-5424sd-250-ff      tcp lf    5424sd 250  file-ff"
  "tls-lf-5424sd-250-ff      tls lf    5424sd 250  file-ff"
  "tcp-lf-3164-120-trad      tcp lf    3164   120  file-trad"
  "tcp-oc-3164-120-ff        tcp octet 3164   120  file-ff"
  "tls-oc-3164-120-trad      tls octet 3164   120  file-trad"
  "tcp-lf-json-250-ff        tcp lf    json   250  file-ff"
  "tcp-oc-json-2k-trad       tcp octet json   2048 file-trad"
  "tls-oc-json-2k-ff         tls octet json   2048 file-ff"
  "tcp-lf-5424sd-2k-trad     tcp lf    5424sd 2048 file-trad"
  "tcp-lf-3164-250-dyn       tcp lf    3164   250  dynafile"
  "tcp-oc-5424sd-250-dyn     tcp octet 5424sd 250  dynafile"
  "tcp-lf-3164-250-fwd       tcp lf    3164   250  forward"
  "tls-oc-5424sd-250-fwd     tls octet 5424sd 250  forward"
  "udp-3164-120-ff           udp lf    3164   120  file-ff"
  "udp-5424sd-250-trad       udp lf    5424sd 250  file-trad"
  "udp-json-2k-dyn           udp lf    json   2048 dynafile"
  "tcp-oc-5424sd-250-store   tcp octet 5424sd 250  store"
  "tls-oc-5424sd-250-burst   tls octet 5424sd 250  file-ff 3"
)

WORK=$(mktemp -d /tmp/lw-bench-matrix.XXXXXX)
cleanup() { kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
[ -f "$ROOT/dist/src/cli/main.js" ] || (cd "$ROOT" && npx tsc -p .)
mkdir -p "$BENCH_DIR/results"
STAMP=$(date -u +%Y%m%d-%H%M)
CSV=$BENCH_DIR/results/matrix-$STAMP.csv
echo "row,transport,framing,format,size,output,receiver,round,n,lines,msgs_s,wall_s,cpu_s,rss_mb,status,load1" > "$CSV"

node "$ROOT/bin/logwarden.js" pki init-ca --dir "$WORK/pki" --name "bench CA" >/dev/null
node "$ROOT/bin/logwarden.js" pki issue --ca-dir "$WORK/pki" --out "$WORK/pki" --name localhost --dns localhost --ip 127.0.0.1 --server >/dev/null
CA=$WORK/pki/ca.pem; CERT=$WORK/pki/localhost.pem; KEY=$WORK/pki/localhost-key.pem

machine_info; echo "$(openssl version); Logwarden on $($LW_NODE --version); N=$N ROUNDS=$ROUNDS UDP_RATE=$UDP_RATE"
echo "start: $(uptime)"

input_file() { # FRAMING FORMAT SIZE COUNT → path of the pre-generated input (cached for the whole run)
  local f="$WORK/in-$1-$2-$3-$4"
  [ -f "$f" ] || node "$BENCH_DIR/lib/gen-matrix.mjs" "$4" "$f" "$1" "$2" "$3"
  echo "$f"
}

write_conf() { # WHO TRANSPORT OUTPUT PORT OUT SINKPORT → $WORK/$WHO.conf
  local who=$1 transport=$2 output=$3 port=$4 out=$5 sink=$6 conf=$WORK/$1.conf
  local wd=$WORK/$who-wd; rm -rf "$wd"; mkdir -p "$wd"
  case $transport in
    tcp) { echo "global(workDirectory=\"$wd\")"
           echo 'module(load="imptcp")'
           echo "input(type=\"imptcp\" port=\"$port\" address=\"127.0.0.1\")"; } > "$conf" ;;
    tls) { echo "global(workDirectory=\"$wd\" DefaultNetstreamDriver=\"ossl\" DefaultNetstreamDriverCAFile=\"$CA\""
           echo "       DefaultNetstreamDriverCertFile=\"$CERT\" DefaultNetstreamDriverKeyFile=\"$KEY\")"
           echo 'module(load="imtcp" StreamDriver.Name="ossl" StreamDriver.Mode="1" StreamDriver.AuthMode="anon")'
           echo "input(type=\"imtcp\" port=\"$port\" address=\"127.0.0.1\")"; } > "$conf" ;;
    udp) { echo "global(workDirectory=\"$wd\")"
           echo 'module(load="imudp")'
           echo "input(type=\"imudp\" port=\"$port\" address=\"127.0.0.1\" rcvbufSize=\"4m\")"; } > "$conf" ;;
  esac
  [ "$output" = store ] && [ "$who" = rsyslog ] && output=file-ff
  case $output in
    file-ff) echo "action(type=\"omfile\" file=\"$out\" template=\"RSYSLOG_FileFormat\")" >> "$conf" ;;
    file-trad) echo "action(type=\"omfile\" file=\"$out\" template=\"RSYSLOG_TraditionalFileFormat\")" >> "$conf" ;;
    dynafile) { echo "\$template remote-incoming-logs,\"$out/%HOSTNAME%/%PROGRAMNAME%.log\""
                echo '*.* ?remote-incoming-logs'; } >> "$conf" ;;
    forward) echo "action(type=\"omfwd\" target=\"127.0.0.1\" port=\"$sink\" protocol=\"tcp\")" >> "$conf" ;;
    store) echo "action(type=\"store\" path=\"$out\" queue.type=\"LinkedList\" queue.size=\"200000\" queue.dequeueBatchSize=\"5000\")" >> "$conf" ;;
  esac
}

out_size() { # PATH: bytes written so far (a file, or every file under a directory)
  if [ -d "$1" ]; then find "$1" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }'
  else stat -c %s "$1" 2>/dev/null || echo 0; fi
}
out_lines() {
  if [ -d "$1" ]; then find "$1" -type f -exec cat {} + | wc -l
  else wc -l < "$1" 2>/dev/null || echo 0; fi
}

# wait_out PATH N: poll the size cheaply; count lines when it stops growing; give up after IDLE_S idle seconds.
wait_out() {
  local path=$1 want=$2 last=-1 size lines idle_since=$SECONDS hard=$((SECONDS + 600))
  while [ $SECONDS -lt $hard ]; do
    size=$(out_size "$path")
    if [ "$size" = "$last" ]; then
      [ "$size" = 0 ] && lines=0 || lines=$(out_lines "$path")
      [ "$lines" -ge "$want" ] && { echo "$lines"; return 0; }
      [ $((SECONDS - idle_since)) -ge "$IDLE_S" ] && { echo "$lines"; return 1; }
    else
      idle_since=$SECONDS
    fi
    last=$size
    sleep 0.05
  done
  out_lines "$path"; return 1
}

wait_store() { # DIR N: rows committed (lib/store-wait.mjs), giving up after 300 s
  node "$BENCH_DIR/lib/store-wait.mjs" "$1" "$2" 300 || true
}

wait_udp_port() { # PORT: until some socket is bound to it
  local hex deadline=$((SECONDS + 20)); hex=$(printf ':%04X ' "$1")
  until grep -q "$hex" /proc/net/udp; do [ $SECONDS -lt $deadline ] || return 1; sleep 0.05; done
}

# run_one WHO ROUND → appends a CSV line, sets LAST_RATE
run_one() {
  local who=$1 round=$2 port out sink="" sinkpid="" pid lines t0 t1
  sync
  port=$(free_port)
  out=$WORK/$who.out; rm -rf "$out" "$WORK/sink.out"
  [ "$OUTPUT" = dynafile ] && mkdir -p "$out"
  [ "$OUTPUT" = store ] && [ "$who" != rsyslog ] && out=$WORK/$who.store && rm -rf "$out"
  if [ "$OUTPUT" = forward ]; then
    rm -f "$WORK/sink.port"
    node "$BENCH_DIR/lib/sink-tcp.mjs" "$WORK/sink.out" > "$WORK/sink.port" & sinkpid=$!
    until [ -s "$WORK/sink.port" ]; do sleep 0.05; done; sink=$(cat "$WORK/sink.port")
  fi
  write_conf "$who" "$TRANSPORT" "$OUTPUT" "$port" "$out" "$sink"
  if [ "$who" = rsyslog ]; then rsyslogd -n -f "$WORK/$who.conf" -i "$WORK/rs.pid" 2>"$WORK/rsyslog.err" & pid=$!
  elif [ "$who" = lwb ]; then $LW_NODE $LW_NODE_FLAGS_B "$LW_ROOT_B/bin/logwarden.js" run -f "$WORK/$who.conf" --log-level warn 2>"$WORK/$who.err" & pid=$!
  else $LW_NODE $LW_NODE_FLAGS "$ROOT/bin/logwarden.js" run -f "$WORK/$who.conf" --log-level warn 2>"$WORK/$who.err" & pid=$!; fi
  if [ "$TRANSPORT" = udp ]; then wait_udp_port "$port"; sleep 0.2; else wait_port "$port"; fi || true
  t0=$(now_ms)
  case $TRANSPORT in
    tcp) node "$BENCH_DIR/lib/send-tcp.mjs" 127.0.0.1 "$port" "$INPUT" ;;
    tls) openssl s_client -connect "127.0.0.1:$port" -quiet -no_ign_eof -nocommands -CAfile "$CA" < "$INPUT" >/dev/null 2>"$WORK/s_client.err" || true ;;
    udp) node "$BENCH_DIR/lib/send-udp.mjs" 127.0.0.1 "$port" "$INPUT" "$(udp_rate "$SIZE")" ;;
  esac
  local watch=$out; [ "$OUTPUT" = forward ] && watch=$WORK/sink.out
  if [ "$OUTPUT" = store ] && [ "$who" != rsyslog ]; then lines=$(wait_store "$out" "$COUNT")
  else lines=$(wait_out "$watch" "$COUNT") || true; fi
  t1=$(now_ms)
  local secs rate cpu rss status=ok
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1000 }')
  rate=$(awk -v n="$lines" -v s="$secs" 'BEGIN { printf "%d", n / s }')
  cpu=$(cpu_seconds_tree "$pid" 2>/dev/null || echo 0); rss=$(peak_rss_mb "$pid" 2>/dev/null || echo 0)
  [ "${lines:-0}" -ge "$COUNT" ] || { status="FAILURE lost $((COUNT - ${lines:-0}))"; FAILED=1; }
  [ "${lines:-0}" -gt "$COUNT" ] && status="FAILURE $((lines - COUNT)) extra"
  [ "$status" = ok ] || { tail -n3 "$WORK/$who.err" 2>/dev/null | sed 's/^/    /' >&2 || true; }
  printf '  %-9s %9s msgs/s %8ss %7s CPU-s %7s MB  %s\n' "$who" "$rate" "$secs" "$cpu" "$rss" "$status"
  echo "$ID,$TRANSPORT,$FRAMING,$FORMAT,$SIZE,$OUTPUT,$who,$round,$COUNT,$lines,$rate,$secs,$cpu,$rss,$status,$(cut -d' ' -f1 /proc/loadavg)" >> "$CSV"
  kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
  [ -n "$sinkpid" ] && { kill -TERM "$sinkpid" 2>/dev/null || true; wait "$sinkpid" 2>/dev/null || true; }
  rm -rf "$out" "$WORK/sink.out"
}

FAILED=0
for row in "${ROWS[@]}"; do
  read -r ID TRANSPORT FRAMING FORMAT SIZE OUTPUT MULT <<< "$row"
  if [ ${#FILTERS[@]} -gt 0 ]; then
    hit=0; for f in "${FILTERS[@]}"; do [[ $ID == *"$f"* ]] && hit=1; done; [ $hit = 1 ] || continue
  fi
  COUNT=$N; [ "$SIZE" -ge 2048 ] && COUNT=$((N / 4)); [ -n "${MULT:-}" ] && COUNT=$((N * MULT))
  INPUT=$(input_file "$FRAMING" "$FORMAT" "$SIZE" "$COUNT")
  echo "== $ID: $TRANSPORT $FRAMING $FORMAT ~${SIZE}B → $OUTPUT, $COUNT msgs ($(stat -c %s "$INPUT") bytes); load $(cut -d' ' -f1-3 /proc/loadavg)"
  for r in $(seq 1 "$ROUNDS"); do
    if [ $((r % 2)) -eq 1 ]; then order=("${RECV[@]}"); else order=(); for w in "${RECV[@]}"; do order=("$w" "${order[@]}"); done; fi
    for w in "${order[@]}"; do run_one "$w" "$r"; done
  done
  rm -f "$INPUT"
done
echo "end: $(uptime)"
echo "csv: $CSV"
node "$BENCH_DIR/lib/matrix-table.mjs" "$CSV"
exit $FAILED
