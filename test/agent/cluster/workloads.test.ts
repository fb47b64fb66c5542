import test from 'ava';
import { podWorkloads } from '../../../agent/cluster/workloads.ts';
import type { PodObject } from '../../../lib/kube-objects.ts';

const pod = (owner: { kind: string; name: string } | undefined, labels: Record<string, string> = {}): PodObject => ({
  metadata: { name: 'p', namespace: 'n', labels, ...(owner ? { ownerReferences: [{ ...owner, controller: true }] } : {}) },
});

const cases: [string, PodObject, { name: string; kind: string }[]][] = [
  ['deployment through its replicaset', pod({ kind: 'ReplicaSet', name: 'web-5d8f9c7b6d' }, { 'pod-template-hash': '5d8f9c7b6d' }), [{ name: 'web', kind: 'Deployment' }]],
  ['a bare replicaset', pod({ kind: 'ReplicaSet', name: 'web-abc' }), [{ name: 'web-abc', kind: 'ReplicaSet' }]],
  ['daemonset', pod({ kind: 'DaemonSet', name: 'netobs-agent' }), [{ name: 'netobs-agent', kind: 'DaemonSet' }]],
  ['statefulset', pod({ kind: 'StatefulSet', name: 'db' }), [{ name: 'db', kind: 'StatefulSet' }]],
  ['cronjob through its job', pod({ kind: 'Job', name: 'backup-28467360' }), [{ name: 'backup', kind: 'CronJob' }]],
  ['a plain job', pod({ kind: 'Job', name: 'migrate' }), [{ name: 'migrate', kind: 'Job' }]],
  ['no owner', pod(undefined), []],
];
for (const [title, p, want] of cases) test(`workload: ${title}`, (t) => t.deepEqual(podWorkloads(p), want));
