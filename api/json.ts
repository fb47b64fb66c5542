// ProtoJSON of the flow API messages with the proto field names, as `hubble observe -o json`
// prints them: enums by name, 64-bit integers as strings, Timestamps in RFC 3339, wrappers
// unwrapped, zero values left out, fields in declaration order.
import type protobuf from 'protobufjs';
import { messageType } from './schema.ts';
import type { Timestamp } from './types.ts';

export type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

const LONG = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
const WRAPPERS = new Set(['google.protobuf.BoolValue', 'google.protobuf.Int32Value', 'google.protobuf.UInt32Value',
  'google.protobuf.Int64Value', 'google.protobuf.UInt64Value', 'google.protobuf.StringValue', 'google.protobuf.DoubleValue']);

export function rfc3339(ts: Timestamp): string {
  const seconds = ts.seconds ?? 0;
  const nanos = ts.nanos ?? 0;
  const base = new Date(seconds * 1000).toISOString().slice(0, 19);
  if (nanos === 0) return `${base}Z`;
  const digits = String(nanos).padStart(9, '0');
  const frac = digits.endsWith('000000') ? digits.slice(0, 3) : digits.endsWith('000') ? digits.slice(0, 6) : digits;
  return `${base}.${frac}Z`;
}

function scalar(field: protobuf.Field, value: unknown): Json | undefined {
  const rt = field.resolvedType;
  if (rt && 'values' in rt) {
    const e = rt as protobuf.Enum;
    return e.valuesById[value as number] ?? (value as number);
  }
  if (rt) return message(rt as protobuf.Type, value as Record<string, unknown>);
  if (LONG.has(field.type)) return String(value);
  if (field.type === 'bytes') return Buffer.from(value as Uint8Array).toString('base64');
  if (field.type === 'double' || field.type === 'float') {
    const n = value as number;
    return Number.isFinite(n) ? n : String(n);
  }
  return value as Json;
}

function isDefault(field: protobuf.Field, value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (field.repeated) return (value as unknown[]).length === 0;
  if (field.resolvedType && !('values' in field.resolvedType)) return false; // a present message, even empty
  return value === 0 || value === '' || value === false;
}

function message(type: protobuf.Type, value: Record<string, unknown>): Json {
  const full = type.fullName.slice(1);
  if (full === 'google.protobuf.Timestamp') return rfc3339(value as Timestamp);
  if (WRAPPERS.has(full)) {
    const f = type.fields.value as protobuf.Field;
    const v = value.value ?? (f.type === 'bool' ? false : f.type === 'string' ? '' : 0);
    return scalar(f, v) ?? null;
  }
  if (full === 'google.protobuf.FieldMask') return ((value.paths as string[] | undefined) ?? []).join(',');
  const out: { [k: string]: Json } = {};
  for (const field of type.fieldsArray) {
    const v = value[field.name];
    if (isDefault(field, v)) continue;
    const j = field.repeated ? (v as unknown[]).map((x) => scalar(field, x) ?? null) : scalar(field, v);
    if (j !== undefined) out[field.name] = j;
  }
  return out;
}

/** The ProtoJSON value of a message given by its full type name, e.g. `observer.GetFlowsResponse`. */
export function toProtoJson(typeName: string, value: object): Json {
  const type = messageType(typeName);
  type.resolveAll();
  return message(type, value as Record<string, unknown>);
}
