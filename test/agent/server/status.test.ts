import test from 'ava';
import { nodeStatusObject, page, type AgentStatus } from '../../../api/status/types.ts';
import { validCondition } from '../../../agent/k8s/status-writers.ts';
import { validateCustomResource } from '../../../lib/openapi-schema/structural.ts';
import { nodeCrd } from '../../../install/crds/definitions.ts';

const status: AgentStatus = {
  node: 'node-a', version: '1.0.0', kernelVersion: '6.8.0', uptimeSeconds: 10, healthy: true,
  kubernetes: { connected: true, synced: true },
  datapath: { attached: 2, programs: 2, bpffsRoot: '/sys/fs/bpf/netobs', features: { ringbuf: true, btf: true } },
  endpoints: 3, unmanagedPods: [{ pod: 'shop/web-1', reason: 'no host interface found for 10.0.0.9 yet' }], unmanagedPodCount: 1,
  identities: 5, policies: 2, policyRevision: 4, invalidPolicies: [], flows: { numFlows: 10, maxFlows: 4095, seenFlows: 12 },
  lostEvents: { perf_event_ring_buffer: 1, observer_events_queue: 0, hubble_ring_buffer: 2 }, errors: [], warnings: ['w'],
};

test('the NetobsNode status the agent publishes passes the CRD schema and says why it is not ready', (t) => {
  const now = new Date('2025-01-02T03:04:05Z');
  const s = nodeStatusObject(status, now);
  t.like(s, { agentVersion: '1.0.0', endpoints: 3, unmanagedPods: ['shop/web-1'], unmanagedPodCount: 1, lostEvents: 3, datapath: { attached: false, programs: 2 } });
  t.like((s.conditions as unknown[])[0], { type: 'Ready', status: 'False', reason: 'UnmanagedPods' });
  const obj = { apiVersion: 'netobs.io/v1alpha1', kind: 'NetobsNode', metadata: { name: 'node-a' }, status: s };
  t.deepEqual(validateCustomResource(nodeCrd(), obj).errors, []);
  const ready = nodeStatusObject({ ...status, unmanagedPods: [], unmanagedPodCount: 0, datapath: { ...status.datapath, attached: 3 } }, now);
  t.like((ready.conditions as unknown[])[0], { status: 'True', reason: 'AgentReady' });
  t.like(ready.datapath, { attached: true });
});

test('pages of map entries', (t) => {
  const all = Array.from({ length: 10 }, (_, i) => i);
  t.deepEqual(page(all, 8, 5), { total: 10, offset: 8, items: [8, 9] });
  t.deepEqual(page(all, 20, 5), { total: 10, offset: 10, items: [] });
});

test('the Valid condition keeps its transition time while the status holds', (t) => {
  const now = new Date('2025-01-01T00:00:00Z');
  const c = validCondition({ valid: false, message: 'bad', generation: 2 }, now);
  t.deepEqual(c, { type: 'Valid', status: 'False', observedGeneration: 2, lastTransitionTime: '2025-01-01T00:00:00.000Z', reason: 'Invalid', message: 'bad' });
  t.is(validCondition({ valid: false, message: 'worse' }, new Date('2025-02-01T00:00:00Z'), c).lastTransitionTime, c.lastTransitionTime);
  t.is(validCondition({ valid: true, message: 'ok' }, new Date('2025-02-01T00:00:00Z'), c).lastTransitionTime, '2025-02-01T00:00:00.000Z');
});
