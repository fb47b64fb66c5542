#!/usr/bin/env bash
# The cluster pass of the tests (NETOBS_TEST=cluster ava), on a host without bpffs whatever this
# machine did before: a private mount namespace with /sys/fs/bpf unmounted, so every lab must
# mount its own (as on a fresh machine). Mounts made inside never reach the host.
set -euo pipefail
cd "$(dirname "$0")/.."
exec unshare --mount --propagation private bash -c '
  # bpffs may be mounted more than once there: unmount until none is left.
  while mountpoint -q /sys/fs/bpf && umount -R /sys/fs/bpf; do :; done
  if [ "$(stat -f -c %t /sys/fs/bpf)" = cafe4a11 ]; then echo "test-cluster: /sys/fs/bpf is still a bpffs after umount" >&2; exit 1; fi
  NETOBS_TEST=cluster exec npx ava "$@"' test-cluster "$@"
