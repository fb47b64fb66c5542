// Structural-schema checks for custom resources: types, required fields, enums, and pruning of
// fields the schema does not declare (unless x-kubernetes-preserve-unknown-fields), as the real
// server does for apiextensions.k8s.io/v1 CRDs.

export interface JSONSchemaProps {
  type?: string;
  properties?: Record<string, JSONSchemaProps>;
  additionalProperties?: JSONSchemaProps | boolean;
  items?: JSONSchemaProps;
  required?: string[];
  enum?: unknown[];
  format?: string;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  nullable?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  oneOf?: JSONSchemaProps[];
  anyOf?: JSONSchemaProps[];
}

export interface SchemaError {
  field: string;
  message: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

function typeOk(t: string | undefined, v: unknown, s: JSONSchemaProps): string | undefined {
  if (v === null) return s.nullable ? undefined : `Invalid value: "null": ${t ? `${label(t)} expected` : 'null not allowed'}`;
  if (s['x-kubernetes-int-or-string']) {
    return typeof v === 'string' || Number.isInteger(v) ? undefined : `Invalid value: "${typeName(v)}": must be an integer or a string`;
  }
  if (!t) return undefined;
  const ok =
    (t === 'object' && isObj(v)) ||
    (t === 'array' && Array.isArray(v)) ||
    (t === 'string' && typeof v === 'string') ||
    (t === 'integer' && Number.isInteger(v)) ||
    (t === 'number' && typeof v === 'number') ||
    (t === 'boolean' && typeof v === 'boolean');
  return ok ? undefined : `Invalid value: "${typeName(v)}": ${label(t)} expected`;
}

const label = (t: string) => (t === 'object' ? '"object"' : `"${t}"`);
const typeName = (v: unknown) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v === 'number' ? (Number.isInteger(v) ? 'integer' : 'number') : typeof v);

/** Validates `v` in place and prunes unknown fields; returns the errors found. */
export function validateAndPrune(v: unknown, s: JSONSchemaProps | undefined, path: string, errors: SchemaError[]): void {
  if (!s) return;
  const te = typeOk(s.type, v, s);
  if (te) {
    errors.push({ field: path, message: te });
    return;
  }
  if (v === null) return;
  if (s.enum && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(v))) {
    errors.push({ field: path, message: `Unsupported value: ${JSON.stringify(v)}: supported values: ${s.enum.map((e) => JSON.stringify(e)).join(', ')}` });
  }
  if (typeof v === 'number') {
    if (s.minimum !== undefined && v < s.minimum) errors.push({ field: path, message: `Invalid value: ${v}: ${path} in body should be greater than or equal to ${s.minimum}` });
    if (s.maximum !== undefined && v > s.maximum) errors.push({ field: path, message: `Invalid value: ${v}: ${path} in body should be less than or equal to ${s.maximum}` });
  }
  if (typeof v === 'string') {
    if (s.pattern && !new RegExp(s.pattern, 'u').test(v)) errors.push({ field: path, message: `Invalid value: "${v}": ${path} in body should match '${s.pattern}'` });
    if (s.maxLength !== undefined && v.length > s.maxLength) errors.push({ field: path, message: `Too long: may not be longer than ${s.maxLength}` });
    if (s.minLength !== undefined && v.length < s.minLength) errors.push({ field: path, message: `Invalid value: "${v}": ${path} in body should be at least ${s.minLength} chars long` });
  }
  if (Array.isArray(v)) {
    if (s.minItems !== undefined && v.length < s.minItems) errors.push({ field: path, message: `Invalid value: ${v.length}: ${path} in body should have at least ${s.minItems} items` });
    if (s.maxItems !== undefined && v.length > s.maxItems) errors.push({ field: path, message: `Too many: ${v.length}: must have at most ${s.maxItems} items` });
    v.forEach((item, i) => validateAndPrune(item, s.items, `${path}[${i}]`, errors));
  }
  if (isObj(v)) {
    for (const r of s.required ?? []) if (v[r] === undefined) errors.push({ field: `${path}.${r}`, message: 'Required value' });
    const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
    for (const [k, child] of Object.entries(v)) {
      const cs = s.properties?.[k] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
      if (cs) validateAndPrune(child, cs, `${path}.${k}`, errors);
      else if (!preserve && s.additionalProperties !== true && (s.properties || s.type === 'object') && !s['x-kubernetes-embedded-resource']) delete v[k];
    }
  }
}

/** Validates a custom resource against its version's schema; metadata/apiVersion/kind are the server's. */
export function validateCustomResource(obj: Obj, schema: JSONSchemaProps | undefined): SchemaError[] {
  const errors: SchemaError[] = [];
  if (!schema) return errors;
  const top: JSONSchemaProps = {
    ...schema,
    properties: { ...schema.properties, apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
  };
  validateAndPrune(obj, top, '', errors);
  return errors.map((e) => ({ field: e.field.replace(/^\./, ''), message: e.message }));
}
