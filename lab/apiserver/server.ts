// The HTTPS front of the lab API server: routes REST requests to the Api object, negotiates
// the Table form, streams watches and logs, and hands upgrades (exec, portforward) to streams.ts.
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { once } from 'node:events';
import type { Api, DeleteOptions, FieldValidation, WatchOptions } from './api.ts';
import { parseBody, patchTypeOf, readBody, wantsTable } from './content.ts';
import { apiGroup, coreVersions, groupList, resourceList, versionInfo } from './discovery.ts';
import { ApiError, badRequest } from './errors.ts';
import { openApiV2, openApiV3Doc, openApiV3Root } from './openapi.ts';
import { parseTarget, type Target } from './routes.ts';
import { toTable } from './tables.ts';
import { apiVersionOf, type KObject, type ResourceType, type WatchEvent } from './types.ts';
import { handleUpgrade, type PodRuntime } from './streams.ts';
import { requestAttributes, type Auth } from './auth.ts';
import type { UserInfo } from './rbac.ts';

export interface ServerOptions {
  api: Api;
  tls: { key: string; cert: string; ca: string };
  /** Authentication and RBAC; every request is checked against it. */
  auth: Auth;
  host?: string;
  /** More addresses to serve on, with the same port (the lab's underlay address, for pods). */
  extraHosts?: string[];
  port?: number;
  runtime?: PodRuntime;
  log?: (line: string) => void;
}

export interface RunningServer {
  readonly port: number;
  close(): Promise<void>;
}

type ObjTarget = Extract<Target, { kind: 'object' }>;

export async function startApiServer(o: ServerOptions): Promise<RunningServer> {
  const first = await listenOne(o, o.host ?? '127.0.0.1', o.port ?? 0);
  const others = await Promise.all((o.extraHosts ?? []).map((h) => listenOne(o, h, first.port)));
  return {
    port: first.port,
    async close() {
      await Promise.all([first, ...others].map((s) => s.close()));
    },
  };
}

