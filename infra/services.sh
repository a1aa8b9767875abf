#!/usr/bin/env bash
# Local PostgreSQL + Redis for development.
#
#   bash infra/services.sh start    start (installing with apt if missing) or reuse them
#   bash infra/services.sh stop     stop the local ones (:5434 / :6390)
#   bash infra/services.sh status   say what is running
#   bash infra/services.sh env      print export lines:  eval "$(bash infra/services.sh env)"
set -euo pipefail
# shellcheck source=infra/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

_print_env() {
  printf 'export DATABASE_URL=%q\n' "$1"
  printf 'export REDIS_URL=%q\n' "$2"
  printf 'export KW_PEPPER=%q\n' "$KW_PEPPER"
}

cmd="${1:-}"
case "$cmd" in
  start)
    ensure_services
    ensure_database "$(_kw_url_db "$DATABASE_URL")"
    log "ready: DATABASE_URL=$(_kw_redact "$DATABASE_URL") REDIS_URL=$(_kw_redact "$REDIS_URL")"
    log "load them into your shell with: eval \"\$(bash infra/services.sh env)\""
    ;;
  stop)
    stop_services
    ;;
  status)
    if _kw_pg_ready; then
      log "PostgreSQL: running on 127.0.0.1:$KW_PG_PORT"
    else
      log "PostgreSQL: not running on 127.0.0.1:$KW_PG_PORT"
    fi
    if _kw_redis_ready; then
      log "Redis: running on 127.0.0.1:$KW_REDIS_PORT"
    else
      log "Redis: not running on 127.0.0.1:$KW_REDIS_PORT"
    fi
    ;;
  env)
    # Does not start anything: prints what ensure_services would use.
    db="${DATABASE_URL:-$KW_LOCAL_DATABASE_URL}"
    redis="${REDIS_URL:-$KW_LOCAL_REDIS_URL}"
    if [[ -z "${DATABASE_URL:-}" ]] && ! _kw_pg_ready; then
      log "warning: local PostgreSQL is not running (bash infra/services.sh start)"
    fi
    if [[ -z "${REDIS_URL:-}" ]] && ! _kw_redis_ready; then
      log "warning: local Redis is not running (bash infra/services.sh start)"
    fi
    ensure_pepper
    _print_env "$db" "$redis"
    ;;
  *)
    echo "usage: bash infra/services.sh start|stop|status|env" >&2
    exit 2
    ;;
esac
