// Custom resources through their CRD's structural schema, as the real server handles them: unknown
// fields are pruned (and reported, for fieldValidation=Strict or Warn), defaults are filled in, then
// the value is validated. The validator and pruner are lib/openapi-schema's, the same that install's
// CRD tests and `netobs policy validate` use, so the lab refuses exactly what they refuse.
import { applyDefaults, validateValue, type JSONSchemaProps } from '../../lib/openapi-schema/index.ts';
import { prune } from '../../lib/openapi-schema/prune.ts';

export type { JSONSchemaProps };

export interface SchemaError {
  field: string;
  message: string;
}

export interface SchemaResult {
  /** The object pruned and defaulted. */
  object: Record<string, unknown>;
  /** Paths of the fields pruned, in the order found. */
  unknown: string[];
  errors: SchemaError[];
}

/** Prunes, defaults and validates a custom resource; metadata, apiVersion and kind are the server's. */
export function admitCustomResource(obj: Record<string, unknown>, schema: JSONSchemaProps | undefined): SchemaResult {
  if (!schema) return { object: obj, unknown: [], errors: [] };
  const unknown = prune(obj, schema);
  const object = applyDefaults(obj, schema);
  // The message of a lib FieldError starts with its path; the lab's Status causes carry it apart.
  const errors = validateValue(object, schema, '', { unknownFields: false }).map((e) => ({
    field: e.field,
    message: e.message.startsWith(`${e.field}: `) ? e.message.slice(e.field.length + 2) : e.message,
  }));
  return { object, unknown, errors };
}
