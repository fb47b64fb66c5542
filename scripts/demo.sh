#!/usr/bin/env bash
# The main job of the README: set up, build dist/kubectl-netobs, start a 2-node lab with netobs
# and the Star Wars demo, and open the terminal UI on it (or print flows when not on a terminal).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run --silent build
export PATH="$PWD/dist:$PATH"
kubectl netobs lab down --name demo >/dev/null 2>&1 || true
kubectl netobs lab up --name demo --nodes 2 --demo
export KUBECONFIG="$(kubectl netobs lab kubeconfig --name demo)"
kubectl get pods -A -o wide
kubectl netobs status
if [ -t 0 ] && [ -t 1 ]; then
  kubectl netobs ui
else
  sleep 10
  kubectl netobs observe --last 20
  echo "Run 'KUBECONFIG=$KUBECONFIG kubectl netobs ui' on a terminal for the live view; 'kubectl netobs lab down --name demo' removes the lab."
fi
