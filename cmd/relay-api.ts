// One connection to the relay for the commands that read the cluster through it (observe, ui,
// endpoints, maps): the flow API (observer.Observer) and the agents' status documents
// (netobs.v1.AgentStatus) on the same address.
import * as grpc from '@grpc/grpc-js';
import { ObserverClient } from '../api/grpc.ts';
import { StatusClient, type NodeAnswer } from '../api/status/grpc.ts';
import type { StatusPath } from '../api/status/paths.ts';
import { UserError } from '../lib/errors.ts';
import { loadKubeConfig } from '../lib/kube.ts';
import { connectRelay, type RelayConnectOptions, type RelayTarget } from '../lib/relay-connection.ts';
import type { KubeConfig } from '@kubernetes/client-node';
import type { GlobalArgs } from './options.ts';

export interface RelayFlags extends GlobalArgs {
  server?: string | undefined;
  'relay-namespace'?: string | undefined;
  'tls-dir'?: string | undefined;
  'tls-server-name'?: string | undefined;
}

/** connectRelay's options from the relay flags. */
export function relayConnectOptions(f: RelayFlags, kc: KubeConfig | undefined): RelayConnectOptions {
  return { server: f.server, ...(kc ? { kc } : {}), namespace: f['relay-namespace'], tlsDir: f['tls-dir'], tlsServerName: f['tls-server-name'] };
}

export class RelayApi {
  private constructor(
    readonly target: RelayTarget,
    readonly observer: ObserverClient,
    readonly status: StatusClient,
    readonly context: string,
  ) {}

  static async connect(f: RelayFlags): Promise<RelayApi> {
    const kc = f.server ? undefined : loadKubeConfig(f);
    const target = await connectRelay(relayConnectOptions(f, kc));
    const opts = { ...target.channelOptions, 'grpc.enable_retries': 0 };
    return new RelayApi(target, new ObserverClient(target.address, target.credentials, opts), new StatusClient(target.address, target.credentials, opts), kc?.getCurrentContext() ?? f.server ?? '');
  }

  /** One status document per node (or for one node); nodes that did not answer carry an error. */
  async query<T>(path: StatusPath<T>, node?: string): Promise<{ node: string; body?: T; error?: string }[]> {
    let answers: NodeAnswer[];
    try {
      answers = (await this.status.query({ path, ...(node ? { node } : {}) }, { deadline: Date.now() + 15_000 })).nodes;
    } catch (err) {
      const e = err as grpc.ServiceError;
      if (e.code === grpc.status.UNAVAILABLE) throw new UserError(`${this.target.description} is unavailable (${e.details}): check 'kubectl netobs status'`, { cause: err });
      if (e.code === grpc.status.NOT_FOUND) throw new UserError(`${e.details}`, { cause: err });
      throw new UserError(`query ${path}: ${e.details ?? e.message}`, { cause: err });
    }
    return answers.map((a) => (a.code === 200 ? { node: a.node, body: a.body as T } : { node: a.node, error: a.error ?? errorOf(a.body) ?? `HTTP ${a.code}` }));
  }

  async close(): Promise<void> {
    this.observer.close();
    this.status.close();
    await this.target.close();
  }
}

function errorOf(body: unknown): string | undefined {
  return typeof body === 'object' && body !== null && typeof (body as { error?: unknown }).error === 'string' ? (body as { error: string }).error : undefined;
}
