// Services → Endpoints and EndpointSlices: the ready and not-ready pod IPs behind each selector,
// with target ports resolved (named ports looked up in the pods' containers).
import type { Api } from '../apiserver/api.ts';
import { matchLabels, parseLabelSelector } from '../apiserver/selectors.ts';
import type { KObject } from '../apiserver/types.ts';
import { isPodDone, isPodReady, isTerminating, ownerRef, shortHash, spec, status, tolerate, type Any } from './util.ts';

function resolvePort(svcPort: Any, pod: KObject): number | undefined {
  const tp = svcPort['targetPort'] ?? svcPort['port'];
  if (typeof tp === 'number') return tp;
  if (/^\d+$/.test(String(tp))) return Number(tp);
  for (const c of (spec(pod)['containers'] ?? []) as Any[]) {
    for (const p of (c['ports'] ?? []) as Any[]) if (p['name'] === tp && (p['protocol'] ?? 'TCP') === (svcPort['protocol'] ?? 'TCP')) return Number(p['containerPort']);
  }
  return undefined;
}

export function reconcileEndpoints(api: Api): void {
  const epRt = api.rt('', 'endpoints');
  const esRt = api.rt('discovery.k8s.io', 'endpointslices');
  const pods = api.list(api.rt('', 'pods'), undefined).items;
  for (const svc of api.list(api.rt('', 'services'), undefined).items) {
    const sel = spec(svc)['selector'] as Record<string, string> | undefined;
    if (!sel || Object.keys(sel).length === 0 || isTerminating(svc)) continue;
    const ns = svc.metadata.namespace;
    const name = svc.metadata.name ?? '';
    const ls = parseLabelSelector(Object.entries(sel).map(([k, v]) => `${k}=${v}`).join(','));
    const members = pods.filter((p) => p.metadata.namespace === ns && matchLabels(ls, p.metadata.labels) && status(p)['podIP'] && !isPodDone(p));
    const svcPorts = (spec(svc)['ports'] ?? []) as Any[];

    // Endpoints: one subset per distinct port list (the usual case is one).
    const subsets = new Map<string, { addresses: Any[]; notReadyAddresses: Any[]; ports: Any[] }>();
    for (const p of members) {
      const ports = svcPorts.map((sp) => ({ ...(sp['name'] ? { name: sp['name'] } : {}), port: resolvePort(sp, p), protocol: sp['protocol'] ?? 'TCP' })).filter((x) => x.port !== undefined);
      const key = JSON.stringify(ports);
      const s = subsets.get(key) ?? { addresses: [], notReadyAddresses: [], ports };
      const addr = { ip: status(p)['podIP'], nodeName: spec(p)['nodeName'], targetRef: { kind: 'Pod', namespace: ns, name: p.metadata.name, uid: p.metadata.uid } };
      (isPodReady(p) && !isTerminating(p) ? s.addresses : s.notReadyAddresses).push(addr);
      subsets.set(key, s);
    }
    const subsetList = [...subsets.values()].map((s) => ({ ...(s.addresses.length ? { addresses: s.addresses } : {}), ...(s.notReadyAddresses.length ? { notReadyAddresses: s.notReadyAddresses } : {}), ports: s.ports }));
    const epBody: KObject = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace: ns, labels: { ...(svc.metadata.labels ?? {}) } }, ...(subsetList.length ? { subsets: subsetList } : {}) };
    const existing = api.tryGet(epRt, ns, name);
    if (!existing) tolerate(() => api.create(epRt, ns, epBody, { manager: 'endpoint-controller' }));
    else if (JSON.stringify(existing['subsets'] ?? null) !== JSON.stringify(epBody['subsets'] ?? null)) {
      tolerate(() => api.update(epRt, ns, name, { ...epBody, metadata: { ...existing.metadata, labels: epBody.metadata.labels } }, { manager: 'endpoint-controller' }));
    }

    // One EndpointSlice per service, its ports named like the service's.
    const slicePorts = svcPorts.map((sp) => ({ name: sp['name'] ?? '', port: members[0] ? resolvePort(sp, members[0]) : undefined, protocol: sp['protocol'] ?? 'TCP' })).filter((p) => p.port !== undefined);
    const endpoints = members.map((p) => ({
      addresses: [status(p)['podIP']],
      conditions: { ready: isPodReady(p) && !isTerminating(p), serving: isPodReady(p), terminating: isTerminating(p) },
      nodeName: spec(p)['nodeName'],
      targetRef: { kind: 'Pod', namespace: ns, name: p.metadata.name, uid: p.metadata.uid },
    }));
    const sliceName = `${name}-${shortHash(svc.metadata.uid, 5)}`;
    const slice: KObject = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: sliceName, namespace: ns, labels: { ...(svc.metadata.labels ?? {}), 'kubernetes.io/service-name': name, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' }, ownerReferences: [{ ...ownerRef(svc), apiVersion: 'v1', kind: 'Service' }] },
      addressType: 'IPv4',
      endpoints,
      ports: slicePorts.length ? slicePorts : null,
    };
    const cur = api.tryGet(esRt, ns, sliceName);
    if (!cur) tolerate(() => api.create(esRt, ns, slice, { manager: 'endpointslice-controller' }));
    else if (JSON.stringify([cur['endpoints'], cur['ports']]) !== JSON.stringify([slice['endpoints'], slice['ports']])) {
      tolerate(() => api.update(esRt, ns, sliceName, { ...slice, metadata: { ...cur.metadata, labels: slice.metadata.labels } }, { manager: 'endpointslice-controller' }));
    }
  }
}
