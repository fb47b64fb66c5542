// The test DNS responder that runs beside the echo server in the echo pods (`probe dns-server`):
// authoritative for one zone, it answers `echo.<zone>` with the pod's own addresses, NXDOMAIN
// for other names in the zone and REFUSED outside it. Enough to prove DNS traffic and L7 DNS
// visibility on any cluster without a DNS image.
import dgram from 'node:dgram';
import os from 'node:os';
import { once } from 'node:events';
import { canonicalName, decodeMessage, encodeResponse, QTYPE, type Answer, type Message } from './dns-wire.ts';

export const DNS_ZONE = 'netobs.test';
export const ECHO_NAME = `echo.${DNS_ZONE}`;

export interface DnsServerOptions {
  port: number;
  host?: string;
  zone?: string;
  /** Addresses answered for echo.<zone>; default: this host's non-loopback addresses. */
  addresses?: string[];
}

export interface DnsServer {
  readonly port: number;
  close(): Promise<void>;
}

export function ownAddresses(): string[] {
  return Object.values(os.networkInterfaces()).flatMap((list) => (list ?? []).filter((a) => !a.internal).map((a) => a.address));
}

/** The answer to one query: pure, so the zone's rules are unit-tested without sockets. */
export function answer(q: Message, zone: string, addresses: readonly string[]): { rcode: number; answers: Answer[] } {
  const question = q.questions[0];
  if (!question || q.questions.length !== 1) return { rcode: 1, answers: [] };
  const name = canonicalName(question.name);
  const z = canonicalName(zone);
  if (name !== z && !name.endsWith(`.${z}`)) return { rcode: 5, answers: [] };
  if (name !== `echo.${z}`) return { rcode: 3, answers: [] };
  const v4 = question.type === QTYPE.A;
  const matching = addresses.filter((a) => (v4 ? !a.includes(':') : question.type === QTYPE.AAAA && a.includes(':')));
  return { rcode: 0, answers: matching.map((data) => ({ name: question.name, type: question.type, ttl: 5, data })) };
}

export async function startDnsServer(opts: DnsServerOptions): Promise<DnsServer> {
  const host = opts.host ?? '::';
  const zone = opts.zone ?? DNS_ZONE;
  const sock = dgram.createSocket(host.includes(':') ? { type: 'udp6', ipv6Only: false } : { type: 'udp4' });
  sock.on('message', (buf, rinfo) => {
    let q: Message;
    try {
      q = decodeMessage(buf);
    } catch {
      return;
    }
    if (q.response) return;
    const { rcode, answers } = answer(q, zone, opts.addresses ?? ownAddresses());
    sock.send(encodeResponse(q, rcode, answers), rinfo.port, rinfo.address);
  });
  sock.bind(opts.port, host);
  await once(sock, 'listening');
  return {
    port: sock.address().port,
    close: () => new Promise<void>((resolve) => sock.close(() => resolve())),
  };
}
