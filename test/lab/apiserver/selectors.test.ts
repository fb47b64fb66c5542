import test from 'ava';
import { matchFields, matchLabels, matchSpecSelector, parseFieldSelector, parseLabelSelector } from '../../../lab/apiserver/selectors.ts';

const labels = { app: 'web', tier: 'front', env: 'prod' };

const selects = test.macro({
  exec(t, sel: string, want: boolean) {
    t.is(matchLabels(parseLabelSelector(sel), labels), want);
  },
  title: (_p, sel: string, want: boolean) => `label selector ${JSON.stringify(sel)} ${want ? 'matches' : 'does not match'}`,
});

test(selects, '', true);
test(selects, 'app=web', true);
test(selects, 'app==web,tier=front', true);
test(selects, 'app!=web', false);
test(selects, 'app!=db', true);
test(selects, 'env in (prod, staging)', true);
test(selects, 'env notin (prod)', false);
test(selects, 'tier', true);
test(selects, '!tier', false);
test(selects, '!gpu,app in (web)', true);

test('a malformed label selector is a 400', (t) => {
  const e = t.throws(() => parseLabelSelector('app in prod'));
  t.is((e as unknown as { code: number }).code, 400);
});

test('field selectors read dotted paths and negate', (t) => {
  const pod = { metadata: { name: 'p', namespace: 'default' }, spec: { nodeName: 'node1' }, status: { phase: 'Running' } };
  t.true(matchFields(parseFieldSelector('spec.nodeName=node1,status.phase!=Failed'), pod));
  t.false(matchFields(parseFieldSelector('metadata.namespace=kube-system'), pod));
  t.true(matchFields(parseFieldSelector('spec.nodeName='), { metadata: {}, spec: {} }));
});

test('spec selectors combine matchLabels and matchExpressions', (t) => {
  t.true(matchSpecSelector({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] }, labels));
  t.false(matchSpecSelector({ matchExpressions: [{ key: 'env', operator: 'DoesNotExist' }] }, labels));
  t.false(matchSpecSelector(undefined, labels));
  t.true(matchSpecSelector({}, labels));
});
