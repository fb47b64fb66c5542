// Numbers and map key/value layouts shared with the C datapath (bpf/lib/*.h). Pure.
// Keep in sync with the headers named on each table; test/bpf/layout.test.ts checks
// every STRUCTS entry against the object's BTF, field by field.

/** Hubble TrafficDirection, as seen by the pod. */
export const Direction = { INGRESS: 1, EGRESS: 2 } as const;
export type Direction = (typeof Direction)[keyof typeof Direction];

/** Hubble Verdict. */
export const Verdict = { FORWARDED: 1, DROPPED: 2 } as const;

/**
 * Hubble DropReason numbers used by the datapath. Source: bpf/lib/drop.h; copies: this one,
 * api/types.ts DropReason and api/names.ts (wire names and texts); test/bpf/constants-drift.test.ts
 * fails when they drift.
 */
export const DropReason = {
  INVALID_SOURCE_IP: 132,
  POLICY_DENIED: 133,
  INVALID_PACKET_DROPPED: 134,
  CT_TRUNCATED_OR_INVALID_HEADER: 135,
  UNSUPPORTED_L3_PROTOCOL: 139,
  UNKNOWN_ICMPV4_TYPE: 144,
  STALE_OR_UNROUTABLE_IP: 151,
  CT_MAP_INSERTION_FAILED: 155,
  INVALID_IPV6_EXTENSION_HEADER: 156,
  IP_FRAGMENTATION_NOT_SUPPORTED: 157,
  SERVICE_BACKEND_NOT_FOUND: 158,
  FORBIDDEN_ICMPV6_MESSAGE: 176,
  SOCKET_LOOKUP_FAILED: 178,
  POLICY_DENY: 181,
  DROP_EP_NOT_READY: 203,
} as const;

export const DROP_REASON_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(DropReason).map(([k, v]) => [v, k]),
);

/** Hubble policy_match_type (bpf/lib/policy.h MATCH_*). */
export const MatchType = { NONE: 0, L3_ONLY: 1, L3_L4: 2, L4_ONLY: 3, ALL: 4, L3_PROTO: 5, PROTO_ONLY: 6 } as const;

/** bpf/lib/endpoints.h EP_F_*. */
export const EndpointFlags = { ENFORCE_INGRESS: 0x1, ENFORCE_EGRESS: 0x2, NOT_READY: 0x4, CHECK_SOURCE: 0x8 } as const;

/** bpf/lib/policy.h POLICY_*. */
export const PolicyAction = { ALLOW: 1, DENY: 2, PROXY: 3 } as const;
/** proxy: allowed only through the agent's L7 proxy (dropped when it reaches the endpoint unredirected). */
export type PolicyAction = 'allow' | 'deny' | 'proxy';

/**
 * bpf/lib/policy.h POLICY_*_PREFIX: LPM prefix lengths of a policy key. STATIC covers endpoint,
 * identity and direction (every protocol), PROTO adds the protocol (every port), each bit
 * beyond adds one bit of the port, FULL is one exact port.
 */
export const PolicyPrefix = { STATIC: 72, PROTO: 80, FULL: 96 } as const;

/** bpf/lib/conntrack.h CT_F_SVC: the entry's connection was sent to a Service address. */
export const CT_F_SVC = 0x2;
/** bpf/lib/conntrack.h CT_F_PROXY: the pod's packets of this connection go to the egress L7 proxy. */
export const CT_F_PROXY = 0x4;
/** bpf/lib/l7.h L7_PROXY_MARK: the mark of packets diverted to an L7 proxy (agent/proxy/redirect.ts). */
export const L7_PROXY_MARK = 0x200;

/** bpf/lib/conntrack.h CT_TCP_*. */
export const TCP_STATES = ['none', 'syn-sent', 'established', 'fin-wait', 'closed'] as const;

/** bpf/lib/conntrack.h CT_LIFETIME_* (seconds since an entry's last packet). */
export const CT_LIFETIME_S = { TCP: 21600, SYN: 60, CLOSE: 10, NONTCP: 60 } as const;

