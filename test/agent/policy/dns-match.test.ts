import test from 'ava';
import { anySelects, canonicalName, compileSelector, selectorProblem } from '../../../agent/policy/dns-match.ts';

test('matchName: exact, without case, trailing dot implicit', (t) => {
  const m = compileSelector({ matchName: 'API.world.lab' });
  t.true(m('api.world.lab'));
  t.true(m('api.world.lab.'));
  t.true(m('Api.World.Lab.'));
  t.false(m('xapi.world.lab'));
  t.false(m('api.world.lab.evil'));
  t.false(m('www.world.lab'));
});

test('matchPattern: * is a run of label characters, never a dot', (t) => {
  const m = compileSelector({ matchPattern: '*.world.lab' });
  t.true(m('api.world.lab'));
  t.true(m('www.world.lab.'));
  t.true(m('a-b_c.world.lab'));
  t.true(m('.world.lab'), 'the run may be empty, as in Cilium');
  t.false(m('a.b.world.lab'), 'one label only');
  t.false(m('world.lab'));
  t.false(m('api.world.labx'));
  t.false(m('apixworld.lab'), 'the dot is literal');
  const mid = compileSelector({ matchPattern: 'api-*.example.com' });
  t.true(mid('api-1.example.com'));
  t.true(mid('api-.example.com'));
  t.false(mid('api.example.com'));
  t.false(mid('api-x.y.example.com'));
});

test('a lone * matches every name, the root included', (t) => {
  const m = compileSelector({ matchPattern: '*' });
  for (const n of ['a', 'a.b.c.d', '.', 'X.Y.']) t.true(m(n));
});

test('both fields: either selects; rules OR-ed', (t) => {
  const m = compileSelector({ matchName: 'a.lab', matchPattern: '*.b.lab' });
  t.true(m('a.lab'));
  t.true(m('x.b.lab'));
  t.false(m('x.a.lab'));
  t.true(anySelects([{ matchName: 'one.lab' }, { matchPattern: 'two*.lab' }], 'two2.lab'));
  t.false(anySelects([{ matchName: 'one.lab' }, { matchPattern: 'two*.lab' }], 'three.lab'));
  t.false(anySelects([], 'one.lab'));
});

test('invalid selectors are named', (t) => {
  t.is(selectorProblem({ matchName: 'api.world.lab' }), undefined);
  t.is(selectorProblem({ matchPattern: '*.world.lab.' }), undefined);
  t.regex(selectorProblem({ matchName: 'a*.lab' }) ?? '', /not a DNS name/);
  t.regex(selectorProblem({ matchName: 'a..lab' }) ?? '', /not a DNS name/);
  t.regex(selectorProblem({ matchPattern: '[a-z].lab' }) ?? '', /not a DNS name pattern/);
  t.regex(selectorProblem({ matchPattern: 'a+.lab' }) ?? '', /not a DNS name pattern/);
  t.regex(selectorProblem({ matchName: '' }) ?? '', /not a DNS name/);
  t.is(canonicalName('A.B.'), 'a.b');
});
