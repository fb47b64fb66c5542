// The vocabulary of connectivity tests: what a probe is, what an action does (traffic) and what
// it is expected to produce (expectations), kept apart so one scenario serves many tests: the
// same pod-to-pod traffic succeeds in a plain test and is dropped under all-ingress-deny.
import type { KubeObject, NodeInfo, PodInfo, ServiceInfo } from './cluster.ts';

export type ProbeKind = 'tcp' | 'udp' | 'icmp' | 'http' | 'dns';
export const PROBE_KINDS: readonly ProbeKind[] = ['tcp', 'udp', 'icmp', 'http', 'dns'];

/** One probe, as the `probe` role takes it on its command line. */
export interface ProbeSpec {
  kind: ProbeKind;
  /** `host:port` for tcp, udp and http; a host for icmp; the name to resolve for dns. */
  target: string;
  timeoutMs: number;
  /** http: request method and path (default GET /). */
  method?: string;
  path?: string;
  /** http: put the response body in the result (reading an agent's metrics). */
  body?: boolean;
  /** dns: `ip[:port]` of the server (default: the pod's resolv.conf) and the query type. */
  server?: string;
  qtype?: 'A' | 'AAAA';
}

/** How a probe failed; `timeout` is what a policy drop looks like from the client. */
export type ProbeErrorCode = 'timeout' | 'refused' | 'reset' | 'unreachable' | 'dns' | 'mismatch' | 'error';

/** What the probe role prints (JSON, one object) and the runner reads back. */
export interface ProbeResult {
  kind: ProbeKind;
  target: string;
  ok: boolean;
  error?: string;
  errorCode?: ProbeErrorCode;
  durationMs: number;
  /** The client side of the connection, so flows can be matched by port. */
  localAddress?: string;
  localPort?: number;
  remoteAddress?: string;
  remotePort?: number;
  http?: { status: number; hostname?: string; bodyBytes: number; body?: string };
  dns?: { server: string; rcode: string; answers: string[]; name: string };
  icmp?: { sent: number; received: number };
}

/** A place traffic comes from or goes to, with the addresses that stand for it in flows. */
export interface Peer {
  /** Short display name: `client`, `echo-other-node`, `node/worker-1`, `world`. */
  name: string;
  /** Its role in the test deployment, for expectations (`client2`, `echo-same-node`, `host`…). */
  role: string;
  /** Addresses that represent it in flows: pod IP; service VIP plus backends; node IPs. */
  ips: string[];
  pod?: PodInfo;
}

/** Traffic from a pod to a peer, with what a successful answer must look like. */
export interface Action {
  /** The scenario that produced it (`pod-to-pod`). */
  scenario: string;
  /** Unique within its test: `pod-to-pod/client->echo-same-node:8080`. */
  name: string;
  /** Where the probe runs: exec in this pod. */
  source: Peer & { pod: PodInfo };
  destination: Peer;
  probe: ProbeSpec;
  /** What a successful answer must contain, beyond the probe succeeding. */
  check?: { httpStatus?: number; dnsAnswer?: string };
}

export type DropReasonName = 'POLICY_DENIED' | 'POLICY_DENY';

export interface L7Expectation {
  http?: { method: string; path: string; code: number };
  dns?: { query: string };
}

/** The outcome an action must have, declared apart from the traffic. */
export type Expectation =
  | { outcome: 'success'; l7?: L7Expectation }
  /** A drop by policy: the probe fails and a DROPPED flow names one of `reasons` and `policy`. */
  | { outcome: 'drop'; reasons: DropReasonName[]; policy?: string };

export interface Params {
  namespace: string;
  /** Host name or IP (optionally :port) outside the cluster for pod-to-world. */
  externalTarget?: string;
  /** An IP outside the cluster for pod-to-cidr and CIDR policies. */
  externalIP?: string;
  /** The TCP port probed outside (HTTP for pod-to-world, plain TCP for pod-to-cidr). */
  externalPort: number;
  probeTimeoutMs: number;
  /** The binary in the image, as exec runs it. */
  binary: string;
}

/** The deployed test workloads, as discovered in the cluster. */
export interface Topology {
  namespace: string;
  nodes: NodeInfo[];
  client: PodInfo;
  client2: PodInfo;
  client3?: PodInfo;
  echoSameNode: PodInfo;
  echoOtherNode?: PodInfo;
  echoSameNodeService: ServiceInfo;
  echoOtherNodeService?: ServiceInfo;
  /** Host-network pods, one per node. */
  hostPods: PodInfo[];
  /** The cluster DNS service (kube-system, k8s-app=kube-dns), if there is one. */
  clusterDNS?: ServiceInfo;
}

export interface Env {
  params: Params;
  topology: Topology;
}

export interface Skip {
  skip: string;
}

/** Reusable traffic: actions against a topology, or why it cannot run there. */
export interface Scenario {
  name: string;
  actions(env: Env): Action[] | Skip;
}

/** A named test: scenarios (traffic), policies it applies, and expectations per action. */
export interface TestDefinition {
  name: string;
  description: string;
  scenarios: Scenario[];
  /** Objects applied before the actions and deleted after them. */
  policies?: (params: Params) => KubeObject[];
  /** Expected outcome per action; every action succeeds when absent. */
  expect?: (action: Action) => Expectation;
  /** Why the whole test cannot run with these parameters (checked before anything is applied). */
  skip?: (params: Params) => string | undefined;
  /**
   * A check of the cluster's own counters instead of traffic: problems, empty when it holds.
   * Runs alone, after the tests before it, with the datapath's drop counters at the run's start.
   */
  check?: (drops: { atStart: DropCounter[]; now: DropCounter[] }) => string[];
}

/** One agent's packets dropped by its datapath for one direction and reason, since the agent started. */
export interface DropCounter {
  node: string;
  direction: string;
  reason: string;
  packets: number;
}

export const isSkip = (v: Action[] | Skip): v is Skip => !Array.isArray(v);
