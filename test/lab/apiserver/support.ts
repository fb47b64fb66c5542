// An in-process lab API server for tests that need no nodes: a fresh PKI, the bootstrap objects,
// authentication and RBAC as in a lab, and an admin kubeconfig file for kubectl and client-node.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Api } from '../../../lab/apiserver/api.ts';
import { labAuth } from '../../../lab/apiserver/auth.ts';
import { bootstrap } from '../../../lab/apiserver/bootstrap.ts';
import { renderKubeconfig } from '../../../lab/apiserver/kubeconfig.ts';
import { makePki, type Pki } from '../../../lab/apiserver/pki.ts';
import { startApiServer, type RunningServer } from '../../../lab/apiserver/server.ts';
import { kubectlFor, type Kubectl } from '../support/kubectl.ts';

export interface TestApiServer {
  /** A temporary directory of the test's own (PKI, kubeconfig, kubectl's cache), removed by close. */
  dir: string;
  pki: Pki;
  api: Api;
  server: RunningServer;
  url: string;
  /** The admin kubeconfig file (CN=kubernetes-admin, O=system:masters). */
  kubeconfig: string;
  /** Real kubectl as the admin, with a discovery cache in dir. */
  kubectl: Kubectl;
  close(): Promise<void>;
}

export async function startTestApiServer(prefix: string): Promise<TestApiServer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `netobs-${prefix}-`));
  const pki = await makePki(path.join(dir, 'pki'), ['127.0.0.1']);
  const api = new Api();
  const server = await startApiServer({ api, tls: { key: pki.serverKey, cert: pki.serverCert, ca: pki.caCert }, auth: labAuth(api, pki) });
  bootstrap(api, { ip: '127.0.0.1', port: server.port });
  const url = `https://127.0.0.1:${server.port}`;
  const kubeconfig = path.join(dir, 'kubeconfig');
  await writeFile(kubeconfig, renderKubeconfig('unit', url, pki));
  return {
    dir, pki, api, server, url, kubeconfig,
    kubectl: kubectlFor(() => ({ kubeconfig, dir })),
    close: async () => {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
