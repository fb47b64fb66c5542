// Traffic leaving the cluster: HTTP to a named outside host (pod-to-world) and TCP to an
// outside IP (pod-to-cidr). Only with a target the user vouches for: many clusters (air-gapped,
// the lab) have no way out, and guessing one would make the suite fail for the wrong reason.
import type { Peer, Scenario } from '../framework/types.ts';
import { clients, hostPort, makeAction } from './peers.ts';

export const NO_WORLD = 'no outside target (pass --external-target host[:port])';
export const NO_CIDR = 'no outside IP (pass --external-ip, or an IP as --external-target)';

export const podToWorld: Scenario = {
  name: 'pod-to-world',
  actions: ({ topology: t, params }) => {
    if (!params.externalTarget) return { skip: NO_WORLD };
    const target = params.externalTarget.includes(':') ? params.externalTarget : `${params.externalTarget}:${params.externalPort}`;
    // The world's addresses are whatever the name resolves to: the probe reports the one it used.
    const world: Peer = { name: 'world', role: 'world', ips: [] };
    return clients(t, ['client']).map((src) => makeAction('pod-to-world', src, world, { kind: 'http', target, timeoutMs: params.probeTimeoutMs }));
  },
};

export const podToCidr: Scenario = {
  name: 'pod-to-cidr',
  actions: ({ topology: t, params }) => {
    if (!params.externalIP) return { skip: NO_CIDR };
    const world: Peer = { name: `cidr/${params.externalIP}`, role: 'world', ips: [params.externalIP] };
    return clients(t, ['client', 'client2']).map((src) =>
      makeAction('pod-to-cidr', src, world, { kind: 'tcp', target: hostPort(params.externalIP!, params.externalPort), timeoutMs: params.probeTimeoutMs }),
    );
  },
};
