#!/usr/bin/env bash
# Prepares the MySQL-compatible database of the KFP API server: Debian's MariaDB (mariadb-server, installed by
# scripts/setup.sh with apt) and, in $KFVS_CACHE/mariadb/<version>/datadir-template/, a data dir initialised once
# (mariadb-install-db); each startMariaDb() copies it. Why not PostgreSQL for KFP: test/rigs/README.md.
# Idempotent: a stamp makes a second call return at once; a flock serialises parallel setups. ~5 s.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../../../scripts/lib/clean-env.sh"
RIG_REV=1
KFVS_CACHE=${KFVS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubeflow-vscode}
command -v mariadbd >/dev/null || PATH=$PATH:/usr/sbin
command -v mariadbd >/dev/null || { echo "mariadbd not found: apt-get install mariadb-server (scripts/setup.sh does)" >&2; exit 1; }
VERSION=$(mariadbd --version | sed -n 's/.*Ver \([0-9.]*\)-MariaDB.*/\1/p')
[ -n "$VERSION" ] || { echo "cannot read the MariaDB version from: $(mariadbd --version)" >&2; exit 1; }
RIG=$KFVS_CACHE/mariadb/$VERSION
WANT="mariadb=$VERSION rev=$RIG_REV"
complete() { [ -f "$RIG/.stamp" ] && [ "$(cat "$RIG/.stamp")" = "$WANT" ] && [ -d "$RIG/datadir-template/mysql" ]; }
if complete; then echo "$RIG"; exit 0; fi
mkdir -p "$RIG"
exec 9>"$RIG.lock"
flock 9
if complete; then echo "$RIG"; exit 0; fi
rm -f "$RIG/.stamp"
TPL=$RIG/datadir-template
rm -rf "$TPL" "$TPL.new"; mkdir -p "$TPL.new"
mariadb-install-db --no-defaults --datadir="$TPL.new" --user="$(id -un)" --auth-root-authentication-method=normal \
  --skip-test-db --skip-name-resolve >"$RIG/install-db.log" 2>&1 || { tail -n 30 "$RIG/install-db.log" >&2; exit 1; }
mv "$TPL.new" "$TPL"
echo "$WANT" > "$RIG/.stamp"
echo "$RIG"
