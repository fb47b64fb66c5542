// ClusterClient over the Kubernetes API (@kubernetes/client-node): server-side apply and delete
// through install's Objects, pods/exec over WebSocket (v5.channel.k8s.io), readiness by polling.
// Works the same against a real cluster and the lab's API server.
import { Writable } from 'node:stream';
import { Exec, type KubeConfig, type V1Node, type V1Pod, type V1Service, type V1Status } from '@kubernetes/client-node';
import { Objects, describeRef } from '../../lib/kube-apply.ts';
import { UserError } from '../../lib/errors.ts';
import type { ClusterClient, ExecResult, KubeObject, NodeInfo, PodInfo, PodRef, ServiceInfo } from '../framework/cluster.ts';
import { realClock, type Clock } from '../framework/runner.ts';
import { execExitCode, labelSelector, nodeInfo, podInfo, podProblems, serviceInfo } from './kube-convert.ts';

export class KubeClusterClient implements ClusterClient {
  private readonly objects: Objects;
  private readonly execer: Exec;

  constructor(kc: KubeConfig, private readonly opts: { clock?: Clock; pollMs?: number } = {}) {
    this.objects = new Objects(kc);
    this.execer = new Exec(kc);
  }

  private get clock(): Clock {
    return this.opts.clock ?? realClock;
  }

  async apply(objects: KubeObject[]): Promise<void> {
    for (const o of objects) await this.objects.apply(o);
  }

  async delete(objects: KubeObject[], opts: { wait?: boolean; timeoutMs?: number } = {}): Promise<void> {
    for (const o of objects) await this.objects.delete(o);
    if (!opts.wait) return;
    const deadline = this.clock.now() + (opts.timeoutMs ?? 120_000);
    for (const o of objects) {
      while (await this.objects.get(o)) {
        if (this.clock.now() > deadline) throw new UserError(`delete ${describeRef(o)}: still there after ${Math.round((opts.timeoutMs ?? 120_000) / 1000)}s`);
        await this.clock.sleep(this.opts.pollMs ?? 1000);
      }
    }
  }

  async waitForPodsReady(namespace: string, selector: Record<string, string>, count: number, timeoutMs: number): Promise<PodInfo[]> {
    const deadline = this.clock.now() + timeoutMs;
    for (;;) {
      const pods = await this.objects.list<V1Pod>('v1', 'Pod', namespace, labelSelector(selector));
      const ready = pods.map(podInfo).filter((p) => p.ready && p.ip);
      if (ready.length >= count) return ready;
      if (this.clock.now() > deadline) {
        const sel = labelSelector(selector) ?? '';
        const why = podProblems(pods);
        throw new UserError(`connectivity: ${ready.length}/${count} pods ${sel} ready in ${namespace} after ${Math.round(timeoutMs / 1000)}s${why.length ? `: ${why.join('; ')}` : ' (none created: check the scheduler and the nodes)'}`);
      }
      await this.clock.sleep(this.opts.pollMs ?? 1000);
    }
  }

  exec(pod: PodRef, command: string[], opts: { timeoutMs: number }): Promise<ExecResult> {
    let stdout = '';
    let stderr = '';
    const sink = (append: (s: string) => void) => new Writable({ write(chunk: Buffer, _enc, cb) { append(chunk.toString()); cb(); } });
    return new Promise<ExecResult>((resolve, reject) => {
      let socket: { close(): void } | undefined;
      const timer = setTimeout(() => {
        socket?.close();
        reject(new Error(`exec in ${pod.namespace}/${pod.name}: no answer after ${opts.timeoutMs}ms`));
      }, opts.timeoutMs);
      const onStatus = (status: V1Status) => {
        clearTimeout(timer);
        const code = execExitCode(status);
        if (code instanceof Error) reject(new Error(`exec in ${pod.namespace}/${pod.name}: ${code.message}`));
        else resolve({ stdout, stderr, exitCode: code });
      };
      this.execer
        .exec(pod.namespace, pod.name, pod.container ?? '', command, sink((s) => (stdout += s)), sink((s) => (stderr += s)), null, false, onStatus)
        .then((ws) => {
          socket = ws;
        }, (err: unknown) => {
          clearTimeout(timer);
          reject(new Error(`exec in ${pod.namespace}/${pod.name}: ${(err as Error).message ?? String(err)}`));
        });
    });
  }

  async listPods(namespace: string, selector?: Record<string, string>): Promise<PodInfo[]> {
    return (await this.objects.list<V1Pod>('v1', 'Pod', namespace, labelSelector(selector))).map(podInfo);
  }

  async listNodes(): Promise<NodeInfo[]> {
    return (await this.objects.list<V1Node>('v1', 'Node')).map(nodeInfo);
  }

  async listServices(namespace: string, selector?: Record<string, string>): Promise<ServiceInfo[]> {
    return (await this.objects.list<V1Service>('v1', 'Service', namespace, labelSelector(selector))).map(serviceInfo);
  }
}
