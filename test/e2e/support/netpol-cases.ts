// The NetworkPolicy conformance cases: the upstream Kubernetes e2e "netpol" cases (names as
// upstream titles them), each a list of steps (policies to apply, labels to change) with the truth
// table expected after it, per port and protocol; plus Service-addressed variants and netobs's own
// policy kind. Every case is checked on TCP and UDP, ports 80 and 81: a rule that names one port
// or protocol must leave the others denied, which upstream checks only for some cases.
import { Reachability, type Ns, type PodId, type PodName, type PortProto } from './netpol-model.ts';

export type Obj = Record<string, unknown>;

export interface CaseContext {
  /** The pod's IP. */
  ip(pod: PodId): string;
}

export interface Step {
  readonly apply?: readonly Obj[];
  /** Labels to set (string) or remove (null). */
  readonly podLabels?: { readonly pod: PodId; readonly labels: Readonly<Record<string, string | null>> };
  readonly nsLabels?: { readonly ns: Ns; readonly labels: Readonly<Record<string, string | null>> };
  readonly expect: (pp: PortProto) => Reachability;
}

export interface Case {
  readonly name: string;
  /** Probe each server through its ClusterIP Service instead of its pod IP. */
  readonly viaService?: boolean;
  readonly steps: (ctx: CaseContext) => readonly Step[];
}

const NS_LABEL = 'kubernetes.io/metadata.name';

function netpol(ns: Ns, name: string, spec: Obj): Obj {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec };
}
function netobsPolicy(ns: Ns, name: string, spec: Obj): Obj {
  return { apiVersion: 'netobs.io/v1alpha1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec };
}
const pod = (p: PodName): Obj => ({ matchLabels: { pod: p } });
const nsIs = (ns: Ns): Obj => ({ matchLabels: { [NS_LABEL]: ns } });
const nsNotIn = (ns: Ns): Obj => ({ matchExpressions: [{ key: NS_LABEL, operator: 'NotIn', values: [ns] }] });
const host32 = (ip: string): string => `${ip}/32`;
/** The /n network holding an address (what upstream writes as `<podIP>/4`, normalized). */
function network(ip: string, bits: number): string {
  const n = ip.split('.').reduce((a, o) => ((a << 8) | Number(o)) >>> 0, 0);
  const m = bits === 0 ? 0 : (n & (~0 << (32 - bits))) >>> 0;
  return `${[24, 16, 8, 0].map((s) => (m >>> s) & 255).join('.')}/${bits}`;
}

const all = () => new Reachability(true);
const same = (r: () => Reachability) => (_pp: PortProto) => r();
const tcp = (pp: PortProto, port?: number) => pp.protocol === 'TCP' && (port === undefined || pp.port === port);

/** A single-step case whose policies do not depend on pod IPs. */
function simple(name: string, apply: Obj[], expect: (pp: PortProto) => Reachability): Case {
  return { name, steps: () => [{ apply, expect }] };
}

// x/a allows ingress from x/b only (the upstream PodSelector case); reused through Services.
const xaFromXb = simple(
  "should enforce policy to allow traffic from pods within server namespace based on PodSelector",
  [netpol('x', 'x-a-allows-x-b', { podSelector: pod('a'), ingress: [{ from: [{ podSelector: pod('b') }] }] })],
  same(() => all().ingress('x/a', false).pair('x/b', 'x/a', true)),
);
const xaEgressToXb = simple(
  'should enforce egress policy allowing traffic to a server in the same namespace based on PodSelector',
  [netpol('x', 'x-a-to-x-b', { podSelector: pod('a'), policyTypes: ['Egress'], egress: [{ to: [{ podSelector: pod('b') }] }] })],
  same(() => all().egress('x/a', false).pair('x/a', 'x/b', true)),
);
const xaEgressToXbIp: Case = {
  name: 'should allow egress access to server in CIDR block (ipBlock of a pod IP /32)',
  steps: (c) => [{
    apply: [netpol('x', 'allow-client-a-via-cidr-egress-rule', { podSelector: pod('a'), policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: host32(c.ip('x/b')) } }] }] })],
    expect: same(() => all().egress('x/a', false).pair('x/a', 'x/b', true)),
  }],
};

