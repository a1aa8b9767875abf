#!/usr/bin/env bash
# Browser tests of the console: Debian's chromium (installed with apt-get when missing,
# as for Redis), against a real API + worker that the global setup starts.
set -euo pipefail
# shellcheck source=infra/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../../infra/lib.sh"
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [[ ! -x "${KW_CHROMIUM:-/usr/bin/chromium}" ]]; then
  _kw_apt_install chromium
fi
exec pnpm exec playwright test "$@"
