// The fields of Kubernetes objects the agent reads, as plain JSON shapes. Informers, the lab and
// the tests' in-memory cluster all hand the agent objects of these shapes, so nothing past
// agent/k8s depends on @kubernetes/client-node's classes.

export interface OwnerReference {
  readonly apiVersion?: string;
  readonly kind: string;
  readonly name: string;
  readonly uid?: string;
  readonly controller?: boolean;
}

export interface ObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly uid?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly ownerReferences?: readonly OwnerReference[];
  readonly generation?: number;
  readonly resourceVersion?: string;
  /** A Date from typed clients, a string from watches: only its presence matters here. */
  readonly deletionTimestamp?: unknown;
}

export interface ContainerPort {
  readonly name?: string;
  readonly containerPort: number;
  readonly protocol?: string;
}

export interface PodObject {
  readonly metadata: ObjectMeta;
  readonly spec?: {
    readonly nodeName?: string;
    readonly hostNetwork?: boolean;
    readonly serviceAccountName?: string;
    readonly containers?: readonly { readonly name?: string; readonly ports?: readonly ContainerPort[] }[];
  };
  readonly status?: {
    readonly phase?: string;
    readonly podIP?: string;
    readonly podIPs?: readonly { readonly ip: string }[];
    readonly hostIP?: string;
  };
}

export interface NamespaceObject {
  readonly metadata: ObjectMeta;
}

export interface NodeObject {
  readonly metadata: ObjectMeta;
  readonly spec?: { readonly podCIDR?: string; readonly podCIDRs?: readonly string[] };
  readonly status?: { readonly addresses?: readonly { readonly type: string; readonly address: string }[] };
}

export interface ServicePort {
  readonly name?: string;
  readonly port: number;
  readonly protocol?: string;
  readonly targetPort?: number | string;
  readonly nodePort?: number;
}

export interface ServiceObject {
  readonly metadata: ObjectMeta;
  readonly spec?: {
    readonly selector?: Readonly<Record<string, string>>;
    readonly clusterIP?: string;
    readonly clusterIPs?: readonly string[];
    readonly type?: string;
    readonly ports?: readonly ServicePort[];
  };
}

export interface EndpointSliceObject {
  readonly metadata: ObjectMeta;
  readonly addressType?: string;
  readonly endpoints?: readonly { readonly addresses: readonly string[]; readonly conditions?: { readonly ready?: boolean } }[];
  readonly ports?: readonly { readonly name?: string; readonly port?: number; readonly protocol?: string }[];
}

/** Any policy object (k8s NetworkPolicy, netobs NetworkPolicy / ClusterwideNetworkPolicy): parsed by agent/policy. */
export interface PolicyObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: ObjectMeta;
  readonly [field: string]: unknown;
}

/** The label EndpointSlices carry to name their Service. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export function objectKey(m: Pick<ObjectMeta, 'name' | 'namespace'>): string {
  return m.namespace ? `${m.namespace}/${m.name}` : m.name;
}

/** Every IP of a pod (podIPs, else podIP). */
export function podIPs(p: PodObject): string[] {
  const ips = p.status?.podIPs?.map((x) => x.ip).filter(Boolean) ?? [];
  if (ips.length === 0 && p.status?.podIP) ips.push(p.status.podIP);
  return ips;
}

/** A pod whose IPs belong to it (not host-network) and that has not finished. */
export function podHasOwnNetwork(p: PodObject): boolean {
  if (p.spec?.hostNetwork) return false;
  const phase = p.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && podIPs(p).length > 0;
}

export function nodeAddresses(n: NodeObject): string[] {
  const addrs = n.status?.addresses ?? [];
  return addrs.filter((a) => a.type === 'InternalIP' || a.type === 'ExternalIP').map((a) => a.address);
}
