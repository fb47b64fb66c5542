// The DNS proxy as the agent runs it: a transparent UDP listener on the node that the TPROXY rule
// feeds with the queries the datapath marked (egress proxy entries, bpf/lib/l7.h), the policy
// proxy behind it, and one transparent socket per DNS server that answers come from, so the pod
// sees the answer from the address it asked. Each query is judged on its original addresses: the
// source is a local endpoint, the destination comes from the datapath's record of where the pod
// sent it (netobs_l7_orig) and its identity from the ipcache. A query whose origin is unknown is
// dropped: nothing is forwarded that was not judged.
import type dgram from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import type { DnsDecision } from '../policy/compile.ts';
import { DnsPolicyProxy, type Addr, type DnsProxyRecord, type DnsQueryEnds } from './dns-proxy.ts';
import type { DnsMessage } from '../flows/dns.ts';
import { makeTransparent, transparentUdp } from './transparent.ts';

export const DEFAULT_DNS_PROXY_PORT = 4181;
const UDP = 17;
const TCP = 6;
/** A TCP client may keep a connection for several queries; each is at most 64 KiB by framing. */
const MAX_TCP_CONNECTIONS = 256;
/** Queries being answered at once; more are dropped (the client retries), bounding memory. */
const MAX_INFLIGHT = 1024;

export interface DnsProxyRuntimeHost {
  /** Where the pod sent the query (the datapath's record), or undefined. */
  origin(client: string, port: number, protocol: number): Addr | undefined;
  /** The local endpoint with this address. */
  endpointOf(address: string): number | undefined;
  /** The identity of a remote address (ipcache). */
  identityOf(address: string): number;
  decision(endpointId: number, remote: number, protocol: number, port: number): DnsDecision;
  learn(q: DnsQueryEnds, answer: DnsMessage): Promise<void>;
  onRecord(r: DnsProxyRecord): void;
  log(level: 'info' | 'warn' | 'error', msg: string): void;
}

export class DnsProxyRuntime {
  readonly port: number;
  /** Queries judged, and dropped before judging (unknown origin or endpoint, overload). */
  readonly counters = { queries: 0, unjudged: 0 };
  readonly #host: DnsProxyRuntimeHost;
  readonly #proxy: DnsPolicyProxy;
  #listener: dgram.Socket | undefined;
  #tcp: Server | undefined;
  readonly #answerFrom = new Map<string, Promise<dgram.Socket>>();
  #inflight = 0;
  #stopped = false;

  constructor(host: DnsProxyRuntimeHost, o: { port?: number; upstreamTimeoutMs?: number } = {}) {
    this.#host = host;
    this.port = o.port ?? DEFAULT_DNS_PROXY_PORT;
    this.#proxy = new DnsPolicyProxy({
      decide: (q) => host.decision(q.endpointId, host.identityOf(q.server.address), q.transport === 'tcp' ? TCP : UDP, q.server.port),
      learn: (q, m) => host.learn(q, m),
      onRecord: (r) => host.onRecord(r),
    }, o.upstreamTimeoutMs === undefined ? {} : { upstreamTimeoutMs: o.upstreamTimeoutMs });
  }

  get listening(): boolean {
    return this.#listener !== undefined;
  }

  async start(): Promise<void> {
    if (this.#listener || this.#stopped) return;
    const s = await transparentUdp('0.0.0.0', this.port);
    s.on('message', (msg, rinfo) => void this.#query(msg, rinfo.address, rinfo.port));
    s.on('error', (err) => this.#host.log('error', `dns proxy: listener: ${err.message}`));
    this.#listener = s;
    // DNS over TCP: the TPROXY rule hands marked TCP here; the accepted socket's local address
    // is the server the pod connected to.
    const tcp = createServer((c) => this.#tcpClient(c));
    tcp.maxConnections = MAX_TCP_CONNECTIONS;
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(this.port, '0.0.0.0', () => resolve());
    });
    makeTransparent(tcp);
    tcp.on('error', (err) => this.#host.log('error', `dns proxy: tcp listener: ${err.message}`));
    this.#tcp = tcp;
  }

  #tcpClient(c: Socket): void {
    const client = { address: (c.remoteAddress ?? '').replace(/^::ffff:/, ''), port: c.remotePort ?? 0 };
    const server = { address: (c.localAddress ?? '').replace(/^::ffff:/, ''), port: c.localPort ?? 0 };
    const endpointId = this.#host.endpointOf(client.address);
    c.on('error', () => {});
    if (endpointId === undefined) {
      this.counters.unjudged++;
      c.destroy();
      return;
    }
    let buf = Buffer.alloc(0);
    // One query at a time, in order: answers go back in the order asked.
    let chain = Promise.resolve();
    c.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = Buffer.from(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        buf = buf.subarray(2 + msg.length);
        this.counters.queries++;
        chain = chain.then(async () => {
          const reply = await this.#proxy.handle(msg, { endpointId, client, server, transport: 'tcp' }).catch(() => undefined);
          if (!reply) return void c.destroy();
          const len = Buffer.alloc(2);
          len.writeUInt16BE(reply.length);
          c.write(Buffer.concat([len, reply]));
        });
      }
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#listener?.close();
    this.#listener = undefined;
    this.#tcp?.close();
    this.#tcp = undefined;
    for (const p of this.#answerFrom.values()) (await p.catch(() => undefined))?.close();
    this.#answerFrom.clear();
  }

  async #query(msg: Buffer, address: string, port: number): Promise<void> {
    const client = { address: address.replace(/^::ffff:/, ''), port };
    const server = this.#host.origin(client.address, port, UDP);
    const endpointId = this.#host.endpointOf(client.address);
    if (!server || endpointId === undefined || this.#inflight >= MAX_INFLIGHT) {
      this.counters.unjudged++;
      return;
    }
    this.#inflight++;
    this.counters.queries++;
    try {
      const reply = await this.#proxy.handle(msg, { endpointId, client, server });
      if (reply && !this.#stopped) (await this.#socketFor(server)).send(reply, client.port, client.address);
    } catch (err) {
      this.#host.log('warn', `dns proxy: query from ${client.address}:${client.port} to ${server.address}:${server.port}: ${(err as Error).message}`);
    } finally {
      this.#inflight--;
    }
  }

  /** The socket that answers as `server`, opened on first use and kept. */
  #socketFor(server: Addr): Promise<dgram.Socket> {
    const key = `${server.address}:${server.port}`;
    let p = this.#answerFrom.get(key);
    if (!p) {
      p = transparentUdp(server.address, server.port);
      p.catch(() => this.#answerFrom.delete(key));
      this.#answerFrom.set(key, p);
    }
    return p;
  }
}
