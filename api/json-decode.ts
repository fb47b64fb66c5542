// ProtoJSON back into the flow API's objects (the inverse of api/json.ts): what `hubble observe
// -o json` prints and the flow exporter writes, and the FlowFilters of the exporter's allow and
// deny lists. Accepts what protojson readers accept: proto or lowerCamel field names, enums by
// name or number, 64-bit integers as strings or numbers, RFC 3339 timestamps, unwrapped
// wrappers, a FieldMask as "a,b". A field the message does not have is an error naming it, so a
// misspelt filter field cannot silently widen an allow list.
import type protobuf from 'protobufjs';
import { messageType } from './schema.ts';

export class ProtoJsonError extends Error {
  override name = 'ProtoJsonError';
}

const LONG = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
const INT = new Set(['int32', 'uint32', 'sint32', 'fixed32', 'sfixed32', ...LONG]);
const WRAPPER = /^google\.protobuf\.(Bool|Int32|UInt32|Int64|UInt64|String|Double)Value$/;
const lowerCamel = (s: string): string => s.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

/** Seconds and nanoseconds of an RFC 3339 time (`2026-12-05T13:49:50.123456789Z`, any offset). */
export function parseRfc3339(at: string, s: string): { seconds: number; nanos: number } {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/i.exec(s);
  const ms = m ? Date.parse(`${m[1]}${m[3]}`) : NaN;
  if (!m || Number.isNaN(ms)) throw new ProtoJsonError(`${at}: "${s}" is not an RFC 3339 time`);
  return { seconds: Math.floor(ms / 1000), nanos: Number((m[2] ?? '').padEnd(9, '0')) };
}

function scalar(at: string, field: protobuf.Field, v: unknown): unknown {
  const rt = field.resolvedType;
  if (rt && 'values' in rt) {
    const e = rt as protobuf.Enum;
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    if (typeof v === 'string' && Object.hasOwn(e.values, v)) return e.values[v];
    throw new ProtoJsonError(`${at}: ${JSON.stringify(v)} is not a ${e.name} (one of ${Object.keys(e.values).join(', ')})`);
  }
  if (rt) return message(at, rt as protobuf.Type, v);
  if (INT.has(field.type)) {
    const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n)) throw new ProtoJsonError(`${at}: ${JSON.stringify(v)} is not an integer`);
    return n;
  }
  if (field.type === 'double' || field.type === 'float') {
    const n = typeof v === 'string' ? Number(v) : v;
    if (typeof n !== 'number' || Number.isNaN(n) && v !== 'NaN') throw new ProtoJsonError(`${at}: ${JSON.stringify(v)} is not a number`);
    return n;
  }
  if (field.type === 'bool') {
    if (typeof v !== 'boolean') throw new ProtoJsonError(`${at}: ${JSON.stringify(v)} is not true or false`);
    return v;
  }
  if (field.type === 'bytes') {
    if (typeof v !== 'string') throw new ProtoJsonError(`${at}: expected base64 text`);
    return Buffer.from(v, 'base64');
  }
  if (typeof v !== 'string') throw new ProtoJsonError(`${at}: ${JSON.stringify(v)} is not a string`);
  return v;
}

function message(at: string, type: protobuf.Type, v: unknown): unknown {
  const full = type.fullName.slice(1);
  if (full === 'google.protobuf.Timestamp') {
    if (typeof v !== 'string') throw new ProtoJsonError(`${at}: expected an RFC 3339 time`);
    return parseRfc3339(at, v);
  }
  if (WRAPPER.test(full)) return { value: scalar(at, type.fields.value as protobuf.Field, v) };
  if (full === 'google.protobuf.FieldMask') {
    if (typeof v !== 'string') throw new ProtoJsonError(`${at}: expected "path,path"`);
    return { paths: v.split(',').filter(Boolean) };
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ProtoJsonError(`${at}: expected an object for ${type.name}`);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(v)) {
    const field = type.fields[key] ?? type.fieldsArray.find((f) => lowerCamel(f.name) === key);
    if (!field) throw new ProtoJsonError(`${at}: ${type.name} has no field "${key}"`);
    if (value === null) continue;
    const where = at ? `${at}.${field.name}` : field.name;
    if (field.repeated) {
      if (!Array.isArray(value)) throw new ProtoJsonError(`${where}: expected a list`);
      out[field.name] = value.map((x, i) => scalar(`${where}[${i}]`, field, x));
    } else out[field.name] = scalar(where, field, value);
  }
  return out;
}

/** Decodes the ProtoJSON of a message given by its full type name, e.g. `observer.GetFlowsResponse`. */
export function fromProtoJson<T>(typeName: string, json: unknown, at = ''): T {
  const type = messageType(typeName);
  type.resolveAll();
  return message(at, type, json) as T;
}
