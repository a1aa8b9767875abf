#!/usr/bin/env bash
# One-command test suite (also what CI runs through .ci/run):
# dependencies, PostgreSQL + Redis, a fresh `keywarden_test` database (KW_TEST_DATABASE), build, unit
# tests, then end-to-end tests one package at a time. Exits non-zero if anything
# fails. Services this script started are stopped at the end; ones that were already
# running are left alone.
set -euo pipefail
# shellcheck source=infra/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

on_exit() {
  local rc=$?
  trap - EXIT
  stop_started_services
  exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

redis_from_env="${REDIS_URL:+1}"

ensure_pnpm
install_deps
# A server this script starts is for throwaway test data: durability off for speed.
export KW_SERVICES_UNSAFE_FAST=1
ensure_services

# KW_TEST_DATABASE lets several checkouts share one PostgreSQL server.
test_database="${KW_TEST_DATABASE:-keywarden_test}"
recreate_database "$test_database"
DATABASE_URL="$(_kw_url_with_db "$DATABASE_URL" "$test_database")"
export DATABASE_URL

# On our own local Redis, tests get their own logical database, emptied first, so
# queues left by a dev API/worker (db 0) never leak into a run. An external REDIS_URL
# is used as it is and never flushed.
if [[ -z "$redis_from_env" ]]; then
  test_redis_db="${KW_TEST_REDIS_DB:-1}"
  export REDIS_URL="$KW_LOCAL_REDIS_URL/$test_redis_db"
  if command -v redis-cli >/dev/null 2>&1; then
    redis-cli -h 127.0.0.1 -p "$KW_REDIS_PORT" -n "$test_redis_db" flushdb >/dev/null \
      || die "could not flush Redis db $test_redis_db"
  fi
fi

export KW_PEPPER="${KW_PEPPER:-test-pepper-not-for-production-0123456789abcdef}"
export NODE_ENV=test
log "test env: DATABASE_URL=$(_kw_redact "$DATABASE_URL") REDIS_URL=$(_kw_redact "$REDIS_URL") NODE_ENV=$NODE_ENV"

log "building (pnpm build)"
pnpm build || die "build failed"

log_dir="$KW_LOCAL_DIR/test-logs"
mkdir -p "$log_dir"
run_log="$log_dir/last-run.log"
: >"$run_log"

status=0
log "typecheck (pnpm typecheck: sources and tests, exact DTO contracts included)"
pnpm typecheck 2>&1 | tee -a "$run_log" || status=1
log "architecture (pnpm check:architecture: dependency rules, no folder cycles)"
pnpm check:architecture 2>&1 | tee -a "$run_log" || status=1
log "unit tests (pnpm turbo run test:unit)"
pnpm turbo run test:unit --continue 2>&1 | tee -a "$run_log" || status=1
log "end-to-end tests (pnpm turbo run test:e2e --concurrency=1)"
pnpm turbo run test:e2e --concurrency=1 --continue 2>&1 | tee -a "$run_log" || status=1

# One plain closing line adding up every runner's counts (Jest's "Tests:" lines,
# Playwright's "N passed" lines and node:test's "# pass N" lines), so the whole run has a single verdict line.
node - "$run_log" <<'JS' || true
const fs = require('fs');
const text = fs.readFileSync(process.argv[2], 'utf8').replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
let passed = 0, failed = 0, skipped = 0;
for (const line of text.split('\n')) {
  const jest = line.match(/Tests:\s+(.*\d+ total)/);
  if (jest) {
    const n = (word) => Number((jest[1].match(new RegExp('(\\d+) ' + word)) || [0, 0])[1]);
    passed += n('passed');
    failed += n('failed');
    skipped += n('skipped') + n('todo');
    continue;
  }
  // Playwright's list reporter: "  7 passed (1.1m)", "  1 failed", "  2 skipped" (turbo may prefix "pkg:task: ").
  const playwright = line.match(/(?:^|: )\s*(\d+) (passed|failed|skipped|flaky)(?: \([^)]*\))?\s*$/);
  if (playwright) {
    const count = Number(playwright[1]);
    if (playwright[2] === 'passed' || playwright[2] === 'flaky') passed += count;
    else if (playwright[2] === 'failed') failed += count;
    else skipped += count;
    continue;
  }
  const nodeTest = line.match(/(?:^|\s)(?:#|\u2139) (pass|fail|skipped|todo) (\d+)\s*$/);
  if (nodeTest) {
    const count = Number(nodeTest[2]);
    if (nodeTest[1] === 'pass') passed += count;
    else if (nodeTest[1] === 'fail') failed += count;
    else skipped += count;
  }
}
console.log(`Summary: ${passed} passed, ${failed} failed, ${skipped} skipped`);
JS

if [[ $status -ne 0 ]]; then
  log "FAILED (full output: $run_log)"
  exit 1
fi
log "all tests passed (full output: $run_log)"
