// URL → request target, for every path shape clients use:
//   /api/v1/pods, /api/v1/namespaces/ns/pods/name/log, /apis/apps/v1/namespaces/ns/deployments,
//   /api/v1/namespaces/name/finalize, and the legacy /api/v1/watch/... prefix.

export type Target =
  | { kind: 'version' | 'api' | 'apis' | 'health' | 'openapi-v2' | 'openapi-v3-root' }
  | { kind: 'openapi-v3'; group: string; version: string }
  | { kind: 'group'; group: string }
  | { kind: 'resources'; group: string; version: string }
  | {
      kind: 'object';
      group: string;
      version: string;
      namespace?: string;
      resource: string;
      name?: string;
      subresource?: string;
      /** Anything after the subresource (service/pod proxy paths). */
      rest?: string;
      legacyWatch: boolean;
    }
  | { kind: 'unknown' };

export function parseTarget(pathname: string): Target {
  const p = pathname.replace(/\/+$/, '') || '/';
  if (p === '/version') return { kind: 'version' };
  if (p === '/healthz' || p === '/livez' || p === '/readyz' || p.startsWith('/healthz/') || p.startsWith('/livez/') || p.startsWith('/readyz/')) return { kind: 'health' };
  if (p === '/openapi/v2' || p === '/swagger.json') return { kind: 'openapi-v2' };
  if (p === '/openapi/v3') return { kind: 'openapi-v3-root' };
  let m = /^\/openapi\/v3\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(p);
  if (m) return m[1] ? { kind: 'openapi-v3', group: '', version: m[1] } : { kind: 'openapi-v3', group: m[2]!, version: m[3]! };
  if (p === '/api') return { kind: 'api' };
  if (p === '/apis') return { kind: 'apis' };
  const segs = p.split('/').slice(1).map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === 'api' && segs.length >= 2) {
    group = '';
    version = segs[1]!;
    rest = segs.slice(2);
  } else if (segs[0] === 'apis' && segs.length >= 2) {
    if (segs.length === 2) return { kind: 'group', group: segs[1]! };
    group = segs[1]!;
    version = segs[2]!;
    rest = segs.slice(3);
  } else return { kind: 'unknown' };
  if (rest.length === 0) return { kind: 'resources', group, version };
  let legacyWatch = false;
  if (rest[0] === 'watch') {
    legacyWatch = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3 && !(group === '' && (rest[2] === 'status' || rest[2] === 'finalize') && rest.length === 3)) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource, name, subresource, ...more] = rest;
  if (!resource) return { kind: 'unknown' };
  return {
    kind: 'object',
    group,
    version,
    resource,
    legacyWatch,
    ...(namespace !== undefined ? { namespace } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(subresource !== undefined ? { subresource } : {}),
    ...(more.length ? { rest: more.join('/') } : {}),
  };
}
