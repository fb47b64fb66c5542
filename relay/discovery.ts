// Finds the agents: the pods matching the agent selector in the install namespace. Agents run
// on the host network, so a pod's IP is its node's address; an agent counts once it is Running
// with an IP. Static peers (`--peer node=host:port`) replace the watch for tests and debugging.
import { makeInformer, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import { KubeRest } from '../lib/kube-rest.ts';
import type { PodObject } from '../lib/kube-objects.ts';
import type { PeerSpec } from './peers.ts';

/** The peers the agent pods stand for (pure). */
export function peersFromPods(pods: readonly PodObject[], port: number): PeerSpec[] {
  const out = new Map<string, PeerSpec>();
  for (const p of pods) {
    const node = p.spec?.nodeName;
    const ip = p.status?.podIP;
    if (!node || !ip || p.status?.phase !== 'Running' || p.metadata.deletionTimestamp) continue;
    out.set(node, { node, address: ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}` });
  }
  return [...out.values()].sort((a, b) => a.node.localeCompare(b.node));
}

export interface AgentDiscovery {
  start(onChange: (peers: PeerSpec[]) => void): Promise<void>;
  stop(): Promise<void>;
}

export class StaticDiscovery implements AgentDiscovery {
  constructor(private readonly peers: PeerSpec[]) {}
  async start(onChange: (peers: PeerSpec[]) => void): Promise<void> {
    onChange(this.peers);
  }
  async stop(): Promise<void> {}
}

export class PodDiscovery implements AgentDiscovery {
  #stop: (() => Promise<void>) | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly kc: KubeConfig, private readonly namespace: string, private readonly selector: string, private readonly port: number, private readonly log: (msg: string) => void = () => {}) {}

  async start(onChange: (peers: PeerSpec[]) => void): Promise<void> {
    const rest = new KubeRest(this.kc);
    const q = `labelSelector=${encodeURIComponent(this.selector)}`;
    const path = `/api/v1/namespaces/${encodeURIComponent(this.namespace)}/pods`;
    const inf = makeInformer<KubernetesObject>(this.kc, path, () => rest.get<KubernetesListObject<KubernetesObject>>(`${path}?${q}`), this.selector);
    const update = (): void => onChange(peersFromPods(inf.list() as unknown as PodObject[], this.port));
    inf.on('add', update);
    inf.on('update', update);
    inf.on('delete', update);
    let stopped = false;
    inf.on('error', (err: unknown) => {
      this.log(`relay: watch agent pods: ${(err as Error)?.message ?? String(err)} (retrying)`);
      if (!stopped) this.#timer = setTimeout(() => void inf.start(), 2000);
    });
    this.#stop = async () => {
      stopped = true;
      clearTimeout(this.#timer);
      await inf.stop();
    };
    await inf.start();
    update();
  }

  async stop(): Promise<void> {
    await this.#stop?.();
  }
}
