// The observer.Observer gRPC service for @grpc/grpc-js: a service definition for servers (agent,
// relay) and a typed client (observe, TUI, relay towards agents). Paths are the wire names, so
// the hubble CLI and Hubble UI can talk to netobs and netobs can talk to Hubble.
import * as grpc from '@grpc/grpc-js';
import { grpcMethod } from './grpc-method.ts';
import {
  getAgentEventsRequestCodec, getAgentEventsResponseCodec, getDebugEventsRequestCodec, getDebugEventsResponseCodec,
  getFlowsRequestCodec, getFlowsResponseCodec, getNamespacesRequestCodec, getNamespacesResponseCodec,
  getNodesRequestCodec, getNodesResponseCodec, serverStatusRequestCodec, serverStatusResponseCodec, type Codec,
} from './codec.ts';
import type {
  GetAgentEventsRequest, GetAgentEventsResponse, GetDebugEventsRequest, GetDebugEventsResponse,
  GetFlowsRequest, GetFlowsResponse, GetNamespacesRequest, GetNamespacesResponse, GetNodesRequest,
  GetNodesResponse, ServerStatusRequest, ServerStatusResponse,
} from './types.ts';

export const OBSERVER_SERVICE = 'observer.Observer';

export interface ObserverHandlers extends grpc.UntypedServiceImplementation {
  GetFlows: grpc.handleServerStreamingCall<GetFlowsRequest, GetFlowsResponse>;
  ServerStatus: grpc.handleUnaryCall<ServerStatusRequest, ServerStatusResponse>;
  GetNodes: grpc.handleUnaryCall<GetNodesRequest, GetNodesResponse>;
  GetNamespaces: grpc.handleUnaryCall<GetNamespacesRequest, GetNamespacesResponse>;
  GetAgentEvents: grpc.handleServerStreamingCall<GetAgentEventsRequest, GetAgentEventsResponse>;
  GetDebugEvents: grpc.handleServerStreamingCall<GetDebugEventsRequest, GetDebugEventsResponse>;
}

const method = <Req, Res>(name: string, req: Codec<Req>, res: Codec<Res>, responseStream: boolean): grpc.MethodDefinition<Req, Res> =>
  grpcMethod(OBSERVER_SERVICE, name, req, res, responseStream);

/** A streaming handler that answers UNIMPLEMENTED, saying why (and where to ask instead). */
export function unimplementedStream(why: string): grpc.handleServerStreamingCall<unknown, unknown> {
  return (call) => {
    call.emit('error', { code: grpc.status.UNIMPLEMENTED, details: why });
  };
}

/** Pass to `server.addService(observerService, handlers)`. */
export const observerService = {
  GetFlows: method('GetFlows', getFlowsRequestCodec, getFlowsResponseCodec, true),
  ServerStatus: method('ServerStatus', serverStatusRequestCodec, serverStatusResponseCodec, false),
  GetNodes: method('GetNodes', getNodesRequestCodec, getNodesResponseCodec, false),
  GetNamespaces: method('GetNamespaces', getNamespacesRequestCodec, getNamespacesResponseCodec, false),
  GetAgentEvents: method('GetAgentEvents', getAgentEventsRequestCodec, getAgentEventsResponseCodec, true),
  GetDebugEvents: method('GetDebugEvents', getDebugEventsRequestCodec, getDebugEventsResponseCodec, true),
} satisfies grpc.ServiceDefinition<ObserverHandlers>;

/** A typed observer.Observer client; close it with `close()`. */
export class ObserverClient extends grpc.Client {
  getFlows(request: GetFlowsRequest, options: grpc.CallOptions = {}): grpc.ClientReadableStream<GetFlowsResponse> {
    const m = observerService.GetFlows;
    return this.makeServerStreamRequest(m.path, m.requestSerialize, m.responseDeserialize, request, new grpc.Metadata(), options);
  }

  getAgentEvents(request: GetAgentEventsRequest, options: grpc.CallOptions = {}): grpc.ClientReadableStream<GetAgentEventsResponse> {
    const m = observerService.GetAgentEvents;
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
