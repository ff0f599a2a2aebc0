#!/usr/bin/env bash
# Builds the real Kubeflow Notebook controller v1.11.0 from ../shared/upstream/notebook-controller-1.11.0 (the Go
# module proxy refuses github.com/kubeflow/notebooks but serves every dependency) into
#   $KFVS_CACHE/notebook-controller/1.11.0/bin/notebook-controller
# The sources are read in place (GOFLAGS=-mod=mod writes nothing there: go.sum is complete); nothing is copied into
# the repository. Go's own GOMODCACHE/GOCACHE hold downloads and build results.
# Measured on the 2-core machine: ~80 s with warm Go caches, ~3 min with empty ones.
#   build.sh                  build if needed; prints the binary path on the last line
#   build.sh --print-bin      the binary path if built (exit 3 if not); never builds
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../../../scripts/lib/clean-env.sh"
. "$HERE/../../../scripts/lib/go-build.sh"
VERSION=1.11.0
REV=1
KFVS_CACHE=${KFVS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubeflow-vscode}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
SHARED=${KFVS_SHARED:-$REPO/../shared}
SRC=$SHARED/upstream/notebook-controller-$VERSION
DIR=$KFVS_CACHE/notebook-controller/$VERSION
BIN=$DIR/bin/notebook-controller
WANT="notebook-controller=$VERSION rev=$REV"
done_() { go_rig_done "$DIR/.stamp" "$WANT" "$BIN"; }
if [ "${1:-}" = --print-bin ]; then
  if done_; then echo "$BIN"; exit 0; fi
  echo "notebook controller not built: run test/rigs/notebook-controller/build.sh" >&2; exit 3
fi
if done_; then echo "$BIN"; exit 0; fi
go_rig_lock "$DIR"
if done_; then echo "$BIN"; exit 0; fi
t0=$(date +%s)
rm -f "$DIR/.stamp"
go_rig_build "$SRC" "$DIR/bin" notebook-controller=.
echo "$WANT" > "$DIR/.stamp"
echo "[notebook-controller build] built in $(( $(date +%s) - t0 )) s" >&2
echo "$BIN"
