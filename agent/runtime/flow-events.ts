// Wires the datapath's events into the flow ring: each event becomes its L3/L4 flow, and an
// event carrying DNS or HTTP payload becomes an L7 flow (plus its L3/L4 flow when it opened a
// connection, since the datapath sends the payload event instead of the trace then).
import type { Datapath } from '../../bpf/loader/index.ts';
import { EventType } from '../../bpf/loader/index.ts';
import type { NetobsEvent } from '../../bpf/loader/index.ts';
import type { Flow } from '../../api/types.ts';
import { timestampFromMs } from '../../api/flow-time.ts';
import { baseFlow, convertEvent } from '../flows/convert.ts';
import { L7Decoder } from '../flows/l7.ts';
import { FlowPipeline } from '../flows/pipeline.ts';
import type { FlowContext } from '../flows/context.ts';
import type { FlowRing } from '../observer/ring.ts';
import type { DnsNames } from '../flows/dns-names.ts';

/** The AUDIT flow of an event, given its L3/L4 flow (audit-flows.ts), when audit policies exist. */
export type AuditJudge = (ev: NetobsEvent, flow: Flow) => Flow | undefined;

export interface FlowEventsHost {
  readonly ring: FlowRing;
  readonly flowContext: FlowContext;
  readonly dns: DnsNames;
  readonly audit?: AuditJudge;
}

/** Event -> flows, for the pipeline and the benchmark. */
export function eventConverter(ctx: FlowContext, l7: L7Decoder, audit?: AuditJudge): (ev: NetobsEvent) => Flow[] {
  const withAudit = (ev: NetobsEvent, l34: Flow, out: Flow[]): Flow[] => {
    const a = audit?.(ev, l34);
    if (a) out.push(a);
    return out;
  };
  return (ev) => {
    if (ev.type === EventType.L7 && ev.payload) {
      const flow = l7.decode(ev, baseFlow(ev, ctx));
      if (flow) {
        if (!ev.newConnection) return [flow];
        const l34 = convertEvent(ev, ctx);
        return withAudit(ev, l34, [l34, flow]);
      }
    }
    const l34 = convertEvent(ev, ctx);
    return withAudit(ev, l34, [l34]);
  };
}

export class FlowEvents {
  readonly l7: L7Decoder;
  readonly pipeline: FlowPipeline;
  /** Flow observers (flow metrics); called for every flow written. */
  readonly listeners: ((f: Flow) => void)[] = [];
  #expire: NodeJS.Timeout | undefined;

  constructor(host: FlowEventsHost, datapath: Pick<Datapath, 'events'>) {
    this.l7 = new L7Decoder(host.dns);
    this.pipeline = new FlowPipeline({
      source: { read: (max) => datapath.events.read(max), lostPerCpu: () => datapath.events.lostPerCpu() },
      ring: host.ring,
      convert: eventConverter(host.flowContext, this.l7, host.audit),
      now: () => timestampFromMs(Date.now()),
      onFlow: (f) => {
        for (const l of this.listeners) l(f);
      },
    });
  }

  start(): void {
    this.pipeline.start();
    this.#expire = setInterval(() => this.l7.expire(process.hrtime.bigint()), 10_000);
  }

  stop(): void {
    this.pipeline.stop();
    clearInterval(this.#expire);
  }
}
