// Kubernetes API objects to the framework's small views (PodInfo, NodeInfo, ServiceInfo), and an
// exec's final V1Status to an exit code. Pure, so the adapter's logic is tested without a cluster.
import type { V1Node, V1Pod, V1Service, V1Status } from '@kubernetes/client-node';
import type { NodeInfo, PodInfo, ServiceInfo, ServicePort } from '../framework/cluster.ts';

export function podInfo(p: V1Pod): PodInfo {
  const ready = p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  return {
    namespace: p.metadata?.namespace ?? '',
    name: p.metadata?.name ?? '',
    labels: p.metadata?.labels ?? {},
    ip: p.status?.podIP ?? '',
    nodeName: p.spec?.nodeName ?? '',
    hostIP: p.status?.hostIP ?? '',
    hostNetwork: p.spec?.hostNetwork ?? false,
    // A pod on its way out still says Ready for a while: it is not one to probe.
    ready: ready && !p.metadata?.deletionTimestamp && p.status?.phase === 'Running',
    ...(p.spec?.containers?.[0]?.name ? { container: p.spec.containers[0].name } : {}),
  };
}

export function nodeInfo(n: V1Node): NodeInfo {
  const addrs = n.status?.addresses ?? [];
  const internal = addrs.filter((a) => a.type === 'InternalIP').map((a) => a.address);
  const others = addrs.filter((a) => a.type !== 'InternalIP' && a.type !== 'Hostname' && a.type !== 'InternalDNS' && a.type !== 'ExternalDNS').map((a) => a.address);
  return { name: n.metadata?.name ?? '', addresses: [...internal, ...others], labels: n.metadata?.labels ?? {} };
}

export function serviceInfo(s: V1Service): ServiceInfo {
  return {
    namespace: s.metadata?.namespace ?? '',
    name: s.metadata?.name ?? '',
    labels: s.metadata?.labels ?? {},
    clusterIP: s.spec?.clusterIP ?? '',
    type: s.spec?.type ?? 'ClusterIP',
    ports: (s.spec?.ports ?? []).map((p): ServicePort => ({
      port: p.port,
      protocol: (p.protocol ?? 'TCP') as ServicePort['protocol'],
      ...(p.name ? { name: p.name } : {}),
      ...(p.nodePort ? { nodePort: p.nodePort } : {}),
    })),
  };
}

export const labelSelector = (sel: Record<string, string> | undefined): string | undefined =>
  sel && Object.keys(sel).length ? Object.entries(sel).map(([k, v]) => `${k}=${v}`).join(',') : undefined;

/**
 * The exit code in an exec's closing status: Success is 0; a NonZeroExitCode failure carries
 * the code as an ExitCode cause; any other failure (no such container, command not found) is
 * an error of the exec itself.
 */
export function execExitCode(status: V1Status): number | Error {
  if (status.status === 'Success') return 0;
  if (status.reason === 'NonZeroExitCode') {
    const code = status.details?.causes?.find((c) => c.reason === 'ExitCode')?.message;
    if (code !== undefined && /^\d+$/.test(code)) return Number(code);
  }
  return new Error(status.message ?? status.reason ?? 'exec failed');
}

/** Why pods are not ready, for the timeout message: `client-abc: Pending (Unschedulable: …)`. */
export function podProblems(pods: V1Pod[]): string[] {
  return pods.filter((p) => !podInfo(p).ready).map((p) => {
    const waiting = p.status?.containerStatuses?.map((c) => c.state?.waiting).find((w) => w);
    const cond = p.status?.conditions?.find((c) => c.status === 'False' && c.reason);
    const why = waiting ? `${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}` : cond ? `${cond.reason}${cond.message ? `: ${cond.message}` : ''}` : '';
    return `${p.metadata?.name}: ${p.status?.phase ?? 'Unknown'}${why ? ` (${why})` : ''}`;
  });
}
