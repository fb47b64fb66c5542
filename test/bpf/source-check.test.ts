// Source validation on packets leaving a pod (BPF_PROG_TEST_RUN): the pod's own address
// of the packet's family passes, anything else is DROP_INVALID_SOURCE_IP, and a pod
// without an address of a family sends nothing of that family (fail closed).
import test from 'ava';
import { DropReason } from '../../bpf/loader/index.ts';
import { TCP_SYN, udp4, tcp4, tcp6 } from './support/packets.ts';
import { LO, LOCAL_EP, openTestDatapath, run } from './support/fixture.ts';

const POD4 = '10.0.0.10';
const POD6 = 'fd00::10';
const PEER4 = '10.0.0.20';
const PEER6 = 'fd00::20';

test('a forged IPv4 or IPv6 source leaving the pod is dropped as INVALID_SOURCE_IP', (t) => {
  const dp = openTestDatapath(t);
  dp.endpoints.set(LO, { ...LOCAL_EP, ipv4: POD4, ipv6: POD6, checkSource: true });
  t.is(run(dp, 'from-endpoint', tcp4(POD4, PEER4, 40000, 80, TCP_SYN)).verdict, 'forwarded');
  t.is(run(dp, 'from-endpoint', tcp6(POD6, PEER6, 40000, 80, TCP_SYN)).verdict, 'forwarded');
  const forged4 = run(dp, 'from-endpoint', udp4(PEER4, '10.0.0.30', 53, 53));
  t.is(forged4.reason, DropReason.INVALID_SOURCE_IP);
  t.true(forged4.events.some((e) => e.type === 1 && e.dropReason === DropReason.INVALID_SOURCE_IP), 'a drop event names the reason');
  t.is(run(dp, 'from-endpoint', tcp6('fd00::99', PEER6, 1, 2, TCP_SYN)).reason, DropReason.INVALID_SOURCE_IP);
});

test('a pod without an IPv6 address sends no IPv6, and one without IPv4 sends no IPv4', (t) => {
  const dp = openTestDatapath(t);
  dp.endpoints.set(LO, { ...LOCAL_EP, ipv4: POD4, checkSource: true });
  t.is(run(dp, 'from-endpoint', tcp6(PEER6, POD6, 1, 2, TCP_SYN)).reason, DropReason.INVALID_SOURCE_IP, 'any IPv6 source');
  t.is(run(dp, 'from-endpoint', tcp6('fd00::10', PEER6, 1, 2, TCP_SYN)).reason, DropReason.INVALID_SOURCE_IP);
  dp.endpoints.set(LO, { ...LOCAL_EP, ipv6: POD6, checkSource: true });
  t.is(run(dp, 'from-endpoint', tcp4(POD4, PEER4, 1, 2, TCP_SYN)).reason, DropReason.INVALID_SOURCE_IP);
  t.is(run(dp, 'from-endpoint', tcp6(POD6, PEER6, 1, 2, TCP_SYN)).verdict, 'forwarded');
});

test('packets towards the pod are not held to the pod’s source', (t) => {
  const dp = openTestDatapath(t);
  dp.endpoints.set(LO, { ...LOCAL_EP, ipv4: POD4, checkSource: true });
  t.is(run(dp, 'to-endpoint', tcp4(PEER4, POD4, 1, 2, TCP_SYN)).verdict, 'forwarded');
});
