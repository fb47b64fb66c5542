// Where this installation's datapath runs: interfaces whose tc filter runs one of the programs
// pinned under the bpffs root, and interfaces in its pinned endpoint map. Uninstall detaches
// exactly these, so another datapath on the host (a test's, another root's) is left alone.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { loadLibbpf, loadLibc } from '../../bpf/loader/index.ts';
import { ifindexOf, ifnameOf, tcQuery, TC_EGRESS, TC_INGRESS } from '../../bpf/loader/index.ts';
import { openPinnedMap } from '../../bpf/loader/index.ts';
import { EndpointMap } from '../../bpf/loader/index.ts';

function programId(pinPath: string): number | undefined {
  if (!existsSync(pinPath)) return undefined;
  const fd = loadLibbpf().objGet(pinPath);
  if (fd < 0) return undefined;
  try {
    const info = new Uint8Array(232);
    const len = new Uint32Array([info.length]);
    if (loadLibbpf().objGetInfoByFd(fd, info, len) < 0) return undefined;
    return new DataView(info.buffer).getUint32(4, true);
  } finally {
    loadLibc().close(fd);
  }
}

export function installedInterfaces(bpffsRoot: string): string[] {
  const out = new Set<string>();
  const ids = new Set(['prog_from_endpoint', 'prog_to_endpoint'].map((p) => programId(path.join(bpffsRoot, p))).filter((x): x is number => x !== undefined));
  let names: string[] = [];
  try {
    names = readdirSync('/sys/class/net');
  } catch {
    /* no sysfs */
  }
  for (const n of names) {
    try {
      const idx = ifindexOf(n);
      const a = tcQuery(idx, TC_INGRESS);
      const b = tcQuery(idx, TC_EGRESS);
      if ((a !== undefined && ids.has(a)) || (b !== undefined && ids.has(b))) out.add(n);
    } catch {
      /* interface gone meanwhile */
    }
  }
  const epPin = path.join(bpffsRoot, 'netobs_endpoint');
  if (existsSync(epPin)) {
    const m = openPinnedMap(epPin, 'netobs_endpoint');
    try {
      for (const e of new EndpointMap(m).entries()) {
        const name = ifnameOf(e.ifindex);
        if (name) out.add(name);
      }
    } finally {
      m.close();
    }
  }
  return [...out].sort();
}
