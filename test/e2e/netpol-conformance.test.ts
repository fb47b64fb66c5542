// Kubernetes NetworkPolicy conformance (issue 14): the upstream e2e "netpol" model in one lab
// with netobs installed. Namespaces x, y, z with pods a, b, c each serve TCP and UDP on ports 80
// and 81; every case applies its policies (and label changes), waits until every agent has
// taken the policies in, then probes the whole 9×9 matrix on all four port/protocol pairs from
// inside the pods and compares every cell (loopback excepted, as upstream) with the expected
// truth table, printing both tables on a mismatch. Cases are data (support/netpol-cases.ts).
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { labDown, labUp } from '../../lab/index.ts';
import { labSerial } from '../lab/support/root-only.ts';
import { CASES } from './support/netpol-cases.ts';
import { agentRevisions, applyObjects, baseNsLabels, createModel, expectMatrix, kubectl, type ModelLab } from './support/netpol-lab.ts';
import { NAMESPACES, PODS, Reachability, type PodId } from './support/netpol-model.ts';

const LAB = 'e2e-netpol';
const binary = path.resolve(import.meta.dirname, '../../dist/kubectl-netobs');
const serial = labSerial('NetworkPolicy conformance');
let lab: ModelLab | undefined;
const started = Date.now();

/** Labels a case added, removed again before the next case. */
const added = { pods: new Map<PodId, Set<string>>(), ns: new Map<string, Set<string>>() };

/** Every agent's last seen revision; a change counts once every agent moved past it. */
let revisions: { node: string; policyRevision: number; policies: number }[] = [];
/** Policies present before the suite (e.g. from the install), counted by every agent. */
let basePolicies = 0;

/**
 * Until every agent holds `count` policies (beyond the suite's baseline) and, when `changed`, has
 * a revision past the one last seen: the agents have parsed and compiled what the API holds.
 */
async function waitForAgents(count: number, changed: boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const now = await agentRevisions(lab!);
    const fresh = !changed || revisions.every((b) => now.some((n) => n.node === b.node && n.policyRevision > b.policyRevision));
    if (now.length > 0 && now.length >= revisions.length && fresh && now.every((n) => n.policies === basePolicies + count)) {
      revisions = now;
      return;
    }
    if (Date.now() > deadline) throw new Error(`agents did not take ${what} in within 30 s: before ${JSON.stringify(revisions)}, now ${JSON.stringify(now)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function label(kind: 'pod' | 'namespace', name: string, ns: string | undefined, labels: Readonly<Record<string, string | null>>): Promise<void> {
  const args = Object.entries(labels).map(([k, v]) => (v === null ? `${k}-` : `${k}=${v}`));
  await kubectl(lab!, [...(ns ? ['-n', ns] : []), 'label', '--overwrite', kind, name, ...args]);
}

/** No policies, labels as created, every pair reachable again. */
async function reset(): Promise<void> {
  await Promise.all(NAMESPACES.map((ns) => kubectl(lab!, ['-n', ns, 'delete', 'networkpolicies.networking.k8s.io,networkpolicies.netobs.io', '--all'])));
  for (const [id, keys] of added.pods) await label('pod', id.split('/')[1]!, id.split('/')[0], Object.fromEntries([...keys].map((k) => [k, null])));
  for (const [ns, keys] of added.ns) await label('namespace', ns, undefined, Object.fromEntries([...keys].map((k) => [k, null])));
  added.pods.clear();
  added.ns.clear();
  await waitForAgents(0, false, 'the policy deletions');
  const v = await expectMatrix(lab!, () => new Reachability(true), false);
  if (!v.ok) throw new Error(`without policies not every pod reaches every other:\n${v.report}`);
}

test.before(async () => {
  if (!existsSync(binary)) throw new Error(`${binary} missing: run 'npm run build' before the tests`);
  await labDown(LAB).catch(() => {});
  const info = await labUp({ name: LAB, nodes: 2 });
  lab = { kubeconfig: info.kubeconfig, socketDir: `/run/netobs-netpol-${LAB}`, podIPs: new Map(), serviceIPs: new Map() };
  const r = spawnSync(binary, ['install', '--set', 'agent.mountBpffs=false', '--timeout', '3m'], { encoding: 'utf8', env: { ...process.env, KUBECONFIG: lab.kubeconfig }, timeout: 240_000 });
  if (r.status !== 0) throw new Error(`install failed: ${r.stderr}`);
  await createModel(lab);
  revisions = await agentRevisions(lab);
  basePolicies = revisions[0]?.policies ?? 0;
});

test.after.always(async () => {
  await labDown(LAB).catch(() => {});
  if (lab) for (const d of [lab.socketDir, `${lab.socketDir}-kcache`]) rmSync(d, { recursive: true, force: true });
  if (lab) console.log(`netpol conformance: ${CASES.length} cases, ${Math.round((Date.now() - started) / 1000)} s including the lab`);
});

serial('the model: 9 pods in x, y, z with their IPs and Services, labels as upstream', async (t) => {
  t.is(lab!.podIPs.size, PODS.length);
  t.is(lab!.serviceIPs.size, PODS.length);
  for (const ns of NAMESPACES) {
    const labels = JSON.parse(await kubectl(lab!, ['get', 'namespace', ns, '-o', 'jsonpath={.metadata.labels}'])) as Record<string, string>;
    t.like(labels, baseNsLabels(ns));
  }
});

serial('without policies every pod reaches every other, by pod IP and through its ClusterIP Service (TCP and UDP)', async (t) => {
  await reset();
  const v = await expectMatrix(lab!, () => new Reachability(true), true);
  t.true(v.ok, v.report);
});

for (const c of CASES) {
  serial(c.name, async (t) => {
    await reset();
    const steps = c.steps({ ip: (p) => lab!.podIPs.get(p)! });
    const applied = new Set<string>();
    for (const [i, s] of steps.entries()) {
      for (const o of s.apply ?? []) {
        const m = o.metadata as { name: string; namespace: string };
        applied.add(`${String(o.apiVersion)}/${m.namespace}/${m.name}`);
      }
      if (s.apply) await applyObjects(lab!, s.apply);
      if (s.podLabels) {
        const [ns, name] = s.podLabels.pod.split('/') as [string, string];
        await label('pod', name, ns, s.podLabels.labels);
        const keys = added.pods.get(s.podLabels.pod) ?? new Set();
        for (const k of Object.keys(s.podLabels.labels)) keys.add(k);
        added.pods.set(s.podLabels.pod, keys);
      }
      if (s.nsLabels) {
        await label('namespace', s.nsLabels.ns, undefined, s.nsLabels.labels);
        const keys = added.ns.get(s.nsLabels.ns) ?? new Set();
        for (const k of Object.keys(s.nsLabels.labels)) keys.add(k);
        added.ns.set(s.nsLabels.ns, keys);
      }
      // A policy change bumps every agent's policy revision; a label change is seen by probing.
      if (s.apply) await waitForAgents(applied.size, true, `step ${i + 1}'s policies`);
      const v = await expectMatrix(lab!, s.expect, c.viaService ?? false);
      if (!v.ok) t.fail(`step ${i + 1} of ${steps.length}: the matrix never matched (${v.attempts} probes of every pair)\n${v.report}`);
      else t.pass();
      if (!v.ok) return;
    }
  });
}
