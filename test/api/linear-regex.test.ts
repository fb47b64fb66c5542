import test from 'ava';
import { compileLinear } from '../../api/linear-regex.ts';
import { compileFilter } from '../../api/filter/filter.ts';

test('RE2 syntax as Go accepts it', (t) => {
  t.true(compileLinear('(?i)^API\\.example').test('api.example.com.'));
  t.true(compileLinear('(?P<svc>[[:alpha:]]+)\\.svc').test('kube.svc'));
  t.false(compileLinear('^/api/').test('/web/api/'));
});

test('backreferences and lookaround are refused as RE2 refuses them', (t) => {
  t.throws(() => compileLinear('(a)\\1'), { message: /RE2/ });
  t.throws(() => compileLinear('foo(?=bar)'), { message: /RE2/ });
});

// With a backtracking engine this pattern doubles its work per character of input; the answer
// below would take longer than the universe has existed. It must simply be false.
test('the pathological pattern is answered on long inputs', (t) => {
  const p = compileFilter({ dns_query: ['^([\\s\\S]|[\\s\\S])*Z$'] });
  const name = `${'a'.repeat(200)}.example.com.`;
  t.false(p({ l7: { dns: { query: name } } }));
  t.true(p({ l7: { dns: { query: `${name}Z` } } }));
});
