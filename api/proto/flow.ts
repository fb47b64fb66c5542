// netobs's own definition of the `flow` package of the Hubble flow API. Field numbers and enum
// values are wire facts (see shared/docs/compat-facts.md): keep them in sync with api/types.ts
// (test/api/schema.test.ts checks the enums against each other). Kept as a string so the single
// executable needs no .proto files at run time.
export const FLOW_PROTO = `
syntax = "proto3";
package flow;

import "google/protobuf/timestamp.proto";
import "google/protobuf/wrappers.proto";

message Flow {
  google.protobuf.Timestamp time = 1;
  string uuid = 34;
  Verdict verdict = 2;
  uint32 drop_reason = 3;
  Ethernet ethernet = 4;
  IP IP = 5;
  Layer4 l4 = 6;
  Endpoint source = 8;
  Endpoint destination = 9;
  FlowType Type = 10;
  string node_name = 11;
  repeated string node_labels = 37;
  repeated string source_names = 13;
  repeated string destination_names = 14;
  Layer7 l7 = 15;
  bool reply = 16;
  CiliumEventType event_type = 19;
  Service source_service = 20;
  Service destination_service = 21;
  TrafficDirection traffic_direction = 22;
  uint32 policy_match_type = 23;
  TraceObservationPoint trace_observation_point = 24;
  DropReason drop_reason_desc = 25;
  google.protobuf.BoolValue is_reply = 26;
  NetworkInterface interface = 28;
  TraceContext trace_context = 30;
  string Summary = 100000;
  repeated Policy egress_allowed_by = 21001;
  repeated Policy ingress_allowed_by = 21002;
  repeated Policy egress_denied_by = 21004;
  repeated Policy ingress_denied_by = 21005;
  reserved 7, 12, 17, 18;
}

message Ethernet {
  string source = 1;
  string destination = 2;
}

message IP {
  string source = 1;
  string destination = 2;
  IPVersion ipVersion = 3;
  bool encrypted = 4;
  string source_xlated = 5;
}

message Layer4 {
  oneof protocol {
    TCP TCP = 1;
    UDP UDP = 2;
    ICMPv4 ICMPv4 = 3;
    ICMPv6 ICMPv6 = 4;
    SCTP SCTP = 5;
  }
}

message TCP {
  uint32 source_port = 1;
  uint32 destination_port = 2;
  TCPFlags flags = 3;
}

message TCPFlags {
  bool FIN = 1;
  bool SYN = 2;
  bool RST = 3;
  bool PSH = 4;
  bool ACK = 5;
  bool URG = 6;
  bool ECE = 7;
  bool CWR = 8;
  bool NS = 9;
}

message UDP {
  uint32 source_port = 1;
  uint32 destination_port = 2;
}

message SCTP {
  uint32 source_port = 1;
  uint32 destination_port = 2;
}

message ICMPv4 {
  uint32 type = 1;
  uint32 code = 2;
}

message ICMPv6 {
  uint32 type = 1;
  uint32 code = 2;
}

message Endpoint {
  uint32 ID = 1;
  uint32 identity = 2;
  string cluster_name = 7;
  string namespace = 3;
  repeated string labels = 4;
  string pod_name = 5;
  repeated Workload workloads = 6;
}

message Workload {
  string name = 1;
  string kind = 2;
}

message Service {
  string name = 1;
  string namespace = 2;
}

message NetworkInterface {
  uint32 index = 1;
  string name = 2;
}

message CiliumEventType {
  int32 type = 1;
  int32 sub_type = 2;
}

message Layer7 {
  L7FlowType type = 1;
  uint64 latency_ns = 2;
  oneof record {
    DNS dns = 100;
    HTTP http = 101;
  }
}

message DNS {
  string query = 1;
  repeated string ips = 2;
  uint32 ttl = 3;
  repeated string cnames = 4;
  string observation_source = 5;
  uint32 rcode = 6;
  repeated string qtypes = 7;
  repeated string rrtypes = 8;
}

message HTTPHeader {
  string key = 1;
  string value = 2;
}

message HTTP {
  uint32 code = 1;
  string method = 2;
  string url = 3;
  string protocol = 4;
  repeated HTTPHeader headers = 5;
}

message Policy {
  string name = 1;
  string namespace = 2;
  repeated string labels = 3;
  uint64 revision = 4;
  string kind = 5;
}

message LostEvent {
  LostEventSource source = 1;
  uint64 num_events_lost = 2;
  google.protobuf.Int32Value cpu = 3;
  google.protobuf.Timestamp first = 4;
  google.protobuf.Timestamp last = 5;
}

message EventTypeFilter {
  int32 type = 1;
  bool match_sub_type = 2;
  int32 sub_type = 3;
}

message TraceContext {
  TraceParent parent = 1;
}

message TraceParent {
  string trace_id = 1;
}

// Every upstream FlowFilter field, experimental ones included: a field a client sends is either
// applied (api/filter/filter-fields.ts) or refused there with INVALID_ARGUMENT, never dropped.
message FlowFilter {
  repeated string uuid = 29;
  repeated string source_ip = 1;
  repeated string source_ip_xlated = 34;
  repeated string source_cluster_name = 37;
  repeated string destination_cluster_name = 38;
  repeated HTTPHeader http_header = 32;
  repeated string trace_id = 28;
  repeated uint64 ip_trace_id = 39;
  repeated bool encrypted = 40;
  message Experimental {
    repeated string cel_expression = 1;
  }
  Experimental experimental = 999;
  repeated string source_pod = 2;
  repeated string source_fqdn = 7;
  repeated string source_label = 10;
  repeated string source_service = 16;
  repeated Workload source_workload = 26;
  repeated string destination_ip = 3;
  repeated string destination_pod = 4;
  repeated string destination_fqdn = 8;
  repeated string destination_label = 11;
  repeated string destination_service = 17;
  repeated Workload destination_workload = 27;
  repeated TrafficDirection traffic_direction = 30;
  repeated Verdict verdict = 5;
  repeated DropReason drop_reason_desc = 33;
  repeated NetworkInterface interface = 35;
  repeated EventTypeFilter event_type = 6;
  repeated string http_status_code = 9;
  repeated string protocol = 12;
  repeated string source_port = 13;
  repeated string destination_port = 14;
  repeated bool reply = 15;
  repeated string dns_query = 18;
  repeated uint32 source_identity = 19;
  repeated uint32 destination_identity = 20;
  repeated string http_method = 21;
  repeated string http_path = 22;
  repeated string http_url = 31;
  repeated TCPFlags tcp_flags = 23;
  repeated string node_name = 24;
  repeated string node_labels = 36;
  repeated IPVersion ip_version = 25;
}

enum AgentEventType {
  AGENT_EVENT_UNKNOWN = 0;
  AGENT_STARTED = 2;
  POLICY_UPDATED = 3;
  POLICY_DELETED = 4;
  ENDPOINT_REGENERATE_SUCCESS = 5;
  ENDPOINT_REGENERATE_FAILURE = 6;
  ENDPOINT_CREATED = 7;
  ENDPOINT_DELETED = 8;
  IPCACHE_UPSERTED = 9;
  IPCACHE_DELETED = 10;
  SERVICE_UPSERTED = 11;
  SERVICE_DELETED = 12;
  reserved 1;
}

message AgentEvent {
  AgentEventType type = 1;
  oneof notification {
    AgentEventUnknown unknown = 100;
    TimeNotification agent_start = 101;
    PolicyUpdateNotification policy_update = 102;
    EndpointRegenNotification endpoint_regenerate = 103;
    EndpointUpdateNotification endpoint_update = 104;
    IPCacheNotification ipcache_update = 105;
    ServiceUpsertNotification service_upsert = 106;
    ServiceDeleteNotification service_delete = 107;
  }
}

message AgentEventUnknown {
  string type = 1;
  string notification = 2;
}

message TimeNotification {
  google.protobuf.Timestamp time = 1;
}

message PolicyUpdateNotification {
  repeated string labels = 1;
  uint64 revision = 2;
  int64 rule_count = 3;
}

message EndpointRegenNotification {
  uint64 id = 1;
  repeated string labels = 2;
  string error = 3;
}

message EndpointUpdateNotification {
  uint64 id = 1;
  repeated string labels = 2;
  string error = 3;
  string pod_name = 4;
  string namespace = 5;
}

message IPCacheNotification {
  string cidr = 1;
  uint32 identity = 2;
  google.protobuf.UInt32Value old_identity = 3;
  string host_ip = 4;
  string old_host_ip = 5;
  uint32 encrypt_key = 6;
  string namespace = 7;
  string pod_name = 8;
}

message ServiceUpsertNotificationAddr {
  string ip = 1;
  uint32 port = 2;
}

message ServiceUpsertNotification {
  uint32 id = 1;
  ServiceUpsertNotificationAddr frontend_address = 2;
  repeated ServiceUpsertNotificationAddr backend_addresses = 3;
  string type = 4;
  string traffic_policy = 5;
  string name = 6;
  string namespace = 7;
  string ext_traffic_policy = 8;
  string int_traffic_policy = 9;
}

message ServiceDeleteNotification {
  uint32 id = 1;
}

message DebugEvent {
  int32 type = 1;
  Endpoint source = 2;
  google.protobuf.UInt32Value hash = 3;
  google.protobuf.UInt32Value arg1 = 4;
  google.protobuf.UInt32Value arg2 = 5;
  google.protobuf.UInt32Value arg3 = 6;
  string message = 7;
  google.protobuf.Int32Value cpu = 8;
}

enum FlowType {
  UNKNOWN_TYPE = 0;
  L3_L4 = 1;
  L7 = 2;
  SOCK = 3;
}

enum L7FlowType {
  UNKNOWN_L7_TYPE = 0;
  REQUEST = 1;
  RESPONSE = 2;
  SAMPLE = 3;
}

enum IPVersion {
  IP_NOT_USED = 0;
  IPv4 = 1;
  IPv6 = 2;
}

enum Verdict {
  VERDICT_UNKNOWN = 0;
  FORWARDED = 1;
  DROPPED = 2;
  ERROR = 3;
  AUDIT = 4;
  REDIRECTED = 5;
  TRACED = 6;
  TRANSLATED = 7;
}

enum TrafficDirection {
  TRAFFIC_DIRECTION_UNKNOWN = 0;
  INGRESS = 1;
  EGRESS = 2;
}

enum TraceObservationPoint {
  UNKNOWN_POINT = 0;
  TO_PROXY = 1;
  TO_HOST = 2;
  TO_STACK = 3;
  TO_OVERLAY = 4;
  TO_ENDPOINT = 101;
  FROM_ENDPOINT = 5;
  FROM_PROXY = 6;
  FROM_HOST = 7;
  FROM_STACK = 8;
  FROM_OVERLAY = 9;
  FROM_NETWORK = 10;
  TO_NETWORK = 11;
}

enum LostEventSource {
  UNKNOWN_LOST_EVENT_SOURCE = 0;
  PERF_EVENT_RING_BUFFER = 1;
  OBSERVER_EVENTS_QUEUE = 2;
  HUBBLE_RING_BUFFER = 3;
}

enum DropReason {
  DROP_REASON_UNKNOWN = 0;
  INVALID_SOURCE_IP = 132;
  POLICY_DENIED = 133;
  INVALID_PACKET_DROPPED = 134;
  CT_TRUNCATED_OR_INVALID_HEADER = 135;
  CT_UNKNOWN_L4_PROTOCOL = 137;
  UNSUPPORTED_L3_PROTOCOL = 139;
  UNKNOWN_L4_PROTOCOL = 142;
  UNKNOWN_ICMPV4_TYPE = 144;
  STALE_OR_UNROUTABLE_IP = 151;
  CT_MAP_INSERTION_FAILED = 155;
  INVALID_IPV6_EXTENSION_HEADER = 156;
  IP_FRAGMENTATION_NOT_SUPPORTED = 157;
  SERVICE_BACKEND_NOT_FOUND = 158;
  FORBIDDEN_ICMPV6_MESSAGE = 176;
  SOCKET_LOOKUP_FAILED = 178;
  POLICY_DENY = 181;
  DROP_EP_NOT_READY = 203;
}
`;
