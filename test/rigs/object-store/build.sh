#!/usr/bin/env bash
# Installs the rig's S3-compatible object store: gofakes3 v1.2.0's own server (cmd/gofakes3, file backend) from the
# Go module proxy into $KFVS_CACHE/object-store/gofakes3-1.2.0/bin/gofakes3. Why this one: test/rigs/README.md.
#   build.sh                  build if needed; prints the binary path on the last line
#   build.sh --print-bin      the binary path if built (exit 3 if not); never builds
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../../../scripts/lib/clean-env.sh"
. "$HERE/../../../scripts/lib/go-build.sh"
VERSION=1.2.0
REV=1
KFVS_CACHE=${KFVS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubeflow-vscode}
DIR=$KFVS_CACHE/object-store/gofakes3-$VERSION
BIN=$DIR/bin/gofakes3
WANT="gofakes3=$VERSION rev=$REV"
if [ "${1:-}" = --print-bin ]; then
  if go_rig_done "$DIR/.stamp" "$WANT" "$BIN"; then echo "$BIN"; exit 0; fi
  echo "object store not built: run test/rigs/object-store/build.sh" >&2; exit 3
fi
if go_rig_done "$DIR/.stamp" "$WANT" "$BIN"; then echo "$BIN"; exit 0; fi
go_rig_lock "$DIR"
if go_rig_done "$DIR/.stamp" "$WANT" "$BIN"; then echo "$BIN"; exit 0; fi
t0=$(date +%s)
rm -f "$DIR/.stamp"
go_rig_install "$DIR/bin" "gofakes3=github.com/johannesboyne/gofakes3/cmd/gofakes3@v$VERSION"
echo "$WANT" > "$DIR/.stamp"
echo "[object-store build] built in $(( $(date +%s) - t0 )) s" >&2
echo "$BIN"
