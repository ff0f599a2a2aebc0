#!/usr/bin/env bash
# Build the real-Kubernetes test rig binaries from Go modules (no downloads except the Go module proxy):
#   kube-apiserver, kube-controller-manager, kube-scheduler + kubectl (k8s.io/kubernetes),
#   etcd (go.etcd.io/etcd/server/v3), kwok (sigs.k8s.io/kwok).
# The controller manager and scheduler run when a rig asks for them (`controllers: true`): StatefulSets,
# Deployments, ReplicaSets, Jobs, garbage collection and service accounts are then Kubernetes' own.
#
# Idempotent: a stamp makes a second call return immediately. Output (binaries + kwok stage/CRD YAML copied
# out of the module cache) lives outside the repo:
#   $KFVS_CACHE/kube/<k8s>-<etcd>-<kwok>/{bin,share/kwok}
#   KFVS_CACHE defaults to ${XDG_CACHE_HOME:-$HOME/.cache}/kubeflow-vscode
# Go caches: $GOMODCACHE / $GOCACHE when set in the environment, else Go's defaults (~/go/pkg/mod, ~/.cache/go-build).
#
# Usage:
#   test/rigs/kube/build.sh                 build if needed, print the bin dir on the last line
#   test/rigs/kube/build.sh --print-bin-dir print the bin dir if the build is complete (exit 3 if not); never builds
#   test/rigs/kube/build.sh --force         rebuild even if stamped
#
# Measured on the 2-core / 24 GB dev machine (Go 1.26.8, empty GOMODCACHE and GOCACHE, other builds running):
#   cold build: 9m51s wall at load 4-8 (13m55s at load 8-11); CPU user+sys 12.3-12.6 min, so ~7 min on an idle machine.
#     phases: go get 16 s, kube-apiserver+kubectl 7m14s, etcd 39 s, kwok 1m42s (kwok pins client-go v0.36.1: rebuilt)
#   binary sizes (-s -w, trimpath, CGO off): kube-apiserver 85 MiB, kubectl 57 MiB, kwok 61 MiB, etcd 26 MiB (229 MB)
#   Go caches afterwards: GOCACHE 3.1 GB, GOMODCACHE 1.1 GB (only needed to rebuild; safe to delete)
#   warm call (stamp present): 4 ms
set -euo pipefail
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../../../scripts/lib/clean-env.sh"

# ---- pinned versions: the only place to change them ----------------------------------------------
K8S_VERSION=v1.36.3     # k8s.io/kubernetes; staging modules at v0.<minor>.<patch>
ETCD_VERSION=v3.6.16    # go.etcd.io/etcd/server/v3
KWOK_VERSION=v0.8.0     # sigs.k8s.io/kwok
RIG_BUILD_REV=2         # bump when this script changes what it produces
# ---------------------------------------------------------------------------------------------------

KFVS_CACHE=${KFVS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubeflow-vscode}
RIG=$KFVS_CACHE/kube/$K8S_VERSION-$ETCD_VERSION-$KWOK_VERSION
BIN=$RIG/bin
SHARE=$RIG/share
STAMP=$RIG/.stamp
STAMP_WANT="k8s=$K8S_VERSION etcd=$ETCD_VERSION kwok=$KWOK_VERSION rev=$RIG_BUILD_REV"
BINARIES="kube-apiserver kube-controller-manager kube-scheduler kubectl etcd kwok"

complete() {
  [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$STAMP_WANT" ] || return 1
  local b; for b in $BINARIES; do [ -x "$BIN/$b" ] || return 1; done
  [ -f "$SHARE/kwok/stage/kustomization.yaml" ] || return 1
}

FORCE=0
case "${1:-}" in
  --print-bin-dir)
    if complete; then echo "$BIN"; exit 0; fi
    echo "kube rig binaries not built for $STAMP_WANT: run test/rigs/kube/build.sh (about 15 min cold)" >&2
    exit 3 ;;
  --force) FORCE=1 ;;
  "") ;;
  *) echo "usage: $0 [--print-bin-dir|--force]" >&2; exit 2 ;;
esac

if [ "$FORCE" = 0 ] && complete; then echo "$BIN"; exit 0; fi

# one build at a time per rig dir (parallel setups share the cache); re-check once we hold the lock
mkdir -p "$RIG"
exec 9>"$RIG.lock"
flock 9
if [ "$FORCE" = 0 ] && complete; then echo "$BIN"; exit 0; fi

command -v go >/dev/null || { echo "go not found in PATH (need Go >= 1.26)" >&2; exit 1; }
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-trimpath -modcacherw -buildvcs=false"
# Go's own download and build caches (not $KFVS_CACHE): they are download caches, kept when the rig cache is wiped.
export GOMODCACHE=${GOMODCACHE:-$(go env GOMODCACHE)}
export GOCACHE=${GOCACHE:-$(go env GOCACHE)}
export GOBIN= GOWORK=off GO111MODULE=on
# build into a fresh dir and swap it in at the end: never overwrite a binary a running rig is executing
OUT=$RIG/bin.new
rm -rf "$OUT"; mkdir -p "$OUT" "$RIG/src" "$GOMODCACHE" "$GOCACHE"
rm -f "$STAMP"
T0=$(date +%s)
log() { echo "[kube-rig build +$(( $(date +%s) - T0 ))s] $*" >&2; }
# `go get` prints one line per module (hundreds): keep that in a log, show it only on failure
GETLOG=$RIG/go-get.log; : > "$GETLOG"
quiet() { "$@" >>"$GETLOG" 2>&1 || { tail -n 40 "$GETLOG" >&2; echo "failed: $*" >&2; exit 1; }; }
log "go $(go env GOVERSION); GOMODCACHE=$GOMODCACHE GOCACHE=$GOCACHE; output $RIG"

