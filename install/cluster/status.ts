// `kubectl netobs status`: components (desired/ready/available) and every node's agent as the
// agent reports it in its NetobsNode object. Pure formatting apart from the gathering.
import type { KubernetesObject, V1DaemonSet, V1Deployment, V1Node } from '@kubernetes/client-node';
import { NAMES } from '../render/meta.ts';
import { formatTable } from '../../lib/table.ts';
import type { Objects } from '../../lib/kube-apply.ts';

export interface ComponentStatus {
  name: string;
  kind: 'DaemonSet' | 'Deployment';
  desired: number;
  ready: number;
  available: number;
  unavailable: number;
}

export interface NodeAgentStatus {
  node: string;
  healthy: boolean;
  agentVersion?: string;
  kernelVersion?: string;
  features?: Record<string, boolean>;
  datapathAttached?: boolean;
  endpoints?: number;
  unmanagedPods: string[];
  unmanagedPodCount: number;
  lostEvents: number;
  lastHeartbeat?: string;
  errors: string[];
  warnings: string[];
}

export interface ClusterStatus {
  namespace: string;
  installed: boolean;
  healthy: boolean;
  components: ComponentStatus[];
  nodes: NodeAgentStatus[];
  problems: string[];
}

interface NetobsNode extends KubernetesObject {
  status?: {
    agentVersion?: string;
    kernelVersion?: string;
    lastHeartbeatTime?: string;
    datapath?: { attached?: boolean; features?: Record<string, boolean> };
    endpoints?: number;
    unmanagedPods?: string[];
    unmanagedPodCount?: number;
    lostEvents?: number;
    errors?: string[];
    warnings?: string[];
    conditions?: { type: string; status: string; message?: string }[];
  };
}

/** An agent that has not written its status for this long is considered gone. */
export const HEARTBEAT_STALE_MS = 90_000;

export async function gatherStatus(objs: Objects, namespace: string, now = Date.now()): Promise<ClusterStatus> {
  const ds = await objs.get<V1DaemonSet>({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: NAMES.agent, namespace } });
  const relay = await objs.get<V1Deployment>({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: NAMES.relay, namespace } });
  const components: ComponentStatus[] = [];
  if (ds) {
    const desired = ds.status?.desiredNumberScheduled ?? 0;
    components.push({ name: NAMES.agent, kind: 'DaemonSet', desired, ready: ds.status?.numberReady ?? 0, available: ds.status?.numberAvailable ?? 0, unavailable: ds.status?.numberUnavailable ?? Math.max(0, desired - (ds.status?.numberAvailable ?? 0)) });
  }
  if (relay) {
    const desired = relay.spec?.replicas ?? 1;
    components.push({ name: NAMES.relay, kind: 'Deployment', desired, ready: relay.status?.readyReplicas ?? 0, available: relay.status?.availableReplicas ?? 0, unavailable: relay.status?.unavailableReplicas ?? Math.max(0, desired - (relay.status?.availableReplicas ?? 0)) });
  }
  const nodeObjs = ds ? await objs.list<NetobsNode>('netobs.io/v1alpha1', 'NetobsNode') : [];
  const k8sNodes = await objs.list<V1Node>('v1', 'Node');
  const nodes: NodeAgentStatus[] = k8sNodes.map((n) => nodeStatus(n.metadata!.name!, nodeObjs.find((o) => o.metadata?.name === n.metadata?.name), now));
  return summarize({ namespace, installed: ds !== undefined, healthy: false, components, nodes, problems: [] });
}

