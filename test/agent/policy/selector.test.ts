import test from 'ava';
import { labelSet, parseLabel } from '../../../agent/identity/labels.ts';
import { podSecurityLabels } from '../../../agent/identity/security-labels.ts';
import { PolicyInvalid } from '../../../agent/policy/invalid.ts';
import { scopeK8sPeer, scopePeer, scopeSubject } from '../../../agent/policy/scope.ts';
import { formatSelector, parseSelector, selectorMatches, type SelectorOptions } from '../../../agent/policy/selector.ts';

const CRD: SelectorOptions = { defaultSource: 'any' };
const K8S: SelectorOptions = { defaultSource: 'k8s' };
const set = (...ls: string[]) => labelSet(ls.map(parseLabel));

const matches = test.macro({
  exec(t, raw: unknown, opts: SelectorOptions, labels: string[], want: boolean) {
    t.is(selectorMatches(parseSelector(raw, 'sel', opts), set(...labels)), want);
  },
  title: (given, raw: unknown, _o, labels: string[], want: boolean) =>
    given ?? `${JSON.stringify(raw)} ${want ? 'matches' : 'does not match'} ${labels.join(',') || '{}'}`,
});

test(matches, {}, CRD, ['k8s:app=x'], true);
test(matches, null, CRD, [], true);
test(matches, { matchLabels: { app: 'x' } }, CRD, ['k8s:app=x'], true);
test(matches, { matchLabels: { app: 'x' } }, CRD, ['k8s:app=y'], false);
test(matches, { matchLabels: { app: 'x' } }, CRD, [], false);
test(matches, { matchLabels: { app: 'x', tier: 'web' } }, CRD, ['k8s:app=x'], false);
test(matches, { matchLabels: { 'k8s:app': 'x' } }, CRD, ['k8s:app=x'], true);
test(matches, { matchLabels: { 'k8s:host': '' } }, CRD, ['reserved:host'], false);
test(matches, { matchLabels: { 'reserved:host': '' } }, CRD, ['reserved:host'], true);
test(matches, { matchLabels: { 'any:host': '' } }, CRD, ['reserved:host'], true);
test(matches, { matchLabels: { host: '' } }, K8S, ['reserved:host'], false);
test(matches, { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'stage'] }] }, CRD, ['k8s:env=stage'], true);
test(matches, { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] }, CRD, ['k8s:env=dev'], false);
test(matches, { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, CRD, ['k8s:env=dev'], true);
test('NotIn matches when the key is absent', matches, { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, CRD, [], true);
test(matches, { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, CRD, ['k8s:env=prod'], false);
test(matches, { matchExpressions: [{ key: 'env', operator: 'Exists' }] }, CRD, ['k8s:env='], true);
test(matches, { matchExpressions: [{ key: 'env', operator: 'Exists' }] }, CRD, [], false);
test(matches, { matchExpressions: [{ key: 'env', operator: 'DoesNotExist' }] }, CRD, [], true);
test(matches, { matchExpressions: [{ key: 'env', operator: 'DoesNotExist' }] }, CRD, ['k8s:env=a'], false);
test('matchLabels and matchExpressions are AND-ed', matches,
  { matchLabels: { app: 'x' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] }, CRD, ['k8s:app=x', 'k8s:env=dev'], false);
test('Cilium namespace-label keys select netobs namespace labels', matches,
  { matchLabels: { 'k8s:io.cilium.k8s.namespace.labels.team': 'a' } }, CRD, ['k8s:io.netobs.k8s.namespace.labels.team=a'], true);

const rejects = test.macro({
  exec(t, raw: unknown, message: string) {
    const err = t.throws(() => parseSelector(raw, 'spec.endpointSelector', CRD), { instanceOf: PolicyInvalid });
    t.is(err?.message, message);
  },
  title: (given, _raw, message: string) => given ?? `rejects: ${message}`,
});

test(rejects, { matchLabels: { app: 3 } }, 'spec.endpointSelector.matchLabels.app: 3 is not a string');
test(rejects, { matchLabels: { 'foo:app': 'x' } }, 'spec.endpointSelector.matchLabels: "foo:app" has unknown label source "foo" (use k8s, reserved, cidr, any)');
test(rejects, { matchLabels: { 'a b': 'x' } }, 'spec.endpointSelector.matchLabels: "a b" is not a valid label key');
test(rejects, { matchLabels: { app: 'x y' } }, 'spec.endpointSelector.matchLabels.app: "x y" is not a valid label value');
test(rejects, { matchExpressions: [{ key: 'a', operator: 'Equals', values: ['x'] }] }, 'spec.endpointSelector.matchExpressions[0].operator: "Equals" is not one of In, NotIn, Exists, DoesNotExist');
test(rejects, { matchExpressions: [{ key: 'a', operator: 'In' }] }, 'spec.endpointSelector.matchExpressions[0].values: must not be empty for operator In');
test(rejects, { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }, 'spec.endpointSelector.matchExpressions[0].values: must be empty for operator Exists');
test(rejects, { matchLabel: { app: 'x' } }, 'spec.endpointSelector.matchLabel: unknown field (known: matchLabels, matchExpressions)');
test(rejects, 'app=x', 'spec.endpointSelector: "app=x" is not an object');

const pod = (ns: string, labels: Record<string, string>, nsLabels: Record<string, string> = {}) =>
  podSecurityLabels({ namespace: ns, podLabels: labels, namespaceLabels: nsLabels });

test('a namespaced subject {} selects every pod of its namespace only', (t) => {
  const s = scopeSubject(parseSelector({}, 's', CRD), 'shop');
  t.true(selectorMatches(s, pod('shop', { app: 'a' })));
  t.false(selectorMatches(s, pod('other', { app: 'a' })));
});

test('a clusterwide subject {} selects pods of every namespace', (t) => {
  const s = scopeSubject(parseSelector({}, 's', CRD), undefined);
  t.true(selectorMatches(s, pod('shop', {})));
  t.true(selectorMatches(s, pod('other', {})));
});

test('a namespaced peer stays in its namespace unless it names the namespace key', (t) => {
  const same = scopePeer(parseSelector({ matchLabels: { app: 'a' } }, 's', CRD), 'shop');
  t.true(selectorMatches(same, pod('shop', { app: 'a' })));
  t.false(selectorMatches(same, pod('other', { app: 'a' })));
  const cross = scopePeer(parseSelector({ matchLabels: { app: 'a', 'k8s:io.kubernetes.pod.namespace': 'other' } }, 's', CRD), 'shop');
  t.false(selectorMatches(cross, pod('shop', { app: 'a' })));
  t.true(selectorMatches(cross, pod('other', { app: 'a' })));
  const all = scopePeer(parseSelector({ matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }] }, 's', CRD), 'shop');
  t.true(selectorMatches(all, pod('x', {})));
});

test('peer selectors reach pods, not reserved identities, unless they ask', (t) => {
  const any = scopePeer(parseSelector({}, 's', CRD), undefined);
  t.true(selectorMatches(any, pod('x', {})));
  t.false(selectorMatches(any, set('reserved:host')));
  const host = scopePeer(parseSelector({ matchLabels: { 'reserved:host': '' } }, 's', CRD), 'ns');
  t.true(selectorMatches(host, set('reserved:host')));
});

test('Kubernetes peers: podSelector, namespaceSelector and both', (t) => {
  const nsSel = parseSelector({ matchLabels: { team: 'a' } }, 's', { defaultSource: 'k8s', keyPrefix: 'io.netobs.k8s.namespace.labels.' });
  const podSel = parseSelector({ matchLabels: { role: 'db' } }, 's', K8S);
  const onlyPod = scopeK8sPeer(podSel, undefined, 'shop');
  const onlyNs = scopeK8sPeer(undefined, nsSel, 'shop');
  const both = scopeK8sPeer(podSel, nsSel, 'shop');
  const everyNs = scopeK8sPeer(undefined, parseSelector({}, 's', K8S), 'shop');
  const dbInA = pod('a1', { role: 'db' }, { team: 'a' });
  const webInA = pod('a1', { role: 'web' }, { team: 'a' });
  const dbInShop = pod('shop', { role: 'db' });
  t.deepEqual([onlyPod, onlyNs, both, everyNs].map((s) => selectorMatches(s, dbInA)), [false, true, true, true]);
  t.deepEqual([onlyPod, onlyNs, both, everyNs].map((s) => selectorMatches(s, webInA)), [false, true, false, true]);
  t.deepEqual([onlyPod, onlyNs, both, everyNs].map((s) => selectorMatches(s, dbInShop)), [true, false, false, true]);
  t.false(selectorMatches(everyNs, set('reserved:world')));
});

test('the namespace name label selects a namespace by name', (t) => {
  const nsSel = parseSelector({ matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, 's', { defaultSource: 'k8s', keyPrefix: 'io.netobs.k8s.namespace.labels.' });
  t.true(selectorMatches(scopeK8sPeer(undefined, nsSel, 'x'), pod('kube-system', {})));
});

test('formatSelector is canonical', (t) => {
  const a = parseSelector({ matchLabels: { b: '1', a: '2' } }, 's', CRD);
  const b = parseSelector({ matchLabels: { a: '2', b: '1' } }, 's', CRD);
  t.is(formatSelector(a), formatSelector(b));
  t.is(formatSelector(a), 'any:a=2, any:b=1');
  t.is(formatSelector(parseSelector({}, 's', CRD)), '{}');
});
