// `policy explain` and audit policies in the 2-node lab demo, with netobs installed as a user
// installs it: explain through the relay names the policy that made the Death Star default-deny
// and the missing allow for the X-wing, the rule for the TIE fighter; an audit policy that would
// deny the TIE fighter produces AUDIT flows naming it while the TIE fighter still lands (HTTP
// 200), and removing its annotation enforces it.
import test from 'ava';
import { execFileSync, spawnSync } from 'node:child_process';
import type { PolicyExplanation } from '../../api/status/explain.ts';
import type { Flow } from '../../api/types.ts';
import { installIntoLab } from '../../cmd/lab-install.ts';
import { labDown, labUp, type LabInfo } from '../../lab/index.ts';
import { selfCommand } from '../../lib/self-exec.ts';
import { until } from '../lab/support/until.ts';

const LAB = 'e2e-wb';
let lab: LabInfo;

const kubectl = (args: string[], input?: string) => execFileSync('kubectl', ['--kubeconfig', lab.kubeconfig, ...args], { encoding: 'utf8', ...(input ? { input } : {}) });

function plugin(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const cmd = selfCommand(args);
  return spawnSync(cmd.file, cmd.args, { env: { ...process.env, KUBECONFIG: lab.kubeconfig }, encoding: 'utf8', timeout: 90_000 });
}

function explain(src: string): PolicyExplanation {
  const r = plugin(['policy', 'explain', src, 'default/deathstar:80/TCP', '-o', 'json']);
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as PolicyExplanation;
}

/** The lab's network namespace holding an IP: the test's way into a pod. */
function netnsOf(ip: string): string {
  for (const ns of execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map((l) => l.split(' ')[0] ?? '')) {
    if (!ns.startsWith(`netobs-${LAB}-pod-`)) continue;
    if (execFileSync('ip', ['-n', ns, '-j', 'addr', 'show'], { encoding: 'utf8' }).includes(`"local":"${ip}"`)) return ns;
  }
  throw new Error(`no pod network namespace holds ${ip}`);
}

/** The HTTP status of a landing request from the TIE fighter to a Death Star pod ('000': no answer). */
function land(): string {
  const tie = netnsOf(kubectl(['get', 'pod', 'tiefighter', '-o', 'jsonpath={.status.podIP}']));
  const ds = kubectl(['get', 'pods', '-l', 'class=deathstar', '-o', 'jsonpath={.items[0].status.podIP}']);
  const r = spawnSync('ip', ['netns', 'exec', tie, 'curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', '-m', '3', '-X', 'POST', `http://${ds}/v1/request-landing`], { encoding: 'utf8' });
  return r.stdout.trim();
}

test.before(async () => {
  await labDown(LAB).catch(() => {});
  lab = await labUp({ name: LAB, nodes: 2, demo: true, install: (l) => installIntoLab(l.kubeconfig) });
  kubectl(['wait', '--for=condition=Ready', 'pod', '-l', 'org in (empire,alliance)', '--timeout=120s']);
});

test.after.always(async () => {
  await labDown(LAB).catch(() => {});
});

test.serial('policy explain: the X-wing is DENIED by default-deny naming rule1 and the missing allow; the TIE fighter is ALLOWED by rule1', async (t) => {
  const x = await until('an explanation with the Death Star\'s ingress side', () => Promise.resolve(((e) => e.directions.some((d) => d.direction === 'ingress') && e)(explain('default/xwing'))), 60_000);
  t.is(x.verdict, 'DENIED');
  const ing = x.directions.find((d) => d.direction === 'ingress')!;
  t.is(ing.reason, 'no-allow');
  t.deepEqual(ing.selectedBy, ['NetworkPolicy default/rule1']);
  t.regex(ing.missing ?? '', /no ingress allow for default\/xwing .* on 80\/TCP: none of NetworkPolicy default\/rule1 allows it/);
  t.is(ing.probes.length, 2); // the datapath's two lookups: this identity, any identity
  t.is(x.directions.find((d) => d.direction === 'egress')?.reason, 'not-enforced');

  const tie = explain('default/tiefighter');
  t.is(tie.verdict, 'ALLOWED');
  const ok = tie.directions.find((d) => d.direction === 'ingress')!;
  t.is(ok.reason, 'allow');
  t.is(ok.decidedBy?.match, 'L3-L4');
  t.deepEqual(ok.decidedBy?.value?.policies, ['NetworkPolicy default/rule1']);
  t.true((ok.decidedBy?.value?.ruleId ?? 0) > 0);
  t.is(ok.rules[0]?.policy, 'NetworkPolicy default/rule1');
  t.regex(ok.rules[0]?.rule ?? '', /k8s:org=empire.*80\/TCP/);

  const text = plugin(['policy', 'explain', 'default/xwing', 'default/deathstar:80/TCP']);
  t.is(text.status, 0, text.stderr);
  t.regex(text.stdout, /^DENIED: default\/xwing/);
  t.regex(text.stdout, /default-deny: selected by NetworkPolicy default\/rule1/);
  t.log(text.stdout);
});

test.serial('an audit policy that would deny the TIE fighter: AUDIT flows name it, the TIE fighter still lands; without the annotation it is enforced', async (t) => {
  kubectl(['apply', '-f', '-'], `apiVersion: netobs.io/v1alpha1
kind: NetworkPolicy
metadata:
  name: no-tiefighter
  namespace: default
  annotations: {netobs.io/audit: "true"}
spec:
  endpointSelector: {matchLabels: {class: deathstar}}
  ingressDeny: [{fromEndpoints: [{matchLabels: {class: tiefighter}}], toPorts: [{ports: [{port: "80", protocol: TCP}]}]}]
`);
  const audited = await until('an AUDIT flow from the TIE fighter naming no-tiefighter', () => {
    land();
    const r = plugin(['observe', '--verdict', 'AUDIT', '--from-pod', 'default/tiefighter', '--last', '50', '-o', 'json']);
    const flows = r.stdout.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { flow?: Flow }).flow).filter((f): f is Flow => f !== undefined);
    return Promise.resolve(flows.find((f) => f.ingress_denied_by?.some((p) => p.name === 'no-tiefighter')));
  }, 90_000);
  t.is(audited.destination?.labels?.includes('k8s:class=deathstar'), true);
  t.is(land(), '200', 'the TIE fighter still lands');
  const e = explain('default/tiefighter');
  t.is(e.verdict, 'ALLOWED');
  t.true(e.notEnforced.some((n) => n.policy === 'NetobsNetworkPolicy default/no-tiefighter' && /audit mode/.test(n.reason)));

  kubectl(['annotate', 'netobsnp', 'no-tiefighter', 'netobs.io/audit-']);
  await until('the TIE fighter refused once the policy is enforced', () => Promise.resolve(land() === '000'), 60_000);
  const denied = explain('default/tiefighter');
  t.is(denied.verdict, 'DENIED');
  t.deepEqual(denied.directions.find((d) => d.direction === 'ingress')?.decidedBy?.value?.policies, ['NetobsNetworkPolicy default/no-tiefighter']);
});
