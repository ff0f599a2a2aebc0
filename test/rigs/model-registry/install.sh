#!/usr/bin/env bash
# Installs the real Model Registry rig into $KFVS_CACHE/model-registry/<version>/:
#   bin/model-registry   Model Registry v0.3.8's server, built from ../shared/upstream/model-registry-0.3.8/
#                        (the Go module proxy refuses github.com/kubeflow/model-registry but serves its dependencies)
#   py-0.3.8/ py-0.3.18/ venvs with PyPI's official `model-registry` Python clients (requirements-*.txt beside this)
# Its PostgreSQL 16 is the PostgreSQL rig's (test/rigs/postgres/install.sh, run first by scripts/setup.sh); the server
# migrates each fresh database at start.
# Idempotent: a stamp makes a second call return at once; a flock serialises parallel setups.
# Measured here (2 cores, shared): server build ~40 s warm.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../../../scripts/lib/clean-env.sh"
. "$HERE/../../../scripts/lib/go-build.sh"

# ---- pinned versions: the only place to change them ----------------------------------------------
MR_VERSION=0.3.8                  # ../shared/upstream/model-registry-<version>/
RIG_REV=2                         # bump when this script changes what it produces
# ---------------------------------------------------------------------------------------------------
KFVS_CACHE=${KFVS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubeflow-vscode}
SHARED=${KFVS_SHARED:-$HERE/../../../../shared}
SRC=${KFVS_MODEL_REGISTRY_SRC:-$SHARED/upstream/model-registry-$MR_VERSION}
RIG=$KFVS_CACHE/model-registry/$MR_VERSION
PY=${KFVS_PYTHON:-python3}
reqhash() { cat "$HERE"/requirements-*.txt | sha256sum | cut -c1-16; }
WANT="model-registry=$MR_VERSION py=$(reqhash) rev=$RIG_REV"
STAMP=$RIG/.stamp
log() { printf '[model-registry-rig %s] %s\n' "$(date +%T)" "$*" >&2; }

complete() {
  [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] && [ -x "$RIG/bin/model-registry" ] \
    && [ -x "$RIG/py-0.3.8/bin/python" ] && [ -x "$RIG/py-0.3.18/bin/python" ]
}
if complete; then echo "$RIG"; exit 0; fi
mkdir -p "$RIG"
go_rig_lock "$RIG"
if complete; then echo "$RIG"; exit 0; fi
rm -f "$STAMP"
T0=$(date +%s)

# ---- 1. the server -------------------------------------------------------------------------------
if [ ! -x "$RIG/bin/model-registry" ] || [ ! -f "$RIG/bin/.built-$MR_VERSION" ]; then
  log "building model-registry $MR_VERSION from $SRC"
  go_rig_build "$SRC" "$RIG/bin" model-registry=.
  rm -rf "$RIG/src" "$RIG/pg" "$RIG/pgdata-template" "$RIG/pg-user"   # rev 1 kept its own PostgreSQL here
  touch "$RIG/bin/.built-$MR_VERSION"
  log "server built (+$(( $(date +%s) - T0 ))s)"
fi

# ---- 2. the official Python clients, one venv each -----------------------------------------------
for v in 0.3.8 0.3.18; do
  VENV=$RIG/py-$v
  REQ=$(sha256sum "$HERE/requirements-$v.txt" | cut -c1-16)
  # a venv from an earlier rev (no .req yet) or of these requirements is kept
  if [ "$(cat "$VENV/.req" 2>/dev/null || echo "$REQ")" = "$REQ" ] \
    && "$VENV/bin/python" -c "import importlib.metadata as m; assert m.version('model-registry') == '$v'" 2>/dev/null; then
    echo "$REQ" > "$VENV/.req"; continue
  fi
  rm -rf "$VENV"; "$PY" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$HERE/requirements-$v.txt"
  "$VENV/bin/python" -c "import model_registry, importlib.metadata as m; assert m.version('model-registry') == '$v'"
  echo "$REQ" > "$VENV/.req"
done
log "python clients ready (+$(( $(date +%s) - T0 ))s)"

echo "$WANT" > "$STAMP"
log "done in $(( $(date +%s) - T0 ))s"
echo "$RIG"
