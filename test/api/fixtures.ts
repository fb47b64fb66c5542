// Fixed flows shared by the api tests (codec round-trips and printer goldens).
import type { Flow, GetFlowsResponse } from '../../api/types.ts';

/** 1970-01-01T00:20:34.567Z: the seed's `Jan  1 00:20:34.567` in UTC. */
export const T0 = { seconds: 1234, nanos: 567_000_000 };

export const sampleFlow: Flow = {
  time: { seconds: 1700000000, nanos: 123456789 },
  uuid: '6f1c2d55-0000-4000-8000-000000000001',
  verdict: 2,
  ethernet: { source: '0a:00:00:00:00:01', destination: '0a:00:00:00:00:02' },
  IP: { source: '10.0.1.5', destination: '10.0.2.7', ipVersion: 1 },
  l4: { TCP: { source_port: 49610, destination_port: 80, flags: { SYN: true } } },
  source: { ID: 1234, identity: 16092, namespace: 'default', labels: ['k8s:class=xwing'], pod_name: 'xwing', workloads: [{ name: 'xwing', kind: 'Deployment' }] },
  destination: { identity: 16081, namespace: 'default', labels: ['k8s:class=deathstar'], pod_name: 'deathstar' },
  Type: 1,
  node_name: 'lab/node-1',
  node_labels: ['kubernetes.io/hostname=node-1'],
  destination_names: ['deathstar.default.svc.cluster.local'],
  event_type: { type: 1, sub_type: 133 },
  destination_service: { name: 'deathstar', namespace: 'default' },
  traffic_direction: 1,
  policy_match_type: 2,
  drop_reason_desc: 133,
  is_reply: { value: true },
  interface: { index: 7, name: 'lxc1234' },
  Summary: 'TCP Flags: SYN',
  ingress_denied_by: [{ name: 'deny-xwing', namespace: 'default', labels: ['k8s:io.cilium.k8s.policy.name=deny-xwing'], revision: 9, kind: 'NetworkPolicy' }],
};

const xwing = { ID: 1234, identity: 16092, namespace: 'default', labels: ['k8s:class=xwing', 'k8s:org=alliance'], pod_name: 'xwing' };
const deathstar = { ID: 99, identity: 16081, namespace: 'default', labels: ['k8s:class=deathstar', 'k8s:org=empire'], pod_name: 'deathstar' };
const coredns = { ID: 7, identity: 453, namespace: 'kube-system', labels: ['k8s:k8s-app=kube-dns'], pod_name: 'coredns-66bff467f8-28dgp' };
const world = { identity: 2, labels: ['reserved:world'] };

