// A small Prometheus registry: counters, gauges and histograms with labels, exposed in the text
// format (0.0.4) the way client_golang writes it (families sorted by name, label names sorted,
// `le` last), so scrapes and golden texts are stable; or in OpenMetrics 1.0 when a scraper asks.
// Flow labels come from traffic, so a registry may bound the series of each metric (a new series
// beyond the cap is refused and counted) and remembers which pods own which series, so that a
// deleted pod's series can be dropped (forgetOwners). A sample may carry an exemplar (labels
// such as a trace ID): the latest one per counter series and per histogram bucket is kept and
// written in OpenMetrics only, the one format that has them.

export type MetricType = 'counter' | 'gauge' | 'histogram';

/** An OpenMetrics exemplar: its labels (e.g. traceID), the value it recorded and when (seconds). */
export interface Exemplar { labels: Readonly<Record<string, string>>; value: number; timestamp: number }

interface Series { labels: string[]; value: number; buckets?: number[]; sum?: number; count?: number; exemplar?: Exemplar; bucketExemplars?: (Exemplar | undefined)[] }

/** OpenMetrics caps an exemplar's label set at 128 UTF-8 characters (names and values). */
const EXEMPLAR_MAX_CHARS = 128;

function exemplarOf(labels: Readonly<Record<string, string>> | undefined, value: number, now: () => number): Exemplar | undefined {
  if (!labels) return undefined;
  const entries = Object.entries(labels).filter(([, v]) => v !== '');
  if (entries.length === 0) return undefined;
  const size = entries.reduce((n, [k, v]) => n + [...k].length + [...v].length, 0);
  if (size > EXEMPLAR_MAX_CHARS || entries.some(([k]) => !LABEL.test(k))) return undefined;
  return { labels: Object.fromEntries(entries), value, timestamp: now() };
}

export const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** What a registry lends its metrics: the cap on new series and who owns the series being made. */
export interface SeriesHost {
  /** False when the metric holds its maximum of series; the host counts the refusal. */
  admit(metric: Metric, size: number): boolean;
  /** Records that a new series belongs to the current owners (pods), if any. */
  own(metric: Metric, key: string): void;
}