async function listenOne(o: ServerOptions, host: string, port: number): Promise<RunningServer> {
  const server = https.createServer({ key: o.tls.key, cert: o.tls.cert, ca: o.tls.ca, requestCert: true, rejectUnauthorized: false });
  let address = '';
  server.on('request', (req, res) => {
    handle(o, address, req, res).catch((err: unknown) => sendError(res, err, o.log));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'https://lab');
    const t = parseTarget(url.pathname);
    try {
      const user = authorizeRequest(o, req, url, t);
      if (t.kind !== 'object' || t.resource !== 'pods' || !t.name || !o.runtime) throw badRequest('upgrade request for an unsupported resource');
      // Kubernetes 1.35 (AuthorizePodWebsocketUpgradeCreatePermission): a WebSocket GET for exec,
      // attach or portforward also needs `create`, the verb of the same request over SPDY's POST.
      if (['exec', 'attach', 'portforward'].includes(t.subresource ?? '')) {
        o.auth.check(user, { kind: 'resource', verb: 'create', group: '', resource: 'pods', subresource: t.subresource, namespace: t.namespace, name: t.name });
      }
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError(500, 'InternalError', (err as Error).message);
      const body = JSON.stringify(e.toStatus());
      socket.end(`HTTP/1.1 ${e.code} ${e.reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
      return;
    }
    o.log?.(`UPGRADE ${req.url}`);
    handleUpgrade(o.api, o.runtime, { namespace: t.namespace ?? 'default', name: t.name, subresource: t.subresource ?? '' }, url, req, socket, head);
  });
  server.listen(port, host);
  await once(server, 'listening');
  const bound = (server.address() as { port: number }).port;
  address = `${host}:${bound}`;
  return {
    port: bound,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Authenticates, applies impersonation and authorizes; returns the user the request acts as. */
function authorizeRequest(o: ServerOptions, req: IncomingMessage, url: URL, t: Target): UserInfo {
  const user = o.auth.impersonate(req, o.auth.authenticate(req, url.pathname));
  const a = requestAttributes(req.method ?? 'GET', url, t);
  // A namespace is its own namespace: a RoleBinding in `x` may grant `get namespaces/x`.
  if (a.kind === 'resource' && a.group === '' && a.resource === 'namespaces' && a.name && !a.namespace) a.namespace = a.name;
  o.auth.check(user, a);
  return user;
}

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const data = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), 'cache-control': 'no-cache, private' });
  res.end(data);
}

function sendError(res: ServerResponse, err: unknown, log?: (l: string) => void): void {
  const e = err instanceof ApiError ? err : new ApiError(500, 'InternalError', `Internal error occurred: ${(err as Error).message}`);
  if (!(err instanceof ApiError)) log?.(`internal error: ${(err as Error).stack}`);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, e.code, e.toStatus());
}

async function handle(o: ServerOptions, address: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://lab');
  const t = parseTarget(url.pathname);
  o.log?.(`${req.method} ${req.url}`);
  const user = authorizeRequest(o, req, url, t);
  const api = o.api;
  switch (t.kind) {
    case 'version':
      return sendJson(res, 200, versionInfo());
    case 'health':
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
      return;
    case 'api':
      return sendJson(res, 200, coreVersions(address));
    case 'apis':
      return sendJson(res, 200, groupList(api.registry));
    case 'group': {
      const g = apiGroup(api.registry, t.group);
      if (!g) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
      return sendJson(res, 200, g);
    }
    case 'resources': {
      const l = resourceList(api.registry, t.group, t.version);
      if (!l) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
      return sendJson(res, 200, l);
    }
    case 'openapi-v2':
      return sendJson(res, 200, openApiV2(api.registry));
    case 'openapi-v3-root':
      return sendJson(res, 200, openApiV3Root(api.registry));
    case 'openapi-v3': {
      const d = openApiV3Doc(api, t.group, t.version);
      if (!d) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
      return sendJson(res, 200, d);
    }
    case 'object':
      return handleObject(o, t, url, req, res, user);
    default:
      throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  }
}

function fieldValidationOf(q: URLSearchParams): FieldValidation | undefined {
  const v = q.get('fieldValidation');
  if (v === null || v === '') return undefined;
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw badRequest(`fieldValidation: invalid value "${v}": must be one of "Strict", "Warn", "Ignore"`);
}

/** Adds the collected warnings just before the response's headers go out. */
function warnOnWrite(res: ServerResponse, warnings: string[]): void {
  const orig = res.writeHead.bind(res) as (...a: unknown[]) => ServerResponse;
  res.writeHead = ((...a: unknown[]) => {
    if (warnings.length) res.setHeader('warning', warnings.map((w) => `299 - ${JSON.stringify(w)}`));
    return orig(...a);
  }) as ServerResponse['writeHead'];
}

function managerOf(url: URL, req: IncomingMessage): string {
  const fm = url.searchParams.get('fieldManager');
  if (fm) return fm;
  const ua = req.headers['user-agent'] ?? 'unknown';
  return ua.split('/')[0] ?? 'unknown';
}

async function handleObject(o: ServerOptions, t: ObjTarget, url: URL, req: IncomingMessage, res: ServerResponse, user: UserInfo): Promise<void> {
  const api = o.api;
  const rt = api.resource(t.group, t.version, t.resource);
  const q = url.searchParams;
  const method = req.method ?? 'GET';
  const ns = rt.namespaced ? t.namespace : undefined;
  const table = wantsTable(req.headers.accept);
  const warnings: string[] = [];
  const opts = { manager: managerOf(url, req), dryRun: q.getAll('dryRun').includes('All'), fieldValidation: fieldValidationOf(q), warnings };
  // Unknown fields under fieldValidation=Warn: one `Warning: 299` header each, as kubectl prints them.
  warnOnWrite(res, warnings);
  const sub = t.subresource;

  if (sub === 'log' && method === 'GET') {
    if (!o.runtime) throw badRequest('no kubelet serves logs in this lab');
    api.get(rt, ns, t.name!);
    return o.runtime.logs(ns ?? 'default', t.name!, req, res, q);
  }
  if (sub === 'scale') return handleScale(o.api, rt, ns, t.name!, method, req, res);
  if (sub === 'binding' && method === 'POST') {
    const body = parseBody(await readBody(req), req.headers['content-type']) as { target?: { name?: string } };
    const pod = api.get(rt, ns, t.name!);
    const spec = pod['spec'] as Record<string, unknown>;
    if (spec['nodeName']) throw new ApiError(409, 'Conflict', `pod ${t.name} is already assigned to node "${String(spec['nodeName'])}"`);
    api.patch(rt, ns, t.name!, 'merge', { spec: { nodeName: body?.target?.name } }, { manager: 'default-scheduler' });
    return sendJson(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
  }
  if (sub === 'eviction' && method === 'POST') {
    api.delete(rt, ns, t.name!, {});
    return sendJson(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
  }
  if (sub === 'token' && method === 'POST') {
    const body = (parseBody(await readBody(req), req.headers['content-type']) ?? {}) as KObject;
    const spec = (body['spec'] ?? {}) as { expirationSeconds?: number; audiences?: string[]; boundObjectRef?: { kind?: string; name?: string; uid?: string } };
    const secs = Number(spec.expirationSeconds ?? 3600);
    if (!Number.isInteger(secs) || secs < 600) throw badRequest('spec.expirationSeconds: Invalid value: may not specify a duration less than 10 minutes');
    let pod: { name: string; uid: string } | undefined;
    if (spec.boundObjectRef?.kind === 'Pod') {
      const p = api.get(api.rt('', 'pods'), ns, spec.boundObjectRef.name ?? '');
      pod = { name: p.metadata.name ?? '', uid: p.metadata.uid ?? '' };
    }
    const issued = o.auth.issueToken({ namespace: ns ?? 'default', serviceAccount: t.name!, pod, audiences: spec.audiences, expirationSeconds: secs });
    return sendJson(res, 201, {
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { name: t.name, namespace: ns, creationTimestamp: null },
      spec: { ...spec, expirationSeconds: secs },
      status: { token: issued.token, expirationTimestamp: issued.expiresAt.toISOString().replace(/\.\d+Z$/, 'Z') },
    });
  }
  if (sub === 'finalize' && method === 'PUT') {
    const body = parseBody(await readBody(req), req.headers['content-type']) as KObject;
    const fin = ((body?.['spec'] as { finalizers?: string[] } | undefined)?.finalizers ?? []) as string[];
    return sendJson(res, 200, api.finalizeNamespace(t.name!, fin));
  }
  if (sub && sub !== 'status') throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  const subOpts = { ...opts, subresource: sub };

  switch (method) {
    case 'GET': {
      if (t.name) {
        if (q.get('watch') === 'true' || q.get('watch') === '1' || t.legacyWatch) {
          return watch(o, rt, ns, url, req, res, table, `metadata.name=${t.name}`);
        }
        const obj = api.get(rt, ns, t.name);
        return sendJson(res, 200, table ? toTable(rt, [obj], obj.metadata.resourceVersion ?? '', tableOpts(api, rt, q)) : obj);
      }
      if (q.get('watch') === 'true' || q.get('watch') === '1' || t.legacyWatch) return watch(o, rt, ns, url, req, res, table);
      const { items, resourceVersion } = api.list(rt, t.namespace, { labelSelector: q.get('labelSelector') ?? undefined, fieldSelector: q.get('fieldSelector') ?? undefined });
      if (table) return sendJson(res, 200, toTable(rt, items, resourceVersion, tableOpts(api, rt, q)));
      return sendJson(res, 200, { kind: `${rt.kind}List`, apiVersion: apiVersionOf(rt), metadata: { resourceVersion }, items });
    }
    case 'POST': {
      if (rt.virtual) {
        const body = parseBody(await readBody(req), req.headers['content-type']) as KObject;
        if (!body || typeof body !== 'object') throw badRequest('the request body must be an object');
        return sendJson(res, 201, o.auth.review(rt, body, user));
      }
      if (t.name) throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
      const body = parseBody(await readBody(req), req.headers['content-type']) as KObject;
      if (!body || typeof body !== 'object') throw badRequest('the request body must be an object');
      checkKind(rt, body);
      const created = api.create(rt, t.namespace, body, opts);
      return sendJson(res, 201, created);
    }
    case 'PUT': {
      if (!t.name) throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
      const body = parseBody(await readBody(req), req.headers['content-type']) as KObject;
      if (!body || typeof body !== 'object') throw badRequest('the request body must be an object');
      checkKind(rt, body);
      return sendJson(res, 200, api.update(rt, ns, t.name, body, subOpts));
    }
    case 'PATCH': {
      if (!t.name) throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
      const type = patchTypeOf(req.headers['content-type']);
      const body = parseBody(await readBody(req), type === 'apply' ? 'application/yaml' : 'application/json');
      const existed = !!api.tryGet(rt, ns, t.name);
      const out = api.patch(rt, ns, t.name, type, body, { ...subOpts, force: q.get('force') === 'true' });
      return sendJson(res, existed ? 200 : 201, out);
    }
    case 'DELETE': {
      const buf = await readBody(req);
      const body = (parseBody(buf, 'application/json') ?? {}) as DeleteOptions & { kind?: string };
      const dopts: DeleteOptions = {
        propagationPolicy: (q.get('propagationPolicy') as DeleteOptions['propagationPolicy']) ?? body.propagationPolicy,
        gracePeriodSeconds: q.has('gracePeriodSeconds') ? Number(q.get('gracePeriodSeconds')) : body.gracePeriodSeconds,
        preconditions: body.preconditions,
      };
      if (!t.name) {
        return sendJson(res, 200, api.deleteCollection(rt, t.namespace, { labelSelector: q.get('labelSelector') ?? undefined, fieldSelector: q.get('fieldSelector') ?? undefined }, dopts));
      }
      const out = api.delete(rt, ns, t.name, dopts);
      const pending = !!out.metadata.deletionTimestamp && !!api.tryGet(rt, ns, t.name);
      return sendJson(res, pending ? 202 : 200, pending || rt.resource === 'pods' ? out : api.deletedStatus(rt, out));
    }
    default:
      throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  }
}

function checkKind(rt: ResourceType, body: KObject): void {
  if (body.kind && body.kind !== rt.kind) throw badRequest(`the API version in the data (${body.apiVersion}) does not match the expected API version (${apiVersionOf(rt)})`);
}

function tableOpts(api: Api, rt: ResourceType, q: URLSearchParams) {
  const inc = q.get('includeObject');
  return {
    includeObject: (inc === 'Object' || inc === 'None' ? inc : 'Metadata') as 'Object' | 'None' | 'Metadata',
    crdColumns: api.crdColumns(rt),
  };
}

async function handleScale(api: Api, rt: ResourceType, ns: string | undefined, name: string, method: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const toScale = (o: KObject): KObject => {
    const spec = o['spec'] as { replicas?: number; selector?: { matchLabels?: Record<string, string> } };
    const st = o['status'] as { replicas?: number } | undefined;
    return {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: { name, namespace: ns, uid: o.metadata.uid, resourceVersion: o.metadata.resourceVersion, creationTimestamp: o.metadata.creationTimestamp },
      spec: { replicas: spec.replicas ?? 0 },
      status: { replicas: st?.replicas ?? 0, selector: Object.entries(spec.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',') },
    };
  };
  if (method === 'GET') return sendJson(res, 200, toScale(api.get(rt, ns, name)));
  const body = parseBody(await readBody(req), method === 'PATCH' ? 'application/json' : req.headers['content-type']);
  let replicas: number | undefined;
  if (method === 'PUT') replicas = (body as { spec?: { replicas?: number } })?.spec?.replicas;
  else if (method === 'PATCH') {
    const type = patchTypeOf(req.headers['content-type']);
    const cur = toScale(api.get(rt, ns, name));
    const { jsonPatch, mergePatch } = await import('./patch.ts');
    const next = (type === 'json' ? jsonPatch(cur, body) : mergePatch(cur, body)) as { spec?: { replicas?: number } };
    replicas = next.spec?.replicas;
  } else throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  if (typeof replicas !== 'number') throw badRequest('spec.replicas is required');
  const out = api.patch(rt, ns, name, 'merge', { spec: { replicas } }, { manager: 'kubectl-scale' });
  return sendJson(res, 200, toScale(out));
}

async function watch(o: ServerOptions, rt: ResourceType, ns: string | undefined, url: URL, req: IncomingMessage, res: ServerResponse, table: boolean, extraField?: string): Promise<void> {
  const q = url.searchParams;
  const fs = [q.get('fieldSelector'), extraField].filter(Boolean).join(',');
  const wopts: WatchOptions = {
    labelSelector: q.get('labelSelector') ?? undefined,
    fieldSelector: fs || undefined,
    resourceVersion: q.get('resourceVersion') ?? undefined,
    sendInitialEvents: q.get('sendInitialEvents') === 'true',
    allowBookmarks: q.get('allowWatchBookmarks') === 'true',
  };
  let headers = true;
  const topts = tableOpts(o.api, rt, q);
  const encode = (e: WatchEvent): string => {
    if (!table || e.type === 'BOOKMARK' || e.type === 'ERROR') return JSON.stringify(e) + '\n';
    const t = toTable(rt, [e.object], e.object.metadata.resourceVersion ?? '', { ...topts, noHeaders: !headers });
    headers = false;
    return JSON.stringify({ type: e.type, object: t }) + '\n';
  };
  let stop: (() => void) | undefined;
  const pending: string[] = [];
  let started = false;
  const send = (e: WatchEvent) => {
    const line = encode(e);
    if (started) res.write(line);
    else pending.push(line);
  };
  try {
    stop = o.api.watch(rt, ns, wopts, send);
  } catch (e) {
    if (!(e instanceof ApiError) || e.code !== 410) throw e;
    // Like the real server: a too-old resourceVersion is an ERROR event inside a 200 stream.
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
    res.end(JSON.stringify({ type: 'ERROR', object: e.toStatus() }) + '\n');
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked', 'cache-control': 'no-cache, private' });
  // Clients block until the watch's headers arrive: send them now, not with the first event.
  res.flushHeaders();
  started = true;
  for (const l of pending) res.write(l);
  const secs = Number(q.get('timeoutSeconds') ?? 0);
  const timer = secs > 0 ? setTimeout(() => res.end(), secs * 1000) : setTimeout(() => res.end(), (1800 + Math.random() * 1800) * 1000);
  const done = () => {
    clearTimeout(timer);
    stop?.();
    stop = undefined;
  };
  res.on('close', done);
  req.on('close', done);
}
