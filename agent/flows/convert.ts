// Datapath events to Hubble flows. Numbers follow compat-facts.md: the datapath's trace sub_type
// 0 (to-endpoint) is TraceObservationPoint TO_ENDPOINT (101); traffic_direction is the direction
// of the connection (a reply leaving a pod belongs to an ingress connection), as Hubble decodes
// it; the policy fields name the policies of the entry that decided (rule cookie), or for a
// default-deny drop the policies that made the endpoint default-deny.
import { DropReason as ApiDrop, EventType, FlowType, IPVersion, TraceObservationPoint, TrafficDirection, Verdict } from '../../api/types.ts';
import type { Endpoint, Flow, Layer4, TCPFlags } from '../../api/types.ts';
import type { NetobsEvent } from '../../bpf/loader/index.ts';
import type { FlowContext } from './context.ts';

const PROTO_TCP = 6;
const PROTO_UDP = 17;
const PROTO_ICMP = 1;
const PROTO_ICMPV6 = 58;
const PROTO_SCTP = 132;

export function tcpFlags(bits: number): TCPFlags {
  const f: TCPFlags = {};
  if (bits & 0x01) f.FIN = true;
  if (bits & 0x02) f.SYN = true;
  if (bits & 0x04) f.RST = true;
  if (bits & 0x08) f.PSH = true;
  if (bits & 0x10) f.ACK = true;
  if (bits & 0x20) f.URG = true;
  if (bits & 0x40) f.ECE = true;
  if (bits & 0x80) f.CWR = true;
  return f;
}

export function layer4(ev: NetobsEvent): Layer4 | undefined {
  switch (ev.protocol) {
    case PROTO_TCP: return { TCP: { source_port: ev.srcPort, destination_port: ev.dstPort, flags: tcpFlags(ev.tcpFlags) } };
    case PROTO_UDP: return { UDP: { source_port: ev.srcPort, destination_port: ev.dstPort } };
    case PROTO_SCTP: return { SCTP: { source_port: ev.srcPort, destination_port: ev.dstPort } };
    case PROTO_ICMP: return { ICMPv4: { type: ev.icmpType, code: ev.icmpCode } };
    case PROTO_ICMPV6: return { ICMPv6: { type: ev.icmpType, code: ev.icmpCode } };
    default: return undefined;
  }
}

/** The connection's direction from the endpoint's view: a reply flips the packet's direction. */
export function connectionDirection(ev: Pick<NetobsEvent, 'direction' | 'isReply'>): 1 | 2 | 0 {
  if (ev.direction !== 1 && ev.direction !== 2) return TrafficDirection.TRAFFIC_DIRECTION_UNKNOWN;
  if (ev.isReply) return ev.direction === 1 ? TrafficDirection.EGRESS : TrafficDirection.INGRESS;
  return ev.direction;
}

// Flows are never modified once built, so sub-messages that repeat (event types, reply flags,
// interfaces, non-pod endpoints) are shared between flows: fewer allocations per event.
const REPLY = { true: { value: true }, false: { value: false } } as const;
const eventTypes = new Map<number, { type: number; sub_type: number }>();
function eventType(type: number, sub: number): { type: number; sub_type: number } {
  const k = type * 65536 + sub;
  let e = eventTypes.get(k);
  if (!e) eventTypes.set(k, (e = { type, sub_type: sub }));
  return e;
}
const shared = new WeakMap<FlowContext, { ids: Map<number, Endpoint>; ifs: Map<number, { index: number; name?: string }> }>();
function cacheOf(ctx: FlowContext): { ids: Map<number, Endpoint>; ifs: Map<number, { index: number; name?: string }> } {
  let c = shared.get(ctx);
  if (!c) shared.set(ctx, (c = { ids: new Map(), ifs: new Map() }));
  if (c.ids.size > 4096) c.ids.clear();
  return c;
}

export function endpoint(ctx: FlowContext, ip: string, identity: number): Endpoint {
  const ep = ctx.endpointByIp(ip);
  if (ep) return identity && ep.identity !== identity ? { ...ep, identity } : ep;
  const ids = cacheOf(ctx).ids;
  let e = ids.get(identity);
  if (!e) ids.set(identity, (e = { identity, labels: ctx.identityLabels(identity) }));
  return e;
}

