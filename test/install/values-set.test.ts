import test from 'ava';
import { applyAssignments, parseSet } from '../../install/values-set.ts';

const parses = test.macro({
  exec(t, expr: string, expected: unknown) {
    const tree: Record<string, unknown> = {};
    applyAssignments(tree, parseSet(expr));
    t.deepEqual(tree, expected);
  },
  title: (_, expr) => `--set ${expr}`,
});

test(parses, 'a.b=c', { a: { b: 'c' } });
test(parses, 'a=1,b=true,c=false,d=-7', { a: 1, b: true, c: false, d: -7 });
test(parses, 'a=007,b=1.5,c=1e3', { a: '007', b: '1.5', c: '1e3' });
test(parses, 'a[0]=x,a[2]=z', { a: ['x', null, 'z'] });
test(parses, 'a[0].b=1,a[0].c=2', { a: [{ b: 1, c: 2 }] });
test(parses, 'a={80,8080}', { a: [80, 8080] });
test(parses, 'a={}', { a: [] });
test(parses, 'x={a,b},y=1', { x: ['a', 'b'], y: 1 });
test(parses, 'a\\.b=c', { 'a.b': 'c' });
test(parses, 'a=x\\,y', { a: 'x,y' });
test(parses, 'a="p,q;r=s",b="true"', { a: 'p,q;r=s', b: 'true' });
test(parses, 'a=\\1', { a: '1' });
test(parses, 'a=', { a: '' });
test(parses, 'm.n[0][1]=v', { m: { n: [[null, 'v']] } });
test(
  parses,
  'agent.metrics.handlers={dns,"httpV2:exemplars=true;labelsContext=source_ip,destination_ip"}',
  { agent: { metrics: { handlers: ['dns', 'httpV2:exemplars=true;labelsContext=source_ip,destination_ip'] } } },
);

test('null deletes a key', (t) => {
  const tree: Record<string, unknown> = { a: { b: 1, c: 2 } };
  applyAssignments(tree, parseSet('a.b=null'));
  t.deepEqual(tree, { a: { c: 2 } });
});

test('an index replaces one element of an existing list', (t) => {
  const tree: Record<string, unknown> = { p: [80, 8080] };
  applyAssignments(tree, parseSet('p[1]=9090'));
  t.deepEqual(tree, { p: [80, 9090] });
});

const rejects = test.macro({
  exec(t, expr: string, message: RegExp) {
    t.throws(() => parseSet(expr), { message });
  },
  title: (_, expr) => `--set ${expr} is rejected`,
});

test(rejects, 'novalue', /--set novalue: key "novalue" has no value/);
test(rejects, 'a=1,b', /key "b" has no value/);
test(rejects, '=x', /empty key/);
test(rejects, 'a..b=1', /empty key segment/);
test(rejects, 'a[x]=1', /invalid list index "\[x"/);
test(rejects, 'a[1]b=1', /unexpected "b" after list index/);
test(rejects, 'a="open', /unterminated quoted value/);
test(rejects, 'a={x,y', /unterminated list/);
