#!/usr/bin/env bash
# Side-by-side benchmark: N (default 1,000,000) ~250-byte RFC 5424 messages, pre-framed with octet counting
# (RFC 6587 §3.4.1), sent over ONE TLS connection by `openssl s_client` into a file. rsyslog (imtcp + ossl
# driver, anon) vs Logwarden (`logwarden run`, imtcp StreamDriver.Mode=1, anon), same certificate (from our
# pki), same template, alternating who runs first. A run that lost messages counts as a FAILURE.
# usage: bench/tls-file.sh [N] [ROUNDS]
source "$(dirname "$0")/lib/common.sh"
N=${1:-1000000}; ROUNDS=${2:-2}
WORK=$(mktemp -d /tmp/lw-bench-tls.XXXXXX); trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT  # || true: under set -e a failed kill (no jobs left) aborted the trap before rm
[ -f "$ROOT/dist/src/cli/main.js" ] || (cd "$ROOT" && npx tsc -p .)
node "$ROOT/bin/logwarden.js" pki init-ca --dir "$WORK/pki" --name "bench CA" >/dev/null
node "$ROOT/bin/logwarden.js" pki issue --ca-dir "$WORK/pki" --out "$WORK/pki" --name localhost --dns localhost --ip 127.0.0.1 --server >/dev/null
CA=$WORK/pki/ca.pem; CERT=$WORK/pki/localhost.pem; KEY=$WORK/pki/localhost-key.pem
node "$BENCH_DIR/lib/gen.mjs" "$N" "$WORK/input.oc" octet 250
machine_info; echo "$(openssl version)"
echo "load: $N messages, $(stat -c %s "$WORK/input.oc") bytes, one TLS connection (openssl s_client), octet-counted, ECDSA P-256 server key"

tls_send() { # PORT: the whole file through one TLS session. -no_ign_eof closes the session at end of input;
  # -nocommands is essential: otherwise s_client treats a read chunk starting with Q, R, k or K as a command
  # (quit, renegotiate, key update) and drops it, which corrupts the octet-counted stream for every receiver.
  openssl s_client -connect "127.0.0.1:$1" -quiet -no_ign_eof -nocommands -CAfile "$CA" < "$WORK/input.oc" >/dev/null 2>"$WORK/s_client.err" || true
}

run_rsyslog() {
  sync  # flush the input file and the previous run's output first: writeback slowed whoever ran next
  local port out=$WORK/rsyslog.out; port=$(free_port); rm -f "$out"; mkdir -p "$WORK/rs"
  cat > "$WORK/rs.conf" <<CONF
global(workDirectory="$WORK/rs" DefaultNetstreamDriver="ossl" DefaultNetstreamDriverCAFile="$CA"
       DefaultNetstreamDriverCertFile="$CERT" DefaultNetstreamDriverKeyFile="$KEY")
module(load="imtcp" StreamDriver.Name="ossl" StreamDriver.Mode="1" StreamDriver.AuthMode="anon")
input(type="imtcp" port="$port" address="127.0.0.1")
action(type="omfile" file="$out" template="RSYSLOG_FileFormat")
CONF
  rsyslogd -n -f "$WORK/rs.conf" -i "$WORK/rs.pid" 2>"$WORK/rs.err" & local pid=$!  # the port probe makes it log one handshake error
  wait_port "$port"; local t0; t0=$(now_ms)
  tls_send "$port"
  local lines; lines=$(wait_lines "$out" "$N" 300) || true; local t1; t1=$(now_ms)
  report rsyslog "$N" "$lines" "$t0" "$t1" "$pid" || FAILED=1; RS_RATE=$RESULT_RATE
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

run_logwarden() {
  sync  # flush the input file and the previous run's output first: writeback slowed whoever ran next
  local port out=$WORK/lw.out; port=$(free_port); rm -f "$out"
  cat > "$WORK/lw.conf" <<CONF
global(workDirectory="$WORK/lw" DefaultNetstreamDriver="ossl" DefaultNetstreamDriverCAFile="$CA"
       DefaultNetstreamDriverCertFile="$CERT" DefaultNetstreamDriverKeyFile="$KEY")
module(load="imtcp" StreamDriver.Name="ossl" StreamDriver.Mode="1" StreamDriver.AuthMode="anon")
input(type="imtcp" port="$port" address="127.0.0.1")
action(type="omfile" file="$out" template="RSYSLOG_FileFormat")
CONF
  mkdir -p "$WORK/lw"
  node "$ROOT/bin/logwarden.js" run -f "$WORK/lw.conf" --log-level warn & local pid=$!
  wait_port "$port" || { echo "logwarden: FAILED (did not start)"; FAILED=1; LW_RATE=0; kill "$pid" 2>/dev/null || true; return 0; }
  local t0; t0=$(now_ms)
  tls_send "$port"
  local lines; lines=$(wait_lines "$out" "$N" 300) || true; local t1; t1=$(now_ms)
  report logwarden "$N" "$lines" "$t0" "$t1" "$pid" || FAILED=1; LW_RATE=$RESULT_RATE
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
}

FAILED=0; LW_RATE=0; RS_RATE=0
for r in $(seq 1 "$ROUNDS"); do
  echo "-- round $r"
  if [ $((r % 2)) -eq 1 ]; then run_logwarden; run_rsyslog; else run_rsyslog; run_logwarden; fi
  awk -v a="$LW_RATE" -v b="$RS_RATE" 'BEGIN { if (b > 0) printf "ratio logwarden/rsyslog: %.2f\n", a / b; else print "ratio: n/a" }'
done
exit $FAILED
