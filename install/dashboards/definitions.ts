// The three dashboards install ships: flow metrics (Hubble names, with the PromQL of seed 004),
// policy verdicts, and the agents' own metrics. Flow and policy panels only use hubble_* names and
// labels from docs/compat-facts.md; the agent panels use the netobs_* names listed in AGENT_METRICS,
// which the agent exports on its metrics port.
import { dashboard, type DashboardSpec } from './grafana.ts';
import { GOLDEN_METRICS } from '../../api/metrics-grammar.ts';

const rate = (metric: string, selector = '') => `rate(${metric}${selector ? `{${selector}}` : ''}[$__rate_interval])`;

const APP_FILTER = 'source_namespace=~"$source_namespace", source_app=~"$source_app", destination_namespace=~"$destination_namespace", destination_app=~"$destination_app"';

export const flowDashboard: DashboardSpec = {
  uid: 'netobs-flows',
  title: 'netobs / Flows',
  description: 'Hubble-compatible flow metrics exported by the netobs agents (port 9965).',
  tags: ['netobs', 'hubble', 'flows'],
  variables: [
    { name: 'source_namespace', label: 'Source namespace', query: 'label_values(hubble_flows_processed_total, source_namespace)' },
    { name: 'source_app', label: 'Source app', query: 'label_values(hubble_flows_processed_total{source_namespace=~"$source_namespace"}, source_app)' },
    { name: 'destination_namespace', label: 'Destination namespace', query: 'label_values(hubble_flows_processed_total, destination_namespace)' },
    { name: 'destination_app', label: 'Destination app', query: 'label_values(hubble_flows_processed_total{destination_namespace=~"$destination_namespace"}, destination_app)' },
  ],
  panels: [
    // Seed 004's four panels, with the apps and namespaces as variables instead of literals.
    {
      title: 'App to app',
      expr: `sum by(source_app, destination_app, destination_namespace, source_namespace) (${rate('hubble_flows_processed_total', APP_FILTER)})`,
      legend: '{{source_namespace}}/{{source_app}} -> {{destination_namespace}}/{{destination_app}}',
      unit: 'reqps',
    },
    {
      title: 'App to app (reverse direction)',
      expr: `sum by(source_app, destination_app, destination_namespace, source_namespace) (${rate('hubble_flows_processed_total', 'source_namespace=~"$destination_namespace", source_app=~"$destination_app", destination_namespace=~"$source_namespace", destination_app=~"$source_app"')})`,
      legend: '{{source_namespace}}/{{source_app}} -> {{destination_namespace}}/{{destination_app}}',
      unit: 'reqps',
    },
    {
      title: 'Pod to world',
      expr: `sum by(source_app) (${rate('hubble_flows_to_world_total', 'source_app=~"$source_app", source_namespace=~"$source_namespace"')})`,
      legend: '{{source_app}}',
      unit: 'reqps',
    },
    {
      title: 'Into apps (world included)',
      expr: `sum by(destination_app) (${rate('hubble_flows_processed_total', 'destination_namespace=~"$destination_namespace", destination_app=~"$destination_app"')})`,
      legend: '{{destination_app}}',
      unit: 'reqps',
    },
    { title: 'Flows by verdict', expr: `sum by(verdict) (${rate('hubble_flows_processed_total')})`, legend: '{{verdict}}', unit: 'reqps' },
    { title: 'Flows by type', expr: `sum by(type, subtype) (${rate('hubble_flows_processed_total')})`, legend: '{{type}} {{subtype}}', unit: 'reqps' },
    { title: 'Drops by reason', expr: `sum by(reason, protocol) (${rate('hubble_drop_total')})`, legend: '{{reason}} {{protocol}}', unit: 'pps' },
    { title: 'TCP flags', expr: `sum by(flag, family) (${rate('hubble_tcp_flags_total')})`, legend: '{{flag}} {{family}}', unit: 'pps' },
    { title: 'DNS responses by rcode', expr: `sum by(rcode, qtypes) (${rate('hubble_dns_responses_total')})`, legend: '{{rcode}} {{qtypes}}', unit: 'reqps' },
    { title: 'HTTP requests by status', expr: `sum by(method, status) (${rate('hubble_http_requests_total')})`, legend: '{{method}} {{status}}', unit: 'reqps' },
    {
      title: 'HTTP latency p95',
      expr: `histogram_quantile(0.95, sum by(le, method) (${rate('hubble_http_request_duration_seconds_bucket')}))`,
      legend: '{{method}}',
      unit: 's',
    },
    { title: 'ICMP by type', expr: `sum by(family, type) (${rate('hubble_icmp_total')})`, legend: '{{family}} {{type}}', unit: 'pps' },
    { title: 'Top destination ports', expr: `topk(10, sum by(protocol, port) (${rate('hubble_port_distribution_total')}))`, legend: '{{protocol}}/{{port}}', unit: 'reqps' },
    { title: 'Lost events', expr: `sum by(source) (${rate('hubble_lost_events_total')})`, legend: '{{source}}', unit: 'short', description: 'Events the datapath or the agent could not keep: never silent.' },
  ],
};

