// The effectful edge of install/uninstall/status: generic object operations on the API server
// (server-side apply with field manager `netobs`, read, delete, list), each error one line.
import http from 'node:http';
import https from 'node:https';
import { KubernetesObjectApi, PatchStrategy, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { apiError } from './kube.ts';

export const FIELD_MANAGER = 'netobs';

export type ApplyAction = 'created' | 'configured' | 'unchanged';

export interface ObjectHeader {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}

export function describeRef(o: ObjectHeader): string {
  return `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
}

function statusCode(err: unknown): number | undefined {
  const e = err as { code?: unknown; statusCode?: unknown; response?: { statusCode?: unknown } };
  for (const c of [e.code, e.statusCode, e.response?.statusCode]) if (typeof c === 'number') return c;
  return undefined;
}

export const isNotFound = (err: unknown): boolean => statusCode(err) === 404;

export class Objects {
  readonly api: KubernetesObjectApi;
  constructor(readonly kc: KubeConfig) {
    this.api = KubernetesObjectApi.makeApiClient(kc);
  }

  async get<T extends KubernetesObject>(h: ObjectHeader): Promise<T | undefined> {
    try {
      return (await this.api.read(h as KubernetesObject & ObjectHeader)) as T;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw apiError(`get ${describeRef(h)}`, err, this.kc);
    }
  }

  /** Server-side apply; says whether the object was created, changed or already as wanted. */
  async apply(o: ObjectHeader & Record<string, unknown>): Promise<ApplyAction> {
    const before = await this.get(o);
    let after: KubernetesObject;
    try {
      after = await this.rawApply(o);
    } catch (err) {
      throw apiError(`apply ${describeRef(o)}`, err, this.kc);
    }
    if (!before) return 'created';
    return before.metadata?.resourceVersion === after.metadata?.resourceVersion ? 'unchanged' : 'configured';
  }

  /**
   * The apply request itself, sent as JSON: the client library re-serialises objects through its
   * typed models, which drops fields whose model name differs from the wire name (a
   * NetworkPolicy rule's `from` is `_from` there).
   */
  private async rawApply(o: ObjectHeader & Record<string, unknown>): Promise<KubernetesObject> {
    const api = this.api as unknown as { specUriPath(spec: KubernetesObject, action: string): Promise<string> };
    const path = await api.specUriPath(structuredClone(o) as KubernetesObject, 'patch');
    const server = this.kc.getCurrentCluster()?.server ?? '';
    const url = new URL(`${server.replace(/\/$/, '')}${path}?fieldManager=${FIELD_MANAGER}&force=true`);
    const opts: https.RequestOptions = { method: 'PATCH', headers: { 'content-type': PatchStrategy.ServerSideApply, accept: 'application/json' } };
    await this.kc.applyToHTTPSOptions(opts);
    const body = JSON.stringify(o);
    return new Promise((resolve, reject) => {
      const req = (url.protocol === 'https:' ? https : http).request(url, opts, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if ((res.statusCode ?? 500) >= 400) reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { code: res.statusCode, body: text }));
          else resolve(JSON.parse(text) as KubernetesObject);
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  async patchMerge(h: ObjectHeader, patch: Record<string, unknown>): Promise<void> {
    try {
      await this.api.patch({ apiVersion: h.apiVersion, kind: h.kind, metadata: { ...h.metadata }, ...patch } as KubernetesObject, undefined, undefined, FIELD_MANAGER, undefined, PatchStrategy.MergePatch);
    } catch (err) {
      if (isNotFound(err)) return;
      throw apiError(`patch ${describeRef(h)}`, err, this.kc);
    }
  }

  /** Deletes; false when it was already gone. */
  async delete(h: ObjectHeader, propagationPolicy: 'Foreground' | 'Background' = 'Background'): Promise<boolean> {
    try {
      await this.api.delete(h as KubernetesObject, undefined, undefined, undefined, undefined, propagationPolicy);
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw apiError(`delete ${describeRef(h)}`, err, this.kc);
    }
  }

  async list<T extends KubernetesObject>(apiVersion: string, kind: string, namespace?: string, labelSelector?: string, fieldSelector?: string): Promise<T[]> {
    try {
      const res = await this.api.list(apiVersion, kind, namespace, undefined, undefined, undefined, fieldSelector, labelSelector);
      return res.items as T[];
    } catch (err) {
      if (isNotFound(err)) return [];
      throw apiError(`list ${kind}${namespace ? ` in ${namespace}` : ''}`, err, this.kc);
    }
  }
}
