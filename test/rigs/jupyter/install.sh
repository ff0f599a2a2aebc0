#!/usr/bin/env bash
# Installs the Python venv for the Jupyter and KFP-compiler rigs into $KFVS_CACHE/venv:
# jupyter_server 2.x, ipykernel and kfp 2.x, every version pinned in requirements.txt beside this script.
# The python3 kernelspec is registered inside the venv (--sys-prefix), so kernels run the venv's python.
# Idempotent: returns at once while the stamp (requirements hash + python version) matches.
# Python: $KFVS_PYTHON, else python3 (needs >= 3.11 for the pinned IPython).
set -euo pipefail
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../../../scripts/lib/clean-env.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
export KFVS_CACHE=${KFVS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubeflow-vscode}
VENV=$KFVS_CACHE/venv
PY=${KFVS_PYTHON:-python3}
log() { printf '[jupyter-rig %s] %s\n' "$(date +%T)" "$*"; }

command -v "$PY" >/dev/null || { log "no $PY on PATH (set KFVS_PYTHON)"; exit 1; }
pyver=$("$PY" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')
"$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
  || { log "$PY is $pyver; the pinned packages need Python >= 3.11 (set KFVS_PYTHON)"; exit 1; }
WANT="python=$pyver requirements=$(sha256sum "$HERE/requirements.txt" | cut -c1-16)"
STAMP=$VENV/.kfvs-stamp
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] && [ -x "$VENV/bin/python" ]; then
  exit 0
fi

t0=$(date +%s)
if [ -x "$VENV/bin/python" ] && [ "$("$VENV/bin/python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')" = "$pyver" ]; then
  log "updating venv $VENV"
else
  log "creating venv $VENV with $PY $pyver"
  rm -rf "$VENV"
  "$PY" -m venv "$VENV"
fi
rm -f "$STAMP"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$HERE/requirements.txt"
"$VENV/bin/python" -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (kfvs venv)" >/dev/null
# Check: the server and the compiler import, and the kernelspec runs this venv's python.
"$VENV/bin/python" - <<'PY'
import json, sys, os
import jupyter_server, ipykernel, kfp
from jupyter_client.kernelspec import KernelSpecManager
spec = KernelSpecManager().get_kernel_spec('python3')
exe = spec.argv[0]
assert exe in ('python', sys.executable) or os.path.realpath(exe) == os.path.realpath(sys.executable), (exe, sys.executable)
assert spec.resource_dir.startswith(sys.prefix), spec.resource_dir
print(f'jupyter_server {jupyter_server.__version__}, ipykernel {ipykernel.__version__}, kfp {kfp.__version__}, kernelspec {spec.resource_dir}')
PY
echo "$WANT" > "$STAMP"
log "ready in $(( $(date +%s) - t0 )) s"
