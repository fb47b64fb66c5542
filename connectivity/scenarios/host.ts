// Between pods and nodes: ICMP from a pod to every node's address, and HTTP from each node's
// host network (the host-netns DaemonSet) to the echo pods.
import type { Scenario } from '../framework/types.ts';
import { ECHO_PORT } from '../deployment.ts';
import { clients, echoes, hostPeer, hostPort, makeAction, nodePeer, podPeer } from './peers.ts';

export const podToHost: Scenario = {
  name: 'pod-to-host',
  actions: ({ topology: t, params }) => {
    const [src] = clients(t, ['client']);
    const nodes = t.nodes.filter((n) => n.addresses.length > 0);
    if (nodes.length === 0) return { skip: 'no node has an address' };
    return nodes.map((n) => makeAction('pod-to-host', src!, nodePeer(n), { kind: 'icmp', target: n.addresses[0]!, timeoutMs: params.probeTimeoutMs }));
  },
};

export const hostToPod: Scenario = {
  name: 'host-to-pod',
  actions: ({ topology: t, params }) => {
    if (t.hostPods.length === 0) return { skip: 'no ready host-netns pod' };
    return t.hostPods.flatMap((hp) =>
      echoes(t).map((e) => makeAction('host-to-pod', hostPeer(hp, t.nodes), podPeer(e.role, e.pod), {
        kind: 'http', target: hostPort(e.pod.ip, ECHO_PORT), timeoutMs: params.probeTimeoutMs,
      }, { httpStatus: 200 })),
    );
  },
};
