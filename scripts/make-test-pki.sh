#!/bin/sh
# Regenerates test/fixtures/pki/ with Logwarden's own PKI (`logwarden pki`), one role per file.
# Run from the repository root after `npx tsc -p .`. Certificates are valid for 20 years (except expired.pem).
set -eu
cd "$(dirname "$0")/.."
LW="node bin/logwarden.js pki"
D=test/fixtures/pki
rm -rf "$D"
mkdir -p "$D/ca" "$D/intruder-ca"
DAYS=7300

$LW init-ca --dir "$D/ca" --name "Logwarden Test CA" --days 7400
$LW init-ca --dir "$D/intruder-ca" --name "Intruder CA" --days 7400
issue() { $LW issue --ca-dir "$D/ca" --out "$D" --days $DAYS "$@"; }

# Server: names a client can check (localhost, srv.example.net, loopback IPs).
issue --name localhost --dns localhost --dns srv.example.net --ip 127.0.0.1 --ip ::1 --both
# RSA server (3072) so rsyslog's gtls and ossl are tested with RSA as well as ECDSA.
$LW issue --ca-dir "$D/ca" --out "$D/rsa" --days $DAYS --name localhost --dns localhost --ip 127.0.0.1 --both --rsa 3072
# Permitted client, ECDSA and RSA 2048.
issue --name client.example.net --dns client.example.net --client
$LW issue --ca-dir "$D/ca" --out "$D/rsa" --days $DAYS --name rsa.example.net --dns rsa.example.net --client --rsa 2048
# Valid chain but a name nobody permits, and one label too deep for *.example.net.
issue --name other.test --dns other.test --client
issue --name a.b.example.net --dns a.b.example.net --client
# CN only, no SAN (seed 004: PermittedPeer=["aws-syslog"] matches the CN).
issue --name aws-syslog --client
# Expired: same permitted name, validity entirely in the past.
$LW issue --ca-dir "$D/ca" --out "$D/expired" --name client.example.net --dns client.example.net --client \
  --not-before 2020-01-01T00:00:00Z --not-after 2021-01-01T00:00:00Z
# Intruder: the permitted name, signed by another CA.
$LW issue --ca-dir "$D/intruder-ca" --out "$D/intruder" --days $DAYS --name client.example.net --dns client.example.net --client
# Encrypted server key (passphrase in server-pass.txt) for the KeyPassphraseFile extension.
printf 'correct horse battery staple\n' > "$D/server-pass.txt"
$LW issue --ca-dir "$D/ca" --out "$D/encrypted" --days $DAYS --name localhost --dns localhost --ip 127.0.0.1 --server \
  --passphrase-file "$D/server-pass.txt"
# The intruder CA's key and the CA keys stay here on purpose: tests sign extra certificates with them.
echo "test PKI written to $D"
