// Pod status from the kubelet's view of its containers (pure): phase, conditions, container
// statuses, in the shape `kubectl get pods` and controllers read.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = Record<string, any>;

export interface Terminated {
  exitCode: number;
  reason: string;
  startedAt: string;
  finishedAt: string;
  containerID?: string;
  signal?: number | undefined;
}

export interface ContainerState {
  waiting?: { reason: string; message?: string };
  running?: { startedAt: string };
  terminated?: Terminated;
  /** The previous run, shown as lastState. */
  lastTerminated?: Terminated;
}

export interface ContainerView {
  name: string;
  r: { spec: Any; state: ContainerState; restarts: number; ready: boolean; init: boolean; proc?: { pid: number } | undefined };
}

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

function stateOf(s: ContainerState): Any {
  if (s.running) return { running: s.running };
  if (s.terminated) return { terminated: s.terminated };
  return { waiting: s.waiting ?? { reason: 'ContainerCreating' } };
}

function containerStatus(v: ContainerView): Any {
  const r = v.r;
  return {
    name: v.name,
    state: stateOf(r.state),
    lastState: r.state.lastTerminated ? { terminated: r.state.lastTerminated } : {},
    ready: r.ready && !!r.state.running,
    restartCount: r.restarts,
    image: r.spec['image'],
    imageID: `netobs-lab://${r.spec['image']}`,
    ...(r.proc ? { containerID: `netobs-lab://${r.proc.pid}` } : {}),
    started: !!r.state.running,
  };
}

export function podPhase(policy: string, views: ContainerView[], initDone: boolean): string {
  const main = views.filter((v) => !v.r.init);
  if (!initDone) {
    const failed = views.some((v) => v.r.init && v.r.state.terminated && v.r.state.terminated.exitCode !== 0 && policy === 'Never');
    return failed ? 'Failed' : 'Pending';
  }
  if (main.some((v) => v.r.state.running)) return 'Running';
  const everStarted = main.every((v) => v.r.state.terminated || v.r.state.lastTerminated || v.r.restarts > 0);
  if (!everStarted) return 'Pending';
  const terminated = main.every((v) => v.r.state.terminated);
  if (terminated && policy !== 'Always') {
    if (main.every((v) => v.r.state.terminated!.exitCode === 0)) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
  }
  return 'Running';
}

export function buildPodStatus(pod: Any, k: { podIp: string; hostIp: string; startTime: string; initDone: boolean; containers: ContainerView[]; sandboxError?: { reason: string; message: string } }): Any {
  const policy = pod['spec']?.restartPolicy ?? 'Always';
  // Before the sandbox exists the kubelet has no container records: the spec's containers wait.
  if (k.containers.length === 0) k = { ...k, containers: containerViewsOf(pod) };
  const phase = podPhase(policy, k.containers, k.initDone);
  const main = k.containers.filter((v) => !v.r.init);
  const ready = main.length > 0 && main.every((v) => v.r.ready && v.r.state.running);
  const prev = ((pod['status']?.conditions ?? []) as Any[]);
  const cond = (type: string, ok: boolean, reason?: string) => {
    const p = prev.find((c) => c['type'] === type);
    const status = ok ? 'True' : 'False';
    return { type, status, lastProbeTime: null, lastTransitionTime: p && p['status'] === status ? p['lastTransitionTime'] : now(), ...(reason && !ok ? { reason } : {}) };
  };
  const notReady = main.filter((v) => !(v.r.ready && v.r.state.running)).map((v) => v.name);
  const done = phase === 'Succeeded' || phase === 'Failed';
  const conditions = [
    k.sandboxError ? { ...cond('PodReadyToStartContainers', false), reason: k.sandboxError.reason, message: k.sandboxError.message } : cond('PodReadyToStartContainers', !!k.podIp),
    cond('Initialized', k.initDone, 'ContainersNotInitialized'),
    { ...cond('Ready', ready, done ? 'PodCompleted' : 'ContainersNotReady'), ...(ready ? {} : { message: done ? undefined : `containers with unready status: [${notReady.join(' ')}]` }) },
    { ...cond('ContainersReady', ready, done ? 'PodCompleted' : 'ContainersNotReady'), ...(ready ? {} : { message: done ? undefined : `containers with unready status: [${notReady.join(' ')}]` }) },
    cond('PodScheduled', true),
  ];
  const inits = k.containers.filter((v) => v.r.init);
  return {
    phase,
    conditions: JSON.parse(JSON.stringify(conditions)),
    hostIP: k.hostIp,
    hostIPs: [{ ip: k.hostIp }],
    ...(k.podIp ? { podIP: k.podIp, podIPs: [{ ip: k.podIp }] } : {}),
    startTime: k.startTime,
    ...(inits.length ? { initContainerStatuses: inits.map(containerStatus) } : {}),
    containerStatuses: main.map(containerStatus),
    qosClass: 'BestEffort',
  };
}

function containerViewsOf(pod: Any): ContainerView[] {
  const spec = (pod['spec'] ?? {}) as Any;
  const view = (c: Any, init: boolean): ContainerView => ({ name: c['name'], r: { spec: c, state: { waiting: { reason: init ? 'PodInitializing' : 'ContainerCreating' } }, restarts: 0, ready: false, init } });
  return [...((spec['initContainers'] ?? []) as Any[]).map((c) => view(c, true)), ...((spec['containers'] ?? []) as Any[]).map((c) => view(c, false))];
}
