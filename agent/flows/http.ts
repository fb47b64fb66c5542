// HTTP/1.x request and response heads parsed from the first bytes of a TCP payload (what the
// datapath copies out). Never throws: anything that is not an HTTP/1.x head is a typed failure;
// a head cut short keeps the headers that were complete and says so.

export type HttpHeader = [name: string, value: string];
export interface HttpRequestHead { kind: 'request'; method: string; target: string; protocol: string; headers: HttpHeader[]; complete: boolean }
export interface HttpResponseHead { kind: 'response'; protocol: string; code: number; reason: string; headers: HttpHeader[]; complete: boolean }
export type HttpHead = HttpRequestHead | HttpResponseHead;

export type HttpParseError = 'not-http' | 'incomplete-start-line' | 'bad-header';
export type HttpParseResult = { ok: true; head: HttpHead } | { ok: false; error: HttpParseError };

const MAX_HEAD = 8192;
const MAX_HEADERS = 100;
const REQUEST_LINE = /^([A-Z][A-Z_-]{0,31}) ([\x21-\x7e]+) (HTTP\/1\.[01])$/;
const RESPONSE_LINE = /^(HTTP\/1\.[01]) ([1-9][0-9]{2})(?: ([\x09\x20-\x7e\x80-\xff]*))?$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const METHOD_START = /^[A-Z]{3,}[ A-Z_-]/;

export function parseHttp(bytes: Uint8Array): HttpParseResult {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, MAX_HEAD)).toString('latin1');
  const eol = text.indexOf('\r\n');
  if (eol < 0) {
    // Tell "an HTTP head cut inside its first line" from "not HTTP at all".
    return { ok: false, error: text.startsWith('HTTP/1.') || METHOD_START.test(text) ? 'incomplete-start-line' : 'not-http' };
  }
  const start = text.slice(0, eol);
  const end = text.indexOf('\r\n\r\n');
  const complete = end >= 0;
  const lines = text.slice(eol + 2, complete ? end : text.lastIndexOf('\r\n')).split('\r\n').filter((l) => l !== '');
  const headers: HttpHeader[] = [];
  for (const line of lines.slice(0, MAX_HEADERS)) {
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon) : '';
    if (!TOKEN.test(name)) return { ok: false, error: 'bad-header' };
    headers.push([name, line.slice(colon + 1).trim()]);
  }
  let m = REQUEST_LINE.exec(start);
  if (m) return { ok: true, head: { kind: 'request', method: m[1] ?? '', target: m[2] ?? '', protocol: m[3] ?? '', headers, complete } };
  m = RESPONSE_LINE.exec(start);
  if (m) return { ok: true, head: { kind: 'response', protocol: m[1] ?? '', code: Number(m[2]), reason: m[3] ?? '', headers, complete } };
  return { ok: false, error: 'not-http' };
}

export function header(head: HttpHead, name: string): string | undefined {
  const lower = name.toLowerCase();
  return head.headers.find(([k]) => k.toLowerCase() === lower)?.[1];
}

/** The request URL as hubble shows it: `http://host/path?query` (absolute-form targets kept). */
export function requestUrl(req: HttpRequestHead, fallbackHost: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(req.target)) return req.target;
  const host = header(req, 'host') || fallbackHost;
  return `http://${host}${req.target.startsWith('/') ? '' : '/'}${req.target}`;
}

/**
 * The trace ID of a W3C traceparent header (`00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>`),
 * or undefined: absent, repeated, malformed, or the all-zero ID the spec calls invalid. Later
 * versions may append fields after the flags; version ff is invalid.
 */
export function traceIdOf(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const m = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/.exec(header.trim());
  if (!m || m[1] === 'ff' || (m[1] === '00' && m[5] !== undefined)) return undefined;
  if (/^0+$/.test(m[2]!) || /^0+$/.test(m[3]!)) return undefined;
  return m[2];
}
