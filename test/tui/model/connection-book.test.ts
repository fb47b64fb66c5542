import test from 'ava';
import type { Flow } from '../../../api/types.ts';
import { ConnectionBook, connectionOf, latencyPercentile, serverErrorRatio, topDropReason } from '../../../tui/model/connection-book.ts';
import { dns, drop, forwarded, http, httpResponse } from '../fixtures.ts';

test('a reply is folded onto the connection it answers, with the server port', (t) => {
  t.deepEqual(connectionOf(http), { source: 'default/tiefighter', destination: 'default/deathstar', port: 'TCP/80' });
  t.deepEqual(connectionOf(httpResponse), { source: 'default/tiefighter', destination: 'default/deathstar', port: 'TCP/80' });
  t.deepEqual(connectionOf(dns), { source: 'default/xwing', destination: 'kube-system/coredns-5d78c9869d-x1', port: 'UDP/53' });
});

test('rows count flows, drops by reason, HTTP requests, 5xx, latency percentiles and DNS errors', (t) => {
  const book = new ConnectionBook();
  const now = 10_500;
  for (const f of [drop, drop, { ...drop, drop_reason_desc: 181 }, forwarded, http, http, httpResponse, { ...httpResponse, l7: { ...httpResponse.l7, latency_ns: 9_000_000, http: { ...httpResponse.l7!.http, code: 200 } } }]) book.add(f, now);
  book.add({ ...dns, l7: { ...dns.l7, dns: { ...dns.l7!.dns, rcode: 3 } } }, now);
  book.add(dns, now);
  const rows = book.snapshot(now + 1000);
  t.deepEqual(rows.map((s) => [s.row.source, s.row.destination, s.row.port, s.row.flows, s.flowsPerSecond]), [
    ['default/tiefighter', 'default/deathstar', 'TCP/80', 5, 5],
    ['default/xwing', 'default/deathstar', 'TCP/80', 3, 3],
    ['default/xwing', 'kube-system/coredns-5d78c9869d-x1', 'UDP/53', 2, 2],
  ]);
  const [tie, xw, dn] = rows.map((s) => s.row);
  t.is(xw!.drops, 3);
  t.is(topDropReason(xw!), 133);
  t.is(tie!.drops, 0);
  t.is(topDropReason(tie!), undefined);
  t.is(tie!.httpRequests, 2);
  t.is(rows[0]!.httpPerSecond, 2);
  t.is(tie!.httpResponses, 2);
  t.is(serverErrorRatio(tie!), 0.5);
  t.is(latencyPercentile(tie!, 50), 1.5);
  t.is(latencyPercentile(tie!, 99), 9);
  t.is(serverErrorRatio(xw!), undefined);
  t.is(latencyPercentile(xw!, 99), undefined);
  t.is(dn!.dnsResponses, 2);
  t.is(dn!.dnsErrors, 1);
});

test('rates are per second of arrival and fall to zero when a pair goes quiet', (t) => {
  const book = new ConnectionBook();
  for (let i = 0; i < 7; i++) book.add(forwarded, 20_100 + i);
  t.is(book.snapshot(21_000)[0]!.flowsPerSecond, 7);
  t.is(book.snapshot(23_500)[0]!.flowsPerSecond, 0);
  t.is(book.snapshot(23_500)[0]!.row.flows, 7);
});

test('the book is bounded: the least recently seen pairs go', (t) => {
  const book = new ConnectionBook(10);
  const pod = (i: number): Flow => ({ ...forwarded, source: { namespace: 'load', pod_name: `p${i}` } });
  for (let i = 0; i < 100; i++) book.add(pod(i), 1000);
  t.true(book.rows.size <= 13);
  t.true([...book.rows.values()].some((r) => r.source === 'load/p99'));
  t.false([...book.rows.values()].some((r) => r.source === 'load/p0'));
});
