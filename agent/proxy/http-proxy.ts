// The HTTP/1.x side of the L7 proxy: each accepted client connection is parsed by node:http
// (llhttp), every request is judged on its complete head before a byte of it goes upstream, a
// request no rule allows is answered `403 Access denied` (Cilium's answer) and the connection kept
// for the next one; an allowed request is forwarded over this connection's own upstream connection,
// so keep-alive and pipelined requests keep their order. Bodies, chunked or not, stream through
// with backpressure, so memory per connection is bounded by the stream buffers and the head limit.
import { traceIdOf } from '../flows/http.ts';
import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { PolicyRef } from '../policy/types.ts';
import { ruleMatches, type CompiledHttpRule, type RequestHead } from './http-rules.ts';

/** Cilium's body for a denied request (15 bytes, text/plain). */
export const ACCESS_DENIED = 'Access denied\r\n';

/** The rules of one policy that apply to this connection's peer and port. */
export interface PolicyRules {
  /** Absent for an allow no policy wrote (the direction is not enforced). */
  readonly policy?: PolicyRef;
  readonly rules: readonly CompiledHttpRule[];
}

/** What the agent knows about one redirected connection, from its original addresses. */
export interface ConnectionPolicy {
  /** The endpoint whose policy this is, for the per-endpoint connection limit. */
  readonly endpoint: string;
  readonly upstream: { readonly host: string; readonly port: number; readonly localAddress?: string };
  /** Policies whose rules cover this peer and port; a request is allowed when any rule matches. */
  readonly allow: readonly PolicyRules[];
}

export type ProxyVerdict = 'forwarded' | 'dropped';

/** One judged request or its answer, for the flow pipeline. */
export interface ProxyRecord {
  readonly type: 'request' | 'response';
  readonly verdict: ProxyVerdict;
  readonly endpoint: string;
  readonly client: { readonly address: string; readonly port: number };
  readonly server: { readonly address: string; readonly port: number };
  readonly method: string;
  readonly url: string;
  readonly protocol: string;
  /** The policies that allowed the request, or (denied) those whose rules it failed. */
  readonly policies: readonly PolicyRef[];
  readonly code?: number;
  readonly latencyNs?: number;
  /** Why a connection was refused before any request: limit, parse error, upstream failure. */
  readonly reason?: string;
  /** The request's W3C trace ID (traceparent header), lowercase hex, when it carried a valid one. */
  readonly traceId?: string;
}

export interface HttpProxyOptions {
  /** The policy for a connection from its addresses; undefined refuses it (fail closed). */
  readonly resolve: (socket: Socket) => ConnectionPolicy | undefined;
  readonly onRecord: (r: ProxyRecord) => void;
  readonly maxConnectionsPerEndpoint?: number;
  readonly maxHeaderBytes?: number;
  readonly now?: () => bigint;
}

const CONN = Symbol('netobs.connection');
interface ConnState {
  readonly policy: ConnectionPolicy;
  readonly upstream: Agent;
}
type TaggedSocket = Socket & { [CONN]?: ConnState };

/** Headers that belong to one hop and are not forwarded (RFC 9110 section 7.6.1). */
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

function forwardHeaders(raw: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) if (!HOP.has(raw[i]!.toLowerCase())) out.push(raw[i]!, raw[i + 1]!);
  return out;
}

export class HttpPolicyProxy {
  readonly #server: Server;
  readonly #opts: HttpProxyOptions;
  readonly #perEndpoint = new Map<string, number>();
  readonly #now: () => bigint;

  constructor(opts: HttpProxyOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? process.hrtime.bigint;
    this.#server = createServer({ maxHeaderSize: opts.maxHeaderBytes ?? 16 * 1024, requestTimeout: 60_000, headersTimeout: 20_000, keepAliveTimeout: 30_000 });
    this.#server.on('request', (req: IncomingMessage, res: ServerResponse) => this.#request(req, res));
    this.#server.on('clientError', (err: Error & { code?: string }, socket: Socket) => this.#clientError(err, socket));
  }

