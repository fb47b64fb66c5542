// TCP and everything else are tracked in separate maps (netobs_ct_tcp, netobs_ct_any): a
// UDP flood fills its own map and cannot evict another pod's TCP connections.
import test from 'ava';
import { Direction } from '../../bpf/loader/index.ts';
import { TCP_ACK, TCP_SYN, tcp4, udp4 } from './support/packets.ts';
import { LO, LOCAL_EP, openTestDatapath, run } from './support/fixture.ts';

const POD = '10.0.0.10';
const PEER = '10.0.0.20';

test('a UDP flood does not evict a TCP connection', (t) => {
  const dp = openTestDatapath(t, { maxEntries: { netobs_ct_any: 64, netobs_ct_tcp: 64 } });
  dp.endpoints.set(LO, { ...LOCAL_EP, ipv4: POD, checkSource: true, enforceIngress: true, enforceEgress: true });
  for (const protocol of [6, 17]) dp.policy.set({ endpointId: LOCAL_EP.endpointId, remoteIdentity: 0, protocol, port: 0, direction: Direction.EGRESS }, { action: 'allow' });
  run(dp, 'from-endpoint', tcp4(POD, PEER, 40000, 80, TCP_SYN));
  for (let port = 1; port <= 1000; port++) run(dp, 'from-endpoint', udp4(POD, PEER, port, 53));
  const p = dp.conntrack.pressure();
  t.is(p.tcp.entries, 1);
  t.true(p.any.entries <= 64 && p.any.entries > 32, `the UDP map is full (${p.any.entries}/64)`);
  t.is(run(dp, 'to-endpoint', tcp4(PEER, POD, 80, 40000, TCP_SYN | TCP_ACK)).verdict, 'forwarded', 'the TCP reply is still a reply');
});
