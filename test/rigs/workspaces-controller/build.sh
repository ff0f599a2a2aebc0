#!/usr/bin/env bash
# Builds the real Kubeflow Notebooks 2.0 Workspace controller (2.0.0-beta.0, ./cmd/) from
# ../shared/upstream/notebooks-workspaces-controller-2.0.0-beta.0 (the Go module proxy refuses
# github.com/kubeflow/notebooks but serves every dependency) into
#   $KFVS_CACHE/workspaces-controller/2.0.0-beta.0/bin/workspaces-controller
# Like ../notebook-controller/build.sh: the sources are copied into the cache (go may update go.sum), nothing into the
# repository; Go's own GOMODCACHE/GOCACHE hold downloads and build results. ~10 s with warm Go caches.
#   build.sh                  build if needed; prints the binary path on the last line
#   build.sh --print-bin      the binary path if built (exit 3 if not); never builds
set -euo pipefail
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../../../scripts/lib/clean-env.sh"
VERSION=2.0.0-beta.0
REV=1
KFVS_CACHE=${KFVS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubeflow-vscode}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
SHARED=${KFVS_SHARED:-$REPO/../shared}
SRC=$SHARED/upstream/notebooks-workspaces-controller-$VERSION
DIR=$KFVS_CACHE/workspaces-controller/$VERSION
BIN=$DIR/bin/workspaces-controller
WANT="workspaces-controller=$VERSION rev=$REV"
done_() { [ -x "$BIN" ] && [ -f "$DIR/.stamp" ] && [ "$(cat "$DIR/.stamp")" = "$WANT" ]; }
if [ "${1:-}" = --print-bin ]; then
  if done_; then echo "$BIN"; exit 0; fi
  echo "workspaces controller not built: run test/rigs/workspaces-controller/build.sh" >&2; exit 3
fi
if done_; then echo "$BIN"; exit 0; fi
[ -f "$SRC/go.mod" ] || { echo "workspaces controller sources missing: $SRC (the shared/ checkout beside the repository, or KFVS_SHARED)" >&2; exit 1; }
command -v go >/dev/null || { echo "go not found in PATH (need Go >= 1.26)" >&2; exit 1; }
mkdir -p "$DIR"
exec 9>"$DIR.lock"; flock 9
if done_; then echo "$BIN"; exit 0; fi
t0=$(date +%s)
export GOTOOLCHAIN=local CGO_ENABLED=0 GOWORK=off GO111MODULE=on GOFLAGS="-mod=mod -trimpath -buildvcs=false -modcacherw"
WORK=$DIR/src; rm -rf "$WORK"; mkdir -p "$WORK"; cp -r "$SRC/." "$WORK/"; chmod -R u+w "$WORK"
rm -f "$DIR/.stamp"
(cd "$WORK" && nice -n 10 go build -ldflags "-s -w" -o "$DIR/bin/workspaces-controller.new" ./cmd/)
mv "$DIR/bin/workspaces-controller.new" "$BIN"
echo "$WANT" > "$DIR/.stamp"
echo "[workspaces-controller build] built in $(( $(date +%s) - t0 )) s" >&2
echo "$BIN"
