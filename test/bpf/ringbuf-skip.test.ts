// An undecodable ring buffer record (here: every record of a datapath built with another
// event layout version, as after an upgrade of one side) is skipped by its header length
// and counted as lost; the reader moves past it instead of re-reading it forever.
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Datapath, DropReason } from '../../bpf/loader/index.ts';
import { buildBpf } from '../../scripts/build-bpf.ts';
import { TCP_SYN, tcp4 } from './support/packets.ts';
import { LO, LOCAL_EP } from './support/fixture.ts';

test('records of another layout version are skipped, counted as lost, and never re-read', (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'netobs-ringbuf-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const object = new Uint8Array(readFileSync(buildBpf(dir, ['NETOBS_EVENT_VERSION=99'])));
  const dp = Datapath.open({ pin: false, object });
  t.teardown(() => dp.close());
  dp.endpoints.set(LO, { ...LOCAL_EP, ipv4: '10.0.0.10', checkSource: true });
  const before = dp.events.lost();
  for (let i = 0; i < 3; i++) {
    const r = dp.testRun('from-endpoint', tcp4('10.9.9.9', '10.0.0.20', 1000 + i, 80, TCP_SYN), { ifindex: LO });
    t.is(r.retval, 2, `forged source ${i} still dropped (${DropReason.INVALID_SOURCE_IP})`);
  }
  t.true(dp.events.pending() > 0);
  t.deepEqual(dp.events.read(), [], 'nothing decodable, and no throw');
  t.is(dp.events.pending(), 0, 'the consumer moved past every record');
  t.is(dp.events.lost() - before, 3n, 'each skipped record counted as lost');
  t.deepEqual(dp.events.read(), []);
  t.is(dp.events.lost() - before, 3n, 'not counted twice');
});
