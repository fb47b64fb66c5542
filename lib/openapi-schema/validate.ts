// Validates a value against a structural OpenAPI v3 schema the way the API server validates
// custom resources: types, required fields, enums, patterns, formats, bounds, value validations
// (anyOf/oneOf/allOf/not) and unknown fields (which a Strict field-validation request rejects).
// Messages follow the API server's wording so that the lab's API server can return them as is.
import type { FieldError, JSONSchemaProps } from './types.ts';
import { checkFormat } from './formats.ts';

export interface ValidateOptions {
  /** Report fields the schema does not know (kubectl's default --validate=strict). Default true. */
  unknownFields?: boolean;
}

type Path = string;

const join = (p: Path, key: string): Path => (p ? `${p}.${key}` : key);
const index = (p: Path, i: number): Path => `${p}[${i}]`;
const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : typeof v === 'object' && v !== null ? `"${Array.isArray(v) ? 'array' : 'object'}"` : String(v));

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

export function validateValue(value: unknown, schema: JSONSchemaProps, path: Path = '', options: ValidateOptions = {}): FieldError[] {
  const errors: FieldError[] = [];
  walk(value, schema, path, options.unknownFields ?? true, true, errors);
  return errors;
}

function err(errors: FieldError[], type: FieldError['type'], field: Path, detail: string): void {
  errors.push({ type, field: field || '<root>', message: `${field || '<root>'}: ${detail}` });
}

/** `structural` is false inside value validations (anyOf...), where types and unknown fields are not checked. */
function walk(v: unknown, s: JSONSchemaProps, p: Path, unknown: boolean, structural: boolean, errors: FieldError[]): void {
  const t = typeOf(v);
  if (v === null) {
    if (!s.nullable && structural && s.type !== undefined) err(errors, 'Invalid', p, `Invalid value: "null": ${p} in body must be of type ${s.type}: "null"`);
    return;
  }
  if (s['x-kubernetes-int-or-string']) {
    if (t !== 'integer' && t !== 'string') err(errors, 'Invalid', p, `Invalid value: ${show(v)}: ${p} in body must be of type integer-or-string: ${show(t)}`);
  } else if (s.type !== undefined) {
    const ok = s.type === t || (s.type === 'number' && t === 'integer');
    if (!ok) {
      err(errors, 'Invalid', p, `Invalid value: "${t}": ${p} in body must be of type ${s.type}: "${t}"`);
      return;
    }
  }
  if (s.enum && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(v)))
    err(errors, 'Unsupported', p, `Unsupported value: ${show(v)}: supported values: ${s.enum.map((e) => JSON.stringify(e)).join(', ')}`);
  if (typeof v === 'string') checkString(v, s, p, errors);
  if (typeof v === 'number') checkNumber(v, s, p, errors);
  if (Array.isArray(v)) checkArray(v, s, p, unknown, structural, errors);
  else if (t === 'object') checkObject(v as Record<string, unknown>, s, p, unknown, structural, errors);
  checkValueValidations(v, s, p, errors);
}

function checkString(v: string, s: JSONSchemaProps, p: Path, errors: FieldError[]): void {
  if (s.maxLength !== undefined && [...v].length > s.maxLength) err(errors, 'TooLong', p, `Too long: may not be more than ${s.maxLength} bytes`);
  if (s.minLength !== undefined && [...v].length < s.minLength) err(errors, 'Invalid', p, `Invalid value: ${show(v)}: ${p} in body should be at least ${s.minLength} chars long`);
  if (s.pattern !== undefined && !new RegExp(s.pattern, 'u').test(v)) err(errors, 'Invalid', p, `Invalid value: ${show(v)}: ${p} in body should match '${s.pattern}'`);
  if (s.format !== undefined && !checkFormat(s.format, v)) err(errors, 'Invalid', p, `Invalid value: ${show(v)}: ${p} in body must be of type ${s.format}: ${show(v)}`);
}

function checkNumber(v: number, s: JSONSchemaProps, p: Path, errors: FieldError[]): void {
  if (s.minimum !== undefined && (s.exclusiveMinimum ? v <= s.minimum : v < s.minimum))
    err(errors, 'Invalid', p, `Invalid value: ${v}: ${p} in body should be greater than ${s.exclusiveMinimum ? '' : 'or equal to '}${s.minimum}`);
  if (s.maximum !== undefined && (s.exclusiveMaximum ? v >= s.maximum : v > s.maximum))
    err(errors, 'Invalid', p, `Invalid value: ${v}: ${p} in body should be less than ${s.exclusiveMaximum ? '' : 'or equal to '}${s.maximum}`);
  if (s.format === 'int32' && (v < -(2 ** 31) || v >= 2 ** 31)) err(errors, 'Invalid', p, `Invalid value: ${v}: ${p} in body must be of type int32: "${v}"`);
}

