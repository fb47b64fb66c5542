// Authentication and RBAC of the lab API server through real clients: kubectl (client
// certificate, bearer token, --as impersonation, auth can-i) and @kubernetes/client-node, with
// the RBAC that netobs's install renders for its agent and relay.
import test from 'ava';
import https from 'node:https';
import * as k8s from '@kubernetes/client-node';
import type { Pki } from '../../../lab/apiserver/pki.ts';
import { startTestApiServer, type TestApiServer } from './support.ts';
import type { KObject } from '../../../lab/apiserver/types.ts';
import { createAll } from '../../../lab/serve.ts';
import { defaultValues } from '../../../install/values.ts';
import { agentClusterRules, agentNamespaceRules, renderRbac, renderServiceAccounts, type PolicyRule } from '../../../install/render/rbac.ts';
import { defaultRbac } from '../../../lab/apiserver/default-rbac.ts';

let lab: TestApiServer | undefined;
let kubeconfig = '';
let pki: Pki;
let url = '';

test.before(async () => {
  lab = await startTestApiServer('auth');
  ({ kubeconfig, pki, url } = lab);
  const v = defaultValues('0.0.0');
  createAll(lab.api, [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: v.namespace } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app' } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'limited', namespace: 'app' } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'app' }, data: { p: 'cQ==' } },
    ...(renderServiceAccounts(v) as KObject[]),
    ...(renderRbac(v) as KObject[]),
  ]);
});

test.after.always(async () => {
  await lab?.close();
});

const kubectl = (...args: string[]) => lab!.kubectl.exec(...args);
const kubectlFails = (...args: string[]) =>
  kubectl(...args).then(
    (r) => {
      throw new Error(`kubectl ${args.join(' ')} succeeded: ${r.stdout}`);
    },
    (e: { stderr: string }) => e.stderr,
  );

async function tokenFor(ns: string, name: string): Promise<string> {
  const out = await kubectl('create', 'token', name, '-n', ns, '--duration', '1h');
  return out.stdout.trim();
}

