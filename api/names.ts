// Human names of the numbers in flows, as hubble and cilium print them: drop reasons, datapath
// trace points, policy match types, reserved identities, monitor event types and ICMP types.
// Shared by the printers (api/print), the filters (agent/flow) and the metrics (agent/metrics).
// Keep the datapath numbers in sync with bpf/ (drop reasons, observation points).
import type { TraceObservationPoint } from './types.ts';

/** Name of an enum value from one of the const objects in api/types.ts; the number if unnamed. */
export function enumName(e: Readonly<Record<string, number>>, value: number | undefined): string {
  const v = value ?? 0;
  for (const k in e) if (e[k] === v) return k;
  return String(v);
}

/** Value of an enum name (exact, then case-insensitive); undefined if unknown. */
export function enumValue(e: Readonly<Record<string, number>>, name: string): number | undefined {
  if (name in e) return e[name];
  const upper = name.toUpperCase();
  for (const k in e) if (k.toUpperCase() === upper) return e[k];
  return undefined;
}

/** Datapath drop reason texts (cilium monitor API wording, e.g. 133 "Policy denied"). */
export const DROP_REASON_TEXT: Readonly<Record<number, string>> = {
  130: 'Invalid source mac', 131: 'Invalid destination mac', 132: 'Invalid source ip', 133: 'Policy denied',
  134: 'Invalid packet', 135: 'CT: Truncated or invalid header', 136: 'Fragmentation needed',
  137: 'CT: Unknown L4 protocol', 138: "CT: Can't create entry from packet", 139: 'Unsupported L3 protocol',
  140: 'Missed tail call', 141: 'Error writing to packet', 142: 'Unknown L4 protocol',
  143: 'Unknown ICMPv4 code', 144: 'Unknown ICMPv4 type', 145: 'Unknown ICMPv6 code', 146: 'Unknown ICMPv6 type',
  150: 'Unknown L3 target address', 151: 'Stale or unroutable IP', 153: 'Error while correcting L3 checksum',
  154: 'Error while correcting L4 checksum', 155: 'CT: Map insertion failed', 156: 'Invalid IPv6 extension header',
  157: 'IP fragmentation not supported', 158: 'Service backend not found', 161: 'NAT 46/64 not enabled',
  163: 'Unknown connection tracking state', 164: 'Local host is unreachable',
  165: 'No configuration available to perform policy decision', 166: 'Unsupported L2 protocol',
  169: 'FIB lookup failed', 171: 'Invalid identity', 172: 'Unknown sender', 181: 'Policy denied by denylist',
  196: 'TTL exceeded', 203: 'Endpoint policy program not available',
};

export function dropReasonText(reason: number | undefined): string {
  const r = reason ?? 0;
  return DROP_REASON_TEXT[r] ?? `${r}`;
}

/** Datapath trace observation points (CiliumEventType.sub_type of trace events). */
export const TRACE_POINT_NAME: Readonly<Record<number, string>> = {
  0: 'to-endpoint', 1: 'to-proxy', 2: 'to-host', 3: 'to-stack', 4: 'to-overlay', 5: 'from-endpoint',
  6: 'from-proxy', 7: 'from-host', 8: 'from-stack', 9: 'from-overlay', 10: 'from-network', 11: 'to-network',
  12: 'to-crypto', 13: 'from-crypto',
};

export function tracePointName(subType: number | undefined): string {
  const s = subType ?? 0;
  return TRACE_POINT_NAME[s] ?? `unknown trace point ${s}`;
}

/**
 * Flow.trace_observation_point for a datapath trace sub_type: the numbers match the enum except
 * to-endpoint (0 in the datapath, TO_ENDPOINT = 101 in the enum); unknown points are UNKNOWN_POINT.
 */
export function traceObservationPointOf(subType: number | undefined): TraceObservationPoint {
  const s = subType ?? 0;
  if (s === 0) return 101;
  return s >= 1 && s <= 11 ? (s as TraceObservationPoint) : 0;
}

/** Flow.policy_match_type names. */
export const POLICY_MATCH_NAME: Readonly<Record<number, string>> = {
  0: 'none', 1: 'L3-Only', 2: 'L3-L4', 3: 'L4-Only', 4: 'all', 5: 'L3-Proto', 6: 'Proto-Only',
};

export function policyMatchName(t: number | undefined): string {
  return POLICY_MATCH_NAME[t ?? 0] ?? `${t}`;
}

/** Monitor message type names, as `hubble observe -t` accepts them. */
export const EVENT_TYPE_NAME: Readonly<Record<string, number>> = {
  drop: 1, debug: 2, capture: 3, trace: 4, 'policy-verdict': 5, recorder: 6, 'trace-sock': 7, l7: 129, agent: 130,
};