/** How long an entry lives after its last packet (the datapath's ct_lifetime_ns). */
export function conntrackLifetimeNs(protocol: number, tcpState: (typeof TCP_STATES)[number]): bigint {
  let s: number = CT_LIFETIME_S.NONTCP;
  if (protocol === 6) s = tcpState === 'established' ? CT_LIFETIME_S.TCP : tcpState === 'fin-wait' || tcpState === 'closed' ? CT_LIFETIME_S.CLOSE : CT_LIFETIME_S.SYN;
  return BigInt(s) * 1_000_000_000n;
}

/** bpf/lib/config.h CFG_*. */
export const ConfigFlags = { EVENTS: 0x1, TRACE: 0x2, POLICY_VERDICT: 0x4, L7: 0x8 } as const;
export const CONFIG_HTTP_PORTS = 7;
export const PAYLOAD_MAX = 128;

/** bpf/lib/metrics.h: index = direction * 256 + reason (0 = forwarded). */
export const METRICS_ENTRIES = 3 * 256;

export interface StructLayout {
  size: number;
  /** field name (as in C) -> [byte offset, byte size] */
  fields: Record<string, readonly [number, number]>;
}

/** C struct layouts, by C struct name. */
export const STRUCTS = {
  netobs_config: {
    size: 24,
    fields: { flags: [0, 4], report_interval_ms: [4, 4], capture_len: [8, 2], http_ports: [10, 14] },
  },
  ipcache_key: { size: 20, fields: { prefixlen: [0, 4], addr: [4, 16] } },
  ipcache_value: { size: 8, fields: { identity: [0, 4], tunnel_endpoint: [4, 4] } },
  endpoint_info: {
    size: 36,
    fields: { endpoint_id: [0, 4], identity: [4, 4], flags: [8, 4], ipv4: [12, 4], ipv6: [16, 16], policy_rev: [32, 4] },
  },
  policy_key: {
    size: 16,
    fields: { prefixlen: [0, 4], endpoint_id: [4, 4], remote_identity: [8, 4], direction: [12, 1], proto: [13, 1], dport: [14, 2] },
  },
  policy_value: { size: 8, fields: { action: [0, 1], prefixlen: [1, 1], pad: [2, 2], rule_id: [4, 4] } },
  ct_key: {
    size: 44,
    fields: {
      saddr: [0, 16], daddr: [16, 16], sport: [32, 2], dport: [34, 2], proto: [36, 1], direction: [37, 1], pad: [38, 2],
      endpoint_id: [40, 4],
    },
  },
  ct_entry: {
    size: 104,
    fields: {
      packets_fwd: [0, 8],
      bytes_fwd: [8, 8],
      packets_rev: [16, 8],
      bytes_rev: [24, 8],
      created_ns: [32, 8],
      last_seen_ns: [40, 8],
      last_report_ns: [48, 8],
      src_identity: [56, 4],
      dst_identity: [60, 4],
      rule_id: [64, 4],
      tcp_seen_fwd: [68, 1],
      tcp_seen_rev: [69, 1],
      tcp_state: [70, 1],
      flags: [71, 1],
      match_type: [72, 1],
      denied: [73, 1],
      policy_port: [74, 2],
      policy_rev: [76, 4],
      nat_addr: [80, 16],
      nat_port: [96, 2],
      svc_id: [98, 2],
      pad2: [100, 4],
    },
  },
  lb_key: { size: 24, fields: { addr: [0, 16], port: [16, 2], slot: [18, 2], proto: [20, 1], pad: [21, 3] } },
  lb_value: { size: 8, fields: { backend_id: [0, 4], count: [4, 2], svc_id: [6, 2] } },
  lb_backend: { size: 20, fields: { addr: [0, 16], port: [16, 2], pad: [18, 2] } },
  lb_conn: { size: 8, fields: { backend_id: [0, 4], svc_id: [4, 4] } },
  metrics_value: { size: 16, fields: { packets: [0, 8], bytes: [8, 8] } },
  l7_orig_key: { size: 20, fields: { addr: [0, 16], port: [16, 2], proto: [18, 1], pad: [19, 1] } },
  l7_orig_value: { size: 20, fields: { addr: [0, 16], port: [16, 2], pad: [18, 2] } },
} as const satisfies Record<string, StructLayout>;

const F = STRUCTS;
const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