function raw(p: string, headers: Record<string, string> = {}): Promise<{ code: number; body: Record<string, unknown> | string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(`${url}${p}`, { ca: pki.caCert, headers }, (res) => {
      let data = '';
      res.on('data', (c: Buffer) => (data += c.toString()));
      res.on('end', () => {
        let body: Record<string, unknown> | string = data;
        try {
          body = JSON.parse(data) as Record<string, unknown>;
        } catch {
          // plain text (health)
        }
        resolve({ code: res.statusCode ?? 0, body });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

test('a request without credentials gets 401, except what a real server shows anonymously', async (t) => {
  const pods = await raw('/api/v1/pods');
  t.is(pods.code, 401);
  t.like(pods.body as object, { kind: 'Status', status: 'Failure', reason: 'Unauthorized', code: 401 });
  t.is((await raw('/api')).code, 401);
  t.is((await raw('/version')).code, 200);
  t.is((await raw('/readyz')).code, 200);
  t.is((await raw('/api/v1/pods', { authorization: 'Bearer not.a.token' })).code, 401);
});

test('the admin client certificate is kubernetes-admin in system:masters', async (t) => {
  const who = JSON.parse((await kubectl('auth', 'whoami', '-o', 'json')).stdout) as { status: { userInfo: { username: string; groups: string[] } } };
  t.is(who.status.userInfo.username, 'kubernetes-admin');
  t.deepEqual(who.status.userInfo.groups, ['system:masters', 'system:authenticated']);
  t.is((await kubectl('auth', 'can-i', '*', '*', '--all-namespaces')).stdout.trim(), 'yes');
});

test('a service account without the verb gets the real 403, through kubectl and client-node', async (t) => {
  const token = await tokenFor('app', 'limited');
  const err = await kubectlFails('--token', token, 'get', 'pods', '-n', 'app');
  t.regex(err, /Error from server \(Forbidden\): pods is forbidden: User "system:serviceaccount:app:limited" cannot list resource "pods" in API group "" in the namespace "app"/);

  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'lab', server: url, caData: Buffer.from(pki.caCert).toString('base64') }],
    users: [{ name: 'limited', token }],
    contexts: [{ name: 'lab', cluster: 'lab', user: 'limited' }],
    currentContext: 'lab',
  });
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const e = await t.throwsAsync(core.readNamespacedSecret({ name: 'db', namespace: 'app' }));
  const ae = e as k8s.ApiException<string>;
  t.is(ae.code, 403);
  const status = JSON.parse(ae.body) as { reason: string; message: string; details: { name: string; kind: string } };
  t.is(status.reason, 'Forbidden');
  t.is(status.message, 'secrets "db" is forbidden: User "system:serviceaccount:app:limited" cannot get resource "secrets" in API group "" in the namespace "app"');
  t.like(status.details, { name: 'db', kind: 'secrets' });

  // Granted the verb, the same token lists pods; the token review names the service account.
  await kubectl('create', 'role', 'pod-list', '-n', 'app', '--verb=list', '--resource=pods');
  await kubectl('create', 'rolebinding', 'pod-list', '-n', 'app', '--role=pod-list', '--serviceaccount=app:limited');
  t.deepEqual((await core.listNamespacedPod({ namespace: 'app' })).items, []);
  const auth = kc.makeApiClient(k8s.AuthenticationV1Api);
  const adminKc = new k8s.KubeConfig();
  adminKc.loadFromFile(kubeconfig);
  const review = await adminKc.makeApiClient(k8s.AuthenticationV1Api).createTokenReview({ body: { spec: { token } } });
  t.is(review.status?.authenticated, true);
  t.is(review.status?.user?.username, 'system:serviceaccount:app:limited');
  t.deepEqual(review.status?.user?.groups, ['system:serviceaccounts', 'system:serviceaccounts:app', 'system:authenticated']);
  t.is((await adminKc.makeApiClient(k8s.AuthenticationV1Api).createTokenReview({ body: { spec: { token: token.slice(0, -4) + 'AAAA' } } })).status?.authenticated, false);
  // A service account may not create token reviews unless granted.
  t.is(((await t.throwsAsync(auth.createTokenReview({ body: { spec: { token } } }))) as k8s.ApiException<string>).code, 403);
});

test('the relay may not read secrets across namespaces, nor impersonate', async (t) => {
  const err = await kubectlFails('--as=system:serviceaccount:netobs-system:netobs-relay', 'get', 'secrets', '-A');
  t.regex(err, /secrets is forbidden: User "system:serviceaccount:netobs-system:netobs-relay" cannot list resource "secrets" in API group "" at the cluster scope/);
  t.is((await kubectl('auth', 'can-i', 'get', 'secrets/netobs-relay-tls', '-n', 'netobs-system', '--as=system:serviceaccount:netobs-system:netobs-relay')).stdout.trim(), 'yes');
  const no = await kubectl('auth', 'can-i', 'get', 'secrets/other', '-n', 'netobs-system', '--as=system:serviceaccount:netobs-system:netobs-relay').catch((e: { stdout: string }) => e);
  t.is(no.stdout.trim(), 'no');
  const token = await tokenFor('netobs-system', 'netobs-relay');
  const imp = await kubectlFails('--token', token, '--as=kubernetes-admin', 'get', 'pods');
  t.regex(imp, /users "kubernetes-admin" is forbidden: User "system:serviceaccount:netobs-system:netobs-relay" cannot impersonate resource "users" in API group "" at the cluster scope/);
});

/** `kubectl auth can-i --list` rows as (resource, resourceName, verb) and (url, verb) triples. */
function permissions(out: string): Set<string> {
  const s = new Set<string>();
  for (const line of out.split('\n').slice(1)) {
    const m = /^(\S*)\s+\[(.*?)\]\s+\[(.*?)\]\s+\[(.*?)\]\s*$/.exec(line);
    if (!m) continue;
    const [, res, urls, names, verbs] = m;
    for (const v of verbs!.split(' ').filter(Boolean)) {
      if (res) for (const n of names ? names.split(' ') : ['*']) s.add(`${res} ${n} ${v}`);
      for (const u of urls!.split(' ').filter(Boolean)) s.add(`url ${u} ${v}`);
    }
  }
  return s;
}

/** kubectl prints `networkpolicies.netobs.io/status`: the group after the resource, before the subresource. */
const kubectlName = (res: string, g: string) => {
  const [r, sub] = res.split('/');
  return `${r}${g ? `.${g}` : ''}${sub ? `/${sub}` : ''}`;
};

function expected(rules: PolicyRule[] | { verbs: string[]; apiGroups?: string[]; resources?: string[]; resourceNames?: string[]; nonResourceURLs?: string[] }[]): Set<string> {
  const s = new Set<string>();
  for (const r of rules as { verbs: string[]; apiGroups?: string[]; resources?: string[]; resourceNames?: string[]; nonResourceURLs?: string[] }[]) {
    for (const v of r.verbs) {
      for (const g of r.apiGroups ?? []) for (const res of r.resources ?? []) for (const n of r.resourceNames?.length ? r.resourceNames : ['*']) s.add(`${kubectlName(res, g)} ${n} ${v}`);
      for (const u of r.nonResourceURLs ?? []) s.add(`url ${u} ${v}`);
    }
  }
  return s;
}

test('auth can-i --list for the agent lists exactly the rules install rendered, plus what every user has', async (t) => {
  const everyone = defaultRbac()
    .filter((o) => ['system:basic-user', 'system:discovery', 'system:public-info-viewer'].includes(o.metadata.name ?? '') && o.kind === 'ClusterRole')
    .flatMap((o) => o['rules'] as PolicyRule[]);
  const out = (await kubectl('auth', 'can-i', '--list', '-n', 'netobs-system', '--as=system:serviceaccount:netobs-system:netobs-agent')).stdout;
  t.deepEqual([...permissions(out)].sort(), [...expected([...agentClusterRules(), ...agentNamespaceRules(), ...everyone])].sort());
  // In another namespace the agent's namespaced Role does not apply.
  const elsewhere = (await kubectl('auth', 'can-i', '--list', '-n', 'default', '--as=system:serviceaccount:netobs-system:netobs-agent')).stdout;
  t.deepEqual([...permissions(elsewhere)].sort(), [...expected([...agentClusterRules(), ...everyone])].sort());
});
