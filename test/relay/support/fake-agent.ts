// Fake agents for relay tests: real gRPC servers (observer.Observer on a TCP port) that stream a
// flow every 20 ms and can crash and come back on the same port; and a reader of a follow that
// waits for events.
import type * as grpc from '@grpc/grpc-js';
import { observerService, type ObserverHandlers } from '../../../api/grpc.ts';
import type { GetFlowsResponse } from '../../../api/types.ts';
import { listenGrpc, serverCredentials } from '../../../lib/listen.ts';

/** An agent that sends one flow every 20 ms to each follower, numbered per process life. */
export class FakeAgent {
  #server: Awaited<ReturnType<typeof listenGrpc>> | undefined;
  #life = 0;
  port = 0;
  constructor(readonly node: string) {}

  async start(): Promise<void> {
    const life = ++this.#life;
    const handlers: ObserverHandlers = {
      GetFlows: (call) => {
        let n = 0;
        const timer = setInterval(() => {
          const ms = Date.now();
          call.write({ flow: { time: { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 }, node_name: this.node, Summary: `${this.node}#${life}.${n++}` } });
        }, 20);
        const stop = (): void => clearInterval(timer);
        call.on('cancelled', stop);
        call.on('close', stop);
        call.on('error', stop);
      },
      ServerStatus: (_call, cb) => cb(null, { num_flows: 0, max_flows: 4095, seen_flows: 0, uptime_ns: 1, version: 'fake' }),
      GetNodes: (_call, cb) => cb(null, { nodes: [] }),
      GetNamespaces: (_call, cb) => cb(null, { namespaces: [] }),
      GetAgentEvents: (call) => call.end(),
      GetDebugEvents: (call) => call.end(),
    };
    this.#server = await listenGrpc([{ definition: observerService, handlers }], [{ address: `127.0.0.1:${this.port}`, credentials: serverCredentials() }]);
    this.port = this.#server.ports[0] ?? 0;
  }

  /** Dies as a killed process would: connections reset, no goodbye. */
  crash(): void {
    this.#server?.server.forceShutdown();
    this.#server = undefined;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }
}

/** Reads a follow into a list and resolves waits for conditions on it. */
export class Reader {
  readonly events: GetFlowsResponse[] = [];
  #waiters: { pred: (e: GetFlowsResponse) => boolean; from: number; resolve: () => void }[] = [];
  constructor(stream: grpc.ClientReadableStream<GetFlowsResponse>) {
    stream.on('data', (e: GetFlowsResponse) => {
      this.events.push(e);
      this.#waiters = this.#waiters.filter((w) => (w.pred(e) ? (w.resolve(), false) : true));
    });
    stream.on('error', () => {});
  }

  /** Resolves with the index of the first event from now on that matches; fails after 10 s. */
  next(what: string, pred: (e: GetFlowsResponse) => boolean): Promise<number> {
    const from = this.events.length;
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no ${what} within 10 s`)), 10_000);
      this.#waiters.push({ pred, from, resolve: () => { clearTimeout(t); resolve(this.events.length - 1); } });
    });
  }
}

