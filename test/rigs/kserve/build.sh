#!/usr/bin/env bash
# Builds the real KServe v0.20.0 controller (`cmd/manager`) from ../shared/upstream/kserve-0.20.0 (the Go module
# proxy refuses github.com/kserve/kserve but serves every dependency) into
#   $KFVS_CACHE/kserve/0.20.0/bin/manager
# and generates, with controller-gen v0.19.0 (the version KServe's own CRDs are made with), the CRDs of the kinds the
# controller watches besides InferenceService (ServingRuntime, ClusterServingRuntime, TrainedModel, InferenceGraph,
# ...; ../shared/kubeflow-specs holds only the InferenceService CRD) from the same Go types into
#   $KFVS_CACHE/kserve/0.20.0/crds/
# The sources are copied into the cache (go may update go.sum); nothing is copied into the repository.
# Measured on the 2-core machine: ~5 min with a cold Go build cache, ~1-2 min warm.
#   build.sh                  build if needed; prints the binary path on the last line
#   build.sh --print-bin      the binary path if built (exit 3 if not); never builds
set -euo pipefail
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../../../scripts/lib/clean-env.sh"
VERSION=0.20.0
CONTROLLER_GEN=v0.19.0
REV=1
KFVS_CACHE=${KFVS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubeflow-vscode}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
SHARED=${KFVS_SHARED:-$REPO/../shared}
SRC=$SHARED/upstream/kserve-$VERSION
DIR=$KFVS_CACHE/kserve/$VERSION
BIN=$DIR/bin/manager
WANT="kserve=$VERSION controller-gen=$CONTROLLER_GEN rev=$REV"
done_() { [ -x "$BIN" ] && [ -d "$DIR/crds" ] && [ -f "$DIR/.stamp" ] && [ "$(cat "$DIR/.stamp")" = "$WANT" ]; }
if [ "${1:-}" = --print-bin ]; then
  if done_; then echo "$BIN"; exit 0; fi
  echo "KServe controller not built: run test/rigs/kserve/build.sh" >&2; exit 3
fi
if done_; then echo "$BIN"; exit 0; fi
[ -f "$SRC/go.mod" ] || { echo "KServe sources missing: $SRC (the shared/ checkout beside the repository, or KFVS_SHARED)" >&2; exit 1; }
command -v go >/dev/null || { echo "go not found in PATH (need Go >= 1.26)" >&2; exit 1; }
mkdir -p "$DIR"
exec 9>"$DIR.lock"; flock 9
if done_; then echo "$BIN"; exit 0; fi
t0=$(date +%s)
export GOTOOLCHAIN=local CGO_ENABLED=0 GOWORK=off GO111MODULE=on GOFLAGS="-mod=mod -trimpath -buildvcs=false -modcacherw"
WORK=$DIR/src; rm -rf "$WORK"; mkdir -p "$WORK"; cp -r "$SRC/." "$WORK/"; chmod -R u+w "$WORK"
rm -f "$DIR/.stamp"
mkdir -p "$DIR/bin"
(cd "$WORK" && nice -n 10 go build -ldflags "-s -w" -o "$DIR/bin/manager.new" ./cmd/manager)
mv "$DIR/bin/manager.new" "$BIN"
GOBIN="$DIR/tools" nice -n 10 go install "sigs.k8s.io/controller-tools/cmd/controller-gen@$CONTROLLER_GEN"
rm -rf "$DIR/crds.new"; mkdir -p "$DIR/crds.new"
(cd "$WORK" && "$DIR/tools/controller-gen" crd:maxDescLen=0 paths=./pkg/apis/serving/v1alpha1/... output:crd:dir="$DIR/crds.new")
rm -rf "$DIR/crds"; mv "$DIR/crds.new" "$DIR/crds"
echo "$WANT" > "$DIR/.stamp"
echo "[kserve build] built in $(( $(date +%s) - t0 )) s" >&2
echo "$BIN"
