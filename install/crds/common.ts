// Schema pieces shared by the netobs CRDs: label selectors and status conditions as Kubernetes
// defines them (metav1.LabelSelector, metav1.Condition).
import type { JSONSchemaProps } from '../../lib/openapi-schema/types.ts';

export { GROUP, VERSION } from '../../api/kube-names.ts';

export const str = (description?: string, extra: JSONSchemaProps = {}): JSONSchemaProps => ({ type: 'string', ...(description ? { description } : {}), ...extra });
export const int = (description?: string, extra: JSONSchemaProps = {}): JSONSchemaProps => ({ type: 'integer', ...(description ? { description } : {}), ...extra });
export const bool = (description?: string): JSONSchemaProps => ({ type: 'boolean', ...(description ? { description } : {}) });
export const list = (items: JSONSchemaProps, description?: string, extra: JSONSchemaProps = {}): JSONSchemaProps => ({ type: 'array', items, ...(description ? { description } : {}), ...extra });
export const obj = (properties: Record<string, JSONSchemaProps>, description?: string, extra: JSONSchemaProps = {}): JSONSchemaProps => ({
  type: 'object',
  ...(description ? { description } : {}),
  properties,
  ...extra,
});
export const stringMap = (description?: string): JSONSchemaProps => ({ type: 'object', ...(description ? { description } : {}), additionalProperties: { type: 'string' } });

/** Label keys and values as Kubernetes restricts them; a selector that could never match is an error. */
const LABEL_KEY = '^([a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?/)?[a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?$|^k8s:.+$|^any:.+$|^reserved:.+$';

export const labelSelector = (description: string): JSONSchemaProps =>
  obj(
    {
      matchLabels: { type: 'object', description: 'Labels the endpoint must have (key: value). Keys may carry a source prefix such as k8s: or any:.', additionalProperties: str(undefined, { maxLength: 63 }) },
      matchExpressions: list(
        obj(
          {
            key: str('The label key.', { pattern: LABEL_KEY, maxLength: 317 }),
            operator: str('How the key relates to the values.', { enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'] }),
            values: list(str(), 'Values for In and NotIn; empty for Exists and DoesNotExist.'),
          },
          undefined,
          { required: ['key', 'operator'] },
        ),
        'Set-based requirements, all of which must hold.',
      ),
    },
    description,
  );

/** metav1.Condition, as every Kubernetes status uses it. */
export const conditions: JSONSchemaProps = list(
  obj(
    {
      type: str('Condition type, e.g. Valid or Ready.', { maxLength: 316, pattern: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$' }),
      status: str('True, False or Unknown.', { enum: ['True', 'False', 'Unknown'] }),
      observedGeneration: int('The .metadata.generation the condition was set for.', { format: 'int64', minimum: 0 }),
      lastTransitionTime: str('When the status last changed.', { format: 'date-time' }),
      reason: str('A CamelCase reason code.', { maxLength: 1024, minLength: 1, pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$' }),
      message: str('Human-readable details.', { maxLength: 32768 }),
    },
    undefined,
    { required: ['type', 'status', 'lastTransitionTime', 'reason', 'message'] },
  ),
  'The latest observations of the object\'s state.',
  { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] },
);
