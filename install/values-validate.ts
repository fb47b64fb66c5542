// Checks merged values against the defaults' shape (unknown keys, wrong types) and the rules
// that types cannot say (ports, names, ring size, metrics handlers). Messages are one line and
// name the bad key, e.g. `values: agent.flowRingSize: 4096 is not a power of two minus one`.
import { OPEN_KEYS, type Values } from './values.ts';
import { checkMetricsHandler } from './metrics-handlers.ts';
import { checkHandlerSet } from '../api/metrics-grammar.ts';
import { isIP } from 'node:net';
import { exporterConfig } from '../api/exporter-config.ts';

export class ValuesError extends Error {}

const fail = (key: string, why: string): never => {
  throw new ValuesError(`values: ${key}: ${why}`);
};

/** Throws ValuesError for the first problem found; returns the input typed as Values. */
export function validateValues(input: unknown, defaults: Values): Values {
  const v = checkShape(input, defaults, '') as Values;
  checkRules(v);
  return v;
}

function kind(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'list';
  if (typeof x === 'object') return 'map';
  return typeof x;
}

/** Returns the value with the defaults' shape; numbers and booleans given for strings become
 * strings, since `--set tag=1` and YAML `tag: 1` type them before we can know the key. */
function checkShape(value: unknown, like: unknown, key: string): unknown {
  const want = kind(like);
  const got = kind(value);
  if (want === 'string' && (got === 'number' || got === 'boolean')) return String(value);
  if (want !== got) fail(key || '(root)', `expected a ${want}, got ${got} ${JSON.stringify(value)}`);
  if (OPEN_KEYS.includes(key)) return value;
  if (got === 'map') {
    const l = like as Record<string, unknown>;
    const v = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) {
      const sub = key ? `${key}.${k}` : k;
      if (!(k in l)) fail(sub, `unknown key${suggest(k, Object.keys(l))}`);
      out[k] = checkShape(v[k], l[k], sub);
    }
    for (const k of Object.keys(l)) if (!(k in v)) fail(key ? `${key}.${k}` : k, 'missing (set it or remove null)');
    return out;
  }
  if (got === 'list') {
    const sample = (like as unknown[])[0];
    return (value as unknown[]).map((item, i) => {
      if (item === null) fail(`${key}[${i}]`, 'empty list item');
      return sample !== undefined ? checkShape(item, sample, `${key}[${i}]`) : item;
    });
  }
  return value;
}

function suggest(k: string, known: string[]): string {
  const lower = k.toLowerCase();
  const near = known.find((c) => c.toLowerCase() === lower || distance(c.toLowerCase(), lower) <= 2);
  return near ? ` (did you mean ${near}?)` : ` (known: ${known.join(', ')})`;
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length]![b.length]!;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const QUANTITY = /^[+]?(\d+(\.\d*)?|\.\d+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei|e\d+)?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

function port(key: string, p: number): void {
  if (!Number.isInteger(p) || p < 1 || p > 65535) fail(key, `${p} is not a port number (1-65535)`);
}

function resources(key: string, r: Values['agent']['resources']): void {
  for (const part of ['requests', 'limits'] as const) {
    const list = r[part] ?? {};
    for (const [name, q] of Object.entries(list)) {
      if (name !== 'cpu' && name !== 'memory' && name !== 'ephemeral-storage') fail(`${key}.${part}.${name}`, 'unknown resource (use cpu, memory, ephemeral-storage)');
      if (typeof q !== 'string' || !QUANTITY.test(q)) fail(`${key}.${part}.${name}`, `${JSON.stringify(q)} is not a quantity (e.g. 100m, 256Mi)`);
    }
  }
}

function stringMap(key: string, m: Record<string, unknown>): void {
  for (const [k, val] of Object.entries(m)) if (typeof val !== 'string') fail(`${key}.${k}`, `expected a string, got ${JSON.stringify(val)}`);
}

