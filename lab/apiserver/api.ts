// API semantics over the store: naming, defaults, optimistic concurrency, status subresources,
// patches, server-side apply, finalizers and graceful deletion, selectors and watches. The HTTP
// layer and the in-process controllers and kubelets both use this one object.
import { randomUUID, randomBytes } from 'node:crypto';
import { applyConfig, recordUpdate } from './apply.ts';
import { crdResourceTypes, establishedStatus, validateCrd, versionSchema, type PrinterColumn } from './crds.ts';
import { canonicalJson } from '../../lib/canonical-json.ts';
import { ApiError, alreadyExists, badRequest, conflict, invalid, notFound, successStatus } from './errors.ts';
import { jsonPatch, mergePatch, strategicMergePatch } from './patch.ts';
import { Registry } from './registry.ts';
import { admitCustomResource } from './schema.ts';
import { matchFields, matchLabels, parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { Store, type StoreEvent } from './store.ts';
import { prepareCreate, prepareUpdate, type StrategyContext } from './strategies.ts';
import { apiVersionOf, type KObject, type ResourceType, type WatchEvent } from './types.ts';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export interface ApiOptions {
  serviceCidr?: string;
  nodePortRange?: [number, number];
  /** Pods bound to a node wait for their kubelet to confirm deletion (off when no kubelet runs). */
  gracefulPodDeletion?: boolean;
}

export interface ListOptions {
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
}

export interface WriteOptions {
  manager?: string | undefined;
  subresource?: string | undefined;
  dryRun?: boolean | undefined;
  force?: boolean | undefined;
  /** What to do with fields the schema does not know (the fieldValidation query parameter); they are pruned in every case. */
  fieldValidation?: FieldValidation | undefined;
  /** Collects the Warning headers of the response (unknown fields under fieldValidation=Warn). */
  warnings?: string[] | undefined;
}

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface DeleteOptions {
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan' | undefined;
  gracePeriodSeconds?: number | undefined;
  preconditions?: { uid?: string; resourceVersion?: string } | undefined;
}

export interface WatchOptions extends ListOptions {
  resourceVersion?: string | undefined;
  sendInitialEvents?: boolean | undefined;
  allowBookmarks?: boolean | undefined;
}

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const grOf = (rt: Pick<ResourceType, 'group' | 'resource'>) => `${rt.group}/${rt.resource}`;

export class Api {
  readonly store = new Store();
  readonly registry = new Registry();
  private ctx: StrategyContext;
  gracefulPodDeletion: boolean;

  constructor(opts: ApiOptions = {}) {
    this.gracefulPodDeletion = opts.gracefulPodDeletion ?? false;
    this.ctx = {
      serviceCidr: opts.serviceCidr ?? '10.96.0.0/16',
      nodePortRange: opts.nodePortRange ?? [30000, 32767],
      services: () => this.store.list('/services'),
    };
  }

  get serviceCidr(): string {
    return this.ctx.serviceCidr;
  }

  /** Re-registers custom resources after the store was restored from a file. */
  reloadCrds(): void {
    for (const crd of this.store.list('apiextensions.k8s.io/customresourcedefinitions')) {
      this.registry.setCustom(crd.metadata.name ?? '', crdResourceTypes(crd));
    }
  }

  resource(group: string, version: string, resource: string): ResourceType {
    const rt = this.registry.lookup(group, version, resource);
    if (!rt) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    return rt;
  }

  /** Convenience for in-process callers: `api.rt('apps', 'deployments')`. */
  rt(group: string, resource: string): ResourceType {
    const rt = this.registry.all().find((r) => r.group === group && r.resource === resource);
    if (!rt) throw new ApiError(404, 'NotFound', `the server could not find the requested resource ${resource}.${group}`);
    return rt;
  }

  private present(rt: ResourceType, o: KObject): KObject {
    const { apiVersion: _a, kind: _k, ...rest } = o;
    return { apiVersion: apiVersionOf(rt), kind: rt.kind, ...rest } as KObject;
  }

  private nsOf(rt: ResourceType, ns: string | undefined): string {
    if (!rt.namespaced) return '';
    if (!ns) throw badRequest('the namespace of the object does not match the namespace on the request');
    return ns;
  }

  get(rt: ResourceType, ns: string | undefined, name: string): KObject {
    const o = this.store.get(grOf(rt), rt.namespaced ? (ns ?? '') : '', name);
    if (!o) throw notFound(rt.resource, rt.group, name);
    return this.present(rt, o);
  }

  tryGet(rt: ResourceType, ns: string | undefined, name: string): KObject | undefined {
    const o = this.store.get(grOf(rt), rt.namespaced ? (ns ?? '') : '', name);
    return o ? this.present(rt, o) : undefined;
  }

  list(rt: ResourceType, ns: string | undefined, opts: ListOptions = {}): { items: KObject[]; resourceVersion: string } {
    const ls = parseLabelSelector(opts.labelSelector);
    const fs = parseFieldSelector(opts.fieldSelector);
    const items = this.store
      .list(grOf(rt), rt.namespaced && ns ? ns : undefined)
      .filter((o) => matchLabels(ls, o.metadata.labels) && matchFields(fs, o))
      .map((o) => this.present(rt, o));
    return { items, resourceVersion: String(this.store.currentRv()) };
  }

  create(rt: ResourceType, ns: string | undefined, body: KObject, opts: WriteOptions = {}): KObject {
    // Reviews are answers, never stored: the HTTP layer's Auth (auth.ts) makes them.
    if (rt.virtual) throw badRequest(`${rt.kind} is answered by the API server's authenticator and authorizer, not stored`);
    const obj = structuredClone(body);
    obj.metadata ??= {};
    const namespace = this.nsOf(rt, ns ?? obj.metadata.namespace);
    if (rt.namespaced && obj.metadata.namespace && obj.metadata.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    if (!obj.metadata.name && obj.metadata.generateName) obj.metadata.name = obj.metadata.generateName + suffix();
    const name = obj.metadata.name;
    if (!name) throw invalid(rt.kind, rt.group, '', [{ field: 'metadata.name', message: 'Required value: name or generateName is required' }]);
    // RBAC objects are named by path segments (`system:discovery`), everything else by DNS subdomains.
    if (rt.group === 'rbac.authorization.k8s.io') {
      if (name === '.' || name === '..' || /[/%]/.test(name)) throw invalid(rt.kind, rt.group, name, [{ field: 'metadata.name', message: `Invalid value: "${name}": may not be '.' or '..' and may not contain '/' or '%'` }]);
    } else if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name) || name.length > 253) {
      throw invalid(rt.kind, rt.group, name, [{ field: 'metadata.name', message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character` }]);
    }
    if (rt.namespaced) this.checkNamespaceOpen(namespace);
    const gr = grOf(rt);
    if (this.store.get(gr, namespace, name)) throw alreadyExists(rt.resource, rt.group, name);
    delete obj.metadata.resourceVersion;
    delete obj.metadata.deletionTimestamp;
    obj.metadata.namespace = rt.namespaced ? namespace : undefined;
    if (!rt.namespaced) delete obj.metadata.namespace;
    obj.metadata.uid = randomUUID();
    obj.metadata.creationTimestamp = now();
    obj.metadata.generation = 1;
    obj.apiVersion = apiVersionOf(rt);
    obj.kind = rt.kind;
    this.admit(rt, obj, undefined, opts);
    if (opts.manager && !obj.metadata.managedFields?.length) recordUpdate(undefined, obj, opts.manager, apiVersionOf(rt));
    if (opts.dryRun) return this.present(rt, obj);
    const stored = this.store.put(gr, obj, 'ADDED');
    this.afterWrite(rt, stored);
    return this.present(rt, stored);
  }

  private checkNamespaceOpen(ns: string): void {
    const n = this.store.get('/namespaces', '', ns);
    if (!n) throw notFound('namespaces', '', ns);
    if (n.metadata.deletionTimestamp) {
      throw new ApiError(403, 'Forbidden', `unable to create new content in namespace ${ns} because it is being terminated`);
    }
  }

  /** Defaults, allocations and validation for one resource kind. */
  private admit(rt: ResourceType, obj: KObject, old: KObject | undefined, opts: WriteOptions): void {
    const gr = grOf(rt);
    if (old) prepareUpdate(gr, old, obj, this.ctx);
    else prepareCreate(gr, obj, this.ctx);
    if (gr === 'apiextensions.k8s.io/customresourcedefinitions') {
      const errs = validateCrd(obj);
      if (errs.length) throw invalid(rt.kind, rt.group, obj.metadata.name ?? '', errs);
      obj['status'] = establishedStatus(obj);
    }
    this.admitSchema(rt, obj, opts);
  }

  /**
   * A custom resource through its schema, on every write of the object or its status: unknown
   * fields pruned (refused under Strict, named in a warning under Warn), defaults, validation.
   */
  private admitSchema(rt: ResourceType, obj: KObject, opts: WriteOptions): void {
    const crd = this.crdFor(rt);
    if (!crd) return;
    const v = versionSchema(crd, rt.version);
    const r = admitCustomResource(obj, v?.schema?.openAPIV3Schema);
    const mode = opts.fieldValidation ?? 'Warn';
    if (r.unknown.length && mode === 'Strict') {
      throw badRequest(`${rt.kind} in version "${rt.version}" cannot be handled as a ${rt.kind}: strict decoding error: ${r.unknown.map((f) => `unknown field "${f}"`).join(', ')}`);
    }
    if (mode === 'Warn') for (const f of r.unknown) opts.warnings?.push(`unknown field "${f}"`);
    if (r.errors.length) throw invalid(rt.kind, rt.group, obj.metadata.name ?? '', r.errors);
    for (const k of Object.keys(obj)) delete (obj as Record<string, unknown>)[k];
    Object.assign(obj, r.object);
  }

  /** Printer columns of a custom resource version; undefined for built-in resources. */
  crdColumns(rt: ResourceType): PrinterColumn[] | null | undefined {
    const crd = this.crdFor(rt);
    if (!crd) return undefined;
    return versionSchema(crd, rt.version)?.additionalPrinterColumns ?? null;
  }

  /** PUT namespaces/NAME/finalize: the namespace controller's last step. */
  finalizeNamespace(name: string, finalizers: string[]): KObject {
    const rt = this.rt('', 'namespaces');
    const old = this.store.get('/namespaces', '', name);
    if (!old) throw notFound('namespaces', '', name);
    const obj = structuredClone(old);
    obj['spec'] = { ...(obj['spec'] as object), finalizers };
    if (obj.metadata.deletionTimestamp && finalizers.length === 0 && !obj.metadata.finalizers?.length) {
      const gone = this.store.remove('/namespaces', '', name)!;
      return this.present(rt, gone);
    }
    return this.present(rt, this.store.put('/namespaces', obj, 'MODIFIED'));
  }

  private crdFor(rt: ResourceType): KObject | undefined {
    if (!this.registry.byKind(rt.group, rt.kind) || rt.group === '' || !rt.group.includes('.')) return undefined;
    return this.store.get('apiextensions.k8s.io/customresourcedefinitions', '', `${rt.resource}.${rt.group}`);
  }

  private afterWrite(rt: ResourceType, o: KObject): void {
    if (grOf(rt) === 'apiextensions.k8s.io/customresourcedefinitions') {
      this.registry.setCustom(o.metadata.name ?? '', o.metadata.deletionTimestamp ? [] : crdResourceTypes(o));
    }
  }

  update(rt: ResourceType, ns: string | undefined, name: string, body: KObject, opts: WriteOptions = {}): KObject {
    const namespace = rt.namespaced ? (ns ?? '') : '';
    const old = this.store.get(grOf(rt), namespace, name);
    if (!old) throw notFound(rt.resource, rt.group, name);
    if (body.metadata?.name && body.metadata.name !== name) throw badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`);
    const rv = body.metadata?.resourceVersion;
    if (rv && rv !== old.metadata.resourceVersion) {
      throw conflict(rt.resource, rt.group, name, 'the object has been modified; please apply your changes to the latest version and try again');
    }
    return this.write(rt, old, structuredClone(body), opts);
  }

  /** Shared tail of update, patch and apply: subresource rules, generation, finalization. */
  private write(rt: ResourceType, old: KObject, next: KObject, opts: WriteOptions & { deleting?: boolean }): KObject {
    next.metadata ??= {};
    const sub = opts.subresource;
    let obj: KObject;
    if (sub === 'status') {
      obj = { ...structuredClone(old), status: next['status'] };
      if (next.metadata.managedFields) obj.metadata.managedFields = next.metadata.managedFields;
    } else {
      obj = next;
      if (rt.subresources?.includes('status')) obj['status'] = old['status'];
    }
    const immutable = opts.deleting ? (['uid', 'creationTimestamp', 'namespace', 'name'] as const) : (['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'namespace', 'name'] as const);
    for (const k of immutable) {
      if (old.metadata[k] === undefined) delete obj.metadata[k];
      else (obj.metadata as Record<string, unknown>)[k] = old.metadata[k];
    }
    obj.apiVersion = apiVersionOf(rt);
    obj.kind = rt.kind;
    obj.metadata.generation = old.metadata.generation ?? 1;
    if (sub !== 'status') this.admit(rt, obj, old, opts);
    else this.admitSchema(rt, obj, opts);
    if (specOf(obj) !== specOf(old)) obj.metadata.generation = (old.metadata.generation ?? 1) + 1;
    if (opts.manager && sub !== 'apply') recordUpdate(old, obj, opts.manager, apiVersionOf(rt), sub === 'status' ? 'status' : undefined);
    if (opts.dryRun) return this.present(rt, obj);
    if (obj.metadata.deletionTimestamp && !(obj.metadata.finalizers?.length) && this.finalizable(rt, obj)) {
      const gone = this.store.remove(grOf(rt), obj.metadata.namespace ?? '', obj.metadata.name ?? '');
      this.afterDelete(rt, gone ?? obj);
      return this.present(rt, gone ?? obj);
    }
    // A write that changes nothing is no write (same resourceVersion, no event), whatever the key order.
    if (canonicalJson(stripRv(obj)) === canonicalJson(stripRv(old))) return this.present(rt, old);
    const stored = this.store.put(grOf(rt), obj, 'MODIFIED');
    this.afterWrite(rt, stored);
    return this.present(rt, stored);
  }

  /** Objects held only by finalizers go once those are gone; namespaces and bound pods wait for their owners. */
  private finalizable(rt: ResourceType, obj: KObject): boolean {
    const gr = grOf(rt);
    if (gr === '/namespaces') return !((obj['spec'] as { finalizers?: string[] } | undefined)?.finalizers?.length);
    if (gr === '/pods' && this.gracefulPodDeletion && podNode(obj)) return (obj.metadata.deletionGracePeriodSeconds ?? 0) === 0;
    return true;
  }

  patch(rt: ResourceType, ns: string | undefined, name: string, type: PatchType, body: unknown, opts: WriteOptions = {}): KObject {
    const namespace = rt.namespaced ? (ns ?? '') : '';
    const old = this.store.get(grOf(rt), namespace, name);
    if (type === 'apply') {
      const config = body as KObject;
      if (!config || typeof config !== 'object') throw badRequest('apply patch must be an object');
      config.metadata ??= {};
      if (!opts.manager) throw badRequest('PATCH, application/apply-patch+yaml requires fieldManager to be set');
      if (!old) {
        const merged = applyConfig(undefined, { ...config, metadata: { ...config.metadata, name, ...(rt.namespaced ? { namespace } : {}) } }, {
          manager: opts.manager,
          force: !!opts.force,
          apiVersion: apiVersionOf(rt),
        });
        const created = { ...structuredClone(config), ...merged, metadata: { ...config.metadata, ...merged.metadata, name } };
        return this.create(rt, ns, created, { ...opts, manager: undefined });
      }
      const current = this.present(rt, old);
      const merged = applyConfig(current, config, {
        manager: opts.manager,
        force: !!opts.force,
        apiVersion: apiVersionOf(rt),
        ...(opts.subresource ? { subresource: opts.subresource } : {}),
      });
      merged.metadata.resourceVersion = old.metadata.resourceVersion;
      return this.write(rt, old, merged, { ...opts, subresource: opts.subresource === 'status' ? 'status' : 'apply' });
    }
    if (!old) throw notFound(rt.resource, rt.group, name);
    const current = this.present(rt, old);
    let next: unknown;
    if (type === 'json') next = jsonPatch(current, body);
    else if (type === 'merge') next = mergePatch(current, body);
    else next = strategicMergePatch(current, body);
    const obj = next as KObject;
    const rv = obj.metadata?.resourceVersion;
    if (rv && rv !== old.metadata.resourceVersion) {
      throw conflict(rt.resource, rt.group, name, 'the object has been modified; please apply your changes to the latest version and try again');
    }
    return this.write(rt, old, obj, opts);
  }

  delete(rt: ResourceType, ns: string | undefined, name: string, opts: DeleteOptions = {}): KObject {
    const gr = grOf(rt);
    const namespace = rt.namespaced ? (ns ?? '') : '';
    const old = this.store.get(gr, namespace, name);
    if (!old) throw notFound(rt.resource, rt.group, name);
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== old.metadata.uid) throw conflict(rt.resource, rt.group, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`);
    if (pre?.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion) {
      throw conflict(rt.resource, rt.group, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`);
    }
    const obj = structuredClone(old);
    const bound = gr === '/pods' && this.gracefulPodDeletion && !!podNode(obj);
    const grace = bound ? (opts.gracePeriodSeconds ?? Number((obj['spec'] as Record<string, unknown>)['terminationGracePeriodSeconds'] ?? 30)) : 0;
    if (obj.metadata.deletionTimestamp) {
      // Already terminating: only a shorter grace period (kubelet's final 0) changes anything.
      if (bound && grace < (obj.metadata.deletionGracePeriodSeconds ?? 0)) {
        obj.metadata.deletionGracePeriodSeconds = grace;
        return this.write(rt, old, obj, { deleting: true });
      }
      return this.present(rt, old);
    }
    const fin = new Set(obj.metadata.finalizers ?? []);
    if (opts.propagationPolicy === 'Foreground') fin.add('foregroundDeletion');
    if (opts.propagationPolicy === 'Orphan') fin.add('orphan');
    const nsFinalizers = gr === '/namespaces' && ((obj['spec'] as { finalizers?: string[] } | undefined)?.finalizers?.length ?? 0) > 0;
    if (fin.size > 0 || nsFinalizers || (bound && grace > 0)) {
      obj.metadata.finalizers = [...fin];
      if (obj.metadata.finalizers.length === 0) delete obj.metadata.finalizers;
      obj.metadata.deletionTimestamp = new Date(Date.now() + grace * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
      obj.metadata.deletionGracePeriodSeconds = grace;
      if (gr === '/namespaces') obj['status'] = { ...(obj['status'] as object), phase: 'Terminating' };
      const stored = this.store.put(gr, obj, 'MODIFIED');
      this.afterWrite(rt, stored);
      return this.present(rt, stored);
    }
    const gone = this.store.remove(gr, namespace, name)!;
    this.afterDelete(rt, gone);
    return this.present(rt, gone);
  }

  private afterDelete(rt: ResourceType, o: KObject): void {
    if (grOf(rt) === 'apiextensions.k8s.io/customresourcedefinitions') {
      const spec = o['spec'] as { group: string; names: { plural: string } };
      const gr = `${spec.group}/${spec.names.plural}`;
      for (const cr of this.store.list(gr)) this.store.remove(gr, cr.metadata.namespace ?? '', cr.metadata.name ?? '');
      this.registry.setCustom(o.metadata.name ?? '', []);
    }
  }

  deleteCollection(rt: ResourceType, ns: string | undefined, list: ListOptions, opts: DeleteOptions = {}): KObject {
    const { items } = this.list(rt, ns, list);
    for (const o of items) {
      try {
        this.delete(rt, o.metadata.namespace, o.metadata.name ?? '', opts);
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 404)) throw e;
      }
    }
    return { kind: `${rt.kind}List`, apiVersion: apiVersionOf(rt), metadata: { resourceVersion: String(this.store.currentRv()) }, items } as unknown as KObject;
  }

  deletedStatus(rt: ResourceType, o: KObject): KObject {
    return successStatus({ name: o.metadata.name, group: rt.group, kind: rt.resource, uid: o.metadata.uid });
  }

  /**
   * Streams events for one resource. Returns a stop function. Throws 410 Gone when
   * resourceVersion is older than the kept history.
   */
  watch(rt: ResourceType, ns: string | undefined, opts: WatchOptions, send: (e: WatchEvent) => void): () => void {
    const gr = grOf(rt);
    const ls = parseLabelSelector(opts.labelSelector);
    const fs = parseFieldSelector(opts.fieldSelector);
    const nsFilter = rt.namespaced && ns ? ns : undefined;
    const matches = (o: KObject | undefined) =>
      !!o && (nsFilter === undefined || o.metadata.namespace === nsFilter) && matchLabels(ls, o.metadata.labels) && matchFields(fs, o);
    const deliver = (e: StoreEvent) => {
      if (e.gr !== gr) return;
      const now = matches(e.object);
      const before = e.prev ? matches(e.prev) : false;
      let type: WatchEvent['type'] | undefined;
      if (e.type === 'MODIFIED') type = now && before ? 'MODIFIED' : now ? 'ADDED' : before ? 'DELETED' : undefined;
      else type = now ? e.type : undefined;
      if (type) send({ type, object: this.present(rt, structuredClone(e.object)) });
    };
    const rv = opts.resourceVersion;
    if (!rv || rv === '0' || opts.sendInitialEvents) {
      for (const o of this.list(rt, ns, opts).items) send({ type: 'ADDED', object: o });
      if (opts.sendInitialEvents && opts.allowBookmarks) {
        send({
          type: 'BOOKMARK',
          object: { apiVersion: apiVersionOf(rt), kind: rt.kind, metadata: { resourceVersion: String(this.store.currentRv()), annotations: { 'k8s.io/initial-events-end': 'true' } } },
        });
      }
    } else {
      const n = Number(rv);
      if (!Number.isFinite(n)) throw badRequest(`invalid resource version: ${rv}`);
      const missed = this.store.since(n);
      if (!missed) throw new ApiError(410, 'Expired', `too old resource version: ${rv} (${this.store.oldestRv()})`);
      for (const e of missed) deliver(e);
    }
    return this.store.subscribe(deliver);
  }

  /** Every stored object with its resource type, for the garbage collector and namespace cleanup. */
  allObjects(): { rt: ResourceType; obj: KObject }[] {
    const out: { rt: ResourceType; obj: KObject }[] = [];
    const seen = new Set<string>();
    for (const rt of this.registry.all()) {
      const gr = grOf(rt);
      if (seen.has(gr) || rt.virtual) continue;
      seen.add(gr);
      for (const obj of this.store.list(gr)) out.push({ rt, obj: this.present(rt, obj) });
    }
    return out;
  }

}

function specOf(o: KObject): string {
  const { metadata: _m, status: _s, ...rest } = o;
  return canonicalJson(rest);
}


function stripRv(o: KObject): KObject {
  return { ...o, metadata: { ...o.metadata, resourceVersion: undefined, managedFields: undefined } };
}

function podNode(o: KObject): string | undefined {
  return (o['spec'] as { nodeName?: string } | undefined)?.nodeName;
}

/** 5 characters from the alphabet the real server uses for generateName (no vowels, no confusables). */
export function suffix(n = 5): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  const bytes = randomBytes(n);
  let s = '';
  for (const b of bytes) s += alphabet[b % alphabet.length];
  return s;
}
