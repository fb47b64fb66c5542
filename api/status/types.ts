// The agent's status API documents (JSON), shaped for `kubectl netobs status|endpoints|maps`, the
// TUI (tui/model/types.ts EndpointInfo, MapInfo, MapEntriesPage) and the NetobsNode status.
// The builders are pure; gather.ts collects their inputs from a running agent.

export interface UnmanagedPod {
  pod: string;
  reason: string;
}

export interface AgentStatus {
  node: string;
  version: string;
  kernelVersion: string;
  uptimeSeconds: number;
  healthy: boolean;
  kubernetes: { connected: boolean; synced: boolean };
  datapath: { attached: number; programs: number; bpffsRoot?: string; features: Record<string, boolean> };
  endpoints: number;
  unmanagedPods: UnmanagedPod[];
  unmanagedPodCount: number;
  identities: number;
  policies: number;
  policyRevision: number;
  invalidPolicies: { policy: string; message: string }[];
  flows: { numFlows: number; maxFlows: number; seenFlows: number };
  lostEvents: Record<string, number>;
  errors: string[];
  warnings: string[];
}

export interface EndpointStatus {
  node: string;
  id: number;
  identity: number;
  namespace: string;
  podName: string;
  labels: string[];
  ipv4?: string;
  ipv6?: string;
  interface: string;
  ifindex: number;
  ingressEnforcement: boolean;
  egressEnforcement: boolean;
  /** ready, or why not (waiting-for-identity, not-attached). */
  status: string;
  policyEntries?: { direction: 'ingress' | 'egress'; identity: number; port: string; verdict: 'allow' | 'deny' | 'proxy'; policy?: string }[];
}

export interface MapStatus {
  node: string;
  name: string;
  type: string;
  entries: number;
  maxEntries: number;
  pressure: number;
  keySize: number;
  valueSize: number;
  pinPath?: string;
}

export interface MapEntriesPage {
  node: string;
  map: string;
  /** Set by pagers that know it cheaply; an agent reading a kernel map page by page does not. */
  total?: number;
  offset: number;
  entries: { key: string; value: string; fields?: Record<string, unknown> }[];
  /** Token for the next page (`continue=`), present while the map may hold more. */
  continue?: string;
}

/** The NetobsNode status (install/crds/definitions.ts nodeCrd) from an agent status. */
export function nodeStatusObject(s: AgentStatus, now: Date): Record<string, unknown> {
  const ready = s.healthy && s.unmanagedPodCount === 0;
  return {
    agentVersion: s.version,
    kernelVersion: s.kernelVersion,
    lastHeartbeatTime: now.toISOString(),
    datapath: { attached: s.datapath.attached === s.endpoints && s.unmanagedPodCount === 0, programs: s.datapath.programs, ...(s.datapath.bpffsRoot ? { bpffsRoot: s.datapath.bpffsRoot } : {}), features: s.datapath.features },
    endpoints: s.endpoints,
    unmanagedPods: s.unmanagedPods.slice(0, 100).map((u) => u.pod),
    unmanagedPodCount: s.unmanagedPodCount,
    flows: s.flows,
    lostEvents: Object.values(s.lostEvents).reduce((a, b) => a + b, 0),
    errors: s.errors.slice(0, 50),
    warnings: s.warnings.slice(0, 50),
    conditions: [{
      type: 'Ready',
      status: ready ? 'True' : 'False',
      lastTransitionTime: now.toISOString(),
      reason: !s.healthy ? 'AgentUnhealthy' : s.unmanagedPodCount > 0 ? 'UnmanagedPods' : 'AgentReady',
      message: !s.healthy ? s.errors.join('; ') || 'agent unhealthy' : s.unmanagedPodCount > 0 ? `${s.unmanagedPodCount} pods not managed` : 'datapath attached to every local pod',
    }],
  };
}

/** A page of entries; offset and limit as the API's query parameters give them. */
export function page<T>(all: readonly T[], offset: number, limit: number): { total: number; offset: number; items: T[] } {
  const off = Math.max(0, Math.min(offset, all.length));
  return { total: all.length, offset: off, items: all.slice(off, off + Math.max(0, limit)) };
}
