// A pod whose sandbox cannot be set up (a hostPath volume that cannot be created) is reported, not
// silently stuck: `kubectl describe pod` shows the Warning event with the cause, the pod carries a
// PodReadyToStartContainers=False condition with the reason, the lab log has the line, and the
// kubelet retries with back-off while the lab process stays nearly idle. `lab down` of a lab
// with such a pod leaves nothing.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { labDown, labUp, type LabInfo } from '../../lab/index.ts';
import { serveLogPath } from '../../lab/state.ts';

const NAME = 'e2e-sandbox';
let lab: LabInfo;

const kubectl = (...args: string[]) => execFileSync('kubectl', ['--kubeconfig', lab.kubeconfig, ...args], { encoding: 'utf8', timeout: 60_000 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** utime + stime of a process, in clock ticks (proc(5): fields 14 and 15). */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

test.before(async () => {
  await labDown(NAME).catch(() => {});
  lab = await labUp({ name: NAME, nodes: 1 });
});

test.after.always(async () => {
  await labDown(NAME).catch(() => {});
});

const POD = `apiVersion: v1
kind: Pod
metadata: {name: nohostpath, namespace: default}
spec:
  containers: [{name: main, image: busybox, command: [sleep, '3600'], volumeMounts: [{name: data, mountPath: /data}]}]
  volumes: [{name: data, hostPath: {path: /proc/netobs-e2e-sandbox/data, type: DirectoryOrCreate}}]
`;

test.serial('a sandbox failure is an event, a condition and a log line, retried with back-off at low CPU; lab down leaves nothing', async (t) => {
  execFileSync('kubectl', ['--kubeconfig', lab.kubeconfig, 'apply', '-f', '-'], { input: POD, encoding: 'utf8' });
  // The acceptance of issue 11: the reason is visible within 10 s.
  let described = '';
  for (const end = Date.now() + 10_000; Date.now() < end && !/FailedMount/.test(described); await sleep(500)) described = kubectl('describe', 'pod', 'nohostpath');
  t.regex(described, /Warning\s+FailedMount\s+.*hostPath \/proc\/netobs-e2e-sandbox\/data: create directory .*mkdir \/proc\/netobs-e2e-sandbox: E[A-Z]+ \(retrying in \d+s\)/);
  const pod = JSON.parse(kubectl('get', 'pod', 'nohostpath', '-o', 'json')) as { status: { phase: string; conditions: { type: string; status: string; reason?: string; message?: string }[]; containerStatuses: { state: { waiting?: { reason: string } } }[] } };
  t.is(pod.status.phase, 'Pending');
  const cond = pod.status.conditions.find((c) => c.type === 'PodReadyToStartContainers');
  t.like(cond, { status: 'False', reason: 'FailedMount' });
  t.regex(cond?.message ?? '', /volume "data": hostPath/);
  t.is(pod.status.containerStatuses[0]?.state.waiting?.reason, 'ContainerCreating');
  t.regex(readFileSync(serveLogPath(NAME), 'utf8'), /kubelet \S+: pod default\/nohostpath: FailedMount: mount volumes: volume "data": hostPath/);

  // While it retries, the lab's serve process is nearly idle (no busy loop), and the retries
  // back off: 2 s, 4 s, 8 s… so a dozen seconds hold a handful of attempts, not hundreds.
  const pid = lab.state.pid;
  const count = () => (JSON.parse(kubectl('get', 'events', '-o', 'json')).items as { reason: string; involvedObject: { name: string } }[]).filter((e) => e.reason === 'FailedMount' && e.involvedObject.name === 'nohostpath').length;
  const before = count();
  const t0 = process.hrtime.bigint();
  const c0 = cpuTicks(pid);
  await sleep(12_000);
  const c1 = cpuTicks(pid);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const ratio = (c1 - c0) / CLK_TCK / seconds;
  t.log(`lab serve CPU while retrying: ${(ratio * 100).toFixed(1)} % over ${seconds.toFixed(1)} s`);
  t.true(ratio < 0.05, `lab serve used ${(ratio * 100).toFixed(1)} % CPU while retrying`);
  const retries = count() - before;
  t.true(retries >= 1 && retries <= 4, `${retries} retries in 12 s`);

  const start = process.hrtime.bigint();
  const left = await labDown(NAME);
  t.log(`lab down with the stuck pod: ${(Number(process.hrtime.bigint() - start) / 1e9).toFixed(1)} s`);
  t.deepEqual(left, { netns: [], links: [], nftTables: [], etcNetns: [], pins: [], processes: [] });
});
