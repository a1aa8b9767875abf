#!/usr/bin/env bash
# shellcheck disable=SC2317 # trap handlers are reached through trap
# One-command quick start: dependencies, PostgreSQL + Redis, build, migrate, first
# admin key, then the API (PORT, default 8080) and the worker (WORKER_PORT, default
# 8081) in the foreground. Ctrl-C stops both gracefully; PostgreSQL and Redis keep
# running (bash infra/services.sh stop).
set -euo pipefail
# shellcheck source=infra/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

export PORT="${PORT:-8080}"
export WORKER_PORT="${WORKER_PORT:-8081}"
# Usage events Redis cannot take (an outage) are kept on disk and replayed on recovery.
export KW_USAGE_SPOOL_DIR="${KW_USAGE_SPOOL_DIR:-$ROOT/.local/usage-spool}"

# Before anything else: a busy port found after the bootstrap would stop the run right
# after it printed the one-time admin key.
for port in "$PORT" "$WORKER_PORT"; do
  if _kw_tcp_open 127.0.0.1 "$port"; then
    die "port $port is already in use (set PORT / WORKER_PORT to pick others)"
  fi
done

ensure_pnpm
install_deps
refuse_foreign_local_services
ensure_services
ensure_database "$(_kw_url_db "$DATABASE_URL")"
ensure_pepper

log "building (pnpm build)"
pnpm build || die "build failed"

log "applying database migrations"
node apps/api/dist/cli.js migrate || die "migrations failed"

log "bootstrapping the workspace (the first run prints the owner admin key ONCE: save it)"
node apps/api/dist/cli.js bootstrap --if-empty || die "bootstrap failed"

api_pid=""
worker_pid=""

stop_children() {
  local pid
  for pid in $api_pid $worker_pid; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in $api_pid $worker_pid; do
    wait "$pid" 2>/dev/null || true
  done
}

force_stop() {
  log "forcing stop (SIGKILL)"
  local pid
  for pid in $api_pid $worker_pid; do
    kill -KILL "$pid" 2>/dev/null || true
  done
}

shutdown() {
  trap force_stop INT TERM
  log "shutting down: SIGTERM to API and worker, waiting for them to finish (Ctrl-C again to force)"
  stop_children
  log "stopped. PostgreSQL and Redis are still running; stop them with: bash infra/services.sh stop"
  exit "$1"
}
trap 'shutdown 130' INT
trap 'shutdown 143' TERM

# setsid: the children get their own session, so a Ctrl-C in the terminal reaches only
# this script, which then sends each of them exactly one SIGTERM. Their output still
# goes to this terminal.
spawn() {
  if command -v setsid >/dev/null 2>&1; then
    setsid "$@" &
  else
    "$@" &
  fi
}

log "starting API on :$PORT"
spawn node apps/api/dist/main.js
api_pid=$!
log "starting worker on :$WORKER_PORT"
PORT="$WORKER_PORT" spawn node apps/worker/dist/main.js
worker_pid=$!

for ((i = 0; i < 120; i++)); do
  _kw_tcp_open 127.0.0.1 "$PORT" && break
  kill -0 "$api_pid" 2>/dev/null || break
  sleep 0.5
done

if kill -0 "$api_pid" 2>/dev/null; then
  echo "Keywarden API on http://localhost:$PORT (docs at /docs)"
  echo "Web console on http://localhost:$PORT/console (sign in with the admin key)"
  log "worker on :$WORKER_PORT; press Ctrl-C to stop both"
fi

rc=0
wait -n "$api_pid" "$worker_pid" || rc=$?
if kill -0 "$api_pid" 2>/dev/null; then
  name="worker"
else
  name="API"
fi
log "$name exited (status $rc); stopping the other process"
trap force_stop INT TERM
stop_children
log "PostgreSQL and Redis are still running; stop them with: bash infra/services.sh stop"
if [[ $rc -eq 0 ]]; then rc=1; fi
exit "$rc"
