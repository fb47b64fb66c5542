import test from 'ava';
import { formatLabel } from '../../../agent/identity/labels.ts';
import { podSecurityLabels, type PodIdentitySource } from '../../../agent/identity/security-labels.ts';

const labelsOf = test.macro({
  exec(t, src: PodIdentitySource, want: string[]) {
    t.deepEqual(podSecurityLabels(src).map(formatLabel), want);
  },
  title: (given) => given ?? '',
});

test('pod labels, namespace name and namespace labels', labelsOf,
  { namespace: 'shop', podLabels: { app: 'web' }, namespaceLabels: { team: 'a' } },
  [
    'k8s:app=web',
    'k8s:io.kubernetes.pod.namespace=shop',
    'k8s:io.netobs.k8s.namespace.labels.kubernetes.io/metadata.name=shop',
    'k8s:io.netobs.k8s.namespace.labels.team=a',
  ]);

test('per-pod bookkeeping labels do not influence identity', labelsOf,
  {
    namespace: 'db',
    podLabels: {
      app: 'pg',
      'pod-template-hash': '5b7489bc84',
      'controller-revision-hash': 'pg-7d9',
      'statefulset.kubernetes.io/pod-name': 'pg-0',
      'apps.kubernetes.io/pod-index': '0',
    },
  },
  ['k8s:app=pg', 'k8s:io.kubernetes.pod.namespace=db', 'k8s:io.netobs.k8s.namespace.labels.kubernetes.io/metadata.name=db']);

test('a pod cannot claim another namespace through its own labels', labelsOf,
  {
    namespace: 'evil',
    podLabels: { 'io.kubernetes.pod.namespace': 'kube-system', 'io.cilium.k8s.namespace.labels.team': 'ops', 'io.netobs.k8s.policy.serviceaccount': 'admin' },
  },
  ['k8s:io.kubernetes.pod.namespace=evil', 'k8s:io.netobs.k8s.namespace.labels.kubernetes.io/metadata.name=evil']);

test('service account and cluster when given', labelsOf,
  { namespace: 'a', podLabels: {}, serviceAccount: 'sa1', cluster: 'prod' },
  [
    'k8s:io.kubernetes.pod.namespace=a',
    'k8s:io.netobs.k8s.namespace.labels.kubernetes.io/metadata.name=a',
    'k8s:io.netobs.k8s.policy.cluster=prod',
    'k8s:io.netobs.k8s.policy.serviceaccount=sa1',
  ]);

test('extra excluded keys are honoured', (t) => {
  const got = podSecurityLabels({ namespace: 'a', podLabels: { app: 'x', build: '42' } }, { excludeKeys: ['build'] });
  t.false(got.some((l) => l.key === 'build'));
  t.true(got.some((l) => l.key === 'app'));
});

test('two replicas of one Deployment share a label set', (t) => {
  const a = podSecurityLabels({ namespace: 'd', podLabels: { app: 'x', 'pod-template-hash': '1' } });
  const b = podSecurityLabels({ namespace: 'd', podLabels: { 'pod-template-hash': '2', app: 'x' } });
  t.deepEqual(a, b);
});
