// `policy generate` on the Star Wars demo (`lab up --demo`, netobs installed): the demo's own
// policy is removed, the ships fly for a while, the generated policies are applied, and probes
// from the pods' network namespaces show they keep what the demo did (the tiefighter lands and
// resolves names, the world host it visits answers) and drop the rest (the xwing, whose
// landing was denied while observed; a world host nobody visited). --audit marks them audit-only.
import test from 'ava';
import { execFile, execFileSync } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { run } from '../../cmd/cli.ts';
import { labDown, labInfo } from '../../lab/index.ts';
import { until } from '../lab/support/until.ts';
import { podNetns } from './support/pod-netns.ts';

const exec = promisify(execFile);
const NAME = 'gen-e2e';
const BIN = path.resolve('dist/kubectl-netobs');

test.after.always(async () => {
  await labDown(NAME).catch(() => {});
});

/** The HTTP status of one request from a pod's netns ('000': no answer within 3 s). */
async function code(ns: string, method: string, url: string): Promise<string> {
  const r = await exec('ip', ['netns', 'exec', ns, 'curl', '-s', '-o', '/dev/null', '-m', '3', '-X', method, '-w', '%{http_code}', url]).catch((e: { stdout?: string }) => ({ stdout: e.stdout || '000' }));
  return r.stdout.trim();
}

const serial = process.getuid?.() === 0 ? test.serial : test.serial.skip;

serial('policy generate on the demo: the generated policies keep the demo flying and drop the rest', async (t) => {
  const io = { out: () => {}, err: (s: string) => t.log(s.trim()) };
  t.is(await run(['lab', 'up', '--name', NAME, '--nodes', '1', '--demo'], io), 0);
  const kubeconfig = (await labInfo(NAME))!.kubeconfig;
  const env = { ...process.env, KUBECONFIG: kubeconfig };
  const k = (...a: string[]) => exec('kubectl', ['--kubeconfig', kubeconfig, ...a], { timeout: 120_000 }).then((r) => r.stdout);
  const apply = (yaml: string) => exec('sh', ['-c', `kubectl --kubeconfig ${kubeconfig} apply -f - <<'EOF'\n${yaml}EOF`]);
  await k('wait', '--for=condition=Ready', 'pod', '-l', 'org in (empire,alliance)', '--timeout=90s');
  const ip = async (pod: string) => (await k('get', 'pod', pod, '-o', 'jsonpath={.status.podIP}')).trim();
  const tie = podNetns(NAME, await ip('tiefighter'));
  const xwing = podNetns(NAME, await ip('xwing'));
  const svc = (await k('get', 'svc', 'deathstar', '-o', 'jsonpath={.spec.clusterIP}')).trim();
  // www.world.lab is what the ships visit; api.world.lab nobody does (lab/serve.ts WORLD_NAMES).
  const [www, api] = (await labInfo(NAME))!.plan.worldIps as [string, string];

  // The demo as observed: its rule1 denies the xwing; a few loops of the ships are enough.
  // Each ship visits the world host after its landing: the xwing's second refusal follows its first visit.
  const lines = async (pod: string, what: string) => (await k('logs', pod)).split('\n').filter((l) => l.includes(what)).length;
  await until('three loops of each ship', async () => ((await lines('tiefighter', 'landed')) >= 3 && (await lines('xwing', 'landing refused')) >= 3 ? true : undefined), 150_000);

  const gen = async (...extra: string[]) => (await exec(BIN, ['policy', 'generate', '-n', 'default', ...extra], { env, timeout: 60_000 })).stdout;
  const audit = await gen('--audit');
  t.regex(audit, /netobs.io\/audit: "true"/);
  const yaml = await gen();
  t.log(yaml);
  t.regex(yaml, /name: generated-deathstar/);
  const deathstar = yaml.slice(yaml.indexOf('name: generated-deathstar'), yaml.indexOf('---', yaml.indexOf('name: generated-deathstar')));
  t.notRegex(deathstar, /xwing/, 'the xwing, whose landing the demo denied, is no peer of the deathstar');

  // (Probed only now, so that this visit is not among the flows the policies were made from.)
  t.not(await code(tie, 'GET', `http://${api}/`), '000', 'the unvisited world host answers before any policy');
  t.notRegex(yaml, new RegExp(`${api.replaceAll('.', '\\.')}/32`));
  // The generated policies, then the demo's rule1 goes: what is enforced is theirs alone.
  await apply(yaml);
  for (const name of ['generated-deathstar', 'generated-tiefighter', 'generated-xwing']) {
    await until(`${name} Valid=True`, async () => ((await k('get', 'networkpolicies.netobs.io', name, '-o', 'jsonpath={.status.conditions[?(@.type=="Valid")].status}')) === 'True' ? true : undefined), 90_000);
  }
  await k('delete', 'netpol', 'rule1');
  // In force once the world host nobody visited gets no answer.
  await until('api.world.lab dropped for the tiefighter', async () => ((await code(tie, 'GET', `http://${api}/`)) === '000' ? true : undefined), 90_000);
  const landing = `http://${svc}/v1/request-landing`;
  t.is(await code(tie, 'POST', landing), '200', 'the tiefighter still lands');
  t.not(await code(tie, 'GET', `http://${www}/`), '000', 'the world host the tiefighter visited still answers');
  t.is(await code(xwing, 'POST', landing), '000', 'the xwing, denied while observed, stays dropped without rule1');
  t.not(await code(xwing, 'GET', `http://${www}/`), '000', 'what the xwing was allowed to do, it still may');
  // The tiefighter's own loop keeps landing under the generated policies.
  const before = await lines('tiefighter', 'landed');
  await until('two more landings of the loop', async () => ((await lines('tiefighter', 'landed')) > before + 1 ? true : undefined), 60_000);
  const drops = await until('a DROPPED flow of the xwing', async () => {
    const out = (await exec(BIN, ['observe', '--verdict', 'DROPPED', '--from-pod', 'default/xwing', '-o', 'json', '--last', '50'], { env, timeout: 60_000 })).stdout;
    return out.trim() ? out : undefined;
  }, 60_000);
  // Dropped at the xwing's own egress now: generated-xwing never learnt the deathstar as a peer.
  t.regex(drops, /"egress_denied_by":\[\{"name":"generated-xwing"|"ingress_denied_by":\[\{"name":"generated-deathstar"/);
});