export interface DatapathConfig {
  events: boolean;
  traceEvents: boolean;
  policyVerdictEvents: boolean;
  l7: boolean;
  /** At most one trace per connection per interval (besides TCP flag changes). */
  reportIntervalMs: number;
  /** Payload bytes copied for DNS/HTTP, at most PAYLOAD_MAX. */
  captureLen: number;
  /** TCP ports whose HTTP/1.x request and status lines are copied (at most 7). */
  httpPorts: number[];
}

export const DEFAULT_CONFIG: DatapathConfig = {
  events: true,
  traceEvents: true,
  policyVerdictEvents: true,
  l7: true,
  reportIntervalMs: 5000,
  captureLen: PAYLOAD_MAX,
  httpPorts: [80, 8080],
};

export function encodeConfig(c: DatapathConfig): Uint8Array {
  if (c.httpPorts.length > CONFIG_HTTP_PORTS) {
    throw new Error(`datapath config: at most ${CONFIG_HTTP_PORTS} HTTP ports, got ${c.httpPorts.length}`);
  }
  const b = new Uint8Array(F.netobs_config.size);
  const v = dv(b);
  const flags =
    (c.events ? ConfigFlags.EVENTS : 0) |
    (c.traceEvents ? ConfigFlags.TRACE : 0) |
    (c.policyVerdictEvents ? ConfigFlags.POLICY_VERDICT : 0) |
    (c.l7 ? ConfigFlags.L7 : 0);
  v.setUint32(F.netobs_config.fields.flags[0], flags, true);
  v.setUint32(F.netobs_config.fields.report_interval_ms[0], c.reportIntervalMs, true);
  v.setUint16(F.netobs_config.fields.capture_len[0], Math.min(c.captureLen, PAYLOAD_MAX), true);
  c.httpPorts.forEach((p, i) => v.setUint16(F.netobs_config.fields.http_ports[0] + i * 2, p, true));
  return b;
}

export function decodeConfig(b: Uint8Array): DatapathConfig {
  const v = dv(b);
  const flags = v.getUint32(F.netobs_config.fields.flags[0], true);
  const httpPorts: number[] = [];
  for (let i = 0; i < CONFIG_HTTP_PORTS; i++) {
    const p = v.getUint16(F.netobs_config.fields.http_ports[0] + i * 2, true);
    if (p) httpPorts.push(p);
  }
  return {
    events: (flags & ConfigFlags.EVENTS) !== 0,
    traceEvents: (flags & ConfigFlags.TRACE) !== 0,
    policyVerdictEvents: (flags & ConfigFlags.POLICY_VERDICT) !== 0,
    l7: (flags & ConfigFlags.L7) !== 0,
    reportIntervalMs: v.getUint32(F.netobs_config.fields.report_interval_ms[0], true),
    captureLen: v.getUint16(F.netobs_config.fields.capture_len[0], true),
    httpPorts,
  };
}

export interface EndpointInfo {
  endpointId: number;
  identity: number;
  /** EndpointFlags bits; or use the booleans below. */
  flags?: number;
  enforceIngress?: boolean;
  enforceEgress?: boolean;
  notReady?: boolean;
  /** IPv4/IPv6 of the pod; with checkSource, packets from the pod must come from them. */
  ipv4?: string;
  ipv6?: string;
  checkSource?: boolean;
  /** Bump when this endpoint's policy entries change: established connections are judged again. */
  policyRev?: number;
}

export function endpointFlags(e: EndpointInfo): number {
  return (
    (e.flags ?? 0) |
    (e.enforceIngress ? EndpointFlags.ENFORCE_INGRESS : 0) |
    (e.enforceEgress ? EndpointFlags.ENFORCE_EGRESS : 0) |
    (e.notReady ? EndpointFlags.NOT_READY : 0) |
    (e.checkSource ? EndpointFlags.CHECK_SOURCE : 0)
  );
}

