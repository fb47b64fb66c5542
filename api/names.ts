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

/**
 * Datapath drop reason texts, as cilium's monitor API words them (pkg/monitor/api/drop.go; hubble
 * prints them in the TYPE column of drops). 199–205 are not in the upstream file read here: see
 * api/print/README.md.
 */
export const DROP_REASON_TEXT: Readonly<Record<number, string>> = {
  0: 'Success', 2: 'Invalid packet', 3: 'Interface', 4: 'Interface Decrypted',
  5: 'LB, sock cgroup: No backend slot entry found', 6: 'LB, sock cgroup: No backend entry found',
  7: 'LB, sock cgroup: Reverse entry update failed', 8: 'LB, sock cgroup: Reverse entry stale',
  9: 'Fragmented packet', 10: 'Fragmented packet entry update failed', 11: 'Missed tail call to custom program',
  130: 'Invalid source mac', 131: 'Invalid destination mac', 132: 'Invalid source ip', 133: 'Policy denied',
  134: 'Invalid packet', 135: 'CT: Truncated or invalid header', 136: 'Fragmentation needed',
  137: 'CT: Unknown L4 protocol', 138: "CT: Can't create entry from packet", 139: 'Unsupported L3 protocol',
  140: 'Missed tail call', 141: 'Error writing to packet', 142: 'Unknown L4 protocol',
  143: 'Unknown ICMPv4 code', 144: 'Unknown ICMPv4 type', 145: 'Unknown ICMPv6 code', 146: 'Unknown ICMPv6 type',
  147: 'Error retrieving tunnel key', 148: 'Error retrieving tunnel options', 149: 'Invalid Geneve option',
  150: 'Unknown L3 target address', 151: 'Stale or unroutable IP', 152: 'No matching local container found',
  153: 'Error while correcting L3 checksum', 154: 'Error while correcting L4 checksum', 155: 'CT: Map insertion failed',
  156: 'Invalid IPv6 extension header', 157: 'IP fragmentation not supported', 158: 'Service backend not found',
  160: 'No tunnel/encapsulation endpoint (datapath BUG!)', 161: 'NAT 46/64 not enabled',
  162: 'Reached EDT rate-limiting drop horizon', 163: 'Unknown connection tracking state', 164: 'Local host is unreachable',
  165: 'No configuration available to perform policy decision', 166: 'Unsupported L2 protocol',
  167: 'No mapping for NAT masquerade', 168: 'Unsupported protocol for NAT masquerade', 169: 'FIB lookup failed',
  170: 'Encapsulation traffic is prohibited', 171: 'Invalid identity', 172: 'Unknown sender', 173: 'NAT not needed',
  174: 'Is a ClusterIP', 175: 'First logical datagram fragment not found', 176: 'Forbidden ICMPv6 message',
  177: 'Denied by LB src range check', 178: 'Socket lookup failed', 179: 'Socket assign failed',
  180: 'Proxy redirection not supported for protocol', 181: 'Policy denied by denylist',
  182: 'VLAN traffic disallowed by VLAN filter', 183: 'Incorrect VNI from VTEP', 184: 'Failed to update or lookup TC buffer',
  185: 'No SID was found for the IP address', 186: 'SRv6 state was removed during tail call',
  187: 'L3 translation from IPv4 to IPv6 failed (NAT46)', 188: 'L3 translation from IPv6 to IPv4 failed (NAT64)',
  189: 'Authentication required', 190: 'No conntrack map found', 191: 'No nat map found', 192: 'Invalid ClusterID',
  193: 'Unsupported packet protocol for DSR encapsulation', 194: 'No egress gateway found', 195: 'Traffic is unencrypted',
  196: 'TTL exceeded', 197: 'No node ID found', 198: 'Rate limited',
  199: 'IGMP handled', 200: 'IGMP subscribed', 201: 'Multicast handled', 202: 'Host datapath not ready',
  203: 'Endpoint policy program not available', 204: 'No Egress IP configured', 205: 'Punt to proxy',
};

/** The text of a drop reason; an unknown one reads `<reason>, 0` as cilium's DropReasonExt words it. */
export function dropReasonText(reason: number | undefined): string {
  const r = reason ?? 0;
  return DROP_REASON_TEXT[r] ?? `${r}, 0`;
}

