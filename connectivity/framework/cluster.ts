// What the connectivity test needs from a cluster, and no more, so the framework runs against a
// fake in unit tests and against any Kubernetes API (real or the lab) through one adapter.

/** A Kubernetes object as applied: apiVersion, kind, metadata.name, optional namespace. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

export interface PodInfo {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  /** Empty while the pod has no address. */
  ip: string;
  nodeName: string;
  hostIP: string;
  hostNetwork: boolean;
  ready: boolean;
  /** The first container: where exec runs (pods/exec needs a name when there are several). */
  container?: string;
}

export interface NodeInfo {
  name: string;
  /** InternalIP addresses first, then the others. */
  addresses: string[];
  labels: Record<string, string>;
}

export interface ServicePort {
  name?: string;
  port: number;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  nodePort?: number;
}

export interface ServiceInfo {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  clusterIP: string;
  type: string;
  ports: ServicePort[];
  /**
   * Addresses of its endpoints (EndpointSlices): where a datapath that translates Services at
   * the pod shows the traffic going.
   */
  endpointIPs?: string[];
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface PodRef {
  namespace: string;
  name: string;
  container?: string;
}

export interface ClusterClient {
  /** Creates or updates each object (server-side apply semantics), in order. */
  apply(objects: KubeObject[]): Promise<void>;
  /** Deletes each object, ignoring ones that do not exist; with `wait`, until they are gone. */
  delete(objects: KubeObject[], opts?: { wait?: boolean; timeoutMs?: number }): Promise<void>;
  /** Resolves with the pods matching `selector` once `count` of them are ready; rejects on timeout. */
  waitForPodsReady(namespace: string, selector: Record<string, string>, count: number, timeoutMs: number): Promise<PodInfo[]>;
  /** Runs a command in a pod's container; a non-zero exit is a result, not an error. */
  exec(pod: PodRef, command: string[], opts: { timeoutMs: number }): Promise<ExecResult>;
  listPods(namespace: string, selector?: Record<string, string>): Promise<PodInfo[]>;
  listNodes(): Promise<NodeInfo[]>;
  listServices(namespace: string, selector?: Record<string, string>): Promise<ServiceInfo[]>;
}
