// The relay in a 2-node lab with netobs installed as a user installs it: `kubectl netobs observe
// --follow` (the plugin from this checkout, through the port-forward) keeps a node whose agent
// pod is deleted and recreated: NODE_UNAVAILABLE when its stream breaks, and that node's flows
// again within 10 s of the new agent being ready, without restarting observe.
import test from 'ava';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { labDown, labUp, type LabInfo } from '../../lab/index.ts';
import { installIntoLab } from '../../cmd/lab-install.ts';
import { selfCommand } from '../../lib/self-exec.ts';
import { until } from '../lab/support/until.ts';

const LAB = 'e2e-rly';
let lab: LabInfo;

const kubectl = (args: string[]) => execFileSync('kubectl', ['--kubeconfig', lab.kubeconfig, ...args], { encoding: 'utf8' });
const podIP = (name: string) => kubectl(['get', 'pod', name, '-o', 'jsonpath={.status.podIP}']);
const agentsOn = (node: string) => kubectl(['-n', 'netobs-system', 'get', 'pods', '-l', 'app.kubernetes.io/name=netobs-agent', '--field-selector', `spec.nodeName=${node}`, '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status} {end}']).trim().split(' ').filter(Boolean);

/** The lab's network namespace holding an IP: the test's way into a pod. */
function netnsOf(ip: string): string {
  for (const ns of execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map((l) => l.split(' ')[0] ?? '')) {
    if (!ns.startsWith(`netobs-${LAB}-pod-`)) continue;
    if (execFileSync('ip', ['-n', ns, '-j', 'addr', 'show'], { encoding: 'utf8' }).includes(`"local":"${ip}"`)) return ns;
  }
  throw new Error(`no pod network namespace holds ${ip}`);
}

interface Line { at: number; v: { flow?: { node_name?: string; time?: string }; node_status?: { state_change?: string | number; node_names?: string[] } } }

/** `kubectl netobs ARGS` from this checkout, its stdout and stderr JSON lines collected as they come. */
function plugin(args: string[], env: NodeJS.ProcessEnv) {
  const cmd = selfCommand(args);
  const child = spawn(cmd.file, cmd.args, { env });
  const out: Line[] = [];
  const err: Line[] = [];
  let errText = '';
  const collect = (stream: NodeJS.ReadableStream, into: Line[], raw?: (s: string) => void) => {
    let buf = '';
    stream.on('data', (d: Buffer) => {
      buf += d.toString();
      raw?.(d.toString());
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) {
        try {
          into.push({ at: Date.now(), v: JSON.parse(l) });
        } catch {
          // not JSON (a warning line): kept in errText only
        }
      }
    });
  };
  collect(child.stdout, out);
  collect(child.stderr, err, (s) => (errText += s));
  let exited: number | null | undefined;
  child.on('exit', (code) => (exited = code));
  return { child, out, err, stderr: () => errText, exited: () => exited };
}

test.before(async () => {
  await labDown(LAB).catch(() => {});
  lab = await labUp({ name: LAB, nodes: 2, demo: true, install: (l) => installIntoLab(l.kubeconfig) });
});

test.after.always(async () => {
  await labDown(LAB).catch(() => {});
});

test.serial('observe --follow keeps a node whose agent restarts: its flows are back within 10 s', async (t) => {
  const tiefighter = netnsOf(podIP('tiefighter'));
  const deathstar = kubectl(['get', 'pods', '-l', 'class=deathstar', '-o', 'jsonpath={.items[0].status.podIP}']);
  const node = kubectl(['get', 'pod', 'tiefighter', '-o', 'jsonpath={.spec.nodeName}']);
  // Traffic from the tiefighter's node twice a second, so that node always has fresh flows.
  const traffic = setInterval(() => {
    spawn('ip', ['netns', 'exec', tiefighter, 'curl', '-s', '-o', '/dev/null', '-m', '1', `http://${deathstar}/`], { stdio: 'ignore' }).on('error', () => {});
  }, 500);
  const obs = plugin(['observe', '--follow', '-o', 'json'], { ...process.env, KUBECONFIG: lab.kubeconfig });
  try {
    const fromNode = (after: number) => () => Promise.resolve(obs.out.find((l) => l.at > after && l.v.flow?.node_name === node));
    await until(`a flow of ${node} through observe --follow`, fromNode(0), 60_000);

    const [old] = agentsOn(node);
    const oldName = old?.split('=')[0] ?? '';
    t.truthy(oldName, `an agent pod on ${node}`);
    kubectl(['-n', 'netobs-system', 'delete', 'pod', oldName, '--wait=false']);
    await until(`NODE_UNAVAILABLE for ${node} on observe's error stream`, () => Promise.resolve(obs.err.find((l) => {
      const s = l.v.node_status;
      return s && (s.state_change === 'NODE_UNAVAILABLE' || s.state_change === 2) && s.node_names?.includes(node);
    })), 60_000);
    await until(`a new ready agent on ${node}`, () => Promise.resolve(agentsOn(node).some((e) => e.endsWith('=True') && !e.startsWith(`${oldName}=`))), 90_000);
    const readyAt = Date.now();
    const back = await until(`a flow of ${node} within 10 s of its new agent being ready`, fromNode(readyAt), 10_000);
    t.truthy(back.v.flow?.time);
    t.is(obs.exited(), undefined, `observe --follow is still running (stderr: ${obs.stderr().slice(-500)})`);
  } finally {
    clearInterval(traffic);
    obs.child.kill('SIGINT');
  }
});

test.serial('after the restart a plain observe hears from every node (no NODE_UNAVAILABLE)', (t) => {
  const cmd = selfCommand(['observe', '--last', '1', '-o', 'json']);
  const r = spawnSync(cmd.file, cmd.args, { env: { ...process.env, KUBECONFIG: lab.kubeconfig }, encoding: 'utf8', timeout: 60_000 });
  t.is(r.status, 0, r.stderr);
  t.notRegex(r.stderr, /unavailable/i);
});
