// The conformance model in a lab: namespaces x, y, z with pods a, b, c (each running
// netpol-pod.ts: servers on TCP/UDP 80 and 81 and a prober), one ClusterIP Service per pod, and
// the means to probe the whole matrix at once and to wait until the agents took a change in.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { NAMESPACES, PODS, POD_NAMES, PORT_PROTOS, Reachability, describeMismatch as describeMismatchOf, portProtoName, type Ns, type PodId, type PortProto } from './netpol-model.ts';

const run = promisify(execFile);
const POD_PROGRAM = path.resolve(import.meta.dirname, 'netpol-pod.ts');
/** How long one probe waits for an answer: a denied probe costs this much, run in parallel. */
export const PROBE_TIMEOUT_MS = 1200;

const NS_LABEL = 'kubernetes.io/metadata.name';
export const baseNsLabels = (ns: Ns): Record<string, string> => ({ ns, [NS_LABEL]: ns });

export interface ModelLab {
  readonly kubeconfig: string;
  /** Unix sockets of the pods' probers. */
  readonly socketDir: string;
  podIPs: Map<PodId, string>;
  serviceIPs: Map<PodId, string>;
}

export async function kubectl(lab: Pick<ModelLab, 'kubeconfig' | 'socketDir'>, args: string[], input?: string): Promise<string> {
  // A discovery cache of its own: kubectl's default one is shared with other labs on this host.
  const p = run('kubectl', ['--kubeconfig', lab.kubeconfig, '--cache-dir', `${lab.socketDir}-kcache`, ...args], { timeout: 120_000, maxBuffer: 64 << 20 });
  if (input !== undefined) {
    p.child.stdin!.end(input);
  }
  return (await p).stdout;
}

/**
 * A YAML stream, not a v1 List (kubectl validates a List against OpenAPI v2, which the lab leaves
 * empty), strings quoted: kubectl reads YAML 1.1, where namespace `y` unquoted is `true`.
 */
