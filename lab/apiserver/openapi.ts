// OpenAPI documents, just enough for kubectl: v3 per group-version with each resource's paths
// (the PATCH operation's fieldValidation parameter tells kubectl to validate server-side) and a
// permissive schema per kind tagged with x-kubernetes-group-version-kind.
import type { Api } from './api.ts';
import { versionSchema } from './crds.ts';
import type { Registry } from './registry.ts';
import { apiVersionOf, type ResourceType } from './types.ts';

const gvPath = (group: string, version: string) => (group ? `apis/${group}/${version}` : `api/${version}`);

function schemaName(rt: ResourceType): string {
  const g = rt.group ? rt.group.split('.').reverse().join('.') : 'core';
  return `io.k8s.lab.${g}.${rt.version}.${rt.kind}`;
}

export function openApiV3Root(reg: Registry): object {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  const gvs = new Set(reg.all().map((rt) => `${rt.group}|${rt.version}`));
  for (const gv of gvs) {
    const [g, v] = gv.split('|') as [string, string];
    const p = gvPath(g, v);
    paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hash(p + reg.resourcesOf(g, v).length)}` };
  }
  return { paths };
}

function hash(s: string): string {
  let h = 0;
  for (const c of s) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h.toString(16).toUpperCase().padStart(8, '0');
}

const fieldValidation = { name: 'fieldValidation', in: 'query', description: 'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields.', schema: { type: 'string', uniqueItems: true } };
const dryRun = { name: 'dryRun', in: 'query', schema: { type: 'string', uniqueItems: true } };
const fieldManager = { name: 'fieldManager', in: 'query', schema: { type: 'string', uniqueItems: true } };

export function openApiV3Doc(api: Api, group: string, version: string): object | undefined {
  const rts = api.registry.resourcesOf(group, version).filter((r) => !r.virtual);
  if (rts.length === 0 && !api.registry.resourcesOf(group, version).length) return undefined;
  const paths: Record<string, object> = {};
  const schemas: Record<string, object> = {};
  for (const rt of rts) {
    const gvk = { group: rt.group, version: rt.version, kind: rt.kind };
    const ref = { $ref: `#/components/schemas/${schemaName(rt)}` };
    const op = (action: string, extra: object[] = []) => ({
      operationId: `${action}${rt.kind}`,
      parameters: [dryRun, fieldManager, ...extra],
      requestBody: { content: { '*/*': { schema: ref } } },
      responses: { '200': { description: 'OK', content: { 'application/json': { schema: ref } } } },
      'x-kubernetes-action': action,
      'x-kubernetes-group-version-kind': gvk,
    });
    const base = `/${gvPath(group, version)}${rt.namespaced ? '/namespaces/{namespace}' : ''}/${rt.resource}`;
    paths[base] = { get: op('list'), post: op('post', [fieldValidation]) };
    paths[`${base}/{name}`] = { get: op('get'), put: op('put', [fieldValidation]), patch: op('patch', [fieldValidation, { name: 'force', in: 'query', schema: { type: 'boolean', uniqueItems: true } }]), delete: op('delete') };
    const crd = api.store.get('apiextensions.k8s.io/customresourcedefinitions', '', `${rt.resource}.${rt.group}`);
    const crSchema = crd ? versionSchema(crd, rt.version)?.schema?.openAPIV3Schema : undefined;
    schemas[schemaName(rt)] = {
      ...(crSchema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }),
      'x-kubernetes-group-version-kind': [gvk],
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes (netobs lab)', version: apiVersionOf({ group, version }) },
    paths,
    components: { schemas },
  };
}

/** v2 is only fetched by old clients; an empty document makes them skip client-side validation. */
export function openApiV2(_reg: Registry): object {
  return { swagger: '2.0', info: { title: 'Kubernetes (netobs lab)', version: 'v1.32.0' }, paths: {}, definitions: {} };
}