function checkArray(v: unknown[], s: JSONSchemaProps, p: Path, unknown: boolean, structural: boolean, errors: FieldError[]): void {
  if (s.maxItems !== undefined && v.length > s.maxItems) err(errors, 'TooMany', p, `Too many: ${v.length}: must have at most ${s.maxItems} items`);
  if (s.minItems !== undefined && v.length < s.minItems) err(errors, 'Invalid', p, `Invalid value: ${v.length}: ${p} in body should have at least ${s.minItems} items`);
  if (s.uniqueItems || s['x-kubernetes-list-type'] === 'set') {
    const seen = new Set<string>();
    v.forEach((item, i) => {
      const k = JSON.stringify(item);
      if (seen.has(k)) err(errors, 'Duplicate', index(p, i), `Duplicate value: ${show(item)}`);
      seen.add(k);
    });
  }
  if (s.items) v.forEach((item, i) => walk(item, s.items!, index(p, i), unknown, structural, errors));
}

/** The API server validates metadata itself; at the root, and in embedded resources, these are always known. */
const OBJECT_META_KEYS = ['apiVersion', 'kind', 'metadata'];

function checkObject(v: Record<string, unknown>, s: JSONSchemaProps, p: Path, unknown: boolean, structural: boolean, errors: FieldError[]): void {
  for (const r of s.required ?? []) if (!(r in v) || v[r] === undefined) err(errors, 'Required', join(p, r), 'Required value');
  const n = Object.keys(v).length;
  if (s.maxProperties !== undefined && n > s.maxProperties) err(errors, 'TooMany', p, `Too many: ${n}: must have at most ${s.maxProperties} items`);
  if (s.minProperties !== undefined && n < s.minProperties) err(errors, 'Invalid', p, `Invalid value: ${n}: ${p} in body should have at least ${s.minProperties} properties`);
  const isRoot = p === '' || s['x-kubernetes-embedded-resource'] === true;
  for (const [k, child] of Object.entries(v)) {
    if (child === undefined) continue; // absent, as on the wire
    const sub = s.properties?.[k];
    // Metadata is the API server's to check; a schema may only restrict its name.
    if (sub) walk(child, sub, join(p, k), unknown && !(isRoot && k === 'metadata'), structural, errors);
    else if (typeof s.additionalProperties === 'object') walk(child, s.additionalProperties, join(p, k), unknown, structural, errors);
    else if (s.additionalProperties === true || s['x-kubernetes-preserve-unknown-fields'] || !structural) continue;
    else if (isRoot && OBJECT_META_KEYS.includes(k)) continue;
    else if (unknown) errors.push({ type: 'Unknown', field: join(p, k), message: `unknown field "${join(p, k)}"` });
  }
}

/** anyOf/oneOf/allOf/not hold value validations only (a structural schema puts no types there). */
function checkValueValidations(v: unknown, s: JSONSchemaProps, p: Path, errors: FieldError[]): void {
  const passes = (sub: JSONSchemaProps): boolean => {
    const e: FieldError[] = [];
    walk(v, sub, p, false, false, e);
    return e.length === 0;
  };
  const kind = typeOf(v) === 'array' ? 'array' : typeOf(v) === 'object' ? 'object' : show(v);
  const what = kind === 'array' || kind === 'object' ? `"${kind}"` : kind;
  if (s.allOf) for (const sub of s.allOf) walk(v, sub, p, false, false, errors);
  if (s.anyOf && !s.anyOf.some(passes)) err(errors, 'Invalid', p, `Invalid value: ${what}: ${p || '<root>'} in body must validate at least one schema (anyOf)`);
  if (s.oneOf && s.oneOf.filter(passes).length !== 1) err(errors, 'Invalid', p, `Invalid value: ${what}: ${p || '<root>'} in body must validate one and only one schema (oneOf)`);
  if (s.not && passes(s.not)) err(errors, 'Invalid', p, `Invalid value: ${what}: ${p || '<root>'} in body should not be valid against the schema (not)`);
}
