// Keeps the datapath's Service translation maps (bpf/lib/lb.h) equal to what Services and
// EndpointSlices say. desiredServices is pure: for every TCP/UDP port of every Service with a
// cluster IP, one frontend per ClusterIP, per ExternalIP and (NodePort/LoadBalancer) per node
// address + nodePort, all with the same backends: the ready endpoints of the Service's
// EndpointSlices of that address family, at the port the slice gives for the Service port's
// name (so a named targetPort is resolved per backend, as the EndpointSlice controller wrote
// it). Headless Services (clusterIP None) and ExternalName ones need no translation: their
// DNS names are the backends' own addresses.
//
// Terminating endpoints that still serve are kept as draining backends: connections already
// on them continue, new ones avoid them (as Cilium does with terminating backends). A backend
// that is gone entirely loses its connections: their next packet is given a new backend, whose
// TCP stack answers with a reset (Cilium's behaviour too), rather than going on to a dead
// address.
import { SERVICE_NAME_LABEL, nodeAddresses, type EndpointSliceObject, type NodeObject, type ServiceObject } from '../../lib/kube-objects.ts';
import type { LbBackendAddr, LbFrontend } from '../../bpf/loader/index.ts';

export interface DesiredServices {
  frontends: LbFrontend[];
  draining: LbBackendAddr[];
}

const PROTOCOLS: Record<string, number> = { TCP: 6, UDP: 17 };
const family = (ip: string) => (ip.includes(':') ? 6 : 4);
const sliceFamily = (s: EndpointSliceObject) => (s.addressType === 'IPv6' ? 6 : s.addressType === 'FQDN' ? 0 : 4);

/** The Service id (lb.h svc_id) of each Service, by namespace/name: stable while the agent runs. */
export class ServiceIds {
  #ids = new Map<string, number>();
  #next = 1;

  of(key: string): number {
    let id = this.#ids.get(key);
    if (id === undefined) {
      // 16 bits in the map; wrapping reuses numbers of long-gone Services only in a very long run.
      id = this.#next;
      this.#next = this.#next >= 0xffff ? 1 : this.#next + 1;
      this.#ids.set(key, id);
    }
    return id;
  }
}

export function desiredServices(
  services: Iterable<ServiceObject>,
  slices: Iterable<EndpointSliceObject>,
  nodes: readonly NodeObject[],
  ids: ServiceIds,
): DesiredServices {
  const byService = new Map<string, EndpointSliceObject[]>();
  for (const sl of slices) {
    const name = sl.metadata.labels?.[SERVICE_NAME_LABEL];
    if (!name) continue;
    const key = `${sl.metadata.namespace ?? 'default'}/${name}`;
    byService.set(key, [...(byService.get(key) ?? []), sl]);
  }
  const nodeAddrs = [...new Set(nodes.flatMap(nodeAddresses))];
  const frontends: LbFrontend[] = [];
  const draining = new Map<string, LbBackendAddr>();
  for (const s of services) {
    const spec = s.spec;
    const clusterIPs = (spec?.clusterIPs ?? (spec?.clusterIP ? [spec.clusterIP] : [])).filter((ip) => ip && ip !== 'None');
    if (!spec || spec.type === 'ExternalName' || clusterIPs.length === 0) continue;
    const key = `${s.metadata.namespace ?? 'default'}/${s.metadata.name}`;
    const svcId = ids.of(key);
    const sl = byService.get(key) ?? [];
    for (const sp of spec.ports ?? []) {
      const protocol = PROTOCOLS[sp.protocol ?? 'TCP'];
      if (!protocol) continue;
      const backends = { 4: [] as LbBackendAddr[], 6: [] as LbBackendAddr[] };
      for (const slice of sl) {
        const fam = sliceFamily(slice);
        if (fam === 0) continue;
        const port = (slice.ports ?? []).find((p) => (p.name ?? '') === (sp.name ?? '') && (p.protocol ?? 'TCP') === (sp.protocol ?? 'TCP'))?.port;
        if (!port) continue;
        for (const ep of slice.endpoints ?? []) {
          const c = ep.conditions ?? {};
          // ready unset means ready (EndpointSlice API); serving unset falls back to ready.
          const ready = c.ready !== false && c.terminating !== true;
          const serving = (c.serving ?? c.ready) !== false;
          for (const addr of ep.addresses) {
            if (family(addr) !== fam) continue;
            if (ready) backends[fam].push({ addr, port });
            else if (serving) draining.set(`${addr}/${port}`, { addr, port });
          }
        }
      }
      for (const list of [backends[4], backends[6]]) list.sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : a.port - b.port));
      const addrs = [
        ...clusterIPs.map((ip) => ({ ip, port: sp.port })),
        ...(spec.externalIPs ?? []).map((ip) => ({ ip, port: sp.port })),
        ...(sp.nodePort && (spec.type === 'NodePort' || spec.type === 'LoadBalancer') ? nodeAddrs.map((ip) => ({ ip, port: sp.nodePort! })) : []),
      ];
      for (const a of addrs) frontends.push({ addr: a.ip, port: a.port, protocol, svcId, backends: backends[family(a.ip)] });
    }
  }
  return { frontends, draining: [...draining.values()] };
}

export interface ServiceWriter {
  sync(frontends: LbFrontend[], draining?: LbBackendAddr[]): { written: number; deleted: number };
}

/** Writes the Service maps when the inputs changed (the maps themselves diff per entry). */
export class ServiceSync {
  readonly ids = new ServiceIds();
  #key = '';

  constructor(private readonly map: ServiceWriter) {}

  apply(d: DesiredServices): { written: number; deleted: number } {
    const key = JSON.stringify(d);
    if (key === this.#key) return { written: 0, deleted: 0 };
    const r = this.map.sync(d.frontends, d.draining);
    this.#key = key;
    return r;
  }
}
