// The agent runtime on the real kernel: "pods" are network namespaces with veths on a bridge,
// Kubernetes is an in-memory ClusterSource, the datapath is the real one with private maps.
import test from 'ava';
import { Datapath } from '../../../bpf/loader/index.ts';
import { Agent } from '../../../agent/runtime/agent.ts';
import { VethDiscovery } from '../../../agent/endpoints/discover.ts';
import { MemoryClusterSource } from '../../../agent/k8s/memory-source.ts';
import type { Flow } from '../../../api/types.ts';
import { eventually, podObject, PodNet, run, serve, SCRIPTS } from './support/pods.ts';

const NODE = 'node-a';

test.serial('attaches to pods as they appear, names them in flows, enforces a policy with the policy named', async (t) => {
  const net = new PodNet('art', 91);
  const dp = Datapath.open({ pin: false });
  const source = new MemoryClusterSource();
  const agent = new Agent({ nodeName: NODE, source, datapath: dp, discovery: new VethDiscovery({ netnsDirs: ['/var/run/netns'] }), pollMs: 50 });
  try {
    source.put('namespaces', { metadata: { name: 'default', labels: {} } });
    source.put('nodes', { metadata: { name: NODE }, status: { addresses: [{ type: 'InternalIP', address: '192.0.2.2' }] } });
    await agent.start();
    const client = net.add('client', 0);
    const server = net.add('server', 1);
    source.put('pods', podObject(client, NODE, { app: 'client' }, { owner: { kind: 'ReplicaSet', name: 'client-7d9f8c6b5' } }));
    source.put('pods', podObject(server, NODE, { app: 'server' }));
    const eps = await eventually(() => (agent.endpoints.records.size === 2 && [...agent.endpoints.records.values()].every((r) => r.ready) ? [...agent.endpoints.records.values()] : undefined), 10_000, 'endpoints');
    t.deepEqual(eps.map((e) => e.ifname).sort(), [client.hostIf, server.hostIf]);
    t.is(dp.endpoints.entries().length, 2);

    const srv = await serve(server, SCRIPTS.httpServer, ['8080']);
    try {
      const ok = await run(client, SCRIPTS.httpGet, [server.ip, '8080']);
      t.is(ok.stdout.trim(), 'status 200');
      const flows = (): Flow[] => {
        const out: Flow[] = [];
        for (let s = agent.ring.oldestSeq; s < agent.ring.nextSeq; s++) {
          const f = agent.ring.at(s)?.flow;
          if (f) out.push(f);
        }
        return out;
      };
      const syn = await eventually(() => flows().find((f) => f.l4?.TCP?.flags?.SYN && !f.l4.TCP.flags.ACK && f.destination?.pod_name === 'server' && f.trace_observation_point === 101), 5000, 'SYN flow');
      t.is(syn.source?.pod_name, 'client');
      t.deepEqual(syn.source?.workloads, [{ name: 'client-7d9f8c6b5', kind: 'ReplicaSet' }]);
      t.true(syn.source?.labels?.includes('k8s:app=client'));
      t.true((syn.source?.identity ?? 0) >= 256);
      t.is(syn.is_reply?.value, false);
      t.is(syn.traffic_direction, 1);
      const synAck = await eventually(() => flows().find((f) => f.l4?.TCP?.flags?.SYN && f.l4.TCP.flags.ACK && f.source?.pod_name === 'server'), 5000, 'SYN-ACK flow');
      t.is(synAck.is_reply?.value, true);

      source.put('policies', {
        apiVersion: 'netobs.io/v1alpha1', kind: 'NetworkPolicy', metadata: { name: 'allow-nothing-in', namespace: 'default', generation: 1 },
        spec: { endpointSelector: { matchLabels: { app: 'server' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'nobody' } }] }] },
      });
      await eventually(() => (dp.endpoints.entries().some((e) => e.enforceIngress) ? true : undefined), 5000, 'enforcement');
      const denied = await run(client, SCRIPTS.httpGet, [server.ip, '8080']);
      t.is(denied.stdout.trim(), 'timeout');
      const drop = await eventually(() => flows().find((f) => f.verdict === 2 && f.drop_reason_desc === 133 && f.event_type?.type === 1), 5000, 'drop flow');
      t.is(drop.destination?.pod_name, 'server');
      t.is(drop.ingress_denied_by?.[0]?.name, 'allow-nothing-in');
      t.deepEqual(source.validity.get('NetworkPolicy/default/allow-nothing-in'), { valid: true, message: 'Policy validation succeeded', generation: 1 });
    } finally {
      srv.kill();
    }
  } finally {
    await agent.stop();
    dp.close();
    net.close();
  }
});
