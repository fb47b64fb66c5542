// DNS from the client pods: to the echo pods' own responder (always present, so DNS traffic is
// tested on every cluster) and, when the cluster has one, through the cluster DNS by service name.
import type { Peer, Scenario } from '../framework/types.ts';
import { DNS_PORT } from '../deployment.ts';
import { ECHO_NAME } from '../probe/dns-server.ts';
import { clients, echoes, hostPort, makeAction, podPeer } from './peers.ts';

export function dnsToEchoPods(opts: { from?: string[] } = {}): Scenario {
  return {
    name: 'dns-to-echo-pods',
    actions: ({ topology: t, params }) =>
      clients(t, opts.from ?? ['client']).flatMap((src) =>
        echoes(t).map((e) => makeAction('dns-to-echo-pods', src, podPeer(e.role, e.pod), {
          kind: 'dns', target: ECHO_NAME, server: hostPort(e.pod.ip, DNS_PORT), timeoutMs: params.probeTimeoutMs,
        }, { dnsAnswer: e.pod.ip })),
      ),
  };
}

export const dnsClusterService: Scenario = {
  name: 'dns-cluster-service',
  actions: ({ topology: t, params }) => {
    const dns = t.clusterDNS;
    if (!dns) return { skip: 'no cluster DNS service (kube-system, k8s-app=kube-dns)' };
    // The ClusterIP, or its endpoints where the datapath translates Services at the pod.
    const server: Peer = { name: `${dns.namespace}/${dns.name}`, role: 'cluster-dns', ips: [dns.clusterIP, ...(dns.endpointIPs ?? [])] };
    return echoes(t).map((e) => makeAction('dns-cluster-service', clients(t, ['client'])[0]!, server, {
      kind: 'dns', target: `${e.svc.name}.${e.svc.namespace}`, timeoutMs: params.probeTimeoutMs,
    }, { dnsAnswer: e.svc.clusterIP }));
  },
};
