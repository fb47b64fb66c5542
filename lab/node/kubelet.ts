// The lab kubelet of one node: runs the pods bound to it (network, volumes, container processes),
// restarts containers per restartPolicy with back-off, reports pod status, and finishes graceful
// deletions. Each pod has one worker whose syncs are serialized.
import { mkdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { existsSync, renameSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { sh, systemBin } from './sh.ts';
import path from 'node:path';
import type { Api } from '../apiserver/api.ts';
import type { KObject } from '../apiserver/types.ts';
import { startContainer, type RunningContainer } from './containers.ts';
import { containerCommand, launchFor, type ContainerSpec, type ImageContext } from './images.ts';
import { removeEtcNetns, writeEtcNetns } from './network.ts';
import { podNetnsName, type LabPlan, type NodePlan } from './plan.ts';
import { createPodNetwork, deletePodNetwork, type PodNet, type PodNetRequest } from './pod-network.ts';
import { nodeCniDirs, prepareNodeCni } from './cni.ts';
import { containerEnv, etcHosts, resolvConf, serviceEnv, type EnvSources, type PodFacts } from './pod-spec.ts';
import { probeOnce } from './probes.ts';
import { containerMounts, prepareVolumes, removePodDir } from './volumes.ts';
import { buildPodStatus, type ContainerState } from './pod-status.ts';
import { prepareBpfRoot, type BpfRoot } from './bpf-root.ts';
import { mkdirPath, withTimeout } from '../../lib/fs-paths.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = Record<string, any>;

export interface KubeletOptions {
  api: Api;
  plan: LabPlan;
  node: NodePlan;
  stateDir: string;
  images: ImageContext;
  caCert: string;
  apiserverPort: number;
  /** Mints the pod's service-account token (the kubelet's TokenRequest); throws when the SA does not exist. */
  serviceAccountToken: (pod: { namespace: string; name: string; uid: string; serviceAccountName: string }) => string;
  log: (line: string) => void;
}

export interface ContainerRecord {
  spec: Any;
  state: ContainerState;
  proc?: RunningContainer;
  env: Record<string, string>;
  path: string;
  logFile: string;
  restarts: number;
  backoffUntil: number;
  backoffMs: number;
  ready: boolean;
  lastProbe: number;
  init: boolean;
  /** What launchFor made of the image (netobs, busybox…). */
  kind?: string;
  lastLiveness?: number;
  livenessFailures?: number;
}

interface PodWorker {
  uid: string;
  namespace: string;
  name: string;
  netns: string;
  net?: PodNet;
  podIp: string;
  dir: string;
  containers: Map<string, ContainerRecord>;
  initDone: boolean;
  startTime: string;
  chain: Promise<void>;
  gone: boolean;
  terminating: boolean;
  /** Network, volumes and container records are in place. */
  sandboxReady: boolean;
  /** The last failed sandbox step, shown as the PodReadyToStartContainers condition. */
  sandboxError?: { reason: string; message: string } | undefined;
  sandboxRetryAt: number;
  sandboxBackoffMs: number;
}

/** Pod annotation: the address host-local should give the pod (tests of address reuse). */
export const LAB_POD_IP_ANNOTATION = 'lab.netobs.io/pod-ip';

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const BACKOFF_START = 2000;
const BACKOFF_MAX = 40000;
// Sandbox set-up retries: the first after 2 s, doubling up to a minute, like the kubelet's pod workers.
const SANDBOX_BACKOFF_START = 2000;
const SANDBOX_BACKOFF_MAX = 60000;
/** Each sandbox step's time limit: a step that has not finished by then failed (and is retried). */
const STEP_TIMEOUT_MS = { directory: 10_000, network: 30_000, volumes: 15_000 } as const;
/** At lab shutdown containers get this long after SIGTERM, whatever their grace period. */
const SHUTDOWN_GRACE_SEC = 2;

export class Kubelet {
  private workers = new Map<string, PodWorker>();
  private unsubscribe: (() => void) | undefined;
  private tick: NodeJS.Timeout | undefined;
  private stopped = false;
  private hostResolv = 'nameserver 127.0.0.1\n';

  constructor(readonly o: KubeletOptions) {}

  get nodeName(): string {
    return this.o.node.name;
  }

  async start(): Promise<void> {
    this.hostResolv = await readFile('/etc/resolv.conf', 'utf8').catch(() => this.hostResolv);
    await mkdir(path.join(this.o.stateDir, 'pods'), { recursive: true });
    await prepareNodeCni(this.o.node, nodeCniDirs(this.o.stateDir));
    this.unsubscribe = this.o.api.store.subscribe((e) => {
      if (e.gr !== '/pods') return;
      const spec = e.object['spec'] as Any | undefined;
      if (spec?.['nodeName'] === this.nodeName) this.kick(e.object.metadata.uid ?? '');
    });
    this.tick = setInterval(() => this.resyncAll(), 1000);
    this.resyncAll();
  }

  private resyncAll(): void {
    if (this.stopped) return;
    const pods = this.o.api.list(this.o.api.rt('', 'pods'), undefined, { fieldSelector: `spec.nodeName=${this.nodeName}` }).items;
    const seen = new Set<string>();
    for (const p of pods) {
      seen.add(p.metadata.uid ?? '');
      this.kick(p.metadata.uid ?? '');
    }
    for (const uid of this.workers.keys()) if (!seen.has(uid)) this.kick(uid);
  }

  private findPod(uid: string): KObject | undefined {
    return this.o.api.list(this.o.api.rt('', 'pods'), undefined, { fieldSelector: `metadata.uid=${uid}` }).items[0];
  }

  private kick(uid: string): void {
    if (!uid || this.stopped) return;
    let w = this.workers.get(uid);
    if (!w) {
      const pod = this.findPod(uid);
      if (!pod || pod.metadata.deletionTimestamp && !(pod['status'] as Any)?.['podIP']) {
        if (pod) void this.finalDelete(pod);
        return;
      }
      w = this.newWorker(pod);
      this.workers.set(uid, w);
    }
    const worker = w;
    // Coalesce: one pending sync per pod is enough.
    if ((worker as unknown as { queued?: boolean }).queued) return;
    (worker as unknown as { queued?: boolean }).queued = true;
    worker.chain = worker.chain.then(async () => {
      (worker as unknown as { queued?: boolean }).queued = false;
      try {
        await this.sync(worker);
      } catch (e) {
        this.o.log(`kubelet ${this.nodeName}: pod ${worker.namespace}/${worker.name}: ${(e as Error).stack ?? String(e)}`);
      }
    });
  }

  private newWorker(pod: KObject): PodWorker {
    const uid = pod.metadata.uid ?? '';
    const hostNet = !!(pod['spec'] as Any)['hostNetwork'];
    return {
      uid,
      namespace: pod.metadata.namespace ?? 'default',
      name: pod.metadata.name ?? '',
      netns: hostNet ? this.o.node.netns : podNetnsName(this.o.plan, uid),
      podIp: hostNet ? this.o.node.underlayIp : '',
      dir: path.join(this.o.stateDir, 'pods', uid),
      containers: new Map(),
      initDone: false,
      startTime: now(),
      chain: Promise.resolve(),
      gone: false,
      terminating: false,
      sandboxReady: false,
      sandboxRetryAt: 0,
      sandboxBackoffMs: SANDBOX_BACKOFF_START,
    };
  }

  private async sync(w: PodWorker): Promise<void> {
    if (w.gone) return;
    const pod = this.findPod(w.uid);
    if (!pod || pod.metadata.deletionTimestamp) {
      await this.teardown(w, pod);
      return;
    }
    if (!w.sandboxReady) {
      if (Date.now() < w.sandboxRetryAt) return;
      try {
        await this.setupSandbox(w, pod);
        w.sandboxReady = true;
        w.sandboxError = undefined;
        w.sandboxBackoffMs = SANDBOX_BACKOFF_START;
      } catch (e) {
        this.sandboxFailed(w, pod, e as Error);
        return;
      }
    }
    await this.runContainers(w, pod);
    await this.probe(w);
    this.writeStatus(w, pod);
  }

  private facts(w: PodWorker, pod: KObject): PodFacts {
    const spec = pod['spec'] as Any;
    return {
      namespace: w.namespace,
      name: w.name,
      uid: w.uid,
      nodeName: this.nodeName,
      podIp: w.podIp,
      hostIp: this.o.node.underlayIp,
      serviceAccount: spec['serviceAccountName'] ?? 'default',
      labels: pod.metadata.labels ?? {},
      annotations: pod.metadata.annotations ?? {},
    };
  }

  private sources(): EnvSources {
    const api = this.o.api;
    return {
      configMap: (ns, name) => api.tryGet(api.rt('', 'configmaps'), ns, name)?.['data'] as Record<string, string> | undefined,
      secret: (ns, name) => {
        const s = api.tryGet(api.rt('', 'secrets'), ns, name);
        if (!s) return undefined;
        return Object.fromEntries(Object.entries((s['data'] ?? {}) as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
      },
    };
  }

  /**
   * A failed or timed-out sandbox step: an Event and a condition on the pod, a line in the lab log,
   * and the next attempt after an exponential back-off (the worker's 1 s resync only checks the time).
   */
  private sandboxFailed(w: PodWorker, pod: KObject, e: Error): void {
    const delay = w.sandboxBackoffMs;
    w.sandboxRetryAt = Date.now() + delay;
    w.sandboxBackoffMs = Math.min(delay * 2, SANDBOX_BACKOFF_MAX);
    const reason = e instanceof SandboxStepError ? e.reason : 'FailedCreatePodSandBox';
    const message = `${e.message} (retrying in ${Math.round(delay / 1000)}s)`;
    w.sandboxError = { reason, message };
    this.o.log(`kubelet ${this.nodeName}: pod ${w.namespace}/${w.name}: ${reason}: ${message}`);
    this.event(pod, 'Warning', reason, message);
    this.writeStatus(w, pod);
  }

  /** One bounded step of the sandbox set-up; its failure names the step. */
  private async step<T>(reason: string, what: string, ms: number, work: () => Promise<T>): Promise<T> {
    try {
      return await withTimeout(what, ms, work);
    } catch (e) {
      const msg = (e as Error).message;
      throw new SandboxStepError(reason, msg.startsWith(what) ? msg : `${what}: ${msg}`);
    }
  }

  private async setupSandbox(w: PodWorker, pod: KObject): Promise<void> {
    const spec = pod['spec'] as Any;
    await this.step('FailedCreatePodSandBox', 'create pod directory', STEP_TIMEOUT_MS.directory, () => mkdirPath(path.join(w.dir, 'logs')));
    if (!spec['hostNetwork'] && !w.net) {
      await this.step('FailedCreatePodSandBox', 'create pod network', STEP_TIMEOUT_MS.network, async () => {
        w.net = await createPodNetwork(await this.podNetRequest(w, pod));
        w.podIp = w.net.ip;
        await this.publishNetns(w.netns);
        await writeEtcNetns(w.netns, {
          'resolv.conf': resolvConf(w.namespace, this.o.plan.dnsServiceIp, spec['dnsPolicy'] ?? 'ClusterFirst', this.hostResolv),
          hosts: etcHosts({ name: w.name, podIp: w.podIp, namespace: w.namespace }, spec['hostAliases'], spec['hostname'], spec['subdomain']),
        });
      });
    }
    const volumes = await this.step('FailedMount', 'mount volumes', STEP_TIMEOUT_MS.volumes, () =>
      prepareVolumes(pod, w.dir, this.facts(w, pod), { ...this.sources(), caCert: this.o.caCert, token: this.o.serviceAccountToken({ namespace: w.namespace, name: w.name, uid: w.uid, serviceAccountName: spec['serviceAccountName'] ?? 'default' }), mapHostPath: (p) => this.hostPathFor(p) }),
    );
    const services = this.o.api.list(this.o.api.rt('', 'services'), w.namespace).items;
    const base: Record<string, string> = {
      HOSTNAME: spec['hostNetwork'] ? this.nodeName : w.name,
      KUBERNETES_SERVICE_HOST: this.o.plan.kubernetesServiceIp,
      KUBERNETES_SERVICE_PORT: '443',
      KUBERNETES_SERVICE_PORT_HTTPS: '443',
      KUBERNETES_PORT: `tcp://${this.o.plan.kubernetesServiceIp}:443`,
      ...(spec['enableServiceLinks'] === false ? {} : serviceEnv(services.filter((s) => s.metadata.name !== 'kubernetes'))),
      HOME: '/root',
      TERM: 'xterm',
    };
    const all = [...((spec['initContainers'] ?? []) as Any[]).map((c) => ({ c, init: true })), ...((spec['containers'] ?? []) as Any[]).map((c) => ({ c, init: false }))];
    for (const { c, init } of all) {
      const launch = launchFor(c as ContainerSpec, this.o.images);
      let env: Record<string, string> = {};
      let state: ContainerState = { waiting: { reason: 'ContainerCreating' } };
      try {
        env = containerEnv(c, this.facts(w, pod), this.sources(), { PATH: launch.ok ? launch.path : this.o.images.hostPath, ...base });
      } catch (e) {
        state = { waiting: { reason: 'CreateContainerConfigError', message: (e as Error).message } };
      }
      if (!launch.ok) state = { waiting: { reason: launch.reason, message: launch.message } };
      w.containers.set(c['name'], {
        spec: { ...c, __volumes: volumes },
        state,
        env,
        path: launch.ok ? launch.path : '',
        ...(launch.ok ? { kind: launch.kind } : {}),
        logFile: path.join(w.dir, 'logs', `${c['name']}.log`),
        restarts: 0,
        backoffUntil: 0,
        backoffMs: BACKOFF_START,
        ready: false,
        lastProbe: 0,
        init,
      });
      if (!launch.ok) this.event(pod, 'Warning', 'Failed', launch.message);
    }
  }

  private event(pod: KObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    void import('../controllers/util.ts').then((u) => u.recordEvent(this.o.api, pod, type, reason, message, 'kubelet'));
  }

  private launch(w: PodWorker, pod: KObject, rec: ContainerRecord): void {
    const c = rec.spec;
    const launch = launchFor(c as ContainerSpec, this.o.images);
    if (!launch.ok) {
      // Image "pulls" fail the same way every time: back off like the real kubelet.
      rec.state = { waiting: { reason: rec.restarts > 0 || rec.state.waiting?.reason === 'ErrImagePull' ? 'ImagePullBackOff' : 'ErrImagePull', message: launch.message } };
      rec.restarts = 0;
      return;
    }
    if (rec.state.waiting?.reason === 'CreateContainerConfigError') return;
    const spec = pod['spec'] as Any;
    // The previous run's log stays readable as `kubectl logs --previous`.
    if (rec.restarts > 0 && existsSync(rec.logFile)) renameSync(rec.logFile, rec.logFile.replace(/\.log$/, '.previous.log'));
    const proc = startContainer({
      netns: w.netns,
      hostname: spec['hostNetwork'] ? this.nodeName : (spec['hostname'] ?? w.name),
      argv: launch.argv,
      env: rec.env,
      cwd: c['workingDir'],
      mounts: containerMounts(c, c['__volumes'] as Map<string, string>),
      logFile: rec.logFile,
    });
    rec.proc = proc;
    rec.state = { running: { startedAt: now() } };
    rec.ready = !c['readinessProbe'];
    rec.lastProbe = 0;
    if (rec.restarts === 0) this.event(pod, 'Normal', 'Started', `Started container ${c['name']}`);
    void proc.exited.then(({ code, signal }) => {
      if (rec.proc !== proc) return;
      rec.proc = undefined;
      const exitCode = code ?? (signal ? 128 + (signalNumber(signal) ?? 9) : 1);
      rec.state = { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt: rec.state.running?.startedAt ?? now(), finishedAt: now(), containerID: `netobs-lab://${proc.pid}`, ...(signal ? { signal: signalNumber(signal) } : {}) } };
      rec.ready = false;
      this.kick(w.uid);
    });
  }

  private async runContainers(w: PodWorker, pod: KObject): Promise<void> {
    if (w.terminating) return;
    const spec = pod['spec'] as Any;
    const policy = (spec['restartPolicy'] ?? 'Always') as string;
    const t = Date.now();
    const inits = [...w.containers.values()].filter((r) => r.init);
    if (!w.initDone) {
      for (const r of inits) {
        if (r.state.terminated?.exitCode === 0) continue;
        if (r.proc) return; // still running
        if (r.state.terminated && policy === 'Never') return; // failed for good
        if (r.state.terminated) {
          if (t < r.backoffUntil) return;
          r.restarts++;
        }
        this.launch(w, pod, r);
        return;
      }
      w.initDone = true;
    }
    for (const r of w.containers.values()) {
      if (r.init || r.proc) continue;
      const term = r.state.terminated;
      if (term) {
        const restart = policy === 'Always' || (policy === 'OnFailure' && term.exitCode !== 0);
        if (!restart) continue;
        if (r.backoffUntil === 0) {
          r.backoffUntil = t + r.backoffMs;
          r.backoffMs = Math.min(r.backoffMs * 2, BACKOFF_MAX);
          r.state = { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${Math.round((r.backoffUntil - t) / 1000)}s restarting failed container=${r.spec['name']} pod=${w.name}_${w.namespace}(${w.uid})` }, lastTerminated: term };
          continue;
        }
      }
      if (r.state.waiting?.reason === 'CrashLoopBackOff') {
        if (t < r.backoffUntil) continue;
        r.backoffUntil = 0;
        r.restarts++;
        const last = r.state.lastTerminated;
        this.launch(w, pod, r);
        if (last) r.state.lastTerminated = last;
        continue;
      }
      if (r.state.waiting?.reason === 'ErrImagePull' || r.state.waiting?.reason === 'ImagePullBackOff') {
        if (t < r.backoffUntil) continue;
        r.backoffUntil = t + r.backoffMs;
        r.backoffMs = Math.min(r.backoffMs * 2, BACKOFF_MAX);
        r.state = { waiting: { reason: r.state.waiting.reason === 'ErrImagePull' && r.restarts > 0 ? 'ImagePullBackOff' : r.restarts > 0 ? 'ImagePullBackOff' : 'ErrImagePull', message: r.state.waiting.message ?? '' } };
        r.restarts = 1;
        continue;
      }
      if (r.state.waiting?.reason === 'ContainerCreating') this.launch(w, pod, r);
    }
  }

  private async probe(w: PodWorker): Promise<void> {
    const t = Date.now();
    await Promise.all(
      [...w.containers.values()].map(async (r) => {
        const p = r.spec['livenessProbe'] as Any | undefined;
        if (!p || !r.proc || !r.state.running) return;
        if (t - Date.parse(r.state.running.startedAt) < (p['initialDelaySeconds'] ?? 0) * 1000) return;
        if (r.lastLiveness && t - r.lastLiveness < (p['periodSeconds'] ?? 10) * 1000) return;
        r.lastLiveness = t;
        const proc = r.proc;
        const ok = await probeOnce(p, w.podIp, { pid: proc.pid, env: r.env, ports: r.spec['ports'] as Any[] | undefined, nodeNetns: this.o.node.netns });
        r.livenessFailures = ok ? 0 : (r.livenessFailures ?? 0) + 1;
        if (r.livenessFailures >= (p['failureThreshold'] ?? 3) && r.proc === proc) {
          // Like the kubelet: the container is killed and restarted per the pod's restartPolicy.
          r.livenessFailures = 0;
          const pod = this.findPod(w.uid);
          if (pod) this.event(pod, 'Warning', 'Unhealthy', `Liveness probe failed; container ${r.spec['name']} will be restarted`);
          proc.kill('SIGKILL');
        }
      }),
    );
    await Promise.all(
      [...w.containers.values()].map(async (r) => {
        const p = r.spec['readinessProbe'] as Any | undefined;
        if (!p || !r.proc || !r.state.running) return;
        const started = Date.parse(r.state.running.startedAt);
        if (t - started < (p['initialDelaySeconds'] ?? 0) * 1000) return;
        if (t - r.lastProbe < (p['periodSeconds'] ?? 10) * 1000 && r.lastProbe !== 0) return;
        r.lastProbe = t;
        const ok = await probeOnce(p, w.podIp, { pid: r.proc.pid, env: r.env, ports: r.spec['ports'] as Any[] | undefined, nodeNetns: this.o.node.netns });
        if (ok !== r.ready) {
          r.ready = ok;
          this.kick(w.uid);
        }
      }),
    );
  }

  private writeStatus(w: PodWorker, pod: KObject): void {
    const next = buildPodStatus(pod, { podIp: w.podIp, hostIp: this.o.node.underlayIp, startTime: w.startTime, initDone: w.initDone, containers: [...w.containers.entries()].map(([name, r]) => ({ name, r })), ...(w.sandboxError ? { sandboxError: w.sandboxError } : {}) });
    const cur = (pod['status'] ?? {}) as Any;
    if (JSON.stringify(stripTimes(cur)) === JSON.stringify(stripTimes(next))) return;
    try {
      this.o.api.update(this.o.api.rt('', 'pods'), w.namespace, w.name, { ...pod, status: next }, { subresource: 'status', manager: 'kubelet' });
    } catch (e) {
      if ((e as { code?: number }).code !== 404 && (e as { code?: number }).code !== 409) throw e;
      this.kick(w.uid);
    }
  }

  private async teardown(w: PodWorker, pod: KObject | undefined, maxGraceSec = 30): Promise<void> {
    w.terminating = true;
    const graceSec = Math.min(Number(pod?.metadata.deletionGracePeriodSeconds ?? (pod?.['spec'] as Any | undefined)?.['terminationGracePeriodSeconds'] ?? 30), maxGraceSec);
    const procs = [...w.containers.values()].map((r) => r.proc).filter((p): p is RunningContainer => !!p);
    await Promise.all([...w.containers.values()].map((r) => this.preStop(r, graceSec)));
    for (const p of procs) p.kill('SIGTERM');
    const deadline = new Promise<void>((r) => setTimeout(r, graceSec * 1000).unref());
    await Promise.race([Promise.all(procs.map((p) => p.exited)), deadline]);
    for (const p of procs) p.kill('SIGKILL');
    await Promise.race([Promise.all(procs.map((p) => p.exited)), new Promise((r) => setTimeout(r, 2000).unref())]);
    if (w.net) {
      const net = w.net;
      await withTimeout('remove pod network', STEP_TIMEOUT_MS.network, async () => {
        await this.unpublishNetns(w.netns);
        await deletePodNetwork(await this.podNetRequest(w, pod), net);
        await removeEtcNetns(w.netns);
      }).catch((e: unknown) => this.o.log(`kubelet ${this.nodeName}: pod ${w.namespace}/${w.name}: ${(e as Error).message}`));
    }
    await removePodDir(w.dir);
    w.gone = true;
    this.workers.delete(w.uid);
    if (pod) await this.finalDelete(pod);
  }

  /**
   * Lab nodes share the host's filesystem, so node-local host paths get a directory per node:
   * /sys/fs/bpf → the node's bpf root (lab/node/bpf-root.ts), /var/run/netobs → <node dir>/var/run/netobs,
   * /var/run/netns → <node dir>/netns (holding only this node's pod netns), /opt/cni/bin and
   * /etc/cni/net.d → the node's CNI dirs (lab/node/cni.ts). Agents of two nodes
   * never share pins or sockets.
   */
  async hostPathFor(p: string): Promise<string> {
    const nodeDir = this.o.stateDir;
    const under = (prefix: string, target: string) => (p === prefix || p.startsWith(prefix + '/') ? target + p.slice(prefix.length) : undefined);
    // `ip netns exec` mounts a fresh /sys in the container's mount namespace, hiding the host's
    // bpffs and cgroup mounts: /sys paths are bind-mounted (in the host) under the node's
    // directory first, and the container binds them from there.
    if (under('/sys/fs/bpf', '') !== undefined) {
      const root = await this.bpfRoot();
      const m = root.dir + p.slice('/sys/fs/bpf'.length);
      await mkdirPath(m);
      return m;
    }
    if (p === '/sys' || p.startsWith('/sys/')) {
      const alias = path.join(nodeDir, 'hostsys', p.replace(/\//g, '_'));
      await mkdirPath(alias);
      if (!(await isMountPoint(alias))) await sh('mount', ['--rbind', p, alias], { allowFail: true });
      return alias;
    }
    const cni = nodeCniDirs(nodeDir);
    for (const [prefix, target] of [['/opt/cni/bin', cni.bin], ['/etc/cni/net.d', cni.conf]] as const) {
      const m = under(prefix, target);
      if (m) return m;
    }
    for (const [prefix, target] of [['/var/run/netobs', 'var/run/netobs'], ['/run/netobs', 'var/run/netobs'], ['/var/run/netns', 'netns'], ['/run/netns', 'netns']] as const) {
      const m = under(prefix, path.join(nodeDir, target));
      if (m) {
        await mkdirPath(m);
        return m;
      }
    }
    return p;
  }

  private bpfRootP: Promise<BpfRoot> | undefined;
  /** The node's /sys/fs/bpf, prepared once (a failed attempt is retried by the next pod that needs it). */
  private bpfRoot(): Promise<BpfRoot> {
    this.bpfRootP ??= prepareBpfRoot(this.o.plan.name, this.nodeName, this.o.stateDir, this.o.log, isMountPoint).then(
      (r) => {
        if (!r.bpffs) this.o.log(`kubelet ${this.nodeName}: /sys/fs/bpf of this node is a plain directory, not a bpffs (${r.note ?? 'unknown cause'}): agents mount their own, and their pins do not outlive them`);
        return r;
      },
      (e: unknown) => {
        this.bpfRootP = undefined;
        throw e;
      },
    );
    return this.bpfRootP;
  }

  /** This node's view of /var/run/netns: a bind mount of each of its pods' netns. */
  /** What the node's CNI chain is run with for a pod (CNI_ARGS as a kubelet passes them). */
  private async podNetRequest(w: PodWorker, pod: KObject | undefined): Promise<PodNetRequest> {
    const dirs = nodeCniDirs(this.o.stateDir);
    await prepareNodeCni(this.o.node, dirs);
    const root = await this.bpfRoot();
    // A lab-only annotation asks host-local for one address (CNI_ARGS IP=), as Calico's ipAddrs does.
    const want = pod?.metadata.annotations?.[LAB_POD_IP_ANNOTATION];
    return {
      node: this.o.node, dirs, bpfDir: root.bpffs ? root.dir : undefined, netns: w.netns, containerId: w.uid,
      args: { K8S_POD_NAMESPACE: w.namespace, K8S_POD_NAME: w.name, K8S_POD_INFRA_CONTAINER_ID: w.uid, K8S_POD_UID: w.uid, ...(want ? { IP: want } : {}) },
    };
  }

  private async publishNetns(netns: string): Promise<void> {
    const dir = path.join(this.o.stateDir, 'netns');
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, netns);
    await writeFile(file, '');
    await sh('mount', ['--bind', `/var/run/netns/${netns}`, file], { allowFail: true });
  }

  private async unpublishNetns(netns: string): Promise<void> {
    const file = path.join(this.o.stateDir, 'netns', netns);
    await sh('umount', ['-l', file], { allowFail: true });
    await rm(file, { force: true });
  }

  /** lifecycle.preStop exec hooks run in the container's namespaces before SIGTERM, within the grace period. */
  private preStop(r: ContainerRecord, graceSec: number): Promise<void> {
    const cmd = r.spec['lifecycle']?.preStop?.exec?.command as string[] | undefined;
    if (!cmd?.length || !r.proc) return Promise.resolve();
    return new Promise((resolve) => {
      const c = spawn(systemBin('nsenter'), ['-t', String(r.proc!.pid), '-n', '-u', '-m', '--', ...containerCommand(cmd, r.kind, this.o.images)], { env: r.env, stdio: 'ignore' });
      const timer = setTimeout(() => c.kill('SIGKILL'), graceSec * 1000).unref();
      c.on('close', () => {
        clearTimeout(timer);
        resolve();
      });
      c.on('error', () => resolve());
    });
  }

  private async finalDelete(pod: KObject): Promise<void> {
    try {
      this.o.api.delete(this.o.api.rt('', 'pods'), pod.metadata.namespace, pod.metadata.name ?? '', { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid ?? '' } });
    } catch {
      // gone already, or replaced by a pod with the same name
    }
  }

  /** What exec, logs and port-forward need to find a pod's container. */
  container(namespace: string, name: string, container?: string): { worker: PodWorker; rec: ContainerRecord; cname: string } | undefined {
    for (const w of this.workers.values()) {
      if (w.namespace !== namespace || w.name !== name) continue;
      const cname = container ?? [...w.containers.entries()].find(([, r]) => !r.init)?.[0];
      const rec = cname ? w.containers.get(cname) : undefined;
      if (cname && rec) return { worker: w, rec, cname };
    }
    return undefined;
  }

  /** Stops every container and removes every pod network (lab shutdown). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.tick) clearInterval(this.tick);
    // A worker stuck in a step is not waited for beyond its bound: shutdown goes on after a few seconds.
    const settled = (w: PodWorker) => Promise.race([w.chain, new Promise<void>((r) => setTimeout(r, 3000).unref())]);
    await Promise.all([...this.workers.values()].map((w) => settled(w).then(() => this.teardown(w, undefined, SHUTDOWN_GRACE_SEC)).catch(() => {})));
  }
}

/** A sandbox step that failed, with the event reason the kubelet gives it (FailedCreatePodSandBox, FailedMount). */
class SandboxStepError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

async function isMountPoint(p: string): Promise<boolean> {
  const real = await realpath(p).catch(() => p);
  const info = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  return info.split('\n').some((l) => l.split(' ')[4] === real);
}

function stripTimes(s: Any): string {
  return JSON.stringify(s, (k, v) => (k === 'lastProbeTime' || k === 'lastTransitionTime' ? undefined : v));
}

function signalNumber(s: NodeJS.Signals): number | undefined {
  return ({ SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15, SIGSEGV: 11, SIGABRT: 6 } as Record<string, number>)[s];
}