/** One flow of each kind the printers must handle. */
export const printerFlows: Flow[] = [
  // The seed's policy drop.
  {
    time: T0, verdict: 2, drop_reason_desc: 133, Type: 1, node_name: 'node-1',
    IP: { source: '10.0.1.5', destination: '10.0.2.7', ipVersion: 1 },
    l4: { TCP: { source_port: 49610, destination_port: 80, flags: { SYN: true } } },
    source: xwing, destination: deathstar, event_type: { type: 1, sub_type: 133 },
    traffic_direction: 1, is_reply: { value: false }, Summary: 'TCP Flags: SYN',
  },
  // A reply to a world host, printed client first with `<-`.
  {
    time: { seconds: 1234, nanos: 600_000_000 }, verdict: 1, Type: 1, node_name: 'node-1',
    IP: { source: '104.18.1.1', destination: '10.0.1.5', ipVersion: 1 },
    l4: { TCP: { source_port: 443, destination_port: 37836, flags: { SYN: true, ACK: true } } },
    source: world, destination: xwing, source_names: ['www.disney.com'], event_type: { type: 4, sub_type: 0 },
    trace_observation_point: 101, traffic_direction: 2, is_reply: { value: true },
  },
  // UDP with unknown direction, a service name and IPv6.
  {
    time: { seconds: 1234, nanos: 700_000_000 }, verdict: 1, Type: 1, node_name: 'node-2',
    IP: { source: 'fd00::5', destination: 'fd00::a', ipVersion: 2 },
    l4: { UDP: { source_port: 41391, destination_port: 53 } },
    source: { identity: 16092, namespace: 'default', labels: [] }, destination: { identity: 453 },
    destination_service: { name: 'kube-dns', namespace: 'kube-system' }, event_type: { type: 4, sub_type: 3 },
  },
  // ICMP echo from the host.
  {
    time: { seconds: 1234, nanos: 800_000_000 }, verdict: 1, Type: 1,
    IP: { source: '192.168.1.10', destination: '10.0.1.5', ipVersion: 1 },
    l4: { ICMPv4: { type: 8, code: 0 } },
    source: { identity: 1, labels: ['reserved:host'] }, destination: xwing, event_type: { type: 4, sub_type: 2 },
    is_reply: { value: false },
  },
  // A policy verdict event.
  {
    time: { seconds: 1234, nanos: 900_000_000 }, verdict: 1, Type: 1,
    IP: { source: '10.0.1.5', destination: '10.0.2.7', ipVersion: 1 },
    l4: { TCP: { source_port: 49611, destination_port: 80, flags: { SYN: true } } },
    source: xwing, destination: deathstar, event_type: { type: 5 }, traffic_direction: 1, policy_match_type: 2,
    is_reply: { value: false },
  },
  // HTTP request and response.
  {
    time: { seconds: 1235, nanos: 0 }, verdict: 1, Type: 2,
    IP: { source: '10.0.1.5', destination: '10.0.2.7', ipVersion: 1 },
    l4: { TCP: { source_port: 49612, destination_port: 80 } },
    source: xwing, destination: deathstar, event_type: { type: 129 }, traffic_direction: 2, is_reply: { value: false },
    l7: { type: 1, http: { method: 'POST', url: 'http://deathstar.default.svc.cluster.local/v1/request-landing', protocol: 'HTTP/1.1' } },
  },
  {
    time: { seconds: 1235, nanos: 4_000_000 }, verdict: 1, Type: 2,
    IP: { source: '10.0.2.7', destination: '10.0.1.5', ipVersion: 1 },
    l4: { TCP: { source_port: 80, destination_port: 49612 } },
    source: deathstar, destination: xwing, event_type: { type: 129 }, traffic_direction: 2, is_reply: { value: true },
    l7: { type: 2, latency_ns: 4_200_000, http: { code: 200, method: 'POST', url: 'http://deathstar.default.svc.cluster.local/v1/request-landing', protocol: 'HTTP/1.1' } },
  },
  // DNS query and answer.
  {
    time: { seconds: 1236, nanos: 0 }, verdict: 1, Type: 2,
    IP: { source: '10.0.1.5', destination: '10.0.0.10', ipVersion: 1 },
    l4: { UDP: { source_port: 41391, destination_port: 53 } },
    source: xwing, destination: coredns, event_type: { type: 129 }, traffic_direction: 2, is_reply: { value: false },
    l7: { type: 1, dns: { query: 'www.disney.com.', qtypes: ['A'] } },
  },
  {
    time: { seconds: 1236, nanos: 1_500_000 }, verdict: 1, Type: 2,
    IP: { source: '10.0.0.10', destination: '10.0.1.5', ipVersion: 1 },
    l4: { UDP: { source_port: 53, destination_port: 41391 } },
    source: coredns, destination: xwing, event_type: { type: 129 }, traffic_direction: 2, is_reply: { value: true },
    l7: { type: 2, latency_ns: 1_500_000, dns: { query: 'www.disney.com.', qtypes: ['A'], ips: ['104.18.1.1', '104.18.1.2'], ttl: 30, rrtypes: ['A'] } },
  },
];

/** More flows for the printer goldens: policy verdict drop, DNS error via the proxy, CNAMEs, an unknown drop reason, no port. */
export const printerEdgeFlows: Flow[] = [
  {
    time: { seconds: 1237, nanos: 0 }, verdict: 2, Type: 1, node_name: 'node-1',
    IP: { source: '10.0.1.5', destination: '10.0.2.7', ipVersion: 1 },
    l4: { TCP: { source_port: 49613, destination_port: 80, flags: { SYN: true } } },
    source: xwing, destination: deathstar, event_type: { type: 5 }, traffic_direction: 1, policy_match_type: 0,
    drop_reason_desc: 133,
  },
  {
    time: { seconds: 1237, nanos: 100_000_000 }, verdict: 1, Type: 2,
    IP: { source: '10.0.0.10', destination: '10.0.1.5', ipVersion: 1 },
    l4: { UDP: { source_port: 53, destination_port: 41392 } },
    source: coredns, destination: xwing, event_type: { type: 129 }, traffic_direction: 2, is_reply: { value: true },
    l7: { type: 2, dns: { query: 'nope.example.', qtypes: ['A', 'AAAA'], rcode: 3, observation_source: 'proxy' } },
  },
  {
    time: { seconds: 1237, nanos: 200_000_000 }, verdict: 1, Type: 2,
    IP: { source: '10.0.0.10', destination: '10.0.1.5', ipVersion: 1 },
    l4: { UDP: { source_port: 53, destination_port: 41393 } },
    source: coredns, destination: xwing, event_type: { type: 129 }, traffic_direction: 2, is_reply: { value: true },
    l7: { type: 2, dns: { query: 'www.example.com.', qtypes: ['A'], cnames: ['example.com.'], ttl: 5 } },
  },
  {
    time: { seconds: 1237, nanos: 300_000_000 }, verdict: 2, Type: 1, node_name: 'node-2',
    IP: { source: '10.0.1.5', destination: '10.0.9.9', ipVersion: 1 },
    l4: { ICMPv4: { type: 3, code: 3 } },
    source: xwing, destination: { identity: 16777217 }, event_type: { type: 1, sub_type: 250 },
  },
];

export const lostResponse: GetFlowsResponse = { lost_events: { source: 3, num_events_lost: 12, cpu: { value: 0 } }, node_name: 'node-1' };
