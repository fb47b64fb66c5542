// The informer-backed ClusterSource against the lab's API server (a real HTTPS server speaking
// the Kubernetes REST API): events, identities with create-if-absent, the Valid condition, the
// NetobsNode status, and an API server restart (disconnect, then resync).
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { Api } from '../../../lab/apiserver/api.ts';
import { bootstrap } from '../../../lab/apiserver/bootstrap.ts';
import { renderKubeconfig } from '../../../lab/apiserver/kubeconfig.ts';
import { labAuth } from '../../../lab/apiserver/auth.ts';
import { makePki } from '../../../lab/apiserver/pki.ts';
import { startApiServer, type RunningServer } from '../../../lab/apiserver/server.ts';
import { netobsCrds } from '../../../install/crds/definitions.ts';
import { KubeClusterSource } from '../../../agent/k8s/informers.ts';
import { KubeRest } from '../../../lib/kube-rest.ts';
import type { ClusterEvent, ClusterSink } from '../../../agent/k8s/source.ts';
import type { StoredIdentity } from '../../../agent/identity/store.ts';
import { label } from '../../../agent/identity/labels.ts';

async function until<T>(fn: () => T | undefined | Promise<T | undefined>, what: string, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('informers, identities, policy status and node status against an API server that restarts', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'netobs-kube-source-'));
  const pki = await makePki(path.join(dir, 'pki'), ['127.0.0.1']);
  const api = new Api();
  let server: RunningServer = await startApiServer({ api, tls: { key: pki.serverKey, cert: pki.serverCert, ca: pki.caCert }, auth: labAuth(api, pki) });
  const port = server.port;
  bootstrap(api, { ip: '127.0.0.1', port });
  const kc = new KubeConfig();
  kc.loadFromString(renderKubeconfig('unit', `https://127.0.0.1:${port}`, pki));
  const rest = new KubeRest(kc);
  for (const crd of netobsCrds()) await rest.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
  const source = new KubeClusterSource(kc, { minBackoffMs: 100, maxBackoffMs: 400 });
  const events: ClusterEvent[] = [];
  const identities: StoredIdentity[] = [];
  const conn: boolean[] = [];
  let synced = 0;
  const sink: ClusterSink = {
    event: (e) => events.push(e),
    identity: (e) => identities.push(e.identity),
    synced: () => synced++,
    connection: (up) => conn.push(up),
  };
  try {
    await rest.request('POST', '/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'x' }] } });
    const policy = { apiVersion: 'netobs.io/v1alpha1', kind: 'NetworkPolicy', metadata: { name: 'p1', namespace: 'default' }, spec: { endpointSelector: {} } };
    await rest.request('POST', '/apis/netobs.io/v1alpha1/namespaces/default/networkpolicies', policy);
    await source.start(sink);
    t.is(synced, 1);
    t.true(events.some((e) => e.kind === 'pods' && e.obj.metadata.name === 'web'));
    t.true(events.some((e) => e.kind === 'namespaces' && e.obj.metadata.name === 'kube-system'));
    const pol = events.find((e) => e.kind === 'policies');
    t.like(pol?.obj, { apiVersion: 'netobs.io/v1alpha1', kind: 'NetworkPolicy', metadata: { name: 'p1' } }, 'list items get their apiVersion and kind');

    const labels = [label('k8s', 'app', 'web')];
    t.is(await source.identities.create(300, labels), 'ok');
    t.is(await source.identities.create(300, [label('k8s', 'app', 'other')]), 'conflict');
    t.deepEqual((await source.identities.get(300))?.labels, labels);
    t.is(await source.identities.get(301), undefined);
    await until(() => (identities.some((i) => i.id === 300) ? true : undefined), 'identity watch event');

    if (pol?.kind !== 'policies') throw new Error('no policy event');
    await source.setPolicyValidity(pol.obj, { valid: false, message: 'spec.ingress[0]: bad', generation: 1 });
    const stored = await rest.get<{ status?: { conditions?: { type: string; status: string; message: string }[] } }>('/apis/netobs.io/v1alpha1/namespaces/default/networkpolicies/p1');
    t.like(stored.status?.conditions?.[0], { type: 'Valid', status: 'False', message: 'spec.ingress[0]: bad' });

    await source.publishNodeStatus('node-a', { endpoints: 3, agentVersion: 'v' });
    await source.publishNodeStatus('node-a', { endpoints: 4, agentVersion: 'v' });
    const node = await rest.get<{ status?: { endpoints?: number } }>('/apis/netobs.io/v1alpha1/netobsnodes/node-a');
    t.is(node.status?.endpoints, 4);

    await server.close();
    await until(() => (conn.at(-1) === false ? true : undefined), 'disconnect noticed', 40_000);
    server = await startApiServer({ api, port, tls: { key: pki.serverKey, cert: pki.serverCert, ca: pki.caCert }, auth: labAuth(api, pki) });
    await rest.request('POST', '/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'late' }, spec: { containers: [{ name: 'c', image: 'x' }] } });
    await until(() => (events.some((e) => e.kind === 'pods' && e.obj.metadata.name === 'late') ? true : undefined), 'event after reconnect', 40_000);
    await until(() => (conn.at(-1) === true ? true : undefined), 'reconnected');
  } finally {
    await source.stop();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});
