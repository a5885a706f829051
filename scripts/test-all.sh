#!/usr/bin/env bash
# The one command that runs every test on a fresh Debian machine (as root):
# installs what the tests need, starts PostgreSQL, builds, checks dependency
# direction and lint, then runs the whole vitest suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ci-setup.sh
export TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgres://campus:campus@127.0.0.1:5432/campus_test}"
export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
bash scripts/preflight.sh
npm test
