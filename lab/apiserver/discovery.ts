// Discovery documents in the plain (non-aggregated) forms, which kubectl 1.32 accepts when the
// aggregated ones are not offered: /version, /api, /apis, /apis/<group>, per group-version lists.
import type { Registry } from './registry.ts';
import { apiVersionOf, ALL_VERBS, type ResourceType } from './types.ts';

export const LAB_K8S_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0-netobs-lab' };

export function versionInfo(): Record<string, string> {
  return {
    ...LAB_K8S_VERSION,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2025-01-01T00:00:00Z',
    goVersion: 'go1.23.0',
    compiler: 'gc',
    platform: `linux/${process.arch === 'arm64' ? 'arm64' : 'amd64'}`,
  };
}

export function coreVersions(serverAddress: string): object {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function group(name: string, versions: string[]): object {
  const gvs = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions: gvs, preferredVersion: gvs[0] };
}

export function groupList(reg: Registry): object {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: reg.groups().map((g) => group(g.name, g.versions)) };
}

export function apiGroup(reg: Registry, name: string): object | undefined {
  const g = reg.groups().find((x) => x.name === name);
  return g ? { kind: 'APIGroup', apiVersion: 'v1', ...group(g.name, g.versions) } : undefined;
}

const SUB: Record<string, { verbs: string[]; kind?: string; group?: string; version?: string }> = {
  status: { verbs: ['get', 'patch', 'update'] },
  scale: { verbs: ['get', 'patch', 'update'], kind: 'Scale', group: 'autoscaling', version: 'v1' },
  log: { verbs: ['get'] },
  exec: { verbs: ['create', 'get'], kind: 'PodExecOptions' },
  attach: { verbs: ['create', 'get'], kind: 'PodAttachOptions' },
  portforward: { verbs: ['create', 'get'], kind: 'PodPortForwardOptions' },
  proxy: { verbs: ['create', 'delete', 'get', 'patch', 'update'], kind: 'ServiceProxyOptions' },
  binding: { verbs: ['create'], kind: 'Binding' },
  eviction: { verbs: ['create'], kind: 'Eviction', group: 'policy', version: 'v1' },
  finalize: { verbs: ['update'] },
  token: { verbs: ['create'], kind: 'TokenRequest', group: 'authentication.k8s.io', version: 'v1' },
};

function resourceEntries(rt: ResourceType): object[] {
  const main = {
    name: rt.resource,
    singularName: rt.singular,
    namespaced: rt.namespaced,
    kind: rt.kind,
    verbs: rt.verbs ?? ALL_VERBS,
    ...(rt.shortNames?.length ? { shortNames: rt.shortNames } : {}),
    ...(rt.categories?.length ? { categories: rt.categories } : {}),
  };
  const subs = (rt.subresources ?? []).map((s) => {
    const d = SUB[s] ?? { verbs: ['get'] };
    return {
      name: `${rt.resource}/${s}`,
      singularName: '',
      namespaced: rt.namespaced,
      kind: d.kind ?? rt.kind,
      verbs: d.verbs,
      ...(d.group ? { group: d.group, version: d.version } : {}),
    };
  });
  return [main, ...subs];
}

export function resourceList(reg: Registry, group: string, version: string): object | undefined {
  const rts = reg.resourcesOf(group, version);
  if (rts.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: apiVersionOf({ group, version }),
    resources: rts.flatMap(resourceEntries),
  };
}
