// Fragments: one key rule for every fragment (the protocol field each carries: for IPv6 the
// Fragment header's next header, even when a destination options header follows it), and
// per-endpoint slots, so one pod's flood of first fragments cannot flush another pod's.
import test from 'ava';
import { Direction, DropReason } from '../../bpf/loader/index.ts';
import { ETH_IP, ETH_IPV6, eth, ipv4, ipv6, udp } from './support/packets.ts';
import { LO, LOCAL_EP, openTestDatapath, run } from './support/fixture.ts';

const A6 = 'fd00::1';
const B6 = 'fd00::2';

test('IPv6 fragments with a destination options header after the Fragment header', (t) => {
  const dp = openTestDatapath(t);
  dp.endpoints.set(LO, { ...LOCAL_EP, enforceIngress: true });
  dp.policy.set({ endpointId: LOCAL_EP.endpointId, remoteIdentity: 0, protocol: 17, port: 53, direction: Direction.INGRESS }, { action: 'allow' });
  const first = eth(ETH_IPV6, ipv6({ src: A6, dst: B6, proto: 17, ext: [{ type: 44, id: 9, moreFragments: true }, { type: 60 }] }, udp({ sport: 4000, dport: 53, payload: new Uint8Array(16) })));
  // The later fragment carries no destination options header: its Fragment header says 60.
  const later = eth(ETH_IPV6, ipv6({ src: A6, dst: B6, proto: 60, ext: [{ type: 44, id: 9, fragOffset: 4 }] }, new Uint8Array(24)));
  t.is(run(dp, 'to-endpoint', first).verdict, 'forwarded');
  const r = run(dp, 'to-endpoint', later);
  t.is(r.verdict, 'forwarded', 'the later fragment finds the first');
  t.is(dp.conntrack.entries()[0]?.packetsForward, 2n, 'on the same UDP connection');
});

test('another endpoint’s flood of first fragments does not flush this endpoint’s', (t) => {
  const dp = openTestDatapath(t);
  const victim = { endpointId: 10, identity: 1000, enforceIngress: false };
  const flooder = { endpointId: 20, identity: 2000 };
  dp.endpoints.set(LO, victim);
  const first = (src: string, id: number) => eth(ETH_IP, ipv4({ src, dst: '10.0.0.2', proto: 17, id, moreFragments: true }, udp({ sport: 4000, dport: 53, payload: new Uint8Array(8) })));
  const later = (src: string, id: number) => eth(ETH_IP, ipv4({ src, dst: '10.0.0.2', proto: 17, id, fragOffset: 2 }, new Uint8Array(8)));
  run(dp, 'to-endpoint', first('10.0.0.1', 7));
  dp.endpoints.set(LO, flooder);
  for (let id = 0; id < 2000; id++) run(dp, 'from-endpoint', first('10.0.0.9', id));
  dp.endpoints.set(LO, victim);
  t.is(run(dp, 'to-endpoint', later('10.0.0.1', 7)).verdict, 'forwarded');
  dp.endpoints.set(LO, flooder);
  t.is(run(dp, 'from-endpoint', later('10.0.0.9', 7)).reason, DropReason.IP_FRAGMENTATION_NOT_SUPPORTED, 'the flooder overwrote only its own slots');
});
