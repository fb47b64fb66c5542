// ICMP echo from the pod's network namespace. Node has no raw sockets, so libc's socket calls go
// through koffi (already in the binary for libbpf): a raw socket when we may (root, CAP_NET_RAW:
// pods by default), else an unprivileged ping socket (net.ipv4.ping_group_range). IPv4 only.
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import type { ProbeResult, ProbeSpec } from '../framework/types.ts';
import { errorText, ProbeTimeout } from './target.ts';

const AF_INET = 2;
const SOCK_RAW = 3;
const SOCK_DGRAM = 2;
const IPPROTO_ICMP = 1;
const MSG_DONTWAIT = 0x40;
const POLLIN = 1;
const RESEND_MS = 500;

export function checksum(b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < b.length; i += 2) sum += (b[i]! << 8) + (b[i + 1] ?? 0);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return ~sum & 0xffff;
}

export function echoRequest(id: number, seq: number, payload: Buffer): Buffer {
  const b = Buffer.concat([Buffer.alloc(8), payload]);
  b[0] = 8; // echo request
  b.writeUInt16BE(id, 4);
  b.writeUInt16BE(seq, 6);
  b.writeUInt16BE(checksum(b), 2);
  return b;
}

export type IcmpReply = { kind: 'reply'; from: string; seq: number } | { kind: 'unreachable'; from: string; code: number } | undefined;

/** What a received packet means to us; `raw` packets carry their IPv4 header. */
export function parseIcmp(pkt: Buffer, raw: boolean, id: number | undefined): IcmpReply {
  let from = '';
  let icmp = pkt;
  if (raw) {
    if (pkt.length < 20) return undefined;
    const ihl = (pkt[0]! & 0x0f) * 4;
    if (pkt[9] !== IPPROTO_ICMP) return undefined;
    from = [...pkt.subarray(12, 16)].join('.');
    icmp = pkt.subarray(ihl);
  }
  if (icmp.length < 8) return undefined;
  if (icmp[0] === 0 && (id === undefined || icmp.readUInt16BE(4) === id)) return { kind: 'reply', from, seq: icmp.readUInt16BE(6) };
  if (icmp[0] === 3 && icmp.length >= 8 + 20 + 8) {
    const inner = icmp.subarray(8);
    const innerIcmp = inner.subarray((inner[0]! & 0x0f) * 4);
    if (innerIcmp[0] === 8 && (id === undefined || innerIcmp.readUInt16BE(4) === id)) return { kind: 'unreachable', from, code: icmp[1]! };
  }
  return undefined;
}

interface Libc {
  socket(domain: number, type: number, proto: number): number;
  sendto(fd: number, buf: Buffer, len: number, flags: number, addr: Buffer, addrlen: number): number;
  recv(fd: number, buf: Buffer, len: number, flags: number): number;
  pollAsync(fds: Buffer, n: number, timeoutMs: number): Promise<number>;
  close(fd: number): number;
  errno(): number;
}

let libc: Promise<Libc> | undefined;

function loadLibc(): Promise<Libc> {
  return (libc ??= (async () => {
    const { default: koffi } = await import('koffi');
    const lib = koffi.load('libc.so.6');
    const poll = lib.func('int poll(void *fds, unsigned long nfds, int timeout)');
    return {
      socket: lib.func('int socket(int domain, int type, int protocol)'),
      sendto: lib.func('intptr_t sendto(int fd, const void *buf, size_t len, int flags, const void *addr, uint32_t addrlen)'),
      recv: lib.func('intptr_t recv(int fd, _Out_ void *buf, size_t len, int flags)'),
      // Waiting happens on koffi's worker thread, so the event loop (and its timers) keep running.
      pollAsync: (fds, n, ms) => new Promise((resolve, reject) => poll.async(fds, n, ms, (err: unknown, r: number) => (err ? reject(err) : resolve(r)))),
      close: lib.func('int close(int fd)'),
      errno: () => koffi.errno(),
    } satisfies Libc;
  })());
}

export async function probeIcmp(spec: ProbeSpec, now: () => number = Date.now): Promise<ProbeResult> {
  const started = now();
  const base = { kind: 'icmp' as const, target: spec.target };
  let sent = 0;
  let fd = -1;
  let c: Libc | undefined;
  try {
    const ip = net.isIPv4(spec.target) ? spec.target : (await lookup(spec.target, { family: 4 })).address;
    c = await loadLibc();
    let raw = true;
    fd = c.socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
    if (fd < 0) {
      raw = false;
      fd = c.socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
    }
    if (fd < 0) throw new Error(`cannot open an ICMP socket (errno ${c.errno()}): needs CAP_NET_RAW or net.ipv4.ping_group_range`);
    const addr = Buffer.alloc(16);
    addr.writeUInt16LE(AF_INET, 0);
    Buffer.from(ip.split('.').map(Number)).copy(addr, 4);
    // Ping sockets get their id from the kernel and only see their own replies.
    const id = raw ? (process.pid ^ started) & 0xffff : undefined;
    const deadline = started + spec.timeoutMs;
    const pkt = Buffer.alloc(1500);
    const fds = Buffer.alloc(8);
    while (now() < deadline) {
      const seq = ++sent;
      const req = echoRequest(id ?? 0, seq, Buffer.from('netobs-probe'));
      if (c.sendto(fd, req, req.length, 0, addr, 16) < 0) throw Object.assign(new Error(`sendto ${ip}: errno ${c.errno()}`), { code: errnoCode(c.errno()) });
      const resendAt = Math.min(deadline, now() + RESEND_MS);
      while (now() < resendAt) {
        fds.writeInt32LE(fd, 0);
        fds.writeInt16LE(POLLIN, 4);
        fds.writeInt16LE(0, 6);
        if ((await c.pollAsync(fds, 1, Math.max(1, resendAt - now()))) <= 0) continue;
        const n = c.recv(fd, pkt, pkt.length, MSG_DONTWAIT);
        if (n <= 0) continue;
        const r = parseIcmp(pkt.subarray(0, n), raw, id);
        if (r?.kind === 'reply' && (!raw || r.from === ip) && r.seq <= sent) {
          return { ...base, ok: true, durationMs: now() - started, remoteAddress: ip, icmp: { sent, received: 1 } };
        }
        if (r?.kind === 'unreachable') {
          return { ...base, ok: false, error: `destination unreachable (code ${r.code}) from ${r.from || ip}`, errorCode: 'unreachable', durationMs: now() - started, remoteAddress: ip, icmp: { sent, received: 0 } };
        }
      }
    }
    throw new ProbeTimeout(spec.timeoutMs);
  } catch (err) {
    const code = err instanceof ProbeTimeout ? 'timeout' : (err as { code?: string }).code === 'unreachable' ? 'unreachable' : 'error';
    return { ...base, ok: false, error: errorText(err), errorCode: code, durationMs: now() - started, icmp: { sent, received: 0 } };
  } finally {
    if (fd >= 0) c?.close(fd);
  }
}

const errnoCode = (e: number) => (e === 101 || e === 113 ? 'unreachable' : 'error'); // ENETUNREACH, EHOSTUNREACH
