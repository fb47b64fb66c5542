import test from 'ava';
import type { V1Pod, V1Status } from '@kubernetes/client-node';
import { execExitCode, labelSelector, nodeInfo, podInfo, podProblems, serviceInfo } from '../../../connectivity/adapters/kube-convert.ts';

const pod = (over: Partial<V1Pod['status']> = {}, meta: Partial<NonNullable<V1Pod['metadata']>> = {}): V1Pod => ({
  metadata: { name: 'client-abc', namespace: 'netobs-test', labels: { name: 'client' }, ...meta },
  spec: { nodeName: 'node-1', containers: [{ name: 'client', image: 'x' }] },
  status: { phase: 'Running', podIP: '10.0.1.10', hostIP: '192.168.0.1', conditions: [{ type: 'Ready', status: 'True' }], ...over },
});

test('pods: ready only when Running, Ready and not terminating', (t) => {
  t.deepEqual(podInfo(pod()), {
    namespace: 'netobs-test', name: 'client-abc', labels: { name: 'client' }, ip: '10.0.1.10', nodeName: 'node-1', hostIP: '192.168.0.1', hostNetwork: false, ready: true, container: 'client',
  });
  t.false(podInfo(pod({ conditions: [{ type: 'Ready', status: 'False' }] })).ready);
  t.false(podInfo(pod({ phase: 'Pending' })).ready);
  t.false(podInfo(pod({}, { deletionTimestamp: new Date() })).ready);
  t.is(podInfo({}).ip, '');
});

test('pod problems say why a pod is not ready', (t) => {
  t.deepEqual(podProblems([
    pod(),
    pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: "0/1 nodes are available: 1 node(s) didn't match pod anti-affinity rules." }] }, { name: 'client3-x' }),
    pod({ phase: 'Pending', conditions: [], containerStatuses: [{ name: 'c', image: 'i', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff', message: 'not found' } } }] }, { name: 'echo-y' }),
  ]), [
    "client3-x: Pending (Unschedulable: 0/1 nodes are available: 1 node(s) didn't match pod anti-affinity rules.)",
    'echo-y: Pending (ImagePullBackOff: not found)',
  ]);
});

test('nodes: InternalIP first, names left out', (t) => {
  t.deepEqual(nodeInfo({ metadata: { name: 'n1', labels: { a: 'b' } }, status: { addresses: [{ type: 'Hostname', address: 'n1' }, { type: 'ExternalIP', address: '1.2.3.4' }, { type: 'InternalIP', address: '10.0.0.1' }] } }), {
    name: 'n1', addresses: ['10.0.0.1', '1.2.3.4'], labels: { a: 'b' },
  });
});

test('services with node ports', (t) => {
  t.deepEqual(serviceInfo({ metadata: { name: 'echo', namespace: 'ns' }, spec: { type: 'NodePort', clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 8080, nodePort: 31000, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }] } }), {
    namespace: 'ns', name: 'echo', labels: {}, clusterIP: '10.96.0.20', type: 'NodePort',
    ports: [{ name: 'http', port: 8080, protocol: 'TCP', nodePort: 31000 }, { port: 53, protocol: 'UDP' }],
  });
});

test('exec status to exit code', (t) => {
  t.is(execExitCode({ status: 'Success' }), 0);
  const nonZero: V1Status = { status: 'Failure', reason: 'NonZeroExitCode', message: 'command terminated with non-zero exit code', details: { causes: [{ reason: 'ExitCode', message: '1' }] } };
  t.is(execExitCode(nonZero), 1);
  const notFound = execExitCode({ status: 'Failure', message: 'exec: "kubectl-netobs": executable file not found in $PATH' });
  t.true(notFound instanceof Error);
  t.regex((notFound as Error).message, /executable file not found/);
});

test('label selectors', (t) => {
  t.is(labelSelector({ name: 'client', kind: 'client' }), 'name=client,kind=client');
  t.is(labelSelector({}), undefined);
  t.is(labelSelector(undefined), undefined);
});
