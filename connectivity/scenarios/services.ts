// Pods to Services: by ClusterIP, by name through the cluster DNS, and through NodePorts on the
// client's own node and on the other nodes (where the source may be masqueraded to a node IP).
import type { Scenario } from '../framework/types.ts';
import { ECHO_PORT } from '../deployment.ts';
import { clients, echoes, hostPort, makeAction, nodePeer, port, servicePeer } from './peers.ts';

export function podToService(opts: { from?: string[] } = {}): Scenario {
  return {
    name: 'pod-to-service',
    actions: ({ topology: t, params }) =>
      clients(t, opts.from).flatMap((src) =>
        echoes(t).map((e) => makeAction('pod-to-service', src, servicePeer(e.svc, e.pod, e.role), {
          kind: 'http', target: hostPort(e.svc.clusterIP, port(e.svc, 'http')?.port ?? ECHO_PORT), timeoutMs: params.probeTimeoutMs,
        }, { httpStatus: 200 })),
      ),
  };
}

/** By `<service>.<namespace>`: the pod's resolv.conf search list completes the name. */
export const podToServiceByName: Scenario = {
  name: 'pod-to-service-by-name',
  actions: ({ topology: t, params }) => {
    if (!t.clusterDNS) return { skip: 'no cluster DNS service (kube-system, k8s-app=kube-dns)' };
    return echoes(t).map((e) => {
      const dst = { ...servicePeer(e.svc, e.pod, e.role), name: `${e.svc.name}.${e.svc.namespace}` };
      return makeAction('pod-to-service-by-name', clients(t, ['client'])[0]!, dst, {
        kind: 'http', target: `${e.svc.name}.${e.svc.namespace}:${port(e.svc, 'http')?.port ?? ECHO_PORT}`, timeoutMs: params.probeTimeoutMs,
      }, { httpStatus: 200 });
    });
  },
};

export function podToNodePort(where: 'local' | 'remote'): Scenario {
  const name = `pod-to-${where}-nodeport`;
  return {
    name,
    actions: ({ topology: t, params }) => {
      const [src] = clients(t, ['client']);
      const nodes = t.nodes.filter((n) => (n.name === t.client.nodeName) === (where === 'local') && n.addresses.length > 0);
      if (nodes.length === 0) return { skip: where === 'local' ? `node ${t.client.nodeName} has no address` : 'needs a second node' };
      const allNodeIPs = t.nodes.flatMap((n) => n.addresses);
      return nodes.flatMap((node) =>
        echoes(t).flatMap((e) => {
          const np = port(e.svc, 'http')?.nodePort;
          if (!np) return [];
          const dst = { ...nodePeer(node), name: `${e.svc.name} (NodePort ${node.name})`, role: e.role, ips: [...node.addresses, e.pod.ip], pod: e.pod };
          // The node may masquerade the client to its own address on the way to a remote backend.
          const masqueraded = { ...src!, ips: [...src!.ips, ...allNodeIPs] };
          return [makeAction(name, masqueraded, dst, { kind: 'http', target: hostPort(node.addresses[0]!, np), timeoutMs: params.probeTimeoutMs }, { httpStatus: 200 })];
        }),
      );
    },
  };
}
