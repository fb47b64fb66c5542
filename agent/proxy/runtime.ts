// The L7 proxy as the agent runs it: a transparent listener on the node, the HTTP policy proxy
// behind it, and the TPROXY redirect kept equal to the policy's proxy entries. Each accepted
// connection is judged on its original addresses: the destination is a local endpoint, the source
// an identity from the ipcache, and the compiler says (as the datapath's lookup would) whether the
// pair is denied, allowed whole, or allowed per HTTP rule. If the listener dies it is opened again;
// meanwhile redirected packets find no socket and nothing else answers them (the policy entry's
// `proxy` action drops any that would reach the endpoint unredirected), so traffic fails closed.
import { createServer, type Server, type Socket } from 'node:net';
import type { L7Decision } from '../policy/compile.ts';
import type { HttpRule } from '../policy/types.ts';
import { HttpPolicyProxy, type ConnectionPolicy, type ProxyRecord } from './http-proxy.ts';
import { compileHttpRule, type CompiledHttpRule } from './http-rules.ts';
import { TproxyRedirect } from './redirect.ts';
import { makeTransparent, type TproxyTarget } from './transparent.ts';

export const DEFAULT_L7_PROXY_PORT = 4180;

/** A judged connection's two ends, as the agent knows them. */
export interface ConnectionEnds {
  readonly endpointId: number;
  readonly serverIdentity: number;
  readonly clientIdentity: number;
}

export interface L7ProxyHost {
  /** The local endpoint behind an address and the identity of the peer; undefined if not local. */
  ends(local: string, remote: string): ConnectionEnds | undefined;
  decision(endpointId: number, remote: number, port: number): L7Decision;
  onRecord(r: ProxyRecord): void;
  log(level: 'info' | 'warn' | 'error', msg: string): void;
}

export interface L7ProxyOptions {
  readonly port?: number;
  /** Delay before a dead listener is opened again (default 500 ms). */
  readonly restartMs?: number;
  /** The DNS proxy's port when it runs: the redirect then also diverts marked UDP to it. */
  readonly dnsPort?: number;
}

const compiled = new WeakMap<HttpRule, CompiledHttpRule>();
function compileCached(r: HttpRule): CompiledHttpRule {
  let c = compiled.get(r);
  if (!c) compiled.set(r, (c = compileHttpRule(r)));
  return c;
}
const MATCH_ALL = compileHttpRule({});

export class L7ProxyRuntime {
  readonly port: number;
  readonly redirect: TproxyRedirect;
  /** Times the listener was (re)opened, for status and tests. */
  starts = 0;
  readonly #host: L7ProxyHost;
  readonly #restartMs: number;
  readonly #proxy: HttpPolicyProxy;
  #server: Server | undefined;
  #stopped = false;
  #restart: NodeJS.Timeout | undefined;

  constructor(host: L7ProxyHost, o: L7ProxyOptions = {}) {
    this.#host = host;
    this.port = o.port ?? DEFAULT_L7_PROXY_PORT;
    this.#restartMs = o.restartMs ?? 500;
    this.redirect = new TproxyRedirect(this.port, o.dnsPort);
    this.#proxy = new HttpPolicyProxy({
      resolve: (s) => this.#resolve(s),
      onRecord: (r) => this.#host.onRecord(r),
    });
  }

  get listening(): boolean {
    return this.#server?.listening ?? false;
  }

  /** Opens the listener if it is not open; resolves once it listens (or throws why it cannot). */
  async ensureListening(): Promise<void> {
    if (this.#stopped || this.#server) return;
    const server = createServer((socket) => this.#proxy.handle(socket));
    this.#server = server;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.port, '0.0.0.0', () => {
          server.off('error', reject);
          resolve();
        });
      });
      makeTransparent(server);
    } catch (err) {
      this.#server = undefined;
      server.close();
      throw new Error(`l7 proxy: listen on :${this.port}: ${(err as Error).message}`);
    }
    this.starts++;
    server.on('error', (err) => this.#host.log('error', `l7 proxy: listener: ${err.message}`));
    server.on('close', () => {
      if (this.#server === server) this.#server = undefined;
      if (this.#stopped) return;
      this.#host.log('warn', `l7 proxy: listener on :${this.port} closed; opening it again in ${this.#restartMs} ms (redirected connections are refused meanwhile)`);
      this.#restart = setTimeout(() => {
        this.#restart = undefined;
        this.ensureListening().catch((err: unknown) => this.#host.log('error', (err as Error).message));
      }, this.#restartMs);
    });
  }

  /** Closes the listener as a crash would (tests, and the `proxy died` path); it is reopened. */
  crash(): void {
    this.#proxy.close();
    this.#server?.close();
  }

  /** Installs the redirect for exactly these targets, opening the listener first when needed. */
  async sync(targets: readonly TproxyTarget[]): Promise<void> {
    if (targets.length) await this.ensureListening();
    await this.redirect.apply(targets);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#restart);
    this.#proxy.close();
    const s = this.#server;
    this.#server = undefined;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  #resolve(socket: Socket): ConnectionPolicy | undefined {
    const local = socket.localAddress?.replace(/^::ffff:/, '') ?? '';
    const remote = socket.remoteAddress?.replace(/^::ffff:/, '') ?? '';
    const port = socket.localPort ?? 0;
    const ends = this.#host.ends(local, remote);
    if (!ends) return undefined;
    const d = this.#host.decision(ends.endpointId, ends.clientIdentity, port);
    if (d.kind === 'denied') return undefined;
    const allow = d.kind === 'all'
      ? (d.policies.length ? d.policies.map((policy) => ({ policy, rules: [MATCH_ALL] })) : [{ rules: [MATCH_ALL] }])
      : d.rules.map((p) => ({ policy: p.policy, rules: p.rules.map(compileCached) }));
    // The upstream connection leaves from the node (identity host, which the endpoint's implicit
    // host allow admits); the server sees the node's address, not the client's.
    return { endpoint: String(ends.endpointId), upstream: { host: local, port }, allow };
  }
}
