// What the agent runtime needs from Kubernetes, as one interface: a stream of object events, a
// place to keep identities, and two status writers. The informer-backed implementation talks to
// an API server (informers.ts); tests and debugging runs hand the runtime an in-memory one.
import type { IdentityStore, StoredIdentity } from '../identity/store.ts';
import type { EndpointSliceObject, NamespaceObject, NodeObject, PodObject, PolicyObject, ServiceObject } from '../../lib/kube-objects.ts';

export interface ResourceTypes {
  pods: PodObject;
  namespaces: NamespaceObject;
  nodes: NodeObject;
  services: ServiceObject;
  endpointslices: EndpointSliceObject;
  /** networking.k8s.io/v1 NetworkPolicy, netobs.io NetworkPolicy and ClusterwideNetworkPolicy. */
  policies: PolicyObject;
}
export type ResourceKind = keyof ResourceTypes;
export const RESOURCE_KINDS: readonly ResourceKind[] = ['namespaces', 'nodes', 'pods', 'services', 'endpointslices', 'policies'];

export type ClusterEvent = {
  [K in ResourceKind]: { kind: K; type: 'upsert' | 'delete'; obj: ResourceTypes[K] };
}[ResourceKind];

export interface ClusterSink {
  event(ev: ClusterEvent): void;
  /** An identity another node (or this one) stored or removed. */
  identity(ev: { type: 'added' | 'deleted'; identity: StoredIdentity }): void;
  /** Every kind has been listed once since start (or since a reconnect, with `resync`). */
  synced(): void;
  /** The connection to the API server went down or came back. */
  connection(up: boolean, error?: string): void;
}

/** The Valid condition the agent writes on netobs policy objects. */
export interface PolicyValidity {
  readonly valid: boolean;
  readonly message: string;
  readonly generation?: number;
}

/** What the agent publishes about its node (the NetobsNode status). */
export type NodeStatusPayload = Record<string, unknown>;

export interface ClusterSource {
  start(sink: ClusterSink): Promise<void>;
  stop(): Promise<void>;
  readonly identities: IdentityStore;
  /** Only called for netobs.io policies (the k8s NetworkPolicy has no such status). */
  setPolicyValidity(obj: PolicyObject, v: PolicyValidity): Promise<void>;
  publishNodeStatus(node: string, status: NodeStatusPayload): Promise<void>;
}
