// gRPC server reflection, v1 and v1alpha (what grpcurl and other generic tools ask), for the
// services whose messages are protobuf: observer.Observer, peer.Peer, grpc.health.v1.Health.
// netobs.v1.AgentStatus carries JSON, has no protobuf description, and is not listed.
// The answers come from @grpc/reflection, built from the schema the codecs use (api/schema.ts).
// Its own addToServer reads reflection.proto from node_modules at run time, which the single
// executable does not have, so the service definitions are made here from REFLECTION_PROTO and
// each request is handed to the package's per-request handler.
import * as grpc from '@grpc/grpc-js';
import { fromJSON } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import protobuf from 'protobufjs';
import { schemaRoot } from './schema.ts';

const reflectionProto = (pkg: string): string => `
syntax = "proto3";
package ${pkg};
service ServerReflection {
  rpc ServerReflectionInfo(stream ServerReflectionRequest) returns (stream ServerReflectionResponse);
}
message ServerReflectionRequest {
  string host = 1;
  oneof message_request {
    string file_by_filename = 3;
    string file_containing_symbol = 4;
    ExtensionRequest file_containing_extension = 5;
    string all_extension_numbers_of_type = 6;
    string list_services = 7;
  }
}
message ExtensionRequest {
  string containing_type = 1;
  int32 extension_number = 2;
}
message ServerReflectionResponse {
  string valid_host = 1;
  ServerReflectionRequest original_request = 2;
  oneof message_response {
    FileDescriptorResponse file_descriptor_response = 4;
    ExtensionNumberResponse all_extension_numbers_response = 5;
    ListServiceResponse list_services_response = 6;
    ErrorResponse error_response = 7;
  }
}
message FileDescriptorResponse {
  repeated bytes file_descriptor_proto = 1;
}
message ExtensionNumberResponse {
  string base_type_name = 1;
  repeated int32 extension_number = 2;
}
message ListServiceResponse {
  repeated ServiceResponse service = 1;
}
message ServiceResponse {
  string name = 1;
}
message ErrorResponse {
  int32 error_code = 1;
  string error_message = 2;
}
`;

export const REFLECTION_PACKAGES = ['grpc.reflection.v1', 'grpc.reflection.v1alpha'] as const;

/** The package's per-request handler (the same for both versions). */
interface RequestHandler { handleServerReflectionRequest(message: unknown): unknown }

// The options @grpc/reflection's handler expects its messages decoded with.
const HANDLER_MESSAGE_OPTIONS = { longs: String, enums: String, bytes: Array, defaults: true, oneofs: true };

/** Adds reflection for `services` (full names, e.g. `observer.Observer`) to a server. */
export function addReflection(server: grpc.Server, services: readonly string[]): void {
  const described = fromJSON(schemaRoot().toJSON(), { keepCase: true });
  const impl = new ReflectionService(described, { services: [...services] }) as unknown as { v1: RequestHandler; v1Alpha: RequestHandler };
  for (const pkg of REFLECTION_PACKAGES) {
    // Default (camelCase) names: the handler reads `messageRequest`, `listServices`, ….
    const json = protobuf.parse(reflectionProto(pkg)).root.toJSON();
    const loaded = grpc.loadPackageDefinition(fromJSON(json, HANDLER_MESSAGE_OPTIONS)) as unknown as
      Record<string, Record<string, Record<string, { ServerReflection: { service: grpc.ServiceDefinition } }>>>;
    const [, , version] = pkg.split('.') as [string, string, string];
    const definition = loaded.grpc?.reflection?.[version]?.ServerReflection.service;
    if (!definition) throw new Error(`reflection: ${pkg}.ServerReflection missing from its definition`);
    const handler = version === 'v1' ? impl.v1 : impl.v1Alpha;
    server.addService(definition, {
      ServerReflectionInfo: (stream: grpc.ServerDuplexStream<unknown, unknown>) => {
        stream.on('end', () => stream.end());
        stream.on('data', (message: unknown) => stream.write(handler.handleServerReflectionRequest(message)));
      },
    });
  }
}
