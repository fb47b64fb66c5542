import test from 'ava';
import { FlowStore } from '../../../tui/model/flow-store.ts';
import { drop, forwarded } from '../fixtures.ts';

test('buffers newest first, bounded, with rates and a version per change', (t) => {
  let now = 5_000;
  const s = new FlowStore({ capacity: 3, now: () => now });
  s.push([forwarded, drop]);
  now = 5_500;
  s.push([forwarded, forwarded, drop]);
  t.is(s.flows.size, 3);
  t.is(s.flows.at(0), drop);
  now = 6_100;
  const r = s.rates(3);
  t.deepEqual(r.flows, [0, 0, 5]);
  t.deepEqual(r.drops, [0, 0, 2]);
  t.is(r.flowsPerSecond, 5);
  t.is(r.dropsPerSecond, 2);
  t.is(s.version, 2);
  s.push([]);
  t.is(s.version, 2);
  t.is(s.verdicts.denials.size, 2);
});

test('lost events and node status', (t) => {
  const s = new FlowStore();
  s.lost({ source: 3, num_events_lost: 12 });
  s.lost({ source: 1, num_events_lost: 3 });
  t.is(s.lostEvents, 15);
  s.nodeStatus({ state_change: 2, node_names: ['node-2', 'node-3'] });
  s.nodeStatus({ state_change: 1, node_names: ['node-3'] });
  t.deepEqual([...s.unavailableNodes], ['node-2']);
  t.is(s.version, 4);
});