/** flow.DropReason enum names (api/v1/flow/flow.proto), for `--drop-reason-desc` and JSON. */
export const DROP_REASON_ENUM: Readonly<Record<string, number>> = {
  DROP_REASON_UNKNOWN: 0, INVALID_SOURCE_MAC: 130, INVALID_DESTINATION_MAC: 131, INVALID_SOURCE_IP: 132,
  POLICY_DENIED: 133, INVALID_PACKET_DROPPED: 134, CT_TRUNCATED_OR_INVALID_HEADER: 135, CT_MISSING_TCP_ACK_FLAG: 136,
  CT_UNKNOWN_L4_PROTOCOL: 137, CT_CANNOT_CREATE_ENTRY_FROM_PACKET: 138, UNSUPPORTED_L3_PROTOCOL: 139,
  MISSED_TAIL_CALL: 140, ERROR_WRITING_TO_PACKET: 141, UNKNOWN_L4_PROTOCOL: 142, UNKNOWN_ICMPV4_CODE: 143,
  UNKNOWN_ICMPV4_TYPE: 144, UNKNOWN_ICMPV6_CODE: 145, UNKNOWN_ICMPV6_TYPE: 146, ERROR_RETRIEVING_TUNNEL_KEY: 147,
  ERROR_RETRIEVING_TUNNEL_OPTIONS: 148, INVALID_GENEVE_OPTION: 149, UNKNOWN_L3_TARGET_ADDRESS: 150,
  STALE_OR_UNROUTABLE_IP: 151, NO_MATCHING_LOCAL_CONTAINER_FOUND: 152, ERROR_WHILE_CORRECTING_L3_CHECKSUM: 153,
  ERROR_WHILE_CORRECTING_L4_CHECKSUM: 154, CT_MAP_INSERTION_FAILED: 155, INVALID_IPV6_EXTENSION_HEADER: 156,
  IP_FRAGMENTATION_NOT_SUPPORTED: 157, SERVICE_BACKEND_NOT_FOUND: 158, NO_TUNNEL_OR_ENCAPSULATION_ENDPOINT: 160,
  FAILED_TO_INSERT_INTO_PROXYMAP: 161, REACHED_EDT_RATE_LIMITING_DROP_HORIZON: 162,
  UNKNOWN_CONNECTION_TRACKING_STATE: 163, LOCAL_HOST_IS_UNREACHABLE: 164,
  NO_CONFIGURATION_AVAILABLE_TO_PERFORM_POLICY_DECISION: 165, UNSUPPORTED_L2_PROTOCOL: 166,
  NO_MAPPING_FOR_NAT_MASQUERADE: 167, UNSUPPORTED_PROTOCOL_FOR_NAT_MASQUERADE: 168, FIB_LOOKUP_FAILED: 169,
  ENCAPSULATION_TRAFFIC_IS_PROHIBITED: 170, INVALID_IDENTITY: 171, UNKNOWN_SENDER: 172, NAT_NOT_NEEDED: 173,
  IS_A_CLUSTERIP: 174, FIRST_LOGICAL_DATAGRAM_FRAGMENT_NOT_FOUND: 175, FORBIDDEN_ICMPV6_MESSAGE: 176,
  DENIED_BY_LB_SRC_RANGE_CHECK: 177, SOCKET_LOOKUP_FAILED: 178, SOCKET_ASSIGN_FAILED: 179,
  PROXY_REDIRECTION_NOT_SUPPORTED_FOR_PROTOCOL: 180, POLICY_DENY: 181, VLAN_FILTERED: 182, INVALID_VNI: 183,
  INVALID_TC_BUFFER: 184, NO_SID: 185, MISSING_SRV6_STATE: 186, NAT46: 187, NAT64: 188, AUTH_REQUIRED: 189,
  CT_NO_MAP_FOUND: 190, SNAT_NO_MAP_FOUND: 191, INVALID_CLUSTER_ID: 192, UNSUPPORTED_PROTOCOL_FOR_DSR_ENCAP: 193,
  NO_EGRESS_GATEWAY: 194, TTL_EXCEEDED: 196, NO_NODE_ID: 197, DROP_HOST_NOT_READY: 202, DROP_EP_NOT_READY: 203,
};

/** Datapath trace observation points (CiliumEventType.sub_type of trace events; pkg/monitor/api/types.go). */
export const TRACE_POINT_NAME: Readonly<Record<number, string>> = {
  0: 'to-endpoint', 1: 'to-proxy', 2: 'to-host', 3: 'to-stack', 4: 'to-overlay', 5: 'from-endpoint',
  6: 'from-proxy', 7: 'from-host', 8: 'from-stack', 9: 'from-overlay', 10: 'from-network', 11: 'to-network',
  12: 'to-crypto', 13: 'from-crypto',
};

