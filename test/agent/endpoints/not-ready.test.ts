// Fail-closed start: the endpoint manager attaches the datapath to a pod's interface with a
// not-ready entry the moment it finds the interface, before the pod has an identity, so the
// pod's first packet is already dropped (DROP_EP_NOT_READY); with its identity the entry turns
// ready on the same programs. Real veth, real programs.
import test from 'ava';
import { Datapath, DropReason, EventType } from '../../../bpf/loader/index.ts';
import { ifindexOf } from '../../../bpf/loader/tc.ts';
import { EndpointManager, type EndpointWriter } from '../../../agent/endpoints/manager.ts';
import type { VethDiscovery } from '../../../agent/endpoints/discover.ts';
import type { PodObject } from '../../../lib/kube-objects.ts';
import { datapathObject } from '../../bpf/support/fixture.ts';
import { SCRIPTS, makeTopology, nodeInPod, type Pod } from '../../bpf/support/netns.ts';

test('a pod without an identity is attached not ready: nothing passes until it is ready', async (t) => {
  const topo = makeTopology('nrdy', 233, 2);
  const dp = Datapath.open({ pin: false, object: datapathObject() });
  const [pod, peer] = topo.pods as [Pod, Pod];
  t.teardown(() => {
    for (const p of topo.pods) dp.detach(p.hostIf);
    dp.close();
    topo.close();
  });
  const ifindex = ifindexOf(pod.hostIf);
  const discovery = { find: async (ip: string) => (ip === pod.ip ? { ifindex, ifname: pod.hostIf, via: 'bridge' as const } : undefined) } as unknown as VethDiscovery;
  const m = new EndpointManager(discovery);
  const writer: EndpointWriter = {
    attach: (i) => dp.attach(i),
    write: (rec) => dp.endpoints.set(rec.ifindex, { endpointId: rec.id, identity: rec.identity, ipv4: rec.ipv4!, checkSource: true }),
    writeNotReady: (rec) => dp.endpoints.set(rec.ifindex, { endpointId: rec.id, identity: 5, ipv4: rec.ipv4!, checkSource: true, notReady: true }),
    remove: (i) => dp.endpoints.delete(i),
  };
  const podObj = { metadata: { name: 'web', namespace: 'default' }, status: { podIP: pod.ip, podIPs: [{ ip: pod.ip }] } } as unknown as PodObject;
  await m.discover([podObj]);
  m.activate(writer);
  const rec = m.records.get('default/web')!;
  t.like(rec, { ready: false, notReady: true });
  t.like(dp.endpoints.get(ifindex), { notReady: true, identity: 5 });
  t.regex(m.list()[0]?.reason ?? '', /^not ready/);
  dp.events.read();
  t.is((await nodeInPod(pod, SCRIPTS.tcpSend, [peer.ip, '8000', '10', '1000'])).stdout.trim(), 'timeout', 'nothing leaves a not-ready pod');
  t.true(dp.events.read().some((e) => e.type === EventType.DROP && e.dropReason === DropReason.DROP_EP_NOT_READY));

  rec.identity = 1234;
  m.activate(writer);
  t.like(rec, { ready: true, notReady: false });
  t.like(dp.endpoints.get(ifindex), { notReady: false, identity: 1234 });
  t.is(m.pending, 0);
  const r = await nodeInPod(pod, SCRIPTS.tcpSend, [peer.ip, '8000', '10', '1000']);
  t.regex(r.stdout.trim(), /^error ECONNREFUSED$/, 'ready: the SYN reaches the peer (nothing listens there)');
});
