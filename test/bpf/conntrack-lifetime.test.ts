// Conntrack lifetimes (bpf/lib/conntrack.h): an entry past its lifetime is ignored on
// lookup, so the next packet is a new connection judged by policy; the GC removes it.
// UDP lives 60 s after its last packet, established TCP 21600 s, closing TCP 10 s.
import test from 'ava';
import { Direction, DropReason } from '../../bpf/loader/index.ts';
import { TCP_ACK, TCP_FIN, TCP_SYN, tcp4, udp4 } from './support/packets.ts';
import { LO, LOCAL_EP, openTestDatapath, run } from './support/fixture.ts';
import { ageConntrack } from './support/conntrack-age.ts';

const POD = '10.0.0.10';
const PEER = '10.0.0.20';

function enforcing(t: Parameters<typeof openTestDatapath>[0]) {
  const dp = openTestDatapath(t);
  dp.endpoints.set(LO, { ...LOCAL_EP, ipv4: POD, checkSource: true, enforceIngress: true, enforceEgress: true });
  for (const protocol of [6, 17]) dp.policy.set({ endpointId: LOCAL_EP.endpointId, remoteIdentity: 0, protocol, port: 53, direction: Direction.EGRESS }, { action: 'allow' });
  return dp;
}

test('a UDP reply after the lifetime is a new connection, and is denied', (t) => {
  const dp = enforcing(t);
  run(dp, 'from-endpoint', udp4(POD, PEER, 40000, 53));
  t.is(run(dp, 'to-endpoint', udp4(PEER, POD, 53, 40000)).verdict, 'forwarded', 'fresh: a reply');
  ageConntrack(dp, 59);
  t.is(run(dp, 'to-endpoint', udp4(PEER, POD, 53, 40000)).verdict, 'forwarded', '59 s idle: still alive');
  ageConntrack(dp, 61);
  t.is(run(dp, 'to-endpoint', udp4(PEER, POD, 53, 40000)).reason, DropReason.POLICY_DENIED, '61 s idle: expired');
});

test('established TCP outlives 60 s idle; closing TCP expires after 10 s', (t) => {
  const dp = enforcing(t);
  run(dp, 'from-endpoint', tcp4(POD, PEER, 40000, 53, TCP_SYN));
  run(dp, 'to-endpoint', tcp4(PEER, POD, 53, 40000, TCP_SYN | TCP_ACK));
  ageConntrack(dp, 3600);
  t.is(run(dp, 'to-endpoint', tcp4(PEER, POD, 53, 40000, TCP_ACK)).verdict, 'forwarded', 'an hour idle');
  run(dp, 'from-endpoint', tcp4(POD, PEER, 40000, 53, TCP_FIN | TCP_ACK));
  ageConntrack(dp, 11);
  t.is(run(dp, 'to-endpoint', tcp4(PEER, POD, 53, 40000, TCP_ACK)).reason, DropReason.POLICY_DENIED);
});

test('the GC removes expired entries only, a bounded slice per pass', (t) => {
  const dp = enforcing(t);
  for (let port = 1000; port < 1010; port++) run(dp, 'from-endpoint', udp4(POD, PEER, port, 53));
  run(dp, 'from-endpoint', tcp4(POD, PEER, 40000, 53, TCP_SYN));
  run(dp, 'to-endpoint', tcp4(PEER, POD, 53, 40000, TCP_SYN | TCP_ACK));
  ageConntrack(dp, 120);
  t.deepEqual(dp.conntrack.gc(process.hrtime.bigint(), 4), { visited: 5, deleted: 4 }, 'four UDP entries (and the one TCP entry) per pass');
  let deleted = 4;
  for (let i = 0; i < 5; i++) deleted += dp.conntrack.gc(process.hrtime.bigint(), 4).deleted;
  t.is(deleted, 10, 'every expired UDP entry, over a few passes');
  t.deepEqual(dp.conntrack.entries().map((e) => e.protocol), [6], 'the established TCP entry stays');
});
