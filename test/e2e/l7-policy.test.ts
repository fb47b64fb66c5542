// The Star Wars L7 policy on a lab with netobs installed (`lab up --demo`): a netobs
// NetworkPolicy lets org=empire `POST /v1/request-landing` on the Death Star and nothing else.
// Checked from the pods' network namespaces: the tiefighter's landing gets 200, `PUT
// /v1/exhaust-port` and `GET /v1/` get 403 Access denied, the xwing gets no answer at all (L3/L4
// drop); `observe --protocol http --verdict DROPPED` shows the exhaust-port request naming the
// policy. Then the agent is killed while the tiefighter loops on the exhaust port: no request
// ever gets a 2xx.
import test from 'ava';
import { execFile, execFileSync } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { run } from '../../cmd/cli.ts';
import { labDown, labInfo } from '../../lab/index.ts';

const exec = promisify(execFile);
const NAME = 'l7-e2e';
const BIN = path.resolve('dist/kubectl-netobs');

test.after.always(async () => {
  await labDown(NAME).catch(() => {});
});

const POLICY = `apiVersion: netobs.io/v1alpha1
kind: NetworkPolicy
metadata: {name: rule1-l7, namespace: default}
spec:
  endpointSelector: {matchLabels: {org: empire, class: deathstar}}
  ingress:
  - fromEndpoints: [{matchLabels: {org: empire}}]
    toPorts:
    - ports: [{port: "80", protocol: TCP}]
      rules:
        http: [{method: POST, path: /v1/request-landing}]
`;

async function until<T>(fn: () => Promise<T | undefined>, what: string, ms = 90_000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

function podNetns(ip: string): string {
  for (const ns of execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map((l) => l.split(' ')[0] ?? '').filter((n) => n.startsWith(`netobs-${NAME}-pod-`))) {
    if (execFileSync('ip', ['-n', ns, '-j', 'addr', 'show'], { encoding: 'utf8' }).includes(`"local":"${ip}"`)) return ns;
  }
  throw new Error(`no network namespace holds ${ip}`);
}

/** One request from a pod's netns: the status code ('000' = no answer) and the body. */
async function curl(ns: string, method: string, url: string): Promise<{ code: string; body: string }> {
  const r = await exec('ip', ['netns', 'exec', ns, 'curl', '-s', '-m', '3', '-X', method, '-w', '\n%{http_code}', url]).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '\n000' }));
  const i = r.stdout.lastIndexOf('\n');
  return { code: r.stdout.slice(i + 1), body: r.stdout.slice(0, i) };
}

const serial = process.getuid?.() === 0 ? test.serial : test.serial.skip;

serial('Star Wars L7 policy: landing 200, exhaust port and / 403, xwing dropped, DROPPED http flow names the policy; killing the agent lets no denied request through', async (t) => {
  const io = { out: () => {}, err: (s: string) => t.log(s.trim()) };
  t.is(await run(['lab', 'up', '--name', NAME, '--nodes', '1', '--demo'], io), 0);
  const kubeconfig = (await labInfo(NAME))!.kubeconfig;
  const env = { ...process.env, KUBECONFIG: kubeconfig };
  const k = (...a: string[]) => exec('kubectl', ['--kubeconfig', kubeconfig, ...a], { timeout: 120_000 }).then((r) => r.stdout);
  await k('wait', '--for=condition=Ready', 'pod', '-l', 'org in (empire,alliance)', '--timeout=90s');
  // The demo's L3/L4 rule allows the whole port to the empire: it goes, the L7 rule replaces it.
  await k('delete', 'netpol', 'rule1');
  await exec('sh', ['-c', `kubectl --kubeconfig ${kubeconfig} apply -f - <<'EOF'\n${POLICY}EOF`]);
  await until(async () => ((await k('get', 'networkpolicies.netobs.io', 'rule1-l7', '-o', 'jsonpath={.status.conditions[?(@.type=="Valid")].status}')) === 'True' ? true : undefined), 'Valid=True');

  const ip = async (pod: string) => (await k('get', 'pod', pod, '-o', 'jsonpath={.status.podIP}')).trim();
  const tie = podNetns(await ip('tiefighter'));
  const xwing = podNetns(await ip('xwing'));
  const svc = (await k('get', 'svc', 'deathstar', '-o', 'jsonpath={.spec.clusterIP}')).trim();
  const url = (p: string) => `http://${svc}${p}`;

  // Once the policy is in place the exhaust port is answered by the proxy.
  await until(async () => ((await curl(tie, 'PUT', url('/v1/exhaust-port'))).code === '403' ? true : undefined), 'PUT /v1/exhaust-port answered 403');
  t.is((await curl(tie, 'POST', url('/v1/request-landing'))).code, '200');
  const exhaust = await curl(tie, 'PUT', url('/v1/exhaust-port'));
  t.deepEqual(exhaust, { code: '403', body: 'Access denied\r\n' });
  t.is((await curl(tie, 'GET', url('/v1/'))).code, '403');
  t.is((await curl(xwing, 'POST', url('/v1/request-landing'))).code, '000', 'the xwing gets no answer: dropped at L3/L4');

  const flows = await until(async () => {
    const out = (await exec(BIN, ['observe', '--protocol', 'http', '--verdict', 'DROPPED', '-o', 'json', '--last', '200'], { env, timeout: 60_000 })).stdout;
    const fs = out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { flow?: Record<string, unknown> }).map((x) => (x.flow ?? x) as { l7?: { http?: { method?: string; url?: string } }; ingress_denied_by?: { name?: string }[] });
    const hit = fs.filter((f) => f.l7?.http?.method === 'PUT' && f.l7.http.url?.endsWith('/v1/exhaust-port'));
    return hit.length ? hit : undefined;
  }, 'a DROPPED http flow for PUT /v1/exhaust-port', 60_000);
  t.true(flows.some((f) => f.ingress_denied_by?.some((p) => p.name === 'rule1-l7')), JSON.stringify(flows[0]));

  // Kill the agent while the tiefighter loops on the exhaust port: 403s and failures, never a 2xx.
  const codes: string[] = [];
  let looping = true;
  const loop = (async () => {
    while (looping) codes.push((await curl(tie, 'PUT', url('/v1/exhaust-port'))).code);
  })();
  await new Promise((r) => setTimeout(r, 1000));
  const agents = (await k('get', 'pods', '-A', '--no-headers')).split('\n').filter((l) => /netobs-agent|netobs-[a-z0-9]{5}\b/.test(l) && !/relay/.test(l));
  t.true(agents.length > 0, 'an agent pod to kill');
  for (const l of agents) {
    const [ns, name] = l.trim().split(/\s+/) as [string, string];
    await k('-n', ns, 'delete', 'pod', name, '--wait=false', '--grace-period=0');
  }
  // Until it is back and answering 403 again.
  await new Promise((r) => setTimeout(r, 3000));
  await until(async () => (codes.length > 5 && codes.slice(-3).every((c) => c === '403') ? true : undefined), 'the proxy answering again', 90_000);
  looping = false;
  await loop;
  t.log(`codes while the agent restarted: ${[...new Set(codes)].map((c) => `${c}x${codes.filter((x) => x === c).length}`).join(' ')}`);
  t.false(codes.some((c) => c.startsWith('2')), codes.join(','));
  t.true(codes.some((c) => c !== '403'), 'the kill was seen (a request without an answer)');
});
