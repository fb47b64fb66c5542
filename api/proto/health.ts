// netobs's definitions of two standard services its gRPC servers offer next to the Hubble
// observer: gRPC health checking (grpc.health.v1, what `hubble status` asks first and what
// Kubernetes gRPC probes use) and Hubble's peer service (peer.Peer, `hubble watch peers`).
// Field numbers and enum values are wire facts of those protocols.
export const HEALTH_PROTO = `
syntax = "proto3";
package grpc.health.v1;

message HealthCheckRequest {
  string service = 1;
}

message HealthCheckResponse {
  enum ServingStatus {
    UNKNOWN = 0;
    SERVING = 1;
    NOT_SERVING = 2;
    SERVICE_UNKNOWN = 3;
  }
  ServingStatus status = 1;
}

service Health {
  rpc Check(HealthCheckRequest) returns (HealthCheckResponse);
  rpc Watch(HealthCheckRequest) returns (stream HealthCheckResponse);
}
`;

export const PEER_PROTO = `
syntax = "proto3";
package peer;

service Peer {
  rpc Notify(NotifyRequest) returns (stream ChangeNotification) {}
}

message NotifyRequest {}

message ChangeNotification {
  string name = 1;
  string address = 2;
  ChangeNotificationType type = 3;
  TLS tls = 4;
}

enum ChangeNotificationType {
  UNKNOWN = 0;
  PEER_ADDED = 1;
  PEER_DELETED = 2;
  PEER_UPDATED = 3;
}

message TLS {
  string server_name = 1;
}
`;
