// SYNTHETIC test and benchmark data: a made-up demo cluster (the Star Wars demo plus a small
// shop) and flows between its pods that look like what the agent reports. Never used by the real
// `kubectl netobs ui`, which reads the relay.
import type { Endpoint, Flow, Policy } from '../../api/types.ts';
import type { EndpointInfo, PolicyEntry } from './types.ts';

export interface SyntheticPod {
  node: string; namespace: string; name: string; app: string; ip: string; ipv6: string; id: number; identity: number; labels: string[];
}

export interface SyntheticCluster { nodes: string[]; pods: SyntheticPod[]; byApp: Map<string, SyntheticPod[]> }

const APPS: { ns: string; app: string; replicas: number; extra?: string[] }[] = [
  { ns: 'default', app: 'xwing', replicas: 1, extra: ['k8s:org=alliance', 'k8s:class=xwing'] },
  { ns: 'default', app: 'tiefighter', replicas: 1, extra: ['k8s:org=empire', 'k8s:class=tiefighter'] },
  { ns: 'default', app: 'deathstar', replicas: 2, extra: ['k8s:org=empire', 'k8s:class=deathstar'] },
  { ns: 'shop', app: 'frontend', replicas: 2 },
  { ns: 'shop', app: 'cart', replicas: 2 },
  { ns: 'shop', app: 'checkout', replicas: 1 },
  { ns: 'shop', app: 'payments', replicas: 1 },
  { ns: 'kube-system', app: 'coredns', replicas: 2 },
];

export { prng } from '../../lib/prng.ts';

export function nodeNames(nodes: number | readonly string[]): string[] {
  return typeof nodes === 'number' ? Array.from({ length: Math.max(1, nodes) }, (_, i) => `node-${i + 1}`) : [...nodes];
}

export function syntheticCluster(nodes: number | readonly string[]): SyntheticCluster {
  const names = nodeNames(nodes);
  const pods: SyntheticPod[] = [];
  const byApp = new Map<string, SyntheticPod[]>();
  let n = 0;
  APPS.forEach((a, appIndex) => {
    for (let r = 0; r < a.replicas; r++, n++) {
      const nodeIndex = n % names.length;
      const host = 10 + Math.floor(n / names.length);
      const pod: SyntheticPod = {
        node: names[nodeIndex]!, namespace: a.ns, app: a.app, name: a.replicas > 1 ? `${a.app}-7d4b9c${r}f5-x${r}k2p` : a.app,
        ip: `10.0.${nodeIndex + 1}.${host}`, ipv6: `fd00:10:${nodeIndex + 1}::${host.toString(16)}`, id: 100 + n * 7,
        identity: 16000 + appIndex * 3, labels: [`k8s:app=${a.app}`, ...(a.extra ?? []), `k8s:io.kubernetes.pod.namespace=${a.ns}`],
      };
      pods.push(pod);
      byApp.set(a.app, [...(byApp.get(a.app) ?? []), pod]);
    }
  });
  return { nodes: names, pods, byApp };
}

const RULE1: Policy = { name: 'rule1', namespace: 'default', kind: 'NetobsNetworkPolicy' };
const SHOP_ALLOW: Policy = { name: 'allow-shop-internal', namespace: 'shop', kind: 'NetworkPolicy' };
const DENY_WORLD: Policy = { name: 'checkout-deny-world', namespace: 'shop', kind: 'NetobsNetworkPolicy' };

function ep(p: SyntheticPod): Endpoint {
  return { ID: p.id, identity: p.identity, namespace: p.namespace, pod_name: p.name, labels: p.labels, workloads: [{ name: p.app, kind: 'Deployment' }] };
}
const WORLD: Endpoint = { identity: 2, labels: ['reserved:world'] };

type Scenario = (rnd: () => number, c: SyntheticCluster, time: { seconds: number; nanos: number }) => Flow;

const pick = <T,>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const ephemeral = (rnd: () => number) => 32768 + Math.floor(rnd() * 28000);

function tcp(rnd: () => number, c: SyntheticCluster, time: Flow['time'], from: string, to: string, port: number, extra: Partial<Flow> = {}): Flow {
  const s = pick(rnd, c.byApp.get(from)!), d = pick(rnd, c.byApp.get(to)!);
  const flags = pick(rnd, [{ SYN: true }, { SYN: true, ACK: true }, { ACK: true }, { ACK: true, PSH: true }, { FIN: true, ACK: true }]);
  return {
    time, verdict: 1, Type: 1, node_name: d.node, event_type: { type: 4, sub_type: 0 }, trace_observation_point: 101,
    IP: { source: s.ip, destination: d.ip, ipVersion: 1 }, l4: { TCP: { source_port: ephemeral(rnd), destination_port: port, flags } },
    source: ep(s), destination: ep(d), traffic_direction: 1, is_reply: { value: false }, ...extra,
  };
}

