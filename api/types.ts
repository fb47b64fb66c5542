// TypeScript shapes of the flow API messages, keyed by their proto field names (as the wire JSON
// and the hubble tools name them). Every field is optional because proto3 has no presence for
// scalars: an absent field is its zero value. Enums are numbers; the const objects below give
// them names and must match api/proto/*.ts (checked by test/api/schema.test.ts).

type EnumOf<T> = T[keyof T];

export const Verdict = {
  VERDICT_UNKNOWN: 0, FORWARDED: 1, DROPPED: 2, ERROR: 3, AUDIT: 4, REDIRECTED: 5, TRACED: 6, TRANSLATED: 7,
} as const;
export type Verdict = EnumOf<typeof Verdict>;

export const FlowType = { UNKNOWN_TYPE: 0, L3_L4: 1, L7: 2, SOCK: 3 } as const;
export type FlowType = EnumOf<typeof FlowType>;

export const L7FlowType = { UNKNOWN_L7_TYPE: 0, REQUEST: 1, RESPONSE: 2, SAMPLE: 3 } as const;
export type L7FlowType = EnumOf<typeof L7FlowType>;

export const IPVersion = { IP_NOT_USED: 0, IPv4: 1, IPv6: 2 } as const;
export type IPVersion = EnumOf<typeof IPVersion>;

export const TrafficDirection = { TRAFFIC_DIRECTION_UNKNOWN: 0, INGRESS: 1, EGRESS: 2 } as const;
export type TrafficDirection = EnumOf<typeof TrafficDirection>;

export const TraceObservationPoint = {
  UNKNOWN_POINT: 0, TO_PROXY: 1, TO_HOST: 2, TO_STACK: 3, TO_OVERLAY: 4, TO_ENDPOINT: 101,
  FROM_ENDPOINT: 5, FROM_PROXY: 6, FROM_HOST: 7, FROM_STACK: 8, FROM_OVERLAY: 9, FROM_NETWORK: 10, TO_NETWORK: 11,
} as const;
export type TraceObservationPoint = EnumOf<typeof TraceObservationPoint>;

export const LostEventSource = {
  UNKNOWN_LOST_EVENT_SOURCE: 0, PERF_EVENT_RING_BUFFER: 1, OBSERVER_EVENTS_QUEUE: 2, HUBBLE_RING_BUFFER: 3,
} as const;
export type LostEventSource = EnumOf<typeof LostEventSource>;

/** Copies of the datapath numbers (drop reasons, event types, verdicts, directions) follow bpf/lib/*.h,
 * like bpf/loader/layout.ts and events.ts; test/bpf/constants-drift.test.ts holds them together. */
export const DropReason = {
  DROP_REASON_UNKNOWN: 0, INVALID_SOURCE_IP: 132, POLICY_DENIED: 133, INVALID_PACKET_DROPPED: 134,
  CT_TRUNCATED_OR_INVALID_HEADER: 135, CT_UNKNOWN_L4_PROTOCOL: 137, UNSUPPORTED_L3_PROTOCOL: 139,
  UNKNOWN_L4_PROTOCOL: 142, UNKNOWN_ICMPV4_TYPE: 144, STALE_OR_UNROUTABLE_IP: 151, CT_MAP_INSERTION_FAILED: 155,
  INVALID_IPV6_EXTENSION_HEADER: 156, IP_FRAGMENTATION_NOT_SUPPORTED: 157, SERVICE_BACKEND_NOT_FOUND: 158,
  FORBIDDEN_ICMPV6_MESSAGE: 176, SOCKET_LOOKUP_FAILED: 178, POLICY_DENY: 181, DROP_EP_NOT_READY: 203,
} as const;
/** Open enum: the datapath may report reasons outside the named selection. */
export type DropReason = number;

export const NodeState = {
  UNKNOWN_NODE_STATE: 0, NODE_CONNECTED: 1, NODE_UNAVAILABLE: 2, NODE_GONE: 3, NODE_ERROR: 4,
} as const;
export type NodeState = EnumOf<typeof NodeState>;

/** CiliumEventType.type values (monitor message types). */
export const EventType = { DROP: 1, DEBUG: 2, CAPTURE: 3, TRACE: 4, POLICY_VERDICT: 5, L7: 129 } as const;

