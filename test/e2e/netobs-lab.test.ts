// The user's path, end to end on a 2-node lab with the Star Wars demo, through the built
// executable: install (the DaemonSet and relay run in the lab as pods) → status --wait healthy on
// every node → every pod attached → observe (last, verdict filter, follow) → endpoints and maps
// of both nodes → the TUI under tmux → install again is a no-op → uninstall leaves nothing of
// netobs (objects, CRDs, tc programs on pod veths, pins) but the user's own ConfigMap → an install
// with an image the lab cannot run fails within --timeout naming the pod and the reason.
import test from 'ava';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { labDown, labUp, type LabInfo } from '../../lab/index.ts';

const LAB = 'e2e-cli';
const binary = path.resolve(import.meta.dirname, '../../dist/kubectl-netobs');
let lab: LabInfo;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], timeoutMs = 240_000): Run {
  const r = spawnSync(binary, args, { encoding: 'utf8', env: { ...process.env, KUBECONFIG: lab.kubeconfig }, timeout: timeoutMs, maxBuffer: 256 << 20 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function kubectl(args: string[]): string {
  return execFileSync('kubectl', ['--kubeconfig', lab.kubeconfig, ...args], { encoding: 'utf8' });
}

async function until<T>(fn: () => T | undefined, what: string, ms = 90_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const jsonLines = (s: string) => s.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { flow?: Record<string, any>; node_status?: unknown });

test.before(async () => {
  if (!existsSync(binary)) throw new Error(`${binary} missing: run 'npm run build' before the tests`);
  await labDown(LAB).catch(() => {});
  lab = await labUp({ name: LAB, nodes: 2, demo: true });
  // A user's object in netobs's namespace, before netobs exists: uninstall must keep it.
  kubectl(['create', 'namespace', 'netobs-system']);
  kubectl(['-n', 'netobs-system', 'create', 'configmap', 'user-notes', '--from-literal=owner=me']);
});

test.after.always(async () => {
  await labDown(LAB).catch(() => {});
});

test.serial('install, then status --wait is healthy on every node', (t) => {
  const r = cli(['install', '--set', 'agent.mountBpffs=false', '--timeout', '3m']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stderr, /2\/2 agents ready/);
  const st = cli(['status', '--wait', '--timeout', '2m', '-o', 'json']);
  t.is(st.code, 0, st.stdout + st.stderr);
  const status = JSON.parse(st.stdout) as { healthy: boolean; nodes: { node: string; healthy: boolean; datapathAttached: boolean; endpoints: number }[] };
  t.true(status.healthy);
  t.deepEqual(status.nodes.map((n) => n.node).sort(), ['node1', 'node2']);
  for (const n of status.nodes) {
    t.true(n.healthy, n.node);
    t.true(n.datapathAttached, n.node);
  }
});

test.serial('every pod with its own network is an endpoint, on its node', async (t) => {
  const pods = JSON.parse(kubectl(['get', 'pods', '-A', '-o', 'json'])) as { items: { spec: { nodeName: string; hostNetwork?: boolean }; status: { podIP?: string } }[] };
  const want = pods.items.filter((p) => !p.spec.hostNetwork && p.status.podIP).map((p) => `${p.spec.nodeName} ${p.status.podIP}`).sort();
  const eps = await until(() => {
    const r = cli(['endpoints', '-o', 'json']);
    if (r.code !== 0) return undefined;
    const got = (JSON.parse(r.stdout) as { node: string; ipv4?: string }[]).map((e) => `${e.node} ${e.ipv4}`).sort();
    return want.every((w) => got.includes(w)) ? got : undefined;
  }, 'every pod listed as an endpoint');
  t.true(eps.some((e) => e.startsWith('node1')) && eps.some((e) => e.startsWith('node2')));
});

test.serial('observe: the demo flows with pod names; drops of the xwing with their reason and policy', async (t) => {
  const flows = await until(() => {
    const r = cli(['observe', '--last', '20', '-o', 'json']);
    const f = r.code === 0 ? jsonLines(r.stdout).filter((l) => l.flow) : [];
    return f.length === 20 ? f : undefined;
  }, '20 flows');
  t.true(flows.some((l) => /^(tiefighter|xwing|deathstar)/.test(String(l.flow!.source?.pod_name ?? l.flow!.destination?.pod_name ?? ''))));
  const drops = await until(() => {
    const r = cli(['observe', '--last', '50', '--verdict', 'DROPPED', '-o', 'json']);
    const f = r.code === 0 ? jsonLines(r.stdout).filter((l) => l.flow) : [];
    return f.length > 0 ? f : undefined;
  }, 'a drop');
  for (const d of drops) {
    t.is(d.flow!.verdict, 'DROPPED');
    t.truthy(d.flow!.drop_reason_desc);
  }
  const denied = drops.find((d) => d.flow!.source?.pod_name === 'xwing');
  t.truthy(denied, 'the xwing is refused by the demo policy');
  t.is(denied!.flow!.drop_reason_desc, 'POLICY_DENIED');
  t.deepEqual(denied!.flow!.ingress_denied_by?.map((p: { name: string }) => p.name), ['rule1']);
});

test.serial('observe --follow streams new flows', async (t) => {
  const child = spawn(binary, ['observe', '--follow', '-o', 'json'], { env: { ...process.env, KUBECONFIG: lab.kubeconfig } });
  const started = Date.now() / 1000;
  try {
    const fresh = await new Promise<Record<string, any>>((resolve, reject) => {
      let buf = '';
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        for (const l of buf.split('\n').slice(0, -1)) {
          const v = JSON.parse(l) as { flow?: { time: string } };
          if (v.flow && Date.parse(v.flow.time) / 1000 >= started) resolve(v.flow);
        }
        buf = buf.slice(buf.lastIndexOf('\n') + 1);
      });
      child.on('exit', (code) => reject(new Error(`observe --follow exited ${code}`)));
      setTimeout(() => reject(new Error('no new flow within 30s')), 30_000);
    });
    t.truthy(fresh.node_name);
  } finally {
    child.kill('SIGINT');
  }
});

test.serial('maps of both nodes, and the entries of one map', (t) => {
  const r = cli(['maps', '-o', 'json']);
  t.is(r.code, 0, r.stderr);
  const maps = JSON.parse(r.stdout) as { node: string; name: string; entries: number }[];
  for (const node of ['node1', 'node2']) t.true(maps.some((m) => m.node === node && m.name === 'netobs_policy'), node);
  const ipc = cli(['maps', 'netobs_ipcache', '--node', 'node1', '-o', 'json']);
  t.is(ipc.code, 0, ipc.stderr);
  const pages = JSON.parse(ipc.stdout) as { entries: { key: string; value: string }[] }[];
  t.true(pages[0]!.entries.some((e) => e.key === '0.0.0.0/0'));
});

test.serial('the TUI in a real terminal at 200x50: flows, every view with both nodes, connections and the service map of the demo, q quits', async (t) => {
  const session = `netobs-e2e-${process.pid}`;
  const capture = () => execFileSync('tmux', ['capture-pane', '-p', '-t', session], { encoding: 'utf8' });
  execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', '200', '-y', '50', `env KUBECONFIG=${lab.kubeconfig} ${binary} ui; echo "ui exited $?"; sleep 60`]);
  try {
    await until(() => (/FORWARDED|DROPPED/.test(capture()) ? true : undefined), 'flows on screen', 60_000);
    t.regex(capture(), /1 Flows\s+2 Endpoints\s+3 Maps\s+4 Verdicts/);
    execFileSync('tmux', ['send-keys', '-t', session, '2']);
    await until(() => (/node1[\s\S]*node2/.test(capture()) && /ENDPOINT/.test(capture()) ? true : undefined), 'endpoints of both nodes', 30_000);
    execFileSync('tmux', ['send-keys', '-t', session, '3']);
    await until(() => (/netobs_policy/.test(capture()) && /node2\s+netobs_/.test(capture()) ? true : undefined), 'maps of both nodes', 30_000);
    execFileSync('tmux', ['send-keys', '-t', session, '4']);
    await until(() => (/POLICY/.test(capture()) ? true : undefined), 'the verdicts view', 30_000);
    execFileSync('tmux', ['send-keys', '-t', session, '5']);
    await until(() => (/SOURCE +DESTINATION +PORT +FLOWS\/S/.test(capture()) && /tiefighter.*deathstar.*TCP\/80/.test(capture()) ? true : undefined), 'the connections view with the demo', 30_000);
    execFileSync('tmux', ['send-keys', '-t', session, '6']);
    await until(() => (/namespace default: \d+ talking workloads/.test(capture()) && /deathstar/.test(capture()) ? true : undefined), 'the service map of the demo', 30_000);
    execFileSync('tmux', ['send-keys', '-t', session, '1']);
    await until(() => (/SOURCE\s+DESTINATION/.test(capture()) ? true : undefined), 'back to flows', 30_000);
    execFileSync('tmux', ['send-keys', '-t', session, 'q']);
    await until(() => (/ui exited 0/.test(capture()) ? true : undefined), 'a clean exit', 30_000);
    t.notRegex(capture(), /Error|error:/);
  } finally {
    spawnSync('tmux', ['kill-session', '-t', session]);
  }
});

test.serial('connectivity test: the suite passes; --list, --test, -o json and --junit-file; nothing left behind', (t) => {
  const list = cli(['connectivity', 'test', '--list']);
  t.is(list.code, 0, list.stderr);
  for (const name of ['pod-to-pod', 'pod-to-service', 'all-ingress-deny', 'l7-visibility']) t.regex(list.stdout, new RegExp(`^${name}\\s`, 'm'));
  const junit = path.join(os.tmpdir(), `netobs-junit-${process.pid}.xml`);
  const r = cli(['connectivity', 'test', '--external-target', 'www.world.lab:80', '--external-ip', lab.plan.worldIps[0]!, '--test', '.', '--test', '!egress-deny-cidr', '-o', 'json', '--junit-file', junit, '--timeout', '5m'], 600_000);
  t.is(r.code, 0, r.stderr.slice(-4000));
  const result = JSON.parse(r.stdout) as { summary: { passed: number; failed: number; skipped: number }; tests: { name: string; status: string }[] };
  t.is(result.summary.failed, 0);
  t.true(result.summary.passed >= 14, JSON.stringify(result.summary));
  t.false(result.tests.some((x) => x.name === 'egress-deny-cidr'), '--test ! excludes');
  t.is(result.tests.find((x) => x.name === 'pod-to-world')?.status, 'passed');
  const xml = readFileSync(junit, 'utf8');
  t.regex(xml, /<testsuite [^>]*failures="0"/);
  t.regex(xml, /<testcase [^>]*name="pod-to-pod"/);
  t.regex(r.stderr, /\d+ passed, 0 failed, \d+ skipped/);
  t.throws(() => kubectl(['get', 'namespace', 'netobs-test']), undefined, 'the test namespace is removed');
});

test.serial('connectivity test: a broken path fails, is named, and shows the drop with its reason', (t) => {
  const deny = {
    apiVersion: 'netobs.io/v1alpha1',
    kind: 'ClusterwideNetworkPolicy',
    metadata: { name: 'e2e-deny-echo' },
    // Clients may not reach the echo pods (the kubelet's probes, from the host, still may).
    spec: { endpointSelector: { matchLabels: { kind: 'echo' } }, ingressDeny: [{ fromEndpoints: [{ matchLabels: { kind: 'client' } }] }] },
  };
  execFileSync('kubectl', ['--kubeconfig', lab.kubeconfig, 'apply', '-f', '-'], { input: JSON.stringify(deny) });
  try {
    const r = cli(['connectivity', 'test', '--test', '^pod-to-pod$', '--timeout', '3m'], 400_000);
    t.is(r.code, 1);
    const out = r.stdout + r.stderr;
    t.regex(out, /FAIL \[1\/1\] pod-to-pod/);
    t.regex(out, /client->echo-same-node/);
    t.regex(out, /DROPPED/);
    t.regex(out, /POLICY_DENY|Policy denied by denylist/);
    t.regex(out, /0 passed, 1 failed/);
  } finally {
    kubectl(['delete', 'clusterwidenetworkpolicy', 'e2e-deny-echo']);
  }
  t.throws(() => kubectl(['get', 'namespace', 'netobs-test']), undefined, 'the test namespace is removed after a failure too');
});

test.serial("a real Prometheus scrapes the agents: the seed's PromQL and the golden signals answer", async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'netobs-prom-'));
  const port = 19000 + (process.pid % 1000);
  const targets = lab.plan.nodes.map((n) => `'${n.underlayIp}:9965'`).join(', ');
  writeFileSync(path.join(dir, 'prometheus.yml'), `global: {scrape_interval: 1s}\nscrape_configs:\n  - job_name: netobs-flows\n    static_configs: [{targets: [${targets}]}]\n`);
  const prom = spawn('prometheus', [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
  try {
    // Seed 004's panels, with the demo's apps in place of its pod-a / pod-b / http-echo.
    const queries = [
      'sum by(source_app, destination_app, destination_namespace, source_namespace) (rate(hubble_flows_processed_total{source_app="tiefighter", destination_app="deathstar", source_namespace="default", destination_namespace="default"}[15s]))',
      'sum by(destination_app) (rate(hubble_flows_processed_total{destination_namespace="default", destination_app="deathstar"}[15s]))',
    ];
    for (const q of queries) {
      const series = await until(() => {
        const r = spawnSync('curl', ['-sf', '--data-urlencode', `query=${q}`, `http://127.0.0.1:${port}/api/v1/query`], { encoding: 'utf8' });
        if (r.status !== 0) return undefined;
        const res = (JSON.parse(r.stdout) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } }).data.result;
        return res.length > 0 && Number(res[0]!.value[1]) > 0 ? res : undefined;
      }, `a non-empty answer to ${q}`, 90_000);
      t.is(series[0]!.metric.destination_app, 'deathstar');
    }
    // Golden signals for the demo's HTTP (landings 200, the exhaust port 503), per workload, as
    // the golden dashboard asks: p99 latency and the 5xx ratio of the deathstar as the server saw
    // it, and the xwing's connections the policy denied.
    const server = 'reporter="server", destination_workload="deathstar"';
    const golden = {
      p99: `histogram_quantile(0.99, sum by(le, destination_workload) (rate(hubble_http_request_duration_seconds_bucket{${server}}[15s])))`,
      errors: `sum by(destination_workload) (rate(hubble_http_requests_total{${server}, status=~"5.."}[15s])) / sum by(destination_workload) (rate(hubble_http_requests_total{${server}}[15s]))`,
      denied: 'sum by(source_workload, destination_workload) (rate(netobs_tcp_connections_total{source_workload="xwing", outcome="denied"}[15s]))',
    };
    const answer = async (q: string) => until(() => {
      const r = spawnSync('curl', ['-sf', '--data-urlencode', `query=${q}`, `http://127.0.0.1:${port}/api/v1/query`], { encoding: 'utf8' });
      if (r.status !== 0) return undefined;
      const res = (JSON.parse(r.stdout) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } }).data.result;
      const v = Number(res[0]?.value[1]);
      return Number.isFinite(v) && v > 0 ? { metric: res[0]!.metric, value: v } : undefined;
    }, `a positive answer to ${q}`, 90_000);
    const p99 = await answer(golden.p99);
    t.is(p99.metric.destination_workload, 'deathstar');
    t.true(p99.value < 10, `p99 ${p99.value}s`);
    const errors = await answer(golden.errors);
    // The tiefighter lands (200) and hits the exhaust port (503) once per loop: about half are 5xx.
    t.true(errors.value > 0.2 && errors.value < 0.8, `5xx ratio ${errors.value}`);
    t.is((await answer(golden.denied)).metric.destination_workload, 'deathstar');
  } finally {
    prom.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.serial('install again changes nothing', (t) => {
  const r = cli(['install', '--set', 'agent.mountBpffs=false', '--timeout', '2m']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stderr, /applied \d+ objects: nothing changed/);
});

test.serial('uninstall removes netobs and only netobs', (t) => {
  const r = cli(['uninstall', '--timeout', '3m']);
  t.is(r.code, 0, r.stderr);
  t.is(kubectl(['get', 'all', '-A', '-l', 'app.kubernetes.io/part-of=netobs', '-o', 'name']).trim(), '');
  t.is(kubectl(['get', 'crd', '-o', 'name']).split('\n').filter((l) => l.includes('netobs.io')).length, 0);
  t.is(kubectl(['-n', 'netobs-system', 'get', 'configmap', 'user-notes', '-o', 'jsonpath={.data.owner}']), 'me');
  for (const node of lab.plan.nodes) {
    const links = (JSON.parse(execFileSync('ip', ['-n', node.netns, '-j', 'link', 'show'], { encoding: 'utf8' })) as { ifname: string }[]).map((l) => l.ifname).filter((n) => n.startsWith('veth'));
    t.true(links.length > 0, `${node.name} still has its pods`);
    for (const l of links) {
      for (const dir of ['ingress', 'egress']) {
        const filters = execFileSync('ip', ['netns', 'exec', node.netns, 'tc', 'filter', 'show', 'dev', l, dir], { encoding: 'utf8' });
        t.notRegex(filters, /netobs/, `${node.name} ${l} ${dir}`);
      }
    }
    const bpffs = `/sys/fs/bpf/netobs-lab-${LAB}-${node.name}`;
    const pins = existsSync(path.join(bpffs, 'netobs')) ? readdirSync(path.join(bpffs, 'netobs')) : [];
    t.deepEqual(pins, [], `${node.name} pins`);
  }
});

test.serial('an image the cluster cannot run fails within --timeout, naming the pod and the reason', (t) => {
  const r = cli(['install', '--set', 'agent.mountBpffs=false', '--image', 'registry.invalid/nope:1', '--timeout', '25s']);
  t.is(r.code, 1);
  t.regex(r.stderr, /error: install: not ready within the timeout: .*pod netobs-system\/netobs-(agent|relay)-\S+ .*(ImagePullBackOff|ErrImagePull)/);
  t.is(cli(['uninstall', '--timeout', '2m']).code, 0);
});
