// Restart: the loader process dies (SIGKILL) while a TCP stream runs and comes back.
// The programs stay attached and the maps pinned, so the stream loses nothing, policy
// holds while no loader runs, and the new loader takes over the same maps.
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Datapath, Direction, type PolicyKey, type PolicyValue } from '../../bpf/loader/index.ts';
import { openPinnedMap } from '../../bpf/loader/bpf-map.ts';
import { decodeConntrack } from '../../bpf/loader/layout.ts';
import { formatIp } from '../../bpf/loader/addr.ts';
import { TC_INGRESS, ifindexOf, tcQuery } from '../../bpf/loader/tc.ts';
import { repoRoot } from '../../lib/assets.ts';
import { SCRIPTS, makeTopology, nodeInPod, startInPod } from './support/netns.ts';

const A_ID = 1001;
const B_ID = 1002;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function startLoader(desired: object): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot(), 'test/bpf/support/loader-child.ts'), JSON.stringify(desired)], {
    cwd: repoRoot(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      if (/ready/.test(out)) resolve(child);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`loader exited (${code}): ${out}`)));
  });
}

test('the stream survives a loader restart and policy holds in between', async (t) => {
  const topo = makeTopology('rst', 233);
  const root = `/sys/fs/bpf/netobs-test-restart-${process.pid}`;
  const [a, b] = topo.pods as [(typeof topo.pods)[0] & object, (typeof topo.pods)[1] & object];
  const rule = (port: number, action: PolicyValue['action']): [PolicyKey, PolicyValue] => [
    { endpointId: 2, remoteIdentity: A_ID, protocol: 6, port, direction: Direction.INGRESS },
    { action, ruleId: port },
  ];
  const desired = {
    bpffsRoot: root,
    interfaces: [a.hostIf, b.hostIf],
    ipcache: [
      [a.ip, A_ID],
      [b.ip, B_ID],
    ],
    endpoints: [
      [a.hostIf, { endpointId: 1, identity: A_ID }],
      [b.hostIf, { endpointId: 2, identity: B_ID, enforceIngress: true }],
    ],
    policy: [rule(5201, 'allow'), rule(8000, 'allow'), rule(8001, 'deny')],
  };
  let loader: ChildProcess | undefined;
  const servers: ChildProcess[] = [];
  try {
    loader = await startLoader(desired);
    const progBefore = tcQuery(ifindexOf(b.hostIf), TC_INGRESS);
    servers.push(await startInPod(b, [process.execPath, '-e', SCRIPTS.tcpSink, '--', '5201'], /listening/));
    servers.push(await startInPod(b, [process.execPath, '-e', SCRIPTS.tcpSink, '--', '8000'], /listening/));
    servers.push(await startInPod(b, [process.execPath, '-e', SCRIPTS.tcpSink, '--', '8001'], /listening/));
    const stream = nodeInPod(a, SCRIPTS.tcpStream, [b.ip, '5201', '5']);
    await sleep(1500);

    loader.kill('SIGKILL');
    await new Promise((r) => loader!.once('exit', r));
    loader = undefined;
    // No loader: enforcement and new allowed connections go on.
    t.is((await nodeInPod(a, SCRIPTS.tcpSend, [b.ip, '8001', '10', '1000'])).stdout.trim(), 'timeout', 'deny entry enforced without a loader');
    t.is((await nodeInPod(a, SCRIPTS.tcpSend, [b.ip, '8002', '10', '1000'])).stdout.trim(), 'timeout', 'default deny enforced without a loader');
    t.is((await nodeInPod(a, SCRIPTS.tcpSend, [b.ip, '8000', '1000'])).stdout.trim(), 'sent 1000', 'allowed connections still open');

    loader = await startLoader(desired);
    const progAfter = tcQuery(ifindexOf(b.hostIf), TC_INGRESS);
    t.not(progAfter, progBefore, 'the new loader replaced the programs');
    const ct = openPinnedMap(path.join(root, 'netobs_ct_tcp'), 'netobs_ct_tcp');
    try {
      const streamEntry = [...ct.entries()].map(([k, v]) => decodeConntrack(k, v, formatIp)).find((c) => c.dport === 5201 && c.direction === Direction.INGRESS && c.bytesForward > 1_000_000n);
      t.truthy(streamEntry, 'the stream is still the same tracked connection');
    } finally {
      ct.close();
    }
    t.is((await nodeInPod(a, SCRIPTS.tcpSend, [b.ip, '8001', '10', '1000'])).stdout.trim(), 'timeout', 'deny entry enforced after the restart');

    const r = await stream;
    t.is(r.code, 0, r.stdout + r.stderr);
    const m = /^sent (\d+) got (\d+)$/.exec(r.stdout.trim());
    t.truthy(m, r.stdout);
    t.true(Number(m?.[1]) > 10_000_000);
    t.is(m?.[2], m?.[1], 'every byte sent arrived, on the same connection');
  } finally {
    for (const s of servers) s.kill('SIGKILL');
    loader?.kill('SIGKILL');
    Datapath.uninstall({ bpffsRoot: root, interfaces: topo.pods.map((p) => p.hostIf) });
    topo.close();
  }
});
