// Pod to pod, directly by pod IP: HTTP and UDP to the echo pods on the client's node and on
// another node, and ICMP between client pods.
import type { Action, Scenario } from '../framework/types.ts';
import { ECHO_PORT, NAMES } from '../deployment.ts';
import { clients, hostPort, makeAction, podPeer } from './peers.ts';

const NEEDS_TWO_NODES = 'needs a second node (client3 and echo-other-node are not scheduled)';

export function podToPod(where: 'same-node' | 'other-node', opts: { from?: string[]; kind?: 'http' | 'udp' } = {}): Scenario {
  const kind = opts.kind ?? 'http';
  const name = `pod-to-pod-${where}${kind === 'udp' ? '-udp' : ''}`;
  return {
    name,
    actions: ({ topology: t, params }) => {
      const echo = where === 'same-node' ? { role: NAMES.echoSameNode, pod: t.echoSameNode } : t.echoOtherNode && { role: NAMES.echoOtherNode, pod: t.echoOtherNode };
      if (!echo) return { skip: NEEDS_TWO_NODES };
      const dst = podPeer(echo.role, echo.pod);
      return clients(t, opts.from).map((src) =>
        makeAction(name, src, dst, { kind, target: hostPort(echo.pod.ip, ECHO_PORT), timeoutMs: params.probeTimeoutMs }, kind === 'http' ? { httpStatus: 200 } : undefined),
      );
    },
  };
}

/** ICMP echo between client pods: client to client2 (same node) and to client3 (other node). */
export const clientToClient: Scenario = {
  name: 'client-to-client',
  actions: ({ topology: t, params }) => {
    const [client, client2, client3] = clients(t, [NAMES.client, NAMES.client2, NAMES.client3]);
    const pairs = [[client, client2], [client2, client]];
    if (client3) pairs.push([client, client3], [client3, client]);
    return pairs.map(([src, dst]): Action => makeAction('client-to-client', src!, dst!, { kind: 'icmp', target: dst!.pod.ip, timeoutMs: params.probeTimeoutMs }));
  },
};