export const policyDashboard: DashboardSpec = {
  uid: 'netobs-policy',
  title: 'netobs / Policy verdicts',
  description: 'Policy verdicts and policy drops, from the Hubble-compatible flow metrics.',
  tags: ['netobs', 'hubble', 'policy'],
  variables: [{ name: 'namespace', label: 'Namespace', query: 'label_values(hubble_flows_processed_total, destination_namespace)' }],
  panels: [
    { title: 'Policy verdicts by direction and match', expr: `sum by(direction, match) (${rate('hubble_policy_verdicts_total')})`, legend: '{{direction}} {{match}}', unit: 'reqps' },
    { title: 'Policy drops', expr: `sum by(reason) (${rate('hubble_drop_total', 'reason=~"POLICY_DENIED|POLICY_DENY"')})`, legend: '{{reason}}', unit: 'pps' },
    {
      title: 'Dropped flows into the namespace',
      expr: `sum by(source_namespace, source_app, destination_app) (${rate('hubble_flows_processed_total', 'verdict="DROPPED", destination_namespace=~"$namespace"')})`,
      legend: '{{source_namespace}}/{{source_app}} -> {{destination_app}}',
      unit: 'reqps',
    },
    {
      title: 'Dropped flows out of the namespace',
      expr: `sum by(source_app, destination_namespace, destination_app) (${rate('hubble_flows_processed_total', 'verdict="DROPPED", source_namespace=~"$namespace"')})`,
      legend: '{{source_app}} -> {{destination_namespace}}/{{destination_app}}',
      unit: 'reqps',
    },
    {
      title: 'Share of flows dropped',
      kind: 'stat',
      expr: `sum(${rate('hubble_flows_processed_total', 'verdict="DROPPED"')}) / sum(${rate('hubble_flows_processed_total')})`,
      unit: 'percentunit',
      width: 8,
    },
    { title: 'Policy verdicts (total)', kind: 'stat', expr: `sum(${rate('hubble_policy_verdicts_total')})`, unit: 'reqps', width: 8 },
    { title: 'Lost events', kind: 'stat', expr: `sum(${rate('hubble_lost_events_total')})`, unit: 'short', width: 8 },
  ],
};

/** The agent metrics (port 9962) the agent dashboard reads; the agent must export these names. */
export const AGENT_METRICS = {
  endpoints: 'netobs_endpoints',
  identities: 'netobs_identities',
  policies: 'netobs_policies',
  datapathPackets: 'netobs_datapath_packets_total',
  datapathDrops: 'netobs_datapath_drops_total',
  mapPressure: 'netobs_bpf_map_pressure',
} as const;

export const agentDashboard: DashboardSpec = {
  uid: 'netobs-agent',
  title: 'netobs / Agents',
  description: 'The netobs agents: endpoints, identities, datapath counters, map pressure and resources (port 9962).',
  tags: ['netobs', 'agent'],
  variables: [{ name: 'instance', label: 'Agent', query: `label_values(${AGENT_METRICS.endpoints}, instance)` }],
  panels: [
    { title: 'Agents reporting', kind: 'stat', expr: `count(${AGENT_METRICS.endpoints})`, width: 6 },
    { title: 'Endpoints', kind: 'stat', expr: `sum(${AGENT_METRICS.endpoints})`, width: 6 },
    { title: 'Identities', kind: 'stat', expr: `max(${AGENT_METRICS.identities})`, width: 6 },
    { title: 'Policies', kind: 'stat', expr: `max(${AGENT_METRICS.policies})`, width: 6 },
    { title: 'Endpoints per agent', expr: `sum by(instance) (${AGENT_METRICS.endpoints}{instance=~"$instance"})`, legend: '{{instance}}' },
    { title: 'Datapath packets by verdict', expr: `sum by(direction, verdict) (${rate(AGENT_METRICS.datapathPackets, 'instance=~"$instance"')})`, legend: '{{direction}} {{verdict}}', unit: 'pps' },
    { title: 'Datapath drops by reason', expr: `sum by(direction, reason) (${rate(AGENT_METRICS.datapathDrops, 'instance=~"$instance"')})`, legend: '{{direction}} {{reason}}', unit: 'pps' },
    { title: 'BPF map pressure', expr: `max by(map) (${AGENT_METRICS.mapPressure}{instance=~"$instance"})`, legend: '{{map}}', unit: 'percentunit' },
    { title: 'Agent CPU', expr: `sum by(instance) (${rate('process_cpu_seconds_total', 'instance=~"$instance"')})`, legend: '{{instance}}', unit: 'percentunit' },
    { title: 'Agent memory (RSS)', expr: `max by(instance) (process_resident_memory_bytes{instance=~"$instance"})`, legend: '{{instance}}', unit: 'bytes' },
  ],
};

