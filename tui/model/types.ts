// What the terminal UI reads from a cluster. The UI sees netobs only through this interface (the
// flow API and the agent's status), so the real relay connection, the synthetic source of the
// benchmark and the tests' scripted sources are interchangeable.
import type { Flow, LostEvent, NodeStatusEvent } from '../../api/types.ts';
import type { PolicyExplanation } from '../../api/status/explain.ts';

export type { Flow, LostEvent, NodeStatusEvent };

/** Callbacks of a follow subscription. They may be called at any rate; the UI only buffers. */
export interface FlowListener {
  /** New flows, oldest first (a batch keeps the per-call cost low at high rates). */
  flows(batch: readonly Flow[]): void;
  /** Events the datapath or the relay could not deliver. */
  lost(event: LostEvent): void;
  nodeStatus?(event: NodeStatusEvent): void;
  /** The stream failed (connection lost…). The source may keep retrying; the UI shows it and goes on. */
  error(err: Error): void;
}

export interface Subscription { close(): void }

export interface PolicyEntry {
  direction: 'ingress' | 'egress';
  /** Remote identity (0 = any). */
  identity: number;
  /** `TCP/80`, `UDP/53`, `ANY/0`… */
  port: string;
  /** proxy: allowed only through the L7 proxy. */
  verdict: 'allow' | 'deny' | 'proxy';
  /** The policy that produced the entry, `namespace/name` when known. */
  policy?: string;
  packets?: number;
}

export interface EndpointInfo {
  node: string;
  id: number;
  identity: number;
  labels: string[];
  ipv4?: string;
  ipv6?: string;
  ingressEnforcement: boolean;
  egressEnforcement: boolean;
  status: string;
  policyEntries?: PolicyEntry[];
}

export interface MapInfo {
  node: string;
  name: string;
  /** Kernel map type name: hash, lru_hash, lpm_trie, percpu_array, ringbuf… */
  type: string;
  entries: number;
  maxEntries: number;
  /** entries / maxEntries in [0, 1]; ring buffers report their fill level. */
  pressure: number;
}

export interface MapEntry { key: string; value: string }
/** total: when the source knows it cheaply (an agent paging a kernel map does not: the map list's count stands in). */
export interface MapEntriesPage { entries: MapEntry[]; total?: number; offset: number }

export interface ServerStatusInfo {
  numConnectedNodes: number;
  unavailableNodes: string[];
  /** Flows per second across the cluster as the relay measures it. */
  flowsRate: number;
  /** Events lost since the server started (ring buffers, queues). */
  lost: number;
}

export interface TuiDataSource {
  /** Follow the live flow stream until the subscription is closed. */
  subscribeFlows(listener: FlowListener): Subscription;
  /** Endpoints of one node, or of every node when node is absent. */
  listEndpoints(node?: string): Promise<EndpointInfo[]>;
  listMaps(node?: string): Promise<MapInfo[]>;
  mapEntries(node: string, map: string, page: { offset: number; limit: number }): Promise<MapEntriesPage>;
  serverStatus(): Promise<ServerStatusInfo>;
  /** `policy explain` for a connection (the flow detail of a drop); absent when the source cannot. */
  explain?(q: ExplainRequest): Promise<PolicyExplanation>;
}

/** src/dst: ns/pod, an IP or an identity; port: the destination port or the ICMP type. */
export interface ExplainRequest { src: string; dst: string; port: number; protocol: string }
