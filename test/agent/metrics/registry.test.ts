import test from 'ava';
import { negotiateFormat, Registry, SERIES_REFUSED_METRIC, type ExpositionFormat } from '../../../agent/metrics/registry.ts';

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

test('a metric at its cap refuses new series, keeps updating old ones, and counts each refusal', (t) => {
  const r = new Registry({ maxSeriesPerMetric: 2 });
  const c = r.counter('x_total', 'x', ['ip']);
  c.inc(['a']);
  c.inc(['b']);
  c.inc(['c']);
  c.inc(['d']);
  c.inc(['a'], 5);
  t.deepEqual(c.samples().map((s) => `${s.labels.ip}=${s.value}`), ['a=6', 'b=1']);
  t.is(r.get(SERIES_REFUSED_METRIC)?.value(['x_total']), 2);
  t.regex(r.expose(), /^netobs_metrics_series_refused_total\{metric="x_total"\} 2$/m);
});

test('series made for an owner are dropped with it, others stay', (t) => {
  const r = new Registry();
  const c = r.counter('y_total', 'y', ['pod']);
  r.owning(['ns/a'], () => c.inc(['a']));
  r.owning(['ns/a', 'ns/b'], () => c.inc(['a->b']));
  c.inc(['unowned']);
  t.deepEqual(r.ownerKeys().sort(), ['ns/a', 'ns/b']);
  t.is(r.forgetOwner('ns/a'), 2);
  t.deepEqual(c.samples().map((s) => s.labels.pod), ['unowned']);
  t.is(r.forgetOwner('ns/b'), 0); // its one series went with ns/a already
  t.deepEqual(r.ownerKeys(), []);
});

test('OpenMetrics: counter families without _total, samples with it, # EOF last', (t) => {
  const r = new Registry();
  r.counter('req_total', 'Requests', ['code']).inc(['200']);
  r.histogram('d_seconds', 'D', [], [1]).observe([], 0.5);
  t.is(r.expose('openmetrics'), [
    '# HELP d_seconds D', '# TYPE d_seconds histogram',
    'd_seconds_bucket{le="1"} 1', 'd_seconds_bucket{le="+Inf"} 1', 'd_seconds_sum 0.5', 'd_seconds_count 1',
    '# HELP req Requests', '# TYPE req counter', 'req_total{code="200"} 1',
    '# EOF', '',
  ].join('\n'));
});

const negotiate = test.macro({
  exec(t, accept: string | undefined, format: ExpositionFormat) {
    t.is(negotiateFormat(accept).format, format);
  },
  title: (_t, accept) => `Accept: ${accept ?? '(none)'}`,
});
test(negotiate, undefined, 'text');
test(negotiate, 'text/plain;version=0.0.4', 'text');
test(negotiate, 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1', 'openmetrics');
test(negotiate, 'application/openmetrics-text;q=0,text/plain', 'text');
