import test from 'ava';
import type { PolicyEntry } from '../../../agent/policy/entries.ts';
import { EntryTable } from '../../../agent/policy/merge.ts';
import type { PolicyRef } from '../../../agent/policy/types.ts';

// Deny must win for a datapath that looks keys up most specific first and stops at the first hit.
const ORDER = (r: number, p: number, port: number) => [[r, p, port], [r, p, 0], [r, 0, 0], [0, p, port], [0, p, 0], [0, 0, 0]];

function lookup(entries: readonly PolicyEntry[], r: number, p: number, port: number): 'allow' | 'deny' | 'miss' {
  const byKey = new Map(entries.map((e) => [`${e.remoteIdentity}/${e.protocol}/${e.port}`, e]));
  for (const [a, b, c] of ORDER(r, p, port)) {
    const e = byKey.get(`${a}/${b}/${c}`);
    if (e) return e.deny ? 'deny' : 'allow';
  }
  return 'miss';
}

type Rule = [remote: number, proto: number, port: number, deny: boolean];
const covers = ([r, p, port]: Rule, x: number, y: number, z: number) => (r === 0 || r === x) && (p === 0 || p === y) && (port === 0 || port === z);

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
const PORTS = [80, 81];

for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]) {
  test(`deny wins under specific-first lookup (random rule set ${seed})`, (t) => {
    const next = rng(seed);
    const rules: Rule[] = [];
    for (let i = 0; i < 8; i++) {
      const remote = [0, ...REMOTES][next(4)] as number;
      const proto = [0, ...PROTOS][next(3)] as number;
      const port = proto === 0 ? 0 : ([0, ...PORTS][next(3)] as number);
      rules.push([remote, proto, port, next(3) === 0]);
    }
    const table = new EntryTable();
    for (const [i, [r, p, port, deny]] of rules.entries()) table.add(1, 'ingress', r, p, port, deny, ref(`r${i}`));
    const entries = table.finish(() => true);
    t.true(entries.every((e) => e.protocol !== 0 || e.port === 0), 'protocol 0 comes with port 0');
    for (const r of REMOTES) for (const p of PROTOS) for (const port of PORTS) {
      const denied = rules.some((x) => x[3] && covers(x, r, p, port));
      const allowed = rules.some((x) => !x[3] && covers(x, r, p, port));
      const want = denied ? 'deny' : allowed ? 'allow' : 'miss';
      t.is(lookup(entries, r, p, port), want, `${r}/${p}/${port} with ${JSON.stringify(rules)}`);
    }
  });
}

test('unenforced directions keep only deny entries', (t) => {
  const table = new EntryTable();
  table.add(1, 'egress', 5, 6, 80, false, ref('a'));
  table.add(1, 'egress', 6, 0, 0, true, ref('d'));
  t.deepEqual(table.finish(() => false).map((e) => [e.remoteIdentity, e.deny]), [[6, true]]);
});

test('an entry names every policy that wrote it, sorted', (t) => {
  const table = new EntryTable();
  table.add(1, 'ingress', 5, 6, 80, false, ref('b'));
  table.add(1, 'ingress', 5, 6, 80, false, ref('a'));
  table.add(1, 'ingress', 5, 6, 80, false, ref('b'));
  t.deepEqual(table.finish(() => true)[0]?.policies.map((p) => p.name), ['a', 'b']);
});
