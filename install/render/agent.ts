// The agent DaemonSet: one agent per node, on the host network, with the capabilities it needs
// listed instead of privileged: true (only the optional bpffs-mounting init container is privileged,
// because Bidirectional mount propagation requires it).
//
// Uninstall versus restart: BPF programs and maps are pinned under bpffsRoot so that a restarted or
// upgraded agent keeps traffic flowing and policies enforced. Only an uninstall may remove them.
// The preStop hook runs `kubectl-netobs agent shutdown --if-uninstalling`, which detaches programs
// and removes pins only when the agent's own DaemonSet (config key agent-daemonset, env
// NETOBS_AGENT_DAEMONSET) is being deleted: a GET of the DaemonSet returns 404, or an object with
// metadata.deletionTimestamp set (uninstall deletes it with propagationPolicy=Foreground, so the
// DaemonSet stays visible, marked for deletion, while its pods terminate), or an object annotated
// netobs.io/uninstalling=true (set by uninstall before deleting, for clusters where the delete is
// not observed in time). A rolling update, a pod deletion, a drain or a node reboot leaves the
// DaemonSet as it was, so the pins stay. Any other API error keeps the pins (fail safe: traffic is
// never cut by a flaky API server; uninstall then reports the nodes whose pins remain).
import { CGROUP_ROOT, CNI_BIN_DIR, CNI_CONF_DIR, CONFIG_DIR, NETNS_DIR, RUN_DIR, TLS_DIR } from '../../api/config.ts';
import { imageRef, type Values } from '../values.ts';
import { configHash } from './config.ts';
import type { IDaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import type { IContainer, IContainerPort, IEnvVar, IProbe, IVolume, IVolumeMount } from 'kubernetes-models/v1';
import { agentSelector, CONFIG_HASH_ANNOTATION, meta, NAMES, type KubeObject } from './meta.ts';

export const BINARY = '/usr/local/bin/kubectl-netobs';
export { UNINSTALLING_ANNOTATION } from '../../api/kube-names.ts';

/** Capabilities instead of privileged: load programs and maps (BPF, PERFMON for ring buffers and
 * tracing helpers, SYS_ADMIN for pinning and older kernels), attach tc filters (NET_ADMIN), and
 * raise the memlock limit on kernels that still charge maps to it (SYS_RESOURCE). */
export const AGENT_CAPABILITIES = ['NET_ADMIN', 'SYS_ADMIN', 'BPF', 'PERFMON', 'SYS_RESOURCE'];

const fieldEnv = (name: string, fieldPath: string): IEnvVar => ({ name, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath } } });

