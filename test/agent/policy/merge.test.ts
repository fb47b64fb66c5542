import test from 'ava';
import { prefixHolds, type PolicyEntry } from '../../../agent/policy/entries.ts';
import { EntryTable } from '../../../agent/policy/merge.ts';
import type { PolicyRef } from '../../../agent/policy/types.ts';

// Deny must win for the datapath's lookup (bpf/lib/policy.h): per identity (this one, then any)
// the longest matching prefix (protocol, then port bits); a deny in either wins.
function lookup(entries: readonly PolicyEntry[], r: number, p: number, port: number): 'allow' | 'deny' | 'miss' {
  const longest = (id: number) => {
    let best: PolicyEntry | undefined;
    const len = (e: PolicyEntry) => (e.protocol === 0 ? -1 : e.portBits);
    for (const e of entries) {
      if (e.remoteIdentity !== id || (e.protocol !== 0 && e.protocol !== p) || !prefixHolds(e.port, e.portBits, port)) continue;
      if (!best || len(e) > len(best)) best = e;
    }
    return best;
  };
  const hits = [longest(r), longest(0)];
  if (hits.some((e) => e?.deny)) return 'deny';
  return hits.some((e) => e) ? 'allow' : 'miss';
}

/** [remote, protocol, port, portBits, deny] */
type Rule = [remote: number, proto: number, port: number, bits: number, deny: boolean];
const covers = ([r, p, port, bits]: Rule, x: number, y: number, z: number) => (r === 0 || r === x) && (p === 0 || p === y) && prefixHolds(port, bits, z);

// A small deterministic PRNG, so failures reproduce.
function rng(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

const ref = (name: string): PolicyRef => ({ kind: 'NetobsNetworkPolicy', namespace: 'ns', name });
const REMOTES = [5, 6, 7];
const PROTOS = [6, 17];
const PORTS = [80, 81, 82, 83, 84];
// Every port, one, a pair, a block of four, a block of eight around PORTS.
const PREFIXES: [number, number][] = [[0, 0], [80, 16], [81, 16], [80, 15], [80, 14], [80, 13], [84, 14]];

for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]) {
  test(`deny wins under the longest-prefix lookup per identity (random rule set ${seed})`, (t) => {
    const next = rng(seed);
    const rules: Rule[] = [];
    for (let i = 0; i < 8; i++) {
      const remote = [0, ...REMOTES][next(4)] as number;
      const proto = [0, ...PROTOS][next(3)] as number;
      const [port, bits] = proto === 0 ? [0, 0] : (PREFIXES[next(PREFIXES.length)] as [number, number]);
      rules.push([remote, proto, port, bits, next(3) === 0]);
    }
    const table = new EntryTable();
    for (const [i, [r, p, port, bits, deny]] of rules.entries()) table.add(1, 'ingress', r, p, port, bits, deny, ref(`r${i}`));
    const entries = table.finish(() => true);
    t.true(entries.every((e) => e.protocol !== 0 || e.portBits === 0), 'protocol 0 comes with every port');
    for (const r of REMOTES) for (const p of PROTOS) for (const port of PORTS) {
      const denied = rules.some((x) => x[4] && covers(x, r, p, port));
      const allowed = rules.some((x) => !x[4] && covers(x, r, p, port));
      const want = denied ? 'deny' : allowed ? 'allow' : 'miss';
      t.is(lookup(entries, r, p, port), want, `${r}/${p}/${port} with ${JSON.stringify(rules)}`);
    }
  });
}

test('unenforced directions keep only deny entries', (t) => {
  const table = new EntryTable();
  table.add(1, 'egress', 5, 6, 80, 16, false, ref('a'));
  table.add(1, 'egress', 6, 0, 0, 0, true, ref('d'));
  t.deepEqual(table.finish(() => false).map((e) => [e.remoteIdentity, e.deny]), [[6, true]]);
});

test('an entry names every policy that wrote it, sorted', (t) => {
  const table = new EntryTable();
  table.add(1, 'ingress', 5, 6, 80, 16, false, ref('b'));
  table.add(1, 'ingress', 5, 6, 80, 16, false, ref('a'));
  table.add(1, 'ingress', 5, 6, 80, 16, false, ref('b'));
  t.deepEqual(table.finish(() => true)[0]?.policies.map((p) => p.name), ['a', 'b']);
});
