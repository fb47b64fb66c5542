import test from 'ava';
import { FlowMerger } from '../../relay/merge.ts';
import { mergeFlowStreams } from '../../relay/merge-streams.ts';
import { mergeServerStatus, nodesFromStatus } from '../../relay/status-fold.ts';
import type { GetFlowsResponse } from '../../api/types.ts';

const f = (node: string, s: number): GetFlowsResponse => ({ flow: { time: { seconds: s }, node_name: node, Summary: `${node}@${s}` }, node_name: node });
const names = (rs: GetFlowsResponse[]): string[] =>
  rs.map((r) => r.flow?.Summary ?? (r.node_status ? `status:${r.node_status.state_change}:${r.node_status.node_names?.join(',')}` : '?'));

test('releases an event once every live node has a later one buffered', (t) => {
  const m = new FlowMerger(['a', 'b']);
  t.deepEqual(names(m.push('a', f('a', 3), 0)), []);
  t.deepEqual(names(m.push('a', f('a', 5), 0)), []);
  t.deepEqual(names(m.push('b', f('b', 1), 0)), ['b@1']);
  t.deepEqual(names(m.push('b', f('b', 4), 0)), ['a@3', 'b@4']);
  t.deepEqual(names(m.flush()), ['a@5']);
});

test('an idle node does not stall others beyond maxDelayMs', (t) => {
  const m = new FlowMerger(['a', 'b'], { maxDelayMs: 1000 });
  m.push('a', f('a', 1), 0);
  t.deepEqual(names(m.tick(999)), []);
  t.deepEqual(names(m.tick(1000)), ['a@1']);
});

test('a full buffer releases its oldest events', (t) => {
  const m = new FlowMerger(['a', 'b'], { maxBuffered: 2 });
  m.push('a', f('a', 2), 0);
  m.push('a', f('a', 1), 0);
  t.deepEqual(names(m.push('a', f('a', 3), 0)), ['a@1']);
});

test('a node going away is reported and no longer waited for', (t) => {
  const m = new FlowMerger(['a', 'b', 'c']);
  m.push('a', f('a', 2), 0);
  m.push('b', f('b', 1), 0);
  t.deepEqual(names(m.end('c', 0, 2, 'connection refused')), ['status:2:c', 'b@1']);
  t.deepEqual(names(m.end('b', 0)), ['a@2']);
  t.deepEqual(names(m.push('b', f('b', 9), 0)), [], 'late events of a gone node are dropped');
  t.deepEqual(names(m.addNode('d')), ['status:1:d']);
});

async function* stream(events: GetFlowsResponse[], failWith?: string): AsyncGenerator<GetFlowsResponse> {
  for (const e of events) {
    await new Promise((r) => setImmediate(r));
    yield e;
  }
  if (failWith) throw new Error(failWith);
}

test('merges live streams in time order and survives a failing node', async (t) => {
  const out: GetFlowsResponse[] = [];
  const sources = new Map([
    ['a', stream([f('a', 1), f('a', 4), f('a', 6)])],
    ['b', stream([f('b', 2), f('b', 3)], 'node b: connection reset')],
    ['c', stream([f('c', 5)])],
  ]);
  for await (const r of mergeFlowStreams(sources, { maxDelayMs: 60_000 })) out.push(r);
  const flows = out.filter((r) => r.flow).map((r) => r.flow?.time?.seconds);
  t.deepEqual(flows, [1, 2, 3, 4, 5, 6]);
  const status = out.find((r) => r.node_status);
  t.deepEqual(status?.node_status, { state_change: 2, node_names: ['b'], message: 'node b: connection reset' });
});

test('stops when the signal aborts', async (t) => {
  async function* endless(node: string): AsyncGenerator<GetFlowsResponse> {
    for (let i = 0; ; i++) {
      await new Promise((r) => setImmediate(r));
      yield f(node, i);
    }
  }
  const ac = new AbortController();
  let n = 0;
  for await (const _ of mergeFlowStreams(new Map([['a', endless('a')], ['b', endless('b')]]), { signal: ac.signal, highWaterMark: 8 })) {
    if (++n === 50) ac.abort();
  }
  t.is(n, 50);
});

test('relay status sums the nodes and names the unavailable ones', (t) => {
  const answers = [
    { node: 'n1', value: { num_flows: 10, max_flows: 4095, seen_flows: 100, uptime_ns: 5, flows_rate: 1.5 } },
    { node: 'n2', value: { num_flows: 20, max_flows: 4095, seen_flows: 200, uptime_ns: 9, flows_rate: 2 } },
    { node: 'n3', error: 'connection refused' },
  ];
  t.deepEqual(mergeServerStatus(answers, 'netobs-relay 0.1.0'), {
    num_flows: 30, max_flows: 8190, seen_flows: 300, uptime_ns: 9, num_connected_nodes: { value: 2 },
    num_unavailable_nodes: { value: 1 }, unavailable_nodes: ['n3'], version: 'netobs-relay 0.1.0', flows_rate: 3.5,
  });
  t.deepEqual(nodesFromStatus(answers, false).map((n) => [n.name, n.state]), [['n1', 1], ['n2', 1], ['n3', 2]]);
});

test('a node\'s own UNAVAILABLE/CONNECTED events stop and resume the wait for it', (t) => {
  const m = new FlowMerger(['a', 'b']);
  const st = (state: 1 | 2, node: string): GetFlowsResponse => ({ node_status: { state_change: state, node_names: [node] } });
  t.deepEqual(names(m.push('a', f('a', 1), 0)), []);
  t.deepEqual(names(m.push('b', st(2, 'b'), 0)), ['status:2:b', 'a@1'], 'b down: a is no longer held back');
  t.deepEqual(names(m.push('a', f('a', 2), 0)), ['a@2']);
  t.deepEqual(names(m.push('b', st(1, 'b'), 0)), ['status:1:b']);
  t.deepEqual(names(m.push('a', f('a', 4), 0)), [], 'b back: a waits for it again');
  t.deepEqual(names(m.push('b', f('b', 3), 0)), ['b@3']);
});
