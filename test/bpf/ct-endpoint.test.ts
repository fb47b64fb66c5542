// Conntrack entries belong to the endpoint whose hook created them: a reply is only a
// reply where it is expected. The attack: pod X sends one forged SYN|ACK B:80 -> X:40000
// out of its own interface (no source check on X here, to show the key alone holds),
// then connects to B:80 from port 40000. B's ingress must judge that as a new
// connection under B's policy, not take it for the reply of X's forged entry.
import test from 'ava';
import { Direction, DropReason } from '../../bpf/loader/index.ts';
import { TCP_ACK, TCP_SYN, tcp4 } from './support/packets.ts';
import { openTestDatapath, run } from './support/fixture.ts';

const X_IF = 1; // the loopback is the only interface BPF_PROG_TEST_RUN needs; X and B share it here
const B = '10.0.0.2';
const X = '10.0.0.3';

test('a forged SYN|ACK from pod X does not open pod B’s default-deny ingress', (t) => {
  const dp = openTestDatapath(t);
  // One hook per run: the endpoint record swaps between X and B on the same ifindex,
  // as two pods' veths would each carry their own.
  const asX = () => dp.endpoints.set(X_IF, { endpointId: 30, identity: 3000, ipv4: X });
  const asB = () => dp.endpoints.set(X_IF, { endpointId: 20, identity: 2000, ipv4: B, enforceIngress: true });
  asX();
  t.is(run(dp, 'from-endpoint', tcp4(B, X, 80, 40000, TCP_SYN | TCP_ACK)).verdict, 'forwarded', 'X may send it (no policy, no source check)');
  const forged = dp.conntrack.entries();
  t.is(forged.length, 1);
  t.is(forged[0]?.endpointId, 30, 'the entry names X');
  t.is(forged[0]?.direction, Direction.EGRESS);
  run(dp, 'from-endpoint', tcp4(X, B, 40000, 80, TCP_SYN));
  asB();
  const r = run(dp, 'to-endpoint', tcp4(X, B, 40000, 80, TCP_SYN));
  t.is(r.reason, DropReason.POLICY_DENIED, 'judged by B’s policy');
  t.false(r.events.some((e) => e.type === 4 && e.isReply), 'never a reply');
});
