#!/usr/bin/env bash
# Installs what netobs needs to build, test and run its lab, idempotently: Debian packages that
# are missing (wine64 runs the Windows build in test/krew/package.test.ts), then the npm packages
# (including the pinned Node 24 runtime) when the lock changed.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
  echo "setup: run as root (the datapath and the lab need it): sudo bash $0" >&2
  exit 1
fi

APT_PACKAGES=(clang llvm libbpf-dev libelf-dev linux-libc-dev iproute2 containernetworking-plugins bpftool nftables iptables
  iperf3 wrk tmux busybox curl ca-certificates git procps psmisc prometheus
  qemu-user-static libc6-arm64-cross libstdc++6-arm64-cross
  wine64)
missing=()
for p in "${APT_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian's own kubernetes-client is 1.20; prefer the kubectl package where the sources offer it.
if ! command -v kubectl >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kubectl >/dev/null 2>&1 ||
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kubernetes-client >/dev/null
fi
# The bundled prometheus service is not wanted: tests start their own server.
systemctl disable --now prometheus >/dev/null 2>&1 || true

if [ ! -x node_modules/.bin/node ] || [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi
echo "setup: ready (node $(node_modules/.bin/node --version))" >&2
