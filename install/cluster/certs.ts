// `kubectl netobs certs rotate`: re-issues every leaf certificate (agent server, relay client,
// relay server, kubectl-netobs client) from the CA kept in netobs-ca, and writes them into their
// Secrets. The CA stays, so every party keeps trusting the others while the kubelet syncs the
// volumes; agent and relay re-read their files (TLS_RELOAD_MS) and use the new certificates for
// new connections, without a restart and without dropping open streams. Secrets are patched,
// keeping install's labels and annotations.
import { X509Certificate } from 'node:crypto';
import type { KubeConfig, V1ConfigMap, V1Secret } from '@kubernetes/client-node';
import { NAMES } from '../../api/kube-names.ts';
import { UserError } from '../../lib/errors.ts';
import { Objects } from '../../lib/kube-apply.ts';
import { TLS_SECRETS } from '../render/config.ts';
import { issueLeaves, type CertKey } from '../tls-material.ts';

export interface RotateOptions {
  namespace: string;
  /** Validity of the new certificates (default: as long as the CA remains valid, at most 1095 days). */
  validityDays?: number;
  now?: Date;
}

export interface RotateResult {
  namespace: string;
  rotated: { secret: string; notAfter: string }[];
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

export async function rotateCertificates(kc: KubeConfig, o: RotateOptions): Promise<RotateResult> {
  const objs = new Objects(kc);
  const ns = o.namespace;
  const secret = (name: string) => objs.get<V1Secret>({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: ns } });
  const caSecret = await secret(NAMES.caSecret);
  const field = (s: V1Secret | undefined, k: string): string | undefined => (s?.data?.[k] ? Buffer.from(s.data[k] as string, 'base64').toString('utf8') : undefined);
  const ca = { cert: field(caSecret, 'ca.crt'), key: field(caSecret, 'ca.key') };
  if (!ca.cert || !ca.key) throw new UserError(`certs rotate: Secret ${ns}/${NAMES.caSecret} with the netobs CA not found: netobs is not installed in ${ns} with TLS (run: kubectl netobs install)`);
  const cm = await objs.get<V1ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: NAMES.config, namespace: ns } });
  const clusterName = cm?.data?.['cluster-name'];
  if (!clusterName) throw new UserError(`certs rotate: ConfigMap ${ns}/${NAMES.config} has no cluster-name: re-install netobs (kubectl netobs install)`);
  const now = o.now ?? new Date();
  const caDays = Math.floor((Date.parse(new X509Certificate(ca.cert).validTo) - now.getTime()) / 86_400_000);
  if (caDays < 2) throw new UserError(`certs rotate: the netobs CA expires within ${caDays} days: replace all TLS material by deleting Secret ${ns}/${NAMES.caSecret} and re-installing (open streams reconnect once)`);
  const leaves = issueLeaves({ cert: ca.cert, key: ca.key }, { clusterName, validityDays: Math.min(o.validityDays ?? 1095, caDays), now });
  const bySecret: [string, CertKey][] = [
    [TLS_SECRETS.agent, leaves.agentServer],
    [TLS_SECRETS.relay, leaves.relayClient],
    [TLS_SECRETS.relayServer, leaves.relayServer],
    [TLS_SECRETS.client, leaves.cliClient],
  ];
  const rotated: RotateResult['rotated'] = [];
  for (const [name, pair] of bySecret) {
    // A relay-less install has no relay Secrets: nothing to rotate there.
    if (!(await secret(name))) continue;
    await objs.patchMerge({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: ns } }, { data: { 'ca.crt': b64(ca.cert), 'tls.crt': b64(pair.cert), 'tls.key': b64(pair.key) } });
    rotated.push({ secret: name, notAfter: new X509Certificate(pair.cert).validTo });
  }
  return { namespace: ns, rotated };
}