export class Metric {
  private readonly series = new Map<string, Series>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: MetricType,
    readonly labelNames: readonly string[],
    readonly buckets: readonly number[] = DEFAULT_BUCKETS,
    private readonly host?: SeriesHost,
    private readonly now: () => number = () => Date.now() / 1000,
  ) {
    if (!NAME.test(name)) throw new Error(`metric ${name}: invalid name`);
    for (const l of labelNames) if (!LABEL.test(l) || l === 'le' && type === 'histogram') throw new Error(`metric ${name}: invalid label ${l}`);
    if (new Set(labelNames).size !== labelNames.length) throw new Error(`metric ${name}: duplicate label names`);
    if (labelNames.length === 0) this.get([]); // an unlabelled metric is exposed from the start, at zero
  }

  private get(values: readonly string[]): Series | undefined {
    if (values.length !== this.labelNames.length) {
      throw new Error(`metric ${this.name}: ${values.length} label values for ${this.labelNames.length} labels`);
    }
    const key = values.join('\u0000');
    let s = this.series.get(key);
    if (!s) {
      if (this.host && !this.host.admit(this, this.series.size)) return undefined;
      this.host?.own(this, key);
      s = { labels: [...values], value: 0 };
      if (this.type === 'histogram') Object.assign(s, { buckets: this.buckets.map(() => 0), sum: 0, count: 0 });
      this.series.set(key, s);
    }
    return s;
  }

  /** `exemplar`: labels of the event counted (counters only), kept as the series' latest exemplar. */
  inc(values: readonly string[] = [], by = 1, exemplar?: Readonly<Record<string, string>>): void {
    if (this.type === 'counter' && by < 0) throw new Error(`metric ${this.name}: counters only go up`);
    const s = this.get(values);
    if (!s) return;
    s.value += by;
    const e = this.type === 'counter' ? exemplarOf(exemplar, by, this.now) : undefined;
    if (e) s.exemplar = e;
  }

  set(values: readonly string[], value: number): void {
    if (this.type !== 'gauge') throw new Error(`metric ${this.name}: set on a ${this.type}`);
    const s = this.get(values);
    if (s) s.value = value;
  }

  /** `exemplar`: labels of the event observed, kept as the latest exemplar of the bucket it falls in. */
  observe(values: readonly string[], value: number, exemplar?: Readonly<Record<string, string>>): void {
    const s = this.get(values);
    if (!s) return;
    const b = s.buckets as number[];
    for (let i = 0; i < this.buckets.length; i++) if (value <= (this.buckets[i] as number)) b[i] = (b[i] ?? 0) + 1;
    const e = exemplarOf(exemplar, value, this.now);
    if (e) {
      // The exemplar belongs to the first bucket that holds the value (+Inf past the last).
      const i = this.buckets.findIndex((le) => value <= le);
      (s.bucketExemplars ??= [])[i < 0 ? this.buckets.length : i] = e;
    }
    s.sum = (s.sum ?? 0) + value;
    s.count = (s.count ?? 0) + 1;
  }

  /** Current value of one series (tests, status pages). */
  value(values: readonly string[] = []): number | undefined {
    const s = this.series.get(values.join('\u0000'));
    return this.type === 'histogram' ? s?.count : s?.value;
  }

  /** Number of series held. */
  get size(): number {
    return this.series.size;
  }

  /** Drops one series by its key (label values joined by NUL); false when it was not there. */
  deleteSeries(key: string): boolean {
    return this.series.delete(key);
  }

  /** Every series as label maps, for tests and the TUI. */
  samples(): { labels: Record<string, string>; value: number }[] {
    return [...this.series.values()].map((s) => ({
      labels: Object.fromEntries(this.labelNames.map((n, i) => [n, s.labels[i] ?? ''])),
      value: this.type === 'histogram' ? (s.count ?? 0) : s.value,
    }));
  }

  /**
   * The family's exposition. OpenMetrics names a counter family without its `_total` suffix
   * (the samples keep it); the text format names the family as the samples.
   */
  expose(format: ExpositionFormat = 'text'): string {
    if (this.series.size === 0) return ''; // like client_golang: a vector without series is not exposed
    const family = format === 'openmetrics' && this.type === 'counter' ? this.name.replace(/_total$/, '') : this.name;
    const lines = [`# HELP ${family} ${escapeHelp(this.help)}`, `# TYPE ${family} ${this.type}`];
    const order = this.labelNames.map((n, i) => [n, i] as const).sort((a, b) => (a[0] < b[0] ? -1 : 1));
    const rendered = [...this.series.values()].map((s) => ({ s, pairs: order.map(([n, i]) => `${n}="${escapeValue(s.labels[i] ?? '')}"`) }));
    rendered.sort((a, b) => (a.pairs.join(',') < b.pairs.join(',') ? -1 : 1));
    for (const { s, pairs } of rendered) {
      const lbl = (extra: string[] = []): string => (pairs.length + extra.length ? `{${[...pairs, ...extra].join(',')}}` : '');
      const ex = (e: Exemplar | undefined): string => (format === 'openmetrics' && e ? ` # ${exemplarText(e)}` : '');
      if (this.type !== 'histogram') {
        lines.push(`${this.name}${lbl()} ${num(s.value)}${ex(s.exemplar)}`);
        continue;
      }
      this.buckets.forEach((le, i) => lines.push(`${this.name}_bucket${lbl([`le="${num(le)}"`])} ${num(s.buckets?.[i] ?? 0)}${ex(s.bucketExemplars?.[i])}`));
      lines.push(`${this.name}_bucket${lbl(['le="+Inf"'])} ${num(s.count ?? 0)}${ex(s.bucketExemplars?.[this.buckets.length])}`);
      lines.push(`${this.name}_sum${lbl()} ${num(s.sum ?? 0)}`);
      lines.push(`${this.name}_count${lbl()} ${num(s.count ?? 0)}`);
    }
    return lines.join('\n') + '\n';
  }
}

function num(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}
const exemplarText = (e: Exemplar): string =>
  `{${Object.keys(e.labels).sort().map((k) => `${k}="${escapeValue(e.labels[k] ?? '')}"`).join(',')}} ${num(e.value)} ${num(Math.round(e.timestamp * 1000) / 1000)}`;
const escapeHelp = (s: string): string => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const escapeValue = (s: string): string => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

export type ExpositionFormat = 'text' | 'openmetrics';

