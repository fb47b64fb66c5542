// toFQDNs and DNS rules on a lab with netobs installed (`lab up --demo`): the xwing may look up
// *.world.lab only, and reach api.world.lab (one of the lab world's addresses) on TCP 80, nothing
// else. Checked from the pod's network namespace with real packets: before any lookup the api
// address is dropped; after the xwing resolves api.world.lab it answers; www.world.lab resolves
// (the DNS rule allows it) but its address stays dropped (no toFQDNs selects it); a name outside
// the DNS rule is REFUSED by the proxy; `observe --protocol dns --verdict DROPPED` shows the refused
// query naming the policy. The added DNS latency through the proxy is measured against the
// tiefighter's direct lookups.
import test from 'ava';
import { execFile, execFileSync } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { run } from '../../cmd/cli.ts';
import { labDown, labInfo } from '../../lab/index.ts';
import { until } from '../lab/support/until.ts';
import { podNetns } from './support/pod-netns.ts';
import { buildQuery, parseAnswers } from '../../lab/node/dns-codec.ts';

const exec = promisify(execFile);
const NAME = 'fqdn-e2e';
const BIN = path.resolve('dist/kubectl-netobs');

test.after.always(async () => {
  await labDown(NAME).catch(() => {});
});

const POLICY = `apiVersion: netobs.io/v1alpha1
kind: NetworkPolicy
metadata: {name: xwing-fqdn, namespace: default}
spec:
  endpointSelector: {matchLabels: {class: xwing}}
  egress:
  - toServices: [{k8sService: {serviceName: kube-dns, namespace: kube-system}}]
    toPorts:
    - ports: [{port: "53", protocol: ANY}]
      rules:
        dns: [{matchPattern: "*.world.lab"}]
  - toFQDNs: [{matchName: api.world.lab}]
    toPorts: [{ports: [{port: "80", protocol: TCP}]}]
`;

// A DNS client run inside the pod's netns: sends each query (hex) from a fresh socket, prints the
// answers (hex, '' when none came within 2 s) and each round trip in ns, as JSON.
const CLIENT = `const d=require('dgram');const [server,...qs]=process.argv.slice(1);const out=[];
(async()=>{for(const q of qs){const s=d.createSocket('udp4');const t0=process.hrtime.bigint();
const a=await new Promise((r)=>{const tm=setTimeout(()=>r(''),2000);s.on('message',(m)=>{clearTimeout(tm);r(m.toString('hex'))});s.send(Buffer.from(q,'hex'),53,server)});
out.push({a,ns:Number(process.hrtime.bigint()-t0)});s.close()}process.stdout.write(JSON.stringify(out))})()`;

async function lookup(ns: string, server: string, names: string[]): Promise<{ rcode: number; ips: string[]; ns: number }[]> {
  const qs = names.map((n, i) => buildQuery(0x100 + i, n).toString('hex'));
  const r = await exec('ip', ['netns', 'exec', ns, process.execPath, '-e', CLIENT, server, ...qs], { timeout: 60_000 });
  return (JSON.parse(r.stdout) as { a: string; ns: number }[]).map(({ a, ns: t }) => (a ? { ...parseAnswers(Buffer.from(a, 'hex')), ns: t } : { rcode: -1, ips: [], ns: t }));
}

async function httpCode(ns: string, url: string): Promise<string> {
  const r = await exec('ip', ['netns', 'exec', ns, 'curl', '-s', '-o', '/dev/null', '-m', '3', '-w', '%{http_code}', url]).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '000' }));
  return r.stdout.trim() || '000';
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

const serial = process.getuid?.() === 0 ? test.serial : test.serial.skip;

