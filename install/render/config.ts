// The ConfigMap and the TLS Secrets. The Secrets come from material generated at install time.
import { renderConfigData } from '../../api/config.ts';
import type { CertKey, TlsMaterial, TlsSecretNames } from '../tls-material.ts';
import type { Values } from '../values.ts';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import { canonicalJson, meta, NAMES, sha256, type KubeObject } from './meta.ts';

export function renderConfigMap(v: Values): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(v, NAMES.config), data: renderConfigData(v) } satisfies IConfigMap;
}

/** Changes whenever the config does, so that pods roll when (and only when) their config changed. */
export function configHash(v: Values): string {
  return sha256(canonicalJson(renderConfigData(v)));
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

function tlsSecret(v: Values, name: string, pair: CertKey, caCert: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: meta(v, name),
    type: 'kubernetes.io/tls',
    data: { 'ca.crt': b64(caCert), 'tls.crt': b64(pair.cert), 'tls.key': b64(pair.key) },
  } satisfies ISecret;
}

export const TLS_SECRETS: TlsSecretNames = {
  ca: NAMES.caSecret, agent: NAMES.agentTlsSecret, relay: NAMES.relayTlsSecret, relayServer: NAMES.relayServerTlsSecret, client: NAMES.clientTlsSecret,
};

/** netobs-ca keeps the CA key so that a later install can issue certificates from the same CA; no role may read it. */
export function renderTlsSecrets(v: Values, m: TlsMaterial): KubeObject[] {
  const out: KubeObject[] = [
    { apiVersion: 'v1', kind: 'Secret', metadata: meta(v, NAMES.caSecret), type: 'Opaque', data: { 'ca.crt': b64(m.ca.cert), 'ca.key': b64(m.ca.key) } } satisfies ISecret,
    tlsSecret(v, NAMES.agentTlsSecret, m.agentServer, m.ca.cert),
  ];
  if (v.relay.enabled) {
    out.push(tlsSecret(v, NAMES.relayTlsSecret, m.relayClient, m.ca.cert));
    out.push(tlsSecret(v, NAMES.relayServerTlsSecret, m.relayServer, m.ca.cert));
    // The plugin's key: whoever may get this Secret (Role netobs-user) may read the relay.
    out.push(tlsSecret(v, NAMES.clientTlsSecret, m.cliClient, m.ca.cert));
  }
  return out;
}
