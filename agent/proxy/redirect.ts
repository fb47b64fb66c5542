// Keeps the node's TPROXY redirect equal to the proxy entries the policy compiler produced: one
// nftables rule per (endpoint IPv4, TCP port, peer addresses), so only connections that a proxy
// entry admits are diverted to the proxy. Anything else reaches the endpoint's to_ep and is judged
// there (a peer with no allow is dropped at L3/L4 as before; a peer with a proxy entry whose
// redirect is missing is dropped with SOCKET_LOOKUP_FAILED). The table is replaced in one
// `nft -f` transaction, so there is no instant without rules while they change.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { L7_PROXY_MARK } from '../../bpf/loader/index.ts';
import { tproxyRules, type TproxyTarget } from './transparent.ts';

const run = promisify(execFile);

export const L7_TABLE = 'netobs_l7';
/**
 * The mark the TPROXY rule sets (and the datapath sets on egress packets for the proxy, see
 * bpf/lib/l7.h) and the policy route that delivers marked packets locally.
 */
export const L7_MARK = L7_PROXY_MARK;
export const L7_ROUTE_TABLE = 2004;

// By absolute path: npm puts a look-alike `nft` package first on PATH.
const NFT = ['/usr/sbin/nft', '/sbin/nft'].find((p) => existsSync(p)) ?? 'nft';

/** Installs and replaces the redirect rules; remembers the last text so unchanged sets cost nothing. */
export class TproxyRedirect {
  #applied: string | undefined;
  #routed = false;

  /** `dnsPort`: the DNS proxy's, when it runs; its rule (marked UDP) then stays in the table. */
  constructor(private readonly proxyPort: number, private readonly dnsPort?: number) {}

  /** Makes the table hold exactly `targets` (and the DNS rule); with neither, removes the table. */
  async apply(targets: readonly TproxyTarget[]): Promise<void> {
    const body = targets.length || this.dnsPort !== undefined ? tproxyRules(L7_TABLE, L7_MARK, this.proxyPort, targets, this.dnsPort) : '';
    if (body === this.#applied) return;
    if (body && !this.#routed) await this.ensureRoute();
    // Declaring the table first makes the delete valid when it does not exist yet.
    const script = `table ip ${L7_TABLE} {}\ndelete table ip ${L7_TABLE}\n${body}`;
    await new Promise<void>((resolve, reject) => {
      const p = execFile(NFT, ['-f', '-'], (err, _out, stderr) => (err ? reject(new Error(`l7 proxy: nft: ${stderr.trim() || err.message}`)) : resolve()));
      p.stdin?.end(script);
    });
    this.#applied = body;
  }

  /** Marked packets are delivered to the local stack, where the transparent listener takes them. */
  async ensureRoute(): Promise<void> {
    const rules = (await run('ip', ['rule', 'show'])).stdout;
    if (!rules.includes(`lookup ${L7_ROUTE_TABLE}`)) await run('ip', ['rule', 'add', 'fwmark', `${L7_MARK}/${L7_MARK}`, 'lookup', String(L7_ROUTE_TABLE)]);
    await run('ip', ['route', 'replace', 'local', '0.0.0.0/0', 'dev', 'lo', 'table', String(L7_ROUTE_TABLE)]);
    this.#routed = true;
  }

  /** Removes the table (the ip rule and route stay: without the table nothing carries the mark). */
  async clear(): Promise<void> {
    await this.apply([]);
  }
}
