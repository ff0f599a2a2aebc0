#!/usr/bin/env bash
# Builds Argo Workflows v4.0.5 (the version KFP 2.17's go.mod requires) from the Go module proxy into
#   $KFVS_CACHE/argo/4.0.5/bin/{workflow-controller,argoexec}
#   $KFVS_CACHE/argo/4.0.5/share/crds/*.yaml      (the module's manifests/base/crds/minimal: what its install manifests apply)
# The module is read from Go's module cache and built from a copy (go may update go.sum); nothing is copied into the
# repository. Go's own GOMODCACHE/GOCACHE hold downloads and build results.
# Measured on the 2-core machine: ~10 min with empty Go caches, ~1-2 min with warm ones.
#   build.sh               build if needed; prints the bin dir on the last line
#   build.sh --print-bin-dir  the bin dir if built (exit 3 if not); never builds
set -euo pipefail
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../../../scripts/lib/clean-env.sh"
VERSION=v4.0.5
REV=2
MODULE=github.com/argoproj/argo-workflows/v4
KFVS_CACHE=${KFVS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubeflow-vscode}
DIR=$KFVS_CACHE/argo/${VERSION#v}
BIN=$DIR/bin
WANT="argo-workflows=$VERSION rev=$REV"
done_() {
  [ -f "$DIR/.stamp" ] && [ "$(cat "$DIR/.stamp")" = "$WANT" ] && [ -x "$BIN/workflow-controller" ] && [ -x "$BIN/argoexec" ] \
    && [ -f "$DIR/share/crds/argoproj.io_workflows.yaml" ]
}
if [ "${1:-}" = --print-bin-dir ]; then
  if done_; then echo "$BIN"; exit 0; fi
  echo "Argo Workflows not built: run test/rigs/argo/build.sh" >&2; exit 3
fi
if done_; then echo "$BIN"; exit 0; fi
command -v go >/dev/null || { echo "go not found in PATH (need Go >= 1.26)" >&2; exit 1; }
mkdir -p "$DIR"
exec 9>"$DIR.lock"; flock 9
if done_; then echo "$BIN"; exit 0; fi
t0=$(date +%s)
export GOTOOLCHAIN=local CGO_ENABLED=0 GOWORK=off GO111MODULE=on GOFLAGS="-mod=mod -trimpath -buildvcs=false -modcacherw"
export GOMODCACHE=${GOMODCACHE:-$(go env GOMODCACHE)} GOCACHE=${GOCACHE:-$(go env GOCACHE)}
rm -f "$DIR/.stamp"
MOD=$(go mod download -json "$MODULE@$VERSION" | sed -n 's/.*"Dir": "\([^"]*\)".*/\1/p')
[ -f "$MOD/go.mod" ] || { echo "could not download $MODULE@$VERSION from the Go module proxy" >&2; exit 1; }
WORK=$DIR/src; rm -rf "$WORK"; mkdir -p "$WORK"; cp -r "$MOD/." "$WORK/"; chmod -R u+w "$WORK"
# Module zips leave out symlinks: in the repository, the executor's signal_linux.go is a symlink to signal_darwin.go
# (without it argoexec fails with `undefined: Setpgid`). Put the link back.
OSS=$WORK/workflow/executor/osspecific
[ -e "$OSS/signal_linux.go" ] || ln -s signal_darwin.go "$OSS/signal_linux.go"
LDF="-s -w -X $MODULE.version=$VERSION -X $MODULE.gitTag=$VERSION -X $MODULE.gitTreeState=clean"
mkdir -p "$BIN.new"
(cd "$WORK" && nice -n 10 go build -ldflags "$LDF" -o "$BIN.new/" ./cmd/workflow-controller ./cmd/argoexec)
rm -rf "$DIR/share"; mkdir -p "$DIR/share/crds"
cp "$WORK"/manifests/base/crds/minimal/argoproj.io_*.yaml "$DIR/share/crds/"
rm -rf "$BIN.old"; [ -d "$BIN" ] && mv "$BIN" "$BIN.old"; mv "$BIN.new" "$BIN"; rm -rf "$BIN.old" "$WORK"
echo "$WANT" > "$DIR/.stamp"
echo "[argo build] built in $(( $(date +%s) - t0 )) s" >&2
echo "$BIN"
