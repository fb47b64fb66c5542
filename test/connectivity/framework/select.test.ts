import test from 'ava';
import { isSelected, parseSelection, selectTests } from '../../../connectivity/framework/select.ts';

const NAMES = ['no-policies', 'pod-to-pod', 'pod-to-service', 'all-ingress-deny', 'allow-by-label', 'k8s-network-policy'];

const selects = test.macro({
  exec(t, patterns: string[], expected: string[]) {
    t.deepEqual(selectTests(NAMES.map((name) => ({ name })), parseSelection(patterns)).map((x) => x.name), expected);
  },
  title: (_, patterns: string[]) => `--test ${patterns.length ? patterns.map((p) => JSON.stringify(p)).join(' --test ') : '(none)'}`,
});

test(selects, [], NAMES);
test(selects, ['pod-to'], ['pod-to-pod', 'pod-to-service']);
test(selects, ['^pod-to-pod$', 'deny'], ['pod-to-pod', 'all-ingress-deny']);
test(selects, ['!deny'], ['no-policies', 'pod-to-pod', 'pod-to-service', 'allow-by-label', 'k8s-network-policy']);
test(selects, ['pod-to', '!service'], ['pod-to-pod']);
test(selects, ['policy', '!policies'], ['k8s-network-policy']);
test(selects, ['a{1,2}ll'], ['all-ingress-deny', 'allow-by-label']);
test(selects, ['nothing-matches'], []);

test('an empty pattern selects nothing extra', (t) => {
  t.true(isSelected('x', parseSelection([''])));
});

test('an invalid regex is a user error naming it', (t) => {
  const err = t.throws(() => parseSelection(['pod-(']));
  t.regex(err!.message, /^invalid --test "pod-\(":/);
  t.is(err!.name, 'UserError');
});
