// A deleted endpoint's connections are flushed (the agent calls flushEndpoint when a pod
// goes): those its hooks created and every other endpoint's with its address, so a new
// pod reusing the IP, even on the same tuple, inherits neither flows nor identity.
import test from 'ava';
import { Direction, DropReason } from '../../bpf/loader/index.ts';
import { udp4 } from './support/packets.ts';
import { LO, openTestDatapath, run } from './support/fixture.ts';

const IP = '10.0.0.10';
const OTHER = '10.0.0.30';

test('a pod reusing a deleted pod’s IP does not inherit its flows', (t) => {
  const dp = openTestDatapath(t);
  const old = { endpointId: 10, identity: 1000, ipv4: IP, checkSource: true };
  const other = { endpointId: 30, identity: 3000, ipv4: OTHER, checkSource: true, enforceIngress: true };
  // The old pod talks to OTHER, which allows it in by identity.
  dp.policy.set({ endpointId: 30, remoteIdentity: 1000, protocol: 17, port: 5000, direction: Direction.INGRESS }, { action: 'allow' });
  dp.ipcache.set(`${IP}/32`, 1000);
  dp.endpoints.set(LO, old);
  run(dp, 'from-endpoint', udp4(IP, OTHER, 40000, 5000));
  dp.endpoints.set(LO, other);
  t.is(run(dp, 'to-endpoint', udp4(IP, OTHER, 40000, 5000)).verdict, 'forwarded');
  t.is(dp.conntrack.count(), 2);

  // The old pod is deleted; a new pod (identity 2000, not allowed) gets its IP.
  t.is(dp.conntrack.flushEndpoint(10, [IP]), 2, 'its own entry and OTHER’s entry with its address');
  dp.ipcache.set(`${IP}/32`, 2000);
  t.is(run(dp, 'to-endpoint', udp4(IP, OTHER, 40000, 5000)).reason, DropReason.POLICY_DENIED, 'same tuple, new pod: judged afresh');
});
