# shellcheck shell=bash
# Shared helpers for infra/*.sh. Source it; do not run it.
#
#   ensure_pnpm            install pnpm@12 with npm when `pnpm` is missing
#   install_deps           pnpm install --frozen-lockfile
#   ensure_services        PostgreSQL + Redis: use DATABASE_URL / REDIS_URL from the
#                          environment when set, otherwise install (apt, only if missing)
#                          and start local ones on 127.0.0.1:5434 / :6390 (data in .local/)
#   ensure_database NAME   create database NAME on the DATABASE_URL server if missing
#   recreate_database NAME drop (forcing out connections) and create database NAME
#   ensure_pepper          export KW_PEPPER (from the env, or .local/pepper, created once)
#   refuse_foreign_local_services  die when the local servers were started by another checkout
#   stop_services          stop the local PostgreSQL on :5434 and Redis on :6390 (this checkout's only)
#   stop_started_services  stop only what ensure_services started in this shell
#
# Everything logs one-line progress messages to stderr, so stdout stays clean.

if [[ -n "${_KW_LIB_LOADED:-}" ]]; then
  return 0
fi
_KW_LIB_LOADED=1

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
KW_LOCAL_DIR="$ROOT/.local"
KW_PG_PORT="${KW_PG_PORT:-5434}"
KW_REDIS_PORT="${KW_REDIS_PORT:-6390}"
KW_LOCAL_DATABASE_URL="postgres://postgres@127.0.0.1:${KW_PG_PORT}/keywarden"
KW_LOCAL_REDIS_URL="redis://127.0.0.1:${KW_REDIS_PORT}"
KW_REDIS_DIR="$KW_LOCAL_DIR/redis"

# Set by ensure_services when it (not someone before us) started the local servers.
KW_PG_STARTED=0
KW_REDIS_STARTED=0

# turbo: no telemetry / update checks (only the npm registry is reachable anyway).
export TURBO_TELEMETRY_DISABLED="${TURBO_TELEMETRY_DISABLED:-1}"
export TURBO_NO_UPDATE_NOTIFIER="${TURBO_NO_UPDATE_NOTIFIER:-1}"
export DO_NOT_TRACK="${DO_NOT_TRACK:-1}"

