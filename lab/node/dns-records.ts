// What the cluster DNS answers, from the API objects (pure): services
// `<svc>.<ns>.svc.cluster.local` (ClusterIP, or pod IPs for headless services), pods
// `<a-b-c-d>.<ns>.pod.cluster.local`, hostname/subdomain pods, and the lab's world names.
import type { KObject } from '../apiserver/types.ts';

export const CLUSTER_DOMAIN = 'cluster.local';

export interface DnsView {
  services: KObject[];
  slices: KObject[];
  pods: KObject[];
  extra: Record<string, string[]>; // e.g. world names
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = Record<string, any>;

export function resolveA(name: string, v: DnsView): string[] | undefined {
  const n = name.toLowerCase().replace(/\.$/, '');
  if (v.extra[n]) return v.extra[n];
  const suffix = `.svc.${CLUSTER_DOMAIN}`;
  if (n.endsWith(suffix)) {
    const parts = n.slice(0, -suffix.length).split('.');
    if (parts.length === 2) {
      const [svc, ns] = parts as [string, string];
      const s = v.services.find((x) => x.metadata.name === svc && x.metadata.namespace === ns);
      if (!s) return undefined;
      const ip = (s['spec'] as Any)['clusterIP'];
      if (ip && ip !== 'None') return [ip];
      return readyAddresses(v.slices, ns, svc);
    }
    if (parts.length === 3) {
      // <hostname>.<subdomain>.<ns>.svc for pods with hostname+subdomain under a headless service.
      const [host, sub, ns] = parts as [string, string, string];
      const p = v.pods.find((x) => x.metadata.namespace === ns && (x['spec'] as Any)?.hostname === host && (x['spec'] as Any)?.subdomain === sub);
      const ip = p ? (p['status'] as Any)?.podIP : undefined;
      return ip ? [ip] : undefined;
    }
    return undefined;
  }
  const podSuffix = `.pod.${CLUSTER_DOMAIN}`;
  if (n.endsWith(podSuffix)) {
    const parts = n.slice(0, -podSuffix.length).split('.');
    if (parts.length === 2 && /^\d+-\d+-\d+-\d+$/.test(parts[0]!)) return [parts[0]!.replace(/-/g, '.')];
  }
  return undefined;
}

function readyAddresses(slices: KObject[], ns: string, svc: string): string[] {
  const out: string[] = [];
  for (const s of slices) {
    if (s.metadata.namespace !== ns || s.metadata.labels?.['kubernetes.io/service-name'] !== svc) continue;
    for (const e of (s['endpoints'] ?? []) as Any[]) if (e.conditions?.ready !== false) out.push(...(e.addresses ?? []));
  }
  return out;
}

/** Is this name inside a zone the lab is authoritative for (so NXDOMAIN, never forwarding)? */
export function isLabZone(name: string, v: DnsView): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  return n === CLUSTER_DOMAIN || n.endsWith(`.${CLUSTER_DOMAIN}`) || Object.keys(v.extra).some((k) => n === k || n.endsWith(`.${k}`));
}
