import test from 'ava';
import { Ring } from '../../../tui/model/ring.ts';

test('keeps the newest items, newest first', (t) => {
  const r = new Ring<number>(3);
  for (let i = 1; i <= 5; i++) r.push(i);
  t.is(r.size, 3);
  t.is(r.total, 5);
  t.deepEqual(r.newest(10), [5, 4, 3]);
  t.is(r.at(0), 5);
  t.is(r.at(2), 3);
  t.is(r.at(3), undefined);
});

test('newest filters, skips and limits', (t) => {
  const r = new Ring<number>(10);
  for (let i = 1; i <= 10; i++) r.push(i);
  t.deepEqual(r.newest(2, (n) => n % 2 === 0), [10, 8]);
  t.deepEqual(r.newest(2, (n) => n % 2 === 0, 1), [8, 6]);
  t.deepEqual(r.newest(3, undefined, 8), [2, 1]);
});

test('clear empties and rejects a bad capacity', (t) => {
  const r = new Ring<string>(2);
  r.push('a');
  r.clear();
  t.is(r.size, 0);
  t.deepEqual(r.newest(5), []);
  t.throws(() => new Ring(0), { instanceOf: RangeError });
});
