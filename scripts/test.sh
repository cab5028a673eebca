#!/usr/bin/env bash
# The whole test suite from a fresh Debian 12 machine: install what is
# missing, build (release and sanitizer), run every test. Ends with
# "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
exec ./tests/run.sh
