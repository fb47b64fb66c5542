// IPv4-mapped IPv6 addresses (::ffff:0:0/96) are special-purpose: the ipcache and
// conntrack keep IPv4 under exactly these keys, so a v6 packet carrying one would take
// an IPv4 peer's identity. Dropped in both directions, with or without the source check.
import test from 'ava';
import { Direction, DropReason } from '../../bpf/loader/index.ts';
import { TCP_SYN, tcp6 } from './support/packets.ts';
import { LO, LOCAL_EP, openTestDatapath, run } from './support/fixture.ts';

const TRUSTED = '10.0.0.7';
const TRUSTED_ID = 4242;

test('an IPv6 packet with an IPv4-mapped source is INVALID_SOURCE_IP, a mapped destination STALE_OR_UNROUTABLE_IP', (t) => {
  const dp = openTestDatapath(t);
  // A pod with IPv4 only: before, IPv6 from it was not checked at all.
  dp.endpoints.set(LO, { ...LOCAL_EP, ipv4: '10.0.0.10', enforceIngress: true, checkSource: true });
  dp.ipcache.set(`${TRUSTED}/32`, TRUSTED_ID);
  dp.policy.set({ endpointId: LOCAL_EP.endpointId, remoteIdentity: TRUSTED_ID, protocol: 6, port: 22, direction: Direction.INGRESS }, { action: 'allow' });
  // Towards the pod: a forged ::ffff:10.0.0.7 would have matched the trusted peer's allow rule.
  const inbound = run(dp, 'to-endpoint', tcp6(`::ffff:${TRUSTED}`, 'fd00::10', 40000, 22, TCP_SYN));
  t.is(inbound.reason, DropReason.INVALID_SOURCE_IP);
  t.is(run(dp, 'from-endpoint', tcp6('::ffff:10.0.0.10', 'fd00::20', 40000, 22, TCP_SYN)).reason, DropReason.INVALID_SOURCE_IP);
  t.is(run(dp, 'from-endpoint', tcp6('fd00::10', `::ffff:${TRUSTED}`, 40000, 22, TCP_SYN)).reason, DropReason.STALE_OR_UNROUTABLE_IP);
  t.is(dp.conntrack.count(), 0, 'nothing tracked');
});
