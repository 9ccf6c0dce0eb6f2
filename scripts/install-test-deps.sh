#!/usr/bin/env bash
# Installs the real peers the interop tests run against, from Debian packages (never mocked):
# rsyslog with its TLS (openssl, gnutls) and RELP modules, gnutls-bin (certtool), openssl, util-linux's logger
# (bsdutils), and clickhouse-server for the ClickHouse backend tests. Idempotent; needs root (CI runs as root).
set -euo pipefail
PKGS=(rsyslog rsyslog-openssl rsyslog-gnutls rsyslog-relp gnutls-bin openssl bsdutils clickhouse-server clickhouse-client procps time)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The rsyslog package may start a system daemon; the tests run their own unprivileged instances.
pkill -x rsyslogd 2>/dev/null || true
echo "test peers: $(rsyslogd -v | head -1); $(openssl version); $(logger --version 2>&1 | head -1); clickhouse-server $(clickhouse-server --version 2>/dev/null | head -1 | grep -o '[0-9][0-9.]*' | head -1)"
