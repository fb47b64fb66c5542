// The inverse of api/json.ts: ProtoJSON (as `hubble observe -o json` writes it, or a FlowFilter
// given to --allowlist) into the plain message shapes of api/types.ts. Field names may be the
// proto names or their lowerCamel JSON names; enums by name or number; 64-bit integers as
// strings or numbers; Timestamps in RFC 3339. A field the message does not have is an error
// naming it: a filter must never lose a part silently.
import protobuf from 'protobufjs';
import { messageType } from './schema.ts';
import type { Timestamp } from './types.ts';

const WRAPPERS = new Set(['google.protobuf.BoolValue', 'google.protobuf.Int32Value', 'google.protobuf.UInt32Value',
  'google.protobuf.Int64Value', 'google.protobuf.UInt64Value', 'google.protobuf.StringValue', 'google.protobuf.DoubleValue']);

const camel = (s: string): string => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function parseTimestamp(path: string, v: unknown): Timestamp {
  const m = typeof v === 'string' ? /^(.*T\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(v) : null;
  const ms = m ? Date.parse(`${m[1]}${m[3]}`) : NaN;
  if (!m || Number.isNaN(ms)) throw new Error(`${path}: ${JSON.stringify(v)} is not an RFC 3339 time`);
  return { seconds: Math.floor(ms / 1000), nanos: Number((m[2] ?? '').padEnd(9, '0')) };
}

function scalar(path: string, field: protobuf.Field, v: unknown): unknown {
  field.resolve();
  const rt = field.resolvedType;
  if (rt instanceof protobuf.Enum) {
    if (typeof v === 'number') return v;
    const n = typeof v === 'string' ? rt.values[v] : undefined;
    if (n === undefined) throw new Error(`${path}: ${JSON.stringify(v)} is not a ${rt.name} (${Object.keys(rt.values).join(', ')})`);
    return n;
  }
  if (rt instanceof protobuf.Type) return message(path, rt, v);
  if (field.type === 'bytes') return new Uint8Array(Buffer.from(String(v), 'base64'));
  if (field.type === 'bool') {
    if (typeof v !== 'boolean') throw new Error(`${path}: ${JSON.stringify(v)} is not a boolean`);
    return v;
  }
  if (field.type === 'string') {
    if (typeof v !== 'string') throw new Error(`${path}: ${JSON.stringify(v)} is not a string`);
    return v;
  }
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || Number.isNaN(n)) throw new Error(`${path}: ${JSON.stringify(v)} is not a number`);
  return n;
}

function message(path: string, type: protobuf.Type, v: unknown): unknown {
  const full = type.fullName.slice(1);
  if (full === 'google.protobuf.Timestamp') return parseTimestamp(path, v);
  if (WRAPPERS.has(full)) return { value: scalar(path, type.fields.value as protobuf.Field, v) };
  if (full === 'google.protobuf.FieldMask') return { paths: String(v).split(',').filter(Boolean) };
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error(`${path}: expected an object for ${type.name}`);
  const byName = new Map<string, protobuf.Field>();
  for (const f of type.fieldsArray) {
    byName.set(f.name, f);
    byName.set(camel(f.name), f);
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(v as Record<string, unknown>)) {
    const field = byName.get(key);
    const at = path ? `${path}.${key}` : key;
    if (!field) throw new Error(`${at}: ${type.name} has no such field`);
    if (value === null) continue;
    if (field.repeated) {
      if (!Array.isArray(value)) throw new Error(`${at}: expected a list`);
      out[field.name] = value.map((x, i) => scalar(`${at}[${i}]`, field, x));
    } else {
      out[field.name] = scalar(at, field, value);
    }
  }
  return out;
}

/** A message of the schema (full type name, e.g. `flow.FlowFilter`) from its ProtoJSON value. Throws naming the bad field. */
export function fromProtoJson<T>(typeName: string, json: unknown): T {
  const type = messageType(typeName);
  type.resolveAll();
  return message('', type, json) as T;
}
