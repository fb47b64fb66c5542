// While identities cannot be allocated (the API server does not answer), a new label set gets
// Cilium's reserved init identity, so the pod is enforced as init instead of not at all; its
// labels do not make init selectable. Once allocation works, the real identity replaces it.
import test from 'ava';
import { Datapath } from '../../../bpf/loader/index.ts';
import { Agent } from '../../../agent/runtime/agent.ts';
import { VethDiscovery } from '../../../agent/endpoints/discover.ts';
import { MemoryClusterSource } from '../../../agent/k8s/memory-source.ts';
import type { PodObject } from '../../../lib/kube-objects.ts';

const pod: PodObject = {
  metadata: { name: 'web-1', namespace: 'shop', labels: { app: 'web' } },
  spec: { nodeName: 'elsewhere' }, status: { phase: 'Running', podIP: '10.77.2.5' },
};

test('an unreachable API server gives a new label set the init identity until allocation succeeds', async (t) => {
  const dp = Datapath.open({ pin: false });
  const source = new MemoryClusterSource();
  const create = source.identities.create.bind(source.identities);
  let down = true;
  source.identities.create = async (id, labels) => {
    if (down) throw new Error('connect ECONNREFUSED 10.96.0.1:443');
    return create(id, labels);
  };
  const agent = new Agent({ nodeName: 'n1', source, datapath: dp, discovery: new VethDiscovery({ netnsDirs: [] }), identityGcIntervalMs: 1 << 30 });
  try {
    source.put('pods', pod);
    await agent.start();
    await agent.reconcileNow();
    t.like(agent.podIdentities.get('shop/web-1'), { id: 5, provisional: true });
    t.is(dp.ipcache.get('10.77.2.5/32'), 5, 'peers see the pod as init');
    t.regex(agent.warnings.get('identity/shop/web-1') ?? '', /ECONNREFUSED.*enforced as reserved:init/);

    down = false;
    await agent.reconcileNow();
    const id = agent.podIdentities.get('shop/web-1')?.id ?? 0;
    t.true(id >= 256);
    t.is(agent.podIdentities.get('shop/web-1')?.provisional, undefined);
    t.is(dp.ipcache.get('10.77.2.5/32'), id);
    t.false(agent.warnings.has('identity/shop/web-1'));
  } finally {
    await agent.stop();
    dp.close();
  }
});