export interface RegistryOptions {
  /** Most series one metric may hold; a new series beyond it is refused and counted. */
  maxSeriesPerMetric?: number;
  /** Wall clock in seconds, for exemplar timestamps (tests fix it). */
  now?: () => number;
}

/** The counter of refused series (one series per capped metric, so itself bounded). */
export const SERIES_REFUSED_METRIC = 'netobs_metrics_series_refused_total';

export class Registry implements SeriesHost {
  private readonly metrics = new Map<string, Metric>();
  private readonly maxSeries: number;
  private readonly now: (() => number) | undefined;
  private refusedMetric: Metric | undefined;
  /** Owner (e.g. `namespace/pod`) -> the series it owns, as metric and series key. */
  private readonly owned = new Map<string, Map<Metric, Set<string>>>();
  private owners: readonly string[] = [];

  constructor(o: RegistryOptions = {}) {
    this.maxSeries = o.maxSeriesPerMetric ?? Infinity;
    this.now = o.now;
  }

  admit(m: Metric, size: number): boolean {
    if (size < this.maxSeries) return true;
    this.refusedMetric ??= this.add(new Metric(SERIES_REFUSED_METRIC, 'Series not created because their metric held its maximum of series', 'counter', ['metric']));
    this.refusedMetric.inc([m.name]);
    return false;
  }

  own(m: Metric, key: string): void {
    for (const o of this.owners) {
      let byMetric = this.owned.get(o);
      if (!byMetric) this.owned.set(o, (byMetric = new Map()));
      let keys = byMetric.get(m);
      if (!keys) byMetric.set(m, (keys = new Set()));
      keys.add(key);
    }
  }

  /** Runs fn with new series recorded as owned by these owners. */
  owning<T>(owners: readonly string[], fn: () => T): T {
    const before = this.owners;
    this.owners = owners;
    try {
      return fn();
    } finally {
      this.owners = before;
    }
  }

  /** Owners that currently own series. */
  ownerKeys(): string[] {
    return [...this.owned.keys()];
  }

  /** Drops every series an owner owns (a deleted pod); returns how many went. */
  forgetOwner(owner: string): number {
    let n = 0;
    for (const [m, keys] of this.owned.get(owner) ?? []) for (const k of keys) if (m.deleteSeries(k)) n++;
    this.owned.delete(owner);
    return n;
  }

  private add(m: Metric): Metric {
    if (this.metrics.has(m.name)) throw new Error(`metric ${m.name}: registered twice`);
    this.metrics.set(m.name, m);
    return m;
  }

  counter(name: string, help: string, labelNames: readonly string[] = []): Metric {
    return this.add(new Metric(name, help, 'counter', labelNames, DEFAULT_BUCKETS, this, this.now));
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Metric {
    return this.add(new Metric(name, help, 'gauge', labelNames, DEFAULT_BUCKETS, this, this.now));
  }

  histogram(name: string, help: string, labelNames: readonly string[] = [], buckets: readonly number[] = DEFAULT_BUCKETS): Metric {
    return this.add(new Metric(name, help, 'histogram', labelNames, [...buckets].sort((a, b) => a - b), this, this.now));
  }

  get(name: string): Metric | undefined {
    return this.metrics.get(name);
  }

  /** The exposition in the text format 0.0.4, or in OpenMetrics 1.0 (which ends with `# EOF`). */
  expose(format: ExpositionFormat = 'text'): string {
    const body = [...this.metrics.values()].sort((a, b) => (a.name < b.name ? -1 : 1)).map((m) => m.expose(format)).join('');
    return format === 'openmetrics' ? `${body}# EOF\n` : body;
  }
}

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

/** The format a scraper's Accept header asks for: OpenMetrics when it names it, else text. */
export function negotiateFormat(accept: string | undefined): { format: ExpositionFormat; contentType: string } {
  const wantsOpenMetrics = (accept ?? '').split(',').some((part) => {
    const [type, ...params] = part.split(';').map((p) => p.trim());
    const q = params.find((p) => p.startsWith('q='));
    return type === 'application/openmetrics-text' && (q === undefined || Number(q.slice(2)) > 0);
  });
  return wantsOpenMetrics ? { format: 'openmetrics', contentType: OPENMETRICS_CONTENT_TYPE } : { format: 'text', contentType: EXPOSITION_CONTENT_TYPE };
}
