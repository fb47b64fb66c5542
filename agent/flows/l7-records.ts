// Flow Layer7 records from parsed DNS and HTTP heads, shaped as hubble reports them.
import type { DNS, HTTP, Layer7 } from '../../api/types.ts';
import { L7FlowType } from '../../api/types.ts';
import { dnsTypeName } from '../../api/names.ts';
import type { DnsMessage } from './dns.ts';
import { type HttpRequestHead, type HttpResponseHead, requestUrl } from './http.ts';

/** DNS record: query, qtypes; for responses rcode, IPs (A/AAAA), CNAMEs, rrtypes and the lowest IP TTL. */
export function dnsRecord(msg: DnsMessage): DNS {
  const q = msg.questions[0];
  const rec: DNS = { query: q?.name ?? '', qtypes: msg.questions.map((x) => dnsTypeName(x.type)) };
  if (!msg.response) return rec;
  const ips = msg.answers.filter((a) => (a.type === 1 || a.type === 28) && a.data !== '');
  const cnames = msg.answers.filter((a) => a.type === 5).map((a) => a.data);
  return {
    ...rec,
    rcode: msg.rcode,
    ...(ips.length ? { ips: ips.map((a) => a.data), ttl: Math.min(...ips.map((a) => a.ttl)) } : {}),
    ...(cnames.length ? { cnames } : {}),
    ...(msg.answers.length ? { rrtypes: msg.answers.map((a) => dnsTypeName(a.type)) } : {}),
  };
}

export function dnsLayer7(msg: DnsMessage, latencyNs = 0): Layer7 {
  return { type: msg.response ? L7FlowType.RESPONSE : L7FlowType.REQUEST, ...(latencyNs ? { latency_ns: latencyNs } : {}), dns: dnsRecord(msg) };
}

/** HTTP request record; `host` stands in for a missing Host header (the server's name or IP:port). */
export function httpRequestRecord(req: HttpRequestHead, host: string): HTTP {
  return { method: req.method, url: requestUrl(req, host), protocol: req.protocol };
}

/** HTTP response record; method and URL come from the paired request when there is one. */
export function httpResponseRecord(res: HttpResponseHead, request?: HTTP): HTTP {
  return { code: res.code, protocol: res.protocol, ...(request?.method ? { method: request.method } : {}), ...(request?.url ? { url: request.url } : {}) };
}

export function httpLayer7(record: HTTP, latencyNs = 0): Layer7 {
  return { type: record.code ? L7FlowType.RESPONSE : L7FlowType.REQUEST, ...(latencyNs ? { latency_ns: latencyNs } : {}), http: record };
}
