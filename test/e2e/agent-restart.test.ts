// Restarting an agent in the lab (its DaemonSet pod deleted and recreated, as an upgrade or a
// crash would) while a TCP stream runs between pods on its node and another: the stream loses
// nothing (pinned programs and maps keep forwarding) and the demo policy keeps dropping the
// xwing's requests to the deathstar the whole time no agent runs.
import test from 'ava';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { labDown, labUp, type LabInfo } from '../../lab/index.ts';
import { installIntoLab } from '../../cmd/lab-install.ts';

const LAB = 'e2e-rst';
let lab: LabInfo;

const kubectl = (args: string[]) => execFileSync('kubectl', ['--kubeconfig', lab.kubeconfig, ...args], { encoding: 'utf8' });
const podIP = (name: string) => kubectl(['get', 'pod', name, '-o', 'jsonpath={.status.podIP}']);

/** The lab's network namespace holding an IP: the test's way into a pod (the agent never does this). */
function netnsOf(ip: string): string {
  for (const ns of execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map((l) => l.split(' ')[0] ?? '')) {
    if (!ns.startsWith(`netobs-${LAB}-pod-`)) continue;
    if (execFileSync('ip', ['-n', ns, '-j', 'addr', 'show'], { encoding: 'utf8' }).includes(`"local":"${ip}"`)) return ns;
  }
  throw new Error(`no pod network namespace holds ${ip}`);
}

test.before(async () => {
  await labDown(LAB).catch(() => {});
  lab = await labUp({ name: LAB, nodes: 2, demo: true, install: (l) => installIntoLab(l.kubeconfig) });
});

test.after.always(async () => {
  await labDown(LAB).catch(() => {});
});

test('an agent restart loses no established connection and keeps the policy enforced', async (t) => {
  const tiefighter = netnsOf(podIP('tiefighter'));
  const xwingIP = podIP('xwing');
  const xwing = netnsOf(xwingIP);
  const deathstar = kubectl(['get', 'pods', '-l', 'class=deathstar', '-o', 'jsonpath={.items[0].status.podIP}']);
  const node = kubectl(['get', 'pod', 'tiefighter', '-o', 'jsonpath={.spec.nodeName}']);
  const agent = kubectl(['-n', 'netobs-system', 'get', 'pods', '-l', 'app.kubernetes.io/name=netobs-agent', '--field-selector', `spec.nodeName=${node}`, '-o', 'jsonpath={.items[0].metadata.name}']);
  const denied = () => spawnSync('ip', ['netns', 'exec', xwing, 'curl', '-s', '-o', '/dev/null', '-m', '1', `http://${deathstar}/`]).status !== 0;
  t.true(denied(), 'the policy drops the xwing before the restart');

  const server = spawn('ip', ['netns', 'exec', xwing, 'iperf3', '-s', '-1', '-p', '5299'], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 1000));
  const client = spawn('ip', ['netns', 'exec', tiefighter, 'iperf3', '-c', xwingIP, '-p', '5299', '-t', '15', '-b', '50M', '-J'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  client.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const done = new Promise<number | null>((resolve) => client.on('exit', resolve));
  try {
    await new Promise((r) => setTimeout(r, 2000));
    kubectl(['-n', 'netobs-system', 'delete', 'pod', agent, '--wait=false']);
    // While the old agent stops and the new one starts, the datapath stays and keeps enforcing.
    let checks = 0;
    const end = Date.now() + 60_000;
    for (;;) {
      t.true(denied(), `the xwing is still dropped during the restart (check ${++checks})`);
      const ready = kubectl(['-n', 'netobs-system', 'get', 'pods', '-l', 'app.kubernetes.io/name=netobs-agent', '--field-selector', `spec.nodeName=${node}`, '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status} {end}']);
      if (ready.split(' ').some((e) => e.endsWith('=True') && !e.startsWith(`${agent}=`))) break;
      if (Date.now() > end) throw new Error(`no new agent became ready on ${node}: ${ready}`);
    }
    t.true(checks > 0);
    const code = await done;
    t.is(code, 0, out.slice(-2000));
    const result = JSON.parse(out) as { end: { sum_sent: { bytes: number; retransmits?: number }; sum_received: { bytes: number } }; error?: string };
    t.falsy(result.error);
    t.true(result.end.sum_received.bytes > 0);
    t.true(denied(), 'the policy drops the xwing after the restart');
  } finally {
    client.kill();
    server.kill();
  }
});