export const CASES: readonly Case[] = [
  simple("should support a 'default-deny-ingress' policy",
    [netpol('x', 'deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] })],
    same(() => all().ingress({ ns: 'x' }, false))),
  simple("should support a 'default-deny-all' policy",
    [netpol('x', 'deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })],
    same(() => all().ingress({ ns: 'x' }, false).egress({ ns: 'x' }, false))),
  xaFromXb,
  simple('should enforce policy to allow ingress traffic for a target',
    [netpol('x', 'deny-all', { podSelector: {}, ingress: [] }),
      netpol('x', 'allow-all-to-a', { podSelector: pod('a'), ingress: [{ from: [{ podSelector: {}, namespaceSelector: {} }] }] })],
    same(() => all().ingress('x/b', false).ingress('x/c', false))),
  simple('should enforce policy to allow ingress traffic from pods in all namespaces',
    [netpol('x', 'allow-from-another-ns', { podSelector: pod('a'), ingress: [{ from: [{ namespaceSelector: {} }] }] })],
    same(all)),
  simple('should enforce policy to allow traffic only from a different namespace, based on NamespaceSelector',
    [netpol('x', 'allow-client-a-via-ns-selector', { podSelector: pod('a'), ingress: [{ from: [{ namespaceSelector: nsIs('y') }] }] })],
    same(() => all().peers({ ns: 'x' }, { ns: 'x', pod: 'a' }, false).peers({ ns: 'z' }, { ns: 'x', pod: 'a' }, false))),
  simple('should enforce policy based on PodSelector with MatchExpressions',
    [netpol('x', 'x-a-allows-x-b', { podSelector: pod('a'), ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'pod', operator: 'In', values: ['b'] }] } }] }] })],
    same(() => all().ingress('x/a', false).pair('x/b', 'x/a', true))),
  simple('should enforce policy based on NamespaceSelector with MatchExpressions',
    [netpol('x', 'allow-ns-y-match-selector', { podSelector: pod('a'), ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: NS_LABEL, operator: 'In', values: ['y'] }] } }] }] })],
    same(() => all().peers({ ns: 'x' }, { ns: 'x', pod: 'a' }, false).peers({ ns: 'z' }, { ns: 'x', pod: 'a' }, false))),
  simple('should enforce policy based on PodSelector or NamespaceSelector',
    [netpol('x', 'allow-ns-y-or-pod-b', { podSelector: pod('a'), ingress: [{ from: [{ namespaceSelector: nsNotIn('x') }, { podSelector: pod('b') }] }] })],
    same(() => all().pair('x/c', 'x/a', false))),
  simple('should enforce policy based on PodSelector and NamespaceSelector',
    [netpol('x', 'allow-ns-not-x-and-pod-b', { podSelector: pod('a'), ingress: [{ from: [{ namespaceSelector: nsNotIn('x'), podSelector: pod('b') }] }] })],
    same(() => all().ingress('x/a', false).pair('y/b', 'x/a', true).pair('z/b', 'x/a', true))),
  simple('should enforce policy based on Multiple PodSelectors and NamespaceSelectors',
    [netpol('x', 'allow-ns-not-x-and-pod-b-c', { podSelector: pod('a'), ingress: [{ from: [{ namespaceSelector: nsNotIn('x'), podSelector: { matchExpressions: [{ key: 'pod', operator: 'In', values: ['b', 'c'] }] } }] }] })],
    same(() => all().ingress('x/a', false).peers({ ns: 'y' }, { ns: 'x', pod: 'a' }, true).peers({ ns: 'z' }, { ns: 'x', pod: 'a' }, true).pair('y/a', 'x/a', false).pair('z/a', 'x/a', false))),
  simple('should enforce policy to allow traffic only from a pod in a different namespace based on PodSelector and NamespaceSelector',
    [netpol('x', 'allow-ns-y-pod-a', { podSelector: pod('a'), ingress: [{ from: [{ namespaceSelector: nsIs('y'), podSelector: pod('a') }] }] })],
    same(() => all().ingress('x/a', false).pair('y/a', 'x/a', true))),
  simple('should enforce policy based on Ports (ingress from namespace y on TCP 81 only)',
    [netpol('x', 'allow-ingress-on-port-81-ns-y', { podSelector: pod('a'), ingress: [{ from: [{ namespaceSelector: nsIs('y') }], ports: [{ port: 81, protocol: 'TCP' }] }] })],
    (pp) => all().ingress('x/a', false).peers({ ns: 'y' }, { ns: 'x', pod: 'a' }, tcp(pp, 81))),
  simple('should enforce multiple, stacked policies with overlapping podSelectors (ports 80 and 81 from y)',
    [netpol('x', 'allow-ingress-port-80-ns-y', { podSelector: pod('a'), ingress: [{ from: [{ namespaceSelector: nsIs('y') }], ports: [{ port: 80 }] }] }),
      netpol('x', 'allow-ingress-port-81-ns-y', { podSelector: pod('a'), ingress: [{ from: [{ namespaceSelector: nsIs('y') }], ports: [{ port: 81 }] }] })],
    (pp) => all().ingress('x/a', false).peers({ ns: 'y' }, { ns: 'x', pod: 'a' }, tcp(pp))),
  simple('should allow ingress access on one named port',
    [netpol('x', 'allow-all-ingress-named-80', { podSelector: pod('a'), ingress: [{ ports: [{ port: 'serve-80-tcp' }] }] })],
    (pp) => all().ingress('x/a', tcp(pp, 80))),
  simple('should allow ingress access from namespace on one named port (UDP)',
    [netpol('x', 'allow-ns-y-udp-81-named', { podSelector: pod('a'), ingress: [{ from: [{ namespaceSelector: nsIs('y') }], ports: [{ port: 'serve-81-udp', protocol: 'UDP' }] }] })],
    (pp) => all().ingress('x/a', false).peers({ ns: 'y' }, { ns: 'x', pod: 'a' }, pp.protocol === 'UDP' && pp.port === 81)),
  simple('should enforce egress policy allowing traffic to a server on a named port',
    [netpol('x', 'allow-egress-named-81', { podSelector: pod('a'), policyTypes: ['Egress'], egress: [{ ports: [{ port: 'serve-81-tcp' }] }] })],
    (pp) => all().egress('x/a', tcp(pp, 81))),
  simple('should support a port range with endPort (ingress TCP 80-81 from namespace y)',
    [netpol('x', 'allow-ns-y-80-81', { podSelector: pod('a'), ingress: [{ from: [{ namespaceSelector: nsIs('y') }], ports: [{ protocol: 'TCP', port: 80, endPort: 81 }] }] })],
    (pp) => all().ingress('x/a', false).peers({ ns: 'y' }, { ns: 'x', pod: 'a' }, tcp(pp))),
  simple('should support a port range with endPort that leaves a port out (egress TCP 81-90)',
    [netpol('x', 'allow-egress-81-90', { podSelector: pod('a'), policyTypes: ['Egress'], egress: [{ ports: [{ protocol: 'TCP', port: 81, endPort: 90 }] }] })],
    (pp) => all().egress('x/a', tcp(pp, 81))),
  simple('should enforce ingress policy allowing any port traffic to a server on a specific protocol',
    [netpol('x', 'allow-ingress-udp', { podSelector: pod('a'), ingress: [{ ports: [{ protocol: 'UDP' }] }] })],
    (pp) => all().ingress('x/a', pp.protocol === 'UDP')),
  simple('should support allow-all policy',
    [netpol('x', 'allow-all', { podSelector: {}, ingress: [{}], egress: [{}], policyTypes: ['Ingress', 'Egress'] })],
    same(all)),
  simple('should deny ingress from pods on other namespaces',
    [netpol('x', 'deny-from-other-ns', { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] })],
    same(() => all().peers({ ns: 'y' }, { ns: 'x' }, false).peers({ ns: 'z' }, { ns: 'x' }, false))),
  {
    name: 'should allow ingress access from updated namespace',
    steps: () => [
      { apply: [netpol('x', 'allow-client-a-via-ns-selector', { podSelector: pod('a'), ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns2: 'updated' } } }] }] })], expect: same(() => all().ingress('x/a', false)) },
      { nsLabels: { ns: 'y', labels: { ns2: 'updated' } }, expect: same(() => all().ingress('x/a', false).peers({ ns: 'y' }, { ns: 'x', pod: 'a' }, true)) },
      { nsLabels: { ns: 'y', labels: { ns2: null } }, expect: same(() => all().ingress('x/a', false)) },
    ],
  },
  {
    name: 'should allow ingress access from updated pod',
    steps: () => [
      { apply: [netpol('x', 'allow-client-a-via-pod-selector', { podSelector: pod('a'), ingress: [{ from: [{ podSelector: { matchLabels: { pod2: 'updated' } } }] }] })], expect: same(() => all().ingress('x/a', false)) },
      { podLabels: { pod: 'x/b', labels: { pod2: 'updated' } }, expect: same(() => all().ingress('x/a', false).pair('x/b', 'x/a', true)) },
    ],
  },
  {
    name: 'should deny ingress access to updated pod',
    steps: () => [
      { apply: [netpol('x', 'deny-ingress-via-label-selector', { podSelector: { matchLabels: { target: 'isolated' } }, policyTypes: ['Ingress'] })], expect: same(all) },
      { podLabels: { pod: 'x/a', labels: { target: 'isolated' } }, expect: same(() => all().ingress('x/a', false)) },
    ],
  },
  {
    name: 'should enforce updated policy',
    steps: () => [
      { apply: [netpol('x', 'allow-all-mutate-to-deny-all', { podSelector: {}, ingress: [{}] })], expect: same(all) },
      { apply: [netpol('x', 'allow-all-mutate-to-deny-all', { podSelector: {}, ingress: [] })], expect: same(() => all().ingress({ ns: 'x' }, false)) },
    ],
  },
  simple('should work with Ingress, Egress specified together',
    [netpol('x', 'allow-client-a-via-pod-selector', { podSelector: pod('a'), ingress: [{ from: [{ podSelector: pod('b') }] }], egress: [{ ports: [{ port: 80, protocol: 'TCP' }] }] })],
    (pp) => all().ingress('x/a', false).pair('x/b', 'x/a', true).egress('x/a', tcp(pp, 80))),
  simple('should ignore egress rules of a policy whose policyTypes is Ingress only',
    [netpol('x', 'ingress-only', { podSelector: pod('a'), policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: pod('b') }] }], egress: [{ to: [{ podSelector: pod('c') }] }] })],
    same(() => all().ingress('x/a', false).pair('x/b', 'x/a', true))),
  simple("should support a 'default-deny-egress' policy (policyTypes Egress only)",
    [netpol('x', 'deny-egress', { podSelector: {}, policyTypes: ['Egress'], ingress: [{ from: [{ podSelector: pod('b') }] }] })],
    same(() => all().egress({ ns: 'x' }, false))),
  xaEgressToXb,
  simple('should enforce egress policy allowing traffic to a server in a different namespace based on PodSelector and NamespaceSelector',
    [netpol('x', 'allow-to-ns-y-pod-a', { podSelector: pod('a'), policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: nsIs('y'), podSelector: pod('a') }] }] })],
    same(() => all().egress('x/a', false).pair('x/a', 'y/a', true))),
  simple('should support denying of egress traffic on the client side (even if the server explicitly allows this traffic)',
    [netpol('x', 'deny-egress-from-a', { podSelector: pod('a'), policyTypes: ['Egress'] }),
      netpol('y', 'allow-to-y-a-from-x-a', { podSelector: pod('a'), ingress: [{ from: [{ namespaceSelector: nsIs('x'), podSelector: pod('a') }] }] })],
    same(() => all().egress('x/a', false).ingress('y/a', false))),
  simple('should enforce policies to check ingress and egress policies can be controlled independently based on PodSelector',
    [netpol('x', 'deny-egress-to-b', { podSelector: pod('a'), policyTypes: ['Egress'], egress: [{ to: [{ podSelector: pod('c') }] }] }),
      netpol('x', 'deny-ingress-to-b', { podSelector: pod('b'), policyTypes: ['Ingress'] })],
    same(() => all().egress('x/a', false).pair('x/a', 'x/c', true).ingress('x/b', false))),
  xaEgressToXbIp,
  {
    name: 'should enforce except clause while egress access to server in CIDR block (pod IP /4 except that pod /32)',
    steps: (c) => [{
      apply: [netpol('x', 'deny-client-a-via-except-cidr-egress-rule', { podSelector: pod('a'), policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: network(c.ip('x/b'), 4), except: [host32(c.ip('x/b'))] } }] }] })],
      expect: same(() => all().pair('x/a', 'x/b', false)),
    }],
  },
  {
    name: 'should ensure an IP overlapping both IPBlock.CIDR and IPBlock.Except is allowed',
    steps: (c) => [
      { apply: [netpol('x', 'deny-client-a-via-except-cidr-egress-rule', { podSelector: pod('a'), policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: network(c.ip('x/b'), 4), except: [host32(c.ip('x/b'))] } }] }] })], expect: same(() => all().pair('x/a', 'x/b', false)) },
      { apply: [netpol('x', 'allow-client-a-via-cidr-egress-rule', { podSelector: pod('a'), policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: host32(c.ip('x/b')) } }] }] })], expect: same(all) },
    ],
  },
  {
    name: 'should enforce ingress from an ipBlock 0.0.0.0/0 with an except of one pod',
    steps: (c) => [{
      apply: [netpol('x', 'allow-all-but-y-a', { podSelector: pod('a'), ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0', except: [host32(c.ip('y/a'))] } }] }] })],
      expect: same(() => all().pair('y/a', 'x/a', false)),
    }],
  },
  {
    name: 'should keep matching a pod by its IP in an ipBlock when its labels (identity) change',
    steps: (c) => [
      { apply: [netpol('x', 'allow-egress-to-x-b-ip', { podSelector: pod('a'), policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: host32(c.ip('x/b')) } }] }] })], expect: same(() => all().egress('x/a', false).pair('x/a', 'x/b', true)) },
      { podLabels: { pod: 'x/b', labels: { pod2: 'moved' } }, expect: same(() => all().egress('x/a', false).pair('x/a', 'x/b', true)) },
    ],
  },

  // Service-addressed: each server probed through its ClusterIP Service; verdicts on the backend.
  { ...xaFromXb, name: `${xaFromXb.name} [through ClusterIP Services]`, viaService: true },
  { ...xaEgressToXb, name: `${xaEgressToXb.name} [through ClusterIP Services]`, viaService: true },
  { ...xaEgressToXbIp, name: `${xaEgressToXbIp.name} [through ClusterIP Services]`, viaService: true },

  // netobs's own policy kind (Cilium semantics): deny rules, entities, CIDR rules.
  simple('netobs: ingressDeny from namespace y wins over an allow from the cluster entity',
    [netobsPolicy('x', 'deny-y-to-a', {
      endpointSelector: pod('a'),
      ingress: [{ fromEntities: ['cluster'] }],
      ingressDeny: [{ fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'y' } }] }],
    })],
    same(() => all().peers({ ns: 'y' }, { ns: 'x', pod: 'a' }, false))),
  simple('netobs: an ingressDeny on TCP 81 wins over a Kubernetes allow-all',
    [netpol('x', 'allow-all', { podSelector: {}, ingress: [{}] }),
      netobsPolicy('x', 'deny-81-from-c', { endpointSelector: {}, ingressDeny: [{ fromEndpoints: [{ matchLabels: { pod: 'c' } }], toPorts: [{ ports: [{ port: '81', protocol: 'TCP' }] }] }] })],
    (pp) => all().peers({ ns: 'x', pod: 'c' }, { ns: 'x' }, !tcp(pp, 81))),
  simple('netobs: toEntities world does not reach pods; toEntities cluster does',
    [netobsPolicy('x', 'a-to-world', { endpointSelector: pod('a'), egress: [{ toEntities: ['world'] }] }),
      netobsPolicy('x', 'b-to-cluster', { endpointSelector: pod('b'), egress: [{ toEntities: ['cluster'] }] })],
    same(() => all().egress('x/a', false))),
  {
    name: 'netobs: toCIDR of a pod IP does not select the pod (Cilium CIDR semantics), toEndpoints does',
    steps: (c) => [{
      apply: [netobsPolicy('x', 'a-to-b-cidr', { endpointSelector: pod('a'), egress: [{ toCIDR: [host32(c.ip('x/b'))] }, { toEndpoints: [{ matchLabels: { pod: 'c' } }] }] })],
      expect: same(() => all().egress('x/a', false).pair('x/a', 'x/c', true)),
    }],
  },
  simple('netobs: egressDeny to namespace z on UDP with an allow-all egress',
    [netobsPolicy('y', 'deny-udp-to-z', {
      endpointSelector: {},
      egress: [{ toEntities: ['all'] }],
      egressDeny: [{ toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'z' } }], toPorts: [{ ports: [{ port: '0', protocol: 'UDP' }] }] }],
    })],
    (pp) => all().peers({ ns: 'y' }, { ns: 'z' }, pp.protocol === 'TCP')),
];
