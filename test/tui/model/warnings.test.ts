import test from 'ava';
import { streamWarnings } from '../../../tui/model/warnings.ts';
import { FlowStore } from '../../../tui/model/flow-store.ts';

const ring = (node: string, pressure: number) => ({ node, name: 'netobs_events', type: 'ringbuf', entries: 0, maxEntries: 1 << 22, pressure });

test('no warning on a healthy stream', (t) => {
  t.deepEqual(streamWarnings({ recentLost: 0, maps: [ring('n1', 0.1)], flowsPerSecond: 100, dropsPerSecond: 3 }), []);
});

test('lost events, full rings and a mostly-dropping stream warn', (t) => {
  t.deepEqual(streamWarnings({ recentLost: 12, maps: [ring('n1', 0.85), ring('n2', 0.97), { ...ring('n3', 0.99), type: 'lru_hash' }], flowsPerSecond: 10, dropsPerSecond: 6 }), [
    '⚠ 12 events lost in 10s: counts are low',
    '⚠ ring n2 97% full (+1 more)',
    '⚠ 60% of flows dropped',
  ]);
});

test('the store counts lost events of the last seconds, the running one included', (t) => {
  let now = 100_000;
  const store = new FlowStore({ now: () => now });
  store.lost({ num_events_lost: 5 });
  t.is(store.recentLost(10), 5);
  now += 4000;
  store.lost({ num_events_lost: 2 });
  t.is(store.recentLost(10), 7);
  now += 8000;
  t.is(store.recentLost(10), 2);
  now += 5000;
  t.is(store.recentLost(10), 0);
  t.is(store.lostEvents, 7);
});
