// DNS probe: our own UDP query rather than getaddrinfo, so the result says which server answered,
// with which rcode and addresses, and the query leaves from one known port (flows match on it).
// Without --server it reads the pod's resolv.conf and applies its search list like glibc does.
import dgram from 'node:dgram';
import net from 'node:net';
import { readFile } from 'node:fs/promises';
import { randomInt } from 'node:crypto';
import type { ProbeResult, ProbeSpec } from '../framework/types.ts';
import { decodeMessage, encodeQuery, QTYPE, rcodeName, type Message } from './dns-wire.ts';
import { candidateNames, parseResolvConf } from './resolv-conf.ts';
import { errorCode, errorText, formatHostPort, parseHostPort, ProbeTimeout } from './target.ts';

export interface DnsProbeOptions {
  resolvConfPath?: string;
  now?: () => number;
}

export async function probeDns(spec: ProbeSpec, opts: DnsProbeOptions = {}): Promise<ProbeResult> {
  const now = opts.now ?? Date.now;
  const started = now();
  const deadline = started + spec.timeoutMs;
  const base = { kind: 'dns' as const, target: spec.target };
  const ends: Partial<ProbeResult> = {};
  let sock: dgram.Socket | undefined;
  try {
    let server: { host: string; port: number };
    let names: string[];
    if (spec.server) {
      server = parseHostPort(spec.server, 53);
      names = [spec.target.replace(/\.$/, '')];
    } else {
      const conf = parseResolvConf(await readFile(opts.resolvConfPath ?? '/etc/resolv.conf', 'utf8'));
      const ns = conf.nameservers[0];
      if (!ns) throw new Error('no nameserver in resolv.conf (pass --server)');
      server = { host: ns, port: 53 };
      names = candidateNames(spec.target, conf);
    }
    if (!net.isIP(server.host)) throw new Error(`dns server must be an IP address, got ${server.host}`);
    const qtype = spec.qtype === 'AAAA' ? QTYPE.AAAA : QTYPE.A;
    sock = dgram.createSocket(net.isIPv6(server.host) ? 'udp6' : 'udp4');
    const s = sock;
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.connect(server.port, server.host, () => resolve());
    });
    const local = s.address();
    Object.assign(ends, { localAddress: local.address, localPort: local.port, remoteAddress: server.host, remotePort: server.port });
    let last: Message | undefined;
    let answeredName = names[0]!;
    for (const name of names) {
      answeredName = name;
      last = await exchange(s, name, qtype, deadline - now(), spec.timeoutMs);
      // Like glibc, any answer short of addresses (NXDOMAIN, NODATA, REFUSED…) moves on to
      // the next search domain; the last answer is the one reported.
      if (last.rcode === 0 && last.answers.some((a) => a.type === qtype)) break;
    }
    const answers = (last?.answers ?? []).filter((a) => a.type === qtype).map((a) => a.data);
    const rcode = rcodeName(last?.rcode ?? 0);
    const dns = { server: formatHostPort(server.host, server.port), rcode, answers, name: answeredName };
    const ok = rcode === 'NOERROR' && answers.length > 0;
    return { ...base, ok, ...(ok ? {} : { error: `${rcode}${answers.length ? '' : ', no answers'} for ${names.join(', ')}`, errorCode: 'dns' as const }), durationMs: now() - started, ...ends, dns };
  } catch (err) {
    return { ...base, ok: false, error: errorText(err), errorCode: errorCode(err), durationMs: now() - started, ...ends };
  } finally {
    sock?.close();
  }
}

/** One query and its answer (matched by id), or a timeout. */
function exchange(sock: dgram.Socket, name: string, qtype: number, remainingMs: number, totalMs: number): Promise<Message> {
  const id = randomInt(0, 0x10000);
  return new Promise((resolve, reject) => {
    if (remainingMs <= 0) return reject(new ProbeTimeout(totalMs));
    const cleanup = () => {
      clearTimeout(timer);
      sock.off('message', onMessage);
      sock.off('error', onError);
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new ProbeTimeout(totalMs));
    }, remainingMs);
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onMessage = (buf: Buffer) => {
      let m: Message;
      try {
        m = decodeMessage(buf);
      } catch {
        return; // not a DNS answer: keep waiting
      }
      if (m.id !== id || !m.response) return;
      cleanup();
      resolve(m);
    };
    sock.on('message', onMessage);
    sock.on('error', onError);
    sock.send(encodeQuery(id, name, qtype), (err) => err && onError(err));
  });
}
