// UDP probe: a connected datagram socket sends a token and waits for it to come back (the echo
// role returns every datagram). Connected, so an ICMP port-unreachable shows as a refusal.
import dgram from 'node:dgram';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import type { ProbeResult, ProbeSpec } from '../framework/types.ts';
import { errorCode, errorText, parseHostPort, ProbeTimeout } from './target.ts';

export async function probeUdp(spec: ProbeSpec, now: () => number = Date.now): Promise<ProbeResult> {
  const started = now();
  const ends: Partial<ProbeResult> = {};
  let sock: dgram.Socket | undefined;
  try {
    const { host, port } = parseHostPort(spec.target);
    const ip = net.isIP(host) ? host : (await lookup(host)).address;
    const token = randomBytes(16);
    sock = dgram.createSocket(net.isIPv6(ip) ? 'udp6' : 'udp4');
    const s = sock;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new ProbeTimeout(spec.timeoutMs)), spec.timeoutMs);
      const done = (err?: Error) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      };
      s.on('error', done);
      s.on('message', (msg) => {
        if (msg.equals(token)) done();
      });
      s.connect(port, ip, () => {
        const local = s.address();
        const remote = s.remoteAddress();
        Object.assign(ends, { localAddress: local.address, localPort: local.port, remoteAddress: remote.address, remotePort: remote.port });
        s.send(token, (err) => err && done(err));
      });
    });
    return { kind: 'udp', target: spec.target, ok: true, durationMs: now() - started, ...ends };
  } catch (err) {
    return { kind: 'udp', target: spec.target, ok: false, error: errorText(err), errorCode: errorCode(err), durationMs: now() - started, ...ends };
  } finally {
    sock?.close();
  }
}
