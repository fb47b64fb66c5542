#!/usr/bin/env bash
# The test command of the README and of CI: set up, build the executable, typecheck, run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run --silent build
npm run --silent typecheck
npm run --silent lint:deps
npm test
