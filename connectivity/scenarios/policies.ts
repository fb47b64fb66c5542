// The policies the policy tests apply, as objects: netobs policies shaped like
// CiliumNetworkPolicy and one Kubernetes NetworkPolicy. Names are what drop flows must cite.
import type { KubeObject } from '../framework/cluster.ts';
import { ECHO_PORT, TEST_LABELS } from '../deployment.ts';

const NETOBS = 'netobs.io/v1alpha1';

function netobsPolicy(namespace: string, name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: NETOBS, kind: 'NetworkPolicy', metadata: { name, namespace, labels: { ...TEST_LABELS } }, spec };
}

const echoPods = { matchLabels: { kind: 'echo' } };
const clientPods = { matchLabels: { kind: 'client' } };
const httpPort = { ports: [{ port: String(ECHO_PORT), protocol: 'TCP' }] };

export const POLICY = {
  allIngressDeny: 'all-ingress-deny',
  echoFromClient: 'echo-ingress-from-client',
  egressDenyCidr: 'client-egress-deny-cidr',
  echoAllowAll: 'echo-ingress-allow-all',
  echoDenyClient2: 'echo-ingress-deny-client2',
  k8sEchoFromClient: 'echo-ingress-from-client-k8s',
  l7Http: 'echo-ingress-l7-http',
  l7Dns: 'client-egress-l7-dns',
  clientEgressToEcho: 'client-egress-to-echo',
} as const;

/** Every pod of the namespace selected, with an ingress section that admits nothing. */
export const allIngressDeny = (ns: string) => [netobsPolicy(ns, POLICY.allIngressDeny, { endpointSelector: {}, ingress: [{}] })];

/** Echo pods admit HTTP from pods labelled name=client only: client2 falls to default deny. */
export const echoFromClientOnly = (ns: string) => [
  netobsPolicy(ns, POLICY.echoFromClient, {
    endpointSelector: echoPods,
    ingress: [{ fromEndpoints: [{ matchLabels: { name: 'client' } }], toPorts: [httpPort] }],
  }),
];

/** Client pods may not reach one outside IP; nothing else changes (no default deny). */
export const egressDenyCidr = (ns: string, ip: string) => [
  netobsPolicy(ns, POLICY.egressDenyCidr, {
    endpointSelector: clientPods,
    enableDefaultDeny: { egress: false, ingress: false },
    egressDeny: [{ toCIDR: [`${ip}/${ip.includes(':') ? 128 : 32}`] }],
  }),
];

/** Echo pods admit every pod of the namespace, and deny client2: the deny must win. */
export const denyOverAllow = (ns: string) => [
  netobsPolicy(ns, POLICY.echoAllowAll, { endpointSelector: echoPods, ingress: [{ fromEndpoints: [{}] }] }),
  netobsPolicy(ns, POLICY.echoDenyClient2, { endpointSelector: echoPods, ingressDeny: [{ fromEndpoints: [{ matchLabels: { name: 'client2' } }] }] }),
];

/** The Kubernetes NetworkPolicy equivalent of echoFromClientOnly. */
export const k8sEchoFromClientOnly = (ns: string): KubeObject[] => [
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: POLICY.k8sEchoFromClient, namespace: ns, labels: { ...TEST_LABELS } },
    spec: {
      podSelector: echoPods,
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { name: 'client' } } }], ports: [{ port: ECHO_PORT, protocol: 'TCP' }] }],
    },
  },
];

/** L7 rules that allow everything, so the flows carry HTTP and DNS records without changing verdicts. */
export const l7Visibility = (ns: string) => [
  netobsPolicy(ns, POLICY.l7Http, {
    endpointSelector: echoPods,
    ingress: [
      { fromEndpoints: [{}], toPorts: [{ ...httpPort, rules: { http: [{}] } }] },
      // The DNS responder beside the echo server stays reachable.
      { fromEndpoints: [{}], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }] },
    ],
  }),
  netobsPolicy(ns, POLICY.l7Dns, {
    endpointSelector: clientPods,
    egress: [
      { toEndpoints: [{}], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } }] },
      { toEndpoints: [{}] },
    ],
  }),
];

/**
 * Client pods may send only to the echo pods' HTTP port (by label, so only the backends behind
 * the Services match) and DNS: reaching the echo Services by ClusterIP and by name shows that
 * Service-addressed traffic is judged on the backend it reaches, not as world.
 */
export const clientEgressToEcho = (ns: string) => [
  netobsPolicy(ns, POLICY.clientEgressToEcho, {
    endpointSelector: clientPods,
    egress: [
      { toEndpoints: [echoPods], toPorts: [httpPort] },
      { toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }] },
    ],
  }),
];
