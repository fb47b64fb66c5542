import test from 'ava';
import { AGENT_CAPABILITIES } from '../../../install/render/agent.ts';
import { at, find, render } from './fixtures.ts';

interface Container {
  name: string;
  args?: string[];
  command?: string[];
  ports: { name: string; containerPort: number; hostPort?: number }[];
  securityContext: { privileged?: boolean; capabilities?: { add: string[]; drop: string[] } };
  readinessProbe: { httpGet: { port: number; path: string } };
  livenessProbe: { httpGet: { port: number; path: string } };
  lifecycle: { preStop: { exec: { command: string[] } } };
  volumeMounts: { name: string; mountPath: string; mountPropagation?: string }[];
  resources: { requests: Record<string, string> };
}
interface PodSpec {
  hostNetwork: boolean;
  hostPID: boolean;
  tolerations: unknown[];
  containers: Container[];
  initContainers?: Container[];
  volumes: { name: string; hostPath?: { path: string } }[];
  terminationGracePeriodSeconds: number;
}

const objects = render();
const ds = find(objects, 'DaemonSet', 'netobs-agent');
const pod = at(ds, 'spec', 'template', 'spec') as PodSpec;
const agent = pod.containers[0]!;

test('runs the agent role of the one image on the host network, without hostPID', (t) => {
  t.deepEqual(agent.args, ['agent', '--config-dir=/etc/netobs/config']);
  t.true(pod.hostNetwork);
  t.false(pod.hostPID);
});

test('capabilities instead of privileged', (t) => {
  t.false(agent.securityContext.privileged);
  t.deepEqual(agent.securityContext.capabilities, { add: ['NET_ADMIN', 'SYS_ADMIN', 'BPF', 'PERFMON', 'SYS_RESOURCE'], drop: ['ALL'] });
  t.deepEqual(AGENT_CAPABILITIES, agent.securityContext.capabilities?.add);
  // Only the init container that may mount bpffs is privileged (Bidirectional propagation requires it).
  t.deepEqual(pod.initContainers?.map((c) => [c.name, c.securityContext.privileged]), [['mount-bpffs', true]]);
  const noInit = at(find(render({ sets: ['agent.mountBpffs=false'] }), 'DaemonSet', 'netobs-agent'), 'spec', 'template', 'spec', 'initContainers');
  t.is(noInit, undefined);
});

test('tolerates every taint', (t) => {
  t.deepEqual(pod.tolerations, [{ operator: 'Exists' }]);
});

test('bpffs, cgroup, netns, run dir, CNI dirs and config are mounted', (t) => {
  const hostPaths = pod.volumes.filter((v) => v.hostPath).map((v) => v.hostPath!.path);
  t.deepEqual(hostPaths, ['/sys/fs/bpf', '/sys/fs/cgroup', '/var/run/netns', '/var/run/netobs', '/opt/cni/bin', '/etc/cni/net.d']);
  // The agent installs its chained CNI plugin there (agent/cni/install.ts).
  t.deepEqual(agent.volumeMounts.filter((m) => m.name.startsWith('cni-')).map((m) => m.mountPath), ['/host/opt/cni/bin', '/host/etc/cni/net.d']);
  const bpf = agent.volumeMounts.find((m) => m.name === 'bpf-maps')!;
  t.is(bpf.mountPath, '/sys/fs/bpf');
  t.is(bpf.mountPropagation, 'HostToContainer');
  t.is(pod.initContainers![0]!.volumeMounts[0]!.mountPropagation, 'Bidirectional');
});

test('probes hit the health port; metrics are annotated for scraping', (t) => {
  t.is(agent.readinessProbe.httpGet.port, 9879);
  t.is(agent.livenessProbe.httpGet.path, '/healthz');
  t.like(at(ds, 'spec', 'template', 'metadata', 'annotations') as object, { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9962' });
  const flowSvc = find(objects, 'Service', 'netobs-flow-metrics');
  t.like(flowSvc.metadata.annotations, { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9965' });
  t.is(at(flowSvc, 'spec', 'clusterIP'), 'None');
  t.deepEqual(agent.ports.map((p) => [p.name, p.containerPort, p.hostPort]), [
    ['health', 9879, 9879],
    ['agent-metrics', 9962, 9962],
    ['flow-metrics', 9965, 9965],
    ['flow-server', 4244, 4244],
  ]);
});

test('preStop detaches programs only when uninstalling, with time to do it', (t) => {
  t.deepEqual(agent.lifecycle.preStop.exec.command, ['/usr/local/bin/kubectl-netobs', 'agent', 'shutdown', '--if-uninstalling']);
  t.true(pod.terminationGracePeriodSeconds >= 5);
  t.like(at(ds, 'spec', 'updateStrategy') as object, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } });
});

test('resource requests are set', (t) => {
  t.deepEqual(agent.resources.requests, { cpu: '100m', memory: '256Mi' });
});

test('ports follow the values', (t) => {
  const o = render({ sets: ['agent.ports.health=19879,agent.ports.metrics=19962'] });
  const c = (at(find(o, 'DaemonSet', 'netobs-agent'), 'spec', 'template', 'spec', 'containers', 0) as Container);
  t.is(c.readinessProbe.httpGet.port, 19879);
  t.is(find(o, 'Service', 'netobs-agent-metrics').metadata.annotations['prometheus.io/port'], '19962');
  t.is((find(o, 'ConfigMap', 'netobs-config').data as Record<string, string>)['health-port'], '19879');
});

test('the relay runs non-root with a read-only root filesystem and serves 4245', (t) => {
  const dep = find(objects, 'Deployment', 'netobs-relay');
  const spec = at(dep, 'spec', 'template', 'spec') as { securityContext: { runAsNonRoot: boolean }; containers: { args: string[]; securityContext: { readOnlyRootFilesystem: boolean } }[] };
  t.true(spec.securityContext.runAsNonRoot);
  t.true(spec.containers[0]!.securityContext.readOnlyRootFilesystem);
  t.deepEqual(spec.containers[0]!.args, ['relay', '--config-dir=/etc/netobs/config']);
  t.is(at(find(objects, 'Service', 'netobs-relay'), 'spec', 'ports', 0, 'port'), 4245);
});