const SCENARIOS: [number, Scenario][] = [
  [30, (r, c, t) => tcp(r, c, t, 'tiefighter', 'deathstar', 80)],
  [4, (r, c, t) => tcp(r, c, t, 'tiefighter', 'deathstar', 80, { event_type: { type: 5, sub_type: 0 }, policy_match_type: 2, ingress_allowed_by: [RULE1] })],
  [6, (r, c, t) => tcp(r, c, t, 'xwing', 'deathstar', 80, { verdict: 2, drop_reason_desc: 133, event_type: { type: 1, sub_type: 133 }, l4: { TCP: { source_port: ephemeral(r), destination_port: 80, flags: { SYN: true } } } })],
  [20, (r, c, t) => tcp(r, c, t, 'frontend', 'cart', 8080)],
  [3, (r, c, t) => tcp(r, c, t, 'frontend', 'cart', 8080, { event_type: { type: 5, sub_type: 0 }, policy_match_type: 2, ingress_allowed_by: [SHOP_ALLOW] })],
  [10, (r, c, t) => tcp(r, c, t, 'cart', 'checkout', 8080)],
  [8, (r, c, t) => {
    const f = tcp(r, c, t, 'frontend', 'cart', 8080);
    const resp = r() < 0.5;
    return { ...f, Type: 2, event_type: { type: 129 }, destination_service: { name: 'cart', namespace: 'shop' },
      l7: resp ? { type: 2, latency_ns: Math.floor(r() * 5e7), http: { code: pick(r, [200, 200, 200, 201, 404, 503]), method: 'GET', url: 'http://cart.shop:8080/api/cart', protocol: 'HTTP/1.1' } }
        : { type: 1, http: { method: pick(r, ['GET', 'POST']), url: 'http://cart.shop:8080/api/cart', protocol: 'HTTP/1.1' } } };
  }],
  [10, (r, c, t) => {
    const s = pick(r, c.pods), d = pick(r, c.byApp.get('coredns')!);
    const resp = r() < 0.5;
    const q = pick(r, ['deathstar.default.svc.cluster.local.', 'cart.shop.svc.cluster.local.', 'github.com.', 'api.stripe.com.']);
    const [a, b] = resp ? [d, s] : [s, d];
    return {
      time: t, verdict: 1, Type: 2, node_name: s.node, event_type: { type: 129 }, IP: { source: a.ip, destination: b.ip, ipVersion: 1 },
      l4: { UDP: resp ? { source_port: 53, destination_port: 41234 } : { source_port: 41234, destination_port: 53 } },
      source: ep(a), destination: ep(b), is_reply: { value: resp }, traffic_direction: 2,
      l7: resp ? { type: 2, latency_ns: 900_000, dns: { query: q, ips: ['10.96.0.10'], ttl: 30, qtypes: ['A'], rrtypes: ['A'], rcode: 0 } } : { type: 1, dns: { query: q, qtypes: ['A'] } },
    };
  }],
  [3, (r, c, t) => {
    const s = pick(r, c.byApp.get('checkout')!);
    return {
      time: t, verdict: 2, Type: 1, drop_reason_desc: 181, node_name: s.node, event_type: { type: 1, sub_type: 181 },
      IP: { source: s.ip, destination: '140.82.112.3', ipVersion: 1 }, l4: { TCP: { source_port: ephemeral(r), destination_port: 443, flags: { SYN: true } } },
      source: ep(s), destination: WORLD, destination_names: ['github.com'], traffic_direction: 2, is_reply: { value: false }, egress_denied_by: [DENY_WORLD],
    };
  }],
  [4, (r, c, t) => {
    const s = pick(r, c.byApp.get('cart')!);
    return {
      time: t, verdict: 1, Type: 1, node_name: s.node, event_type: { type: 4, sub_type: 11 }, IP: { source: s.ip, destination: '8.8.8.8', ipVersion: 1 },
      l4: { ICMPv4: { type: 8, code: 0 } }, source: ep(s), destination: WORLD, destination_names: ['dns.google'], traffic_direction: 2, is_reply: { value: false },
    };
  }],
];
const TOTAL_WEIGHT = SCENARIOS.reduce((a, [w]) => a + w, 0);

/** One synthetic flow at `nowMs`. */
export function syntheticFlow(rnd: () => number, c: SyntheticCluster, nowMs: number): Flow {
  const time = { seconds: Math.floor(nowMs / 1000), nanos: (nowMs % 1000) * 1e6 };
  let w = rnd() * TOTAL_WEIGHT;
  for (const [weight, make] of SCENARIOS) if ((w -= weight) < 0) return make(rnd, c, time);
  return SCENARIOS[0]![1](rnd, c, time);
}

/** The endpoints of the synthetic cluster with the policy entries its policies would produce. */
export function syntheticEndpoints(c: SyntheticCluster): EndpointInfo[] {
  const id = (app: string) => c.byApp.get(app)![0]!.identity;
  const entries: Record<string, PolicyEntry[]> = {
    deathstar: [{ direction: 'ingress', identity: id('tiefighter'), port: 'TCP/80', verdict: 'allow', policy: 'default/rule1', packets: 18230 }],
    cart: [{ direction: 'ingress', identity: id('frontend'), port: 'TCP/8080', verdict: 'allow', policy: 'shop/allow-shop-internal', packets: 9120 }],
    checkout: [
      { direction: 'ingress', identity: id('cart'), port: 'TCP/8080', verdict: 'allow', policy: 'shop/allow-shop-internal', packets: 4410 },
      { direction: 'egress', identity: 2, port: 'ANY/0', verdict: 'deny', policy: 'shop/checkout-deny-world', packets: 310 },
      { direction: 'egress', identity: 0, port: 'ANY/0', verdict: 'allow', policy: 'shop/checkout-deny-world', packets: 8000 },
    ],
  };
  const list: EndpointInfo[] = c.pods.map((p) => {
    const pe = entries[p.app];
    return {
      node: p.node, id: p.id, identity: p.identity, labels: p.labels, ipv4: p.ip, ipv6: p.ipv6,
      ingressEnforcement: !!pe?.some((e) => e.direction === 'ingress'), egressEnforcement: !!pe?.some((e) => e.direction === 'egress'),
      status: 'ready', policyEntries: pe ?? [],
    };
  });
  c.nodes.forEach((node, i) => list.push({
    node, id: 1 + i, identity: 1, labels: ['reserved:host'], ipv4: `172.18.0.${i + 2}`, ingressEnforcement: false, egressEnforcement: false, status: 'ready', policyEntries: [],
  }));
  return list;
}