export function nodeStatus(node: string, o: NetobsNode | undefined, now: number): NodeAgentStatus {
  const s = o?.status;
  const base: NodeAgentStatus = { node, healthy: false, unmanagedPods: s?.unmanagedPods ?? [], unmanagedPodCount: s?.unmanagedPodCount ?? 0, lostEvents: s?.lostEvents ?? 0, errors: [...(s?.errors ?? [])], warnings: [...(s?.warnings ?? [])] };
  if (!s) return { ...base, errors: ['no agent status reported (agent not running on this node?)'] };
  const ready = s.conditions?.find((c) => c.type === 'Ready');
  const beat = s.lastHeartbeatTime ? Date.parse(s.lastHeartbeatTime) : NaN;
  if (!Number.isNaN(beat) && now - beat > HEARTBEAT_STALE_MS) base.errors.push(`agent status is stale (last heartbeat ${Math.round((now - beat) / 1000)}s ago)`);
  if (ready?.status !== 'True') base.errors.push(`agent not ready${ready?.message ? `: ${ready.message}` : ''}`);
  if (s.datapath?.attached === false) base.errors.push('datapath not attached to every local pod');
  if (base.unmanagedPodCount > 0) base.warnings.push(`${base.unmanagedPodCount} pods on this node are not managed by netobs`);
  return {
    ...base,
    healthy: base.errors.length === 0,
    ...(s.agentVersion ? { agentVersion: s.agentVersion } : {}),
    ...(s.kernelVersion ? { kernelVersion: s.kernelVersion } : {}),
    ...(s.datapath?.features ? { features: s.datapath.features } : {}),
    ...(s.datapath?.attached !== undefined ? { datapathAttached: s.datapath.attached } : {}),
    ...(s.endpoints !== undefined ? { endpoints: s.endpoints } : {}),
    ...(s.lastHeartbeatTime ? { lastHeartbeat: s.lastHeartbeatTime } : {}),
  };
}

export function summarize(st: ClusterStatus): ClusterStatus {
  const problems: string[] = [];
  if (!st.installed) problems.push(`netobs is not installed in namespace ${st.namespace} (run: kubectl netobs install)`);
  for (const c of st.components) if (c.desired === 0 || c.ready < c.desired || c.available < c.desired) problems.push(`${c.kind} ${c.name}: ${c.ready}/${c.desired} ready, ${c.available} available`);
  for (const n of st.nodes) for (const e of n.errors) problems.push(`node ${n.node}: ${e}`);
  return { ...st, problems, healthy: problems.length === 0 };
}

export function formatStatus(st: ClusterStatus, wide = false): string {
  const lines: string[] = [];
  lines.push(`netobs in ${st.namespace}: ${st.healthy ? 'OK' : st.installed ? 'UNHEALTHY' : 'NOT INSTALLED'}`);
  if (st.components.length) {
    lines.push('');
    lines.push(formatTable([['COMPONENT', 'KIND', 'DESIRED', 'READY', 'AVAILABLE', 'UNAVAILABLE'], ...st.components.map((c) => [c.name, c.kind, c.desired, c.ready, c.available, c.unavailable].map(String))]).trimEnd());
  }
  if (st.nodes.length && st.installed) {
    lines.push('');
    const head = ['NODE', 'AGENT', 'DATAPATH', 'ENDPOINTS', 'UNMANAGED', 'LOST', 'KERNEL', 'VERSION'];
    const rows = st.nodes.map((n) => [n.node, n.healthy ? 'OK' : 'ERROR', n.datapathAttached === undefined ? '-' : n.datapathAttached ? 'attached' : 'NOT ATTACHED', String(n.endpoints ?? '-'), String(n.unmanagedPodCount), String(n.lostEvents), n.kernelVersion ?? '-', n.agentVersion ?? '-']);
    lines.push(formatTable([head, ...rows]).trimEnd());
    for (const n of st.nodes) {
      for (const w of n.warnings) lines.push(`warning: node ${n.node}: ${w}`);
      if (wide) for (const p of n.unmanagedPods) lines.push(`  unmanaged: ${n.node}: ${p}`);
      if (wide && n.features) lines.push(`  features: ${n.node}: ${Object.entries(n.features).map(([k, v]) => `${k}=${v ? 'yes' : 'no'}`).join(' ')}`);
    }
  }
  for (const p of st.problems) lines.push(`error: ${p}`);
  return lines.join('\n') + '\n';
}
