import test from 'ava';
import { RateSeries } from '../../../tui/model/rate-series.ts';

test('counts per complete second, oldest first', (t) => {
  const r = new RateSeries(5);
  r.add(3, 10_000);
  r.add(2, 10_900);
  r.add(7, 11_100);
  r.add(1, 13_000);
  // At 13.5 s: complete seconds 9..12 are 0? keep 4 points: 9,10,11,12
  t.deepEqual(r.series(13_500, 4), [0, 5, 7, 0]);
  t.is(r.perSecond(13_500), 0);
  t.is(r.perSecond(14_000), 1);
});

test('a long pause resets the history', (t) => {
  const r = new RateSeries(4);
  r.add(9, 1_000);
  t.deepEqual(r.series(100_000, 3), [0, 0, 0]);
});