/** google.protobuf.Timestamp; seconds is int64 on the wire, a safe number here. */
export interface Timestamp { seconds?: number; nanos?: number }
export interface BoolValue { value?: boolean }
export interface Int32Value { value?: number }
export interface UInt32Value { value?: number }

export interface Ethernet { source?: string; destination?: string }
export interface IP { source?: string; destination?: string; ipVersion?: IPVersion; encrypted?: boolean; source_xlated?: string }
export interface TCPFlags {
  FIN?: boolean; SYN?: boolean; RST?: boolean; PSH?: boolean; ACK?: boolean;
  URG?: boolean; ECE?: boolean; CWR?: boolean; NS?: boolean;
}
export interface TCP { source_port?: number; destination_port?: number; flags?: TCPFlags }
export interface UDP { source_port?: number; destination_port?: number }
export interface SCTP { source_port?: number; destination_port?: number }
export interface ICMP { type?: number; code?: number }
/** A oneof: at most one member is set. */
export interface Layer4 { TCP?: TCP; UDP?: UDP; ICMPv4?: ICMP; ICMPv6?: ICMP; SCTP?: SCTP }

export interface Workload { name?: string; kind?: string }
export interface Endpoint {
  ID?: number; identity?: number; cluster_name?: string; namespace?: string;
  /** `source:key=value`, e.g. `k8s:app=frontend`, `reserved:world`. */
  labels?: string[]; pod_name?: string; workloads?: Workload[];
}
export interface Service { name?: string; namespace?: string }
export interface NetworkInterface { index?: number; name?: string }
export interface CiliumEventType { type?: number; sub_type?: number }

export interface DNS {
  /** Fully qualified with the trailing dot, e.g. `example.com.`. */
  query?: string; ips?: string[]; ttl?: number; cnames?: string[]; observation_source?: string;
  rcode?: number; qtypes?: string[]; rrtypes?: string[];
}
export interface HTTPHeader { key?: string; value?: string }
export interface HTTP { code?: number; method?: string; url?: string; protocol?: string; headers?: HTTPHeader[] }
/** A oneof record: dns or http. */
export interface Layer7 { type?: L7FlowType; latency_ns?: number; dns?: DNS; http?: HTTP }

export interface TraceContext { parent?: { trace_id?: string } }

export interface Policy { name?: string; namespace?: string; labels?: string[]; revision?: number; kind?: string }

export interface Flow {
  time?: Timestamp; uuid?: string; verdict?: Verdict; drop_reason?: number; ethernet?: Ethernet;
  IP?: IP; l4?: Layer4; source?: Endpoint; destination?: Endpoint; Type?: FlowType; node_name?: string;
  node_labels?: string[]; source_names?: string[]; destination_names?: string[]; l7?: Layer7;
  reply?: boolean; event_type?: CiliumEventType; source_service?: Service; destination_service?: Service;
  traffic_direction?: TrafficDirection; policy_match_type?: number;
  trace_observation_point?: TraceObservationPoint; drop_reason_desc?: DropReason;
  /** Absent means the datapath does not know the direction (printed `<>`). */
  is_reply?: BoolValue; interface?: NetworkInterface; trace_context?: TraceContext; Summary?: string;
  egress_allowed_by?: Policy[]; ingress_allowed_by?: Policy[];
  egress_denied_by?: Policy[]; ingress_denied_by?: Policy[];
}

export interface LostEvent {
  source?: LostEventSource; num_events_lost?: number; cpu?: Int32Value; first?: Timestamp; last?: Timestamp;
}

export interface EventTypeFilter { type?: number; match_sub_type?: boolean; sub_type?: number }
export interface FlowFilter {
  source_ip?: string[]; source_pod?: string[]; source_fqdn?: string[]; source_label?: string[];
  source_service?: string[]; source_workload?: Workload[];
  destination_ip?: string[]; destination_pod?: string[]; destination_fqdn?: string[];
  destination_label?: string[]; destination_service?: string[]; destination_workload?: Workload[];
  traffic_direction?: TrafficDirection[]; verdict?: Verdict[]; drop_reason_desc?: DropReason[];
  interface?: NetworkInterface[]; event_type?: EventTypeFilter[]; http_status_code?: string[];
  protocol?: string[]; source_port?: string[]; destination_port?: string[]; reply?: boolean[];
  dns_query?: string[]; source_identity?: number[]; destination_identity?: number[];
  http_method?: string[]; http_path?: string[]; http_url?: string[]; tcp_flags?: TCPFlags[];
  node_name?: string[]; node_labels?: string[]; ip_version?: IPVersion[];
  uuid?: string[]; source_ip_xlated?: string[]; source_cluster_name?: string[]; destination_cluster_name?: string[];
  http_header?: HTTPHeader[]; trace_id?: string[]; ip_trace_id?: number[]; encrypted?: boolean[];
  experimental?: { cel_expression?: string[] };
}

