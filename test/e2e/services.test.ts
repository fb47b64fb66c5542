// Service-addressed traffic judged on its real backend (issue 14), on a 2-node lab with the Star
// Wars demo and netobs installed from the built executable. With an egress policy on the
// tiefighter allowing only `toEndpoints: class=deathstar` port 80 (plus DNS), the deathstar is
// reached by a backend pod's IP, by the ClusterIP and by the Service's DNS name, while the world
// is refused; the flows name the backend pod and the Service and none is `world` or addressed to
// the ClusterIP. The same through a NodePort Service with a named targetPort (ClusterIP and both
// node addresses) and a headless Service; then a `toServices` policy allows the Service.
import test from 'ava';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { labDown, labUp, type LabInfo } from '../../lab/index.ts';

const LAB = 'e2e-services';
const binary = path.resolve(import.meta.dirname, '../../dist/kubectl-netobs');
let lab: LabInfo;

function cli(args: string[], timeoutMs = 240_000): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(binary, args, { encoding: 'utf8', env: { ...process.env, KUBECONFIG: lab.kubeconfig }, timeout: timeoutMs, maxBuffer: 256 << 20 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function kubectl(args: string[], input?: string): string {
  return execFileSync('kubectl', ['--kubeconfig', lab.kubeconfig, ...args], { encoding: 'utf8', ...(input ? { input } : {}) });
}

/** The tiefighter fetches `url`; the deathstar echo server answers with its pod name. */
function fetchFromTiefighter(url: string): { ok: boolean; hostname?: string } {
  const r = spawnSync('kubectl', ['--kubeconfig', lab.kubeconfig, 'exec', 'tiefighter', '--', 'timeout', '4', 'wget', '-q', '-O-', url], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) return { ok: false };
  const m = /"hostname":"([^"]+)"/.exec(r.stdout);
  return { ok: true, ...(m ? { hostname: m[1] } : {}) };
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

type FlowJson = Record<string, any>;
const flowsOf = (s: string): FlowJson[] => s.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { flow?: FlowJson }).flatMap((l) => (l.flow ? [l.flow] : []));

const policy = (name: string, peer: string) => `
apiVersion: netobs.io/v1alpha1
kind: NetworkPolicy
metadata: {name: ${name}, namespace: default}
spec:
  endpointSelector: {matchLabels: {class: tiefighter}}
  egress:
  - ${peer}
    toPorts: [{ports: [{port: "80", protocol: TCP}]}]
  - toPorts: [{ports: [{port: "53", protocol: UDP}]}]
`;

async function applyPolicy(name: string, peer: string): Promise<void> {
  kubectl(['apply', '-f', '-'], policy(name, peer));
  await until(() => (/True/.test(kubectl(['get', 'networkpolicies.netobs.io', name, '-o', 'jsonpath={.status.conditions[?(@.type=="Valid")].status}'])) ? true : undefined), `${name} Valid`);
  // Enforced once the world is refused (the agents apply the policy after validating it).
  await until(() => (fetchFromTiefighter('http://www.world.lab/').ok ? undefined : true), `${name} enforced`);
}

let deathstars: { name: string; ip: string }[] = [];
let clusterIP = '';

test.before(async () => {
  if (!existsSync(binary)) throw new Error(`${binary} missing: run 'npm run build' before the tests`);
  await labDown(LAB).catch(() => {});
  lab = await labUp({ name: LAB, nodes: 2, demo: true });
  const r = cli(['install', '--set', 'agent.mountBpffs=false', '--timeout', '3m']);
  if (r.code !== 0) throw new Error(`install failed: ${r.stderr}`);
  kubectl(['wait', '--for=condition=Ready', 'pod', '-l', 'org in (empire,alliance)', '--timeout=90s']);
  const pods = JSON.parse(kubectl(['get', 'pods', '-l', 'class=deathstar', '-o', 'json'])) as { items: { metadata: { name: string }; status: { podIP: string } }[] };
  deathstars = pods.items.map((p) => ({ name: p.metadata.name, ip: p.status.podIP }));
  clusterIP = kubectl(['get', 'svc', 'deathstar', '-o', 'jsonpath={.spec.clusterIP}']).trim();
});

test.after.always(async () => {
  await labDown(LAB).catch(() => {});
});

