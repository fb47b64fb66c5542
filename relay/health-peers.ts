// The relay's health and peer services. Health: the relay serves ("" and the observer names)
// while it knows at least one agent, as hubble-relay reports NOT_SERVING with no peers to read;
// peer.Peer and the status service serve as long as the relay runs. peer.Peer lists the agents
// the relay reads, as they come and go.
import type * as grpc from '@grpc/grpc-js';
import { OBSERVER_SERVICE } from '../api/grpc.ts';
import { HealthState, healthService, HUBBLE_OBSERVER_HEALTH_NAME, ServingStatus } from '../api/health.ts';
import { PEER_SERVICE, PeerNotifier, peerService, type PeerInfo } from '../api/peer.ts';
import { STATUS_SERVICE } from '../api/status/grpc.ts';
import type { PeerSpec } from './peers.ts';

export class RelayHealthPeers {
  readonly health = new HealthState();
  readonly peers = new PeerNotifier();

  constructor(private readonly serverName?: (node: string) => string) {
    this.update([]);
    this.health.set(PEER_SERVICE, ServingStatus.SERVING);
    this.health.set(STATUS_SERVICE, ServingStatus.SERVING);
  }

  get services(): { definition: grpc.ServiceDefinition; handlers: grpc.UntypedServiceImplementation }[] {
    return [
      { definition: healthService, handlers: this.health.handlers() },
      { definition: peerService, handlers: this.peers.handlers() },
    ];
  }

  /** The agents the relay now reads. */
  update(agents: readonly PeerSpec[]): void {
    const status = agents.length > 0 ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    for (const name of ['', HUBBLE_OBSERVER_HEALTH_NAME, OBSERVER_SERVICE]) this.health.set(name, status);
    this.peers.update(agents.map((a): PeerInfo => ({
      name: a.node, address: a.address, ...(this.serverName ? { tlsServerName: this.serverName(a.node) } : {}),
    })));
  }

  /** Stopping: every name NOT_SERVING, so watchers hear it before the listener closes. */
  stop(): void {
    this.health.setAll(ServingStatus.NOT_SERVING);
  }
}
