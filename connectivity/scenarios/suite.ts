// The connectivity test suite: each test is scenarios (traffic) plus expectations and the
// policies it applies. Order matters only for readability: tests are independent.
import { denyRule, deniedBy, success } from '../framework/expect.ts';
import { unexpectedDrops } from '../framework/drop-counters.ts';
import type { Action, Expectation, TestDefinition } from '../framework/types.ts';
import { dnsClusterService, dnsToEchoPods } from './dns.ts';
import { hostToPod, podToHost } from './host.ts';
import { httpRequest } from './l7.ts';
import { NO_CIDR, podToCidr, podToWorld } from './outside.ts';
import { clientToClient, podToPod } from './pod-to-pod.ts';
import * as policy from './policies.ts';
import { podToNodePort, podToService, podToServiceByName } from './services.ts';

const from = (a: Action) => a.source.role;
/** client2 is refused, everyone else gets through. */
const client2Denied = (deny: Expectation) => (a: Action): Expectation => (from(a) === 'client2' ? deny : success());

/** What the L7 flows of an action must show: its HTTP request and status, or its DNS query. */
const l7Of = (a: Action): Expectation =>
  a.probe.kind === 'http' ? success({ http: { method: a.probe.method ?? 'GET', path: a.probe.path ?? '/', code: a.check?.httpStatus ?? 200 } })
  : a.probe.kind === 'dns' ? success({ dns: { query: a.probe.target } })
  : success();

export function connectivitySuite(): TestDefinition[] {
  return [
    { name: 'pod-to-pod', description: 'HTTP from client pods to echo pods on the same node and on another node',
      scenarios: [podToPod('same-node'), podToPod('other-node')] },
    { name: 'pod-to-pod-udp', description: 'UDP echo from client pods to echo pods',
      scenarios: [podToPod('same-node', { kind: 'udp' }), podToPod('other-node', { kind: 'udp' })] },
    { name: 'pod-to-service', description: 'HTTP to the echo Services by ClusterIP and by name through the cluster DNS',
      scenarios: [podToService(), podToServiceByName] },
    { name: 'pod-to-local-nodeport', description: "HTTP to the echo NodePorts on the client's node", scenarios: [podToNodePort('local')] },
    { name: 'pod-to-remote-nodeport', description: 'HTTP to the echo NodePorts on the other nodes', scenarios: [podToNodePort('remote')] },
    { name: 'pod-to-host', description: "ICMP from a pod to every node's address", scenarios: [podToHost] },
    { name: 'host-to-pod', description: "HTTP from each node's host network to the echo pods", scenarios: [hostToPod] },
    { name: 'client-to-client', description: 'ICMP between client pods', scenarios: [clientToClient] },
    { name: 'dns-resolution', description: "DNS queries to the echo pods' responder and through the cluster DNS",
      scenarios: [dnsToEchoPods(), dnsClusterService] },
    { name: 'pod-to-world', description: 'HTTP to the --external-target outside the cluster', scenarios: [podToWorld] },
    { name: 'pod-to-cidr', description: 'TCP to the --external-ip outside the cluster', scenarios: [podToCidr] },

    { name: 'all-ingress-deny', description: 'A policy selecting every test pod with an empty ingress section drops all ingress',
      scenarios: [podToPod('same-node'), podToPod('other-node'), podToService(), clientToClient],
      policies: (p) => policy.allIngressDeny(p.namespace),
      expect: () => deniedBy(policy.POLICY.allIngressDeny) },
    { name: 'allow-by-label', description: 'Echo pods admit client and only client: client2 is dropped by default deny',
      scenarios: [podToPod('same-node'), podToPod('other-node')],
      policies: (p) => policy.echoFromClientOnly(p.namespace),
      expect: client2Denied(deniedBy(policy.POLICY.echoFromClient)) },
    { name: 'egress-deny-cidr', description: 'An egressDeny to the outside IP drops it and leaves other traffic alone',
      scenarios: [podToCidr, podToPod('same-node')],
      skip: (p) => (p.externalIP ? undefined : NO_CIDR),
      policies: (p) => policy.egressDenyCidr(p.namespace, p.externalIP!),
      expect: (a) => (a.destination.role === 'world' ? denyRule(policy.POLICY.egressDenyCidr) : success()) },
    { name: 'deny-over-allow', description: 'An ingress deny for client2 wins over an allow-all for the same pods',
      scenarios: [podToPod('same-node'), podToPod('other-node')],
      policies: (p) => policy.denyOverAllow(p.namespace),
      expect: client2Denied(denyRule(policy.POLICY.echoDenyClient2)) },
    { name: 'k8s-network-policy', description: 'The Kubernetes NetworkPolicy equivalent of allow-by-label',
      scenarios: [podToPod('same-node'), podToPod('other-node')],
      policies: (p) => policy.k8sEchoFromClientOnly(p.namespace),
      expect: client2Denied(deniedBy(policy.POLICY.k8sEchoFromClient)) },
    { name: 'egress-allow-via-service', description: 'An egress allow to the echo pods by label admits them through their Services, by ClusterIP and by DNS name',
      scenarios: [podToService(), podToServiceByName],
      policies: (p) => policy.clientEgressToEcho(p.namespace),
      expect: () => success() },
    { name: 'l7-visibility', description: 'HTTP method, path and status and DNS queries show as L7 flows',
      scenarios: [httpRequest, dnsToEchoPods()],
      policies: (p) => policy.l7Visibility(p.namespace),
      expect: l7Of },

    { name: 'no-unexpected-packet-drops', description: "The agents' datapath dropped nothing during the run but what the policies denied",
      scenarios: [],
      check: ({ atStart, now }) => unexpectedDrops(atStart, now) },
  ];
}