export function encodeEndpoint(e: EndpointInfo, parseIp: (s: string) => Uint8Array): Uint8Array {
  const L = F.endpoint_info.fields;
  const b = new Uint8Array(F.endpoint_info.size);
  const v = dv(b);
  v.setUint32(L.endpoint_id[0], e.endpointId, true);
  v.setUint32(L.identity[0], e.identity, true);
  v.setUint32(L.flags[0], endpointFlags(e), true);
  if (e.ipv4) b.set(parseIp(e.ipv4).subarray(12, 16), L.ipv4[0]);
  if (e.ipv6) b.set(parseIp(e.ipv6), L.ipv6[0]);
  v.setUint32(L.policy_rev[0], (e.policyRev ?? 0) >>> 0, true);
  return b;
}

export function decodeEndpoint(b: Uint8Array, formatIp: (a: Uint8Array) => string): Required<Pick<EndpointInfo, 'endpointId' | 'identity' | 'flags'>> & EndpointInfo {
  const L = F.endpoint_info.fields;
  const v = dv(b);
  const flags = v.getUint32(L.flags[0], true);
  const v4 = b.subarray(L.ipv4[0], L.ipv4[0] + 4);
  const v6 = b.subarray(L.ipv6[0], L.ipv6[0] + 16);
  const mapped = new Uint8Array(16);
  mapped[10] = 0xff;
  mapped[11] = 0xff;
  mapped.set(v4, 12);
  return {
    endpointId: v.getUint32(L.endpoint_id[0], true),
    identity: v.getUint32(L.identity[0], true),
    flags,
    enforceIngress: (flags & EndpointFlags.ENFORCE_INGRESS) !== 0,
    enforceEgress: (flags & EndpointFlags.ENFORCE_EGRESS) !== 0,
    notReady: (flags & EndpointFlags.NOT_READY) !== 0,
    checkSource: (flags & EndpointFlags.CHECK_SOURCE) !== 0,
    policyRev: v.getUint32(L.policy_rev[0], true),
    ...(v4.some((x) => x !== 0) ? { ipv4: formatIp(mapped) } : {}),
    ...(v6.some((x) => x !== 0) ? { ipv6: formatIp(v6) } : {}),
  };
}

/**
 * A policy entry's key: one LPM prefix. remoteIdentity 0 and protocol 0 are wildcards; the port
 * is a block of 2^(16 - portBits) ports starting at `port` (portBits 0 = every port, 16 = exactly
 * `port`; for ICMP/ICMPv6 the port is the ICMP type). Protocol 0 comes with portBits 0.
 */
export interface PolicyKey {
  endpointId: number;
  remoteIdentity: number;
  port: number;
  /** Absent: exactly `port`, or every port when `port` is 0 (so ICMP type 0 needs 16 here). */
  portBits?: number;
  /** IP protocol number, 0 = any. */
  protocol: number;
  direction: Direction;
}

export interface PolicyValue {
  action: PolicyAction;
  /** Opaque cookie for the agent, reported in events (which rule decided). */
  ruleId?: number;
}

const portBitsOf = (k: Pick<PolicyKey, 'port' | 'portBits'>): number => k.portBits ?? (k.port === 0 ? 0 : 16);

/** The key's LPM prefix length (bpf/lib/policy.h). */
export function policyPrefixLen(k: Pick<PolicyKey, 'protocol' | 'port' | 'portBits'>): number {
  return k.protocol === 0 ? PolicyPrefix.STATIC : PolicyPrefix.PROTO + portBitsOf(k);
}

/** Throws on a key the trie would store under another meaning (stray bits past the prefix). */
function checkPolicyKey(k: PolicyKey): void {
  const bits = portBitsOf(k);
  const ok =
    Number.isInteger(bits) && bits >= 0 && bits <= 16 &&
    Number.isInteger(k.port) && k.port >= 0 && k.port <= 0xffff &&
    (k.protocol !== 0 || (bits === 0 && k.port === 0)) &&
    (k.port & (0xffff >> bits)) === 0;
  if (!ok) throw new RangeError(`policy key: port ${k.port}/${k.portBits} with protocol ${k.protocol} is not a port prefix`);
}

export function encodePolicyKey(k: PolicyKey): Uint8Array {
  checkPolicyKey(k);
  const L = F.policy_key.fields;
  const b = new Uint8Array(F.policy_key.size);
  const v = dv(b);
  v.setUint32(L.prefixlen[0], policyPrefixLen(k), true);
  v.setUint32(L.endpoint_id[0], k.endpointId, true);
  v.setUint32(L.remote_identity[0], k.remoteIdentity, true);
  v.setUint8(L.direction[0], k.direction);
  v.setUint8(L.proto[0], k.protocol);
  v.setUint16(L.dport[0], k.port, false);
  return b;
}