export function tracePointName(subType: number | undefined): string {
  const s = subType ?? 0;
  return TRACE_POINT_NAME[s] ?? `${s}`; // cilium prints the bare number
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

/** Flow.policy_match_type names (cilium's PolicyMatchType.String; unknown ones read `unknown`). */
export const POLICY_MATCH_NAME: Readonly<Record<number, string>> = {
  0: 'none', 1: 'L3-Only', 2: 'L3-L4', 3: 'L4-Only', 4: 'all', 5: 'L3-Proto', 6: 'Proto-Only',
};

export function policyMatchName(t: number | undefined): string {
  return POLICY_MATCH_NAME[t ?? 0] ?? 'unknown';
}

/** Monitor message type names, as `hubble observe -t` accepts them. */
export const EVENT_TYPE_NAME: Readonly<Record<string, number>> = {
  drop: 1, debug: 2, capture: 3, trace: 4, 'policy-verdict': 5, recorder: 6, 'trace-sock': 7, l7: 129, agent: 130,
};

/** Reserved security identities (numbers below 256 with a name). */
export const RESERVED_IDENTITY: Readonly<Record<number, string>> = {
  0: 'unknown', 1: 'host', 2: 'world', 3: 'unmanaged', 4: 'health', 5: 'init', 6: 'remote-node',
  7: 'kube-apiserver', 8: 'ingress', 9: 'world-ipv4', 10: 'world-ipv6', 11: 'overlay-to-encrypt',
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
  4: { type: 'SourceQuench' }, 5: { type: 'Redirect', codes: { 0: 'Net', 1: 'Host', 2: 'TOS+Net', 3: 'TOS+Host' } },
  8: { type: 'EchoRequest' }, 9: { type: 'RouterAdvertisement' }, 10: { type: 'RouterSolicitation' },
  11: { type: 'TimeExceeded', codes: { 0: 'TTLExceeded', 1: 'FragmentReassemblyTimeExceeded' } },
  12: { type: 'ParameterProblem', codes: { 0: 'PointerIndicatesError', 1: 'MissingOption', 2: 'BadLength' } },
  13: { type: 'TimestampRequest' }, 14: { type: 'TimestampReply' }, 15: { type: 'InfoRequest' },
  16: { type: 'InfoReply' }, 17: { type: 'AddressMaskRequest' }, 18: { type: 'AddressMaskReply' },
};
const ICMPV6: Readonly<Record<number, IcmpInfo>> = {
  1: { type: 'DestinationUnreachable', codes: { 0: 'NoRouteToDst', 1: 'AdminProhibited', 2: 'BeyondScopeOfSrc', 3: 'AddressUnreachable', 4: 'PortUnreachable', 5: 'SrcAddressFailedPolicy', 6: 'RejectRouteToDst' } },
  2: { type: 'PacketTooBig' }, 3: { type: 'TimeExceeded', codes: { 0: 'HopLimitExceeded', 1: 'FragmentReassemblyTimeExceeded' } },
  4: { type: 'ParameterProblem', codes: { 0: 'ErroneousHeaderField', 1: 'UnrecognizedNextHeader', 2: 'UnrecognizedIPv6Option' } },
  128: { type: 'EchoRequest' }, 129: { type: 'EchoReply' }, 133: { type: 'RouterSolicitation' },
  134: { type: 'RouterAdvertisement' }, 135: { type: 'NeighborSolicitation' }, 136: { type: 'NeighborAdvertisement' },
  137: { type: 'Redirect' },
};

/** ICMP type/code text as gopacket (layers/icmp4.go, icmp6.go) prints it: `EchoRequest`, `DestinationUnreachable(Port)`. */
export function icmpTypeCodeName(family: 4 | 6, type: number | undefined, code: number | undefined): string {
  const t = type ?? 0;
  const c = code ?? 0;
  const info = (family === 4 ? ICMPV4 : ICMPV6)[t];
  if (!info) return `${t}(${c})`;
  if (!info.codes && c === 0) return info.type;
  const codeName = info.codes?.[c];
  return codeName ? `${info.type}(${codeName})` : `${info.type}(Code: ${c})`;
}

/** DNS RR type names as gopacket's DNSType.String prints them (layers/dns.go); others are `Unknown`. */
export const DNS_TYPE_NAME: Readonly<Record<number, string>> = {
  1: 'A', 2: 'NS', 3: 'MD', 4: 'MF', 5: 'CNAME', 6: 'SOA', 7: 'MB', 8: 'MG', 9: 'MR', 10: 'NULL', 11: 'WKS',
  12: 'PTR', 13: 'HINFO', 14: 'MINFO', 15: 'MX', 16: 'TXT', 28: 'AAAA', 33: 'SRV', 41: 'OPT', 64: 'SVCB',
  65: 'HTTPS', 256: 'URI',
};

export function dnsTypeName(t: number): string {
  return DNS_TYPE_NAME[t] ?? 'Unknown';
}

/** DNS rcode texts as gopacket's DNSResponseCode.String prints them (used in DNS answer summaries). */
export const DNS_RCODE_NAME: Readonly<Record<number, string>> = {
  0: 'No Error', 1: 'Format Error', 2: 'Server Failure ', 3: 'Non-Existent Domain', 4: 'Not Implemented',
  5: 'Query Refused', 6: 'Name Exists when it should not', 7: 'RR Set Exists when it should not',
  8: 'RR Set that should exist does not', 9: 'Server Not Authoritative for zone', 10: 'Name not contained in zone',
  16: 'Bad OPT Version', 17: 'Key not recognized', 18: 'Signature out of time window', 19: 'Bad TKEY Mode',
  20: 'Duplicate key name', 21: 'Algorithm not supported', 22: 'Bad Truncation', 23: 'Bad Cookie',
};

export function dnsRcodeText(rcode: number): string {
  return DNS_RCODE_NAME[rcode] ?? 'Unknown';
}