serial('toFQDNs: api.world.lab reachable once resolved, www.world.lab not; names outside the DNS rule REFUSED and seen DROPPED', async (t) => {
  const io = { out: () => {}, err: (s: string) => t.log(s.trim()) };
  t.is(await run(['lab', 'up', '--name', NAME, '--nodes', '1', '--demo'], io), 0);
  const info = (await labInfo(NAME))!;
  const kubeconfig = info.kubeconfig;
  const env = { ...process.env, KUBECONFIG: kubeconfig };
  const [www, api] = info.plan.worldIps as [string, string, string];
  const dns = info.plan.dnsServiceIp;
  const k = (...a: string[]) => exec('kubectl', ['--kubeconfig', kubeconfig, ...a], { timeout: 120_000 }).then((r) => r.stdout);
  await k('wait', '--for=condition=Ready', 'pod', '-l', 'org in (empire,alliance)', '--timeout=90s');
  const ip = async (pod: string) => (await k('get', 'pod', pod, '-o', 'jsonpath={.status.podIP}')).trim();
  const xwing = podNetns(NAME, await ip('xwing'));
  const tie = podNetns(NAME, await ip('tiefighter'));
  // Without a policy the world answers (so a failure below is the policy's).
  t.is(await httpCode(xwing, `http://${api}/`), '200');

  await exec('sh', ['-c', `kubectl --kubeconfig ${kubeconfig} apply -f - <<'EOF'\n${POLICY}EOF`]);
  await until('Valid=True', async () => ((await k('get', 'networkpolicies.netobs.io', 'xwing-fqdn', '-o', 'jsonpath={.status.conditions[?(@.type=="Valid")].status}')) === 'True' ? true : undefined), 90_000);
  // Enforced once egress to the world is cut: the api address is not learnt yet.
  await until('egress to the world dropped', async () => ((await httpCode(xwing, `http://${api}/`)) === '000' ? true : undefined), 90_000);

  // Lookups through the proxy: a name outside the rule is refused, the world names answer.
  const [refused, apiAnswer, wwwAnswer] = await until('answers through the DNS proxy', async () => {
    const r = await lookup(xwing, dns, ['api.other.lab.', 'api.world.lab.', 'www.world.lab.']);
    return r.every((x) => x.rcode >= 0) ? r : undefined;
  }, 60_000);
  t.is(refused!.rcode, 5, 'REFUSED');
  t.deepEqual([apiAnswer!.rcode, apiAnswer!.ips], [0, [api]]);
  t.deepEqual([wwwAnswer!.rcode, wwwAnswer!.ips], [0, [www]]);

  // The answer was held until the datapath knew the address: the very next request goes.
  t.is(await httpCode(xwing, `http://${api}/`), '200');
  t.is(await httpCode(xwing, `http://${www}/`), '000', 'www.world.lab resolved, but no toFQDNs selects it');

  const flows = await until('a DROPPED dns flow for api.other.lab.', async () => {
    const out = (await exec(BIN, ['observe', '--protocol', 'dns', '--verdict', 'DROPPED', '-o', 'json', '--last', '200'], { env, timeout: 60_000 })).stdout;
    const fs = out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { flow?: Record<string, unknown> }).map((x) => (x.flow ?? x) as { l7?: { type?: string; dns?: { query?: string; rcode?: number } }; egress_denied_by?: { name?: string }[] });
    const hit = fs.filter((f) => f.l7?.dns?.query === 'api.other.lab.');
    return hit.length ? hit : undefined;
  }, 60_000);
  t.true(flows.some((f) => f.egress_denied_by?.some((p) => p.name === 'xwing-fqdn')), JSON.stringify(flows[0]));

  // Added latency: the same allowed lookup through the proxy (xwing) and direct (tiefighter).
  const N = 30;
  const names = Array.from({ length: N }, () => 'api.world.lab.');
  const proxied = (await lookup(xwing, dns, names)).filter((r) => r.rcode === 0).map((r) => r.ns);
  const direct = (await lookup(tie, dns, names)).filter((r) => r.rcode === 0).map((r) => r.ns);
  t.is(proxied.length, N);
  t.is(direct.length, N);
  t.log(`DNS lookup p50 over ${N}: through the proxy ${(median(proxied) / 1e6).toFixed(2)} ms, direct ${(median(direct) / 1e6).toFixed(2)} ms`);

  // A restarted agent restores what was learnt (its state file): api.world.lab stays reachable
  // without a new lookup once the new agent has taken over, www.world.lab stays dropped.
  const agents = (await k('get', 'pods', '-n', 'netobs-system', '-o', 'name')).split('\n').filter((l) => l.includes('netobs-agent'));
  t.true(agents.length > 0, 'an agent pod to restart');
  for (const a of agents) await k('-n', 'netobs-system', 'delete', a, '--wait=true');
  await until('a new agent Ready', async () => {
    const names = (await k('get', 'pods', '-n', 'netobs-system', '-o', 'name')).split('\n').filter((l) => l.includes('netobs-agent'));
    if (!names.length || names.some((n) => agents.includes(n))) return undefined;
    await k('-n', 'netobs-system', 'wait', '--for=condition=Ready', ...names, '--timeout=60s');
    return true;
  }, 120_000);
  // Past a few of the new agent's reconciles (5 s resync): a lost cache would have removed the allow.
  await new Promise((r) => setTimeout(r, 15_000));
  t.is(await httpCode(xwing, `http://${api}/`), '200', 'the learnt address survived the restart');
  t.is(await httpCode(xwing, `http://${www}/`), '000');
  const again = await lookup(xwing, dns, ['api.other.lab.']);
  t.is(again[0]!.rcode, 5, 'the restarted agent\'s proxy refuses again');
});
