#!/usr/bin/env bash
# Installs the MLMD rig into $KFVS_CACHE/mlmd/<version>/:
#   venv/       PyPI's ml-metadata (the real MLMD library: its C++ store with the SQLite backend, the gRPC protos and
#               stubs) in a venv of its own: it pins protobuf 4.25, older than what the Jupyter venv's kfp SDK needs
#   mlmd.desc   the FileDescriptorSet of MetadataStoreService and its imports, from the wheel's generated modules
#               (the wheel ships no .proto files); the editor's gRPC client loads it (esbuild.mjs copies it to dist/)
# Idempotent: a stamp makes a second call return at once; a flock serialises parallel setups.
# Measured here (2 cores, shared): ~15 s with an empty pip cache, ~5 s warm.
set -euo pipefail
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../../../scripts/lib/clean-env.sh"
HERE=$(cd "$(dirname "$0")" && pwd)

MLMD_VERSION=1.17.1   # the cp311 wheel; requirements.txt pins it with its dependencies
RIG_REV=1             # bump when this script changes what it produces
KFVS_CACHE=${KFVS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubeflow-vscode}
RIG=$KFVS_CACHE/mlmd/$MLMD_VERSION
PY=${KFVS_PYTHON:-python3}
WANT="ml-metadata=$MLMD_VERSION py=$("$PY" -c 'import sys; print(sys.version.split()[0])') req=$(sha256sum "$HERE/requirements.txt" "$HERE/descriptor.py" | sha256sum | cut -c1-16) rev=$RIG_REV"
STAMP=$RIG/.stamp
log() { printf '[mlmd-rig %s] %s\n' "$(date +%T)" "$*" >&2; }

complete() { [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] && [ -x "$RIG/venv/bin/python" ] && [ -s "$RIG/mlmd.desc" ]; }
if complete; then echo "$RIG"; exit 0; fi
mkdir -p "$RIG"
exec 9>"$RIG.lock"
flock 9
if complete; then echo "$RIG"; exit 0; fi
rm -f "$STAMP"
T0=$(date +%s)

"$PY" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' \
  || { log "ml-metadata $MLMD_VERSION ships a wheel for CPython 3.11 only; $PY is $("$PY" --version 2>&1) (set KFVS_PYTHON)"; exit 1; }
rm -rf "$RIG/venv"
"$PY" -m venv "$RIG/venv"
"$RIG/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$HERE/requirements.txt"
"$RIG/venv/bin/python" -c "import ml_metadata, importlib.metadata as m; assert m.version('ml-metadata') == '$MLMD_VERSION'"
"$RIG/venv/bin/python" "$HERE/descriptor.py" "$RIG/mlmd.desc.new"
mv "$RIG/mlmd.desc.new" "$RIG/mlmd.desc"

echo "$WANT" > "$STAMP"
log "done in $(( $(date +%s) - T0 ))s"
echo "$RIG"
