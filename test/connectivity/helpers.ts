// Shared fixtures for connectivity tests: pods, a topology, flows as the datapath reports them,
// and a fake cluster whose exec answers from a function of (pod, command).
import { DropReason, FlowType, Verdict, type Flow, type TCPFlags } from '../../api/types.ts';
import type { ClusterClient, ExecResult, KubeObject, NodeInfo, PodInfo, PodRef, ServiceInfo } from '../../connectivity/framework/cluster.ts';
import type { Clock } from '../../connectivity/framework/runner.ts';
import type { Env, ProbeResult, Topology } from '../../connectivity/framework/types.ts';

export function pod(name: string, ip: string, nodeName: string, labels: Record<string, string> = {}, hostNetwork = false): PodInfo {
  return { namespace: 'netobs-test', name, labels, ip, nodeName, hostIP: nodeName === 'node-1' ? '192.168.0.1' : '192.168.0.2', hostNetwork, ready: true };
}

export const NODES: NodeInfo[] = [
  { name: 'node-1', addresses: ['192.168.0.1'], labels: { 'kubernetes.io/hostname': 'node-1' } },
  { name: 'node-2', addresses: ['192.168.0.2'], labels: { 'kubernetes.io/hostname': 'node-2' } },
];

const svc = (name: string, clusterIP: string, nodePort: number): ServiceInfo => ({
  namespace: 'netobs-test', name, labels: {}, clusterIP, type: 'NodePort',
  ports: [{ name: 'http', port: 8080, protocol: 'TCP', nodePort }, { name: 'dns', port: 53, protocol: 'UDP', nodePort: nodePort + 1 }],
});

export function topology(): Topology {
  return {
    namespace: 'netobs-test',
    nodes: NODES,
    client: pod('client-aaa', '10.0.1.10', 'node-1', { name: 'client', kind: 'client' }),
    client2: pod('client2-bbb', '10.0.1.11', 'node-1', { name: 'client2', kind: 'client' }),
    client3: pod('client3-ccc', '10.0.2.12', 'node-2', { name: 'client3', kind: 'client' }),
    echoSameNode: pod('echo-same-node-ddd', '10.0.1.20', 'node-1', { name: 'echo-same-node', kind: 'echo' }),
    echoOtherNode: pod('echo-other-node-eee', '10.0.2.21', 'node-2', { name: 'echo-other-node', kind: 'echo' }),
    echoSameNodeService: svc('echo-same-node', '10.96.0.20', 31000),
    echoOtherNodeService: svc('echo-other-node', '10.96.0.21', 31100),
    hostPods: [
      pod('host-netns-1', '192.168.0.1', 'node-1', { name: 'host-netns' }, true),
      pod('host-netns-2', '192.168.0.2', 'node-2', { name: 'host-netns' }, true),
    ],
    clusterDNS: { namespace: 'kube-system', name: 'kube-dns', labels: { 'k8s-app': 'kube-dns' }, clusterIP: '10.96.0.10', type: 'ClusterIP', ports: [{ port: 53, protocol: 'UDP' }] },
  };
}

export function env(over: Partial<Env['params']> = {}, topo: Topology = topology()): Env {
  return { params: { namespace: 'netobs-test', probeTimeoutMs: 2000, binary: 'kubectl-netobs', externalPort: 80, ...over }, topology: topo };
}

let t0 = 1_700_000_000;
const at = (i: number) => ({ seconds: t0, nanos: i * 1000 });
export const resetTime = (s: number) => { t0 = s; };

export function tcpFlow(i: number, src: string, sport: number, dst: string, dport: number, flags: TCPFlags, verdict: Verdict = Verdict.FORWARDED, extra: Flow = {}): Flow {
  return { time: at(i), verdict, Type: FlowType.L3_L4, IP: { source: src, destination: dst, ipVersion: 1 }, l4: { TCP: { source_port: sport, destination_port: dport, flags } }, ...extra };
}

