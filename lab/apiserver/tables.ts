// The Table form (meta.k8s.io/v1) that `kubectl get` asks for, with the columns the real API
// server prints per resource. Row rendering is pure: object in, cells out.
import { age } from './age.ts';
import type { PrinterColumn } from './crds.ts';
import type { KObject, ResourceType } from './types.ts';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Col = { name: string; type?: string; format?: string; priority?: number; description?: string };
type Printer = { columns: Col[]; row: (o: Obj, now: number) => unknown[] };

const none = (v: unknown) => (v === undefined || v === null || v === '' ? '<none>' : v);
const name: Col = { name: 'Name', type: 'string', format: 'name' };
const ageCol: Col = { name: 'Age', type: 'string' };
const wide = (n: string): Col => ({ name: n, type: 'string', priority: 1 });

function podStatus(p: Obj): { reason: string; ready: number; total: number; restarts: number; lastRestart?: string } {
  const st = p['status'] ?? {};
  let reason: string = st.reason || st.phase || 'Unknown';
  const specCs = p['spec']?.containers ?? [];
  const total = specCs.length;
  let ready = 0;
  let restarts = 0;
  let hasRunning = false;
  let lastRestart: string | undefined;
  let initializing = false;
  const inits = st.initContainerStatuses ?? [];
  inits.forEach((c: Obj, i: number) => {
    restarts += c.restartCount ?? 0;
    if (c.state?.terminated?.exitCode === 0) return;
    if (c.state?.terminated) reason = 'Init:' + (c.state.terminated.reason || `ExitCode:${c.state.terminated.exitCode}`);
    else if (c.state?.waiting?.reason && c.state.waiting.reason !== 'PodInitializing') reason = 'Init:' + c.state.waiting.reason;
    else reason = `Init:${i}/${(p['spec']?.initContainers ?? []).length}`;
    initializing = true;
  });
  if (!initializing) {
    const cs: Obj[] = [...(st.containerStatuses ?? [])].reverse();
    for (const c of cs) {
      restarts += c.restartCount ?? 0;
      const lt = c.lastState?.terminated?.finishedAt;
      if (lt && (!lastRestart || lt > lastRestart)) lastRestart = lt;
      if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
      else if (c.state?.terminated?.reason) reason = c.state.terminated.reason;
      else if (c.state?.terminated) reason = c.state.terminated.signal ? `Signal:${c.state.terminated.signal}` : `ExitCode:${c.state.terminated.exitCode}`;
      else if (c.ready && c.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) reason = 'Running';
  }
  if (p['metadata']?.deletionTimestamp) reason = st.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  return { reason, ready, total, restarts, ...(lastRestart ? { lastRestart } : {}) };
}

const containersOf = (tpl: Obj | undefined) => (tpl?.spec?.containers ?? []) as Obj[];
const selectorString = (sel: Obj | undefined) => {
  if (!sel) return '<none>';
  // Sorted by key, as labels.Selector.String() prints them.
  const parts: [string, string][] = Object.entries(sel.matchLabels ?? {}).map(([k, v]) => [k, `${k}=${v}`]);
  for (const e of sel.matchExpressions ?? []) parts.push([e.key, `${e.key} ${String(e.operator).toLowerCase()} (${[...(e.values ?? [])].sort().join(',')})`]);
  return parts.length ? parts.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((p) => p[1]).join(',') : '<none>';
};
const mapString = (m: Record<string, string> | undefined) =>
  m && Object.keys(m).length ? Object.keys(m).sort().map((k) => `${k}=${m[k]}`).join(',') : '<none>';

function servicePorts(s: Obj): string {
  const ports: Obj[] = s['spec']?.ports ?? [];
  if (!ports.length) return '<none>';
  return ports.map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}` : `${p.port}/${p.protocol ?? 'TCP'}`)).join(',');
}

function externalIp(s: Obj): string {
  const spec = s['spec'] ?? {};
  const ext: string[] = spec.externalIPs ?? [];
  if (spec.type === 'ExternalName') return spec.externalName ?? '<none>';
  if (spec.type === 'LoadBalancer') {
    const ing = (s['status']?.loadBalancer?.ingress ?? []).map((i: Obj) => i.ip ?? i.hostname);
    const all = [...ing, ...ext];
    return all.length ? all.join(',') : '<pending>';
  }
  return ext.length ? ext.join(',') : '<none>';
}

function endpointsString(e: Obj): string {
  const out: string[] = [];
  for (const ss of e['subsets'] ?? []) {
    for (const a of ss.addresses ?? []) for (const p of ss.ports ?? [{}]) out.push(p.port ? `${a.ip}:${p.port}` : a.ip);
  }
  if (!out.length) return '<none>';
  return out.length > 3 ? `${out.slice(0, 3).join(',')} + ${out.length - 3} more...` : out.join(',');
}

function nodeRoles(n: Obj): string {
  const roles = Object.keys(n['metadata']?.labels ?? {})
    .filter((k) => k.startsWith('node-role.kubernetes.io/'))
    .map((k) => k.slice('node-role.kubernetes.io/'.length))
    .filter(Boolean);
  return roles.length ? roles.sort().join(',') : '<none>';
}

function nodeStatus(n: Obj): string {
  const ready = (n['status']?.conditions ?? []).find((c: Obj) => c.type === 'Ready');
  let s = ready?.status === 'True' ? 'Ready' : ready ? 'NotReady' : 'Unknown';
  if (n['spec']?.unschedulable) s += ',SchedulingDisabled';
  return s;
}

const nodeAddr = (n: Obj, t: string) => (n['status']?.addresses ?? []).find((a: Obj) => a.type === t)?.address ?? '<none>';

const subjects = (b: Obj, kind: string) =>
  (b['subjects'] ?? []).filter((s: Obj) => s.kind === kind).map((s: Obj) => (kind === 'ServiceAccount' ? `${s.namespace ?? ''}/${s.name}` : s.name)).join(', ');

const PRINTERS: Record<string, Printer> = {
  '/pods': {
    columns: [name, { name: 'Ready', type: 'string' }, { name: 'Status', type: 'string' }, { name: 'Restarts', type: 'string' }, ageCol, wide('IP'), wide('Node'), wide('Nominated Node'), wide('Readiness Gates')],
    row: (p, now) => {
      const s = podStatus(p);
      const restarts = s.lastRestart ? `${s.restarts} (${age(s.lastRestart, now)} ago)` : String(s.restarts);
      const gates = (p['spec']?.readinessGates ?? []).length;
      return [p['metadata'].name, `${s.ready}/${s.total}`, s.reason, restarts, age(p['metadata'].creationTimestamp, now), none(p['status']?.podIP), none(p['spec']?.nodeName), none(p['status']?.nominatedNodeName), gates ? `0/${gates}` : '<none>'];
    },
  },
  '/nodes': {
    columns: [name, { name: 'Status', type: 'string' }, { name: 'Roles', type: 'string' }, ageCol, { name: 'Version', type: 'string' }, wide('Internal-IP'), wide('External-IP'), wide('OS-Image'), wide('Kernel-Version'), wide('Container-Runtime')],
    row: (n, now) => {
      const info = n['status']?.nodeInfo ?? {};
      return [n['metadata'].name, nodeStatus(n), nodeRoles(n), age(n['metadata'].creationTimestamp, now), info.kubeletVersion ?? '', nodeAddr(n, 'InternalIP'), nodeAddr(n, 'ExternalIP'), info.osImage ?? '<unknown>', info.kernelVersion ?? '<unknown>', info.containerRuntimeVersion ?? '<unknown>'];
    },
  },
  '/namespaces': { columns: [name, { name: 'Status', type: 'string' }, ageCol], row: (n, now) => [n['metadata'].name, n['status']?.phase ?? '', age(n['metadata'].creationTimestamp, now)] },
  '/services': {
    columns: [name, { name: 'Type', type: 'string' }, { name: 'Cluster-IP', type: 'string' }, { name: 'External-IP', type: 'string' }, { name: 'Port(s)', type: 'string' }, ageCol, wide('Selector')],
    row: (s, now) => [s['metadata'].name, s['spec']?.type ?? 'ClusterIP', s['spec']?.clusterIP ?? '<none>', externalIp(s), servicePorts(s), age(s['metadata'].creationTimestamp, now), mapString(s['spec']?.selector)],
  },
  '/endpoints': { columns: [name, { name: 'Endpoints', type: 'string' }, ageCol], row: (e, now) => [e['metadata'].name, endpointsString(e), age(e['metadata'].creationTimestamp, now)] },
  'discovery.k8s.io/endpointslices': {
    columns: [name, { name: 'AddressType', type: 'string' }, { name: 'Ports', type: 'string' }, { name: 'Endpoints', type: 'string' }, ageCol],
    row: (e, now) => {
      const ports = (e['ports'] ?? []).map((p: Obj) => p.port).join(',') || '<unset>';
      const addrs: string[] = (e['endpoints'] ?? []).flatMap((x: Obj) => x.addresses ?? []);
      const eps = addrs.length === 0 ? '<unset>' : addrs.length > 3 ? `${addrs.slice(0, 3).join(',')} + ${addrs.length - 3} more...` : addrs.join(',');
      return [e['metadata'].name, e['addressType'] ?? '', ports, eps, age(e['metadata'].creationTimestamp, now)];
    },
  },
  '/configmaps': { columns: [name, { name: 'Data', type: 'integer' }, ageCol], row: (c, now) => [c['metadata'].name, Object.keys(c['data'] ?? {}).length + Object.keys(c['binaryData'] ?? {}).length, age(c['metadata'].creationTimestamp, now)] },
  '/secrets': { columns: [name, { name: 'Type', type: 'string' }, { name: 'Data', type: 'integer' }, ageCol], row: (s, now) => [s['metadata'].name, s['type'] ?? 'Opaque', Object.keys(s['data'] ?? {}).length, age(s['metadata'].creationTimestamp, now)] },
  '/serviceaccounts': { columns: [name, { name: 'Secrets', type: 'integer' }, ageCol], row: (s, now) => [s['metadata'].name, (s['secrets'] ?? []).length, age(s['metadata'].creationTimestamp, now)] },
  '/events': {
    columns: [{ name: 'Last Seen', type: 'string' }, { name: 'Type', type: 'string' }, { name: 'Reason', type: 'string' }, { name: 'Object', type: 'string' }, wide('Subobject'), wide('Source'), { name: 'Message', type: 'string' }, wide('First Seen'), { name: 'Count', type: 'string', priority: 1 }, { ...wide('Name'), format: 'name' }],
    row: (e, now) => {
      const io = e['involvedObject'] ?? {};
      const last = e['lastTimestamp'] ?? e['eventTime'] ?? e['metadata'].creationTimestamp;
      return [age(last, now), e['type'] ?? '', e['reason'] ?? '', `${String(io.kind ?? '').toLowerCase()}/${io.name ?? ''}`, io.fieldPath ?? '', e['source']?.component ?? e['reportingComponent'] ?? '', e['message'] ?? '', age(e['firstTimestamp'] ?? last, now), String(e['count'] ?? 1), e['metadata'].name];
    },
  },
  'apps/deployments': {
    columns: [name, { name: 'Ready', type: 'string' }, { name: 'Up-to-date', type: 'integer' }, { name: 'Available', type: 'integer' }, ageCol, wide('Containers'), wide('Images'), wide('Selector')],
    row: (d, now) => {
      const st = d['status'] ?? {};
      const cs = containersOf(d['spec']?.template);
      return [d['metadata'].name, `${st.readyReplicas ?? 0}/${d['spec']?.replicas ?? 1}`, st.updatedReplicas ?? 0, st.availableReplicas ?? 0, age(d['metadata'].creationTimestamp, now), cs.map((c) => c.name).join(','), cs.map((c) => c.image).join(','), selectorString(d['spec']?.selector)];
    },
  },
  'apps/replicasets': {
    columns: [name, { name: 'Desired', type: 'integer' }, { name: 'Current', type: 'integer' }, { name: 'Ready', type: 'integer' }, ageCol, wide('Containers'), wide('Images'), wide('Selector')],
    row: (r, now) => {
      const cs = containersOf(r['spec']?.template);
      return [r['metadata'].name, r['spec']?.replicas ?? 1, r['status']?.replicas ?? 0, r['status']?.readyReplicas ?? 0, age(r['metadata'].creationTimestamp, now), cs.map((c) => c.name).join(','), cs.map((c) => c.image).join(','), selectorString(r['spec']?.selector)];
    },
  },
  'apps/daemonsets': {
    columns: [name, { name: 'Desired', type: 'integer' }, { name: 'Current', type: 'integer' }, { name: 'Ready', type: 'integer' }, { name: 'Up-to-date', type: 'integer' }, { name: 'Available', type: 'integer' }, { name: 'Node Selector', type: 'string' }, ageCol, wide('Containers'), wide('Images'), wide('Selector')],
    row: (d, now) => {
      const st = d['status'] ?? {};
      const cs = containersOf(d['spec']?.template);
      return [d['metadata'].name, st.desiredNumberScheduled ?? 0, st.currentNumberScheduled ?? 0, st.numberReady ?? 0, st.updatedNumberScheduled ?? 0, st.numberAvailable ?? 0, mapString(d['spec']?.template?.spec?.nodeSelector), age(d['metadata'].creationTimestamp, now), cs.map((c) => c.name).join(','), cs.map((c) => c.image).join(','), selectorString(d['spec']?.selector)];
    },
  },
  'networking.k8s.io/networkpolicies': { columns: [name, { name: 'Pod-Selector', type: 'string' }, ageCol], row: (n, now) => [n['metadata'].name, selectorString(n['spec']?.podSelector) === '<none>' ? '<none>' : selectorString(n['spec']?.podSelector), age(n['metadata'].creationTimestamp, now)] },
  'rbac.authorization.k8s.io/roles': { columns: [name, { name: 'Created At', type: 'string', format: 'date' }], row: (r) => [r['metadata'].name, r['metadata'].creationTimestamp] },
  'rbac.authorization.k8s.io/clusterroles': { columns: [name, { name: 'Created At', type: 'string', format: 'date' }], row: (r) => [r['metadata'].name, r['metadata'].creationTimestamp] },
  'rbac.authorization.k8s.io/rolebindings': {
    columns: [name, { name: 'Role', type: 'string' }, ageCol, wide('Users'), wide('Groups'), wide('ServiceAccounts')],
    row: (b, now) => [b['metadata'].name, `${b['roleRef']?.kind}/${b['roleRef']?.name}`, age(b['metadata'].creationTimestamp, now), subjects(b, 'User'), subjects(b, 'Group'), subjects(b, 'ServiceAccount')],
  },
  'coordination.k8s.io/leases': { columns: [name, { name: 'Holder', type: 'string' }, ageCol], row: (l, now) => [l['metadata'].name, l['spec']?.holderIdentity ?? '', age(l['metadata'].creationTimestamp, now)] },
  'apiextensions.k8s.io/customresourcedefinitions': { columns: [name, { name: 'Created At', type: 'date' }], row: (c) => [c['metadata'].name, c['metadata'].creationTimestamp] },
};
PRINTERS['rbac.authorization.k8s.io/clusterrolebindings'] = PRINTERS['rbac.authorization.k8s.io/rolebindings']!;

const DEFAULT: Printer = { columns: [name, { name: 'Created At', type: 'date' }], row: (o) => [o['metadata'].name, o['metadata'].creationTimestamp] };

/** Follows a simple JSONPath (`.spec.replicas`, `.status.conditions[0].type`) for printer columns. */
export function jsonPathValue(o: unknown, path: string): unknown {
  let cur: unknown = o;
  for (const seg of path.replace(/^\{?\$?\.?/, '').replace(/\}$/, '').split(/\.|\[(\d+)\]/).filter((s) => s !== undefined && s !== '')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

function crPrinter(cols: PrinterColumn[] | undefined): Printer {
  const extra = cols ?? [];
  const hasAge = extra.some((c) => c.name.toLowerCase() === 'age');
  const columns: Col[] = [name, ...extra.map((c) => ({ name: c.name, type: c.type === 'date' ? 'date' : c.type, priority: c.priority ?? 0, ...(c.description ? { description: c.description } : {}) })), ...(hasAge ? [] : [ageCol])];
  return {
    columns,
    row: (o, now) => [
      o['metadata'].name,
      ...extra.map((c) => {
        const v = jsonPathValue(o, c.jsonPath);
        if (c.type === 'date') return typeof v === 'string' ? age(v, now) : '<unknown>';
        return v === undefined ? null : typeof v === 'object' ? JSON.stringify(v) : v;
      }),
      ...(hasAge ? [] : [age(o['metadata'].creationTimestamp, now)]),
    ],
  };
}

export function printerFor(rt: ResourceType, crdColumns?: PrinterColumn[] | null): Printer {
  if (crdColumns !== undefined) return crPrinter(crdColumns ?? undefined);
  return PRINTERS[`${rt.group}/${rt.resource}`] ?? DEFAULT;
}

export interface TableOptions {
  includeObject?: 'None' | 'Metadata' | 'Object';
  now?: number;
  noHeaders?: boolean;
  crdColumns?: PrinterColumn[] | null;
}

export function toTable(rt: ResourceType, objects: KObject[], resourceVersion: string, o: TableOptions = {}): KObject {
  const p = printerFor(rt, o.crdColumns);
  const now = o.now ?? Date.now();
  const include = o.includeObject ?? 'Metadata';
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    ...(o.noHeaders ? {} : { columnDefinitions: p.columns.map((c) => ({ name: c.name, type: c.type ?? 'string', format: c.format ?? '', description: c.description ?? '', priority: c.priority ?? 0 })) }),
    rows: objects.map((obj) => ({
      cells: p.row(obj as Obj, now),
      object:
        include === 'Object'
          ? obj
          : include === 'None'
            ? null
            : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata },
    })),
  };
}
