// Who is asking and may they: authentication (client certificates signed by the lab CA, service-
// account bearer tokens, anonymous only for what a real server shows anonymously), impersonation
// headers, request attributes as the real server derives them, RBAC decisions over the stored
// Roles and bindings, and the access and token reviews that report those decisions.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Api } from './api.ts';
import { ApiError, badRequest } from './errors.ts';
import { authorize, forbiddenMessage, rulesReview, type Attributes, type RbacObjects, type UserInfo } from './rbac.ts';
import type { Target } from './routes.ts';
import { serviceAccountUser, TokenIssuer } from './tokens.ts';
import type { KObject, ResourceType } from './types.ts';
import type { Pki } from './pki.ts';

export const ANONYMOUS: UserInfo = { username: 'system:anonymous', groups: ['system:unauthenticated'] };

/** Paths the real server (AnonymousAuthConfigurableEndpoints) serves without credentials. */
const ANONYMOUS_PATHS = /^\/(version\/?|healthz(\/.*)?|livez(\/.*)?|readyz(\/.*)?)$/;

export function unauthorized(): ApiError {
  return new ApiError(401, 'Unauthorized', 'Unauthorized');
}

export class Auth {
  constructor(
    private readonly api: Api,
    readonly tokens: TokenIssuer,
  ) {}

  private cached: { rv: number; objs: RbacObjects } | undefined;

  /**
   * The stored Roles and bindings. Every request is authorized, and listing clones each object:
   * they are read again only after a write to the store (its revision moved).
   */
  rbac(): RbacObjects {
    const s = this.api.store;
    const rv = s.currentRv();
    if (this.cached?.rv !== rv) {
      this.cached = {
        rv,
        objs: {
          clusterRoles: s.list('rbac.authorization.k8s.io/clusterroles'),
          clusterRoleBindings: s.list('rbac.authorization.k8s.io/clusterrolebindings'),
          roles: s.list('rbac.authorization.k8s.io/roles'),
          roleBindings: s.list('rbac.authorization.k8s.io/rolebindings'),
        },
      };
    }
    return this.cached.objs;
  }

  /**
   * A TokenRequest's token for an existing service account (a 404 Status otherwise), optionally
   * bound to a pod: the `serviceaccounts/token` subresource and the kubelet's mounted tokens.
   */
  issueToken(r: { namespace: string; serviceAccount: string; pod?: { name: string; uid: string } | undefined; audiences?: string[] | undefined; expirationSeconds: number }): { token: string; expiresAt: Date } {
    const sa = this.api.get(this.api.rt('', 'serviceaccounts'), r.namespace, r.serviceAccount);
    return this.tokens.issue({ namespace: r.namespace, serviceAccount: { name: r.serviceAccount, uid: sa.metadata.uid ?? '' }, pod: r.pod, audiences: r.audiences, expirationSeconds: r.expirationSeconds });
  }

  private exists = (resource: 'serviceaccounts' | 'pods', ns: string, name: string, uid: string): boolean => {
    const o = this.api.store.get(`/${resource}`, ns, name);
    return !!o && (!uid || o.metadata.uid === uid);
  };

  /** The user behind a bearer token, or undefined when the token is not valid. */
  userOfToken(token: string): UserInfo | undefined {
    const c = this.tokens.verify(token, this.exists);
    return 'error' in c ? undefined : serviceAccountUser(c);
  }

