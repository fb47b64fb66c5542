// The CNI plugin against a real datapath pinned by an agent that has since stopped: ADD puts the
// pod's veth behind the programs with a NOT_READY entry (its first packet is dropped), DEL removes
// the entry and the endpoint's connections; without pins ADD fails closed and DEL succeeds.
import test from 'ava';
import { rmSync } from 'node:fs';
import { Datapath, DropReason } from '../../../bpf/loader/index.ts';
import { ifindexOf, tcQuery, TC_EGRESS, TC_INGRESS } from '../../../bpf/loader/tc.ts';
import { parseCniRequest } from '../../../agent/cni/protocol.ts';
import { cniAdd, cniCheck, cniDel } from '../../../agent/cni/plugin.ts';
import { CniCode, type CniError } from '../../../agent/cni/protocol.ts';
import { datapathObject } from '../../bpf/support/fixture.ts';
import { SCRIPTS, makeTopology, nodeInPod, type Pod } from '../../bpf/support/netns.ts';

const request = (command: string, pod: Pod, bpffsRoot: string) =>
  parseCniRequest(
    { CNI_COMMAND: command, CNI_CONTAINERID: `c-${pod.name}`, CNI_NETNS: `/var/run/netns/${pod.netns}`, CNI_IFNAME: 'eth0', CNI_ARGS: `K8S_POD_NAMESPACE=default;K8S_POD_NAME=${pod.name}` },
    JSON.stringify({ cniVersion: '1.0.0', name: 'test', type: 'netobs', bpffsRoot, prevResult: { cniVersion: '1.0.0', interfaces: [{ name: pod.hostIf }], ips: [{ address: `${pod.ip}/24` }] } }),
  );

test('ADD attaches NOT_READY through the pins while no agent runs; DEL cleans up', async (t) => {
  const topo = makeTopology('bcni', 236, 2);
  const root = `/sys/fs/bpf/netobs-test-cni-${process.pid}`;
  const [peer, pod] = topo.pods as [Pod, Pod];
  t.teardown(() => {
    Datapath.uninstall({ bpffsRoot: root, interfaces: [pod.hostIf, peer.hostIf] });
    rmSync(root, { recursive: true, force: true });
    topo.close();
  });

  await t.throwsAsync(cniAdd(request('ADD', pod, root)), { message: /not pinned .* the netobs agent has not started/ });
  await t.notThrowsAsync(cniDel(request('DEL', pod, root)), 'DEL with nothing to clean succeeds');

  // The agent starts once, pins the datapath, and stops.
  Datapath.open({ bpffsRoot: root, object: datapathObject() }).close();

  const out = await cniAdd(request('ADD', pod, root));
  t.deepEqual(out.ips, [{ address: `${pod.ip}/24` }], 'ADD answers the previous result');
  const ifindex = ifindexOf(pod.hostIf);
  t.not(tcQuery(ifindex, TC_INGRESS), undefined);
  t.not(tcQuery(ifindex, TC_EGRESS), undefined);
  await t.notThrowsAsync(cniCheck(request('CHECK', pod, root)));

  const dp = Datapath.open({ bpffsRoot: root, object: datapathObject() });
  try {
    t.like(dp.endpoints.get(ifindex), { notReady: true, identity: 5, ipv4: pod.ip });
    t.is((await nodeInPod(peer, SCRIPTS.tcpSend, [pod.ip, '8000', '10', '1000'])).stdout.trim(), 'timeout', 'nothing reaches the pod');
    t.is((await nodeInPod(pod, SCRIPTS.tcpSend, [peer.ip, '8000', '10', '1000'])).stdout.trim(), 'timeout', 'nothing leaves the pod');
    const notReady = dp.metrics().filter((m) => m.reason === DropReason.DROP_EP_NOT_READY);
    t.true(notReady.some((m) => m.direction === 'ingress') && notReady.some((m) => m.direction === 'egress'));

    await cniDel(request('DEL', pod, root));
    t.is(dp.endpoints.get(ifindex), undefined);
    const err = await t.throwsAsync<CniError>(cniCheck(request('CHECK', pod, root)));
    t.is(err?.code, CniCode.attachFailed);
  } finally {
    dp.close();
  }
});
