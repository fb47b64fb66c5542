// Service-account tokens: JWTs signed (ES256) with the lab's service-account key, with the claims
// a real API server puts in bound tokens (issuer, audience, expiry, the service account's and the
// pod's namespace/name/uid), and their verification, which also checks the bound objects still exist.
import { createPrivateKey, createPublicKey, randomUUID, sign, verify, type KeyObject } from 'node:crypto';

export const ISSUER = 'https://kubernetes.default.svc.cluster.local';

export interface TokenClaims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  jti: string;
  'kubernetes.io': {
    namespace: string;
    serviceaccount: { name: string; uid: string };
    pod?: { name: string; uid: string };
  };
}

export interface TokenRequest {
  namespace: string;
  serviceAccount: { name: string; uid: string };
  pod?: { name: string; uid: string } | undefined;
  audiences?: string[] | undefined;
  expirationSeconds: number;
}

/** Looks up whether a bound object still exists with that uid (a deleted SA or pod voids its tokens). */
export type ExistsWithUid = (resource: 'serviceaccounts' | 'pods', namespace: string, name: string, uid: string) => boolean;

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

export class TokenIssuer {
  private readonly key: KeyObject;
  private readonly pub: KeyObject;

  constructor(privateKeyPem: string) {
    this.key = createPrivateKey(privateKeyPem);
    this.pub = createPublicKey(this.key);
  }

  issue(r: TokenRequest): { token: string; expiresAt: Date } {
    const now = Math.floor(Date.now() / 1000);
    const claims: TokenClaims = {
      iss: ISSUER,
      sub: `system:serviceaccount:${r.namespace}:${r.serviceAccount.name}`,
      aud: r.audiences?.length ? r.audiences : [ISSUER],
      exp: now + r.expirationSeconds,
      iat: now,
      nbf: now,
      jti: randomUUID(),
      'kubernetes.io': { namespace: r.namespace, serviceaccount: r.serviceAccount, ...(r.pod ? { pod: r.pod } : {}) },
    };
    const head = b64({ alg: 'ES256', typ: 'JWT' });
    const body = b64(claims);
    const sig = sign('sha256', Buffer.from(`${head}.${body}`), { key: this.key, dsaEncoding: 'ieee-p1363' }).toString('base64url');
    return { token: `${head}.${body}.${sig}`, expiresAt: new Date(claims.exp * 1000) };
  }

  /** The claims of a valid token, or a one-line reason it is not. */
  verify(token: string, exists: ExistsWithUid): TokenClaims | { error: string } {
    const parts = token.split('.');
    if (parts.length !== 3) return { error: 'not a JWT' };
    const [head, body, sig] = parts as [string, string, string];
    let ok = false;
    try {
      ok = verify('sha256', Buffer.from(`${head}.${body}`), { key: this.pub, dsaEncoding: 'ieee-p1363' }, Buffer.from(sig, 'base64url'));
    } catch {
      ok = false;
    }
    if (!ok) return { error: 'invalid signature' };
    let c: TokenClaims;
    try {
      c = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenClaims;
    } catch {
      return { error: 'malformed claims' };
    }
    const now = Math.floor(Date.now() / 1000);
    if (c.iss !== ISSUER) return { error: 'wrong issuer' };
    if (typeof c.exp !== 'number' || c.exp < now) return { error: 'token has expired' };
    const k = c['kubernetes.io'];
    if (!k?.namespace || !k.serviceaccount?.name) return { error: 'not a service-account token' };
    if (!exists('serviceaccounts', k.namespace, k.serviceaccount.name, k.serviceaccount.uid)) return { error: `service account ${k.namespace}/${k.serviceaccount.name} has been deleted` };
    if (k.pod && !exists('pods', k.namespace, k.pod.name, k.pod.uid)) return { error: `pod ${k.namespace}/${k.pod.name} has been deleted` };
    return c;
  }
}

/** The user a service-account token stands for, with the groups the real server gives it. */
export function serviceAccountUser(c: TokenClaims): { username: string; uid: string; groups: string[]; extra: Record<string, string[]> } {
  const k = c['kubernetes.io'];
  return {
    username: c.sub,
    uid: k.serviceaccount.uid,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${k.namespace}`, 'system:authenticated'],
    extra: k.pod ? { 'authentication.kubernetes.io/pod-name': [k.pod.name], 'authentication.kubernetes.io/pod-uid': [k.pod.uid] } : {},
  };
}