export function renderAgent(v: Values): KubeObject {
  const a = v.agent;
  const probe = (periodSeconds: number, failureThreshold: number): IProbe => ({
    // The agent serves health on loopback only; with hostNetwork the kubelet reaches it there.
    httpGet: { host: '127.0.0.1', path: '/healthz', port: a.ports.health, scheme: 'HTTP' },
    periodSeconds,
    failureThreshold,
    timeoutSeconds: 5,
  });
  const mounts: IVolumeMount[] = [
    { name: 'bpf-maps', mountPath: '/sys/fs/bpf', mountPropagation: 'HostToContainer' },
    { name: 'cgroup', mountPath: CGROUP_ROOT, mountPropagation: 'HostToContainer', readOnly: true },
    { name: 'netns', mountPath: NETNS_DIR, mountPropagation: 'HostToContainer', readOnly: true },
    { name: 'run', mountPath: RUN_DIR },
    // The agent installs its chained CNI plugin (this binary) and appends it to the node's conflist.
    { name: 'cni-bin', mountPath: CNI_BIN_DIR },
    { name: 'cni-conf', mountPath: CNI_CONF_DIR },
    { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
    ...(v.tls.enabled ? [{ name: 'tls', mountPath: TLS_DIR, readOnly: true }] : []),
  ];
  const hostPath = (name: string, path: string, type: 'Directory' | 'DirectoryOrCreate'): IVolume => ({ name, hostPath: { path, type } });
  const volumes: IVolume[] = [
    hostPath('bpf-maps', '/sys/fs/bpf', 'DirectoryOrCreate'),
    hostPath('cgroup', '/sys/fs/cgroup', 'Directory'),
    hostPath('netns', '/var/run/netns', 'DirectoryOrCreate'),
    hostPath('run', RUN_DIR, 'DirectoryOrCreate'),
    hostPath('cni-bin', '/opt/cni/bin', 'DirectoryOrCreate'),
    hostPath('cni-conf', '/etc/cni/net.d', 'DirectoryOrCreate'),
    { name: 'config', configMap: { name: NAMES.config, defaultMode: 0o444 } },
    ...(v.tls.enabled ? [{ name: 'tls', secret: { secretName: NAMES.agentTlsSecret, defaultMode: 0o400 } }] : []),
  ];
  const mountBpffs: IContainer = {
    name: 'mount-bpffs',
    image: imageRef(v),
    imagePullPolicy: v.image.pullPolicy,
    // Mount bpffs only where the host has not: mounting it again would hide the existing pins.
    command: ['/bin/sh', '-c', 'while read -r _ m t _; do [ "$m" = /sys/fs/bpf ] && [ "$t" = bpf ] && exit 0; done < /proc/mounts; exec mount -t bpf bpf /sys/fs/bpf'],
    securityContext: { privileged: true },
    volumeMounts: [{ name: 'bpf-maps', mountPath: '/sys/fs/bpf', mountPropagation: 'Bidirectional' }],
    terminationMessagePolicy: 'FallbackToLogsOnError',
  };
  const ports: IContainerPort[] = [
    { name: 'health', containerPort: a.ports.health, hostPort: a.ports.health, protocol: 'TCP' },
    { name: 'agent-metrics', containerPort: a.ports.metrics, hostPort: a.ports.metrics, protocol: 'TCP' },
    { name: 'flow-metrics', containerPort: a.ports.flowMetrics, hostPort: a.ports.flowMetrics, protocol: 'TCP' },
    { name: 'flow-server', containerPort: a.ports.flowServer, hostPort: a.ports.flowServer, protocol: 'TCP' },
  ];
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: meta(v, NAMES.agent, { labels: { ...agentSelector, 'app.kubernetes.io/component': 'agent' } }),
    spec: {
      selector: { matchLabels: agentSelector },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: /^\d+$/.test(a.maxUnavailable) ? Number(a.maxUnavailable) : a.maxUnavailable } },
      template: {
        metadata: {
          labels: { ...meta(v, NAMES.agent).labels, ...agentSelector, 'app.kubernetes.io/component': 'agent' },
          annotations: {
            'prometheus.io/scrape': 'true',
            'prometheus.io/port': String(a.ports.metrics),
            [CONFIG_HASH_ANNOTATION]: configHash(v),
            ...a.podAnnotations,
          },
        },
        spec: {
          serviceAccountName: NAMES.agent,
          automountServiceAccountToken: true,
          hostNetwork: true,
          hostPID: a.hostPID,
          dnsPolicy: 'ClusterFirstWithHostNet',
          ...(a.priorityClassName ? { priorityClassName: a.priorityClassName } : {}),
          terminationGracePeriodSeconds: a.terminationGracePeriodSeconds,
          tolerations: a.tolerations,
          nodeSelector: a.nodeSelector,
          ...(v.imagePullSecrets.length ? { imagePullSecrets: v.imagePullSecrets.map((name) => ({ name })) } : {}),
          ...(a.mountBpffs ? { initContainers: [mountBpffs] } : {}),
          containers: [
            {
              name: 'agent',
              image: imageRef(v),
              imagePullPolicy: v.image.pullPolicy,
              args: ['agent', `--config-dir=${CONFIG_DIR}`],
              env: [
                fieldEnv('NODE_NAME', 'spec.nodeName'),
                // The metrics ports listen on the node's IP, not on every host interface.
                fieldEnv('HOST_IP', 'status.hostIP'),
                fieldEnv('POD_NAME', 'metadata.name'),
                fieldEnv('POD_NAMESPACE', 'metadata.namespace'),
                { name: 'NETOBS_AGENT_DAEMONSET', value: NAMES.agent },
              ],
              ports,
              startupProbe: { ...probe(2, 150) },
              readinessProbe: probe(10, 3),
              livenessProbe: probe(10, 10),
              lifecycle: { preStop: { exec: { command: [BINARY, 'agent', 'shutdown', '--if-uninstalling'] } } },
              resources: a.resources,
              securityContext: {
                privileged: false,
                capabilities: { add: AGENT_CAPABILITIES, drop: ['ALL'] },
                // bpf() and perf_event_open() are blocked by some runtimes' default profiles.
                seccompProfile: { type: 'Unconfined' },
                appArmorProfile: { type: 'Unconfined' },
                seLinuxOptions: { type: 'spc_t', level: 's0' },
              },
              volumeMounts: mounts,
              terminationMessagePolicy: 'FallbackToLogsOnError',
            },
          ],
          volumes,
        },
      },
    },
    // Type-checked against the Kubernetes API types: a misspelt field fails `tsc`.
  } satisfies IDaemonSet;
}
