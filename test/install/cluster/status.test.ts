import test from 'ava';
import { formatStatus, nodeStatus, summarize, HEARTBEAT_STALE_MS } from '../../../install/cluster/status.ts';

const now = Date.parse('2026-11-22T12:00:00Z');
const healthyNode = {
  status: {
    agentVersion: '0.1.0',
    kernelVersion: '6.1.0',
    lastHeartbeatTime: new Date(now - 5000).toISOString(),
    datapath: { attached: true, features: { tcx: false, ringbuf: true } },
    endpoints: 4,
    unmanagedPods: [],
    unmanagedPodCount: 0,
    lostEvents: 0,
    conditions: [{ type: 'Ready', status: 'True' }],
  },
};

test('a ready agent with a fresh heartbeat is healthy', (t) => {
  const n = nodeStatus('node1', healthyNode, now);
  t.true(n.healthy);
  t.is(n.endpoints, 4);
});

test('no NetobsNode means no agent', (t) => {
  const n = nodeStatus('node2', undefined, now);
  t.false(n.healthy);
  t.regex(n.errors[0]!, /no agent status/);
});

test('a stale heartbeat, a detached datapath and unmanaged pods are reported', (t) => {
  const n = nodeStatus('node1', { status: { ...healthyNode.status, lastHeartbeatTime: new Date(now - HEARTBEAT_STALE_MS - 1000).toISOString(), datapath: { attached: false }, unmanagedPodCount: 2, unmanagedPods: ['default/a', 'default/b'] } }, now);
  t.false(n.healthy);
  t.true(n.errors.some((e) => /stale/.test(e)));
  t.true(n.errors.some((e) => /not attached/.test(e)));
  t.true(n.warnings.some((w) => /2 pods on this node are not managed/.test(w)));
});

test('summary: components short of desired make it unhealthy, and the text says which', (t) => {
  const st = summarize({
    namespace: 'netobs-system',
    installed: true,
    healthy: false,
    components: [
      { name: 'netobs-agent', kind: 'DaemonSet', desired: 2, ready: 1, available: 1, unavailable: 1 },
      { name: 'netobs-relay', kind: 'Deployment', desired: 1, ready: 1, available: 1, unavailable: 0 },
    ],
    nodes: [nodeStatus('node1', healthyNode, now)],
    problems: [],
  });
  t.false(st.healthy);
  t.deepEqual(st.problems, ['DaemonSet netobs-agent: 1/2 ready, 1 available']);
  const text = formatStatus(st);
  t.regex(text, /UNHEALTHY/);
  t.regex(text, /netobs-agent\s+DaemonSet\s+2\s+1\s+1\s+1/);
  t.regex(text, /node1\s+OK\s+attached\s+4/);
});

test('not installed', (t) => {
  const st = summarize({ namespace: 'netobs-system', installed: false, healthy: false, components: [], nodes: [], problems: [] });
  t.false(st.healthy);
  t.regex(st.problems[0]!, /not installed .*kubectl netobs install/);
});
