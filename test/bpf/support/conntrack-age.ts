// Ages conntrack entries in place (last_seen_ns moved into the past), so lifetime tests
// need not wait for them: the datapath and the GC judge age from that field alone.
import type { Datapath } from '../../../bpf/loader/index.ts';
import { STRUCTS } from '../../../bpf/loader/layout.ts';

export function ageConntrack(dp: Datapath, seconds: number, match: (protocol: number) => boolean = () => true): number {
  const off = STRUCTS.ct_entry.fields.last_seen_ns[0];
  const proto = STRUCTS.ct_key.fields.proto[0];
  let n = 0;
  for (const name of ['netobs_ct_tcp', 'netobs_ct_any'] as const) {
    const m = dp.map(name);
    for (const [k, v] of [...m.entries()]) {
      if (!match(k[proto]!)) continue;
      const view = new DataView(v.buffer, v.byteOffset, v.byteLength);
      view.setBigUint64(off, view.getBigUint64(off, true) - BigInt(seconds) * 1_000_000_000n, true);
      m.update(k, v);
      n++;
    }
  }
  return n;
}