  /** The request's user; throws 401 for bad credentials, or none where anonymous is not allowed. */
  authenticate(req: IncomingMessage, pathname: string): UserInfo {
    const auth = req.headers.authorization;
    if (auth) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
      const user = m ? this.userOfToken(m[1]!) : undefined;
      if (!user) throw unauthorized();
      return user;
    }
    const sock = req.socket as TLSSocket;
    if (sock.authorized) {
      const subj = sock.getPeerCertificate()?.subject as { CN?: string | string[]; O?: string | string[] } | undefined;
      const cn = Array.isArray(subj?.CN) ? subj.CN[0] : subj?.CN;
      if (cn) {
        const orgs = subj?.O === undefined ? [] : Array.isArray(subj.O) ? subj.O : [subj.O];
        return { username: cn, groups: [...orgs, 'system:authenticated'] };
      }
    }
    if (ANONYMOUS_PATHS.test(pathname)) return ANONYMOUS;
    throw unauthorized();
  }

  /** Applies Impersonate-* headers, each checked with the `impersonate` verb as the real server does. */
  impersonate(req: IncomingMessage, user: UserInfo): UserInfo {
    const h = req.headers;
    const asUser = h['impersonate-user'] as string | undefined;
    const groupHeader = h['impersonate-group'];
    const asGroups = groupHeader === undefined ? [] : (Array.isArray(groupHeader) ? groupHeader : [groupHeader]).flatMap((g) => g.split(',').map((x) => x.trim()));
    const asUid = h['impersonate-uid'] as string | undefined;
    const extraKeys = Object.keys(h).filter((k) => k.startsWith('impersonate-extra-'));
    if (!asUser) {
      if (asGroups.length || asUid || extraKeys.length) throw badRequest('requested impersonation of groups, uid or extra without impersonating a user');
      return user;
    }
    const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(asUser);
    const check = (a: Attributes) => {
      if (!this.allowed(user, a)) throw new ApiError(403, 'Forbidden', forbiddenMessage(user, a), { name: a.kind === 'resource' ? a.name : undefined, group: a.kind === 'resource' ? a.group : undefined, kind: a.kind === 'resource' ? a.resource : undefined });
    };
    if (sa) check({ kind: 'resource', verb: 'impersonate', group: '', resource: 'serviceaccounts', namespace: sa[1], name: sa[2] });
    else check({ kind: 'resource', verb: 'impersonate', group: '', resource: 'users', name: asUser });
    for (const g of asGroups) check({ kind: 'resource', verb: 'impersonate', group: '', resource: 'groups', name: g });
    if (asUid) check({ kind: 'resource', verb: 'impersonate', group: 'authentication.k8s.io', resource: 'uids', name: asUid });
    const extra: Record<string, string[]> = {};
    for (const k of extraKeys) {
      const key = decodeURIComponent(k.slice('impersonate-extra-'.length));
      const vals = ([] as string[]).concat(h[k] as string | string[]);
      for (const v of vals) check({ kind: 'resource', verb: 'impersonate', group: 'authentication.k8s.io', resource: 'userextras', subresource: key, name: v });
      extra[key] = vals;
    }
    const groups = [...asGroups];
    if (sa && !asGroups.length) groups.push('system:serviceaccounts', `system:serviceaccounts:${sa[1]}`);
    if (asUser !== 'system:anonymous' && !groups.includes('system:authenticated')) groups.push('system:authenticated');
    if (asUser === 'system:anonymous' && !groups.includes('system:unauthenticated')) groups.push('system:unauthenticated');
    return { username: asUser, groups, ...(asUid ? { uid: asUid } : {}), ...(extraKeys.length ? { extra } : {}) };
  }

  allowed(user: UserInfo, a: Attributes): boolean {
    return authorize(user, a, () => this.rbac());
  }

  /** Throws the real server's 403 Status when `user` may not do `a`. */
  check(user: UserInfo, a: Attributes): void {
    if (this.allowed(user, a)) return;
    const details = a.kind === 'resource' ? { ...(a.name ? { name: a.name } : {}), group: a.group, kind: a.resource } : undefined;
    throw new ApiError(403, 'Forbidden', forbiddenMessage(user, a), details);
  }

  /** SubjectAccessReview, SelfSubjectAccessReview, SelfSubjectRulesReview, TokenReview, SelfSubjectReview. */
  review(rt: ResourceType, body: KObject, user: UserInfo): KObject {
    const out = structuredClone(body);
    out.metadata ??= {};
    out.metadata.creationTimestamp = null as unknown as string;
    const spec = (out['spec'] ?? {}) as Record<string, unknown>;
    switch (rt.resource) {
      case 'selfsubjectaccessreviews':
      case 'subjectaccessreviews': {
        const subject: UserInfo =
          rt.resource === 'selfsubjectaccessreviews'
            ? user
            : { username: String(spec['user'] ?? ''), groups: (spec['groups'] as string[] | undefined) ?? [], uid: spec['uid'] as string | undefined };
        const ra = spec['resourceAttributes'] as Record<string, string> | undefined;
        const na = spec['nonResourceAttributes'] as Record<string, string> | undefined;
        let a: Attributes;
        if (ra) a = { kind: 'resource', verb: ra['verb'] ?? '', group: ra['group'] ?? '', resource: ra['resource'] ?? '', subresource: ra['subresource'] || undefined, namespace: ra['namespace'] || undefined, name: ra['name'] || undefined };
        else if (na) a = { kind: 'nonResource', verb: na['verb'] ?? '', path: na['path'] ?? '' };
        else throw badRequest('spec: Invalid value: exactly one of nonResourceAttributes or resourceAttributes must be specified');
        const allowed = this.allowed(subject, a);
        out['status'] = allowed ? { allowed: true, reason: subject.groups.includes('system:masters') ? 'system:masters is a privileged group' : 'RBAC: allowed by a binding' } : { allowed: false };
        break;
      }
      case 'selfsubjectrulesreviews': {
        const ns = String(spec['namespace'] ?? '');
        out['status'] = { ...rulesReview(user, ns, this.rbac()), incomplete: false };
        break;
      }
      case 'tokenreviews': {
        const token = String(spec['token'] ?? '');
        const c = this.tokens.verify(token, this.exists);
        if ('error' in c) out['status'] = { authenticated: false, error: c.error };
        else {
          const auds = (spec['audiences'] as string[] | undefined) ?? c.aud;
          const matched = auds.filter((a) => c.aud.includes(a));
          out['status'] = matched.length
            ? { authenticated: true, user: serviceAccountUser(c), audiences: matched }
            : { authenticated: false, error: 'token audiences do not match the requested audiences' };
        }
        break;
      }
      case 'selfsubjectreviews':
        out['status'] = { userInfo: { username: user.username, ...(user.uid ? { uid: user.uid } : {}), groups: user.groups, ...(user.extra ? { extra: user.extra } : {}) } };
        break;
      default:
        throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    }
    return { ...out, apiVersion: `${rt.group}/${rt.version}`, kind: rt.kind } as KObject;
  }
}

