// The C structs (read from the compiled object's BTF with bpftool) and the TypeScript
// layouts (bpf/loader/layout.ts, bpf/loader/events.ts) must agree field by field.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { STRUCTS, type StructLayout } from '../../bpf/loader/layout.ts';
import { EVENT_LAYOUT, EVENT_LAYOUT_VERSION } from '../../bpf/loader/events.ts';
import { datapathObject } from './support/fixture.ts';
import { repoRoot } from '../../lib/assets.ts';

interface BtfType {
  id: number;
  kind: string;
  name: string;
  size?: number;
  type_id?: number;
  nr_elems?: number;
  members?: Array<{ name: string; type_id: number; bits_offset: number }>;
}

function btfStructs(): Map<string, StructLayout> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'netobs-btf-'));
  const file = path.join(dir, 'netobs.bpf.o');
  writeFileSync(file, datapathObject());
  let out: string;
  try {
    out = execFileSync('bpftool', ['-j', 'btf', 'dump', 'file', file, 'format', 'raw'], { encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const types = new Map<number, BtfType>((JSON.parse(out) as { types: BtfType[] }).types.map((t) => [t.id, t]));
  const sizeOf = (id: number): number => {
    const t = types.get(id);
    if (!t) throw new Error(`BTF type ${id} missing`);
    switch (t.kind) {
      case 'INT':
      case 'STRUCT':
      case 'UNION':
      case 'ENUM':
        return t.size ?? 0;
      case 'ARRAY':
        return (t.nr_elems ?? 0) * sizeOf(t.type_id!);
      case 'PTR':
        return 8;
      default:
        return sizeOf(t.type_id!); // TYPEDEF, CONST, VOLATILE
    }
  };
  const structs = new Map<string, StructLayout>();
  for (const t of types.values()) {
    if (t.kind !== 'STRUCT' || t.name === '(anon)') continue;
    const fields: Record<string, readonly [number, number]> = {};
    for (const m of t.members ?? []) fields[m.name] = [m.bits_offset / 8, sizeOf(m.type_id)];
    structs.set(t.name, { size: t.size ?? 0, fields });
  }
  return structs;
}

const btf = btfStructs();

for (const [name, layout] of [...Object.entries(STRUCTS), ['netobs_event', EVENT_LAYOUT] as const]) {
  test(`struct ${name}: TypeScript layout matches BTF`, (t) => {
    const c = btf.get(name);
    t.truthy(c, `struct ${name} in BTF`);
    t.deepEqual(layout, c as unknown);
  });
}

test('the event layout version is the one in bpf/lib/events.h', (t) => {
  const header = readFileSync(path.join(repoRoot(), 'bpf/lib/events.h'), 'utf8');
  t.regex(header, new RegExp(`#define NETOBS_EVENT_VERSION ${EVENT_LAYOUT_VERSION}\\n`));
});
