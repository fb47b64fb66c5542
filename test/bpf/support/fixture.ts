// Shared set-up for datapath tests: the compiled object (built on the fly when the
// build step has not run), a private (unpinned) datapath, a managed endpoint on the
// loopback interface (BPF_PROG_TEST_RUN runs packets "on" lo unless told otherwise),
// and a helper that runs one packet and returns its verdict with the events it caused.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ExecutionContext } from 'ava';
import { repoRoot } from '../../../lib/assets.ts';
import { Datapath, type DatapathOptions, type EndpointInfo, type NetobsEvent } from '../../../bpf/loader/index.ts';
import { buildBpf } from '../../../scripts/build-bpf.ts';

let object: Uint8Array | undefined;

export function datapathObject(): Uint8Array {
  if (object) return object;
  const built = path.join(repoRoot(), 'build/bpf/netobs.bpf.o');
  object = readFileSync(existsSync(built) ? built : buildBpf(mkdtempSync(path.join(os.tmpdir(), 'netobs-bpf-'))));
  return object;
}

export const LO = 1;
export const LOCAL_EP: EndpointInfo = { endpointId: 10, identity: 1000 };

export function openTestDatapath(t: ExecutionContext, o: DatapathOptions = {}): Datapath {
  const dp = Datapath.open({ pin: false, object: datapathObject(), ...o });
  t.teardown(() => dp.close());
  return dp;
}

export interface RunResult {
  verdict: 'forwarded' | 'dropped';
  /** The drop event's reason (0 when forwarded). */
  reason: number;
  events: NetobsEvent[];
}

export type Hook = 'from-endpoint' | 'to-endpoint';

/** Runs a packet through one hook; drains and returns the events it produced. */
export function run(dp: Datapath, hook: Hook, packet: Uint8Array): RunResult {
  dp.events.read(); // anything left from earlier packets is not this packet's
  const r = dp.testRun(hook, packet, { ifindex: LO });
  const events = dp.events.read();
  const drop = events.find((e) => e.type === 1);
  return { verdict: r.retval === 2 ? 'dropped' : 'forwarded', reason: drop?.dropReason ?? 0, events };
}
