// The lab's certificates, made with the openssl CLI (EC P-256: fast, and accepted by kubectl and
// Node): a CA, a server certificate for 127.0.0.1, the lab's underlay address and the in-cluster
// names, an admin client certificate (CN=kubernetes-admin, O=system:masters, as kubeadm's
// admin.conf), and the key that signs service-account tokens.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

const run = promisify(execFile);

export interface Pki {
  caCert: string;
  serverKey: string;
  serverCert: string;
  clientKey: string;
  clientCert: string;
  /** Signs service-account tokens (PKCS#8 PEM, EC P-256). */
  saKey: string;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await run('openssl', args, { cwd });
  } catch (e) {
    throw new Error(`openssl ${args[0]}: ${(e as { stderr?: string }).stderr?.trim() || (e as Error).message}`, { cause: e });
  }
}

export async function makePki(dir: string, serverIps: string[], serverNames: string[] = []): Promise<Pki> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '3650', '-subj', '/CN=netobs-lab-ca'], dir);
  const san = ['DNS:localhost', 'DNS:kubernetes', 'DNS:kubernetes.default', 'DNS:kubernetes.default.svc', 'DNS:kubernetes.default.svc.cluster.local', ...serverNames.map((n) => `DNS:${n}`), ...serverIps.map((ip) => `IP:${ip}`)].join(',');
  await writeFile(path.join(dir, 'server.ext'), `subjectAltName=${san}\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature,keyEncipherment\n`);
  await writeFile(path.join(dir, 'client.ext'), `extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature,keyEncipherment\n`);
  await openssl(['req', '-new', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=kube-apiserver'], dir);
  await openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '3650', '-extfile', 'server.ext'], dir);
  await openssl(['req', '-new', ...ec, '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/O=system:masters/CN=kubernetes-admin'], dir);
  await openssl(['x509', '-req', '-in', 'client.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.crt', '-days', '3650', '-extfile', 'client.ext'], dir);
  await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'sa.key'], dir);
  return loadPki(dir);
}

export async function loadPki(dir: string): Promise<Pki> {
  const r = (f: string) => readFile(path.join(dir, f), 'utf8');
  return { caCert: await r('ca.crt'), serverKey: await r('server.key'), serverCert: await r('server.crt'), clientKey: await r('client.key'), clientCert: await r('client.crt'), saKey: await r('sa.key') };
}
