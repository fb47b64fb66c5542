// The connectivity test's workloads, as pure Kubernetes objects: clients and echo servers placed
// by pod (anti-)affinity relative to `client`, their NodePort Services, and a host-network
// DaemonSet, all from the one netobs image so an air-gapped cluster needs nothing else.
import type { IDaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IAffinity, IContainer, INamespace, IService } from 'kubernetes-models/v1';
import type { KubeObject } from './framework/cluster.ts';

export const DEFAULT_NAMESPACE = 'netobs-test';
export const DEFAULT_BINARY = 'kubectl-netobs';
export const ECHO_PORT = 8080;
export const DNS_PORT = 53;
export const HOSTNAME_KEY = 'kubernetes.io/hostname';

/** Labels on everything the test creates, so cleanup and users can find it. */
export const TEST_LABELS = { 'app.kubernetes.io/part-of': 'netobs-connectivity-test', 'app.kubernetes.io/managed-by': 'kubectl-netobs' } as const;

export const NAMES = {
  client: 'client',
  client2: 'client2',
  client3: 'client3',
  echoSameNode: 'echo-same-node',
  echoOtherNode: 'echo-other-node',
  hostNetns: 'host-netns',
} as const;

export interface DeploymentOptions {
  namespace: string;
  image: string;
  /** The netobs binary inside the image. */
  binary: string;
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  /** Whether there is a second node for client3 and echo-other-node. */
  multiNode: boolean;
}

type Placement = { kind: 'none' } | { kind: 'with-client' } | { kind: 'away-from-client' };

const podLabels = (name: string, kind: 'client' | 'echo' | 'host') => ({ ...TEST_LABELS, name, kind });

function affinity(p: Placement): { affinity?: IAffinity } {
  if (p.kind === 'none') return {};
  const term = [{ labelSelector: { matchLabels: { name: NAMES.client } }, topologyKey: HOSTNAME_KEY }];
  const rule = { requiredDuringSchedulingIgnoredDuringExecution: term };
  return { affinity: p.kind === 'with-client' ? { podAffinity: rule } : { podAntiAffinity: rule } };
}

function container(o: DeploymentOptions, name: string, args: string[], extra: Partial<IContainer> = {}): IContainer {
  return { name, image: o.image, imagePullPolicy: o.imagePullPolicy ?? 'IfNotPresent', command: [o.binary, ...args], ...extra };
}

/** Typed with the Kubernetes models (a misspelt field fails tsc), handed on as plain objects. */
const asObject = (o: IDeployment | IDaemonSet | IService | INamespace): KubeObject => o as unknown as KubeObject;

function deployment(o: DeploymentOptions, name: string, kind: 'client' | 'echo', placement: Placement, containers: IContainer[]): KubeObject {
  const labels = podLabels(name, kind);
  return asObject({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: o.namespace, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: { name } },
      template: {
        metadata: { labels },
        // Short grace: test pods hold no state, and cleanup should not wait 30s per pod.
        spec: { terminationGracePeriodSeconds: 1, ...affinity(placement), containers },
      },
    },
  } satisfies IDeployment);
}

function clientDeployment(o: DeploymentOptions, name: string, placement: Placement): KubeObject {
  // NET_RAW for the ICMP probe's raw socket (dropped by some runtimes' defaults).
  return deployment(o, name, 'client', placement, [container(o, 'client', ['sleep'], { securityContext: { capabilities: { add: ['NET_RAW'] } } })]);
}

function echoDeployment(o: DeploymentOptions, name: string, placement: Placement): KubeObject {
  return deployment(o, name, 'echo', placement, [
    container(o, 'echo', ['echo', '--port', String(ECHO_PORT)], {
      ports: [{ name: 'http', containerPort: ECHO_PORT, protocol: 'TCP' }, { name: 'udp', containerPort: ECHO_PORT, protocol: 'UDP' }],
      readinessProbe: { tcpSocket: { port: ECHO_PORT }, periodSeconds: 2 },
    }),
    container(o, 'dns', ['probe', 'dns-server', '--port', String(DNS_PORT)], {
      ports: [{ name: 'dns', containerPort: DNS_PORT, protocol: 'UDP' }],
      securityContext: { capabilities: { add: ['NET_BIND_SERVICE'] } },
    }),
  ]);
}

function echoService(o: DeploymentOptions, name: string): KubeObject {
  return asObject({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: o.namespace, labels: { ...TEST_LABELS, name, kind: 'echo' } },
    spec: {
      type: 'NodePort',
      selector: { name },
      ports: [
        { name: 'http', port: ECHO_PORT, targetPort: ECHO_PORT, protocol: 'TCP' },
        { name: 'udp', port: ECHO_PORT, targetPort: ECHO_PORT, protocol: 'UDP' },
        { name: 'dns', port: DNS_PORT, targetPort: DNS_PORT, protocol: 'UDP' },
      ],
    },
  } satisfies IService);
}

function hostDaemonSet(o: DeploymentOptions): KubeObject {
  const labels = podLabels(NAMES.hostNetns, 'host');
  return asObject({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: NAMES.hostNetns, namespace: o.namespace, labels },
    spec: {
      selector: { matchLabels: { name: NAMES.hostNetns } },
      template: {
        metadata: { labels },
        spec: {
          hostNetwork: true,
          dnsPolicy: 'ClusterFirstWithHostNet',
          terminationGracePeriodSeconds: 1,
          // Every node, tainted or not: host paths are tested from each of them.
          tolerations: [{ operator: 'Exists' }],
          containers: [container(o, 'host-netns', ['sleep'], { securityContext: { capabilities: { add: ['NET_RAW'] } } })],
        },
      },
    },
  } satisfies IDaemonSet);
}

export function namespaceObject(namespace: string): KubeObject {
  return asObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: { ...TEST_LABELS } } } satisfies INamespace);
}

/** Everything to apply, in order (namespace first). */
export function testDeployment(o: DeploymentOptions): KubeObject[] {
  const objs: KubeObject[] = [
    namespaceObject(o.namespace),
    clientDeployment(o, NAMES.client, { kind: 'none' }),
    clientDeployment(o, NAMES.client2, { kind: 'with-client' }),
    echoDeployment(o, NAMES.echoSameNode, { kind: 'with-client' }),
    echoService(o, NAMES.echoSameNode),
  ];
  if (o.multiNode) {
    objs.push(
      clientDeployment(o, NAMES.client3, { kind: 'away-from-client' }),
      echoDeployment(o, NAMES.echoOtherNode, { kind: 'away-from-client' }),
      echoService(o, NAMES.echoOtherNode),
    );
  }
  objs.push(hostDaemonSet(o));
  return objs;
}

/** The pods to wait for: selector and how many must be ready. */
export function expectedPods(o: Pick<DeploymentOptions, 'multiNode'>, nodeCount: number): { selector: Record<string, string>; count: number }[] {
  const names: string[] = [NAMES.client, NAMES.client2, NAMES.echoSameNode, ...(o.multiNode ? [NAMES.client3, NAMES.echoOtherNode] : [])];
  return [...names.map((name) => ({ selector: { name }, count: 1 })), { selector: { name: NAMES.hostNetns }, count: nodeCount }];
}
