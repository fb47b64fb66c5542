// Rows for `kubectl netobs endpoints` and `maps` (pure), from the agents' status documents.
import type { EndpointStatus, MapEntriesPage, MapStatus } from '../api/status/types.ts';

const enforcement = (e: EndpointStatus): string => `${e.ingressEnforcement ? 'Enabled' : 'Disabled'}/${e.egressEnforcement ? 'Enabled' : 'Disabled'}`;

export function endpointRows(eps: EndpointStatus[], wide: boolean): string[][] {
  const head = ['NODE', 'ENDPOINT', 'POLICY (ingress/egress) ENFORCEMENT', 'IDENTITY', 'LABELS', 'IPv4', 'IPv6', 'STATUS'];
  if (wide) head.push('POD', 'INTERFACE');
  const sorted = [...eps].sort((a, b) => a.node.localeCompare(b.node) || a.id - b.id);
  return [
    head,
    ...sorted.map((e) => {
      const labels = e.labels.filter((l) => wide || !l.startsWith('k8s:io.')).join(',') || '-';
      const row = [e.node, String(e.id), enforcement(e), String(e.identity), labels, e.ipv4 ?? '-', e.ipv6 ?? '-', e.status];
      if (wide) row.push(`${e.namespace}/${e.podName}`, `${e.interface} (${e.ifindex})`);
      return row;
    }),
  ];
}

export function mapRows(maps: MapStatus[]): string[][] {
  const sorted = [...maps].sort((a, b) => a.node.localeCompare(b.node) || a.name.localeCompare(b.name));
  return [['NODE', 'NAME', 'TYPE', 'ENTRIES', 'MAX', 'PRESSURE'], ...sorted.map((m) => [m.node, m.name, m.type, String(m.entries), String(m.maxEntries), `${(m.pressure * 100).toFixed(1)}%`])];
}

export function entryRows(pages: MapEntriesPage[]): string[][] {
  const rows = [['NODE', 'KEY', 'VALUE']];
  for (const p of pages) for (const e of p.entries) rows.push([p.node, e.key, e.value]);
  return rows;
}
