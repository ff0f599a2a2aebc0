#!/usr/bin/env bash
# Builds the real Kubeflow Pipelines 2.17.0 backend from ../shared/upstream/kubeflow-pipelines-2.17.0 (the Go module
# proxy refuses github.com/kubeflow/pipelines but serves every dependency) into
#   $KFVS_CACHE/kfp-stack/2.17.0/bin/{apiserver,persistence-agent,scheduledworkflow,driver,launcher-v2}
# and Argo Workflows v4.0.5's CRDs (manifests/base/crds/minimal, from the Go module proxy) into .../crds/ (the API
# server creates Workflow objects and the persistence agent watches them).
# The apiserver links mattn/go-sqlite3 and needs cgo (gcc); the others are built without.
# Measured on the 2-core machine: ~1-2 min with warm Go caches, ~10 min with empty ones.
#   build.sh                  build if needed; prints the bin dir on the last line
#   build.sh --print-bin      the bin dir if built (exit 3 if not); never builds
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../../../scripts/lib/clean-env.sh"
. "$HERE/../../../scripts/lib/go-build.sh"
VERSION=2.17.0
REV=1
ARGO_MODULE=github.com/argoproj/argo-workflows/v4@v4.0.5
KFVS_CACHE=${KFVS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubeflow-vscode}
SHARED=${KFVS_SHARED:-$HERE/../../../../shared}
SRC=$SHARED/upstream/kubeflow-pipelines-$VERSION
DIR=$KFVS_CACHE/kfp-stack/$VERSION
BIN=$DIR/bin
NAMES=(apiserver persistence-agent scheduledworkflow driver launcher-v2)
WANT="kfp-stack=$VERSION rev=$REV"
crds_done() { [ -f "$DIR/crds/.module" ] && [ "$(cat "$DIR/crds/.module")" = "$ARGO_MODULE" ]; }
done_() { go_rig_done "$DIR/.stamp" "$WANT" "${NAMES[@]/#/$BIN/}" && crds_done; }
if [ "${1:-}" = --print-bin ]; then
  if done_; then echo "$BIN"; exit 0; fi
  echo "KFP backend not built: run test/rigs/kfp-stack/build.sh" >&2; exit 3
fi
if done_; then echo "$BIN"; exit 0; fi
go_rig_lock "$DIR"
if done_; then echo "$BIN"; exit 0; fi
if ! crds_done; then
  go_rig_env
  mod=$(cd /tmp && go mod download -json "$ARGO_MODULE" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  [ -d "$mod/manifests/base/crds/minimal" ] || { echo "no Argo CRDs in $mod (go mod download $ARGO_MODULE)" >&2; exit 1; }
  rm -rf "$DIR/crds"; mkdir -p "$DIR/crds"
  cp "$mod"/manifests/base/crds/minimal/argoproj.io_*.yaml "$DIR/crds/"
  echo "$ARGO_MODULE" > "$DIR/crds/.module"
fi
if go_rig_done "$DIR/.stamp" "$WANT" "${NAMES[@]/#/$BIN/}"; then echo "$BIN"; exit 0; fi
command -v gcc >/dev/null || { echo "gcc not found: the KFP apiserver needs cgo (mattn/go-sqlite3)" >&2; exit 1; }
t0=$(date +%s)
rm -f "$DIR/.stamp"
go_rig_build "$SRC" "$BIN" apiserver=./backend/src/apiserver+cgo persistence-agent=./backend/src/agent/persistence \
  scheduledworkflow=./backend/src/crd/controller/scheduledworkflow driver=./backend/src/v2/cmd/driver \
  launcher-v2=./backend/src/v2/cmd/launcher-v2
rm -rf "$DIR/src"
echo "$WANT" > "$DIR/.stamp"
echo "[kfp-stack build] built in $(( $(date +%s) - t0 )) s" >&2
echo "$BIN"
