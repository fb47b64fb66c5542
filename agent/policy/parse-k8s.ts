// Kubernetes NetworkPolicy (networking.k8s.io/v1) into the policy model.
// Semantics kept from the API: policyTypes defaults to Ingress, plus Egress when egress rules are
// present; a selected pod is default-deny in each listed direction; a rule without `from`/`to`
// admits every peer and one without `ports` every port; peers are OR-ed; an ipBlock peer is alone
// and matches pod IPs too (see resolve-peers.ts).
import { NAMESPACE_LABELS_PREFIX } from '../identity/labels.ts';
import { fail, list, obj, onlyKeys, show, str, type Obj } from './invalid.ts';
import { parseCidrSet } from './parse-cidr.ts';
import { parseK8sPorts } from './parse-ports.ts';
import { scopeK8sPeer, scopeSubject } from './scope.ts';
import { parseSelector } from './selector.ts';
import type { Direction, ParsedPolicy, Peer, PeerRule } from './types.ts';

const POD = { defaultSource: 'k8s' } as const;
const NS = { defaultSource: 'k8s', keyPrefix: NAMESPACE_LABELS_PREFIX } as const;

function parsePeer(raw: unknown, path: string, namespace: string): Peer {
  const o = obj(raw, path);
  onlyKeys(o, path, ['podSelector', 'namespaceSelector', 'ipBlock']);
  const has = (k: string) => o[k] !== undefined && o[k] !== null;
  if (has('ipBlock')) {
    if (has('podSelector') || has('namespaceSelector')) fail(path, 'ipBlock cannot be combined with podSelector or namespaceSelector');
    return { ...parseCidrSet(o.ipBlock, `${path}.ipBlock`, false), pods: true };
  }
  if (!has('podSelector') && !has('namespaceSelector')) fail(path, 'needs podSelector, namespaceSelector or ipBlock');
  const pod = has('podSelector') ? parseSelector(o.podSelector, `${path}.podSelector`, POD) : undefined;
  const ns = has('namespaceSelector') ? parseSelector(o.namespaceSelector, `${path}.namespaceSelector`, NS) : undefined;
  return { kind: 'endpoints', selector: scopeK8sPeer(pod, ns, namespace) };
}

function parseRules(spec: Obj, dir: Direction, namespace: string): PeerRule[] {
  const peersKey = dir === 'ingress' ? 'from' : 'to';
  return (list(spec[dir], `spec.${dir}`) ?? []).map((raw, i) => {
    const at = `spec.${dir}[${i}]`;
    const o = obj(raw, at);
    onlyKeys(o, at, [peersKey, 'ports']);
    const peers = (list(o[peersKey], `${at}.${peersKey}`) ?? []).map((p, j) => parsePeer(p, `${at}.${peersKey}[${j}]`, namespace));
    return { peers: peers.length === 0 ? 'any' : peers, l4: parseK8sPorts(o.ports, `${at}.ports`) };
  });
}

export function parseK8sNetworkPolicy(o: Obj, name: string, namespace: string): ParsedPolicy {
  const spec = obj(o.spec, 'spec');
  onlyKeys(spec, 'spec', ['podSelector', 'policyTypes', 'ingress', 'egress']);
  if (spec.podSelector === undefined) fail('spec.podSelector', 'is required (use {} to select every pod of the namespace)');
  const subject = scopeSubject(parseSelector(spec.podSelector, 'spec.podSelector', POD), namespace);
  const ingress = parseRules(spec, 'ingress', namespace);
  const egress = parseRules(spec, 'egress', namespace);
  const types = list(spec.policyTypes, 'spec.policyTypes')?.map((t, i) => {
    const v = str(t, `spec.policyTypes[${i}]`);
    if (v !== 'Ingress' && v !== 'Egress') fail(`spec.policyTypes[${i}]`, `${show(v)} is not Ingress or Egress`);
    return v;
  });
  const enforce = types && types.length > 0
    ? { ingress: types.includes('Ingress'), egress: types.includes('Egress') }
    : { ingress: true, egress: egress.length > 0 };
  return {
    ref: { kind: 'NetworkPolicy', namespace, name },
    rules: [{
      subject,
      enforce,
      // Rules of a direction the policy does not cover are ignored, as the API documents.
      allow: { ingress: enforce.ingress ? ingress : [], egress: enforce.egress ? egress : [] },
      deny: { ingress: [], egress: [] },
    }],
  };
}
