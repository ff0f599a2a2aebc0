#!/usr/bin/env bash
# Installs everything the project needs on a fresh machine; idempotent and quick when everything is there.
#   scripts/setup.sh test   what `npm test` needs: npm packages, Debian packages, the rigs (VS Code, Jupyter, Kubernetes)
#   scripts/setup.sh dev    what `npm run sandbox` needs: the same
# Large things (Go builds, code-server, Node 24, the Python venv) are cached outside the repository, under
# $KFVS_CACHE (default ~/.cache/kubeflow-vscode), so a clean clone reuses them.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/clean-env.sh
. scripts/lib/clean-env.sh
export KFVS_CACHE=${KFVS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubeflow-vscode}
mkdir -p "$KFVS_CACHE"
log() { printf '[setup %s] %s\n' "$(date +%T)" "$*"; }

# --- Debian packages
need_apt=()
command -v chromium >/dev/null || need_apt+=(chromium)
[ -f /usr/include/gssapi/gssapi.h ] || need_apt+=(libkrb5-dev)     # code-server's kerberos module builds against it
command -v openssl >/dev/null || need_apt+=(openssl)
command -v curl >/dev/null || need_apt+=(curl)
[ -x /usr/sbin/mariadbd ] || need_apt+=(mariadb-server)          # the KFP API server's database (test/rigs/mariadb)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    log "need Debian packages ${need_apt[*]}: run 'sudo apt-get install -y ${need_apt[*]}' and try again"; exit 1
  fi
  log "apt-get install ${need_apt[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# --- npm packages (reinstalled only when package-lock.json changed). Without the stamp (node_modules installed by
# another command or copied), npm's own record of what it installed decides, so a start does not rerun `npm ci`.
stamp=node_modules/.kfvs-lock-hash
hash=$(sha256sum package-lock.json | cut -c1-16)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$hash" ]; then
  if [ -d node_modules ] && node scripts/lib/npm-current.mjs; then
    log "node_modules matches package-lock.json"
  else
    log "npm ci"
    npm ci --no-audit --no-fund --loglevel=error
  fi
  echo "$hash" > "$stamp"
fi

# --- the rigs; each script caches under $KFVS_CACHE and returns at once when its stamp is current
# A failing step stops setup with its own error and a non-zero exit (set -e); each step's time is printed.
T_SETUP=$(date +%s)
for rig in test/rigs/vscode/install.sh test/rigs/jupyter/install.sh test/rigs/kube/build.sh \
           test/rigs/notebook-controller/build.sh test/rigs/workspaces-controller/build.sh test/rigs/kserve/build.sh \
           test/rigs/postgres/install.sh test/rigs/model-registry/install.sh test/rigs/kale/install.sh \
           test/rigs/mariadb/install.sh test/rigs/object-store/build.sh test/rigs/kfp-stack/build.sh \
           test/rigs/mlmd/install.sh test/rigs/argo/build.sh test/rigs/prometheus/build.sh; do
  if [ -f "$rig" ]; then
    t=$(date +%s); log "$rig"
    bash "$rig" || { rc=$?; log "FAILED: $rig (exit $rc); see its output above"; exit "$rc"; }
    log "$rig: $(( $(date +%s) - t )) s"
  fi
done
log "ready (rigs in $(( $(date +%s) - T_SETUP )) s)"
