// CustomResourceDefinitions: what they add to the registry and the status the real server
// writes (NamesAccepted, Established), so clients waiting for `condition=established` proceed.
import type { JSONSchemaProps } from './schema.ts';
import type { KObject, ResourceType } from './types.ts';

export interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  schema?: { openAPIV3Schema?: JSONSchemaProps };
  subresources?: { status?: object; scale?: object };
  additionalPrinterColumns?: PrinterColumn[];
}

export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
  priority?: number;
  format?: string;
}

export interface CrdSpec {
  group: string;
  names: { plural: string; singular?: string; kind: string; listKind?: string; shortNames?: string[]; categories?: string[] };
  scope: 'Namespaced' | 'Cluster';
  versions: CrdVersion[];
}

export function crdSpec(crd: KObject): CrdSpec {
  return crd['spec'] as CrdSpec;
}

export function crdResourceTypes(crd: KObject): ResourceType[] {
  const s = crdSpec(crd);
  return s.versions
    .filter((v) => v.served)
    .map((v) => ({
      group: s.group,
      version: v.name,
      resource: s.names.plural,
      kind: s.names.kind,
      singular: s.names.singular ?? s.names.kind.toLowerCase(),
      namespaced: s.scope !== 'Cluster',
      ...(s.names.shortNames ? { shortNames: s.names.shortNames } : {}),
      ...(s.names.categories ? { categories: s.names.categories } : {}),
      subresources: [...(v.subresources?.status ? ['status'] : []), ...(v.subresources?.scale ? ['scale'] : [])],
    }));
}

/** Problems the real server rejects a CRD for (the ones a typo produces). */
export function validateCrd(crd: KObject): { field: string; message: string }[] {
  const errs: { field: string; message: string }[] = [];
  const s = crd['spec'] as Partial<CrdSpec> | undefined;
  if (!s?.group) errs.push({ field: 'spec.group', message: 'Required value' });
  if (!s?.names?.plural) errs.push({ field: 'spec.names.plural', message: 'Required value' });
  if (!s?.names?.kind) errs.push({ field: 'spec.names.kind', message: 'Required value' });
  if (s?.scope !== 'Namespaced' && s?.scope !== 'Cluster') errs.push({ field: 'spec.scope', message: `Unsupported value: "${String(s?.scope)}": supported values: "Cluster", "Namespaced"` });
  if (!s?.versions?.length) errs.push({ field: 'spec.versions', message: 'Invalid value: null: must have exactly one version marked as storage version' });
  else if (s.versions.filter((v) => v.storage).length !== 1) errs.push({ field: 'spec.versions', message: 'Invalid value: must have exactly one version marked as storage version' });
  if (s?.group && s.names?.plural && crd.metadata.name !== `${s.names.plural}.${s.group}`) {
    errs.push({ field: 'metadata.name', message: `Invalid value: "${crd.metadata.name}": must be spec.names.plural+"."+spec.group` });
  }
  for (const v of s?.versions ?? []) {
    if (!v.schema?.openAPIV3Schema) errs.push({ field: `spec.versions[${v.name}].schema.openAPIV3Schema`, message: 'Required value: schemas are required' });
  }
  return errs;
}

export function establishedStatus(crd: KObject): Record<string, unknown> {
  const s = crdSpec(crd);
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  // A condition keeps its lastTransitionTime while its status stays: re-applying a CRD is no change.
  const prev = ((crd as { status?: { conditions?: { type: string; status: string; lastTransitionTime?: string }[] } }).status?.conditions ?? []);
  const since = (type: string) => prev.find((c) => c.type === type && c.status === 'True')?.lastTransitionTime ?? now;
  const cond = (type: string, reason: string, message: string) => ({ type, status: 'True', lastTransitionTime: since(type), reason, message });
  return {
    conditions: [cond('NamesAccepted', 'NoConflicts', 'no conflicts found'), cond('Established', 'InitialNamesAccepted', 'the initial names have been accepted')],
    acceptedNames: { ...s.names, listKind: s.names.listKind ?? `${s.names.kind}List`, singular: s.names.singular ?? s.names.kind.toLowerCase() },
    storedVersions: s.versions.filter((v) => v.storage).map((v) => v.name),
  };
}

export function versionSchema(crd: KObject, version: string): CrdVersion | undefined {
  return crdSpec(crd).versions.find((v) => v.name === version);
}
