// Publishes the agent's status into its NetobsNode object (what `kubectl netobs status` and
// `kubectl get netobsnodes` read): at start, then periodically and whenever the summary changes.
import type { ClusterSource } from '../k8s/source.ts';
import { agentStatus } from '../server/gather.ts';
import { nodeStatusObject } from '../../api/status/types.ts';
import type { Agent } from './agent.ts';

export function publishNodeStatus(agent: Agent, source: ClusterSource, o: { intervalMs?: number; checkMs?: number } = {}): () => void {
  let lastKey = '';
  let lastAt = 0;
  let busy = false;
  const tick = async (): Promise<void> => {
    if (busy || !agent.synced) return;
    busy = true;
    try {
      const s = agentStatus(agent);
      const key = JSON.stringify([s.healthy, s.endpoints, s.unmanagedPods, s.datapath.attached, s.errors, s.warnings]);
      if (key === lastKey && Date.now() - lastAt < (o.intervalMs ?? 30_000)) return;
      await source.publishNodeStatus(agent.nodeName, nodeStatusObject(s, new Date()));
      lastKey = key;
      lastAt = Date.now();
      agent.errors.delete('node-status');
    } catch (err) {
      agent.warnings.set('node-status', `publish NetobsNode ${agent.nodeName}: ${(err as Error).message}`);
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), o.checkMs ?? 2000);
  void tick();
  return () => clearInterval(timer);
}