/** SYN, SYN-ACK, ACK, FIN both ways, as the client's and server's veths report a short HTTP exchange. */
export function tcpConnection(src: string, sport: number, dst: string, dport: number): Flow[] {
  return [
    tcpFlow(1, src, sport, dst, dport, { SYN: true }),
    tcpFlow(2, dst, dport, src, sport, { SYN: true, ACK: true }),
    tcpFlow(3, src, sport, dst, dport, { ACK: true }),
    tcpFlow(4, src, sport, dst, dport, { FIN: true, ACK: true }),
    tcpFlow(5, dst, dport, src, sport, { FIN: true, ACK: true }),
  ];
}

export function policyDrop(src: string, sport: number, dst: string, dport: number, policy: string, reason: number = DropReason.POLICY_DENIED): Flow {
  return tcpFlow(1, src, sport, dst, dport, { SYN: true }, Verdict.DROPPED, {
    drop_reason_desc: reason, ingress_denied_by: [{ name: policy, namespace: 'netobs-test', kind: 'NetobsNetworkPolicy' }],
  });
}

export const okResult = (over: Partial<ProbeResult> = {}): ProbeResult => ({ kind: 'http', target: 'x', ok: true, durationMs: 3, localAddress: '10.0.1.10', localPort: 40000, http: { status: 200, bodyBytes: 10 }, ...over });
export const timeoutResult = (over: Partial<ProbeResult> = {}): ProbeResult => ({ kind: 'http', target: 'x', ok: false, error: 'timeout after 2000ms', errorCode: 'timeout', durationMs: 2000, localAddress: '10.0.1.10', localPort: 40000, ...over });

export const execOf = (r: ProbeResult): ExecResult => ({ stdout: JSON.stringify(r) + '\n', stderr: '', exitCode: r.ok ? 0 : 1 });

export class FakeCluster implements ClusterClient {
  applied: KubeObject[][] = [];
  deleted: KubeObject[][] = [];
  execs: { pod: PodRef; command: string[] }[] = [];
  live = new Set<string>();
  constructor(public onExec: (pod: PodRef, command: string[], live: ReadonlySet<string>) => ExecResult | Promise<ExecResult>, public failApply = false) {}
  async apply(objects: KubeObject[]) {
    this.applied.push(objects);
    if (this.failApply) throw new Error('admission webhook denied the request');
    for (const o of objects) this.live.add(o.metadata.name);
  }
  async delete(objects: KubeObject[]) {
    this.deleted.push(objects);
    for (const o of objects) this.live.delete(o.metadata.name);
  }
  async waitForPodsReady(_ns: string, _selector: Record<string, string>, _count: number, _timeoutMs: number): Promise<PodInfo[]> { return []; }
  async exec(p: PodRef, command: string[]) {
    this.execs.push({ pod: p, command });
    return this.onExec(p, command, this.live);
  }
  async listPods(_ns: string, _selector?: Record<string, string>): Promise<PodInfo[]> { return []; }
  async listNodes(): Promise<NodeInfo[]> { return NODES; }
  async listServices(_ns: string, _selector?: Record<string, string>): Promise<ServiceInfo[]> { return []; }
}

/** Time advances only when the runner sleeps or a probe "takes" time: no wall clock. */
export class FakeClock implements Clock {
  t = 1_000_000;
  now() { return this.t; }
  async sleep(ms: number) { this.t += ms; }
}

import type { Action, ProbeKind } from '../../connectivity/framework/types.ts';

/** client -> echo-same-node on 8080 with the given probe kind. */
export function action(kind: ProbeKind = 'http', over: Partial<Action> = {}): Action {
  const topo = topology();
  return {
    scenario: 'pod-to-pod',
    name: `pod-to-pod/client->echo-same-node (${kind})`,
    source: { name: 'client', role: 'client', ips: [topo.client.ip], pod: topo.client },
    destination: { name: 'echo-same-node', role: 'echo-same-node', ips: [topo.echoSameNode.ip], pod: topo.echoSameNode },
    probe: { kind, target: `${topo.echoSameNode.ip}:8080`, timeoutMs: 2000 },
    ...over,
  };
}
