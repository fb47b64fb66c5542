import test from 'ava';
import { parsePolicy, validatePolicy } from '../../../agent/policy/validate.ts';
import { LAST_APPLIED_ANNOTATION, prunedPath } from '../../../agent/policy/pruned.ts';

// What `kubectl apply --validate=false` of a policy with a typo leaves in the API server: the typo
// pruned from the stored spec, but kept in kubectl's last-applied annotation.
const written = {
  apiVersion: 'netobs.io/v1alpha1', kind: 'NetworkPolicy', metadata: { name: 'db', namespace: 'default' },
  spec: { endpointSelector: { matchLabels: { app: 'db' } }, ingress: [{ fromEndpoint: [{ matchLabels: { app: 'api' } }], toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }] }] },
};
const stored = (w: { metadata: object }, spec: unknown): Record<string, unknown> => ({ ...w, metadata: { ...w.metadata, annotations: { [LAST_APPLIED_ANNOTATION]: JSON.stringify(w) } }, spec });

test('a typo the API server pruned makes the policy invalid instead of "5432 from every peer"', (t) => {
  const pruned = stored(written, { endpointSelector: { matchLabels: { app: 'db' } }, ingress: [{ toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }] }] });
  const v = validatePolicy(pruned);
  t.false(v.valid);
  t.regex(v.valid ? '' : v.message, /^spec\.ingress\[0\]\.fromEndpoint: was applied but is not in the schema, so the API server dropped it/);
  // Without the annotation (server-side apply, or created by a controller) nothing tells: it parses.
  t.notThrows(() => parsePolicy({ ...pruned, metadata: written.metadata }));
});

test('what the API server adds or kubectl edit changed is no pruning', (t) => {
  const ok = { ...written, spec: { endpointSelector: { matchLabels: { app: 'db' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'api' } }] }] } };
  // Defaults added, a value edited: fine.
  const s1 = stored(ok, { ...ok.spec, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [] }] });
  t.true(validatePolicy(s1).valid);
  // A list edited to another length: the annotation is stale, not proof of pruning.
  const s2 = stored(ok, { ...ok.spec, ingress: [] });
  t.is(prunedPath(s2.spec, ok.spec, 'spec'), undefined);
});

test('a Kubernetes NetworkPolicy: a typo is caught, the empty values its types drop are not', (t) => {
  const np = {
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'np', namespace: 'default' },
    spec: { podSelector: { matchLabels: {} }, policyTypes: ['Ingress'], ingress: [{ form: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ port: 5432 }] }] },
  };
  const typo = stored(np as never, { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 5432, protocol: 'TCP' }] }] });
  const v = validatePolicy(typo);
  t.regex(v.valid ? '' : v.message, /^spec\.ingress\[0\]\.form:/);
  const fine = stored({ ...np, spec: { ...np.spec, ingress: [] } } as never, { podSelector: {}, policyTypes: ['Ingress'] });
  t.true(validatePolicy(fine).valid);
});
