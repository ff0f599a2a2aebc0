#!/usr/bin/env bash
# Installs Kale (PyPI kubeflow-kale, with kfp) into its own venv $KFVS_CACHE/kale/venv, apart from the Jupyter rig's
# venv (Kale brings notebook 7, nbconvert and kubernetes). Idempotent: returns at once while the stamp (requirements
# hash + python version) matches; a flock keeps parallel setups from installing into the same folder.
set -euo pipefail
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../../../scripts/lib/clean-env.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
export KFVS_CACHE=${KFVS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubeflow-vscode}
DIR=$KFVS_CACHE/kale
VENV=$DIR/venv
PY=${KFVS_PYTHON:-python3}
log() { printf '[kale-rig %s] %s\n' "$(date +%T)" "$*"; }

command -v "$PY" >/dev/null || { log "no $PY on PATH (set KFVS_PYTHON)"; exit 1; }
"$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || { log "$PY: Kale 2.x needs Python >= 3.11 (set KFVS_PYTHON)"; exit 1; }
pyver=$("$PY" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')
WANT="python=$pyver requirements=$(sha256sum "$HERE/requirements.txt" | cut -c1-16)"
STAMP=$DIR/.kfvs-stamp
mkdir -p "$DIR"
exec 9>"$DIR/.lock"
flock 9
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] && [ -x "$VENV/bin/python" ]; then
  exit 0
fi
t0=$(date +%s)
rm -f "$STAMP"
rm -rf "$VENV"
log "creating $VENV with $PY $pyver"
"$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$HERE/requirements.txt"
"$VENV/bin/python" -c 'import kale, kfp; from kale.compiler import Compiler; print("kale", __import__("importlib.metadata").metadata.version("kubeflow-kale"), "kfp", kfp.__version__)'
echo "$WANT" > "$STAMP"
log "ready in $(( $(date +%s) - t0 )) s"
