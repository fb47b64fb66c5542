import test from 'ava';
import { desiredIpcache, IpcacheSync, canonicalPrefix } from '../../../agent/datapath/ipcache-sync.ts';
import { datapathKey, PolicyApplier, PolicyWriteError } from '../../../agent/datapath/policy-apply.ts';
import { RuleIds } from '../../../agent/datapath/rule-ids.ts';
import type { PolicyEntry } from '../../../agent/policy/entries.ts';
import { decodePolicyKey, encodePolicyKey, type PolicyKey, type PolicyValue } from '../../../bpf/loader/layout.ts';

test('desired ipcache: world defaults, nodes as host / remote-node, pods with tunnel endpoints, CIDRs', (t) => {
  const d = desiredIpcache({
    pods: [{ ips: ['10.0.1.5'], identity: 300, hostIP: '192.0.2.3', local: false }, { ips: ['10.0.0.5', 'fd00::5'], identity: 301, hostIP: '192.0.2.2', local: true }],
    nodes: [{ addresses: ['192.0.2.2'], local: true }, { addresses: ['192.0.2.3'], local: false }],
    cidrs: [{ prefix: '10.1.0.0/16', identity: 16777300 }],
  });
  t.deepEqual(Object.fromEntries(d), {
    '0.0.0.0/0': { identity: 2 }, '::/0': { identity: 2 }, '10.1.0.0/16': { identity: 16777300 },
    '192.0.2.2/32': { identity: 1 }, '192.0.2.3/32': { identity: 6 },
    '10.0.1.5/32': { identity: 300, tunnelEndpoint: '192.0.2.3' }, '10.0.0.5/32': { identity: 301 }, 'fd00::5/128': { identity: 301 },
  });
  t.is(canonicalPrefix('10.1.2.3/16'), '10.1.0.0/16');
});

test('desired ipcache: the API server\'s addresses are kube-apiserver (7), except this node\'s, which stay host', (t) => {
  const d = desiredIpcache({
    pods: [],
    nodes: [{ addresses: ['192.0.2.2'], local: true }, { addresses: ['192.0.2.3'], local: false }],
    cidrs: [],
    kubeApiserver: ['192.0.2.2', '192.0.2.3', '203.0.113.7'],
  });
  t.like(Object.fromEntries(d), { '192.0.2.2/32': { identity: 1 }, '192.0.2.3/32': { identity: 7 }, '203.0.113.7/32': { identity: 7 } });
});

test('ipcache sync writes changes before removals and compares with the kernel on the first apply', (t) => {
  const log: string[] = [];
  const kernel = new Map<string, number>([['10.9.9.9/32', 400], ['0.0.0.0/0', 2]]);
  const sync = new IpcacheSync({
    set: (c, id) => { log.push(`set ${c} ${id}`); kernel.set(c, id); },
    delete: (c) => { log.push(`del ${c}`); return kernel.delete(c); },
    entries: () => [...kernel].map(([cidr, identity]) => ({ cidr, identity })),
  });
  sync.apply(new Map([['0.0.0.0/0', { identity: 2 }], ['10.0.0.5/32', { identity: 301 }]]));
  t.deepEqual(log, ['set 10.0.0.5/32 301', 'del 10.9.9.9/32']);
  log.length = 0;
  sync.apply(new Map([['0.0.0.0/0', { identity: 2 }], ['10.0.0.5/32', { identity: 302 }]]));
  t.deepEqual(log, ['set 10.0.0.5/32 302']);
});

const entry = (o: Partial<PolicyEntry>): PolicyEntry => ({ endpointId: 7, direction: 'ingress', remoteIdentity: 300, protocol: 6, port: 80, portBits: 16, deny: false, policies: [{ kind: 'NetworkPolicy', namespace: 'default', name: 'p' }], ...o });

test('policy entries in the datapath key space: directions, port prefixes, ICMP type 0 distinct from every type', (t) => {
  t.deepEqual(datapathKey(entry({})), { endpointId: 7, remoteIdentity: 300, port: 80, portBits: 16, protocol: 6, direction: 1 });
  t.is(datapathKey(entry({ direction: 'egress' })).direction, 2);
  t.deepEqual(datapathKey(entry({ port: 1024, portBits: 6 })), { endpointId: 7, remoteIdentity: 300, port: 1024, portBits: 6, protocol: 6, direction: 1 });
  const echoReply = encodePolicyKey(datapathKey(entry({ protocol: 1, port: 0, portBits: 16 })));
  const everyType = encodePolicyKey(datapathKey(entry({ protocol: 1, port: 0, portBits: 0 })));
  t.notDeepEqual(echoReply, everyType, 'echo reply is its own key');
  t.is(decodePolicyKey(echoReply).portBits, 16);
  t.throws(() => encodePolicyKey({ endpointId: 7, remoteIdentity: 0, port: 1025, portBits: 6, protocol: 6, direction: 1 }), { message: /not a port prefix/ });
});

