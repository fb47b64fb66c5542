// L7 flows from the payload bytes the datapath copies: DNS on port 53 (UDP, or TCP with its
// length prefix) and HTTP/1.x request and status lines. Requests wait in a pairing table so the
// response carries the latency, and its HTTP record the request's method and URL. DNS answers
// teach the DNS name table (dns-names.ts).
import type { Flow } from '../../api/types.ts';
import { EventType, FlowType, Verdict } from '../../api/types.ts';
import type { NetobsEvent } from '../../bpf/loader/index.ts';
import { parseDns, parseDnsTcp } from './dns.ts';
import { header, parseHttp, traceIdOf, type HttpRequestHead } from './http.ts';
import { connectionKey, L7Pairing } from './l7-pairing.ts';
import { dnsLayer7, httpLayer7, httpRequestRecord, httpResponseRecord } from './l7-records.ts';
import type { HTTP } from '../../api/types.ts';
import type { DnsNames } from './dns-names.ts';

export class L7Decoder {
  readonly dns = new L7Pairing<true>();
  /** A request's HTTP record and W3C trace ID, until its response comes. */
  readonly http = new L7Pairing<{ http: HTTP; traceId?: string }>();
  /** Payloads that were neither DNS nor HTTP heads. */
  unparsed = 0;

  constructor(private readonly names: DnsNames, private readonly nowMs: () => number = Date.now) {}

  /**
   * The L7 flow of an event carrying payload, built on `base` (its L3/L4 flow fields); undefined
   * when the payload is not a DNS message or an HTTP head.
   */
  decode(ev: NetobsEvent, base: Flow): Flow | undefined {
    const payload = ev.payload;
    if (!payload) return undefined;
    if (ev.srcPort === 53 || ev.dstPort === 53) return this.#dns(ev, base, payload);
    if (ev.protocol === 6) return this.#http(ev, base, payload);
    return undefined;
  }

  #l7(base: Flow, l7: Flow['l7']): Flow {
    const f: Flow = { ...base, Type: FlowType.L7, verdict: Verdict.FORWARDED, event_type: { type: EventType.L7 }, l7 };
    delete f.trace_observation_point;
    return f;
  }

  #dns(ev: NetobsEvent, base: Flow, payload: Uint8Array): Flow | undefined {
    const r = ev.protocol === 6 ? parseDnsTcp(payload) : parseDns(payload);
    if (!r.ok) {
      this.unparsed++;
      return undefined;
    }
    const msg = r.message;
    if (!msg.response) {
      this.dns.request(connectionKey(ev.srcIp, ev.srcPort, ev.dstIp, ev.dstPort, String(msg.id)), true, ev.timestampNs);
      return this.#l7(base, dnsLayer7(msg));
    }
    const paired = this.dns.response(connectionKey(ev.dstIp, ev.dstPort, ev.srcIp, ev.srcPort, String(msg.id)), ev.timestampNs);
    const layer = dnsLayer7(msg, paired?.latencyNs ?? 0);
    const ips = layer.dns?.ips ?? [];
    if (layer.dns?.query && ips.length) this.names.learn(layer.dns.query, ips, layer.dns.ttl ?? 0, this.nowMs());
    return this.#l7(base, layer);
  }

  #http(ev: NetobsEvent, base: Flow, payload: Uint8Array): Flow | undefined {
    const r = parseHttp(payload);
    if (!r.ok) {
      this.unparsed++;
      return undefined;
    }
    if (r.head.kind === 'request') {
      const record = httpRequestRecord(r.head as HttpRequestHead, `${ev.dstIp}:${ev.dstPort}`);
      const traceId = traceIdOf(header(r.head, 'traceparent'));
      this.http.request(connectionKey(ev.srcIp, ev.srcPort, ev.dstIp, ev.dstPort), { http: record, ...(traceId ? { traceId } : {}) }, ev.timestampNs);
      return traced(this.#l7(base, httpLayer7(record)), traceId);
    }
    const paired = this.http.response(connectionKey(ev.dstIp, ev.dstPort, ev.srcIp, ev.srcPort), ev.timestampNs);
    return traced(this.#l7(base, httpLayer7(httpResponseRecord(r.head, paired?.request.http), paired?.latencyNs ?? 0)), paired?.request.traceId);
  }

  /** Forgets requests never answered (call now and then). */
  expire(nowNs: bigint): void {
    this.dns.expire(nowNs);
    this.http.expire(nowNs);
  }
}

/** The flow with the request's trace context (request and response alike, as Hubble sets it). */
function traced(f: Flow, traceId: string | undefined): Flow {
  if (traceId) f.trace_context = { parent: { trace_id: traceId } };
  return f;
}
