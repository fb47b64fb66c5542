#!/usr/bin/env bash
# The main job of the README: set up, build dist/kubectl-netobs and show it working.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run --silent build
export PATH="$PWD/dist:$PATH"
echo "+ kubectl netobs version"
kubectl netobs version
echo "+ kubectl plugin list"
kubectl plugin list 2>/dev/null | grep netobs
echo "+ kubectl netobs --help"
kubectl netobs --help
