// Waiting for the install to become ready, and explaining why when it does not.
import type { CoreV1Event, V1DaemonSet, V1Deployment, V1Node, V1Pod } from '@kubernetes/client-node';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { NAMES, agentSelector, relaySelector } from '../render/meta.ts';
import type { Objects } from '../../lib/kube-apply.ts';

export interface RolloutState {
  agents: { desired: number; ready: number; updated: number; nodes: { node: string; ready: boolean }[] };
  relay: { enabled: boolean; desired: number; available: number };
  done: boolean;
}

const selector = (labels: Record<string, string>) => Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');

export async function rolloutState(objs: Objects, namespace: string, relayEnabled: boolean): Promise<RolloutState> {
  const ds = await objs.get<V1DaemonSet>({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: NAMES.agent, namespace } });
  const pods = await objs.list<V1Pod>('v1', 'Pod', namespace, selector(agentSelector));
  const desired = ds?.status?.desiredNumberScheduled ?? 0;
  const ready = ds?.status?.numberReady ?? 0;
  const updated = ds?.status?.updatedNumberScheduled ?? 0;
  const current = (ds?.status?.observedGeneration ?? 0) >= (ds?.metadata?.generation ?? 1);
  const nodes = pods
    .filter((p) => p.spec?.nodeName && !p.metadata?.deletionTimestamp)
    .map((p) => ({ node: p.spec!.nodeName!, ready: p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false }))
    .sort((a, b) => a.node.localeCompare(b.node));
  let relay = { enabled: relayEnabled, desired: 0, available: 0 };
  if (relayEnabled) {
    const dep = await objs.get<V1Deployment>({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: NAMES.relay, namespace } });
    relay = { enabled: true, desired: dep?.spec?.replicas ?? 1, available: dep?.status?.availableReplicas ?? 0 };
  }
  const agentsDone = ds !== undefined && current && desired > 0 && ready === desired && updated === desired;
  return { agents: { desired, ready, updated, nodes }, relay, done: agentsDone && (!relayEnabled || relay.available >= relay.desired) };
}

export function formatRollout(s: RolloutState): string {
  const nodes = s.agents.nodes.map((n) => `${n.node} ${n.ready ? '✔' : '…'}`).join(', ');
  const relay = s.relay.enabled ? `, relay ${s.relay.available}/${s.relay.desired} available` : '';
  return `${s.agents.ready}/${s.agents.desired} agents ready${nodes ? ` (${nodes})` : ''}${relay}`;
}

/** Why netobs pods are not ready: pending pods with their events, failing containers with their last log lines. */
export async function diagnose(kc: KubeConfig, objs: Objects, namespace: string): Promise<string[]> {
  const core = kc.makeApiClient(CoreV1Api);
  const out: string[] = [];
  const pods = [...(await objs.list<V1Pod>('v1', 'Pod', namespace, selector(agentSelector))), ...(await objs.list<V1Pod>('v1', 'Pod', namespace, selector(relaySelector)))];
  for (const p of pods) {
    const name = p.metadata?.name ?? '?';
    const ready = p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    if (ready) continue;
    const where = p.spec?.nodeName ? ` on ${p.spec.nodeName}` : '';
    const states = [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])];
    const reasons = states
      .map((c) => {
        const w = c.state?.waiting;
        const t = c.state?.terminated ?? c.lastState?.terminated;
        if (w) return `${c.name}: ${w.reason ?? 'Waiting'}${w.message ? `: ${w.message}` : ''}`;
        if (t) return `${c.name}: ${t.reason ?? 'Terminated'} (exit ${t.exitCode})`;
        return undefined;
      })
      .filter((s): s is string => s !== undefined);
    out.push(`pod ${namespace}/${name}${where} is ${p.status?.phase ?? 'Unknown'}${reasons.length ? `: ${reasons.join('; ')}` : ''}`);
    const events = await objs.list<CoreV1Event>('v1', 'Event', namespace, undefined, `involvedObject.name=${name}`);
    for (const e of events.filter((x) => x.type === 'Warning').slice(-3)) out.push(`  event ${e.reason ?? ''}: ${e.message ?? ''}`);
    for (const c of states) {
      if (!(c.state?.terminated || c.lastState?.terminated || (c.restartCount ?? 0) > 0)) continue;
      try {
        const log = await core.readNamespacedPodLog({ name, namespace, container: c.name, tailLines: 5, previous: false });
        for (const l of String(log).trimEnd().split('\n').slice(-5)) if (l) out.push(`  log ${c.name}: ${l}`);
      } catch {
        /* no log to show */
      }
    }
  }
  return out;
}

/** The annotation a lab node carries with the path of its kubelet's log (lab/node/node-object.ts). */
export const LAB_LOG_ANNOTATION = 'netobs.io/lab-log';

/**
 * netobs pods Pending for longer than `quietMs` without a single event: nothing reports why, so
 * the message says where to look (the lab log for lab nodes, `kubectl describe pod` otherwise).
 */
export async function silentPending(objs: Objects, namespace: string, quietMs: number, now = Date.now()): Promise<{ pod: string; message: string }[]> {
  const pods = [...(await objs.list<V1Pod>('v1', 'Pod', namespace, selector(agentSelector))), ...(await objs.list<V1Pod>('v1', 'Pod', namespace, selector(relaySelector)))];
  const out: { pod: string; message: string }[] = [];
  for (const p of pods) {
    const name = p.metadata?.name ?? '?';
    const created = Date.parse(String(p.metadata?.creationTimestamp ?? ''));
    if (p.status?.phase !== 'Pending' || !Number.isFinite(created) || now - created < quietMs) continue;
    const events = await objs.list<CoreV1Event>('v1', 'Event', namespace, undefined, `involvedObject.name=${name}`);
    if (events.some((e) => e.involvedObject?.uid === undefined || e.involvedObject.uid === p.metadata?.uid)) continue;
    const nodeName = p.spec?.nodeName;
    const node = nodeName ? await objs.get<V1Node>({ apiVersion: 'v1', kind: 'Node', metadata: { name: nodeName } }) : undefined;
    const labLog = node?.metadata?.annotations?.[LAB_LOG_ANNOTATION];
    const where = labLog ? `the lab log ${labLog}` : `kubectl describe pod -n ${namespace} ${name}`;
    out.push({ pod: name, message: `pod ${namespace}/${name}${nodeName ? ` on ${nodeName}` : ''} is Pending for ${Math.round((now - created) / 1000)}s with no event: see ${where}` });
  }
  return out;
}
