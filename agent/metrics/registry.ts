// A small Prometheus registry: counters, gauges and histograms with labels, exposed in the text
// format (0.0.4) the way client_golang writes it (families sorted by name, label names sorted,
// `le` last), so scrapes and golden texts are stable.

export type MetricType = 'counter' | 'gauge' | 'histogram';

interface Series { labels: string[]; value: number; buckets?: number[]; sum?: number; count?: number }

export const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export class Metric {
  private readonly series = new Map<string, Series>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: MetricType,
    readonly labelNames: readonly string[],
    readonly buckets: readonly number[] = DEFAULT_BUCKETS,
  ) {
    if (!NAME.test(name)) throw new Error(`metric ${name}: invalid name`);
    for (const l of labelNames) if (!LABEL.test(l) || l === 'le' && type === 'histogram') throw new Error(`metric ${name}: invalid label ${l}`);
    if (new Set(labelNames).size !== labelNames.length) throw new Error(`metric ${name}: duplicate label names`);
    if (labelNames.length === 0) this.get([]); // an unlabelled metric is exposed from the start, at zero
  }

  private get(values: readonly string[]): Series {
    if (values.length !== this.labelNames.length) {
      throw new Error(`metric ${this.name}: ${values.length} label values for ${this.labelNames.length} labels`);
    }
    const key = values.join('\u0000');
    let s = this.series.get(key);
    if (!s) {
      s = { labels: [...values], value: 0 };
      if (this.type === 'histogram') Object.assign(s, { buckets: this.buckets.map(() => 0), sum: 0, count: 0 });
      this.series.set(key, s);
    }
    return s;
  }

  inc(values: readonly string[] = [], by = 1): void {
    if (this.type === 'counter' && by < 0) throw new Error(`metric ${this.name}: counters only go up`);
    this.get(values).value += by;
  }

  set(values: readonly string[], value: number): void {
    if (this.type !== 'gauge') throw new Error(`metric ${this.name}: set on a ${this.type}`);
    this.get(values).value = value;
  }

  observe(values: readonly string[], value: number): void {
    const s = this.get(values);
    const b = s.buckets as number[];
    for (let i = 0; i < this.buckets.length; i++) if (value <= (this.buckets[i] as number)) b[i] = (b[i] ?? 0) + 1;
    s.sum = (s.sum ?? 0) + value;
    s.count = (s.count ?? 0) + 1;
  }

  /** Current value of one series (tests, status pages). */
  value(values: readonly string[] = []): number | undefined {
    const s = this.series.get(values.join('\u0000'));
    return this.type === 'histogram' ? s?.count : s?.value;
  }

  /** Every series as label maps, for tests and the TUI. */
  samples(): { labels: Record<string, string>; value: number }[] {
    return [...this.series.values()].map((s) => ({
      labels: Object.fromEntries(this.labelNames.map((n, i) => [n, s.labels[i] ?? ''])),
      value: this.type === 'histogram' ? (s.count ?? 0) : s.value,
    }));
  }

  expose(): string {
    if (this.series.size === 0) return ''; // like client_golang: a vector without series is not exposed
    const lines = [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`];
    const order = this.labelNames.map((n, i) => [n, i] as const).sort((a, b) => (a[0] < b[0] ? -1 : 1));
    const rendered = [...this.series.values()].map((s) => ({ s, pairs: order.map(([n, i]) => `${n}="${escapeValue(s.labels[i] ?? '')}"`) }));
    rendered.sort((a, b) => (a.pairs.join(',') < b.pairs.join(',') ? -1 : 1));
    for (const { s, pairs } of rendered) {
      const lbl = (extra: string[] = []): string => (pairs.length + extra.length ? `{${[...pairs, ...extra].join(',')}}` : '');
      if (this.type !== 'histogram') {
        lines.push(`${this.name}${lbl()} ${num(s.value)}`);
        continue;
      }
      this.buckets.forEach((le, i) => lines.push(`${this.name}_bucket${lbl([`le="${num(le)}"`])} ${num(s.buckets?.[i] ?? 0)}`));
      lines.push(`${this.name}_bucket${lbl(['le="+Inf"'])} ${num(s.count ?? 0)}`);
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
const escapeHelp = (s: string): string => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const escapeValue = (s: string): string => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

export class Registry {
  private readonly metrics = new Map<string, Metric>();

  private add(m: Metric): Metric {
    if (this.metrics.has(m.name)) throw new Error(`metric ${m.name}: registered twice`);
    this.metrics.set(m.name, m);
    return m;
  }

  counter(name: string, help: string, labelNames: readonly string[] = []): Metric {
    return this.add(new Metric(name, help, 'counter', labelNames));
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Metric {
    return this.add(new Metric(name, help, 'gauge', labelNames));
  }

  histogram(name: string, help: string, labelNames: readonly string[] = [], buckets: readonly number[] = DEFAULT_BUCKETS): Metric {
    return this.add(new Metric(name, help, 'histogram', labelNames, [...buckets].sort((a, b) => a - b)));
  }

  get(name: string): Metric | undefined {
    return this.metrics.get(name);
  }

  /** The text exposition (Content-Type `text/plain; version=0.0.4; charset=utf-8`). */
  expose(): string {
    return [...this.metrics.values()].sort((a, b) => (a.name < b.name ? -1 : 1)).map((m) => m.expose()).join('');
  }
}

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
