// Addresses configured on this network namespace's interfaces (the node's, for a hostNetwork
// agent), loopback and link-local ranges excluded: they identify the host in the ipcache. A CNI may
// put the pod gateway address on `lo` (as the lab does), so the interface's loopback flag is no test.
import os from 'node:os';

export function localAddresses(ifaces: NodeJS.Dict<os.NetworkInterfaceInfo[]> = os.networkInterfaces()): string[] {
  const out: string[] = [];
  for (const list of Object.values(ifaces)) {
    for (const a of list ?? []) {
      if (a.address.startsWith('127.') || a.address === '::1') continue;
      if (a.family === 'IPv6' && a.address.toLowerCase().startsWith('fe80:')) continue;
      out.push(a.address);
    }
  }
  return out.sort();
}
