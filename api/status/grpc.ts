// netobs.v1.AgentStatus: the status API over gRPC, next to observer.Observer on the agent's
// flow port (4244, mTLS) and on the relay's (4245), so one connection (or one port-forward to
// the relay) reaches every node's endpoints and maps. Messages are JSON (UTF-8) rather than
// protobuf: the service is netobs's own, and the documents are the HTTP status API's.
//   rpc Query(QueryRequest) returns (QueryResponse)
//   QueryRequest  { path: "/v1/endpoints", node?: "node-a" }   node: relay only; absent = every node
//   QueryResponse { nodes: [{ node, code, body } | { node, code: 503, error }] }
import * as grpc from '@grpc/grpc-js';

export const STATUS_SERVICE = 'netobs.v1.AgentStatus';

export interface QueryRequest {
  path: string;
  node?: string;
}
export interface NodeAnswer {
  node: string;
  code: number;
  body?: unknown;
  error?: string;
}
export interface QueryResponse {
  nodes: NodeAnswer[];
}

const json = {
  serialize: (v: unknown): Buffer => Buffer.from(JSON.stringify(v)),
  deserialize: <T>(b: Buffer): T => JSON.parse(b.toString('utf8')) as T,
};

export const statusService = {
  Query: {
    path: `/${STATUS_SERVICE}/Query`,
    requestStream: false,
    responseStream: false,
    requestSerialize: json.serialize,
    requestDeserialize: (b: Buffer) => json.deserialize<QueryRequest>(b),
    responseSerialize: json.serialize,
    responseDeserialize: (b: Buffer) => json.deserialize<QueryResponse>(b),
    originalName: 'Query',
  },
} satisfies grpc.ServiceDefinition;

export interface StatusHandlers extends grpc.UntypedServiceImplementation {
  Query: grpc.handleUnaryCall<QueryRequest, QueryResponse>;
}

export class StatusClient extends grpc.Client {
  query(request: QueryRequest, options: grpc.CallOptions = {}): Promise<QueryResponse> {
    const m = statusService.Query;
    return new Promise((resolve, reject) => {
      this.makeUnaryRequest(m.path, m.requestSerialize, m.responseDeserialize, request, new grpc.Metadata(), options,
        (err, value) => (err || !value ? reject(err ?? new Error(`${m.path}: empty response`)) : resolve(value)));
    });
  }
}

/** The agent's side: answers for its own node. */
export function agentStatusHandlers(node: string, route: (path: string) => { code: number; body: unknown }): StatusHandlers {
  return {
    Query(call, cb) {
      const path = call.request?.path;
      if (typeof path !== 'string' || !path.startsWith('/v1/')) {
        cb({ code: grpc.status.INVALID_ARGUMENT, details: `path ${JSON.stringify(path)}: must start with /v1/` });
        return;
      }
      if (call.request.node && call.request.node !== node) {
        cb({ code: grpc.status.NOT_FOUND, details: `node ${call.request.node}: this agent serves ${node}` });
        return;
      }
      const r = route(path);
      cb(null, { nodes: [{ node, code: r.code, body: r.body }] });
    },
  };
}
