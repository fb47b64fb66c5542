import test from 'ava';
import { buildRequest, parseTimeArg } from '../../../cmd/observe/request.ts';

const now = Date.parse('2026-11-22T12:00:00Z');

test('default is the last 20 flows', (t) => {
  t.deepEqual(buildRequest({}, [], now), { number: 20 });
});

test('--follow alone streams from now', (t) => {
  t.deepEqual(buildRequest({ follow: true }, [], now), { number: 0, follow: true });
});

test('--first and --all', (t) => {
  t.deepEqual(buildRequest({ first: 5 }, [], now), { number: 5, first: true });
  t.deepEqual(buildRequest({ all: true }, [], now), { number: 0 });
});

test('--since with a duration is relative to now', (t) => {
  const req = buildRequest({ since: '5m' }, [], now);
  t.is(req.since?.seconds, (now - 300_000) / 1000);
  t.is(req.number, undefined);
});

test('filters: same flag OR, different flags AND, --not to the blacklist', (t) => {
  const req = buildRequest({}, ['observe', '--verdict', 'DROPPED', '--verdict', 'FORWARDED', '--pod', 'default/xwing', '--not', '--protocol', 'udp'], now);
  t.is(req.whitelist?.length, 2); // source or destination pod, each with both verdicts
  t.deepEqual(req.whitelist?.[0]?.verdict, [2, 1]);
  t.deepEqual(req.blacklist, [{ protocol: ['udp'] }]);
});

test('bad input is one clear error', (t) => {
  t.throws(() => buildRequest({ first: 1, last: 2 }, [], now), { message: /--first and --last/ });
  t.throws(() => parseTimeArg('since', 'yesterday', now), { message: /invalid --since "yesterday"/ });
  t.throws(() => buildRequest({}, ['--verdict', 'MAYBE'], now), { message: /MAYBE/ });
});
