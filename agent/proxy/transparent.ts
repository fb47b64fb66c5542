// The proxy's listening socket takes connections the node's nftables TPROXY rule diverts to it
// (the rule's addresses stay the original ones: socket.localAddress/localPort is the server the
// client meant, remoteAddress the real client). The kernel hands such connections only to a
// socket with IP_TRANSPARENT, which node:net cannot set: it is set here through libc.
import koffi from 'koffi';
import dgram from 'node:dgram';
import { isIPv4 } from 'node:net';
import type { Server } from 'node:net';

const SOL_IP = 0;
const IP_TRANSPARENT = 19;

type SetSockOpt = (fd: number, level: number, name: number, value: Buffer, len: number) => number;
let setsockopt: SetSockOpt | undefined;

/** Marks a listening server's socket IP_TRANSPARENT; throws a one-line error when it cannot. */
export function makeTransparent(server: Server): void {
  const fd = (server as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) throw new Error('l7 proxy: listening socket has no file descriptor: call after listen()');
  setsockopt ??= koffi.load('libc.so.6').func('int setsockopt(int fd, int level, int name, const void *value, uint32_t len)') as unknown as SetSockOpt;
  const one = Buffer.alloc(4);
  one.writeInt32LE(1);
  if (setsockopt(fd, SOL_IP, IP_TRANSPARENT, one, 4) !== 0) {
    throw new Error(`l7 proxy: set IP_TRANSPARENT: errno ${koffi.errno()} (needs CAP_NET_ADMIN in the node's network namespace)`);
  }
}

type Socket = (domain: number, type: number, protocol: number) => number;
type Bind = (fd: number, addr: Buffer, len: number) => number;
type Close = (fd: number) => number;
let libc: { socket: Socket; bind: Bind; close: Close } | undefined;

const AF_INET = 2;
const SOCK_DGRAM = 2;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const SOL_SOCKET = 1;
const SO_REUSEADDR = 2;

/**
 * A UDP socket with IP_TRANSPARENT bound to `address:port`, which need not be local: the DNS
 * proxy's listener (0.0.0.0, for what the TPROXY rule diverts) and the sockets it answers from
 * (the server the pod asked, so the answer comes from where the pod expects it). The option must
 * be set before bind, which node:dgram cannot do: the socket is made through libc and handed over.
 */
export async function transparentUdp(address: string, port: number): Promise<dgram.Socket> {
  if (!isIPv4(address)) throw new Error(`dns proxy: ${address}: only IPv4 is proxied`);
  setsockopt ??= koffi.load('libc.so.6').func('int setsockopt(int fd, int level, int name, const void *value, uint32_t len)') as unknown as SetSockOpt;
  if (!libc) {
    const lib = koffi.load('libc.so.6');
    libc = {
      socket: lib.func('int socket(int domain, int type, int protocol)') as unknown as Socket,
      bind: lib.func('int bind(int fd, const void *addr, uint32_t len)') as unknown as Bind,
      close: lib.func('int close(int fd)') as unknown as Close,
    };
  }
  const fd = libc.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw new Error(`dns proxy: socket: errno ${koffi.errno()}`);
  const one = Buffer.alloc(4);
  one.writeInt32LE(1);
  const sa = Buffer.alloc(16);
  sa.writeUInt16LE(AF_INET, 0);
  sa.writeUInt16BE(port, 2);
  Buffer.from(address.split('.').map(Number)).copy(sa, 4);
  if (setsockopt(fd, SOL_IP, IP_TRANSPARENT, one, 4) !== 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, one, 4) !== 0 || libc.bind(fd, sa, 16) !== 0) {
    const errno = koffi.errno();
    libc.close(fd);
    throw new Error(`dns proxy: transparent socket on ${address}:${port}: errno ${errno} (needs CAP_NET_ADMIN in the node's network namespace)`);
  }
  const s = dgram.createSocket('udp4');
  // With an fd, 'listening' is emitted inside bind(): the callback is registered first.
  await new Promise<void>((resolve) => s.bind({ fd }, resolve));
  return s;
}

/** Connections to `ip:port`, from `sources` (prefixes; undefined = any peer), go to the proxy. */
export interface TproxyTarget {
  readonly ip: string;
  readonly port: number;
  readonly sources?: readonly string[];
}

/** The nftables rules that divert TCP to the targets into the proxy on `proxyPort`. */
export function tproxyRules(table: string, mark: number, proxyPort: number, targets: readonly TproxyTarget[], dnsPort?: number): string {
  // After the service DNAT (dstnat, -100): the rule sees the backend pod, not the ClusterIP.
  const rules = targets
    .filter((t) => t.sources === undefined || t.sources.length > 0)
    .map((t) => `    ip daddr ${t.ip} tcp dport ${t.port}${t.sources ? ` ip saddr { ${t.sources.join(', ')} }` : ''} meta mark set ${mark} tproxy to :${proxyPort} accept`);
  // What the datapath marked on its way out of a pod (an egress proxy entry, bpf/lib/l7.h) goes
  // to the DNS proxy, UDP and TCP on the same port.
  if (dnsPort !== undefined) rules.push(`    meta mark & ${mark} == ${mark} meta l4proto { tcp, udp } tproxy to :${dnsPort} accept`);
  return [`table ip ${table} {`, '  chain prerouting {', '    type filter hook prerouting priority dstnat + 10; policy accept;', ...rules, '  }', '}', ''].join('\n');
}
