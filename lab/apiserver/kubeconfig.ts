// The kubeconfig a lab writes: one cluster, one admin user with the client certificate, one context.
import { stringify } from 'yaml';
import type { Pki } from './pki.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');

export function renderKubeconfig(name: string, server: string, pki: Pki): string {
  const ctx = `netobs-lab-${name}`;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: ctx, cluster: { server, 'certificate-authority-data': b64(pki.caCert) } }],
    users: [{ name: `${ctx}-admin`, user: { 'client-certificate-data': b64(pki.clientCert), 'client-key-data': b64(pki.clientKey) } }],
    contexts: [{ name: ctx, context: { cluster: ctx, user: `${ctx}-admin`, namespace: 'default' } }],
    'current-context': ctx,
    preferences: {},
  });
}