export const applyObjects = (lab: ModelLab, items: readonly object[]): Promise<string> =>
  kubectl(lab, ['apply', '-f', '-'], items.map((o) => stringify(o, { defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' })).join('---\n'));

/** Namespaces, pods (servers with named ports) and a Service per pod. */
export function modelObjects(socketDir: string): object[] {
  const out: object[] = [];
  for (const ns of NAMESPACES) out.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: baseNsLabels(ns) } });
  for (const ns of NAMESPACES) {
    for (const p of POD_NAMES) {
      out.push({
        apiVersion: 'v1', kind: 'Pod',
        metadata: { name: p, namespace: ns, labels: { pod: p } },
        spec: {
          terminationGracePeriodSeconds: 0,
          containers: [{
            name: 'cont',
            // The lab maps debian to host programs; this node runs the model's pod program.
            image: 'debian',
            command: [process.execPath, POD_PROGRAM, path.join(socketDir, `${ns}-${p}.sock`)],
            ports: [
              { name: 'serve-80-tcp', containerPort: 80, protocol: 'TCP' },
              { name: 'serve-81-tcp', containerPort: 81, protocol: 'TCP' },
              { name: 'serve-80-udp', containerPort: 80, protocol: 'UDP' },
              { name: 'serve-81-udp', containerPort: 81, protocol: 'UDP' },
            ],
          }],
        },
      });
      out.push({
        apiVersion: 'v1', kind: 'Service',
        metadata: { name: `s-${p}`, namespace: ns },
        spec: {
          selector: { pod: p },
          ports: [
            { name: 'tcp-80', port: 80, targetPort: 80, protocol: 'TCP' },
            { name: 'tcp-81', port: 81, targetPort: 81, protocol: 'TCP' },
            { name: 'udp-80', port: 80, targetPort: 80, protocol: 'UDP' },
            { name: 'udp-81', port: 81, targetPort: 81, protocol: 'UDP' },
          ],
        },
      });
    }
  }
  return out;
}

export async function createModel(lab: ModelLab): Promise<void> {
  rmSync(lab.socketDir, { recursive: true, force: true });
  rmSync(`${lab.socketDir}-kcache`, { recursive: true, force: true });
  mkdirSync(lab.socketDir, { recursive: true });
  await applyObjects(lab, modelObjects(lab.socketDir));
  for (const ns of NAMESPACES) await kubectl(lab, ['-n', ns, 'wait', '--for=condition=Ready', 'pod', '--all', '--timeout=120s']);
  for (const ns of NAMESPACES) {
    const pods = JSON.parse(await kubectl(lab, ['-n', ns, 'get', 'pods', '-o', 'json'])) as { items: { metadata: { name: string }; status: { podIP: string } }[] };
    for (const p of pods.items) lab.podIPs.set(`${ns}/${p.metadata.name}` as PodId, p.status.podIP);
    const svcs = JSON.parse(await kubectl(lab, ['-n', ns, 'get', 'services', '-o', 'json'])) as { items: { metadata: { name: string }; spec: { clusterIP: string } }[] };
    for (const s of svcs.items) lab.serviceIPs.set(`${ns}/${s.metadata.name.replace(/^s-/, '')}` as PodId, s.spec.clusterIP);
  }
  const deadline = Date.now() + 30_000;
  while (!PODS.every((id) => existsSync(socketOf(lab, id)))) {
    if (Date.now() > deadline) throw new Error(`pod probers not listening: ${PODS.filter((id) => !existsSync(socketOf(lab, id))).join(', ')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const socketOf = (lab: ModelLab, id: PodId): string => path.join(lab.socketDir, `${id.replace('/', '-')}.sock`);

function askProber(socket: string, req: object): Promise<boolean[]> {
  return new Promise((resolve, reject) => {
    const c = net.connect(socket);
    let buf = '';
    c.setTimeout(30_000, () => c.destroy(new Error(`prober ${socket} did not answer`)));
    c.on('error', reject);
    c.on('data', (d) => {
      buf += d.toString();
      if (!buf.includes('\n')) return;
      c.end();
      resolve(JSON.parse(buf) as boolean[]);
    });
    c.write(`${JSON.stringify(req)}\n`);
  });
}

/** The whole matrix on every port and protocol: every client probes its 36 targets at once. */
export async function probeAll(lab: ModelLab, viaService: boolean): Promise<Map<string, Reachability>> {
  const byPp = new Map(PORT_PROTOS.map((pp) => [portProtoName(pp), new Reachability(false)]));
  const targets = PODS.flatMap((to) => PORT_PROTOS.map((pp) => ({ to, pp, ip: (viaService ? lab.serviceIPs : lab.podIPs).get(to)! })));
  await Promise.all(PODS.map(async (from) => {
    const r = await askProber(socketOf(lab, from), { timeoutMs: PROBE_TIMEOUT_MS, targets: targets.map((t) => ({ ip: t.ip, port: t.pp.port, protocol: t.pp.protocol })) });
    targets.forEach((t, i) => byPp.get(portProtoName(t.pp))!.pair(from, t.to, r[i]!));
  }));
  return byPp;
}

interface AgentRevision {
  node: string;
  policyRevision: number;
  policies: number;
}

/** GET on an agent's status socket. */
function getStatus(socketPath: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const req = http.get({ socketPath, path: '/v1/status', timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body) as Record<string, unknown>) : reject(new Error(`${socketPath}: ${res.statusCode} ${body}`))));
    });
    req.on('timeout', () => req.destroy(new Error(`${socketPath}: no answer`)));
    req.on('error', reject);
  });
}

/**
 * Every agent's policy count and revision, from its status API (agent.sock in its run directory,
 * which the lab keeps per node under the lab's state directory). `kubectl netobs status` shows
 * neither, and the NetobsNode object is refreshed too seldom to wait on.
 */
export async function agentRevisions(lab: Pick<ModelLab, 'kubeconfig'>): Promise<AgentRevision[]> {
  const labDir = path.dirname(lab.kubeconfig);
  const sockets = readdirSync(labDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name.startsWith('node') && existsSync(path.join(labDir, d.name, 'var/run/netobs')))
    .flatMap((d) => (readdirSync(path.join(labDir, d.name, 'var/run/netobs'), { recursive: true }) as string[]).filter((f) => f.endsWith('agent.sock')).map((f) => path.join(labDir, d.name, 'var/run/netobs', f)));
  const out = await Promise.all(sockets.map(async (s) => {
    const st = await getStatus(s);
    return { node: String(st.node), policyRevision: Number(st.policyRevision), policies: Number(st.policies) };
  }));
  return out;
}

export type Expectation = (pp: PortProto) => Reachability;

export interface Verdict {
  ok: boolean;
  attempts: number;
  report: string;
}

/**
 * Probes until the observed matrices equal the expected ones on every port and protocol, or the
 * deadline passes (the agents apply a change within a second or two; a probe may also lose a
 * race with a busy CPU, upstream retries too); the report shows expected vs observed for each
 * port and protocol that differs.
 */
export async function expectMatrix(lab: ModelLab, expect: Expectation, viaService: boolean, ms = 20_000): Promise<Verdict> {
  const deadline = Date.now() + ms;
  let attempts = 0;
  for (;;) {
    attempts++;
    const observed = await probeAll(lab, viaService);
    const bad = PORT_PROTOS.filter((pp) => expect(pp).mismatches(observed.get(portProtoName(pp))!).length > 0);
    if (bad.length === 0) return { ok: true, attempts, report: '' };
    if (Date.now() > deadline) {
      const report = bad.map((pp) => `${portProtoName(pp)}${viaService ? ' (through Services)' : ''}: ${describeMismatchOf(expect(pp), observed.get(portProtoName(pp))!)}`).join('\n\n');
      return { ok: false, attempts, report };
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
