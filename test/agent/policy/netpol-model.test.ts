// The lab conformance cases (test/e2e/support/netpol-cases.ts) against the compiler alone: the
// nine model pods on one node, each case's policies compiled, and every client → server verdict
// read from the entries as the datapath looks them up (six keys, most specific first, any deny
// wins; an endpoint not enforced in a direction allows what no deny refuses). The expected truth
// tables must hold here too, so a wrong expectation or a compiler regression shows up without a lab.
import test from 'ava';
import { entryFinder, lookupPolicy } from '../../../agent/policy/lookup.ts';
import { CidrIdentities } from '../../../agent/identity/cidr-identities.ts';
import { podSecurityLabels } from '../../../agent/identity/security-labels.ts';
import { compilePolicies, type CompileResult } from '../../../agent/policy/compile.ts';
import { PROTO } from '../../../agent/policy/entries.ts';
import type { Direction } from '../../../agent/policy/types.ts';
import { parsePolicy } from '../../../agent/policy/validate.ts';
import type { IdentityInfo, LocalEndpoint } from '../../../agent/policy/views.ts';
import { CASES, type Obj } from '../../e2e/support/netpol-cases.ts';
import { NAMESPACES, PODS, PORT_PROTOS, Reachability, describeMismatch, portProtoName, type PodId, type PortProto } from '../../e2e/support/netpol-model.ts';

const NAMED_PORTS = [80, 81].flatMap((port) => (['TCP', 'UDP'] as const).map((protocol) => ({ name: `serve-${port}-${protocol.toLowerCase()}`, port, protocol })));
const ip = (id: PodId): string => `10.201.${PODS.indexOf(id) % 2}.${10 + PODS.indexOf(id)}`;

interface World {
  pods: Map<PodId, Record<string, string>>;
  ns: Map<string, Record<string, string>>;
}

function compile(world: World, policies: Map<string, Obj>): { r: CompileResult; identity: Map<PodId, number>; endpoint: Map<PodId, number> } {
  const identities = new Map<number, IdentityInfo>();
  const endpoints: LocalEndpoint[] = [];
  const byLabels = new Map<string, number>();
  const identity = new Map<PodId, number>();
  const endpoint = new Map<PodId, number>();
  for (const [i, id] of PODS.entries()) {
    const ns = id.split('/')[0]!;
    const labels = podSecurityLabels({ namespace: ns, podLabels: world.pods.get(id)!, namespaceLabels: world.ns.get(ns)! });
    const key = JSON.stringify(labels);
    const num = byLabels.get(key) ?? 1000 + byLabels.size;
    byLabels.set(key, num);
    identities.set(num, { labels, namedPorts: NAMED_PORTS, ips: [...(identities.get(num)?.ips ?? []), ip(id)] });
    endpoints.push({ id: i + 1, identity: num, labels, namedPorts: NAMED_PORTS });
    identity.set(id, num);
    endpoint.set(id, i + 1);
  }
  const r = compilePolicies({ policies: [...policies.values()].map((p) => parsePolicy(p)), identities, endpoints, cidrIdentities: new CidrIdentities() });
  return { r, identity, endpoint };
}

// The datapath's lookup order, through the agent's one copy of it (agent/policy/lookup.ts).
function allows(r: CompileResult, ep: number, dir: Direction, remote: number, proto: number, port: number): boolean {
  const entries = r.entries.filter((e) => e.endpointId === ep && e.direction === dir);
  const enforced = r.enforcement.find((e) => e.endpointId === ep)?.[dir] ?? false;
  return lookupPolicy(entryFinder(entries), enforced, remote, proto, port).allowed;
}

function matrix(c: ReturnType<typeof compile>, pp: PortProto): Reachability {
  const out = new Reachability(false);
  const proto = pp.protocol === 'TCP' ? PROTO.tcp : PROTO.udp;
  for (const from of PODS) {
    for (const to of PODS) {
      const ok = allows(c.r, c.endpoint.get(from)!, 'egress', c.identity.get(to)!, proto, pp.port) && allows(c.r, c.endpoint.get(to)!, 'ingress', c.identity.get(from)!, proto, pp.port);
      out.pair(from, to, ok);
    }
  }
  return out;
}

for (const c of CASES.filter((x) => !x.viaService)) {
  test(`compiler: ${c.name}`, (t) => {
    const world: World = {
      pods: new Map(PODS.map((id) => [id, { pod: id.split('/')[1]! }])),
      ns: new Map(NAMESPACES.map((ns) => [ns, { ns, 'kubernetes.io/metadata.name': ns }])),
    };
    const policies = new Map<string, Obj>();
    for (const [i, s] of c.steps({ ip }).entries()) {
      for (const o of s.apply ?? []) {
        const m = o.metadata as { name: string; namespace: string };
        policies.set(`${String(o.apiVersion)}/${m.namespace}/${m.name}`, o);
      }
      const edit = (labels: Record<string, string>, change: Readonly<Record<string, string | null>>) => {
        const out = { ...labels };
        for (const [k, v] of Object.entries(change)) if (v === null) delete out[k]; else out[k] = v;
        return out;
      };
      if (s.podLabels) world.pods.set(s.podLabels.pod, edit(world.pods.get(s.podLabels.pod)!, s.podLabels.labels));
      if (s.nsLabels) world.ns.set(s.nsLabels.ns, edit(world.ns.get(s.nsLabels.ns)!, s.nsLabels.labels));
      const compiled = compile(world, policies);
      for (const pp of PORT_PROTOS) {
        const want = s.expect(pp);
        const got = matrix(compiled, pp);
        t.deepEqual(want.mismatches(got), [], `step ${i + 1} ${portProtoName(pp)}:\n${describeMismatch(want, got)}`);
      }
    }
  });
}
