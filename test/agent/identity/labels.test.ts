import test from 'ava';
import {
  canonicalKey,
  formatLabel,
  label,
  labelSet,
  labelSetKey,
  parseLabel,
  type Label,
} from '../../../agent/identity/labels.ts';

const parses = test.macro({
  exec(t, text: string, want: Label) {
    t.deepEqual(parseLabel(text), want);
  },
  title: (given, text: string) => given ?? `parses ${text}`,
});

test(parses, 'k8s:app=frontend', label('k8s', 'app', 'frontend'));
test(parses, 'app=frontend', label('k8s', 'app', 'frontend'));
test(parses, 'reserved:host', label('reserved', 'host', ''));
test(parses, 'cidr:10.0.0.0/8', label('cidr', '10.0.0.0/8', ''));
test(parses, 'any:role=db', label('any', 'role', 'db'));
test(parses, 'k8s:app.kubernetes.io/name=web', label('k8s', 'app.kubernetes.io/name', 'web'));
test('reads Cilium namespace-label keys as netobs keys', parses, 'k8s:io.cilium.k8s.namespace.labels.team=a', label('k8s', 'io.netobs.k8s.namespace.labels.team', 'a'));

const formats = test.macro({
  exec(t, l: Label, want: string) {
    t.is(formatLabel(l), want);
    t.deepEqual(parseLabel(want), l);
  },
  title: (given, _l: Label, want: string) => given ?? `formats and round-trips ${want}`,
});

test(formats, label('k8s', 'app', 'x'), 'k8s:app=x');
test(formats, label('k8s', 'flag', ''), 'k8s:flag=');
test(formats, label('reserved', 'world'), 'reserved:world');

test('label sets are canonical whatever the input order', (t) => {
  const a = labelSet([label('k8s', 'b', '2'), label('k8s', 'a', '1'), label('reserved', 'a')]);
  const b = labelSet([label('reserved', 'a'), label('k8s', 'a', '1'), label('k8s', 'b', '2')]);
  t.is(labelSetKey(a), labelSetKey(b));
  t.is(labelSetKey(a), 'k8s:a=1;reserved:a;k8s:b=2');
});

test('a label set keeps one value per source and key, the last one given', (t) => {
  const s = labelSet([label('k8s', 'a', '1'), label('k8s', 'a', '2')]);
  t.deepEqual(s, [label('k8s', 'a', '2')]);
});

test('canonicalKey leaves other keys alone', (t) => {
  t.is(canonicalKey('io.cilium.k8s.policy.serviceaccount'), 'io.netobs.k8s.policy.serviceaccount');
  t.is(canonicalKey('io.kubernetes.pod.namespace'), 'io.kubernetes.pod.namespace');
  t.is(canonicalKey('app'), 'app');
});
