#!/usr/bin/env bash
# The main job of the README: set up, build dist/kubectl-netobs, start a 2-node lab with netobs
# and the Star Wars demo, and open the terminal UI on it (or print flows when not on a terminal).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run --silent build
exec bash scripts/demo-lab.sh
