// The relay Deployment, its Service (4245) and its NetworkPolicy, and the headless metrics Services that give
// Prometheus (annotation-based discovery or a ServiceMonitor) one target per agent.
import { CONFIG_DIR, RELAY_TLS_DIR, relayServerName, TLS_DIR } from '../../api/config.ts';
import { RELAY_SERVER_NAME_ANNOTATION } from '../../api/kube-names.ts';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { imageRef, type Values } from '../values.ts';
import { configHash } from './config.ts';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IService } from 'kubernetes-models/v1/Service';
import { agentSelector, CONFIG_HASH_ANNOTATION, meta, NAMES, relaySelector, type KubeObject } from './meta.ts';

/** Whether the relay's client port requires mTLS (install refuses relay.tls without tls). */
export const relayServesTls = (v: Values): boolean => v.tls.enabled && v.relay.tls.enabled;

export function renderRelay(v: Values): KubeObject[] {
  const r = v.relay;
  const labels = { ...relaySelector, 'app.kubernetes.io/component': 'relay' };
  const serverTls = relayServesTls(v);
  const deployment: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    // The plugin reads the annotation to know it must present its client certificate, and which name to expect.
    metadata: meta(v, NAMES.relay, { labels, ...(serverTls ? { annotations: { [RELAY_SERVER_NAME_ANNOTATION]: relayServerName(v.clusterName) } } : {}) }),
    spec: {
      replicas: r.replicas,
      selector: { matchLabels: relaySelector },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } },
      template: {
        metadata: { labels: { ...meta(v, NAMES.relay).labels, ...labels }, annotations: { [CONFIG_HASH_ANNOTATION]: configHash(v) } },
        spec: {
          serviceAccountName: NAMES.relay,
          automountServiceAccountToken: true,
          securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
          tolerations: r.tolerations,
          nodeSelector: r.nodeSelector,
          ...(v.imagePullSecrets.length ? { imagePullSecrets: v.imagePullSecrets.map((name) => ({ name })) } : {}),
          containers: [
            {
              name: 'relay',
              image: imageRef(v),
              imagePullPolicy: v.image.pullPolicy,
              args: ['relay', `--config-dir=${CONFIG_DIR}`],
              env: [{ name: 'POD_NAMESPACE', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } } }],
              ports: [{ name: 'grpc', containerPort: r.port, protocol: 'TCP' }],
              readinessProbe: { tcpSocket: { port: 'grpc' }, periodSeconds: 10, failureThreshold: 3 },
              livenessProbe: { tcpSocket: { port: 'grpc' }, periodSeconds: 10, failureThreshold: 12 },
              resources: r.resources,
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              volumeMounts: [
                // The root filesystem is read-only; the single executable may unpack native modules to /tmp.
                { name: 'tmp', mountPath: '/tmp' },
                { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
                ...(v.tls.enabled ? [{ name: 'tls', mountPath: TLS_DIR, readOnly: true }] : []),
                ...(serverTls ? [{ name: 'server-tls', mountPath: RELAY_TLS_DIR, readOnly: true }] : []),
              ],
              terminationMessagePolicy: 'FallbackToLogsOnError',
            },
          ],
          volumes: [
            { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
            { name: 'config', configMap: { name: NAMES.config, defaultMode: 0o444 } },
            // 0440 with fsGroup: the non-root relay reads its key through the group.
            ...(v.tls.enabled ? [{ name: 'tls', secret: { secretName: NAMES.relayTlsSecret, defaultMode: 0o440 } }] : []),
            ...(serverTls ? [{ name: 'server-tls', secret: { secretName: NAMES.relayServerTlsSecret, defaultMode: 0o440 } }] : []),
          ],
        },
      },
    },
  } satisfies IDeployment;
  const service: KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(v, NAMES.relay, { labels }),
    spec: { type: 'ClusterIP', selector: relaySelector, ports: [{ name: 'grpc', port: r.port, targetPort: 'grpc', protocol: 'TCP' }] },
  } satisfies IService;
  const out = [service, deployment];
  if (r.networkPolicy.enabled) out.push(renderRelayNetworkPolicy(v));
  return out;
}

/**
 * Admits the relay port only, from anywhere (clients arrive through port-forwards and from other
 * namespaces; with relay.tls the certificate is what authenticates them). Egress stays open: the
 * agents listen on node addresses, which a NetworkPolicy can only name as ipBlocks.
 */
export function renderRelayNetworkPolicy(v: Values): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: meta(v, NAMES.relayNetworkPolicy, { labels: { 'app.kubernetes.io/component': 'relay' } }),
    spec: {
      podSelector: { matchLabels: relaySelector },
      policyTypes: ['Ingress'],
      ingress: [{ ports: [{ protocol: 'TCP', port: v.relay.port }] }],
    },
  } satisfies INetworkPolicy;
}

export function renderMetricsServices(v: Values): KubeObject[] {
  const svc = (name: string, portName: string, port: number, component: string): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(v, name, {
      labels: { 'app.kubernetes.io/name': name, 'app.kubernetes.io/component': component },
      annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(port) },
    }),
    spec: { clusterIP: 'None', selector: agentSelector, ports: [{ name: portName, port, targetPort: portName, protocol: 'TCP' }] },
  }) satisfies IService;
  const out = [svc(NAMES.agentMetrics, 'agent-metrics', v.agent.ports.metrics, 'agent-metrics')];
  if (v.agent.metrics.enabled) out.push(svc(NAMES.flowMetrics, 'flow-metrics', v.agent.ports.flowMetrics, 'flow-metrics'));
  return out;
}

export function renderServiceMonitor(v: Values): KubeObject {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: meta(v, 'netobs', { labels: v.serviceMonitor.labels }),
    spec: {
      namespaceSelector: { matchNames: [v.namespace] },
      selector: { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: [NAMES.agentMetrics, NAMES.flowMetrics] }] },
      endpoints: ['agent-metrics', 'flow-metrics'].map((port) => ({
        port,
        interval: v.serviceMonitor.interval,
        honorLabels: true,
        // Scraped through a headless Service: name the target after its node, not the pod IP.
        relabelings: [{ sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'node', action: 'replace' }],
      })),
    },
  };
}
