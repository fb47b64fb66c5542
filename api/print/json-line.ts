// `-o json` / `-o jsonpb`: one GetFlowsResponse per line. hubble writes each message with Go's
// json.Encoder over protojson (proto field names, enum names, 64-bit integers as strings, RFC 3339
// timestamps with 0, 3, 6 or 9 fractional digits, zero values left out: see api/json.ts). The
// encoder compacts that and, as Go's encoder does by default, escapes <, >, & and U+2028/U+2029.
import { toProtoJson } from '../json.ts';
import type { GetFlowsResponse } from '../types.ts';

const GO_ESCAPES: Readonly<Record<string, string>> = {
  '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029',
};

export function goJsonEscape(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (ch) => GO_ESCAPES[ch] ?? ch);
}

export function jsonLine(res: GetFlowsResponse): string {
  return `${goJsonEscape(JSON.stringify(toProtoJson('observer.GetFlowsResponse', res)))}\n`;
}
