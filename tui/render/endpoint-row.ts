// Endpoint table rows (the columns of `cilium endpoint list`, plus the node) and the sort keys.
import type { EndpointInfo, PolicyEntry } from '../model/types.ts';
import type { Column } from './columns.ts';

const onOff = (b: boolean) => (b ? 'Enabled' : 'Disabled');

/** Labels without the `k8s:` source prefix and without the noisy namespace labels. */
export function labelsText(labels: readonly string[]): string {
  return labels.filter((l) => !l.startsWith('k8s:io.cilium.k8s.') && !l.startsWith('k8s:io.kubernetes.pod.namespace'))
    .map((l) => (l.startsWith('k8s:') ? l.slice(4) : l)).join(' ');
}

export function endpointColumns(): Column<EndpointInfo>[] {
  return [
    { title: 'NODE', width: 8, flex: 1, max: 20, text: (e) => e.node },
    { title: 'ENDPOINT', width: 8, align: 'right', text: (e) => String(e.id) },
    { title: 'IDENTITY', width: 8, align: 'right', text: (e) => String(e.identity) },
    { title: 'INGRESS', width: 8, minTotal: 100, text: (e) => onOff(e.ingressEnforcement), tone: (e) => (e.ingressEnforcement ? 'ok' : undefined) },
    { title: 'EGRESS', width: 8, minTotal: 100, text: (e) => onOff(e.egressEnforcement), tone: (e) => (e.egressEnforcement ? 'ok' : undefined) },
    // Narrow terminals get one column: I = ingress enforced, E = egress enforced.
    { title: 'ENF', width: 3, maxTotal: 100, text: (e) => `${e.ingressEnforcement ? 'I' : '-'}${e.egressEnforcement ? 'E' : '-'}` },
    { title: 'IPv4', width: 15, text: (e) => e.ipv4 ?? '' },
    { title: 'IPv6', width: 20, flex: 1, max: 39, minTotal: 140, text: (e) => e.ipv6 ?? '' },
    { title: 'STATUS', width: 8, text: (e) => e.status, tone: (e) => (e.status === 'ready' ? 'ok' : 'warn') },
    { title: 'LABELS', width: 10, flex: 4, text: (e) => labelsText(e.labels) },
  ];
}

export type EndpointSortKey = 'node' | 'id' | 'identity' | 'ipv4' | 'status' | 'labels';
export const ENDPOINT_SORT_KEYS: readonly EndpointSortKey[] = ['node', 'id', 'identity', 'ipv4', 'status', 'labels'];

export function sortEndpoints(list: readonly EndpointInfo[], key: EndpointSortKey, descending = false): EndpointInfo[] {
  const value = (e: EndpointInfo): string | number => {
    switch (key) {
      case 'id': return e.id;
      case 'identity': return e.identity;
      case 'ipv4': return (e.ipv4 ?? '').split('.').map((p) => p.padStart(3, '0')).join('.');
      case 'status': return e.status;
      case 'labels': return labelsText(e.labels);
      case 'node': return `${e.node}\0${String(e.id).padStart(10, '0')}`;
    }
  };
  const sorted = [...list].sort((a, b) => {
    const va = value(a), vb = value(b);
    return typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
  });
  return descending ? sorted.reverse() : sorted;
}

export function policyEntryColumns(): Column<PolicyEntry>[] {
  return [
    { title: 'DIRECTION', width: 9, text: (p) => p.direction },
    { title: 'IDENTITY', width: 8, align: 'right', text: (p) => (p.identity === 0 ? 'any' : String(p.identity)) },
    { title: 'PORT', width: 9, text: (p) => p.port },
    { title: 'VERDICT', width: 7, text: (p) => p.verdict, tone: (p) => (p.verdict === 'deny' ? 'bad' : 'ok') },
    { title: 'PACKETS', width: 8, align: 'right', text: (p) => (p.packets === undefined ? '' : String(p.packets)) },
    { title: 'POLICY', width: 10, flex: 1, text: (p) => p.policy ?? '' },
  ];
}
