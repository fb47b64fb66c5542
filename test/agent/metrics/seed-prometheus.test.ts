// The seeds' metrics configurations, end to end without a cluster: each goes through `--set`,
// install's validation and rendering, the rendered ConfigMap and the agent's config parser; the
// agent's flow-metrics endpoint then serves it (in process) while flows are fed, a real Prometheus
// (Debian's `prometheus`, installed by scripts/setup.sh) scrapes it, and the seeds' PromQL must
// answer with the series the seeds' dashboards read.
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../../api/config.ts';
import type { Flow } from '../../../api/types.ts';
import { FlowMetrics } from '../../../agent/metrics/flow-metrics.ts';
import { flowMetricsListener } from '../../../agent/metrics/serve.ts';
import { listenHttp } from '../../../lib/listen.ts';
import { render, find } from '../../install/render/fixtures.ts';

// Seed 001's hubble-metrics-config (enabled-metrics), as one `--set` with Helm's `\,` escapes.
const SEED_001 = ['dns', 'drop', 'tcp', 'flow', 'icmp', 'http'].map((h) => `${h}:labelsContext=source_namespace\\,destination_namespace`);
// Seed 004's hubble.metrics.enabled, with its `flow-to-world` spelling and its later flow contexts.
const SEED_004 = [
  'dns', 'drop', 'tcp', 'flow:labelsContext=source_namespace\\,source_app\\,destination_namespace\\,destination_app', 'flow-to-world:labelsContext=source_namespace\\,source_app\\,destination_namespace\\,destination_app',
  'port-distribution', 'icmp',
  '"httpV2:exemplars=true;labelsContext=source_ip,source_namespace,source_workload,destination_ip,destination_namespace,destination_workload,traffic_direction"',
];

/** Handler specs as the agent reads them: --set, validation, render, ConfigMap, parseConfig. */
function installedHandlers(items: string[]): string[] {
  const cm = find(render({ sets: [`agent.metrics.handlers={${items.join(',')}}`] }), 'ConfigMap', 'netobs-config');
  return parseConfig(cm.data as Record<string, string>).metricsHandlers;
}

const ep = (ns: string, pod: string, app: string, identity: number) => ({ identity, namespace: ns, pod_name: `${pod}-7d9f`, labels: [`k8s:app=${app}`, `k8s:io.kubernetes.pod.namespace=${ns}`], workloads: [{ name: pod, kind: 'Deployment' }] });
const podA = ep('default', 'pod-a', 'pod-a', 300);
const podB = ep('default', 'pod-b', 'pod-b', 301);
const pinger = ep('default', 'test-connectivity', 'test-connectivity', 302);
const echo = ep('default', 'http-echo', 'http-echo', 303);
const world = { identity: 2, labels: ['reserved:world'] };
const ip = { source: '10.0.1.5', destination: '10.0.2.7', ipVersion: 1 as const };
const tcp = (src: typeof podA | typeof world, dst: typeof podA | typeof world, flags: object, reply: boolean): Flow => ({
  verdict: 1, IP: ip, l4: { TCP: { source_port: 40000, destination_port: 8080, flags } }, source: src, destination: dst,
  event_type: { type: 4, sub_type: 0 }, traffic_direction: 1, is_reply: { value: reply },
});
// The traffic of the seeds' scenarios: pod-a <-> pod-b over TCP and HTTP, DNS, a policy drop,
// test-connectivity pinging the world, the world reaching http-echo.
const FLOWS: Flow[] = [
  tcp(podA, podB, { SYN: true }, false), tcp(podB, podA, { SYN: true, ACK: true }, true), tcp(podB, podA, { FIN: true }, true),
  { verdict: 1, Type: 2, event_type: { type: 129 }, source: podA, traffic_direction: 2, l7: { type: 1, dns: { query: 'pod-b.default.svc.cluster.local.', qtypes: ['A'] } } },
  { verdict: 1, Type: 2, event_type: { type: 129 }, destination: podA, traffic_direction: 2, l7: { type: 2, dns: { query: 'pod-b.default.svc.cluster.local.', qtypes: ['A'], rcode: 0, ips: ['10.0.2.7'], rrtypes: ['A'] } } },
  { verdict: 2, drop_reason_desc: 133, IP: ip, l4: { UDP: { source_port: 5000, destination_port: 53 } }, source: podA, destination: podB, event_type: { type: 1, sub_type: 133 } },
  { verdict: 1, IP: { ...ip, destination: '142.250.1.1' }, l4: { ICMPv4: { type: 8 } }, source: pinger, destination: world, event_type: { type: 4, sub_type: 3 }, traffic_direction: 2, is_reply: { value: false } },
  { ...tcp(world, echo, { SYN: true }, false), IP: { ...ip, source: '203.0.113.9' } },
  { verdict: 1, Type: 2, event_type: { type: 129 }, IP: ip, source: podA, destination: podB, traffic_direction: 1, l7: { type: 1, http: { method: 'GET', protocol: 'HTTP/1.1', url: 'http://pod-b/' } } },
  { verdict: 1, Type: 2, event_type: { type: 129 }, IP: ip, source: podB, destination: podA, traffic_direction: 1, l7: { type: 2, latency_ns: 40_000_000, http: { code: 200, method: 'GET', protocol: 'HTTP/1.1', url: 'http://pod-b/' } } },
];

const freePort = async (): Promise<number> => {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
};

interface Sample { metric: Record<string, string>; value: [number, string] }

