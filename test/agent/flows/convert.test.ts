// Datapath events to Hubble flows with enrichment from a table-driven context.
import test from 'ava';
import type { Endpoint, Policy } from '../../../api/types.ts';
import type { NetobsEvent } from '../../../bpf/loader/events.ts';
import type { FlowContext } from '../../../agent/flows/context.ts';
import { connectionDirection, convertEvent, tcpFlags } from '../../../agent/flows/convert.ts';
import { eventConverter } from '../../../agent/runtime/flow-events.ts';
import { L7Decoder } from '../../../agent/flows/l7.ts';
import { DnsNames } from '../../../agent/flows/dns-names.ts';

const client: Endpoint = { ID: 12, identity: 300, namespace: 'shop', labels: ['k8s:app=frontend'], pod_name: 'frontend-1', workloads: [{ name: 'frontend', kind: 'Deployment' }] };
const server: Endpoint = { identity: 301, namespace: 'shop', labels: ['k8s:app=backend'], pod_name: 'backend-1' };
const allowPolicy: Policy = { name: 'allow-frontend', namespace: 'shop', kind: 'NetobsNetworkPolicy' };

function context(names = new DnsNames()): FlowContext {
  return {
    nodeName: 'node-a',
    endpointByIp: (ip) => ({ '10.0.0.1': client, '10.0.0.2': server })[ip],
    identityLabels: (id) => (id === 2 ? ['reserved:world'] : []),
    serviceOf: (ip, port) => (ip === '10.96.0.10' && port === 80 ? { name: 'backend', namespace: 'shop' } : undefined),
    namesOf: (ip) => names.namesOf(ip, 0),
    rule: (id) => (id === 77 ? { deny: false, policies: [allowPolicy] } : id === 88 ? { deny: true, policies: [{ name: 'deny-all' }] } : undefined),
    enforcers: (ep, dir) => (ep === 12 && dir === 'ingress' ? [allowPolicy] : []),
    interfaceName: (i) => (i === 5 ? 'lxc12' : undefined),
    wallTime: (ns) => ({ seconds: Number(ns / 1_000_000_000n), nanos: Number(ns % 1_000_000_000n) }),
  };
}

function event(o: Partial<NetobsEvent>): NetobsEvent {
  return {
    type: 4, subType: 5, direction: 2, verdict: 1, matchType: 0, ipVersion: 4, protocol: 6, timestampNs: 5_000_000_123n,
    ifindex: 5, endpointId: 12, srcIdentity: 300, dstIdentity: 301, srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 40000,
    dstPort: 80, tcpFlags: 0x02, icmpType: 0, icmpCode: 0, isReply: false, newConnection: true, related: false, fragment: false,
    dropReason: 0, length: 60, ruleId: 0, tcpState: 'syn-sent', packets: 1n, bytes: 60n, ...o,
  };
}

test('a trace from a pod: endpoints, L4 with flags, observation point, direction, interface, time', (t) => {
  const f = convertEvent(event({ ruleId: 77, matchType: 2 }), context());
  t.like(f, {
    verdict: 1, Type: 1, event_type: { type: 4, sub_type: 5 }, trace_observation_point: 5, traffic_direction: 2,
    is_reply: { value: false }, node_name: 'node-a', interface: { index: 5, name: 'lxc12' }, time: { seconds: 5, nanos: 123 },
    IP: { source: '10.0.0.1', destination: '10.0.0.2', ipVersion: 1 }, l4: { TCP: { source_port: 40000, destination_port: 80, flags: { SYN: true } } },
    policy_match_type: 2,
  });
  t.deepEqual(f.source, client);
  t.deepEqual(f.destination, server);
  t.deepEqual(f.egress_allowed_by, [allowPolicy]);
  t.is(f.ingress_allowed_by, undefined);
  t.is(typeof f.uuid, 'string');
});

test('to-endpoint is TraceObservationPoint 101; a reply belongs to the connection direction', (t) => {
  const f = convertEvent(event({ subType: 0, direction: 1, isReply: true, srcIp: '10.0.0.2', dstIp: '10.0.0.1', tcpFlags: 0x12 }), context());
  t.is(f.trace_observation_point, 101);
  t.is(f.traffic_direction, 2, 'reply arriving at the client: its egress connection');
  t.deepEqual(f.is_reply, { value: true });
  t.deepEqual(f.l4?.TCP?.flags, { SYN: true, ACK: true });
  t.is(connectionDirection({ direction: 2, isReply: true }), 1);
  t.is(connectionDirection({ direction: 2, isReply: undefined }), 2);
});

test('a default-deny drop names the policies that made the endpoint default-deny', (t) => {
  const f = convertEvent(event({ type: 1, subType: 133, direction: 1, verdict: 2, dropReason: 133, srcIp: '10.0.0.2', dstIp: '10.0.0.1' }), context());
  t.like(f, { verdict: 2, drop_reason_desc: 133, event_type: { type: 1, sub_type: 133 }, traffic_direction: 1 });
  t.deepEqual(f.ingress_denied_by, [allowPolicy]);
  t.is(f.trace_observation_point, undefined);
});

