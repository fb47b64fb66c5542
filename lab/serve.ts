// `lab serve`: the background process that is the lab. It owns the API server, the
// controllers, one kubelet per node, the DNS server, the service proxy and the world, and on
// SIGTERM takes everything down in reverse order.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Api } from './apiserver/api.ts';
import { labAuth } from './apiserver/auth.ts';
import { bootstrap, upsert } from './apiserver/bootstrap.ts';
import { renderKubeconfig } from './apiserver/kubeconfig.ts';
import { makePki } from './apiserver/pki.ts';
import { startApiServer } from './apiserver/server.ts';
import type { KObject } from './apiserver/types.ts';
import { startControllers } from './controllers/manager.ts';
import { startContainer, type RunningContainer } from './node/containers.ts';
import { startDns } from './node/dns-server.ts';
import { Kubelet } from './node/kubelet.ts';
import { createNode, createUnderlay, createWorld } from './node/network.ts';
import { guardLab } from './node/guard.ts';
import { heartbeat, registerNode } from './node/node-object.ts';
import { labPlan, type LabPlan } from './node/plan.ts';
import { podRuntime } from './node/runtime.ts';
import { startServiceProxy } from './node/service-proxy.ts';
import { teardownLab } from './node/teardown.ts';
import { SYSTEM_PATH } from './node/sh.ts';
import { starWarsObjects } from './demo/starwars.ts';
import { kubeconfigPath, labDir, netobsBinPath, readState, writeState, type LabState } from './state.ts';
import { selfCommand } from '../lib/self-exec.ts';
import { isSingleExecutable, repoRoot } from '../lib/assets.ts';

export interface ServeOptions {
  name: string;
  nodes: number;
  slot: number;
  demo: boolean;
  persist?: string;
}

export const WORLD_NAMES = (plan: LabPlan): Record<string, string[]> => ({
  'www.world.lab': [plan.worldIps[0]!],
  'api.world.lab': [plan.worldIps[1]!],
  'cdn.world.lab': [plan.worldIps[2]!],
});

