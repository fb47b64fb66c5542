// The DNS policy proxy: judges each query a pod sends on a port whose egress policy carries
// `rules.dns`, answers a query no rule selects with REFUSED (as Cilium does), forwards the others
// to the server the pod addressed and relays its answer, after the host has learnt the answer's
// addresses (so a `toFQDNs` allow is in the datapath before the pod can use them). Every judged
// query is a record (request and response) for the flow pipeline. Transport-free: the caller
// hands in a query and its addresses and sends back what `handle` returns.
import dgram from 'node:dgram';
import net from 'node:net';
import { parseDns, type DnsMessage } from '../flows/dns.ts';
import { anySelects } from '../policy/dns-match.ts';
import type { DnsDecision } from '../policy/compile.ts';
import type { PolicyRef } from '../policy/types.ts';

export type { DnsDecision };

export const RCODE_REFUSED = 5;


export interface Addr {
  readonly address: string;
  readonly port: number;
}

/** A judged query's two ends, as the agent knows them. */
export interface DnsQueryEnds {
  readonly endpointId: number;
  readonly client: Addr;
  /** The server the pod addressed (after any Service translation). */
  readonly server: Addr;
  /** How the pod asked; the proxy asks the server the same way. Default UDP. */
  readonly transport?: 'udp' | 'tcp';
}

export interface DnsProxyRecord {
  readonly type: 'request' | 'response';
  readonly verdict: 'forwarded' | 'dropped';
  readonly endpointId: number;
  readonly client: Addr;
  readonly server: Addr;
  readonly message: DnsMessage;
  readonly policies: readonly PolicyRef[];
  readonly latencyNs?: number;
}

export interface DnsProxyHost {
  decide(q: DnsQueryEnds): DnsDecision;
  /** Takes in an allowed answer; the answer is held until this settles (the datapath knows the IPs). */
  learn(q: DnsQueryEnds, answer: DnsMessage): Promise<void>;
  onRecord(r: DnsProxyRecord): void;
}

export interface DnsProxyOptions {
  /** How long to wait for the upstream server (default 5 s); no answer then means no reply. */
  readonly upstreamTimeoutMs?: number;
  readonly now?: () => bigint;
}

/** The REFUSED answer to `query`: its header and question, no records. */
export function refusedAnswer(query: Buffer, questionEnd: number): Buffer {
  const out = Buffer.from(query.subarray(0, questionEnd));
  // QR=1, keep opcode and RD, RA=1, RCODE=REFUSED; one question, no other sections.
  out.writeUInt16BE(0x8000 | (query.readUInt16BE(2) & 0x7900) | 0x0080 | RCODE_REFUSED, 2);
  out.writeUInt16BE(1, 4);
  out.fill(0, 6, 12);
  return out;
}

/** Offset after the first question (names in a query are not compressed), or -1. */
function questionEnd(query: Buffer): number {
  let pos = 12;
  while (pos < query.length) {
    const len = query[pos]!;
    if (len === 0) return pos + 5 <= query.length ? pos + 5 : -1;
    if (len & 0xc0) return -1;
    pos += 1 + len;
  }
  return -1;
}

export class DnsPolicyProxy {
  readonly #host: DnsProxyHost;
  readonly #timeoutMs: number;
  readonly #now: () => bigint;

  constructor(host: DnsProxyHost, o: DnsProxyOptions = {}) {
    this.#host = host;
    this.#timeoutMs = o.upstreamTimeoutMs ?? 5000;
    this.#now = o.now ?? process.hrtime.bigint;
  }

  /** The reply for the pod, or undefined when there is none to send (malformed query, no upstream answer). */
  async handle(query: Buffer, q: DnsQueryEnds): Promise<Buffer | undefined> {
    const parsed = parseDns(query);
    if (!parsed.ok || parsed.message.response || parsed.message.questions.length !== 1) return undefined;
    const msg = parsed.message;
    const name = msg.questions[0]!.name;
    const d = this.#host.decide(q);
    const started = this.#now();
    let allowedBy: readonly PolicyRef[] | undefined;
    let deniedBy: readonly PolicyRef[] = [];
    if (d.kind === 'all') allowedBy = d.policies;
    else if (d.kind === 'denied') deniedBy = d.policies;
    else {
      const matching = d.rules.filter((r) => anySelects(r.rules, name)).map((r) => r.policy);
      if (matching.length) allowedBy = matching;
      else deniedBy = d.rules.map((r) => r.policy);
    }
    const base = { endpointId: q.endpointId, client: q.client, server: q.server };
    if (!allowedBy) {
      const end = questionEnd(query);
      if (end < 0) return undefined;
      const answer = refusedAnswer(query, end);
      this.#host.onRecord({ ...base, type: 'request', verdict: 'dropped', message: msg, policies: deniedBy });
      const reply = parseDns(answer);
      if (reply.ok) this.#host.onRecord({ ...base, type: 'response', verdict: 'dropped', message: reply.message, policies: deniedBy });
      return answer;
    }
    this.#host.onRecord({ ...base, type: 'request', verdict: 'forwarded', message: msg, policies: allowedBy });
    const answer = await (q.transport === 'tcp' ? this.#exchangeTcp(query, q.server, msg.id) : this.#exchange(query, q.server, msg.id));
    if (!answer) return undefined;
    const reply = parseDns(answer);
    if (!reply.ok || !reply.message.response) return undefined;
    await this.#host.learn(q, reply.message);
    this.#host.onRecord({ ...base, type: 'response', verdict: 'forwarded', message: reply.message, policies: allowedBy, latencyNs: Number(this.#now() - started) });
    return answer;
  }

  /** One query to the server over a fresh TCP connection (two-byte length framing, RFC 1035 4.2.2). */
  #exchangeTcp(query: Buffer, server: Addr, id: number): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
      const s = net.connect({ host: server.address, port: server.port });
      let buf = Buffer.alloc(0);
      const done = (b: Buffer | undefined) => {
        clearTimeout(timer);
        s.destroy();
        resolve(b);
      };
      const timer = setTimeout(() => done(undefined), this.#timeoutMs);
      s.on('error', () => done(undefined));
      s.on('close', () => done(undefined));
      s.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        if (buf.length > 2 + 65535) return done(undefined);
        if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          const m = buf.subarray(2, 2 + buf.readUInt16BE(0));
          done(m.length >= 2 && m.readUInt16BE(0) === id ? Buffer.from(m) : undefined);
        }
      });
      const len = Buffer.alloc(2);
      len.writeUInt16BE(query.length);
      s.write(Buffer.concat([len, query]));
    });
  }

  /** One query to the server over UDP from a fresh socket (a random source port per query). */
  #exchange(query: Buffer, server: Addr, id: number): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
      const s = dgram.createSocket(server.address.includes(':') ? 'udp6' : 'udp4');
      const done = (b: Buffer | undefined) => {
        clearTimeout(timer);
        s.close();
        resolve(b);
      };
      const timer = setTimeout(() => done(undefined), this.#timeoutMs);
      s.on('error', () => done(undefined));
      s.on('message', (m, rinfo) => {
        if (rinfo.address === server.address && rinfo.port === server.port && m.length >= 2 && m.readUInt16BE(0) === id) done(m);
      });
      s.send(query, server.port, server.address);
    });
  }
}
