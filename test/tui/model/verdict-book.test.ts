import test from 'ava';
import { DEFAULT_DENY, VerdictBook } from '../../../tui/model/verdict-book.ts';
import { allowedVerdict, dns, drop, forwarded } from '../fixtures.ts';

test('counts allowed and denied per policy and per pair, latest denials first', (t) => {
  const b = new VerdictBook();
  b.add(allowedVerdict);
  b.add(drop);
  b.add(forwarded); // a plain trace: not a policy verdict
  b.add(dns);
  b.add({ ...drop, ingress_denied_by: undefined, source: { ...drop.source, pod_name: 'ywing' } });
  t.deepEqual(b.rows('policy').map((r) => [r.key, r.allowed, r.denied]), [
    [DEFAULT_DENY, 0, 1], ['default/rule1', 1, 1],
  ]);
  t.deepEqual(b.rows('pair').map((r) => [r.key, r.allowed, r.denied, r.lastPort]), [
    ['default/ywing → default/deathstar', 0, 1, 'TCP/80'],
    ['default/xwing → default/deathstar', 0, 1, 'TCP/80'],
    ['default/tiefighter → default/deathstar', 1, 0, 'TCP/80'],
  ]);
  t.is(b.denials.size, 2);
  t.is(b.denials.at(0)?.source?.pod_name, 'ywing');
});

test('tables stay bounded and keep the most recent rows', (t) => {
  const b = new VerdictBook(10, 5);
  for (let i = 0; i < 100; i++) b.add({ ...drop, source: { namespace: 'ns', pod_name: `p${i}` } });
  t.true(b.byPair.size <= 13);
  t.true(b.byPair.has('ns/p99 → default/deathstar'));
  t.false(b.byPair.has('ns/p0 → default/deathstar'));
  t.is(b.denials.size, 5);
});
