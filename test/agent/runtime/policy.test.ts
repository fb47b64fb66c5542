// Policy life cycle on the real datapath: an invalid policy changes nothing and is marked
// Valid=False; a deny wins over an allow; removing the policy restores traffic; a deleted pod is
// cleaned up; losing the API server keeps enforcing; a restarted agent keeps enforcing from the
// pinned maps before and after it syncs.
import test from 'ava';
import { Datapath } from '../../../bpf/loader/index.ts';
import { Agent } from '../../../agent/runtime/agent.ts';
import { VethDiscovery } from '../../../agent/endpoints/discover.ts';
import { MemoryClusterSource } from '../../../agent/k8s/memory-source.ts';
import type { PolicyObject } from '../../../lib/kube-objects.ts';
import type { Flow } from '../../../api/types.ts';
import { eventually, podObject, PodNet, run, serve, SCRIPTS, type NetPod } from './support/pods.ts';

const NODE = 'node-p';

const policy = (name: string, spec: Record<string, unknown>, generation = 1): PolicyObject => ({
  apiVersion: 'netobs.io/v1alpha1', kind: 'NetworkPolicy', metadata: { name, namespace: 'default', generation, uid: `uid-${name}` }, spec,
});
const allowFrontend = policy('allow-frontend', {
  endpointSelector: { matchLabels: { role: 'backend' } },
  ingress: [{ fromEndpoints: [{ matchLabels: { role: 'frontend' } }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }],
});

function flows(agent: Agent): Flow[] {
  const out: Flow[] = [];
  for (let s = agent.ring.oldestSeq; s < agent.ring.nextSeq; s++) {
    const f = agent.ring.at(s)?.flow;
    if (f) out.push(f);
  }
  return out;
}

const get = async (from: NetPod, to: NetPod): Promise<string> => (await run(from, SCRIPTS.httpGet, [to.ip, '80'])).stdout.trim();

test.serial('policies: allow by label, deny wins, invalid changes nothing, removal restores, deleted pods cleaned, API loss keeps enforcing', async (t) => {
  const net = new PodNet('pol', 93);
  const dp = Datapath.open({ pin: false });
  const source = new MemoryClusterSource();
  const agent = new Agent({ nodeName: NODE, source, datapath: dp, discovery: new VethDiscovery({ netnsDirs: ['/var/run/netns'] }), pollMs: 50 });
  const frontend = net.add('frontend', 0);
  const other = net.add('other', 1);
  const backend = net.add('backend', 2);
  source.put('pods', podObject(frontend, NODE, { role: 'frontend' }));
  source.put('pods', podObject(other, NODE, { role: 'other' }));
  source.put('pods', podObject(backend, NODE, { role: 'backend' }));
  source.put('policies', allowFrontend);
  await agent.start();
  const srv = await serve(backend, SCRIPTS.httpServer, ['80']);
  try {
    await eventually(() => ([...agent.endpoints.records.values()].filter((r) => r.ready).length === 3 ? true : undefined), 10_000, 'endpoints');
    t.is(await get(frontend, backend), 'status 200');
    t.is(await get(other, backend), 'timeout');
    const drop = await eventually(() => flows(agent).find((f) => f.verdict === 2 && f.source?.pod_name === 'other' && f.event_type?.type === 1), 5000, 'drop');
    t.is(drop.drop_reason_desc, 133);
    t.deepEqual(drop.ingress_denied_by?.map((p) => p.name), ['allow-frontend']);
    const allowed = flows(agent).find((f) => f.event_type?.type === 5 && f.verdict === 1 && f.source?.pod_name === 'frontend');
    t.deepEqual(allowed?.ingress_allowed_by?.map((p) => `${p.namespace}/${p.name}`), ['default/allow-frontend']);
    t.is(allowed?.policy_match_type, 2, 'L3-L4');

    source.put('policies', policy('broken', { endpointSelector: { matchLabels: { role: 'frontend' } }, ingress: [{ fromCIDR: ['10.0.0.0/33'] }] }));
    const v = await eventually(() => source.validity.get('NetworkPolicy/default/broken'), 5000, 'validity');
    t.false(v.valid);
    t.regex(v.message, /fromCIDR\[0\].*10\.0\.0\.0\/33/);
    t.is(await get(backend, frontend).catch(() => 'x'), 'error ECONNREFUSED', 'frontend is still not enforced');

    source.put('policies', policy('deny-frontend', { endpointSelector: { matchLabels: { role: 'backend' } }, ingressDeny: [{ fromEndpoints: [{ matchLabels: { role: 'frontend' } }] }] }));
    await eventually(async () => ((await get(frontend, backend)) === 'timeout' ? true : undefined), 5000, 'deny applied');
    const denied = await eventually(() => flows(agent).find((f) => f.drop_reason_desc === 181 && f.source?.pod_name === 'frontend'), 5000, 'deny drop');
    t.deepEqual(denied.ingress_denied_by?.map((p) => p.name), ['deny-frontend']);

    source.delete('policies', policy('deny-frontend', {}));
    source.delete('policies', allowFrontend);
    await eventually(async () => ((await get(other, backend)) === 'status 200' ? true : undefined), 5000, 'traffic restored');
    t.false(dp.endpoints.entries().some((e) => e.enforceIngress));

    source.put('policies', allowFrontend);
    await eventually(() => (dp.endpoints.entries().some((e) => e.enforceIngress) ? true : undefined), 5000, 'enforced again');
    source.setConnected(false);
    t.is(await get(other, backend), 'timeout', 'still enforced without the API server');
    t.regex(agent.errors.get('kubernetes') ?? '', /unreachable/);
    source.setConnected(true);

    const otherId = agent.endpoints.records.get('default/other')?.ifindex;
    source.delete('pods', podObject(other, NODE, {}));
    net.remove(other);
    await eventually(() => (agent.endpoints.records.has('default/other') ? undefined : true), 5000, 'pod removed');
    t.false(dp.endpoints.entries().some((e) => e.ifindex === otherId));
    t.is(agent.endpoints.unmanaged.size, 0);
  } finally {
    srv.kill();
    await agent.stop();
    dp.close();
    net.close();
  }
});

test.serial('a restarted agent keeps enforcing from the pinned maps, then takes over', async (t) => {
  const net = new PodNet('rst', 94);
  const root = '/sys/fs/bpf/netobs-test-restart';
  Datapath.uninstall({ bpffsRoot: root, interfaces: [] });
  const source = new MemoryClusterSource();
  const frontend = net.add('frontend', 0);
  const other = net.add('other', 1);
  const backend = net.add('backend', 2);
  for (const [p, role] of [[frontend, 'frontend'], [other, 'other'], [backend, 'backend']] as const) source.put('pods', podObject(p, NODE, { role }));
  source.put('policies', allowFrontend);
  const srv = await serve(backend, SCRIPTS.httpServer, ['80']);
  let dp = Datapath.open({ bpffsRoot: root });
  let agent = new Agent({ nodeName: NODE, source, datapath: dp, discovery: new VethDiscovery({ netnsDirs: ['/var/run/netns'] }), pollMs: 50 });
  try {
    await agent.start();
    await eventually(() => ([...agent.endpoints.records.values()].filter((r) => r.ready).length === 3 ? true : undefined), 10_000, 'endpoints');
    const idsBefore = [...agent.endpoints.records.values()].map((r) => `${r.key}=${r.id}`).sort();
    t.is(await get(other, backend), 'timeout');
    await agent.stop();
    dp.close();

    t.is(await get(other, backend), 'timeout', 'no agent: still enforced');
    t.is(await get(frontend, backend), 'status 200', 'no agent: allowed traffic flows');

    dp = Datapath.open({ bpffsRoot: root });
    // An agent whose API server is down never syncs: it must leave the pinned maps alone.
    const unreachable = new MemoryClusterSource();
    unreachable.start = async (sink) => sink.connection(false, 'connect ECONNREFUSED');
    agent = new Agent({ nodeName: NODE, source: unreachable, datapath: dp, discovery: new VethDiscovery({ netnsDirs: ['/var/run/netns'] }), pollMs: 20, resyncMs: 20 });
    await agent.start();
    await eventually(() => (agent.errors.has('kubernetes') ? true : undefined), 2000, 'disconnected agent');
    t.is(await get(other, backend), 'timeout', 'new agent before sync: still enforced');
    t.is(await get(frontend, backend), 'status 200');
    t.is(dp.endpoints.entries().length, 3);
    await agent.stop();

    agent = new Agent({ nodeName: NODE, source, datapath: dp, discovery: new VethDiscovery({ netnsDirs: ['/var/run/netns'] }), pollMs: 50 });
    await agent.start();
    await eventually(() => ([...agent.endpoints.records.values()].filter((r) => r.ready).length === 3 ? true : undefined), 10_000, 'endpoints after restart');
    t.deepEqual([...agent.endpoints.records.values()].map((r) => `${r.key}=${r.id}`).sort(), idsBefore, 'endpoint ids survive the restart');
    t.true([...agent.endpoints.records.values()].every((r) => r.via === 'pinned'));
    t.is(await get(other, backend), 'timeout');
    t.is(await get(frontend, backend), 'status 200');
    const drop = await eventually(() => flows(agent).find((f) => f.verdict === 2 && f.source?.pod_name === 'other'), 5000, 'drop after restart');
    t.deepEqual(drop.ingress_denied_by?.map((p) => p.name), ['allow-frontend']);
  } finally {
    srv.kill();
    await agent.stop();
    dp.close();
    Datapath.uninstall({ bpffsRoot: root, interfaces: net.pods.map((p) => p.hostIf) });
    net.close();
  }
});
