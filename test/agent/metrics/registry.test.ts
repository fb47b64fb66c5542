import test from 'ava';
import { Registry } from '../../../agent/metrics/registry.ts';

test('text exposition: families by name, label names sorted, series sorted, escaping', (t) => {
  const r = new Registry();
  const c = r.counter('b_total', 'A counter\nwith \\ newline', ['zone', 'app']);
  c.inc(['b', 'x']);
  c.inc(['a', 'y "quoted"\n'], 2);
  const g = r.gauge('a_gauge', 'A gauge');
  g.set([], 1.5);
  r.counter('c_unused_total', 'never incremented', ['x']);
  t.is(r.expose(), [
    '# HELP a_gauge A gauge',
    '# TYPE a_gauge gauge',
    'a_gauge 1.5',
    '# HELP b_total A counter\\nwith \\\\ newline',
    '# TYPE b_total counter',
    'b_total{app="x",zone="b"} 1',
    'b_total{app="y \\"quoted\\"\\n",zone="a"} 2',
    '',
  ].join('\n'));
});

test('histograms: cumulative buckets, le last, sum and count', (t) => {
  const r = new Registry();
  const h = r.histogram('d_seconds', 'Durations', ['method'], [0.1, 1]);
  h.observe(['GET'], 0.05);
  h.observe(['GET'], 0.5);
  h.observe(['GET'], 3);
  t.is(r.expose(), [
    '# HELP d_seconds Durations',
    '# TYPE d_seconds histogram',
    'd_seconds_bucket{method="GET",le="0.1"} 1',
    'd_seconds_bucket{method="GET",le="1"} 2',
    'd_seconds_bucket{method="GET",le="+Inf"} 3',
    'd_seconds_sum{method="GET"} 3.55',
    'd_seconds_count{method="GET"} 3',
    '',
  ].join('\n'));
  t.is(h.value(['GET']), 3);
});

test('misuse is refused', (t) => {
  const r = new Registry();
  const c = r.counter('x_total', 'x', ['a']);
  t.throws(() => c.inc([]), { message: /0 label values for 1 labels/ });
  t.throws(() => c.inc(['v'], -1), { message: /only go up/ });
  t.throws(() => r.counter('x_total', 'again'), { message: /registered twice/ });
  t.throws(() => r.counter('bad-name', 'x'), { message: /invalid name/ });
  t.throws(() => r.counter('y', 'x', ['a', 'a']), { message: /duplicate/ });
  t.throws(() => r.histogram('h', 'x', ['le']), { message: /invalid label le/ });
});
