#!/usr/bin/env bash
# SIEM store benchmark. Part 1: N (default 2,000,000) ~250-byte RFC 5424 messages over ONE TLS connection into
# `logwarden run` with a store action (imtcp+TLS → store), timed from the first byte sent until every row is
# committed. Part 2: p50/p95 of 20 typical queries over a ROWS-row store (default 10,000,000) filled directly
# through the backend. usage: bench/store.sh [N] [ROWS] [REPEAT]   (short run: bench/store.sh 200000 300000 3)
source "$(dirname "$0")/lib/common.sh"
N=${1:-2000000}; ROWS=${2:-10000000}; REPEAT=${3:-5}
WORK=$(mktemp -d /tmp/lw-bench-store.XXXXXX); trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
(cd "$ROOT" && npx tsc -p . >/dev/null) || true
[ -f "$ROOT/dist/bench/store-query.js" ] || { echo "build failed: dist/bench/store-query.js missing" >&2; exit 1; }
machine_info

echo "== ingest: $N messages over TLS into the store"
node "$BENCH_DIR/lib/gen.mjs" "$N" "$WORK/input.oc" octet 250
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
port=$(free_port)
cat > "$WORK/lw.conf" <<CONF
global(workDirectory="$WORK/lw" DefaultNetstreamDriver="ossl" DefaultNetstreamDriverCAFile="$WORK/cert.pem"
       DefaultNetstreamDriverCertFile="$WORK/cert.pem" DefaultNetstreamDriverKeyFile="$WORK/key.pem")
module(load="imtcp" StreamDriver.Name="ossl" StreamDriver.Mode="1" StreamDriver.AuthMode="anon")
input(type="imtcp" port="$port" address="127.0.0.1")
action(type="store" path="$WORK/store" queue.type="LinkedList" queue.size="200000" queue.dequeueBatchSize="5000")
CONF
mkdir -p "$WORK/lw"
node "$ROOT/bin/logwarden.js" run -f "$WORK/lw.conf" --log-level warn & pid=$!
wait_port "$port"; t0=$(now_ms)
openssl s_client -connect "127.0.0.1:$port" -quiet -no_ign_eof -nocommands < "$WORK/input.oc" > /dev/null 2>&1 &
sender=$!
rows=$(node "$BENCH_DIR/lib/store-wait.mjs" "$WORK/store" "$N" 900) || true; t1=$(now_ms)
FAILED=0
report logwarden "$N" "$rows" "$t0" "$t1" "$pid" || FAILED=1
kill "$sender" 2>/dev/null || true
kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
du -sh "$WORK/store" | awk '{ print "store size on disk: " $1 }'

echo "== queries: $ROWS rows generated through the backend"
node "$ROOT/dist/bench/store-query.js" "$WORK/query-store" "$ROWS" "$REPEAT"
exit $FAILED