test.serial('toEndpoints class=deathstar allows the backend by pod IP, ClusterIP and DNS name; the flows name pod and Service', async (t) => {
  await applyPolicy('tiefighter-to-deathstar', 'toEndpoints: [{matchLabels: {class: deathstar}}]');
  const names = deathstars.map((d) => d.name);
  for (const d of deathstars) t.is(fetchFromTiefighter(`http://${d.ip}/v1/pod`).hostname, d.name, `pod IP ${d.ip}`);
  const byVip = await until(() => fetchFromTiefighter(`http://${clusterIP}/v1/vip`).hostname, 'the ClusterIP answers');
  t.true(names.includes(byVip), 'ClusterIP reaches a deathstar');
  t.true(names.includes(fetchFromTiefighter('http://deathstar.default.svc.cluster.local/v1/dns').hostname ?? ''), 'DNS name reaches a deathstar');
  t.false(fetchFromTiefighter('http://www.world.lab/').ok, 'the world stays refused');

  const flows = await until(() => {
    const r = cli(['observe', '--last', '2000', '--from-pod', 'default/tiefighter', '--port', '80', '-o', 'json']);
    const f = r.code === 0 ? flowsOf(r.stdout).filter((x) => x.l4?.TCP?.destination_port === 80) : [];
    return f.some((x) => x.destination_service?.name === 'deathstar' && x.verdict === 'FORWARDED') ? f : undefined;
  }, 'flows to the deathstar');
  const toDeathstar = flows.filter((x) => x.destination_service?.name === 'deathstar');
  t.true(toDeathstar.length > 0);
  for (const f of toDeathstar) {
    t.true(names.includes(f.destination?.pod_name), `backend pod named: ${JSON.stringify(f.destination)}`);
    t.deepEqual(f.destination_service, { name: 'deathstar', namespace: 'default' });
    t.not(f.destination?.identity, 2, 'not world');
    t.is(f.verdict, 'FORWARDED');
  }
  t.false(flows.some((f) => f.IP?.destination === clusterIP), 'no flow is addressed to the ClusterIP');
  t.false(flows.some((f) => f.destination_service?.name === 'deathstar' && (f.destination?.labels ?? []).includes('reserved:world')));
});

test.serial('a NodePort Service with a named targetPort and a headless Service reach the backends under the same policy', async (t) => {
  kubectl(['apply', '-f', '-'], `
apiVersion: v1
kind: Service
metadata: {name: deathstar-np, namespace: default}
spec: {type: NodePort, selector: {class: deathstar}, ports: [{name: web, port: 8000, targetPort: http, protocol: TCP}]}
---
apiVersion: v1
kind: Service
metadata: {name: deathstar-hl, namespace: default}
spec: {clusterIP: None, selector: {class: deathstar}, ports: [{name: web, port: 80, protocol: TCP}]}
`);
  const names = deathstars.map((d) => d.name);
  const np = JSON.parse(kubectl(['get', 'svc', 'deathstar-np', '-o', 'json'])) as { spec: { clusterIP: string; ports: { nodePort: number }[] } };
  const nodes = JSON.parse(kubectl(['get', 'nodes', '-o', 'json'])) as { items: { status: { addresses: { type: string; address: string }[] } }[] };
  const nodeIPs = nodes.items.map((n) => n.status.addresses.find((a) => a.type === 'InternalIP')!.address);
  t.true(names.includes(await until(() => fetchFromTiefighter(`http://${np.spec.clusterIP}:8000/np`).hostname, 'the NodePort Service ClusterIP answers')));
  for (const ip of nodeIPs) t.true(names.includes(fetchFromTiefighter(`http://${ip}:${np.spec.ports[0]!.nodePort}/np`).hostname ?? ''), `node ${ip} NodePort`);
  t.true(names.includes(await until(() => fetchFromTiefighter('http://deathstar-hl.default.svc.cluster.local/hl').hostname, 'the headless name answers')));
});

test.serial('toServices: the deathstar Service allows its backends', async (t) => {
  kubectl(['delete', 'networkpolicies.netobs.io', 'tiefighter-to-deathstar']);
  await applyPolicy('tiefighter-to-service', 'toServices: [{k8sService: {serviceName: deathstar, namespace: default}}]');
  const names = deathstars.map((d) => d.name);
  t.true(names.includes(await until(() => fetchFromTiefighter(`http://${clusterIP}/v1/svc`).hostname, 'the ClusterIP answers')));
  t.true(names.includes(fetchFromTiefighter('http://deathstar.default.svc.cluster.local/v1/svc-dns').hostname ?? ''));
  t.false(fetchFromTiefighter('http://www.world.lab/').ok);
});
