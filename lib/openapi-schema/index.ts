// The structural-schema toolkit, shared by the installer's tests, `netobs policy validate` and the
// lab's API server (which validates custom resources with exactly the CRDs that install renders).
export type { CustomResourceDefinition, CustomResourceDefinitionVersion, FieldError, JSONSchemaProps } from './types.ts';
export { validateValue, type ValidateOptions } from './validate.ts';
export { applyDefaults, structuralViolations, validateCustomResource, type CustomResourceResult } from './structural.ts';
export { checkFormat } from './formats.ts';
