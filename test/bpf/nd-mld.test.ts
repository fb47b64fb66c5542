// ICMPv6 neighbour discovery and MLD skip policy only when they are what they claim:
// ND with hop limit 255 to link-local or ff02::/16, MLD with hop limit 1 to multicast,
// of a sane length. Anything else of those types is FORBIDDEN_ICMPV6_MESSAGE, so they
// are no policy-free channel out of a default-deny pod.
import test from 'ava';
import { DropReason } from '../../bpf/loader/index.ts';
import { ETH_IPV6, eth, icmp, ipv6 } from './support/packets.ts';
import { LO, LOCAL_EP, openTestDatapath, run } from './support/fixture.ts';

const POD6 = 'fd00::10';
const nd = (src: string, dst: string, type: number, hopLimit: number, dataLen = 16) =>
  eth(ETH_IPV6, ipv6({ src, dst, proto: 58, hopLimit }, icmp({ type, data: new Uint8Array(dataLen) })));

function defaultDeny(t: Parameters<typeof openTestDatapath>[0]) {
  const dp = openTestDatapath(t);
  dp.endpoints.set(LO, { ...LOCAL_EP, ipv6: POD6, enforceIngress: true, enforceEgress: true, checkSource: true });
  return dp;
}

test('real ND and MLD from a default-deny pod pass; forged ones are FORBIDDEN_ICMPV6_MESSAGE', (t) => {
  const dp = defaultDeny(t);
  t.is(run(dp, 'from-endpoint', nd('fe80::10', 'ff02::1:ff00:20', 135, 255)).verdict, 'forwarded', 'NS to solicited-node');
  t.is(run(dp, 'from-endpoint', nd('::', 'ff02::1:ff00:10', 135, 255)).verdict, 'forwarded', 'DAD probe from ::');
  t.is(run(dp, 'from-endpoint', nd(POD6, 'fe80::1', 136, 255)).verdict, 'forwarded', 'NA to link-local');
  t.is(run(dp, 'from-endpoint', nd('fe80::10', 'ff02::16', 143, 1, 20)).verdict, 'forwarded', 'MLDv2 report');
  // An "NS" carrying a payload to an arbitrary address: the old exemption let it out.
  t.is(run(dp, 'from-endpoint', nd(POD6, '2001:db8::1', 135, 255, 200)).reason, DropReason.FORBIDDEN_ICMPV6_MESSAGE);
  t.is(run(dp, 'from-endpoint', nd(POD6, 'ff02::1', 135, 64)).reason, DropReason.FORBIDDEN_ICMPV6_MESSAGE, 'routable hop limit');
  t.is(run(dp, 'from-endpoint', nd(POD6, 'ff05::2', 135, 255)).reason, DropReason.FORBIDDEN_ICMPV6_MESSAGE, 'site-scope multicast');
  t.is(run(dp, 'from-endpoint', nd(POD6, 'fe80::1', 136, 255, 4)).reason, DropReason.FORBIDDEN_ICMPV6_MESSAGE, 'too short');
  t.is(run(dp, 'from-endpoint', nd(POD6, 'fe80::1', 136, 255, 2000)).reason, DropReason.FORBIDDEN_ICMPV6_MESSAGE, 'too long');
  t.is(run(dp, 'from-endpoint', nd('fe80::10', 'ff02::16', 143, 255, 20)).reason, DropReason.FORBIDDEN_ICMPV6_MESSAGE, 'MLD hop limit');
});

test('ND is held to the source check: another pod’s address or a global forgery is INVALID_SOURCE_IP', (t) => {
  const dp = defaultDeny(t);
  t.is(run(dp, 'from-endpoint', nd('fd00::20', 'ff02::1:ff00:1', 136, 255)).reason, DropReason.INVALID_SOURCE_IP);
  dp.endpoints.set(LO, { ...LOCAL_EP, checkSource: true, ipv4: '10.0.0.10' });
  t.is(run(dp, 'from-endpoint', nd('fe80::10', 'ff02::2', 133, 255)).verdict, 'forwarded', 'link-local RS from an IPv4-only pod');
});

test('ND towards the pod must come from the link (hop limit 255)', (t) => {
  const dp = defaultDeny(t);
  t.is(run(dp, 'to-endpoint', nd('fe80::1', POD6, 135, 255)).reason, DropReason.FORBIDDEN_ICMPV6_MESSAGE, 'global unicast destination');
  t.is(run(dp, 'to-endpoint', nd('fe80::1', 'ff02::1:ff00:10', 135, 255)).verdict, 'forwarded');
  t.is(run(dp, 'to-endpoint', nd('fd00::99', 'fe80::10', 136, 254)).reason, DropReason.FORBIDDEN_ICMPV6_MESSAGE, 'routed');
});