export function decodePolicyKey(b: Uint8Array): Required<PolicyKey> {
  const L = F.policy_key.fields;
  const v = dv(b);
  const plen = v.getUint32(L.prefixlen[0], true);
  return {
    endpointId: v.getUint32(L.endpoint_id[0], true),
    remoteIdentity: v.getUint32(L.remote_identity[0], true),
    port: v.getUint16(L.dport[0], false),
    portBits: Math.max(0, plen - PolicyPrefix.PROTO),
    protocol: v.getUint8(L.proto[0]),
    direction: v.getUint8(L.direction[0]) as Direction,
  };
}

/** The value for `key` (the datapath reads the key's prefix length from the value). */
export function encodePolicyValue(p: PolicyValue, key: Pick<PolicyKey, 'protocol' | 'port' | 'portBits'>): Uint8Array {
  const L = F.policy_value.fields;
  const b = new Uint8Array(F.policy_value.size);
  const v = dv(b);
  v.setUint8(L.action[0], p.action === 'deny' ? PolicyAction.DENY : p.action === 'proxy' ? PolicyAction.PROXY : PolicyAction.ALLOW);
  v.setUint8(L.prefixlen[0], policyPrefixLen(key));
  v.setUint32(L.rule_id[0], p.ruleId ?? 0, true);
  return b;
}

export function decodePolicyValue(b: Uint8Array): Required<PolicyValue> {
  const L = F.policy_value.fields;
  const v = dv(b);
  return {
    action: ({ [PolicyAction.DENY]: 'deny', [PolicyAction.PROXY]: 'proxy' } as Record<number, PolicyAction>)[v.getUint8(L.action[0])] ?? 'allow',
    ruleId: v.getUint32(L.rule_id[0], true),
  };
}

export interface ConntrackEntry {
  saddr: string;
  daddr: string;
  sport: number;
  dport: number;
  protocol: number;
  /** Direction of the connection's first packet, as seen by the endpoint. */
  direction: Direction;
  /** The endpoint whose hook saw the first packet: replies are looked up on it only. */
  endpointId: number;
  packetsForward: bigint;
  bytesForward: bigint;
  packetsReply: bigint;
  bytesReply: bigint;
  createdNs: bigint;
  lastSeenNs: bigint;
  srcIdentity: number;
  dstIdentity: number;
  ruleId: number;
  tcpState: (typeof TCP_STATES)[number];
  replySeen: boolean;
  matchType: number;
  /** Sent to a Service address: that address and port (replies get them back as their source). */
  service?: { addr: string; port: number; svcId: number };
}

export function decodeConntrack(key: Uint8Array, value: Uint8Array, formatIp: (a: Uint8Array, off?: number) => string): ConntrackEntry {
  const K = F.ct_key.fields;
  const V = F.ct_entry.fields;
  const k = dv(key);
  const v = dv(value);
  return {
    saddr: formatIp(key, K.saddr[0]),
    daddr: formatIp(key, K.daddr[0]),
    sport: k.getUint16(K.sport[0], true),
    dport: k.getUint16(K.dport[0], true),
    protocol: k.getUint8(K.proto[0]),
    direction: k.getUint8(K.direction[0]) as Direction,
    endpointId: k.getUint32(K.endpoint_id[0], true),
    packetsForward: v.getBigUint64(V.packets_fwd[0], true),
    bytesForward: v.getBigUint64(V.bytes_fwd[0], true),
    packetsReply: v.getBigUint64(V.packets_rev[0], true),
    bytesReply: v.getBigUint64(V.bytes_rev[0], true),
    createdNs: v.getBigUint64(V.created_ns[0], true),
    lastSeenNs: v.getBigUint64(V.last_seen_ns[0], true),
    srcIdentity: v.getUint32(V.src_identity[0], true),
    dstIdentity: v.getUint32(V.dst_identity[0], true),
    ruleId: v.getUint32(V.rule_id[0], true),
    tcpState: TCP_STATES[v.getUint8(V.tcp_state[0])] ?? 'none',
    replySeen: (v.getUint8(V.flags[0]) & 1) !== 0,
    matchType: v.getUint8(V.match_type[0]),
    ...((v.getUint8(V.flags[0]) & CT_F_SVC) !== 0
      ? { service: { addr: formatIp(value, V.nat_addr[0]), port: v.getUint16(V.nat_port[0], true), svcId: v.getUint16(V.svc_id[0], true) } }
      : {}),
  };
}

