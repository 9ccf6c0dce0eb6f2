#!/usr/bin/env bash
# Installs the real peers the interop tests run against, from Debian packages (never mocked):
# rsyslog with its TLS (openssl, gnutls) and RELP modules, gnutls-bin (certtool), openssl, util-linux's logger
# (bsdutils), clickhouse-server for the ClickHouse backend tests, and Debian's chromium for the console's browser
# tests (test/browser, driven by playwright-core; never a downloaded browser). Idempotent; needs root (CI runs as root).
set -euo pipefail
PKGS=(rsyslog rsyslog-openssl rsyslog-gnutls rsyslog-relp gnutls-bin openssl bsdutils clickhouse-server clickhouse-client procps time chromium)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  # The tests run their own rsyslogd instances and stop them by pid; the package must not start a system
  # daemon (and this script never kills one by name: the machine may run its own rsyslog). policy-rc.d is
  # Debian's switch for "do not start services from maintainer scripts" (invoke-rc.d honours it).
  policy=/usr/sbin/policy-rc.d; made_policy=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null && $SUDO chmod 755 "$policy" && made_policy=1
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  [ -z "$made_policy" ] || $SUDO rm -f "$policy"
fi
echo "test peers: $(rsyslogd -v | head -1); $(openssl version); $(logger --version 2>&1 | head -1); clickhouse-server $(clickhouse-server --version 2>/dev/null | head -1 | grep -o '[0-9][0-9.]*' | head -1); $(chromium --version 2>/dev/null | head -1)"
