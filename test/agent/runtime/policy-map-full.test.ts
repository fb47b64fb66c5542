// A policy that does not fit the node's policy map (here a tiny one) is refused with the numbers
// before anything is written: the kernel keeps exactly the policy it enforced, and traffic with it.
import test from 'ava';
import { Datapath } from '../../../bpf/loader/index.ts';
import { Agent } from '../../../agent/runtime/agent.ts';
import { VethDiscovery } from '../../../agent/endpoints/discover.ts';
import { MemoryClusterSource } from '../../../agent/k8s/memory-source.ts';
import type { PolicyObject } from '../../../lib/kube-objects.ts';
import { eventually, podObject, PodNet, run, serve, SCRIPTS, type NetPod } from './support/pods.ts';

const NODE = 'node-f';

const policy = (name: string, ports: string[], generation = 1): PolicyObject => ({
  apiVersion: 'netobs.io/v1alpha1', kind: 'NetworkPolicy', metadata: { name, namespace: 'default', generation, uid: `uid-${name}`, resourceVersion: String(generation) },
  spec: {
    endpointSelector: { matchLabels: { role: 'backend' } },
    ingress: [{ fromEndpoints: [{ matchLabels: { role: 'frontend' } }], toPorts: [{ ports: ports.map((port) => ({ port, protocol: 'TCP' })) }] }],
  },
});

const get = async (from: NetPod, to: NetPod): Promise<string> => (await run(from, SCRIPTS.httpGet, [to.ip, '80'])).stdout.trim();

test.serial('a policy over the map capacity is Valid=False with the numbers; the kernel keeps the previous policy', async (t) => {
  const net = new PodNet('pfull', 89);
  const dp = Datapath.open({ pin: false, maxEntries: { netobs_policy: 8 } });
  const source = new MemoryClusterSource();
  const agent = new Agent({ nodeName: NODE, source, datapath: dp, discovery: new VethDiscovery({ netnsDirs: ['/var/run/netns'] }), pollMs: 50, resyncMs: 200 });
  const frontend = net.add('frontend', 0);
  const backend = net.add('backend', 1);
  source.put('pods', podObject(frontend, NODE, { role: 'frontend' }));
  source.put('pods', podObject(backend, NODE, { role: 'backend' }));
  source.put('policies', policy('web', ['80']));
  await agent.start();
  const srv = await serve(backend, SCRIPTS.httpServer, ['80']);
  try {
    await eventually(() => ([...agent.endpoints.records.values()].filter((r) => r.ready).length === 2 ? true : undefined), 10_000, 'endpoints');
    t.is(await get(frontend, backend), 'status 200');
    await eventually(() => source.validity.get('NetworkPolicy/default/web')?.valid, 5000, 'valid');
    const before = dp.policy.entries().map((e) => JSON.stringify(e)).sort();
    t.is(before.length, 2, 'host and frontend:80');

    // Version 2 names 12 ports: 13 entries, the map holds 8.
    source.put('policies', policy('web', ['80', ...Array.from({ length: 11 }, (_, i) => String(8000 + i))], 2));
    const v = await eventually(() => {
      const x = source.validity.get('NetworkPolicy/default/web');
      return x && !x.valid ? x : undefined;
    }, 5000, 'Valid=False');
    t.is(v.message, 'needs 13 policy map entries on this node, over the map\'s capacity of 8');
    t.deepEqual(dp.policy.entries().map((e) => JSON.stringify(e)).sort(), before, 'nothing written: the previous version stays whole');
    t.is(await get(frontend, backend), 'status 200', 'and enforced');
    t.is(agent.policies.invalid.size, 1);
  } finally {
    srv.kill();
    await agent.stop();
    dp.close();
    net.close();
  }
});
