// netobs's own definitions of the `relay` and `observer` packages of the Hubble flow API (wire
// facts from shared/docs/compat-facts.md). The service itself is described for grpc-js in
// api/grpc.ts; the `service` block here documents it and lets reflection tools see it.
export const RELAY_PROTO = `
syntax = "proto3";
package relay;

message NodeStatusEvent {
  NodeState state_change = 1;
  repeated string node_names = 2;
  string message = 3;
}

enum NodeState {
  UNKNOWN_NODE_STATE = 0;
  NODE_CONNECTED = 1;
  NODE_UNAVAILABLE = 2;
  NODE_GONE = 3;
  NODE_ERROR = 4;
}
`;

export const OBSERVER_PROTO = `
syntax = "proto3";
package observer;

import "google/protobuf/timestamp.proto";
import "google/protobuf/wrappers.proto";
import "google/protobuf/field_mask.proto";
import "google/protobuf/any.proto";

service Observer {
  rpc GetFlows(GetFlowsRequest) returns (stream GetFlowsResponse) {}
  rpc GetNodes(GetNodesRequest) returns (GetNodesResponse) {}
  rpc GetNamespaces(GetNamespacesRequest) returns (GetNamespacesResponse) {}
  rpc ServerStatus(ServerStatusRequest) returns (ServerStatusResponse) {}
  rpc GetAgentEvents(GetAgentEventsRequest) returns (stream GetAgentEventsResponse) {}
  rpc GetDebugEvents(GetDebugEventsRequest) returns (stream GetDebugEventsResponse) {}
}

message GetFlowsRequest {
  uint64 number = 1;
  bool first = 9;
  bool follow = 3;
  repeated flow.FlowFilter blacklist = 5;
  repeated flow.FlowFilter whitelist = 6;
  google.protobuf.Timestamp since = 7;
  google.protobuf.Timestamp until = 8;
  google.protobuf.FieldMask field_mask = 10;
  message Experimental {
    // Older hubble clients (before field_mask moved to 10) send their mask here.
    google.protobuf.FieldMask field_mask = 1;
  }
  Experimental experimental = 999;
  google.protobuf.Any extensions = 150000;
  reserved 2;
}

message GetFlowsResponse {
  oneof response_types {
    flow.Flow flow = 1;
    relay.NodeStatusEvent node_status = 2;
    flow.LostEvent lost_events = 3;
  }
  string node_name = 1000;
  google.protobuf.Timestamp time = 1001;
}

message ServerStatusRequest {}

message ServerStatusResponse {
  uint64 num_flows = 1;
  uint64 max_flows = 2;
  uint64 seen_flows = 3;
  uint64 uptime_ns = 4;
  google.protobuf.UInt32Value num_connected_nodes = 5;
  google.protobuf.UInt32Value num_unavailable_nodes = 6;
  repeated string unavailable_nodes = 7;
  string version = 8;
  double flows_rate = 9;
}

message GetAgentEventsRequest {
  uint64 number = 1;
  bool first = 9;
  bool follow = 2;
  google.protobuf.Timestamp since = 7;
  google.protobuf.Timestamp until = 8;
}

message GetAgentEventsResponse {
  flow.AgentEvent agent_event = 1;
  string node_name = 1000;
  google.protobuf.Timestamp time = 1001;
}

message GetDebugEventsRequest {
  uint64 number = 1;
  bool first = 9;
  bool follow = 2;
  google.protobuf.Timestamp since = 7;
  google.protobuf.Timestamp until = 8;
}

message GetDebugEventsResponse {
  flow.DebugEvent debug_event = 1;
  string node_name = 1000;
  google.protobuf.Timestamp time = 1001;
}

message GetNodesRequest {}

message GetNodesResponse {
  repeated Node nodes = 1;
}

message Node {
  string name = 1;
  string version = 2;
  string address = 3;
  relay.NodeState state = 4;
  TLS tls = 5;
  uint64 uptime_ns = 6;
  uint64 num_flows = 7;
  uint64 max_flows = 8;
  uint64 seen_flows = 9;
}

message TLS {
  bool enabled = 1;
  string server_name = 2;
}

message GetNamespacesRequest {}

message GetNamespacesResponse {
  repeated Namespace namespaces = 1;
}

message Namespace {
  string cluster = 1;
  string namespace = 2;
}
`;
