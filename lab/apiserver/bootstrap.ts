// The objects every cluster has before anyone applies anything.
import type { Api } from './api.ts';
import { ApiError } from './errors.ts';
import { nthAddress } from './ipv4.ts';
import { defaultRbac } from './default-rbac.ts';
import type { KObject } from './types.ts';

function ensure(api: Api, group: string, resource: string, ns: string | undefined, obj: KObject): void {
  try {
    api.create(api.rt(group, resource), ns, obj, { manager: 'kube-apiserver' });
  } catch (e) {
    if (!(e instanceof ApiError && e.code === 409)) throw e;
  }
}

/** Creates or replaces (the API server's address changes between runs of a persisted lab). */
export function upsert(api: Api, group: string, resource: string, ns: string | undefined, obj: KObject): void {
  const rt = api.rt(group, resource);
  const cur = api.tryGet(rt, ns, obj.metadata.name ?? '');
  if (!cur) api.create(rt, ns, obj, { manager: 'kube-apiserver' });
  else api.update(rt, ns, obj.metadata.name ?? '', { ...obj, metadata: { ...cur.metadata, labels: obj.metadata.labels } }, { manager: 'kube-apiserver' });
}

/** Namespaces, the default RBAC roles, the `kubernetes` Service pointing at the API server, and its Endpoints. */
export function bootstrap(api: Api, apiserver: { ip: string; port: number }): void {
  // Reconciled on every start, as the real server's bootstrap policy is (autoupdate).
  for (const o of defaultRbac()) upsert(api, 'rbac.authorization.k8s.io', o.kind === 'ClusterRole' ? 'clusterroles' : 'clusterrolebindings', undefined, o);
  for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) ensure(api, '', 'namespaces', undefined, { metadata: { name: ns } });
  ensure(api, '', 'services', 'default', {
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { clusterIP: nthAddress(api.serviceCidr, 1), ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: apiserver.port }] },
  });
  const ep = { addresses: [{ ip: apiserver.ip }], ports: [{ name: 'https', port: apiserver.port, protocol: 'TCP' }] };
  upsert(api, '', 'endpoints', 'default', { metadata: { name: 'kubernetes', namespace: 'default' }, subsets: [ep] });
  upsert(api, 'discovery.k8s.io', 'endpointslices', 'default', {
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [apiserver.ip], conditions: { ready: true } }],
    ports: [{ name: 'https', port: apiserver.port, protocol: 'TCP' }],
  });
}