function checkRules(v: Values): void {
  if (!DNS_LABEL.test(v.namespace)) fail('namespace', `"${v.namespace}" is not a valid namespace name`);
  if (!DNS_LABEL.test(v.clusterName)) fail('clusterName', `"${v.clusterName}" must be a DNS label`);
  if (!v.version) fail('version', 'must not be empty');
  if (!/^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-]+[a-z0-9]+)*)*$/.test(v.image.repository))
    fail('image.repository', `"${v.image.repository}" is not an image repository (e.g. registry.example/netobs/netobs)`);
  if (v.image.tag && !/^[\w][\w.-]{0,127}$/.test(v.image.tag)) fail('image.tag', `"${v.image.tag}" is not a valid tag`);
  if (v.image.digest && !/^sha256:[a-f0-9]{64}$/.test(v.image.digest)) fail('image.digest', `"${v.image.digest}" is not sha256:<64 hex>`);
  if (!['IfNotPresent', 'Always', 'Never'].includes(v.image.pullPolicy)) fail('image.pullPolicy', `"${v.image.pullPolicy}": use IfNotPresent, Always or Never`);
  v.imagePullSecrets.forEach((s, i) => DNS_LABEL.test(s) || fail(`imagePullSecrets[${i}]`, `"${s}" is not a secret name`));
  const a = v.agent;
  if (!['debug', 'info', 'warn', 'error'].includes(a.logLevel)) fail('agent.logLevel', `"${a.logLevel}": use debug, info, warn or error`);
  if (!a.bpffsRoot.startsWith('/sys/fs/bpf/') || a.bpffsRoot.includes('..')) fail('agent.bpffsRoot', `"${a.bpffsRoot}" must be a directory under /sys/fs/bpf/`);
  const n = a.flowRingSize;
  if (!Number.isInteger(n) || n < 1 || n > 65535 || (n & (n + 1)) !== 0) fail('agent.flowRingSize', `${n} is not a power of two minus one between 1 and 65535 (e.g. 4095)`);
  a.httpPorts.forEach((p, i) => port(`agent.httpPorts[${i}]`, p));
  for (const [k, p] of Object.entries(a.ports)) port(`agent.ports.${k}`, p);
  const used = new Map<number, string>();
  for (const [k, p] of Object.entries(a.ports)) {
    if (used.has(p)) fail(`agent.ports.${k}`, `${p} is already used by agent.ports.${used.get(p)}`);
    used.set(p, k);
  }
  a.metrics.handlers.forEach((h, i) => {
    const why = checkMetricsHandler(h);
    if (why) fail(`agent.metrics.handlers[${i}]`, why);
  });
  if (!Number.isInteger(a.metrics.maxSeriesPerMetric) || a.metrics.maxSeriesPerMetric < 0) {
    fail('agent.metrics.maxSeriesPerMetric', `${a.metrics.maxSeriesPerMetric} is not a non-negative integer (0: no cap)`);
  }
  if (a.metrics.listenAddress !== '' && !isIP(a.metrics.listenAddress)) {
    fail('agent.metrics.listenAddress', `"${a.metrics.listenAddress}" is not an IP address ('' for the node's IP, 0.0.0.0 for every interface)`);
  }
  if (a.exporter.enabled) {
    try {
      exporterConfig(a.exporter);
    } catch (err) {
      fail('agent.exporter', (err as Error).message);
    }
  }
  const setWhy = checkHandlerSet(a.metrics.handlers.map((h) => h.split(':')[0] ?? h));
  if (setWhy) fail('agent.metrics.handlers', setWhy);
  resources('agent.resources', a.resources);
  stringMap('agent.nodeSelector', a.nodeSelector);
  stringMap('agent.podAnnotations', a.podAnnotations);
  tolerations('agent.tolerations', a.tolerations);
  if (a.priorityClassName && !DNS_LABEL.test(a.priorityClassName)) fail('agent.priorityClassName', `"${a.priorityClassName}" is not a valid name`);
  if (!Number.isInteger(a.terminationGracePeriodSeconds) || a.terminationGracePeriodSeconds < 5)
    fail('agent.terminationGracePeriodSeconds', 'must be an integer of at least 5 (the preStop hook needs time to detach programs)');
  if (!/^(\d+|\d{1,2}%|100%)$/.test(String(a.maxUnavailable))) fail('agent.maxUnavailable', `"${a.maxUnavailable}" must be a count or a percentage`);
  const r = v.relay;
  port('relay.port', r.port);
  if (!Number.isInteger(r.replicas) || r.replicas < 0) fail('relay.replicas', `${r.replicas} must be a non-negative integer`);
  resources('relay.resources', r.resources);
  stringMap('relay.nodeSelector', r.nodeSelector);
  tolerations('relay.tolerations', r.tolerations);
  if (!Number.isInteger(v.tls.validityDays) || v.tls.validityDays < 1) fail('tls.validityDays', `${v.tls.validityDays} must be a positive integer`);
  if (!LABEL_VALUE.test(v.dashboards.labelValue)) fail('dashboards.labelValue', `"${v.dashboards.labelValue}" is not a label value`);
  if (!/^([a-z0-9.-]+\/)?[A-Za-z0-9_.-]+$/.test(v.dashboards.label)) fail('dashboards.label', `"${v.dashboards.label}" is not a label key`);
  if (v.dashboards.namespace && !DNS_LABEL.test(v.dashboards.namespace)) fail('dashboards.namespace', `"${v.dashboards.namespace}" is not a valid namespace name`);
  if (!/^\d+(ms|s|m|h)$/.test(v.serviceMonitor.interval)) fail('serviceMonitor.interval', `"${v.serviceMonitor.interval}" is not a duration (e.g. 10s)`);
  stringMap('serviceMonitor.labels', v.serviceMonitor.labels);
}

function tolerations(key: string, list: Values['agent']['tolerations']): void {
  list.forEach((t, i) => {
    if (t === null || typeof t !== 'object') fail(`${key}[${i}]`, 'expected a map');
    for (const k of Object.keys(t)) if (!['key', 'operator', 'value', 'effect', 'tolerationSeconds'].includes(k)) fail(`${key}[${i}].${k}`, 'unknown toleration field');
    if (t.operator !== undefined && t.operator !== 'Exists' && t.operator !== 'Equal') fail(`${key}[${i}].operator`, `"${t.operator}": use Exists or Equal`);
    if (t.effect !== undefined && !['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(t.effect)) fail(`${key}[${i}].effect`, `"${t.effect}": use NoSchedule, PreferNoSchedule or NoExecute`);
  });
}