test('a deny entry drop names the deny policy; a policy verdict carries the match type', (t) => {
  const f = convertEvent(event({ type: 1, subType: 181, verdict: 2, dropReason: 181, ruleId: 88 }), context());
  t.deepEqual(f.egress_denied_by, [{ name: 'deny-all' }]);
  const v = convertEvent(event({ type: 5, subType: 0, verdict: 1, ruleId: 77, matchType: 2 }), context());
  t.like(v, { verdict: 1, event_type: { type: 5, sub_type: 0 }, policy_match_type: 2 });
  t.deepEqual(v.egress_allowed_by, [allowPolicy]);
});

test('world, services, unknown reply direction, ICMP and UDP', (t) => {
  const f = convertEvent(event({ dstIp: '10.96.0.10', dstIdentity: 2, isReply: undefined }), context());
  t.deepEqual(f.destination, { identity: 2, labels: ['reserved:world'] });
  t.deepEqual(f.destination_service, { name: 'backend', namespace: 'shop' });
  t.is(f.is_reply, undefined);
  t.deepEqual(convertEvent(event({ protocol: 1, icmpType: 8, icmpCode: 0 }), context()).l4, { ICMPv4: { type: 8, code: 0 } });
  t.deepEqual(convertEvent(event({ protocol: 17, dstPort: 53 }), context()).l4, { UDP: { source_port: 40000, destination_port: 53 } });
  t.deepEqual(tcpFlags(0xff), { FIN: true, SYN: true, RST: true, PSH: true, ACK: true, URG: true, ECE: true, CWR: true });
});

function dnsMessage(response: boolean): Uint8Array {
  const q = [7, ...Buffer.from('example'), 3, ...Buffer.from('com'), 0, 0, 1, 0, 1];
  const header = [0x12, 0x34, response ? 0x81 : 0x01, response ? 0x80 : 0x00, 0, 1, 0, response ? 1 : 0, 0, 0, 0, 0];
  const answer = response ? [0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 93, 184, 216, 34] : [];
  return new Uint8Array([...header, ...q, ...answer]);
}

test('DNS query and response become L7 flows with latency; the answer names the IP in later flows', (t) => {
  const names = new DnsNames();
  const ctx = context(names);
  const convert = eventConverter(ctx, new L7Decoder(names, () => 0));
  const q = convert(event({ type: 129, protocol: 17, dstPort: 53, srcPort: 5353, dstIp: '10.0.0.2', payload: dnsMessage(false), timestampNs: 1_000_000n }));
  t.is(q.length, 2, 'first packet of the connection: its trace and the L7 request');
  t.like(q[1], { Type: 2, event_type: { type: 129 }, l7: { type: 1, dns: { query: 'example.com.', qtypes: ['A'] } } });
  t.is(q[1]?.trace_observation_point, undefined);
  const r = convert(event({ type: 129, protocol: 17, srcPort: 53, dstPort: 5353, srcIp: '10.0.0.2', dstIp: '10.0.0.1', isReply: true, newConnection: false, payload: dnsMessage(true), timestampNs: 3_500_000n }));
  t.is(r.length, 1);
  t.like(r[0], { Type: 2, l7: { type: 2, latency_ns: 2_500_000, dns: { query: 'example.com.', ips: ['93.184.216.34'], rcode: 0, ttl: 60 } } });
  const later = convertEvent(event({ dstIp: '93.184.216.34', dstIdentity: 2 }), ctx);
  t.deepEqual(later.destination_names, ['example.com']);
});

test('HTTP request and response pair into L7 flows with method, URL, code and latency', (t) => {
  const convert = eventConverter(context(), new L7Decoder(new DnsNames()));
  const req = convert(event({ type: 129, newConnection: false, tcpFlags: 0x18, payload: new Uint8Array(Buffer.from('GET /hello HTTP/1.1\r\nHost: backend\r\n\r\n')), timestampNs: 10_000n }));
  t.like(req[0], { Type: 2, l7: { type: 1, http: { method: 'GET', url: 'http://backend/hello', protocol: 'HTTP/1.1' } } });
  const res = convert(event({ type: 129, newConnection: false, srcIp: '10.0.0.2', dstIp: '10.0.0.1', srcPort: 80, dstPort: 40000, isReply: true, payload: new Uint8Array(Buffer.from('HTTP/1.1 200 OK\r\n\r\n')), timestampNs: 60_000n }));
  t.like(res[0], { l7: { type: 2, latency_ns: 50_000, http: { code: 200, method: 'GET', url: 'http://backend/hello' } } });
  const junk = convert(event({ type: 129, newConnection: false, payload: new Uint8Array([1, 2, 3]) }));
  t.is(junk[0]?.Type, 1, 'unparsable payload still makes its L3/L4 flow');
});
