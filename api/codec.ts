// Typed binary encode/decode of the flow API messages. Decoding returns plain objects holding
// only the fields present on the wire (proto3 zero values stay absent), 64-bit integers as
// numbers and enums as numbers, matching the shapes in api/types.ts.
import type protobuf from 'protobufjs';
import { messageType } from './schema.ts';
import { unknownFields } from './wire-unknown.ts';
import type {
  AgentEvent, GetAgentEventsRequest, GetAgentEventsResponse, GetDebugEventsRequest, GetDebugEventsResponse,
  Flow, FlowFilter, GetFlowsRequest, GetFlowsResponse, GetNamespacesRequest, GetNamespacesResponse,
  GetNodesRequest, GetNodesResponse, LostEvent, NodeStatusEvent, ServerStatusRequest, ServerStatusResponse,
} from './types.ts';

export interface Codec<T> {
  readonly typeName: string;
  encode(message: T): Uint8Array;
  decode(bytes: Uint8Array): T;
}

const TO_OBJECT: protobuf.IConversionOptions = { longs: Number, defaults: false, arrays: false, oneofs: false };

/** A codec for any message of the schema (api/schema.ts), by its full name. */
export function codec<T extends object>(typeName: string): Codec<T> {
  let type: protobuf.Type | undefined;
  const t = (): protobuf.Type => (type ??= messageType(typeName));
  return {
    typeName,
    encode: (message) => t().encode(message).finish(),
    decode: (bytes) => {
      const ty = t();
      return ty.toObject(ty.decode(bytes), TO_OBJECT) as T;
    },
  };
}

export const flowCodec = codec<Flow>('flow.Flow');
export const flowFilterCodec = codec<FlowFilter>('flow.FlowFilter');
export const lostEventCodec = codec<LostEvent>('flow.LostEvent');
export const nodeStatusEventCodec = codec<NodeStatusEvent>('relay.NodeStatusEvent');
const plainGetFlowsRequest = codec<GetFlowsRequest>('observer.GetFlowsRequest');
/** Decoding records the field numbers netobs does not know in `unknown_fields` (api/wire-unknown.ts). */
export const getFlowsRequestCodec: Codec<GetFlowsRequest> = {
  typeName: plainGetFlowsRequest.typeName,
  encode: plainGetFlowsRequest.encode,
  decode: (bytes) => {
    const req = plainGetFlowsRequest.decode(bytes);
    const unknown = unknownFields(messageType(plainGetFlowsRequest.typeName), bytes);
    return unknown.length ? { ...req, unknown_fields: unknown } : req;
  },
};
export const getFlowsResponseCodec = codec<GetFlowsResponse>('observer.GetFlowsResponse');
export const serverStatusRequestCodec = codec<ServerStatusRequest>('observer.ServerStatusRequest');
export const serverStatusResponseCodec = codec<ServerStatusResponse>('observer.ServerStatusResponse');
export const getNodesRequestCodec = codec<GetNodesRequest>('observer.GetNodesRequest');
export const getNodesResponseCodec = codec<GetNodesResponse>('observer.GetNodesResponse');
export const getNamespacesRequestCodec = codec<GetNamespacesRequest>('observer.GetNamespacesRequest');
export const agentEventCodec = codec<AgentEvent>('flow.AgentEvent');
export const getAgentEventsRequestCodec = codec<GetAgentEventsRequest>('observer.GetAgentEventsRequest');
export const getAgentEventsResponseCodec = codec<GetAgentEventsResponse>('observer.GetAgentEventsResponse');
export const getDebugEventsRequestCodec = codec<GetDebugEventsRequest>('observer.GetDebugEventsRequest');
export const getDebugEventsResponseCodec = codec<GetDebugEventsResponse>('observer.GetDebugEventsResponse');
export const getNamespacesResponseCodec = codec<GetNamespacesResponse>('observer.GetNamespacesResponse');