async function busyboxDir(dir: string): Promise<string> {
  const out = path.join(dir, 'busybox');
  await mkdir(out, { recursive: true });
  const bb = ['/usr/bin/busybox', '/bin/busybox'].find((p) => existsSync(p));
  if (!bb) return out;
  const list = spawnSync(bb, ['--list'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  for (const a of list) if (!existsSync(path.join(out, a))) await symlink(bb, path.join(out, a)).catch(() => {});
  return out;
}

/**
 * The netobs image has `kubectl-netobs` on its PATH; in the lab a small script in its place
 * starts this CLI, so `kubectl exec … kubectl-netobs …` and preStop hooks work as in the image.
 */
async function netobsBinDir(name: string, self: (args: string[]) => string[]): Promise<string> {
  // Not under the lab's directory (/var/run/netobs/…): the agent mounts a hostPath over /var/run/netobs.
  const out = path.join(netobsBinPath(name), 'bin');
  await mkdir(out, { recursive: true });
  const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
  await writeFile(path.join(out, 'kubectl-netobs'), `#!/bin/sh\nexec ${self([]).map(quote).join(' ')} "$@"\n`, { mode: 0o755 });
  return out;
}

/**
 * How containers start this CLI. Its files (the executable, or a source checkout) may sit under a
 * path a pod mounts over (an emptyDir at /tmp hides a checkout in /tmp), so they are bind-mounted
 * at a path of the lab's own and started from there.
 */
async function stableSelf(name: string): Promise<(args: string[]) => string[]> {
  const base = selfCommand([]);
  const from = isSingleExecutable() ? process.execPath : repoRoot();
  const to = path.join(netobsBinPath(name), isSingleExecutable() ? 'kubectl-netobs.bin' : 'checkout');
  await mkdir(path.dirname(to), { recursive: true });
  if (isSingleExecutable()) await writeFile(to, '', { flag: 'a' });
  else await mkdir(to, { recursive: true });
  const r = spawnSync('mount', ['--bind', from, to]);
  if (r.status !== 0) return (args) => [base.file, ...selfCommand(args).args];
  const move = (p: string) => (p === from || p.startsWith(from + '/') ? to + p.slice(from.length) : p);
  return (args) => {
    const s = selfCommand(args);
    return [move(s.file), ...s.args.map(move)];
  };
}

/** Applies objects as a controller would (create or leave alone). */
export function createAll(api: Api, objects: KObject[]): void {
  for (const o of objects) {
    const [group, version] = o.apiVersion!.includes('/') ? o.apiVersion!.split('/') : ['', o.apiVersion!];
    const rt = api.registry.all().find((r) => r.group === group && r.version === version && r.kind === o.kind);
    if (!rt) throw new Error(`no resource for ${o.apiVersion} ${o.kind}`);
    if (!api.tryGet(rt, o.metadata.namespace, o.metadata.name ?? '')) api.create(rt, o.metadata.namespace, o, { manager: 'netobs-lab' });
  }
}

export async function serve(o: ServeOptions): Promise<void> {
  const dir = labDir(o.name);
  const plan = labPlan(o.name, o.slot, o.nodes);
  const logLine = (l: string) => process.stderr.write(`${new Date().toISOString()} ${l}\n`);
  let state: LabState = (await readState(o.name)) ?? { name: o.name, slot: o.slot, nodes: o.nodes, pid: process.pid, status: 'starting', kubeconfig: kubeconfigPath(o.name), createdAt: new Date().toISOString(), demo: o.demo };
  state = { ...state, pid: process.pid, status: 'starting', createdSecretsDir: !existsSync('/var/run/secrets') };
  await writeState(state);

  const cleanups: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const c of cleanups.reverse()) {
      try {
        await c();
      } catch (e) {
        logLine(`cleanup: ${(e as Error).message}`);
      }
    }
    await teardownLab(plan, dir);
    if (state.createdSecretsDir) await rm('/var/run/secrets', { recursive: true, force: true }).catch(() => {});
  };

  try {
    await teardownLab(plan, dir); // leftovers of a lab with the same name that died
    const pki = await makePki(path.join(dir, 'pki'), ['127.0.0.1', plan.hostIp, plan.kubernetesServiceIp]);
    const api = new Api({ serviceCidr: plan.serviceCidr, gracefulPodDeletion: true });
    if (o.persist && existsSync(o.persist)) {
      api.store.restore(JSON.parse(await readFile(o.persist, 'utf8')));
      api.reloadCrds();
    }
    if (o.persist) {
      let t: NodeJS.Timeout | undefined;
      api.store.onChange = () => {
        t ??= setTimeout(() => {
          t = undefined;
          void writeFile(o.persist!, JSON.stringify(api.store.snapshot()));
        }, 500);
      };
    }

    await createUnderlay(plan);
    await guardLab(plan);
    for (const n of plan.nodes) await createNode(plan, n);
    await createWorld(plan);

    const kubelets: Kubelet[] = [];
    const auth = labAuth(api, pki);
    // A real kubelet's projected token is bound to the pod and, with the API server's
    // --service-account-extend-token-expiration default, valid for a year (the lab never refreshes it).
    const serviceAccountToken = (p: { namespace: string; name: string; uid: string; serviceAccountName: string }): string =>
      auth.issueToken({ namespace: p.namespace, serviceAccount: p.serviceAccountName, pod: { name: p.name, uid: p.uid }, expirationSeconds: 365 * 24 * 3600 }).token;
    const server = await startApiServer({ api, auth, tls: { key: pki.serverKey, cert: pki.serverCert, ca: pki.caCert }, extraHosts: [plan.hostIp], runtime: podRuntime(api, () => kubelets), log: process.env['NETOBS_LAB_TRACE'] ? logLine : undefined });
    cleanups.push(() => server.close());
    bootstrap(api, { ip: plan.hostIp, port: server.port });
    for (const o of [
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'kube-dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/name': 'CoreDNS' } }, spec: { clusterIP: plan.dnsServiceIp, ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }] } },
      { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'kube-dns', namespace: 'kube-system' }, subsets: [{ addresses: [{ ip: plan.hostIp }], ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }] }] },
      { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'kube-dns-lab', namespace: 'kube-system', labels: { 'kubernetes.io/service-name': 'kube-dns' } }, addressType: 'IPv4', endpoints: [{ addresses: [plan.hostIp], conditions: { ready: true } }], ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }] },
    ] as KObject[]) {
      const group = o.apiVersion === 'v1' ? '' : o.apiVersion!.split('/')[0]!;
      const resource = o.kind === 'Service' ? 'services' : o.kind === 'Endpoints' ? 'endpoints' : 'endpointslices';
      // The DNS Service keeps its ClusterIP; its endpoints follow this run's host address.
      if (o.kind === 'Service' && api.tryGet(api.rt('', 'services'), 'kube-system', 'kube-dns')) continue;
      upsert(api, group, resource, 'kube-system', o);
    }
    const dns = await startDns(plan.hostIp, 53, () => ({
      services: api.store.list('/services'),
      slices: api.store.list('discovery.k8s.io/endpointslices'),
      pods: api.store.list('/pods'),
      extra: WORLD_NAMES(plan),
    }), logLine);
    cleanups.push(() => dns.close());

    const controllers = startControllers(api, { caCert: pki.caCert, log: logLine });
    cleanups.push(() => controllers.stop());
    const proxy = startServiceProxy(api, plan, logLine);
    cleanups.push(() => proxy.stop());

    const bb = await busyboxDir(dir);
    const self = await stableSelf(o.name);
    const images = { self, busyboxDir: bb, netobsBinDir: await netobsBinDir(o.name, self), hostPath: SYSTEM_PATH };
    // All nodes stop at once (each kubelet bounds its own shutdown), so lab down takes seconds.
    cleanups.push(() => Promise.all(kubelets.map((k) => k.stop())).then(() => {}));
    for (const n of plan.nodes) {
      registerNode(api, n, o.name);
      cleanups.push(heartbeat(api, n.name));
      const k = new Kubelet({ api, plan, node: n, stateDir: path.join(dir, n.name), images, caCert: pki.caCert, apiserverPort: server.port, serviceAccountToken, log: logLine });
      await k.start();
      kubelets.push(k);
    }

    // The world: an HTTP server on its addresses, outside the cluster.
    await mkdir(path.join(dir, 'world'), { recursive: true });
    const world: RunningContainer = startContainer({ netns: plan.worldNetns, hostname: 'world', argv: images.self(['lab', 'http-server', '--port', '80', '--world']), env: { PATH: images.hostPath }, mounts: [], logFile: path.join(dir, 'world', 'http.log') });
    cleanups.push(async () => {
      world.kill('SIGTERM');
      await Promise.race([world.exited, new Promise((r) => setTimeout(r, 3000).unref())]);
    });

    await writeFile(kubeconfigPath(o.name), renderKubeconfig(o.name, `https://127.0.0.1:${server.port}`, pki), { mode: 0o600 });
    if (o.demo) createAll(api, starWarsObjects());
    await proxy.flush();
    state = { ...state, status: 'ready', apiserver: `https://127.0.0.1:${server.port}` };
    await writeState(state);
    logLine(`lab ${o.name} ready: ${plan.nodes.length} nodes, API server ${state.apiserver}`);
  } catch (e) {
    logLine(`lab ${o.name} failed: ${(e as Error).stack}`);
    state = { ...state, status: 'failed', error: (e as Error).message };
    await writeState(state).catch(() => {});
    await stop();
    throw e;
  }

  await new Promise<void>((resolve) => {
    const on = () => resolve();
    process.once('SIGTERM', on);
    process.once('SIGINT', on);
  });
  logLine(`lab ${o.name} stopping`);
  state = { ...state, status: 'stopping' };
  await writeState(state).catch(() => {});
  await stop();
  logLine(`lab ${o.name} stopped (still open: ${process.getActiveResourcesInfo().join(', ') || 'nothing'})`);
}