/** Reserved security identities (numbers below 256 with a name). */
export const RESERVED_IDENTITY: Readonly<Record<number, string>> = {
  0: 'unknown', 1: 'host', 2: 'world', 3: 'unmanaged', 4: 'health', 5: 'init', 6: 'remote-node',
  7: 'kube-apiserver', 8: 'ingress', 9: 'world-ipv4', 10: 'world-ipv6',
};

export const MIN_ALLOCATED_IDENTITY = 256;
export const MIN_CIDR_IDENTITY = 16777216;

/** Reserved identity number for a name (`world`, `host`…), undefined otherwise. */
export function reservedIdentity(name: string): number | undefined {
  for (const [id, n] of Object.entries(RESERVED_IDENTITY)) if (n === name) return Number(id);
  return undefined;
}

interface IcmpInfo { type: string; codes?: Record<number, string> }

const UNREACH4 = {
  0: 'Net', 1: 'Host', 2: 'Protocol', 3: 'Port', 4: 'FragmentationNeeded', 5: 'SourceRoutingFailed',
  6: 'NetUnknown', 7: 'HostUnknown', 8: 'SourceIsolated', 9: 'NetAdminProhibited', 10: 'HostAdminProhibited',
  11: 'NetTOS', 12: 'HostTOS', 13: 'CommAdminProhibited', 14: 'HostPrecedence', 15: 'PrecedenceCutoff',
};
const ICMPV4: Readonly<Record<number, IcmpInfo>> = {
  0: { type: 'EchoReply' }, 3: { type: 'DestinationUnreachable', codes: UNREACH4 },
  4: { type: 'SourceQuench' }, 5: { type: 'Redirect', codes: { 0: 'Network', 1: 'Host', 2: 'TOS+Network', 3: 'TOS+Host' } },
  8: { type: 'EchoRequest' }, 9: { type: 'RouterAdvertisement' }, 10: { type: 'RouterSolicitation' },
  11: { type: 'TimeExceeded', codes: { 0: 'TTLExceeded', 1: 'FragmentReassemblyTimeExceeded' } },
  12: { type: 'ParameterProblem', codes: { 0: 'PointerIndicatesError', 1: 'MissingOption', 2: 'BadLength' } },
  13: { type: 'TimestampRequest' }, 14: { type: 'TimestampReply' },
};
const ICMPV6: Readonly<Record<number, IcmpInfo>> = {
  1: { type: 'DestinationUnreachable', codes: { 0: 'NoRouteToDst', 1: 'AdminProhibited', 2: 'BeyondScopeOfSrc', 3: 'AddressUnreachable', 4: 'PortUnreachable', 5: 'SrcAddressFailedPolicy', 6: 'RejectRouteToDst' } },
  2: { type: 'PacketTooBig' }, 3: { type: 'TimeExceeded', codes: { 0: 'HopLimitExceeded', 1: 'FragmentReassemblyTimeExceeded' } },
  4: { type: 'ParameterProblem', codes: { 0: 'ErroneousHeaderField', 1: 'UnrecognizedNextHeader', 2: 'UnrecognizedIPv6Option' } },
  128: { type: 'EchoRequest' }, 129: { type: 'EchoReply' }, 133: { type: 'RouterSolicitation' },
  134: { type: 'RouterAdvertisement' }, 135: { type: 'NeighborSolicitation' }, 136: { type: 'NeighborAdvertisement' },
  137: { type: 'Redirect' },
};

/** ICMP type/code text as gopacket prints it (`EchoRequest`, `DestinationUnreachable(Port)`). */
export function icmpTypeCodeName(family: 4 | 6, type: number | undefined, code: number | undefined): string {
  const t = type ?? 0;
  const c = code ?? 0;
  const info = (family === 4 ? ICMPV4 : ICMPV6)[t];
  if (!info) return `${t}(${c})`;
  if (!info.codes && c === 0) return info.type;
  const codeName = info.codes?.[c];
  return codeName ? `${info.type}(${codeName})` : `${info.type}(Code: ${c})`;
}

/** DNS RR type numbers and names (the ones a cluster sees). */
export const DNS_TYPE_NAME: Readonly<Record<number, string>> = {
  1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 12: 'PTR', 15: 'MX', 16: 'TXT', 28: 'AAAA', 33: 'SRV', 35: 'NAPTR',
  39: 'DNAME', 41: 'OPT', 43: 'DS', 46: 'RRSIG', 47: 'NSEC', 48: 'DNSKEY', 64: 'SVCB', 65: 'HTTPS', 255: 'ANY',
};

export function dnsTypeName(t: number): string {
  return DNS_TYPE_NAME[t] ?? `TYPE${t}`;
}

/** DNS rcode names as miekg/dns prints them (used in DNS summaries). */
export const DNS_RCODE_NAME: Readonly<Record<number, string>> = {
  0: 'NoError', 1: 'FormErr', 2: 'ServFail', 3: 'NXDomain', 4: 'NotImp', 5: 'Refused', 6: 'YXDomain',
  7: 'YXRRSet', 8: 'NXRRSet', 9: 'NotAuth', 10: 'NotZone',
};
