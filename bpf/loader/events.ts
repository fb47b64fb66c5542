// The ring buffer event layout (version 1) and its DataView decoder. Pure.
// Keep in sync with bpf/lib/events.h (struct netobs_event) and bpf/README.md;
// test/bpf/layout.test.ts checks EVENT_LAYOUT against the object's BTF.
import { formatIp } from './addr.ts';
import { PAYLOAD_MAX, TCP_STATES, type StructLayout } from './layout.ts';

export const EVENT_LAYOUT_VERSION = 1;

/** CiliumEventType.type numbers. Source: bpf/lib/events.h EVENT_*, OBS_*; copies: api/types.ts
 * EventType, api/names.ts TRACE_POINT_NAME; test/bpf/constants-drift.test.ts checks them. */
export const EventType = { DROP: 1, TRACE: 4, POLICY_VERDICT: 5, L7: 129 } as const;
/** Datapath observation points (trace sub_type). */
export const ObsPoint = { TO_ENDPOINT: 0, FROM_ENDPOINT: 5 } as const;

export const EventFlags = {
  IS_REPLY: 0x01,
  REPLY_KNOWN: 0x02,
  CT_NEW: 0x04,
  PAYLOAD: 0x08,
  RELATED: 0x10,
  FRAGMENT: 0x20,
} as const;

export const EVENT_LAYOUT = {
  size: 104,
  fields: {
    version: [0, 1],
    type: [1, 1],
    sub_type: [2, 1],
    direction: [3, 1],
    verdict: [4, 1],
    match_type: [5, 1],
    family: [6, 1],
    proto: [7, 1],
    ts_ns: [8, 8],
    ifindex: [16, 4],
    endpoint_id: [20, 4],
    src_identity: [24, 4],
    dst_identity: [28, 4],
    saddr: [32, 16],
    daddr: [48, 16],
    sport: [64, 2],
    dport: [66, 2],
    tcp_flags: [68, 1],
    icmp_type: [69, 1],
    icmp_code: [70, 1],
    flags: [71, 1],
    drop_reason: [72, 2],
    payload_len: [74, 2],
    orig_len: [76, 4],
    rule_id: [80, 4],
    tcp_state: [84, 1],
    pad: [85, 3],
    packets: [88, 8],
    bytes: [96, 8],
    payload: [104, 0],
  },
} as const satisfies StructLayout;

export interface NetobsEvent {
  type: number;
  subType: number;
  /** 1 ingress (to the pod), 2 egress (from the pod). */
  direction: number;
  /** 1 forwarded, 2 dropped. */
  verdict: number;
  matchType: number;
  ipVersion: 4 | 6;
  protocol: number;
  /** CLOCK_MONOTONIC nanoseconds. */
  timestampNs: bigint;
  ifindex: number;
  endpointId: number;
  srcIdentity: number;
  dstIdentity: number;
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  tcpFlags: number;
  icmpType: number;
  icmpCode: number;
  /** true/false for reply/request, undefined when the datapath did not know. */
  isReply: boolean | undefined;
  newConnection: boolean;
  related: boolean;
  fragment: boolean;
  dropReason: number;
  length: number;
  ruleId: number;
  tcpState: (typeof TCP_STATES)[number];
  /** Connection totals in this packet's direction. */
  packets: bigint;
  bytes: bigint;
  /** First payload bytes (L7 events), a copy. */
  payload?: Uint8Array;
}

const L = EVENT_LAYOUT.fields;

/** Decodes one record at `off` (`len` bytes). Throws on a layout version it does not know. */
export function decodeEvent(view: DataView, off: number, len: number): NetobsEvent {
  if (len < EVENT_LAYOUT.size) throw new Error(`decode event: record of ${len} bytes, need ${EVENT_LAYOUT.size}`);
  const version = view.getUint8(off + L.version[0]);
  if (version !== EVENT_LAYOUT_VERSION) {
    throw new Error(`decode event: layout version ${version}, this decoder knows ${EVENT_LAYOUT_VERSION} (agent and datapath out of step)`);
  }
  const flags = view.getUint8(off + L.flags[0]);
  const bytes = new Uint8Array(view.buffer, view.byteOffset + off, len);
  const payloadLen = Math.min(view.getUint16(off + L.payload_len[0], true), PAYLOAD_MAX, len - EVENT_LAYOUT.size);
  const ev: NetobsEvent = {
    type: view.getUint8(off + L.type[0]),
    subType: view.getUint8(off + L.sub_type[0]),
    direction: view.getUint8(off + L.direction[0]),
    verdict: view.getUint8(off + L.verdict[0]),
    matchType: view.getUint8(off + L.match_type[0]),
    ipVersion: view.getUint8(off + L.family[0]) === 6 ? 6 : 4,
    protocol: view.getUint8(off + L.proto[0]),
    timestampNs: view.getBigUint64(off + L.ts_ns[0], true),
    ifindex: view.getUint32(off + L.ifindex[0], true),
    endpointId: view.getUint32(off + L.endpoint_id[0], true),
    srcIdentity: view.getUint32(off + L.src_identity[0], true),
    dstIdentity: view.getUint32(off + L.dst_identity[0], true),
    srcIp: formatIp(bytes, L.saddr[0]),
    dstIp: formatIp(bytes, L.daddr[0]),
    srcPort: view.getUint16(off + L.sport[0], true),
    dstPort: view.getUint16(off + L.dport[0], true),
    tcpFlags: view.getUint8(off + L.tcp_flags[0]),
    icmpType: view.getUint8(off + L.icmp_type[0]),
    icmpCode: view.getUint8(off + L.icmp_code[0]),
    isReply: flags & EventFlags.REPLY_KNOWN ? (flags & EventFlags.IS_REPLY) !== 0 : undefined,
    newConnection: (flags & EventFlags.CT_NEW) !== 0,
    related: (flags & EventFlags.RELATED) !== 0,
    fragment: (flags & EventFlags.FRAGMENT) !== 0,
    dropReason: view.getUint16(off + L.drop_reason[0], true),
    length: view.getUint32(off + L.orig_len[0], true),
    ruleId: view.getUint32(off + L.rule_id[0], true),
    tcpState: TCP_STATES[view.getUint8(off + L.tcp_state[0])] ?? 'none',
    packets: view.getBigUint64(off + L.packets[0], true),
    bytes: view.getBigUint64(off + L.bytes[0], true),
  };
  if (flags & EventFlags.PAYLOAD && payloadLen > 0) {
    ev.payload = bytes.slice(EVENT_LAYOUT.size, EVENT_LAYOUT.size + payloadLen);
  }
  return ev;
}
