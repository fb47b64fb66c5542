// Fixed flows of the Star Wars demo (as in the Cilium getting-started guide) for TUI tests.
import type { Flow } from '../../api/types.ts';

const t = (s: number, ms = 0) => ({ seconds: 1_700_000_000 + s, nanos: ms * 1e6 });

export const xwing = { ID: 101, identity: 16092, namespace: 'default', pod_name: 'xwing', labels: ['k8s:app.kubernetes.io/name=xwing', 'k8s:class=xwing', 'k8s:org=alliance'] };
export const tiefighter = { ID: 102, identity: 16093, namespace: 'default', pod_name: 'tiefighter', labels: ['k8s:class=tiefighter', 'k8s:org=empire'] };
export const deathstar = { ID: 103, identity: 16081, namespace: 'default', pod_name: 'deathstar-6f87496d59-abcde', labels: ['k8s:class=deathstar', 'k8s:org=empire'], workloads: [{ name: 'deathstar', kind: 'Deployment' }] };
export const coredns = { ID: 7, identity: 102, namespace: 'kube-system', pod_name: 'coredns-5d78c9869d-x1', labels: ['k8s:k8s-app=kube-dns'] };

export const drop: Flow = {
  time: t(34, 567), verdict: 2, drop_reason_desc: 133, Type: 1, node_name: 'node-1', event_type: { type: 1, sub_type: 133 },
  IP: { source: '10.0.1.15', destination: '10.0.1.20', ipVersion: 1 },
  l4: { TCP: { source_port: 49610, destination_port: 80, flags: { SYN: true } } },
  source: xwing, destination: deathstar, traffic_direction: 1, is_reply: { value: false },
  ingress_denied_by: [{ name: 'rule1', namespace: 'default', kind: 'CiliumNetworkPolicy' }],
};

export const forwarded: Flow = {
  time: t(35, 1), verdict: 1, Type: 1, node_name: 'node-1', event_type: { type: 4, sub_type: 0 }, trace_observation_point: 101,
  IP: { source: '10.0.1.16', destination: '10.0.1.20', ipVersion: 1 },
  l4: { TCP: { source_port: 51000, destination_port: 80, flags: { SYN: true, ACK: true } } },
  source: tiefighter, destination: deathstar, traffic_direction: 1, is_reply: { value: false },
};

export const allowedVerdict: Flow = {
  ...forwarded, time: t(35, 2), event_type: { type: 5, sub_type: 0 }, policy_match_type: 2,
  ingress_allowed_by: [{ name: 'rule1', namespace: 'default', kind: 'CiliumNetworkPolicy' }],
};

export const dns: Flow = {
  time: t(36), verdict: 1, Type: 2, node_name: 'node-2', event_type: { type: 129 },
  IP: { source: '10.0.2.5', destination: '10.0.1.15', ipVersion: 1 },
  l4: { UDP: { source_port: 53, destination_port: 40000 } },
  source: coredns, destination: xwing, is_reply: { value: true }, destination_names: [],
  l7: { type: 2, latency_ns: 2_000_000, dns: { query: 'deathstar.default.svc.cluster.local.', ips: ['10.96.0.10'], ttl: 30, qtypes: ['A'], rrtypes: ['A'], rcode: 0 } },
};

export const http: Flow = {
  time: t(37), verdict: 1, Type: 2, node_name: 'node-1', event_type: { type: 129 },
  IP: { source: '10.0.1.16', destination: '10.0.1.20', ipVersion: 1 },
  l4: { TCP: { source_port: 51000, destination_port: 80 } },
  source: tiefighter, destination: deathstar, is_reply: { value: false }, destination_service: { name: 'deathstar', namespace: 'default' },
  l7: { type: 1, http: { method: 'POST', url: 'http://deathstar.default.svc.cluster.local/v1/request-landing', protocol: 'HTTP/1.1', code: 0 } },
};

export const httpResponse: Flow = {
  ...http, time: t(38), is_reply: { value: true }, source: deathstar, destination: tiefighter,
  destination_service: undefined, source_service: { name: 'deathstar', namespace: 'default' },
  IP: { source: '10.0.1.20', destination: '10.0.1.16', ipVersion: 1 }, l4: { TCP: { source_port: 80, destination_port: 51000 } },
  l7: { type: 2, latency_ns: 1_500_000, http: { method: 'PUT', url: 'http://deathstar.default.svc.cluster.local/v1/exhaust-port', protocol: 'HTTP/1.1', code: 503 } },
};

export const icmp: Flow = {
  time: t(39), verdict: 1, Type: 1, node_name: 'node-2', event_type: { type: 4, sub_type: 11 },
  IP: { source: '10.0.2.7', destination: '8.8.8.8', ipVersion: 1 },
  l4: { ICMPv4: { type: 8, code: 0 } },
  source: { ID: 200, identity: 16100, namespace: 'shop', pod_name: 'cart-1', labels: ['k8s:app=cart'] },
  destination: { identity: 2, labels: ['reserved:world'] }, destination_names: ['dns.google'], traffic_direction: 2,
};

export const allFlows: Flow[] = [drop, forwarded, allowedVerdict, dns, http, httpResponse, icmp];
