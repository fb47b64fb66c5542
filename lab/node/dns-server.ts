// The lab's cluster DNS (what CoreDNS is in a cluster): UDP and TCP on the host's underlay
// address, answering from the API objects, authoritative for cluster.local and the world
// names, forwarding nothing.
import dgram from 'node:dgram';
import net from 'node:net';
import { once } from 'node:events';
import { RCODE_NOERROR, RCODE_NXDOMAIN, RCODE_REFUSED, TYPE_A, aRecord, buildResponse, parseQuery, type Answer } from './dns-codec.ts';
import { isLabZone, resolveA, type DnsView } from './dns-records.ts';

export function answer(msg: Buffer, view: DnsView): Buffer {
  const q = parseQuery(msg);
  const answers: Answer[] = [];
  let rcode = RCODE_NOERROR;
  for (const qu of q.questions) {
    const ips = resolveA(qu.name, view);
    if (ips === undefined) rcode = isLabZone(qu.name, view) ? RCODE_NXDOMAIN : RCODE_REFUSED;
    else if (qu.type === TYPE_A) for (const ip of ips) answers.push(aRecord(qu.name, ip));
  }
  // A name outside the lab's zones is refused rather than forwarded: the lab has no internet.
  if (rcode === RCODE_REFUSED) rcode = RCODE_NXDOMAIN;
  return buildResponse(q, answers, rcode);
}

export interface DnsServer {
  close(): Promise<void>;
}

export async function startDns(host: string, port: number, view: () => DnsView, log?: (l: string) => void): Promise<DnsServer> {
  const udp = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  udp.on('message', (msg, rinfo) => {
    try {
      udp.send(answer(msg, view()), rinfo.port, rinfo.address);
    } catch (e) {
      log?.(`dns: bad query from ${rinfo.address}: ${(e as Error).message}`);
    }
  });
  udp.bind(port, host);
  await once(udp, 'listening');
  const tcp = net.createServer((sock) => {
    let buf = Buffer.alloc(0);
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const len = buf.readUInt16BE(0);
        const msg = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        try {
          const out = answer(msg, view());
          const l = Buffer.alloc(2);
          l.writeUInt16BE(out.length);
          sock.write(Buffer.concat([l, out]));
        } catch {
          sock.destroy();
        }
      }
    });
    sock.on('error', () => {});
  });
  tcp.listen(port, host);
  await once(tcp, 'listening');
  return {
    async close() {
      udp.close();
      await new Promise<void>((r) => tcp.close(() => r()));
    },
  };
}