test('rule cookies are stable per (verdict, policies) and name the policies back', (t) => {
  const a = new RuleIds();
  const b = new RuleIds();
  const refs = [{ kind: 'NetworkPolicy' as const, namespace: 'default', name: 'p' }];
  const id = a.idOf(false, refs);
  t.not(id, 0);
  t.is(b.idOf(false, refs), id, 'a restarted agent computes the same cookie');
  t.not(a.idOf(true, refs), id);
  t.deepEqual(a.lookup(id), { deny: false, policies: refs });
  t.is(a.idOf(false, []), 0);
});

/** A policy map in memory that, like a full BPF map, refuses a new key beyond `capacity`. */
function fakeMap(capacity = Infinity) {
  const kernel = new Map<string, { key: PolicyKey; value: Required<PolicyValue> }>();
  const k = (key: PolicyKey) => `${key.endpointId}/${key.direction}/${key.remoteIdentity}/${key.protocol}/${key.port}/${key.portBits ?? 16}`;
  const map = {
    set: (key: PolicyKey, value: PolicyValue) => {
      if (!kernel.has(k(key)) && kernel.size >= capacity) throw new Error('E2BIG');
      kernel.set(k(key), { key, value: { action: value.action, ruleId: value.ruleId ?? 0 } });
    },
    get: (key: PolicyKey) => kernel.get(k(key))?.value,
    delete: (key: PolicyKey) => kernel.delete(k(key)),
    entries: () => [...kernel.values()],
  };
  return { kernel, map, snapshot: () => [...kernel.entries()].map(([key, { value }]) => `${key} ${value.action} ${value.ruleId}`).sort() };
}

test('reconcile leaves exactly the wanted entries and says whose changed', (t) => {
  const { kernel, map } = fakeMap();
  map.set({ endpointId: 9, remoteIdentity: 0, port: 0, portBits: 0, protocol: 0, direction: 1 }, { action: 'allow', ruleId: 1 });
  const rules = new RuleIds();
  const applier = new PolicyApplier(map, rules);
  const r = applier.reconcile([entry({}), entry({ deny: true, port: 22 })]);
  t.deepEqual({ ...r, endpoints: [...r.endpoints].sort() }, { written: 2, removed: 1, endpoints: [7, 9] });
  t.deepEqual([...kernel.keys()].sort(), ['7/1/300/6/22/16', '7/1/300/6/80/16']);
  t.is(kernel.get('7/1/300/6/22/16')?.value.action, 'deny');
  t.is(rules.lookup(kernel.get('7/1/300/6/80/16')?.value.ruleId ?? 0)?.policies[0]?.name, 'p');
  t.deepEqual(applier.reconcile([entry({}), entry({ deny: true, port: 22 })]), { written: 0, removed: 0, endpoints: new Set() }, 'nothing differs: nothing written');
});

test('a write that fails part-way is rolled back: the map holds exactly its previous content', (t) => {
  // Room for 5 keys: 2 there, an overwrite and 3 new keys go through, the 4th new key fails.
  const { map, snapshot } = fakeMap(5);
  const applier = new PolicyApplier(map, new RuleIds());
  applier.apply([entry({ port: 1 }), entry({ port: 2 })], []);
  const before = snapshot();
  const add = [entry({ port: 2, deny: true }), ...[10, 11, 12, 13, 14].map((port) => entry({ port }))];
  const err = t.throws(() => applier.apply(add, [entry({ port: 1 })]), { instanceOf: PolicyWriteError });
  t.regex(err.message, /failed after 4 of 7 changes \(E2BIG\); rolled back/);
  t.deepEqual(snapshot(), before, 'no partial policy: the overwritten deny is an allow again, the new keys are gone');
  applier.apply(add.slice(0, 3), [entry({ port: 1 })]);
  t.deepEqual(snapshot().map((l) => l.split(' ')[0]), ['7/1/300/6/10/16', '7/1/300/6/11/16', '7/1/300/6/2/16']);
});

test('applySteps writes in steps a caller can pause between, with the same end as apply', (t) => {
  const { kernel, map } = fakeMap();
  const applier = new PolicyApplier(map, new RuleIds());
  const add = Array.from({ length: 4500 }, (_, i) => entry({ port: i + 1 }));
  const steps = applier.applySteps(add, []);
  let pauses = 0;
  while (!steps.next().done) pauses++;
  t.is(pauses, 2, 'a pause every 2000 keys');
  t.is(kernel.size, 4500);
});
