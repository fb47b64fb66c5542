// The observer.Observer gRPC service for @grpc/grpc-js: a service definition for servers (agent,
// relay) and a typed client (observe, TUI, relay towards agents). Paths are the wire names, so
// the hubble CLI and Hubble UI can talk to netobs and netobs can talk to Hubble.
import * as grpc from '@grpc/grpc-js';
import {
  getFlowsRequestCodec, getFlowsResponseCodec, getNamespacesRequestCodec, getNamespacesResponseCodec,
  getNodesRequestCodec, getNodesResponseCodec, serverStatusRequestCodec, serverStatusResponseCodec, type Codec,
} from './codec.ts';
import type {
  GetFlowsRequest, GetFlowsResponse, GetNamespacesRequest, GetNamespacesResponse, GetNodesRequest,
  GetNodesResponse, ServerStatusRequest, ServerStatusResponse,
} from './types.ts';

export const OBSERVER_SERVICE = 'observer.Observer';

export interface ObserverHandlers extends grpc.UntypedServiceImplementation {
  GetFlows: grpc.handleServerStreamingCall<GetFlowsRequest, GetFlowsResponse>;
  ServerStatus: grpc.handleUnaryCall<ServerStatusRequest, ServerStatusResponse>;
  GetNodes: grpc.handleUnaryCall<GetNodesRequest, GetNodesResponse>;
  GetNamespaces: grpc.handleUnaryCall<GetNamespacesRequest, GetNamespacesResponse>;
}

const serialize = <T>(c: Codec<T>) => (value: T): Buffer => {
  const bytes = c.encode(value);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
};
const deserialize = <T>(c: Codec<T>) => (bytes: Buffer): T => c.decode(bytes);

function method<Req, Res>(
  name: string, req: Codec<Req>, res: Codec<Res>, responseStream: boolean,
): grpc.MethodDefinition<Req, Res> {
  return {
    path: `/${OBSERVER_SERVICE}/${name}`,
    requestStream: false,
    responseStream,
    requestSerialize: serialize(req),
    requestDeserialize: deserialize(req),
    responseSerialize: serialize(res),
    responseDeserialize: deserialize(res),
    originalName: name,
  };
}

/** Pass to `server.addService(observerService, handlers)`. */
export const observerService = {
  GetFlows: method('GetFlows', getFlowsRequestCodec, getFlowsResponseCodec, true),
  ServerStatus: method('ServerStatus', serverStatusRequestCodec, serverStatusResponseCodec, false),
  GetNodes: method('GetNodes', getNodesRequestCodec, getNodesResponseCodec, false),
  GetNamespaces: method('GetNamespaces', getNamespacesRequestCodec, getNamespacesResponseCodec, false),
} satisfies grpc.ServiceDefinition<ObserverHandlers>;

/** A typed observer.Observer client; close it with `close()`. */
export class ObserverClient extends grpc.Client {
  getFlows(request: GetFlowsRequest, options: grpc.CallOptions = {}): grpc.ClientReadableStream<GetFlowsResponse> {
    const m = observerService.GetFlows;
    return this.makeServerStreamRequest(m.path, m.requestSerialize, m.responseDeserialize, request, new grpc.Metadata(), options);
  }

  serverStatus(options: grpc.CallOptions = {}): Promise<ServerStatusResponse> {
    return this.unary(observerService.ServerStatus, {}, options);
  }

  getNodes(options: grpc.CallOptions = {}): Promise<GetNodesResponse> {
    return this.unary(observerService.GetNodes, {}, options);
  }

  getNamespaces(options: grpc.CallOptions = {}): Promise<GetNamespacesResponse> {
    return this.unary(observerService.GetNamespaces, {}, options);
  }

  private unary<Req, Res>(m: grpc.MethodDefinition<Req, Res>, request: Req, options: grpc.CallOptions): Promise<Res> {
    return new Promise((resolve, reject) => {
      this.makeUnaryRequest(m.path, m.requestSerialize, m.responseDeserialize, request, new grpc.Metadata(), options,
        (err, value) => (err || value === undefined ? reject(err ?? new Error(`${m.path}: empty response`)) : resolve(value)));
    });
  }
}
