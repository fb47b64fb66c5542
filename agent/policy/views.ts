// What the compiler reads about the cluster besides policies: plain data the agent keeps from its
// informers, so compilation stays pure.
import type { LabelSet } from '../identity/labels.ts';

export interface NamedPort {
  readonly name: string;
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP' | 'SCTP';
}

/** A pod on this node that the datapath is attached to. */
export interface LocalEndpoint {
  readonly id: number;
  readonly identity: number;
  /** Its security labels (podSecurityLabels), what subjects select on. */
  readonly labels: LabelSet;
  /** Container ports with a name, for named ports in ingress rules. */
  readonly namedPorts?: readonly NamedPort[];
}

/** A cluster-wide identity; namedPorts is the union over the pods that have it (for egress). */
export interface IdentityInfo {
  readonly labels: LabelSet;
  readonly namedPorts?: readonly NamedPort[];
  /** IPs of the pods that have it, for Kubernetes ipBlocks that cover pod IPs. */
  readonly ips?: readonly string[];
}

export interface NodeInfo {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** This agent's node (its traffic is `host`; other nodes are `remote-node`). */
  readonly local: boolean;
  /** Its addresses (where the API server may listen, see kube-apiserver.ts). */
  readonly addresses?: readonly string[];
}

export interface ServiceInfo {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Pod selector; absent for services whose endpoints are managed by hand. */
  readonly selector?: Readonly<Record<string, string>>;
  /** Backend addresses (EndpointSlices), used when there is no selector. */
  readonly endpointIPs: readonly string[];
}

/** What the DNS proxy learnt: the live addresses of the names a toFQDNs selector selects. */
export interface FqdnView {
  ips(selectors: readonly { readonly matchName?: string; readonly matchPattern?: string }[]): readonly string[];
}

export interface ServicesView {
  get(namespace: string, name: string): ServiceInfo | undefined;
  list(): readonly ServiceInfo[];
}