/**
 * Golden signals per workload: HTTP rate, errors and latency (Hubble's httpV2 with workload
 * contexts, counted where the server sees the request), routes (netobs's workload-http handler,
 * opt-in per namespace), DNS errors of the querying workload and what became of TCP connections.
 */
const SERVER = 'reporter="server", destination_namespace=~"$namespace", destination_workload=~"$workload"';
const quantile = (q: number, metric: string, selector: string, by: string) =>
  `histogram_quantile(${q}, sum by(le, ${by}) (${rate(metric, selector)}))`;

export const goldenDashboard: DashboardSpec = {
  uid: 'netobs-golden',
  title: 'netobs / Golden signals',
  description: 'Rate, errors and latency per workload from the HTTP the datapath parses; DNS errors by workload; TCP connection outcomes.',
  tags: ['netobs', 'golden-signals', 'http'],
  variables: [
    { name: 'namespace', label: 'Namespace', query: 'label_values(hubble_http_requests_total, destination_namespace)' },
    { name: 'workload', label: 'Workload', query: 'label_values(hubble_http_requests_total{destination_namespace=~"$namespace"}, destination_workload)' },
  ],
  panels: [
    { title: 'Requests by workload pair', expr: `sum by(source_workload, destination_workload) (${rate('hubble_http_requests_total', SERVER)})`, legend: '{{source_workload}} -> {{destination_workload}}', unit: 'reqps' },
    {
      title: '5xx ratio by workload',
      expr: `sum by(destination_workload) (${rate('hubble_http_requests_total', `${SERVER}, status=~"5.."`)}) / sum by(destination_workload) (${rate('hubble_http_requests_total', SERVER)})`,
      legend: '{{destination_workload}}',
      unit: 'percentunit',
    },
    { title: 'Latency p50 by workload', expr: quantile(0.5, 'hubble_http_request_duration_seconds_bucket', SERVER, 'destination_workload'), legend: '{{destination_workload}}', unit: 's' },
    { title: 'Latency p99 by workload', expr: quantile(0.99, 'hubble_http_request_duration_seconds_bucket', SERVER, 'destination_workload'), legend: '{{destination_workload}}', unit: 's' },
    {
      title: 'Requests by route (workload-http)',
      expr: `sum by(destination_workload, method, route, status) (${rate(GOLDEN_METRICS.routeRequests, 'destination_namespace=~"$namespace", destination_workload=~"$workload"')})`,
      legend: '{{destination_workload}} {{method}} {{route}} {{status}}',
      unit: 'reqps',
      description: 'Needs the workload-http handler for the namespace (opt-in).',
    },
    {
      title: 'Latency p99 by route (workload-http)',
      expr: quantile(0.99, `${GOLDEN_METRICS.routeDuration}_bucket`, 'destination_namespace=~"$namespace", destination_workload=~"$workload"', 'destination_workload, route'),
      legend: '{{destination_workload}} {{route}}',
      unit: 's',
    },
    {
      title: 'DNS errors by workload',
      expr: `sum by(destination_namespace, destination_workload, rcode) (${rate('hubble_dns_responses_total', 'rcode!="No Error", destination_namespace=~"$namespace"')})`,
      legend: '{{destination_namespace}}/{{destination_workload}} {{rcode}}',
      unit: 'reqps',
      description: 'A DNS response goes to the workload that asked: its destination.',
    },
    {
      title: 'TCP connections by outcome',
      expr: `sum by(outcome) (${rate(GOLDEN_METRICS.tcpConnections, 'destination_namespace=~"$namespace", destination_workload=~"$workload"')})`,
      legend: '{{outcome}}',
      unit: 'cps',
    },
    {
      title: 'SYNs without an answer or refused, by pair',
      expr: `sum by(source_workload, destination_workload, outcome) (${rate(GOLDEN_METRICS.tcpConnections, 'outcome=~"timeout|refused", destination_namespace=~"$namespace", destination_workload=~"$workload"')})`,
      legend: '{{source_workload}} -> {{destination_workload}} {{outcome}}',
      unit: 'cps',
    },
  ],
};

export const DASHBOARDS = [
  { name: 'netobs-dashboard-flows', file: 'netobs-flows.json', spec: flowDashboard },
  { name: 'netobs-dashboard-policy', file: 'netobs-policy.json', spec: policyDashboard },
  { name: 'netobs-dashboard-agent', file: 'netobs-agent.json', spec: agentDashboard },
  { name: 'netobs-dashboard-golden', file: 'netobs-golden.json', spec: goldenDashboard },
] as const;

export function renderDashboardJson(spec: DashboardSpec): string {
  return JSON.stringify(dashboard(spec), null, 2) + '\n';
}
