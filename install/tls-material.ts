// TLS material: a CA; for mTLS between the relay and the agents' flow servers an agent server
// certificate (one for every node, named *.<cluster>.agent.netobs.io, as Hubble names its peers)
// and a relay client certificate; for the relay's own port a relay server certificate
// (<cluster>.relay.netobs.io) and the client certificate `kubectl netobs` presents there. Generated at install time (random keys: an effect), then given
// to rendering, which stays pure. Re-installing reuses the material found in the cluster
// (tlsMaterialFromSecrets) while tlsMaterialProblems finds nothing, so a re-install is a no-op.
import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { agentServerName, relayServerName } from '../api/config.ts';

export interface CertKey {
  cert: string;
  key: string;
}

export interface TlsMaterial {
  ca: CertKey;
  agentServer: CertKey;
  relayClient: CertKey;
  relayServer: CertKey;
  /** Presented by `kubectl netobs` (and any client the user gives it to) to the relay. */
  cliClient: CertKey;
}

/** The Secret names each part is kept in (install/render/config.ts). */
export interface TlsSecretNames { ca: string; agent: string; relay: string; relayServer: string; client: string }

export interface TlsOptions {
  clusterName: string;
  validityDays: number;
  now?: Date;
}

function rsaKey(): { priv: forge.pki.rsa.PrivateKey; pub: forge.pki.rsa.PublicKey; pem: string } {
  // Node's native key generation: node-forge's pure-JS RSA takes seconds per key.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const priv = forge.pki.privateKeyFromPem(pem);
  return { priv, pub: forge.pki.setRsaPublicKey(priv.n, priv.e), pem };
}

/** forge writes CRLF line ends; Kubernetes tooling and Node write LF. */
const certPem = (c: forge.pki.Certificate): string => forge.pki.certificateToPem(c).replace(/\r\n/g, '\n');

function baseCert(pub: forge.pki.PublicKey, cn: string, o: TlsOptions): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = pub;
  // A positive serial: the leading byte keeps the high bit clear.
  cert.serialNumber = '01' + randomBytes(15).toString('hex');
  const now = o.now ?? new Date();
  // Five minutes back, so that nodes with a slightly late clock accept it at once.
  cert.validity.notBefore = new Date(now.getTime() - 5 * 60_000);
  cert.validity.notAfter = new Date(now.getTime() + o.validityDays * 86_400_000);
  cert.setSubject([
    { name: 'organizationName', value: 'netobs' },
    { name: 'commonName', value: cn },
  ]);
  return cert;
}

function leaf(ca: { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey }, cn: string, usage: 'server' | 'client', dnsNames: string[], o: TlsOptions): CertKey {
  const k = rsaKey();
  const cert = baseCert(k.pub, cn, o);
  cert.setIssuer(ca.cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: usage === 'server', clientAuth: usage === 'client' },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.cert.generateSubjectKeyIdentifier().getBytes() },
    ...(dnsNames.length ? [{ name: 'subjectAltName', altNames: dnsNames.map((value) => ({ type: 2, value })) }] : []),
  ]);
  cert.sign(ca.key, forge.md.sha256.create());
  return { cert: certPem(cert), key: k.pem };
}

export interface CaKey { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey }

/** The leaf certificates, issued by the CA (a rotation re-issues them under the CA it keeps). */
export function issueLeaves(ca: CertKey, o: TlsOptions): Omit<TlsMaterial, 'ca'> {
  const k: CaKey = { cert: forge.pki.certificateFromPem(ca.cert), key: forge.pki.privateKeyFromPem(ca.key) as forge.pki.rsa.PrivateKey };
  return {
    agentServer: leaf(k, agentServerName(o.clusterName), 'server', [agentServerName(o.clusterName)], o),
    relayClient: leaf(k, `netobs-relay.${o.clusterName}`, 'client', [], o),
    relayServer: leaf(k, relayServerName(o.clusterName), 'server', [relayServerName(o.clusterName)], o),
    cliClient: leaf(k, `kubectl-netobs.${o.clusterName}`, 'client', [], o),
  };
}

export function generateTlsMaterial(o: TlsOptions): TlsMaterial {
  const caKey = rsaKey();
  const caCert = baseCert(caKey.pub, `netobs-ca.${o.clusterName}`, o);
  caCert.setIssuer(caCert.subject.attributes);
  caCert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  caCert.sign(caKey.priv, forge.md.sha256.create());
  const ca = { cert: certPem(caCert), key: caKey.pem };
  return { ca, ...issueLeaves(ca, o) };
}

/** A Secret as read from the cluster (data base64-encoded). */
export interface SecretLike {
  metadata: { name: string };
  data?: Record<string, string>;
}

/** Rebuilds the material from the Secrets install rendered (render/tls.ts); undefined if any part is missing. */
export function tlsMaterialFromSecrets(secrets: SecretLike[], names: TlsSecretNames): TlsMaterial | undefined {
  const get = (name: string, key: string): string | undefined => {
    const b64 = secrets.find((s) => s.metadata.name === name)?.data?.[key];
    return b64 === undefined ? undefined : Buffer.from(b64, 'base64').toString('utf8');
  };
  const pair = (name: string, cert: string, key: string): CertKey | undefined => {
    const c = get(name, cert);
    const k = get(name, key);
    return c && k ? { cert: c, key: k } : undefined;
  };
  const ca = pair(names.ca, 'ca.crt', 'ca.key');
  const agentServer = pair(names.agent, 'tls.crt', 'tls.key');
  const relayClient = pair(names.relay, 'tls.crt', 'tls.key');
  const relayServer = pair(names.relayServer, 'tls.crt', 'tls.key');
  const cliClient = pair(names.client, 'tls.crt', 'tls.key');
  return ca && agentServer && relayClient && relayServer && cliClient ? { ca, agentServer, relayClient, relayServer, cliClient } : undefined;
}

/** Why the material should be replaced (expiring within minDays, wrong names, not signed by the CA); empty if it can be kept. */
export function tlsMaterialProblems(m: TlsMaterial, o: { clusterName: string; now?: Date; minDays?: number }): string[] {
  const problems: string[] = [];
  const now = (o.now ?? new Date()).getTime();
  const limit = now + (o.minDays ?? 30) * 86_400_000;
  let ca: X509Certificate;
  try {
    ca = new X509Certificate(m.ca.cert);
  } catch (err) {
    return [`ca: unreadable certificate: ${(err as Error).message}`];
  }
  const check = (what: string, pem: string, host?: string): void => {
    let c: X509Certificate;
    try {
      c = new X509Certificate(pem);
    } catch (err) {
      problems.push(`${what}: unreadable certificate: ${(err as Error).message}`);
      return;
    }
    if (Date.parse(c.validTo) < limit) problems.push(`${what}: expires ${c.validTo}`);
    if (what !== 'ca' && !c.verify(ca.publicKey)) problems.push(`${what}: not signed by the netobs CA`);
    if (host && !c.checkHost(host)) problems.push(`${what}: not valid for ${host}`);
  };
  check('ca', m.ca.cert);
  check('agent server', m.agentServer.cert, agentServerName(o.clusterName, 'node'));
  check('relay client', m.relayClient.cert);
  check('relay server', m.relayServer.cert, relayServerName(o.clusterName));
  check('kubectl-netobs client', m.cliClient.cert);
  return problems;
}
