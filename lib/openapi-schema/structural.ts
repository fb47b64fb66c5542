// What makes a CRD schema "structural" (apiextensions.k8s.io/v1 refuses the others), checked so
// that a schema mistake is a unit-test failure rather than an apply error, plus the API server's
// defaulting and the custom-resource entry point the lab's API server reuses.
import type { CustomResourceDefinition, FieldError, JSONSchemaProps } from './types.ts';
import { validateValue, type ValidateOptions } from './validate.ts';

/** Returns every violation of the structural rules, with the schema path; empty when structural. */
export function structuralViolations(root: JSONSchemaProps): string[] {
  const out: string[] = [];
  if (root.type !== 'object') out.push('<root>.type: must be object');
  visit(root, '<root>', out, false);
  return out;
}

function visit(s: JSONSchemaProps, p: string, out: string[], inValueValidation: boolean): void {
  const intOrString = s['x-kubernetes-int-or-string'] === true;
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  if (inValueValidation) {
    for (const k of ['type', 'additionalProperties', 'default', 'nullable', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-embedded-resource', 'x-kubernetes-int-or-string'] as const) {
      if (s[k] !== undefined) out.push(`${p}.${k}: must not be set inside anyOf/oneOf/allOf/not`);
    }
  } else {
    if (s.type === undefined && !intOrString && !preserve) out.push(`${p}.type: Required value: must not be empty for specified object fields`);
    if (intOrString && s.type !== undefined) out.push(`${p}.type: must be empty with x-kubernetes-int-or-string`);
    if (s.type === 'array' && !s.items) out.push(`${p}.items: Required value: must be specified for arrays`);
    if (s.properties && typeof s.additionalProperties === 'object') out.push(`${p}: properties and additionalProperties are mutually exclusive`);
    if (s.additionalProperties === false) out.push(`${p}.additionalProperties: must not be false (fields are pruned instead)`);
  }
  for (const [k, sub] of Object.entries(s.properties ?? {})) visit(sub, `${p}.properties[${k}]`, out, inValueValidation);
  if (typeof s.additionalProperties === 'object') visit(s.additionalProperties, `${p}.additionalProperties`, out, inValueValidation);
  if (s.items) visit(s.items, `${p}.items`, out, inValueValidation);
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) s[key]?.forEach((sub, i) => visit(sub, `${p}.${key}[${i}]`, out, true));
  if (s.not) visit(s.not, `${p}.not`, out, true);
  for (const r of s.required ?? []) {
    if (!inValueValidation && !s.properties?.[r] && typeof s.additionalProperties !== 'object' && !preserve)
      out.push(`${p}.required: "${r}" is not among the properties`);
  }
}

/** Fills in schema defaults, as the API server does on create, update and read. Returns a copy. */
export function applyDefaults<T>(value: T, s: JSONSchemaProps): T {
  const v = structuredClone(value) as unknown;
  fill(v, s);
  return v as T;
}

function fill(v: unknown, s: JSONSchemaProps): void {
  if (Array.isArray(v)) {
    if (s.items) for (const item of v) fill(item, s.items);
  } else if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    for (const [k, sub] of Object.entries(s.properties ?? {})) {
      if (o[k] === undefined && sub.default !== undefined) o[k] = structuredClone(sub.default);
      if (o[k] !== undefined) fill(o[k], sub);
    }
    if (typeof s.additionalProperties === 'object') for (const k of Object.keys(o)) if (!s.properties?.[k]) fill(o[k], s.additionalProperties);
  }
}

export interface CustomResourceResult {
  errors: FieldError[];
  /** The object with defaults applied (only meaningful when there are no errors). */
  object: Record<string, unknown>;
}

/** Validates a custom resource against its CRD: kind and version served, then the version's schema. */
export function validateCustomResource(crd: CustomResourceDefinition, obj: Record<string, unknown>, options: ValidateOptions = {}): CustomResourceResult {
  const [group, version] = String(obj.apiVersion ?? '').split('/');
  const errors: FieldError[] = [];
  if (group !== crd.spec.group) errors.push({ type: 'Invalid', field: 'apiVersion', message: `apiVersion: Invalid value: ${JSON.stringify(obj.apiVersion)}: must be ${crd.spec.group}/<version>` });
  if (obj.kind !== crd.spec.names.kind) errors.push({ type: 'Invalid', field: 'kind', message: `kind: Invalid value: ${JSON.stringify(obj.kind)}: must be ${crd.spec.names.kind}` });
  const v = crd.spec.versions.find((x) => x.name === version && x.served);
  if (!v) errors.push({ type: 'Unsupported', field: 'apiVersion', message: `apiVersion: Unsupported value: ${JSON.stringify(obj.apiVersion)}: supported values: ${crd.spec.versions.filter((x) => x.served).map((x) => `"${crd.spec.group}/${x.name}"`).join(', ')}` });
  if (errors.length > 0 || !v?.schema) return { errors, object: obj };
  const schema = v.schema.openAPIV3Schema;
  const object = applyDefaults(obj, schema);
  return { errors: validateValue(object, schema, '', options), object };
}
