// The agent's flow exporter, Hubble-compatible: every flow that passes the allow and deny lists is
// written, field-masked, as one line of GetFlowsResponse ProtoJSON ({"flow": …, "node_name": …,
// "time": …}, exactly `hubble observe -o json`), to a size-rotated file that `hubble observe
// --input-file` reads back. Flows are queued and written in batches off the flow path; when the
// queue is full (the disk is slower than the traffic) or a write fails, flows are dropped and
// counted, never allowed to stall the agent.
import type { Flow } from '../../api/types.ts';
import type { ExporterConfig } from '../../api/exporter-config.ts';
import { compileFilters, type FlowPredicate } from '../../api/filter/filter.ts';
import { maskFlow } from '../../api/filter/field-mask.ts';
import { jsonLine } from '../../api/print/json-line.ts';
import { Registry, type Metric } from '../metrics/registry.ts';
import { RotatingFile } from './rotating-file.ts';

/** Bytes of lines waiting for the disk before flows are dropped. */
export const DEFAULT_QUEUE_BYTES = 8 * 1024 * 1024;

export interface FlowExporterOptions extends ExporterConfig {
  nodeName: string;
  queueBytes?: number;
  now?: () => Date;
  log?: (msg: string) => void;
}

export class FlowExporter {
  readonly registry = new Registry();
  readonly #file: RotatingFile;
  readonly #pass: FlowPredicate;
  readonly #o: FlowExporterOptions;
  readonly #m: { flows: Metric; bytes: Metric; dropped: Metric; rotations: Metric };
  #queue: Buffer[] = [];
  #queued = 0;
  #scheduled: NodeJS.Immediate | undefined;
  #failing = false;
  #closed = false;

  get file(): string {
    return this.#o.filePath;
  }

  constructor(o: FlowExporterOptions) {
    this.#o = o;
    this.#file = new RotatingFile(o.filePath, o.maxSizeBytes, o.maxBackups, o.now);
    this.#pass = compileFilters(o.allowList, o.denyList);
    const r = this.registry;
    this.#m = {
      flows: r.counter('netobs_flow_export_flows_total', 'Flows written by the flow exporter'),
      bytes: r.counter('netobs_flow_export_bytes_total', 'Bytes written by the flow exporter'),
      dropped: r.counter('netobs_flow_export_dropped_total', 'Flows the exporter could not write (queue_full: the disk is behind; write_error)', ['reason']),
      rotations: r.counter('netobs_flow_export_rotations_total', 'Export files rotated'),
    };
  }

  /** Queues a flow if the lists let it through; the write happens on a later turn. */
  export(flow: Flow): void {
    if (this.#closed || !this.#pass(flow)) return;
    const f = maskFlow(flow, this.#o.fieldMask);
    const line = Buffer.from(jsonLine({ flow: f, node_name: flow.node_name || this.#o.nodeName, ...(flow.time ? { time: flow.time } : {}) }));
    if (this.#queued + line.length > (this.#o.queueBytes ?? DEFAULT_QUEUE_BYTES)) {
      this.#m.dropped.inc(['queue_full']);
      return;
    }
    this.#queue.push(line);
    this.#queued += line.length;
    this.#scheduled ??= setImmediate(() => this.flush());
  }

  /** Writes what is queued (also called by close). */
  flush(): void {
    this.#scheduled = undefined;
    const lines = this.#queue;
    if (lines.length === 0) return;
    this.#queue = [];
    this.#queued = 0;
    // One write per file: a batch that would cross the maximum is split at line boundaries.
    let batch: Buffer[] = [];
    let size = 0;
    const write = (): void => {
      if (batch.length === 0) return;
      const before = this.#file.rotations;
      try {
        this.#file.write(Buffer.concat(batch, size));
        this.#m.flows.inc([], batch.length);
        this.#m.bytes.inc([], size);
        this.#failing = false;
      } catch (err) {
        this.#m.dropped.inc(['write_error'], batch.length);
        if (!this.#failing) this.#o.log?.(`flow export to ${this.#o.filePath}: ${(err as Error).message}; dropping flows until a write succeeds`);
        this.#failing = true;
      }
      this.#m.rotations.inc([], this.#file.rotations - before);
      batch = [];
      size = 0;
    };
    for (const l of lines) {
      if (size > 0 && size + l.length > this.#o.maxSizeBytes) write();
      batch.push(l);
      size += l.length;
    }
    write();
  }

  close(): void {
    if (this.#scheduled) clearImmediate(this.#scheduled);
    this.flush();
    this.#closed = true;
    this.#file.close();
  }
}