export function encodeIpcacheKey(addr: Uint8Array, prefixlen: number): Uint8Array {
  const b = new Uint8Array(F.ipcache_key.size);
  dv(b).setUint32(F.ipcache_key.fields.prefixlen[0], prefixlen, true);
  b.set(addr, F.ipcache_key.fields.addr[0]);
  return b;
}

export function encodeIpcacheValue(identity: number, tunnelEndpoint = 0): Uint8Array {
  const b = new Uint8Array(F.ipcache_value.size);
  const v = dv(b);
  v.setUint32(F.ipcache_value.fields.identity[0], identity, true);
  // Stored as the IPv4 address bytes in network order.
  v.setUint32(F.ipcache_value.fields.tunnel_endpoint[0], tunnelEndpoint, false);
  return b;
}

/** A Service frontend (bpf/lib/lb.h lb_key): address, port and protocol; slot 0 is the service. */
export interface LbKey {
  addr: Uint8Array; // 16 bytes (IPv4 v4-mapped)
  port: number;
  protocol: number;
  slot: number;
}

export function encodeLbKey(k: LbKey): Uint8Array {
  const L = F.lb_key.fields;
  const b = new Uint8Array(F.lb_key.size);
  const v = dv(b);
  b.set(k.addr, L.addr[0]);
  v.setUint16(L.port[0], k.port, true);
  v.setUint16(L.slot[0], k.slot, true);
  v.setUint8(L.proto[0], k.protocol);
  return b;
}

export function decodeLbKey(b: Uint8Array): LbKey {
  const L = F.lb_key.fields;
  const v = dv(b);
  return { addr: b.slice(L.addr[0], L.addr[0] + 16), port: v.getUint16(L.port[0], true), slot: v.getUint16(L.slot[0], true), protocol: v.getUint8(L.proto[0]) };
}

export function encodeLbValue(o: { backendId?: number; count?: number; svcId?: number }): Uint8Array {
  const L = F.lb_value.fields;
  const b = new Uint8Array(F.lb_value.size);
  const v = dv(b);
  v.setUint32(L.backend_id[0], o.backendId ?? 0, true);
  v.setUint16(L.count[0], o.count ?? 0, true);
  v.setUint16(L.svc_id[0], o.svcId ?? 0, true);
  return b;
}

export function decodeLbValue(b: Uint8Array): { backendId: number; count: number; svcId: number } {
  const L = F.lb_value.fields;
  const v = dv(b);
  return { backendId: v.getUint32(L.backend_id[0], true), count: v.getUint16(L.count[0], true), svcId: v.getUint16(L.svc_id[0], true) };
}

export function encodeLbBackend(addr: Uint8Array, port: number): Uint8Array {
  const L = F.lb_backend.fields;
  const b = new Uint8Array(F.lb_backend.size);
  b.set(addr, L.addr[0]);
  dv(b).setUint16(L.port[0], port, true);
  return b;
}

export function decodeLbBackend(b: Uint8Array): { addr: Uint8Array; port: number } {
  const L = F.lb_backend.fields;
  return { addr: b.slice(L.addr[0], L.addr[0] + 16), port: dv(b).getUint16(L.port[0], true) };
}

/**
 * bpf/lib/lb.h lb_hash: FNV-1a over the client's address (16 bytes), port (big-endian) and
 * the protocol. A new connection takes backend slot 1 + lbHash % count.
 */
export function lbHash(saddr: Uint8Array, sport: number, protocol: number): number {
  let h = 2166136261;
  const step = (x: number) => {
    h = Math.imul(h ^ x, 16777619) >>> 0;
  };
  for (let i = 0; i < 16; i++) step(saddr[i]!);
  step(sport >> 8);
  step(sport & 0xff);
  step(protocol);
  return h >>> 0;
}
