// The datapath's numbers are written in C (bpf/lib/*.h, the source) and copied into TypeScript:
// bpf/loader/layout.ts and bpf/loader/events.ts (the loader's decoding), api/types.ts and
// api/names.ts (the Hubble wire names), which tui/model/flow-facts.ts reads. This test parses the
// headers and fails when a copy drifts from them.
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CT_F_PROXY, CT_F_SVC, ConfigFlags, Direction, DropReason, L7_PROXY_MARK, MatchType, PolicyAction, PolicyPrefix, STRUCTS, Verdict } from '../../bpf/loader/layout.ts';
import { L7_MARK } from '../../agent/proxy/redirect.ts';
import { EventType, ObsPoint } from '../../bpf/loader/events.ts';
import * as wire from '../../api/types.ts';
import { DROP_REASON_ENUM, DROP_REASON_TEXT, TRACE_POINT_NAME } from '../../api/names.ts';

const libDir = path.resolve(import.meta.dirname, '../../bpf/lib');

/** Every `#define NAME <number>` of bpf/lib/*.h, by name. */
function headerDefines(): Map<string, number> {
  const out = new Map<string, number>();
  for (const file of readdirSync(libDir).filter((f) => f.endsWith('.h'))) {
    for (const m of readFileSync(path.join(libDir, file), 'utf8').matchAll(/^#define\s+([A-Z0-9_]+)\s+(0x[0-9a-fA-F]+|\d+)\b/gm)) {
      out.set(m[1] as string, Number(m[2]));
    }
  }
  return out;
}

/** The defines with a prefix, as { suffix: value }. */
function withPrefix(prefix: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of headerDefines()) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
  return out;
}

const sortedValues = (o: Record<string, number>): number[] => Object.values(o).sort((a, b) => a - b);

test('drop reasons: bpf/lib/drop.h DROP_* = bpf/loader/layout.ts DropReason, each named on the wire', (t) => {
  const header = withPrefix('DROP_');
  t.true(Object.keys(header).length > 5);
  t.deepEqual(sortedValues(DropReason), sortedValues(header));
  const wireNames = new Map(Object.entries(wire.DropReason).map(([k, v]) => [v, k]));
  for (const [name, v] of Object.entries(DropReason)) {
    t.is(wireNames.get(v), name, `api/types.ts DropReason ${v}`);
    t.is(DROP_REASON_ENUM[name], v, `api/names.ts DROP_REASON_ENUM ${name}`);
    t.truthy(DROP_REASON_TEXT[v], `api/names.ts DROP_REASON_TEXT ${v}`);
  }
});

test('event types: bpf/lib/events.h EVENT_* = bpf/loader/events.ts EventType = api/types.ts EventType', (t) => {
  const header = withPrefix('EVENT_');
  t.deepEqual({ ...EventType }, header);
  for (const [name, v] of Object.entries(header)) t.is((wire.EventType as Record<string, number>)[name], v, name);
});

test('observation points: bpf/lib/events.h OBS_* = bpf/loader/events.ts ObsPoint, named in api/names.ts', (t) => {
  const header = withPrefix('OBS_');
  t.deepEqual({ ...ObsPoint }, header);
  for (const [name, v] of Object.entries(header)) t.is(TRACE_POINT_NAME[v], name.toLowerCase().replace('_', '-'));
});

test('directions and verdicts: bpf/lib/common.h DIR_*, VERDICT_* = the loader and the wire', (t) => {
  t.deepEqual({ ...Direction }, withPrefix('DIR_'));
  t.deepEqual({ ...Verdict }, withPrefix('VERDICT_'));
  for (const [name, v] of Object.entries(Direction)) t.is(wire.TrafficDirection[name as keyof typeof wire.TrafficDirection], v);
  for (const [name, v] of Object.entries(Verdict)) t.is(wire.Verdict[name as keyof typeof wire.Verdict], v);
});

test('config flags: bpf/lib/config.h CFG_* flags = bpf/loader/layout.ts ConfigFlags', (t) => {
  const header = withPrefix('CFG_');
  for (const [name, v] of Object.entries(ConfigFlags)) t.is(header[name], v, `CFG_${name}`);
});

test('L7 proxy: bpf/lib/l7.h L7_PROXY_MARK = the loader = the agent\'s redirect mark; conntrack flags', (t) => {
  const h = headerDefines();
  t.is(h.get('L7_PROXY_MARK'), L7_PROXY_MARK);
  t.is(L7_MARK, L7_PROXY_MARK);
  t.is(h.get('CT_F_SVC'), CT_F_SVC);
  t.is(h.get('CT_F_PROXY'), CT_F_PROXY);
});

test('policy map: bpf/lib/policy.h POLICY_*, MATCH_* = bpf/loader/layout.ts PolicyAction, PolicyPrefix, MatchType', (t) => {
  const header = withPrefix('POLICY_');
  for (const [name, v] of Object.entries(PolicyAction)) t.is(header[name], v, `POLICY_${name}`);
  for (const [name, v] of Object.entries(PolicyPrefix)) t.is(header[`${name}_PREFIX`], v, `POLICY_${name}_PREFIX`);
  t.deepEqual({ ...MatchType }, withPrefix('MATCH_'));
  // FULL covers every byte of the key after prefixlen.
  t.is(PolicyPrefix.FULL as number, (STRUCTS.policy_key.size - 4) * 8);
});