  /** Takes over an accepted, redirected client connection. */
  handle(socket: Socket): void {
    const tagged = socket as TaggedSocket;
    const policy = this.#opts.resolve(socket);
    if (!policy) {
      this.#refuse(socket, undefined, 'no policy for the connection');
      return;
    }
    const n = this.#perEndpoint.get(policy.endpoint) ?? 0;
    if (n >= (this.#opts.maxConnectionsPerEndpoint ?? 1024)) {
      this.#refuse(socket, policy, 'proxy connection limit for the endpoint');
      return;
    }
    this.#perEndpoint.set(policy.endpoint, n + 1);
    const upstream = new Agent({ keepAlive: true, maxSockets: 1 });
    tagged[CONN] = { policy, upstream };
    socket.once('close', () => {
      upstream.destroy();
      const left = (this.#perEndpoint.get(policy.endpoint) ?? 1) - 1;
      if (left <= 0) this.#perEndpoint.delete(policy.endpoint);
      else this.#perEndpoint.set(policy.endpoint, left);
    });
    this.#server.emit('connection', socket);
  }

  /** Connections open per endpoint, for status and tests. */
  connections(endpoint: string): number {
    return this.#perEndpoint.get(endpoint) ?? 0;
  }

  close(): void {
    this.#server.closeAllConnections();
  }

  #base(socket: Socket, policy: ConnectionPolicy | undefined) {
    return {
      endpoint: policy?.endpoint ?? '',
      client: { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 },
      server: { address: socket.localAddress ?? '', port: socket.localPort ?? 0 },
    };
  }

  #refuse(socket: Socket, policy: ConnectionPolicy | undefined, reason: string): void {
    this.#opts.onRecord({ type: 'request', verdict: 'dropped', ...this.#base(socket, policy), method: '', url: '', protocol: '', policies: [], reason });
    socket.destroy();
  }

  #clientError(err: Error & { code?: string }, socket: Socket): void {
    const state = (socket as TaggedSocket)[CONN];
    // Not HTTP/1.x (an HTTP/2 preface, TLS, garbage) or a head over the limit: never forwarded.
    const reason = err.code === 'HPE_HEADER_OVERFLOW' ? 'request head too large' : `not an HTTP/1.x request (${err.code ?? err.message})`;
    this.#opts.onRecord({ type: 'request', verdict: 'dropped', ...this.#base(socket, state?.policy), method: '', url: '', protocol: '', policies: [], reason });
    if (socket.writable) socket.end(err.code === 'HPE_HEADER_OVERFLOW' ? 'HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\ncontent-length: 0\r\n\r\n' : 'HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    socket.destroySoon();
  }

  #request(req: IncomingMessage, res: ServerResponse): void {
    const socket = req.socket as TaggedSocket;
    const state = socket[CONN];
    if (!state) {
      res.destroy();
      return;
    }
    const start = this.#now();
    const head: RequestHead = { method: req.method ?? '', target: req.url ?? '', host: req.headers.host, headers: req.headers };
    const allowedBy = state.policy.allow.filter((p) => p.rules.some((r) => ruleMatches(r, head)));
    const traceId = traceIdOf(req.headers.traceparent);
    const base = { ...this.#base(socket, state.policy), method: head.method, url: `http://${head.host ?? state.policy.upstream.host}${head.target}`, protocol: `HTTP/${req.httpVersion}`, ...(traceId ? { traceId } : {}) };
    const verdict: ProxyVerdict = allowedBy.length > 0 ? 'forwarded' : 'dropped';
    const policies = (verdict === 'forwarded' ? allowedBy : state.policy.allow).flatMap((p) => (p.policy ? [p.policy] : []));
    this.#opts.onRecord({ type: 'request', verdict, ...base, policies });
    const answered = (code: number) => this.#opts.onRecord({ type: 'response', verdict, ...base, policies, code, latencyNs: Number(this.#now() - start) });
    if (verdict === 'dropped') {
      // The body, if any, is read and discarded by node:http once the answer ends.
      res.writeHead(403, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(ACCESS_DENIED) });
      res.end(ACCESS_DENIED, () => answered(403));
      return;
    }
    const { host, port, localAddress } = state.policy.upstream;
    const up = request({ host, port, ...(localAddress && { localAddress }), method: head.method, path: head.target, headers: forwardHeaders(req.rawHeaders), agent: state.upstream, setHost: false });
    up.on('response', (ur) => {
      res.writeHead(ur.statusCode ?? 502, forwardHeaders(ur.rawHeaders));
      ur.pipe(res);
      ur.on('end', () => answered(ur.statusCode ?? 0));
    });
    up.on('error', () => {
      if (!res.headersSent) {
        res.writeHead(503, { 'content-type': 'text/plain', 'content-length': 20 });
        res.end('upstream unavailable');
        answered(503);
      } else res.destroy();
    });
    req.pipe(up);
  }
}