test("the seeds' metrics configurations install, and a real Prometheus answers their PromQL from the agent's endpoint", async (t) => {
  const seed001 = installedHandlers(SEED_001);
  t.deepEqual(seed001, ['dns', 'drop', 'tcp', 'flow', 'icmp', 'http'].map((h) => `${h}:labelsContext=source_namespace,destination_namespace`));
  const seed004 = installedHandlers(SEED_004);
  t.is(seed004.length, 8);

  const endpoints = [seed001, seed004].map((handlers) => ({ fm: new FlowMetrics(handlers), accepts: [] as string[] }));
  const servers = await Promise.all(endpoints.map(({ fm, accepts }) => {
    const serve = flowMetricsListener(fm);
    return listenHttp({ host: '127.0.0.1', port: 0 }, (req: http.IncomingMessage, res: http.ServerResponse) => {
      accepts.push(req.headers.accept ?? '');
      serve(req, res);
    });
  }));
  const feed = setInterval(() => {
    for (const { fm } of endpoints) for (const f of FLOWS) fm.processFlow(f);
  }, 200);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'netobs-seed-prom-'));
  const promPort = await freePort();
  const jobs = servers.map((s, i) => `  - job_name: seed${i}\n    static_configs: [{targets: ['127.0.0.1:${s.port}']}]\n`).join('');
  writeFileSync(path.join(dir, 'prometheus.yml'), `global: {scrape_interval: 1s, evaluation_interval: 1s}\nscrape_configs:\n${jobs}`);
  let promLog = '';
  const prom = spawn('prometheus', [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  prom.stderr.on('data', (d: Buffer) => (promLog = (promLog + d.toString()).slice(-4000)));
  const spawnError = new Promise<never>((_resolve, reject) => prom.on('error', (err) => reject(new Error(`start prometheus: ${err.message} (install Debian's prometheus package: scripts/setup.sh)`))));
  spawnError.catch(() => undefined);
  const query = async (q: string): Promise<Sample[]> => {
    const r = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(q)}`).catch(() => undefined);
    if (!r?.ok) return [];
    return ((await r.json()) as { data: { result: Sample[] } }).data.result;
  };
  /** The first answer with a positive value, waiting for scrapes (rates need two). */
  const answer = async (q: string): Promise<Sample[]> => {
    const deadline = Date.now() + 45_000;
    for (;;) {
      const res = await Promise.race([query(q), spawnError]);
      if (res.some((s) => Number(s.value[1]) > 0)) return res;
      if (Date.now() > deadline) throw new Error(`no positive answer to ${q}; prometheus log: ${promLog}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  };
  try {
    // Seed 001: its handlers' series, by its namespace labels.
    const byNs = '{source_namespace="default", destination_namespace="default", job="seed0"}';
    for (const q of [
      `sum by (source_namespace, destination_namespace) (rate(hubble_flows_processed_total${byNs}[5s]))`,
      `sum by (reason) (rate(hubble_drop_total${byNs}[5s]))`,
      `hubble_tcp_flags_total{flag="SYN-ACK", job="seed0"}`,
      'hubble_icmp_total{family="IPv4", type="EchoRequest", job="seed0"}',
      'hubble_dns_queries_total{source_namespace="default", job="seed0"}',
      'hubble_dns_responses_total{rcode="No Error", destination_namespace="default", job="seed0"}',
      `sum by (method, protocol) (rate(hubble_http_requests_total${byNs}[5s]))`,
      `sum by (method, status) (rate(hubble_http_responses_total${byNs}[5s]))`,
      `histogram_quantile(0.95, sum by (le) (rate(hubble_http_request_duration_seconds_bucket${byNs}[5s])))`,
    ]) t.true((await answer(q)).length > 0, q);
    const p95 = Number((await answer('histogram_quantile(0.95, sum by (le) (rate(hubble_http_request_duration_seconds_bucket{job="seed0"}[5s])))'))[0]!.value[1]);
    t.true(p95 > 0.025 && p95 <= 0.05, `p95 ${p95} lies in the bucket of the 40 ms responses`);

    // Seed 004: its four dashboard panels, verbatim but for Grafana's $__rate_interval.
    const panels = [
      'sum by(source_app, destination_app, destination_namespace, source_namespace) (rate(hubble_flows_processed_total{source_app="pod-a", destination_app="pod-b", source_namespace="default", destination_namespace="default"}[5s]))',
      'sum by(source_app, destination_app, destination_namespace, source_namespace) (rate(hubble_flows_processed_total{source_app="pod-b", destination_app="pod-a"}[5s]))',
      'sum by(source_app) (rate(hubble_flows_to_world_total{source_app="test-connectivity", source_namespace="default"}[5s]))',
      'sum by(destination_app) (rate(hubble_flows_processed_total{destination_namespace="default", destination_app="http-echo"}[5s]))',
    ];
    const apps = [];
    for (const q of panels) apps.push((await answer(q))[0]!.metric);
    t.like(apps[0], { source_app: 'pod-a', destination_app: 'pod-b' });
    t.like(apps[1], { source_app: 'pod-b', destination_app: 'pod-a' });
    t.like(apps[2], { source_app: 'test-connectivity' });
    t.like(apps[3], { destination_app: 'http-echo' });

    // Prometheus asked for OpenMetrics and took it (the series above came through that parser).
    for (const { accepts } of endpoints) t.regex(accepts[0] ?? '', /^application\/openmetrics-text/);
  } finally {
    clearInterval(feed);
    prom.kill();
    await new Promise((resolve) => (prom.exitCode === null ? prom.on('exit', resolve) : resolve(undefined)));
    for (const s of servers) await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
