#!/usr/bin/env bash
# The lab half of scripts/demo.sh, with dist/kubectl-netobs built: a 2-node lab with netobs and
# the Star Wars demo, then the terminal UI (or, off a terminal, the status and the last flows).
# NETOBS_DEMO_LAB names the lab (default demo); the cluster tests run this script as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/dist:$PATH"
lab="${NETOBS_DEMO_LAB:-demo}"
kubectl netobs lab down --name "$lab" >/dev/null 2>&1 || true
kubectl netobs lab up --name "$lab" --nodes 2 --demo
export KUBECONFIG="$(kubectl netobs lab kubeconfig --name "$lab")"
kubectl get pods -A -o wide
kubectl netobs status
if [ -t 0 ] && [ -t 1 ]; then
  kubectl netobs ui
else
  sleep 10
  kubectl netobs observe --last 20
  echo "The xwing's requests to the deathstar, dropped by the demo's policy:"
  kubectl netobs observe --last 4 --verdict DROPPED --from-pod default/xwing
  echo "Run 'KUBECONFIG=$KUBECONFIG kubectl netobs ui' on a terminal for the live view; 'kubectl netobs lab down --name $lab' removes the lab."
fi
