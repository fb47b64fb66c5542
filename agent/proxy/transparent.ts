// The proxy's listening socket takes connections the node's nftables TPROXY rule diverts to it
// (the rule's addresses stay the original ones: socket.localAddress/localPort is the server the
// client meant, remoteAddress the real client). The kernel hands such connections only to a
// socket with IP_TRANSPARENT, which node:net cannot set: it is set here through libc.
import koffi from 'koffi';
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

/** Connections to `ip:port`, from `sources` (prefixes; undefined = any peer), go to the proxy. */
export interface TproxyTarget {
  readonly ip: string;
  readonly port: number;
  readonly sources?: readonly string[];
}

/** The nftables rules that divert TCP to the targets into the proxy on `proxyPort`. */
export function tproxyRules(table: string, mark: number, proxyPort: number, targets: readonly TproxyTarget[]): string {
  // After the service DNAT (dstnat, -100): the rule sees the backend pod, not the ClusterIP.
  const rules = targets
    .filter((t) => t.sources === undefined || t.sources.length > 0)
    .map((t) => `    ip daddr ${t.ip} tcp dport ${t.port}${t.sources ? ` ip saddr { ${t.sources.join(', ')} }` : ''} meta mark set ${mark} tproxy to :${proxyPort} accept`);
  return [`table ip ${table} {`, '  chain prerouting {', '    type filter hook prerouting priority dstnat + 10; policy accept;', ...rules, '  }', '}', ''].join('\n');
}
