// The relay's connections to the agents: per node an observer.Observer client and an
// AgentStatus client over one mTLS channel (the relay's client certificate, the CA, and the
// agent's name `<node>.<cluster>.agent.netobs.io` checked against the agents' wildcard
// certificate). Peers come and go as the discovery reports agent pods.
import * as grpc from '@grpc/grpc-js';
import { TLS_RELOAD_MS } from '../api/config.ts';
import { ObserverClient } from '../api/grpc.ts';
import { StatusClient } from '../api/status/grpc.ts';
import { reloadingChannelCredentials, type TlsFiles } from '../lib/listen.ts';

export interface PeerSpec {
  node: string;
  /** host:port of the agent's flow API. */
  address: string;
}

export interface Peer extends PeerSpec {
  observer: ObserverClient;
  status: StatusClient;
}

export interface PeerPoolOptions {
  tls?: TlsFiles;
  /** The name agents present; `*` stands for the node name (api/config.ts tls-server-name). */
  serverName?: string;
  /** How often the certificate files are read again (default TLS_RELOAD_MS). */
  reloadMs?: number;
}

/** A DNS label from a node name (dots would not match the certificate's single-label wildcard). */
export function serverNameFor(pattern: string, node: string): string {
  return pattern.replace('*', node.toLowerCase().replace(/[^a-z0-9-]/g, '-'));
}

/** Told after every change of the pool: the nodes added (or re-added at a new address) and removed. */
export type PeerListener = (change: { added: string[]; removed: string[] }) => void;

export class PeerPool {
  readonly #peers = new Map<string, Peer>();
  readonly #listeners = new Set<PeerListener>();
  readonly #creds: grpc.ChannelCredentials;

  constructor(private readonly o: PeerPoolOptions = {}) {
    // Rotated certificates are picked up for new connections; open streams keep theirs.
    this.#creds = o.tls ? reloadingChannelCredentials(o.tls, o.reloadMs ?? TLS_RELOAD_MS) : grpc.credentials.createInsecure();
  }

  /** Makes the pool hold exactly these peers (same address: kept, connection and all). */
  set(specs: readonly PeerSpec[]): { added: string[]; removed: string[] } {
    const want = new Map(specs.map((s) => [s.node, s]));
    const removed: string[] = [];
    for (const [node, p] of this.#peers) {
      if (want.get(node)?.address === p.address) continue;
      p.observer.close();
      p.status.close();
      this.#peers.delete(node);
      removed.push(node);
    }
    const added: string[] = [];
    for (const s of want.values()) {
      if (this.#peers.has(s.node)) continue;
      // Short reconnect backoff: a restarted agent is back within seconds and a follow waits on it.
      const options: grpc.ChannelOptions = { 'grpc.keepalive_time_ms': 30_000, 'grpc.max_receive_message_length': 16 << 20, 'grpc.initial_reconnect_backoff_ms': 250, 'grpc.max_reconnect_backoff_ms': 2000 };
      if (this.o.tls && this.o.serverName) {
        const name = serverNameFor(this.o.serverName, s.node);
        options['grpc.ssl_target_name_override'] = name;
        options['grpc.default_authority'] = name;
      }
      this.#peers.set(s.node, { ...s, observer: new ObserverClient(s.address, this.#creds, options), status: new StatusClient(s.address, this.#creds, options) });
      added.push(s.node);
    }
    const change = { added, removed: removed.filter((n) => !added.includes(n)) };
    if (added.length || change.removed.length) for (const l of this.#listeners) l(change);
    return change;
  }

  /** Follows the pool's changes (a GetFlows follow picks up agents that appear mid-stream); returns the unsubscribe. */
  watch(listener: PeerListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get(node: string): Peer | undefined {
    return this.#peers.get(node);
  }

  list(): Peer[] {
    return [...this.#peers.values()].sort((a, b) => a.node.localeCompare(b.node));
  }

  get tls(): boolean {
    return this.o.tls !== undefined;
  }

  close(): void {
    this.set([]);
  }
}