# ---- 1. kube-apiserver + kubectl ------------------------------------------------------------------
# `go install k8s.io/kubernetes/cmd/...@v` is refused (its go.mod replaces every staging module with
# ./staging/...). A consumer module requires k8s.io/kubernetes and replaces each staging module with
# its published v0.x release; the list is derived from the downloaded go.mod (1.36 has 33 modules).
SV=v0.${K8S_VERSION#v1.}
MINOR=$(echo "$K8S_VERSION" | cut -d. -f2)
KSRC=$RIG/src/k8s
rm -rf "$KSRC"; mkdir -p "$KSRC"; cd "$KSRC"
go mod init rig.local/k8s >/dev/null 2>&1
KMOD=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" 2>>"$GETLOG" | sed -n 's/.*"GoMod": "\([^"]*\)".*/\1/p')
[ -f "$KMOD" ] || { echo "could not download k8s.io/kubernetes@$K8S_VERSION go.mod" >&2; exit 1; }
go mod edit -go="$(sed -n 's/^go //p' "$KMOD")"
sed -n 's/^godebug //p' "$KMOD" | while read -r d; do go mod edit -godebug="$d"; done
STAGING=$(sed -n 's#^[[:space:]]*\(k8s\.io/[a-z0-9-]*\) => \./staging/.*#\1#p' "$KMOD")
[ -n "$STAGING" ] || { echo "no staging replace lines found in $KMOD" >&2; exit 1; }
for m in $STAGING; do go mod edit -replace="$m=$m@$SV"; done
log "k8s: $(echo "$STAGING" | wc -w) staging modules replaced at $SV"
K8S_CMDS="kube-apiserver kube-controller-manager kube-scheduler kubectl"
quiet go get $(for c in $K8S_CMDS; do echo "k8s.io/kubernetes/cmd/$c@$K8S_VERSION"; done)
log "k8s: dependencies resolved"
BUILD_DATE=$(date -u +%FT%TZ)
LDF="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  LDF+=" -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$MINOR"
  LDF+=" -X $p.gitTreeState=clean -X $p.buildDate=$BUILD_DATE"
done
go build -tags selinux,notest,grpcnotrace -ldflags "$LDF" -o "$OUT/" \
  $(for c in $K8S_CMDS; do echo "k8s.io/kubernetes/cmd/$c"; done)
log "k8s: built $K8S_CMDS"

# ---- 2. etcd --------------------------------------------------------------------------------------
# go.etcd.io/etcd/server/v3's go.mod has `replace => ../api` etc., so again a consumer module.
ESRC=$RIG/src/etcd
rm -rf "$ESRC"; mkdir -p "$ESRC"; cd "$ESRC"
go mod init rig.local/etcd >/dev/null 2>&1
quiet go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION"
go build -ldflags "-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=kfvs-rig" -o "$OUT/etcd" go.etcd.io/etcd/server/v3
log "etcd: built"

# ---- 3. kwok --------------------------------------------------------------------------------------
# kwok's go.mod has no replace, so plain `go install` works (built against its own pinned deps).
quiet env GOBIN="$OUT" go install -ldflags "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=${KWOK_VERSION#v} -X sigs.k8s.io/kwok/pkg/consts.KubeVersion=${K8S_VERSION#v}" \
  "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
log "kwok: built"

# kwok has no built-in stages: copy the upstream stage and CRD YAML out of the module cache (which may be
# wiped later) into the rig cache. Never committed to the repo.
KWOK_MOD=$(go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/.*"Dir": "\([^"]*\)".*/\1/p')
rm -rf "$SHARE/kwok"; mkdir -p "$SHARE/kwok/stage" "$SHARE/kwok/crd"
for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
         pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml \
         pod/chaos/pod-container-running-failed.yaml; do
  cp "$KWOK_MOD/kustomize/stage/$f" "$SHARE/kwok/stage/"
done
{ echo "apiVersion: kustomize.config.k8s.io/v1beta1"; echo "kind: Kustomization"; echo "resources:"
  for f in "$SHARE"/kwok/stage/*.yaml; do echo "- $(basename "$f")"; done; } > "$SHARE/kwok/stage/kustomization.yaml"
cp "$KWOK_MOD"/kustomize/crd/bases/*.yaml "$SHARE/kwok/crd/"
chmod -R u+w "$SHARE"

# ---- 4. verify, swap in, stamp ---------------------------------------------------------------------
"$OUT/kube-apiserver" --version >&2
"$OUT/kube-controller-manager" --version >&2
"$OUT/kube-scheduler" --version >&2
"$OUT/kubectl" version --client >&2
"$OUT/etcd" --version >&2
"$OUT/kwok" --version >&2
log "sizes: $(cd "$OUT" && for b in $BINARIES; do printf '%s=%sMB ' "$b" "$(( $(stat -c %s "$b") / 1048576 ))"; done)"
rm -rf "$BIN.old"; [ -d "$BIN" ] && mv "$BIN" "$BIN.old"; mv "$OUT" "$BIN"; rm -rf "$BIN.old"
echo "$STAMP_WANT" > "$STAMP"
log "done in $(( $(date +%s) - T0 ))s"
echo "$BIN"
