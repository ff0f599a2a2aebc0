# Sourced by the rigs' build scripts that build Go programs into $KFVS_CACHE (notebook-controller, model-registry,
# kfp-stack, object-store): one place for Go's build environment, the stamp, the lock and the copy of read-only
# upstream sources. Go's own caches (GOMODCACHE/GOCACHE, or Go's defaults) hold downloads and build results and are
# kept when the rig cache is wiped.
#
#   go_rig_done STAMP WANT FILE...     true when STAMP holds WANT and every FILE is executable
#   go_rig_lock DIR                    takes DIR.lock (fd 9) for the rest of the script: parallel setups wait
#   go_rig_build SRC OUT NAME=PKG[+cgo]...
#       builds each package PKG (relative to the module at SRC) into OUT/NAME, with cgo off unless `+cgo`. The
#       shared tree is read-only and go may update go.sum: SRC is first copied to OUT/../src (rsync-like: replaced
#       each build). The binaries are written to a temporary name and renamed, so a failed build leaves none.
#   go_rig_install OUT NAME=MODULE/PKG@VERSION...
#       `go install` of a module from the Go proxy into OUT/NAME (no sources kept).
# Each prints nothing on success but Go's own errors; timing is the caller's.

go_rig_env() {
  command -v go >/dev/null || { echo "go not found in PATH (need Go >= 1.26)" >&2; return 1; }
  export GOTOOLCHAIN=local GOWORK=off GO111MODULE=on GOFLAGS="-mod=mod -trimpath -buildvcs=false -modcacherw"
  export GOMODCACHE=${GOMODCACHE:-$(go env GOMODCACHE)} GOCACHE=${GOCACHE:-$(go env GOCACHE)}
}

go_rig_done() {
  local stamp=$1 want=$2 f; shift 2
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] || return 1
  for f in "$@"; do [ -x "$f" ] || return 1; done
}

go_rig_lock() {
  mkdir -p "$1"
  exec 9>"$1.lock"
  flock 9
}

go_rig_build() {
  local src=$1 out=$2 spec name pkg cgo work
  shift 2
  [ -f "$src/go.mod" ] || { echo "Go sources missing: $src (the shared/ checkout beside the repository, or KFVS_SHARED)" >&2; return 1; }
  go_rig_env || return 1
  work=$(dirname "$out")/src
  rm -rf "$work"; mkdir -p "$work" "$out"
  cp -r "$src/." "$work/"; chmod -R u+w "$work"
  for spec in "$@"; do
    name=${spec%%=*}; pkg=${spec#*=}; cgo=0
    case "$pkg" in *+cgo) pkg=${pkg%+cgo}; cgo=1 ;; esac
    (cd "$work" && CGO_ENABLED=$cgo nice -n 10 go build -ldflags "-s -w" -o "$out/$name.new" "$pkg") || return 1
    mv "$out/$name.new" "$out/$name"
  done
}

go_rig_install() {
  local out=$1 spec name pkg tmp
  shift
  go_rig_env || return 1
  mkdir -p "$out"
  for spec in "$@"; do
    name=${spec%%=*}; pkg=${spec#*=}
    tmp=$(mktemp -d "$out/.install.XXXXXX")
    GOBIN=$tmp CGO_ENABLED=0 GOFLAGS="-trimpath -buildvcs=false -modcacherw" nice -n 10 go install -ldflags "-s -w" "$pkg" \
      || { rm -rf "$tmp"; return 1; }
    mv "$tmp/$(basename "${pkg%@*}")" "$out/$name"; rm -rf "$tmp"
  done
}
