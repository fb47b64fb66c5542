// Prometheus text exposition (format 0.0.4) for the agent's own metrics. Metrics are read at
// scrape time from the components that own the numbers (collect callbacks), except histograms,
// which record observations as they happen.

export type Labels = Readonly<Record<string, string>>;
export interface Sample {
  readonly labels?: Labels;
  readonly value: number | bigint;
}

export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  samples(): Sample[] | string;
}

const escapeValue = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

export function formatLabels(labels: Labels | undefined, extra?: Labels): string {
  const all = { ...labels, ...extra };
  const keys = Object.keys(all);
  if (keys.length === 0) return '';
  return `{${keys.map((k) => `${k}="${escapeValue(all[k] ?? '')}"`).join(',')}}`;
}

const num = (v: number | bigint): string => (typeof v === 'bigint' ? v.toString() : Number.isFinite(v) ? String(v) : v > 0 ? '+Inf' : v < 0 ? '-Inf' : 'NaN');

export class Histogram implements MetricFamily {
  readonly type = 'histogram';
  readonly #counts: number[];
  #sum = 0;
  #count = 0;

  constructor(readonly name: string, readonly help: string, readonly buckets: readonly number[]) {
    this.#counts = buckets.map(() => 0);
  }

  observe(v: number): void {
    for (let i = 0; i < this.buckets.length; i++) if (v <= (this.buckets[i] as number)) this.#counts[i]!++;
    this.#sum += v;
    this.#count++;
  }

  samples(): string {
    const lines = this.buckets.map((b, i) => `${this.name}_bucket{le="${b}"} ${this.#counts[i]}`);
    lines.push(`${this.name}_bucket{le="+Inf"} ${this.#count}`, `${this.name}_sum ${this.#sum}`, `${this.name}_count ${this.#count}`);
    return lines.join('\n');
  }
}

export class Registry {
  readonly #families: MetricFamily[] = [];

  add<T extends MetricFamily>(f: T): T {
    this.#families.push(f);
    return f;
  }

  gauge(name: string, help: string, collect: () => Sample[] | number): void {
    this.add({ name, help, type: 'gauge', samples: () => wrap(collect()) });
  }

  counter(name: string, help: string, collect: () => Sample[] | number | bigint): void {
    this.add({ name, help, type: 'counter', samples: () => wrap(collect()) });
  }

  render(): string {
    const out: string[] = [];
    for (const f of this.#families) {
      let body: Sample[] | string;
      try {
        body = f.samples();
      } catch {
        continue; // a collector that fails (map gone) must not break the scrape
      }
      out.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`);
      if (typeof body === 'string') out.push(body);
      else for (const s of body) out.push(`${f.name}${formatLabels(s.labels)} ${num(s.value)}`);
    }
    return `${out.join('\n')}\n`;
  }
}

function wrap(v: Sample[] | number | bigint): Sample[] {
  return typeof v === 'number' || typeof v === 'bigint' ? [{ value: v }] : v;
}