const WRITE_VERBS: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'patch' };

/**
 * The attributes the real server authorizes for a request: verb from the method (GET → get,
 * list or watch; DELETE on a collection → deletecollection), a list or watch restricted by
 * `metadata.name=` as a request for that name, and non-resource paths with the method in lower case.
 */
export function requestAttributes(method: string, url: URL, t: Target): Attributes {
  if (t.kind !== 'object') return { kind: 'nonResource', verb: method === 'HEAD' ? 'get' : method.toLowerCase(), path: url.pathname };
  const q = url.searchParams;
  let verb: string;
  let name = t.name;
  if (method === 'GET' || method === 'HEAD') {
    const watch = t.legacyWatch || q.get('watch') === 'true' || q.get('watch') === '1';
    verb = watch ? 'watch' : t.name ? 'get' : 'list';
    if (!t.name) {
      const m = /^metadata\.name==?([^,]+)$/.exec(q.get('fieldSelector') ?? '');
      if (m) name = m[1];
    }
  } else if (method === 'DELETE') verb = t.name ? 'delete' : 'deletecollection';
  else verb = WRITE_VERBS[method] ?? method.toLowerCase();
  return { kind: 'resource', verb, group: t.group, resource: t.resource, subresource: t.subresource, namespace: t.namespace, name };
}

/** The lab's authenticator and authorizer over `api`, with tokens signed by the lab's key. */
export function labAuth(api: Api, pki: Pki): Auth {
  return new Auth(api, new TokenIssuer(pki.saKey));
}
