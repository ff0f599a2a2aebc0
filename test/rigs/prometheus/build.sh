#!/usr/bin/env bash
# Installs the rig's real Prometheus server: `cmd/prometheus` of github.com/prometheus/prometheus v0.316.0 (Prometheus
# 3.x; the Go module proxy serves it) into $KFVS_CACHE/prometheus/0.316.0/bin/prometheus, built with the upstream
# build tag `remove_all_sd` (no cloud service-discovery plugins: the rig scrapes static targets), which also keeps the
# build small. The UI's assets are not embedded: the rig uses the HTTP API only.
#   build.sh                  build if needed; prints the binary path on the last line
#   build.sh --print-bin      the binary path if built (exit 3 if not); never builds
# Measured on the 2-core machine: ~6 min with empty Go caches, seconds with warm ones.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../../../scripts/lib/clean-env.sh"
. "$HERE/../../../scripts/lib/go-build.sh"
VERSION=0.316.0
REV=1
KFVS_CACHE=${KFVS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubeflow-vscode}
DIR=$KFVS_CACHE/prometheus/$VERSION
BIN=$DIR/bin/prometheus
WANT="prometheus=$VERSION tags=remove_all_sd rev=$REV"
if [ "${1:-}" = --print-bin ]; then
  if go_rig_done "$DIR/.stamp" "$WANT" "$BIN"; then echo "$BIN"; exit 0; fi
  echo "Prometheus not built: run test/rigs/prometheus/build.sh" >&2; exit 3
fi
if go_rig_done "$DIR/.stamp" "$WANT" "$BIN"; then echo "$BIN"; exit 0; fi
go_rig_lock "$DIR"
if go_rig_done "$DIR/.stamp" "$WANT" "$BIN"; then echo "$BIN"; exit 0; fi
t0=$(date +%s)
rm -f "$DIR/.stamp"
GO_RIG_TAGS=remove_all_sd go_rig_install "$DIR/bin" "prometheus=github.com/prometheus/prometheus/cmd/prometheus@v$VERSION"
echo "$WANT" > "$DIR/.stamp"
echo "[prometheus build] built in $(( $(date +%s) - t0 )) s" >&2
echo "$BIN"
