// The scheduler: binds each pending pod to the least loaded feasible node, or records why none fits.
import type { Api } from '../apiserver/api.ts';
import type { KObject } from '../apiserver/types.ts';
import { nodeMatches, nodeReady, podAffinityOk, untoleratedTaint } from './placement.ts';
import { isPodDone, isTerminating, nowIso, recordEvent, spec, status, tolerate, type Any } from './util.ts';

export function explainUnschedulable(pod: Any, nodes: KObject[], pods: KObject[]): { node?: string; message: string } {
  const reasons = new Map<string, number>();
  const add = (r: string) => reasons.set(r, (reasons.get(r) ?? 0) + 1);
  let best: { name: string; load: number } | undefined;
  for (const n of nodes) {
    const name = n.metadata.name ?? '';
    const onNode = pods.filter((p) => spec(p)['nodeName'] === name && !isPodDone(p));
    const taint = untoleratedTaint(pod, n);
    if (!nodeReady(n) && !taint) add("node(s) had untolerated taint {node.kubernetes.io/not-ready: }");
    else if (taint) add(`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`);
    else if ((n['spec'] as Any | undefined)?.['unschedulable']) add('node(s) were unschedulable');
    else if (!nodeMatches(pod, n)) add("node(s) didn't match Pod's node affinity/selector");
    else if (!podAffinityOk(pod, name, onNode, pods)) add("node(s) didn't match pod affinity/anti-affinity rules");
    else if (!best || onNode.length < best.load) best = { name, load: onNode.length };
  }
  if (best) return { node: best.name, message: '' };
  const parts = [...reasons.entries()].map(([r, c]) => `${c} ${r}`).sort();
  return { message: `0/${nodes.length} nodes are available: ${parts.join(', ')}. preemption: 0/${nodes.length} nodes are available: ${nodes.length} Preemption is not helpful for scheduling.` };
}

export function schedule(api: Api): void {
  const podsRt = api.rt('', 'pods');
  const nodes = api.list(api.rt('', 'nodes'), undefined).items;
  const pods = api.list(podsRt, undefined).items;
  for (const pod of pods) {
    const s = spec(pod);
    if (s['nodeName'] || isTerminating(pod) || (s['schedulerName'] ?? 'default-scheduler') !== 'default-scheduler') continue;
    const { node, message } = explainUnschedulable(pod, nodes, pods);
    const conds = ((status(pod)['conditions'] ?? []) as Any[]).filter((c) => c['type'] !== 'PodScheduled');
    if (node) {
      tolerate(() => {
        api.patch(podsRt, pod.metadata.namespace, pod.metadata.name ?? '', 'merge', { spec: { nodeName: node } }, { manager: 'default-scheduler' });
        const fresh = api.get(podsRt, pod.metadata.namespace, pod.metadata.name ?? '');
        api.update(podsRt, pod.metadata.namespace, pod.metadata.name ?? '', { ...fresh, status: { ...status(fresh), conditions: [...conds, { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: nowIso() }] } }, { subresource: 'status', manager: 'default-scheduler' });
      });
      s['nodeName'] = node;
      recordEvent(api, pod, 'Normal', 'Scheduled', `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${node}`, 'default-scheduler');
    } else {
      const prev = ((status(pod)['conditions'] ?? []) as Any[]).find((c) => c['type'] === 'PodScheduled');
      if (prev?.['message'] === message) continue;
      tolerate(() =>
        api.update(podsRt, pod.metadata.namespace, pod.metadata.name ?? '', { ...pod, status: { ...status(pod), phase: 'Pending', conditions: [...conds, { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastProbeTime: null, lastTransitionTime: nowIso() }] } }, { subresource: 'status', manager: 'default-scheduler' }),
      );
      recordEvent(api, pod, 'Warning', 'FailedScheduling', message, 'default-scheduler');
    }
  }
}
