import test from 'ava';
import { AGENT_METRICS, DASHBOARDS, renderDashboardJson } from '../../install/dashboards/definitions.ts';
import { GOLDEN_METRICS } from '../../api/metrics-grammar.ts';
import { FlowMetrics } from '../../agent/metrics/flow-metrics.ts';

/** Metric names from docs/compat-facts.md (Hubble) plus the agent's own and the process defaults. */
const HUBBLE = [
  'hubble_lost_events_total', 'hubble_flows_processed_total', 'hubble_drop_total', 'hubble_tcp_flags_total',
  'hubble_dns_queries_total', 'hubble_dns_responses_total', 'hubble_dns_response_types_total',
  'hubble_http_requests_total', 'hubble_http_request_duration_seconds_bucket', 'hubble_icmp_total',
  'hubble_port_distribution_total', 'hubble_flows_to_world_total', 'hubble_policy_verdicts_total',
];
const KNOWN = new Set([...HUBBLE, ...Object.values(AGENT_METRICS), ...Object.values(GOLDEN_METRICS), `${GOLDEN_METRICS.routeDuration}_bucket`, 'process_cpu_seconds_total', 'process_resident_memory_bytes']);
const PROMQL_WORDS = new Set(['sum', 'by', 'rate', 'topk', 'histogram_quantile', 'max', 'count', 'label_values', 'le']);

type Dash = { uid: string; panels: { title: string; gridPos: { x: number; w: number }; targets: { expr: string }[] }[]; templating: { list: { name: string }[] } };
const dashboards = DASHBOARDS.map((d) => JSON.parse(renderDashboardJson(d.spec)) as Dash);

test('four dashboards with unique uids', (t) => {
  t.deepEqual(dashboards.map((d) => d.uid), ['netobs-flows', 'netobs-policy', 'netobs-agent', 'netobs-golden']);
});

test("the golden dashboard's netobs metrics are the ones the agent's golden handlers register", (t) => {
  const m = new FlowMetrics('workload-http tcp-connections');
  for (const name of Object.values(GOLDEN_METRICS)) t.truthy(m.registry.get(name), name);
});

for (const d of dashboards) {
  test(`${d.uid}: every query uses known metrics and defined variables`, (t) => {
    const vars = new Set(['__rate_interval', ...d.templating.list.map((v) => v.name)]);
    for (const p of d.panels) {
      for (const { expr } of p.targets) {
        // What is left once label matchers, by() groupings and ranges are removed: functions and metric names.
        const bare = expr.replace(/\{[^}]*\}/g, '').replace(/by\s*\([^)]*\)/g, '').replace(/\[[^\]]*\]/g, '');
        const metrics = [...bare.matchAll(/\b[a-z_][a-z0-9_]*\b/g)].map((m) => m[0]).filter((w) => !PROMQL_WORDS.has(w));
        t.true(metrics.length > 0, `${p.title}: ${expr}`);
        for (const name of metrics) t.true(KNOWN.has(name), `${p.title}: unknown metric ${name}`);
        for (const [, v] of expr.matchAll(/\$(\w+)/g)) t.true(vars.has(v!), `${p.title}: undefined variable $${v}`);
        t.is((expr.match(/\(/g) ?? []).length, (expr.match(/\)/g) ?? []).length, `${p.title}: unbalanced parentheses`);
      }
      t.true(p.gridPos.x + p.gridPos.w <= 24);
    }
  });
}

test('the flow dashboard carries the PromQL of seed 004, with variables for the literals', (t) => {
  const exprs = dashboards[0]!.panels.flatMap((p) => p.targets.map((x) => x.expr));
  t.true(exprs.includes('sum by(source_app, destination_app, destination_namespace, source_namespace) (rate(hubble_flows_processed_total{source_namespace=~"$source_namespace", source_app=~"$source_app", destination_namespace=~"$destination_namespace", destination_app=~"$destination_app"}[$__rate_interval]))'));
  t.true(exprs.includes('sum by(source_app) (rate(hubble_flows_to_world_total{source_app=~"$source_app", source_namespace=~"$source_namespace"}[$__rate_interval]))'));
  t.true(exprs.includes('sum by(destination_app) (rate(hubble_flows_processed_total{destination_namespace=~"$destination_namespace", destination_app=~"$destination_app"}[$__rate_interval]))'));
});