export interface NodeStatusEvent { state_change?: NodeState; node_names?: string[]; message?: string }

export interface FieldMask { paths?: string[] }
export interface GetFlowsRequest {
  number?: number; first?: boolean; follow?: boolean; blacklist?: FlowFilter[]; whitelist?: FlowFilter[];
  since?: Timestamp; until?: Timestamp; field_mask?: FieldMask;
  /** Where hubble clients before 0.13 put the field mask. */
  experimental?: { field_mask?: FieldMask };
  extensions?: { type_url?: string; value?: Uint8Array };
  /**
   * Not on the wire: field numbers the request carried that netobs does not know (set by the
   * decoder, api/wire-unknown.ts), so the servers refuse them instead of ignoring them.
   */
  unknown_fields?: string[];
}
/** A oneof: exactly one of flow, node_status, lost_events. */
export interface GetFlowsResponse {
  flow?: Flow; node_status?: NodeStatusEvent; lost_events?: LostEvent; node_name?: string; time?: Timestamp;
}

export type ServerStatusRequest = Record<string, never>;
export interface ServerStatusResponse {
  num_flows?: number; max_flows?: number; seen_flows?: number; uptime_ns?: number;
  num_connected_nodes?: UInt32Value; num_unavailable_nodes?: UInt32Value; unavailable_nodes?: string[];
  version?: string; flows_rate?: number;
}

export type GetNodesRequest = Record<string, never>;
export interface TLS { enabled?: boolean; server_name?: string }
export interface Node {
  name?: string; version?: string; address?: string; state?: NodeState; tls?: TLS; uptime_ns?: number;
  num_flows?: number; max_flows?: number; seen_flows?: number;
}
export interface GetNodesResponse { nodes?: Node[] }

export type GetNamespacesRequest = Record<string, never>;
export interface Namespace { cluster?: string; namespace?: string }
export interface GetNamespacesResponse { namespaces?: Namespace[] }

export const AgentEventType = {
  AGENT_EVENT_UNKNOWN: 0, AGENT_STARTED: 2, POLICY_UPDATED: 3, POLICY_DELETED: 4, ENDPOINT_REGENERATE_SUCCESS: 5,
  ENDPOINT_REGENERATE_FAILURE: 6, ENDPOINT_CREATED: 7, ENDPOINT_DELETED: 8, IPCACHE_UPSERTED: 9, IPCACHE_DELETED: 10,
  SERVICE_UPSERTED: 11, SERVICE_DELETED: 12,
} as const;
export type AgentEventType = EnumOf<typeof AgentEventType>;

export interface ServiceAddr { ip?: string; port?: number }
export interface AgentEvent {
  type?: AgentEventType;
  agent_start?: { time?: Timestamp };
  policy_update?: { labels?: string[]; revision?: number; rule_count?: number };
  endpoint_regenerate?: { id?: number; labels?: string[]; error?: string };
  endpoint_update?: { id?: number; labels?: string[]; error?: string; pod_name?: string; namespace?: string };
  service_upsert?: {
    id?: number; frontend_address?: ServiceAddr; backend_addresses?: ServiceAddr[]; type?: string; name?: string;
    namespace?: string; ext_traffic_policy?: string; int_traffic_policy?: string;
  };
  service_delete?: { id?: number };
}

export interface EventsRequest { number?: number; first?: boolean; follow?: boolean; since?: Timestamp; until?: Timestamp }
export type GetAgentEventsRequest = EventsRequest;
export interface GetAgentEventsResponse { agent_event?: AgentEvent; node_name?: string; time?: Timestamp }
export type GetDebugEventsRequest = EventsRequest;
export interface GetDebugEventsResponse { debug_event?: Record<string, unknown>; node_name?: string; time?: Timestamp }
