// ARP from a pod is held to its addresses: the sender protocol address must be the
// pod's IPv4 (or 0.0.0.0, an address probe that claims nothing); anything else is
// ARP spoofing, dropped as INVALID_SOURCE_IP. Malformed ARP is INVALID_PACKET_DROPPED.
import test from 'ava';
import { DropReason } from '../../bpf/loader/index.ts';
import { ETH_ARP, arp, eth } from './support/packets.ts';
import { LO, LOCAL_EP, openTestDatapath, run } from './support/fixture.ts';

test('ARP from the pod must claim the pod’s own IPv4', (t) => {
  const dp = openTestDatapath(t);
  dp.endpoints.set(LO, { ...LOCAL_EP, ipv4: '10.0.0.10', checkSource: true, enforceEgress: true });
  t.is(run(dp, 'from-endpoint', arp('10.0.0.10', '10.0.0.1')).verdict, 'forwarded', 'no policy for ARP');
  t.is(run(dp, 'from-endpoint', arp('0.0.0.0', '10.0.0.10')).verdict, 'forwarded', 'probe');
  const spoof = run(dp, 'from-endpoint', arp('10.0.0.1', '10.0.0.20', 2));
  t.is(spoof.reason, DropReason.INVALID_SOURCE_IP, 'gratuitous reply for the gateway');
  t.is(run(dp, 'from-endpoint', eth(ETH_ARP, new Uint8Array(28))).reason, DropReason.INVALID_PACKET_DROPPED, 'not Ethernet/IPv4 ARP');
  t.is(run(dp, 'to-endpoint', arp('10.0.0.1', '10.0.0.10')).verdict, 'forwarded', 'towards the pod');
  dp.endpoints.set(LO, { ...LOCAL_EP, ipv6: 'fd00::10', checkSource: true });
  t.is(run(dp, 'from-endpoint', arp('10.0.0.10', '10.0.0.1')).reason, DropReason.INVALID_SOURCE_IP, 'no IPv4: no ARP');
});