function iface(ctx: FlowContext, ifindex: number): { index: number; name?: string } {
  const ifs = cacheOf(ctx).ifs;
  let i = ifs.get(ifindex);
  const name = ctx.interfaceName(ifindex);
  if (!i || i.name !== name) ifs.set(ifindex, (i = { index: ifindex, ...(name ? { name } : {}) }));
  return i;
}

/** The L3/L4 part every flow of an event shares (endpoints, IP, L4, services, names, time). */
export function baseFlow(ev: NetobsEvent, ctx: FlowContext): Flow {
  const l4 = layer4(ev);
  const f: Flow = {
    time: ctx.wallTime(ev.timestampNs),
    uuid: crypto.randomUUID(),
    IP: { source: ev.srcIp, destination: ev.dstIp, ipVersion: ev.ipVersion === 6 ? IPVersion.IPv6 : IPVersion.IPv4 },
    source: endpoint(ctx, ev.srcIp, ev.srcIdentity),
    destination: endpoint(ctx, ev.dstIp, ev.dstIdentity),
    node_name: ctx.nodeName,
    traffic_direction: connectionDirection(ev),
    interface: iface(ctx, ev.ifindex),
  };
  if (l4) f.l4 = l4;
  if (ev.isReply !== undefined) f.is_reply = ev.isReply ? REPLY.true : REPLY.false;
  const srcSvc = ctx.serviceOf(ev.srcIp, ev.srcPort);
  if (srcSvc) f.source_service = srcSvc;
  const dstSvc = ctx.serviceOf(ev.dstIp, ev.dstPort);
  if (dstSvc) f.destination_service = dstSvc;
  const sn = ctx.namesOf(ev.srcIp);
  if (sn?.length) f.source_names = sn;
  const dn = ctx.namesOf(ev.dstIp);
  if (dn?.length) f.destination_names = dn;
  return f;
}

function setPolicies(f: Flow, ev: NetobsEvent, ctx: FlowContext, verdict: number): void {
  const dir = f.traffic_direction;
  if (dir !== TrafficDirection.INGRESS && dir !== TrafficDirection.EGRESS) return;
  const rule = ctx.rule(ev.ruleId);
  const ingress = dir === TrafficDirection.INGRESS;
  if (verdict === Verdict.DROPPED) {
    const by = rule?.deny ? rule.policies : ev.dropReason === ApiDrop.POLICY_DENIED ? ctx.enforcers(ev.endpointId, ingress ? 'ingress' : 'egress') : [];
    if (by.length) f[ingress ? 'ingress_denied_by' : 'egress_denied_by'] = [...by];
  } else if (rule && !rule.deny) {
    f[ingress ? 'ingress_allowed_by' : 'egress_allowed_by'] = [...rule.policies];
  }
}

/** The L3/L4 flow of one event (trace, drop or policy verdict). */
export function convertEvent(ev: NetobsEvent, ctx: FlowContext): Flow {
  const f = baseFlow(ev, ctx);
  f.Type = FlowType.L3_L4;
  if (ev.type === EventType.DROP) {
    f.verdict = Verdict.DROPPED;
    f.drop_reason = ev.dropReason;
    f.drop_reason_desc = ev.dropReason;
    f.event_type = eventType(EventType.DROP, ev.subType);
  } else if (ev.type === EventType.POLICY_VERDICT) {
    f.verdict = ev.verdict === 2 ? Verdict.DROPPED : Verdict.FORWARDED;
    if (f.verdict === Verdict.DROPPED) {
      f.drop_reason = ev.dropReason;
      f.drop_reason_desc = ev.dropReason;
    }
    f.event_type = eventType(EventType.POLICY_VERDICT, 0);
  } else {
    f.verdict = Verdict.FORWARDED;
    f.event_type = eventType(EventType.TRACE, ev.subType);
    f.trace_observation_point = (ev.subType === 0 ? TraceObservationPoint.TO_ENDPOINT : ev.subType) as TraceObservationPoint;
  }
  if (ev.matchType) f.policy_match_type = ev.matchType;
  setPolicies(f, ev, ctx, f.verdict);
  return f;
}