log() { printf '[keywarden] %s\n' "$*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

# Hide the password part of a URL for logging.
_kw_redact() { sed -E 's#(://[^:/@]*):[^@/]*@#\1:***@#' <<<"$1"; }

_kw_as_root() {
  if [[ $EUID -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root to run: $*"
  fi
}

_KW_APT_UPDATED=0
_kw_apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found; please install $* yourself"
  if [[ $_KW_APT_UPDATED -eq 0 ]]; then
    log "apt-get update"
    _kw_as_root apt-get update -qq >&2 || die "apt-get update failed"
    _KW_APT_UPDATED=1
  fi
  log "installing $* (apt-get)"
  _kw_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2 \
    || die "apt-get install $* failed"
}

# ---------------------------------------------------------------- pnpm / deps

ensure_pnpm() {
  if ! command -v pnpm >/dev/null 2>&1; then
    log "pnpm not found; installing pnpm@12 (npm i -g pnpm@12)"
    # Node from Debian or NodeSource installs global packages under /usr: root's to write.
    if [[ -w "$(npm prefix -g)" ]]; then
      npm i -g pnpm@12 >&2 || die "npm i -g pnpm@12 failed"
    else
      _kw_as_root npm i -g pnpm@12 >&2 || die "npm i -g pnpm@12 failed"
    fi
    hash -r
    command -v pnpm >/dev/null 2>&1 \
      || die "pnpm installed but not on PATH (npm global bin: $(npm prefix -g)/bin)"
  fi
  local version
  version="$(pnpm --version 2>/dev/null | grep -E '^[0-9]+\.' | tail -n 1 || true)"
  if [[ "${version%%.*}" != "12" ]]; then
    log "warning: pnpm ${version:-?} found; this repo expects pnpm 12 (npm i -g pnpm@12)"
  else
    log "pnpm $version"
  fi
}

install_deps() {
  log "installing dependencies (pnpm install --frozen-lockfile)"
  (cd "$ROOT" && pnpm install --frozen-lockfile) || die "pnpm install --frozen-lockfile failed"
}

# ---------------------------------------------------------------- URL helpers

# _kw_url_with_db URL NAME -> URL with its database (path) replaced by NAME.
_kw_url_with_db() {
  node -e 'const u = new URL(process.argv[1]); u.pathname = "/" + encodeURIComponent(process.argv[2]); console.log(u.toString());' "$1" "$2"
}

# _kw_url_db URL -> the database name in URL.
_kw_url_db() {
  node -e 'const u = new URL(process.argv[1]); console.log(decodeURIComponent(u.pathname.replace(/^\//, "")));' "$1"
}

# _kw_url_hostport URL DEFAULT_PORT -> "host port" (host empty for socket URLs).
_kw_url_hostport() {
  node -e 'const u = new URL(process.argv[1]); console.log(u.hostname.replace(/^\[|\]$/g, "") + "|" + (u.port || process.argv[2]));' "$1" "$2"
}

# _kw_tcp_open HOST PORT -> 0 when something accepts TCP connections there.
_kw_tcp_open() {
  # shellcheck disable=SC2016 # expanded by the inner bash
  timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" >/dev/null 2>&1
}

_kw_is_loopback() { [[ "$1" == "127.0.0.1" || "$1" == "localhost" || "$1" == "::1" ]]; }

# ---------------------------------------------------------------- PostgreSQL

# Run a command as the PostgreSQL server user (`postgres` when we are root; the
# server refuses to run as root), from / so an unreadable cwd does not matter.
_kw_as_pg() {
  if [[ $EUID -eq 0 ]]; then
    local cmd
    cmd="$(printf '%q ' "$@")"
    (cd / && su -s /bin/bash postgres -c "$cmd")
  else
    (cd / && "$@")
  fi
}

_kw_pg_ready() {
  local isready
  isready="$(command -v pg_isready 2>/dev/null || true)"
  if [[ -z "$isready" && -n "${KW_PG_BIN:-}" && -x "$KW_PG_BIN/pg_isready" ]]; then
    isready="$KW_PG_BIN/pg_isready"
  fi
  if [[ -n "$isready" ]]; then
    "$isready" -q -h 127.0.0.1 -p "$KW_PG_PORT" -U postgres -d postgres -t 2 >/dev/null 2>&1
  else
    _kw_tcp_open 127.0.0.1 "$KW_PG_PORT"
  fi
}

_kw_pg_newest_bin() {
  local initdb
  # shellcheck disable=SC2012 # version dirs are plain numbers
  initdb="$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)"
  [[ -n "$initdb" ]] && dirname "$initdb"
}

_kw_ensure_pg_installed() {
  if [[ -z "$(_kw_pg_newest_bin)" ]]; then
    log "PostgreSQL server not found under /usr/lib/postgresql"
    _kw_apt_install postgresql
    [[ -n "$(_kw_pg_newest_bin)" ]] || die "postgresql installed but no /usr/lib/postgresql/*/bin/initdb"
  fi
  if [[ $EUID -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
    die "user 'postgres' does not exist (it comes with Debian's postgresql package)"
  fi
}

# Can the server user create files in DIR (and reach it through its parents)?
_kw_pg_dir_usable() {
  local dir="$1"
  mkdir -p "$dir" 2>/dev/null || return 1
  if [[ $EUID -eq 0 ]]; then
    chown postgres:postgres "$dir" 2>/dev/null || return 1
  fi
  chmod 700 "$dir" 2>/dev/null || return 1
  _kw_as_pg test -w "$dir" -a -x "$dir" >/dev/null 2>&1
}

# Sets KW_PG_DIR: $ROOT/.local/pg, or /var/tmp/keywarden-pg-<hash of ROOT> when the
# postgres user cannot get into the checkout (e.g. it sits under /root).
_kw_pg_choose_dir() {
  if [[ -n "${KW_PG_DIR:-}" ]]; then
    _kw_pg_dir_usable "$KW_PG_DIR" || die "KW_PG_DIR=$KW_PG_DIR is not usable by the postgres user"
    return 0
  fi
  local primary="$KW_LOCAL_DIR/pg" fallback
  fallback="/var/tmp/keywarden-pg-$(printf '%s' "$ROOT" | cksum | cut -d' ' -f1)"
  if _kw_pg_dir_usable "$primary"; then
    KW_PG_DIR="$primary"
  elif _kw_pg_dir_usable "$fallback"; then
    log "postgres user cannot reach $primary; using $fallback"
    KW_PG_DIR="$fallback"
  else
    die "no directory usable by the postgres user (tried $primary and $fallback)"
  fi
}

# Sets KW_PG_BIN: binaries matching an existing cluster, else the newest installed.
_kw_pg_choose_bin() {
  local data="$KW_PG_DIR/data"
  if [[ -f "$data/PG_VERSION" ]]; then
    local v
    v="$(cat "$data/PG_VERSION")"
    if [[ -x "/usr/lib/postgresql/$v/bin/pg_ctl" ]]; then
      KW_PG_BIN="/usr/lib/postgresql/$v/bin"
      return 0
    fi
    die "$data was created by PostgreSQL $v, which is not installed; install postgresql-$v or delete $KW_PG_DIR"
  fi
  KW_PG_BIN="$(_kw_pg_newest_bin)"
}

# _kw_pg_clear_stale_lock LOCKFILE [EXTRA_FILE...]: remove them when the PID in
# LOCKFILE is not a live postgres process.
_kw_pg_clear_stale_lock() {
  local lock="$1" pid
  [[ -f "$lock" ]] || return 0
  pid="$(head -n 1 "$lock" 2>/dev/null | tr -d ' -' || true)"
  if [[ ! "$pid" =~ ^[0-9]+$ ]] || ! kill -0 "$pid" 2>/dev/null \
    || [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" != postgres* ]] \
    || [[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" == Z ]]; then
    log "removing stale $lock"
    rm -f "$@"
  fi
}

_kw_start_local_pg() {
  _kw_ensure_pg_installed
  _kw_pg_choose_dir
  _kw_pg_choose_bin
  local data="$KW_PG_DIR/data" logfile="$KW_PG_DIR/log" sockdir="$KW_PG_DIR"
  # Unix socket paths are limited to ~107 bytes.
  if (( ${#sockdir} > 80 )); then sockdir=/tmp; fi

  if [[ ! -f "$data/PG_VERSION" ]]; then
    if [[ -e "$data" ]]; then
      log "removing incomplete cluster at $data"
      rm -rf "$data"
    fi
    log "initialising PostgreSQL cluster in $data ($KW_PG_BIN)"
    _kw_as_pg "$KW_PG_BIN/initdb" -D "$data" -U postgres --auth=trust -E UTF8 >/dev/null \
      || die "initdb failed"
  fi

  # Lock files left by a killed server block startup if their PID got reused (or the
  # killed postmaster is still an unreaped zombie).
  _kw_pg_clear_stale_lock "$data/postmaster.pid"
  _kw_pg_clear_stale_lock "$sockdir/.s.PGSQL.$KW_PG_PORT.lock" "$sockdir/.s.PGSQL.$KW_PG_PORT"

  if [[ -f "$data/postmaster.pid" ]]; then
    log "a PostgreSQL server for $data is already running; waiting for it on port $KW_PG_PORT"
  else
    local opts
    opts="-p $KW_PG_PORT -k $(printf '%q' "$sockdir") -c listen_addresses=127.0.0.1"
    # Durable by default (the quick start may be someone's deployment). Only the test
    # script sets KW_SERVICES_UNSAFE_FAST=1: fsync off survives process kills, not an OS crash.
    if [[ "${KW_SERVICES_UNSAFE_FAST:-0}" == 1 ]]; then
      opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    fi
    log "starting PostgreSQL on 127.0.0.1:$KW_PG_PORT (data: $data, log: $logfile)"
    if ! _kw_as_pg "$KW_PG_BIN/pg_ctl" -D "$data" -l "$logfile" -o "$opts" -w -t 60 start >/dev/null; then
      tail -n 20 "$logfile" >&2 2>/dev/null || true
      die "PostgreSQL failed to start (see $logfile)"
    fi
    KW_PG_STARTED=1
  fi

  local i
  for ((i = 0; i < 60; i++)); do
    _kw_pg_ready && return 0
    sleep 1
  done
  die "PostgreSQL is not accepting connections on 127.0.0.1:$KW_PG_PORT (see $logfile)"
}

# Use the server named by $url_var when it is set (starting ours if it names our local
# port and is down), else reuse or start the local one and point $url_var at it.
# Args: label url_var default_port local_port ready_fn start_fn local_url
_kw_ensure_service() {
  local label=$1 url_var=$2 default_port=$3 local_port=$4 ready_fn=$5 start_fn=$6 local_url=$7
  local url="${!url_var:-}"
  if [[ -n "$url" ]]; then
    local host port
    IFS="|" read -r host port < <(_kw_url_hostport "$url" "$default_port") || die "$url_var is not a valid URL"
    if [[ -z "$host" ]] || _kw_tcp_open "$host" "$port"; then
      log "$label: using $url_var from the environment ($(_kw_redact "$url"))"
    elif _kw_is_loopback "$host" && [[ "$port" == "$local_port" ]]; then
      log "$url_var points at the local dev $label (:$local_port), which is not running"
      "$start_fn"
    else
      log "warning: $url_var server $host:$port is not reachable right now; using it anyway"
    fi
    export "$url_var=$url"
    return 0
  fi
  if "$ready_fn"; then
    log "$label already running on 127.0.0.1:$local_port; reusing it"
  else
    "$start_fn"
  fi
  export "$url_var=$local_url"
}

# The data directories a PostgreSQL server of this checkout runs from (see _kw_pg_choose_dir).
_kw_pg_own_data_dirs() {
  local fallback
  fallback="/var/tmp/keywarden-pg-$(printf '%s' "$ROOT" | cksum | cut -d' ' -f1)"
  printf '%s\n' ${KW_PG_DIR:+"$KW_PG_DIR/data"} "$KW_LOCAL_DIR/pg/data" "$fallback/data"
}

# The data directory of the server answering on the local port, when it says.
_kw_pg_running_data_dir() {
  if _kw_pg_ready && command -v psql >/dev/null 2>&1; then
    psql -X -Atq -h 127.0.0.1 -p "$KW_PG_PORT" -U postgres -d postgres -c 'SHOW data_directory' 2>/dev/null || true
  fi
}

# The directory of the Redis answering on the local port.
_kw_redis_running_dir() {
  redis-cli -h 127.0.0.1 -p "$KW_REDIS_PORT" config get dir 2>/dev/null | sed -n 2p
}

# Whether a running server's directory is this checkout's (else another checkout started it).
_kw_pg_is_own_data_dir() {
  _kw_pg_own_data_dirs | grep -qxF "$1"
}

_kw_redis_is_own_dir() {
  [[ "$1" == "$KW_REDIS_DIR" || "$1" == "$(cd "$KW_REDIS_DIR" 2>/dev/null && pwd -P)" ]]
}

_kw_stop_pg() {
  local data="" candidate
  data="$(_kw_pg_running_data_dir)"
  if [[ -n "$data" ]] && ! _kw_pg_is_own_data_dir "$data"; then
    log "PostgreSQL on :$KW_PG_PORT runs from $data, which is not this checkout's; not stopping it"
    return 0
  fi
  if [[ -z "$data" ]]; then
    while read -r candidate; do
      if [[ -f "$candidate/postmaster.pid" ]]; then
        data="$candidate"
        break
      fi
    done < <(_kw_pg_own_data_dirs)
  fi
  if [[ -z "$data" ]]; then
    if _kw_pg_ready; then
      log "warning: something answers on :$KW_PG_PORT but its data directory is unknown; not stopping it"
    else
      log "PostgreSQL on :$KW_PG_PORT is not running"
    fi
    return 0
  fi
  local bin="" v
  v="$(cat "$data/PG_VERSION" 2>/dev/null || true)"
  if [[ -n "$v" && -x "/usr/lib/postgresql/$v/bin/pg_ctl" ]]; then
    bin="/usr/lib/postgresql/$v/bin"
  else
    bin="$(_kw_pg_newest_bin || true)"
  fi
  log "stopping PostgreSQL (data: $data)"
  if [[ -n "$bin" ]]; then
    _kw_as_pg "$bin/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
  fi
  if _kw_pg_ready; then
    log "warning: PostgreSQL still answers on :$KW_PG_PORT"
  fi
  KW_PG_STARTED=0
}

# ---------------------------------------------------------------- Redis

_kw_redis_ready() {
  if command -v redis-cli >/dev/null 2>&1; then
    [[ "$(redis-cli -h 127.0.0.1 -p "$KW_REDIS_PORT" ping 2>/dev/null)" == "PONG" ]]
  else
    _kw_tcp_open 127.0.0.1 "$KW_REDIS_PORT"
  fi
}

_kw_start_local_redis() {
  if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
    log "redis-server/redis-cli not found"
    _kw_apt_install redis-server
    hash -r
    command -v redis-server >/dev/null 2>&1 || die "redis-server installed but not on PATH"
  fi
  mkdir -p "$KW_REDIS_DIR"
  log "starting Redis on 127.0.0.1:$KW_REDIS_PORT (dir: $KW_REDIS_DIR)"
  # Durable by default, like PostgreSQL: usage batches the API queued for a worker that has
  # already stopped wait in Redis, and a stop or restart must not drop them. Only the test
  # script (KW_SERVICES_UNSAFE_FAST=1) keeps nothing on disk.
  local persistence=(--save '' --appendonly yes --appendfsync everysec)
  if [[ "${KW_SERVICES_UNSAFE_FAST:-0}" == 1 ]]; then
    persistence=(--save '' --appendonly no)
  fi
  redis-server --port "$KW_REDIS_PORT" --bind 127.0.0.1 --daemonize yes \
    "${persistence[@]}" --dir "$KW_REDIS_DIR" \
    --pidfile "$KW_REDIS_DIR/redis.pid" --logfile "$KW_REDIS_DIR/redis.log" >&2 \
    || die "redis-server failed to start (see $KW_REDIS_DIR/redis.log)"
  KW_REDIS_STARTED=1
  local i
  for ((i = 0; i < 30; i++)); do
    _kw_redis_ready && return 0
    sleep 0.5
  done
  tail -n 20 "$KW_REDIS_DIR/redis.log" >&2 2>/dev/null || true
  die "Redis is not answering on 127.0.0.1:$KW_REDIS_PORT (see $KW_REDIS_DIR/redis.log)"
}


_kw_stop_redis() {
  if ! _kw_redis_ready; then
    log "Redis on :$KW_REDIS_PORT is not running"
    return 0
  fi
  local dir
  dir="$(_kw_redis_running_dir)"
  if [[ -n "$dir" ]] && ! _kw_redis_is_own_dir "$dir"; then
    log "Redis on :$KW_REDIS_PORT runs from $dir, which is not this checkout's; not stopping it"
    return 0
  fi
  log "stopping Redis on :$KW_REDIS_PORT"
  # A plain SHUTDOWN flushes the append-only file of a durable Redis (and saves nothing else).
  redis-cli -h 127.0.0.1 -p "$KW_REDIS_PORT" shutdown >/dev/null 2>&1 || true
  local i
  for ((i = 0; i < 20; i++)); do
    _kw_redis_ready || break
    sleep 0.5
  done
  if _kw_redis_ready; then
    log "warning: Redis still answers on :$KW_REDIS_PORT"
  fi
  KW_REDIS_STARTED=0
}

# ---------------------------------------------------------------- public API

ensure_services() {
  mkdir -p "$KW_LOCAL_DIR"
  _kw_ensure_service PostgreSQL DATABASE_URL 5432 "$KW_PG_PORT" _kw_pg_ready _kw_start_local_pg "$KW_LOCAL_DATABASE_URL"
  _kw_ensure_service Redis REDIS_URL 6379 "$KW_REDIS_PORT" _kw_redis_ready _kw_start_local_redis "$KW_LOCAL_REDIS_URL"
}

# For the quick start, whose pepper and data belong to this checkout: a local server that
# another checkout started on the same port holds keys hashed with another pepper. Servers
# named by DATABASE_URL / REDIS_URL are the caller's choice and not looked at.
refuse_foreign_local_services() {
  local data dir
  if [[ -z "${DATABASE_URL:-}" ]]; then
    data="$(_kw_pg_running_data_dir)"
    if [[ -n "$data" ]] && ! _kw_pg_is_own_data_dir "$data"; then
      die "PostgreSQL on :$KW_PG_PORT was started by another checkout ($data); stop it there, or set KW_PG_PORT (or DATABASE_URL)"
    fi
  fi
  if [[ -z "${REDIS_URL:-}" ]]; then
    dir="$(_kw_redis_running_dir)"
    if [[ -n "$dir" ]] && ! _kw_redis_is_own_dir "$dir"; then
      die "Redis on :$KW_REDIS_PORT was started by another checkout ($dir); stop it there, or set KW_REDIS_PORT (or REDIS_URL)"
    fi
  fi
}

stop_services() {
  _kw_stop_pg
  _kw_stop_redis
}

stop_started_services() {
  if [[ $KW_PG_STARTED -eq 1 ]]; then _kw_stop_pg; fi
  if [[ $KW_REDIS_STARTED -eq 1 ]]; then _kw_stop_redis; fi
  return 0
}

_kw_ensure_psql() {
  if ! command -v psql >/dev/null 2>&1; then
    log "psql not found"
    _kw_apt_install postgresql-client
    hash -r
  fi
}

# ensure_database NAME: create NAME on the server of DATABASE_URL if it is missing.
# Connects to that server's `postgres` maintenance database.
ensure_database() {
  local name="${1:-}" maint
  [[ -n "${DATABASE_URL:-}" ]] || die "ensure_database: DATABASE_URL is not set (run ensure_services first)"
  if [[ -z "$name" ]]; then
    log "no database name given (DATABASE_URL without a path?); not creating one"
    return 0
  fi
  _kw_ensure_psql
  maint="$(_kw_url_with_db "$DATABASE_URL" postgres)"
  if psql "$maint" -X -q -v ON_ERROR_STOP=1 -v name="$name" >/dev/null <<'SQL'
SELECT format('CREATE DATABASE %I', :'name')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'name')\gexec
SQL
  then
    log "database $name is ready"
  elif psql "$(_kw_url_with_db "$DATABASE_URL" "$name")" -X -Atqc 'SELECT 1' >/dev/null 2>&1; then
    log "database $name exists (maintenance database not usable)"
  else
    die "could not create or reach database $name on $(_kw_redact "$DATABASE_URL")"
  fi
}

# recreate_database NAME: drop NAME (kicking out connections) and create it afresh.
recreate_database() {
  local name="$1" maint
  [[ -n "${DATABASE_URL:-}" ]] || die "recreate_database: DATABASE_URL is not set (run ensure_services first)"
  _kw_ensure_psql
  maint="$(_kw_url_with_db "$DATABASE_URL" postgres)"
  log "recreating database $name"
  if ! psql "$maint" -X -q -v ON_ERROR_STOP=1 -v name="$name" >/dev/null <<'SQL'
SET client_min_messages = warning;
SELECT format('DROP DATABASE IF EXISTS %I WITH (FORCE)', :'name')\gexec
SELECT format('CREATE DATABASE %I', :'name')\gexec
SQL
  then
    die "could not recreate database $name on $(_kw_redact "$DATABASE_URL")"
  fi
}

# ensure_pepper: KW_PEPPER from the env, else from .local/pepper (created once, 0600).
ensure_pepper() {
  if [[ -n "${KW_PEPPER:-}" ]]; then
    export KW_PEPPER
    return 0
  fi
  local file="$KW_LOCAL_DIR/pepper"
  if [[ ! -s "$file" ]]; then
    mkdir -p "$KW_LOCAL_DIR"
    log "generating a local KW_PEPPER in $file (keep it: stored keys are hashed with it)"
    (
      umask 077
      node -e 'process.stdout.write(require("crypto").randomBytes(48).toString("base64"))' >"$file.tmp"
    ) || die "could not generate $file"
    mv -f "$file.tmp" "$file"
  fi
  chmod 600 "$file"
  KW_PEPPER="$(tr -d '\n' <"$file")"
  [[ -n "$KW_PEPPER" ]] || die "$file is empty"
  export KW_PEPPER
}
