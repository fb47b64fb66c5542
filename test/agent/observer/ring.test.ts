import test from 'ava';
import { EventQueue, FlowRing, DEFAULT_RING_CAPACITY } from '../../../agent/observer/ring.ts';
import { getFlows } from '../../../agent/observer/get-flows.ts';
import type { GetFlowsRequest, GetFlowsResponse } from '../../../api/types.ts';

const ev = (i: number, verdict: 0 | 1 | 2 = 1): GetFlowsResponse => ({
  flow: { time: { seconds: 1000 + i }, verdict, Summary: `f${i}` }, node_name: 'n1', time: { seconds: 1000 + i },
});
function filled(n: number, capacity = 10, verdictOf: (i: number) => 0 | 1 | 2 = () => 1): FlowRing {
  const ring = new FlowRing(capacity);
  for (let i = 0; i < n; i++) ring.write(ev(i, verdictOf(i)));
  return ring;
}
async function collect(it: AsyncIterable<GetFlowsResponse>): Promise<string[]> {
  const out: string[] = [];
  for await (const r of it) out.push(r.flow?.Summary ?? `lost:${r.lost_events?.source}:${r.lost_events?.num_events_lost}`);
  return out;
}

test('default capacity is hubble\'s 4095', (t) => {
  t.is(new FlowRing().capacity, DEFAULT_RING_CAPACITY);
  t.is(DEFAULT_RING_CAPACITY, 4095);
});

test('keeps the last N events and counts every flow seen', (t) => {
  const ring = filled(25);
  t.is(ring.size, 10);
  t.is(ring.seen, 25);
  t.is(ring.oldestSeq, 15);
  t.is(ring.at(14), undefined);
  t.is(ring.at(15)?.flow?.Summary, 'f15');
  t.is(ring.at(25), undefined);
});

const answers = test.macro({
  async exec(t, ringLen: number, req: GetFlowsRequest, expected: string[]) {
    const ring = filled(ringLen, 10, (i) => (i % 3 === 0 ? 2 : 1));
    t.deepEqual(await collect(getFlows(ring, req)), expected);
  },
  title: (title, _n, req) => title ?? `GetFlows ${JSON.stringify(req)}`,
});

test(answers, 5, { number: 2 }, ['f3', 'f4']);
test(answers, 25, { number: 3 }, ['f22', 'f23', 'f24']);
test(answers, 25, { number: 0 }, ['f15', 'f16', 'f17', 'f18', 'f19', 'f20', 'f21', 'f22', 'f23', 'f24']);
test(answers, 25, { number: 2, first: true }, ['f15', 'f16']);
test('last N counts only matching flows', answers, 25, { number: 2, whitelist: [{ verdict: [2] }] }, ['f21', 'f24']);
test('first N counts only matching flows', answers, 25, { number: 2, first: true, whitelist: [{ verdict: [2] }] }, ['f15', 'f18']);
test('blacklist', answers, 25, { number: 3, blacklist: [{ verdict: [2] }] }, ['f20', 'f22', 'f23']);
test('since bounds the history', answers, 25, { number: 0, since: { seconds: 1022 } }, ['f22', 'f23', 'f24']);
test('since with number', answers, 25, { number: 10, since: { seconds: 1022 } }, ['f22', 'f23', 'f24']);
test('until bounds the history', answers, 25, { number: 0, until: { seconds: 1016 } }, ['f15', 'f16']);
test('since and until', answers, 25, { first: true, since: { seconds: 1017 }, until: { seconds: 1018, nanos: 1 } }, ['f17', 'f18']);
test('number larger than the ring', answers, 3, { number: 100 }, ['f0', 'f1', 'f2']);

test('follow streams new events after the last N, then stops on abort', async (t) => {
  const ring = filled(5);
  const ac = new AbortController();
  const got: string[] = [];
  const done = (async () => {
    for await (const r of getFlows(ring, { number: 2, follow: true }, ac.signal)) {
      got.push(r.flow?.Summary ?? '?');
      if (got.length === 4) ac.abort();
    }
  })();
  await new Promise((r) => setImmediate(r));
  ring.write(ev(5));
  ring.write(ev(6));
  await done;
  t.deepEqual(got, ['f3', 'f4', 'f5', 'f6']);
});

test('follow with number 0 starts at the end; until ends the follow', async (t) => {
  const ring = filled(5);
  const it = getFlows(ring, { follow: true, until: { seconds: 1006 } });
  const p = collect(it);
  await new Promise((r) => setImmediate(r));
  for (let i = 5; i < 9; i++) ring.write(ev(i));
  t.deepEqual(await p, ['f5', 'f6']);
});

test('a reader lapped by the writer gets a HUBBLE_RING_BUFFER lost event with the count', async (t) => {
  const ring = filled(10);
  const it = getFlows(ring, { follow: true, since: { seconds: 0 } });
  t.is((await it.next()).value?.flow?.Summary, 'f0');
  for (let i = 10; i < 23; i++) ring.write(ev(i)); // oldest is now 13; the reader is at 1
  const next = (await it.next()).value as GetFlowsResponse;
  t.deepEqual(next.lost_events, { source: 3, num_events_lost: 12 });
  t.is((await it.next()).value?.flow?.Summary, 'f13');
  t.is(ring.readerLost, 12);
  await it.return(undefined);
});

test('lost events in the ring pass filters and do not count towards N', async (t) => {
  const ring = filled(3);
  ring.write(ev(3, 2));
  ring.write({ lost_events: { source: 1, num_events_lost: 7 }, time: { seconds: 1003 } });
  ring.write(ev(4, 2));
  t.deepEqual(await collect(getFlows(ring, { number: 2, whitelist: [{ verdict: [2] }] })), ['f3', 'lost:1:7', 'f4']);
  t.is(ring.seen, 5);
});

test('the non-follow answer is a snapshot', async (t) => {
  const ring = filled(3);
  const got: string[] = [];
  for await (const r of getFlows(ring, {})) {
    got.push(r.flow?.Summary ?? '?');
    ring.write(ev(100 + got.length));
  }
  t.deepEqual(got, ['f0', 'f1', 'f2']);
});

test('a bad filter rejects the request', async (t) => {
  await t.throwsAsync(collect(getFlows(filled(1), { whitelist: [{ source_ip: ['nope'] }] })), { message: /source_ip "nope"/ });
});

test('the events queue counts what does not fit and reports it after what did', (t) => {
  const q = new EventQueue(2);
  t.true(q.push(ev(0)));
  t.true(q.push(ev(1)));
  t.false(q.push(ev(2)));
  t.false(q.push(ev(3)));
  const ring = new FlowRing(10);
  t.is(q.drainInto(ring, { seconds: 5 }), 3);
  t.is(ring.at(1)?.flow?.Summary, 'f1');
  t.deepEqual(ring.at(2), { lost_events: { source: 2, num_events_lost: 2 }, time: { seconds: 5 } });
  t.is(q.lostTotal, 2);
  t.is(q.drainInto(ring, { seconds: 6 }), 0);
});

test('flows_rate counts the flows of the last minute', (t) => {
  const ring = new FlowRing(200);
  for (let i = 0; i < 150; i++) ring.write(ev(i)); // seconds 1000..1149
  t.is(ring.flowsRate({ seconds: 1149 }), 61 / 60);
});
