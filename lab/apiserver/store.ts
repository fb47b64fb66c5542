// Versioned object storage: one map per group/resource, a global resourceVersion counter, a
// bounded event history for watches that resume, and live subscribers. No API semantics here
// (defaults, finalizers, selectors): api.ts builds those on top.
import type { KObject, WatchEventType } from './types.ts';

export interface StoreEvent {
  type: Exclude<WatchEventType, 'BOOKMARK' | 'ERROR'>;
  gr: string; // group/resource, e.g. "apps/deployments", "/pods"
  rv: number;
  object: KObject;
  /** The object before a MODIFIED event: selectors need it to turn updates into ADDED/DELETED. */
  prev?: KObject;
}

export type Subscriber = (e: StoreEvent) => void;

const HISTORY = 10000;

export class Store {
  private rv = 1;
  private data = new Map<string, Map<string, KObject>>();
  private history: StoreEvent[] = [];
  private subs = new Set<Subscriber>();
  /** Called after every change (persistence hooks in here). */
  onChange: (() => void) | undefined;

  currentRv(): number {
    return this.rv;
  }

  /** Oldest resourceVersion a watch can resume from without 410 Gone. */
  oldestRv(): number {
    return this.history.length === HISTORY ? this.history[0]!.rv : 1;
  }

  private bucket(gr: string): Map<string, KObject> {
    let b = this.data.get(gr);
    if (!b) this.data.set(gr, (b = new Map()));
    return b;
  }

  get(gr: string, ns: string, name: string): KObject | undefined {
    const o = this.data.get(gr)?.get(`${ns}/${name}`);
    return o ? structuredClone(o) : undefined;
  }

  list(gr: string, ns?: string): KObject[] {
    const b = this.data.get(gr);
    if (!b) return [];
    const out: KObject[] = [];
    for (const o of b.values()) if (ns === undefined || (o.metadata.namespace ?? '') === ns) out.push(structuredClone(o));
    return out.sort((a, b) => key(a).localeCompare(key(b)));
  }

  /** Writes an object (create or update), stamping a new resourceVersion. */
  put(gr: string, obj: KObject, type: 'ADDED' | 'MODIFIED'): KObject {
    const b = this.bucket(gr);
    const k = key(obj);
    const prev = b.get(k);
    const rv = ++this.rv;
    const stored = structuredClone(obj);
    stored.metadata.resourceVersion = String(rv);
    b.set(k, stored);
    this.emit({ type, gr, rv, object: stored, ...(prev ? { prev } : {}) });
    return structuredClone(stored);
  }

  remove(gr: string, ns: string, name: string): KObject | undefined {
    const b = this.data.get(gr);
    const k = `${ns}/${name}`;
    const prev = b?.get(k);
    if (!b || !prev) return undefined;
    b.delete(k);
    const rv = ++this.rv;
    const gone = structuredClone(prev);
    gone.metadata.resourceVersion = String(rv);
    this.emit({ type: 'DELETED', gr, rv, object: gone });
    return structuredClone(gone);
  }

  private emit(e: StoreEvent): void {
    this.history.push(e);
    if (this.history.length > HISTORY) this.history.shift();
    for (const s of [...this.subs]) {
      try {
        s(e);
      } catch {
        // A failing subscriber (closed socket) must not break the write.
      }
    }
    this.onChange?.();
  }

  /** Events after `rv`, or undefined when history no longer reaches back that far. */
  since(rv: number): StoreEvent[] | undefined {
    if (rv < this.oldestRv() - 1) return undefined;
    return this.history.filter((e) => e.rv > rv);
  }

  subscribe(fn: Subscriber): () => void {
    this.subs.add(fn);
    return () => this.subs.delete(fn);
  }

  groupResources(): string[] {
    return [...this.data.keys()];
  }

  // ---- persistence ----

  snapshot(): { rv: number; data: Record<string, KObject[]> } {
    const data: Record<string, KObject[]> = {};
    for (const [gr, b] of this.data) data[gr] = [...b.values()];
    return { rv: this.rv, data };
  }

  restore(s: { rv: number; data: Record<string, KObject[]> }): void {
    this.rv = s.rv;
    this.data.clear();
    for (const [gr, objs] of Object.entries(s.data)) {
      const b = this.bucket(gr);
      for (const o of objs) b.set(key(o), o);
    }
  }
}

function key(o: KObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
}
