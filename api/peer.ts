// Hubble's peer.Peer service (`hubble watch peers`, and how Hubble relays find agents): Notify
// sends every known peer as PEER_ADDED, then each change as it happens. The agent's peers are
// the cluster's nodes, the relay's the agents it reads; both feed a PeerNotifier their current
// list and it works out the changes.
import * as grpc from '@grpc/grpc-js';
import { codec } from './codec.ts';
import { grpcMethod } from './grpc-method.ts';

export const PEER_SERVICE = 'peer.Peer';

export const ChangeNotificationType = { UNKNOWN: 0, PEER_ADDED: 1, PEER_DELETED: 2, PEER_UPDATED: 3 } as const;
export type ChangeNotificationType = (typeof ChangeNotificationType)[keyof typeof ChangeNotificationType];

export interface PeerInfo {
  /** The node name, `cluster/node` when the cluster is not "default". */
  name: string;
  /** host:port of the peer's flow API. */
  address: string;
  /** The name its certificate is checked against; absent when it serves plaintext. */
  tlsServerName?: string;
}
export interface ChangeNotification {
  name?: string; address?: string; type?: ChangeNotificationType; tls?: { server_name?: string };
}
export type NotifyRequest = Record<string, never>;

export const peerService = {
  Notify: grpcMethod(PEER_SERVICE, 'Notify', codec<NotifyRequest>('peer.NotifyRequest'), codec<ChangeNotification>('peer.ChangeNotification'), true),
} satisfies grpc.ServiceDefinition;

function notification(p: PeerInfo, type: ChangeNotificationType): ChangeNotification {
  return { name: p.name, address: p.address, type, ...(p.tlsServerName ? { tls: { server_name: p.tlsServerName } } : {}) };
}

/** Pure: the notifications that turn one peer list into the next. */
export function peerChanges(before: ReadonlyMap<string, PeerInfo>, after: readonly PeerInfo[]): ChangeNotification[] {
  const out: ChangeNotification[] = [];
  const next = new Map(after.map((p) => [p.name, p]));
  for (const [name, p] of before) if (!next.has(name)) out.push(notification(p, ChangeNotificationType.PEER_DELETED));
  for (const p of next.values()) {
    const was = before.get(p.name);
    if (!was) out.push(notification(p, ChangeNotificationType.PEER_ADDED));
    else if (was.address !== p.address || was.tlsServerName !== p.tlsServerName) out.push(notification(p, ChangeNotificationType.PEER_UPDATED));
  }
  return out;
}

export class PeerNotifier {
  #peers = new Map<string, PeerInfo>();
  readonly #subscribers = new Set<(n: ChangeNotification) => void>();

  /** The current peers; subscribers hear what changed. */
  update(peers: readonly PeerInfo[]): void {
    const changes = peerChanges(this.#peers, peers);
    this.#peers = new Map(peers.map((p) => [p.name, p]));
    for (const c of changes) for (const s of this.#subscribers) s(c);
  }

  handlers(): grpc.UntypedServiceImplementation {
    const Notify: grpc.handleServerStreamingCall<NotifyRequest, ChangeNotification> = (call) => {
      for (const p of [...this.#peers.values()].sort((a, b) => a.name.localeCompare(b.name))) {
        call.write(notification(p, ChangeNotificationType.PEER_ADDED));
      }
      const s = (n: ChangeNotification): void => {
        call.write(n);
      };
      this.#subscribers.add(s);
      const stop = (): void => {
        this.#subscribers.delete(s);
      };
      call.on('cancelled', stop);
      call.on('close', stop);
      call.on('error', stop);
    };
    return { Notify };
  }
}
