// Identities outlive their pods for the grace period, then the agents delete them.
import test from 'ava';
import { Datapath } from '../../../bpf/loader/index.ts';
import { Agent } from '../../../agent/runtime/agent.ts';
import { VethDiscovery } from '../../../agent/endpoints/discover.ts';
import { MemoryClusterSource } from '../../../agent/k8s/memory-source.ts';
import type { PodObject } from '../../../lib/kube-objects.ts';

const remotePod: PodObject = {
  metadata: { name: 'web-1', namespace: 'shop', labels: { app: 'web' } },
  spec: { nodeName: 'elsewhere' }, status: { phase: 'Running', podIP: '10.77.1.5' },
};

test('an identity is kept while a pod uses it and collected after the grace period', async (t) => {
  const dp = Datapath.open({ pin: false });
  const source = new MemoryClusterSource();
  const agent = new Agent({ nodeName: 'gc-node', source, datapath: dp, discovery: new VethDiscovery({ netnsDirs: [] }), identityGcGraceMs: 60_000, identityGcIntervalMs: 1 << 30 });
  try {
    source.put('pods', remotePod);
    await agent.start();
    await agent.reconcileNow();
    const id = agent.podIdentities.get('shop/web-1')?.id ?? 0;
    t.true(id >= 256);
    t.is(dp.ipcache.get('10.77.1.5/32'), id, 'the remote pod is in the ipcache');
    const now = Date.now();
    t.deepEqual(await agent.collectIdentities(now), [], 'in use');
    source.delete('pods', remotePod);
    await agent.reconcileNow();
    // (get() on an LPM trie is a longest-prefix lookup: look at the entries instead)
    t.false(dp.ipcache.entries().some((e) => e.cidr === '10.77.1.5/32'), 'gone from the ipcache with its pod');
    t.deepEqual(await agent.collectIdentities(now + 1000), [], 'unused, within the grace period');
    t.deepEqual(await agent.collectIdentities(now + 61_000), [id]);
    t.is(await source.identities.get(id), undefined);
    t.is(agent.allocator.identities().length, 0);
  } finally {
    await agent.stop();
    dp.close();
  }
});
