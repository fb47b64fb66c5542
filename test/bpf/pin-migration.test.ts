// An agent upgrade across a changed map definition and a changed event layout: a pin set as
// the previous datapath build left it (built from git at the last commit before the layout
// change: 32-byte endpoint_info, one 40-byte-key netobs_ct; its events as layout version 0),
// with that build's drop events still in the pinned ring buffer, is migrated by the new loader
// instead of failing the load; a tracked connection's reply still passes, default deny still
// drops, the old records are skipped as lost and the new events decode.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Datapath, Direction, DropReason, EventType, parseIp } from '../../bpf/loader/index.ts';
import { testRun } from '../../bpf/loader/test-run.ts';
import { BpfMap } from '../../bpf/loader/bpf-map.ts';
import { loadLibbpf } from '../../bpf/loader/libbpf.ts';
import { ensureBpffsMount, removePins } from '../../bpf/loader/bpffs.ts';
import { multiarchInclude } from '../../scripts/build-bpf.ts';
import { datapathObject, LO } from './support/fixture.ts';
import { TCP_ACK, TCP_SYN, tcp4 } from './support/packets.ts';

/** The last commit whose datapath had the old layout (main before issue 13). */
const OLD_COMMIT = 'b432f24';
const repo = path.resolve(import.meta.dirname, '../..');

function buildOld(dir: string): Uint8Array {
  const src = path.join(dir, 'src');
  mkdirSync(src);
  const tar = execFileSync('git', ['-C', repo, 'archive', OLD_COMMIT, 'bpf/netobs.bpf.c', 'bpf/lib'], { maxBuffer: 1 << 24 });
  execFileSync('tar', ['-x', '-C', src], { input: tar });
  // That build's events carry layout version 0 here: the new agent's reader meets records of
  // another event layout in the pinned ring buffer, as across a real layout bump.
  const events = path.join(src, 'bpf/lib/events.h');
  const h = readFileSync(events, 'utf8');
  if (!h.includes('#define NETOBS_EVENT_VERSION 1')) throw new Error('old events.h: no NETOBS_EVENT_VERSION 1 to rewrite');
  writeFileSync(events, h.replace('#define NETOBS_EVENT_VERSION 1', '#define NETOBS_EVENT_VERSION 0'));
  const out = path.join(dir, 'old.bpf.o');
  const inc = multiarchInclude();
  execFileSync('clang', ['-O2', '-g', '-target', 'bpf', `-I${inc}`, '-c', path.join(src, 'bpf/netobs.bpf.c'), '-o', out]);
  return new Uint8Array(readFileSync(out));
}

/**
 * Loads an object with every map pinned under root, as an older agent would have, lets `use`
 * fill the maps and run the old programs (their events stay in the pinned ring buffer), and
 * closes it: the maps stay, pinned.
 */
function pinOld(object: Uint8Array, root: string, use: (progFd: (name: string) => number) => void): void {
  const lib = loadLibbpf();
  const obj = lib.objectOpenMem(object, object.length, null);
  if (obj === null) throw new Error('open old object');
  try {
    for (const name of ['netobs_endpoint', 'netobs_ct', 'netobs_policy', 'netobs_ipcache', 'netobs_events', 'netobs_lost', 'netobs_config']) {
      lib.mapSetPinPath(lib.findMapByName(obj, name)!, path.join(root, name));
    }
    if (lib.objectLoad(obj) < 0) throw new Error('load old object');
    use((name) => lib.programFd(lib.findProgramByName(obj, name)!));
  } finally {
    lib.objectClose(obj);
  }
}

test('an upgrade across a changed map definition and event layout keeps enforcing, and flows decode', (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'netobs-pins-'));
  const root = ensureBpffsMount(`/sys/fs/bpf/netobs-test-migrate-${process.pid}`).root;
  t.teardown(() => {
    removePins(root);
    rmSync(dir, { recursive: true, force: true });
  });
  let oldDrops = 0;
  pinOld(buildOld(dir), root, (progFd) => {
    const pod = parseIp('10.0.0.10').addr;
    const peer = parseIp('10.0.0.20').addr;
    // Old endpoint_info (32 bytes): id 10, identity 1000, flags enforce both ways, ipv4.
    const ep = new Uint8Array(32);
    const ev = new DataView(ep.buffer);
    ev.setUint32(0, 10, true);
    ev.setUint32(4, 1000, true);
    ev.setUint32(8, 0x3, true);
    ep.set(pod.subarray(12), 12);
    const epMap = new BpfMap(loadLibbpf().objGet(path.join(root, 'netobs_endpoint')), 'netobs_endpoint');
    epMap.update(new Uint8Array(new Uint32Array([LO]).buffer), ep);
    epMap.close();
    // Old conntrack key (40 bytes): the pod's egress TCP connection 40000 -> 80.
    const k = new Uint8Array(40);
    const kv = new DataView(k.buffer);
    k.set(pod, 0);
    k.set(peer, 16);
    kv.setUint16(32, 40000, true);
    kv.setUint16(34, 80, true);
    k[36] = 6;
    k[37] = Direction.EGRESS;
    const v = new Uint8Array(80);
    v[70] = 2; // established
    new DataView(v.buffer).setBigUint64(40, process.hrtime.bigint(), true); // last seen now
    const ct = new BpfMap(loadLibbpf().objGet(path.join(root, 'netobs_ct')), 'netobs_ct');
    ct.update(k, v);
    ct.close();
    // Old config (24 bytes): events on (CFG_EVENTS), as the old agent ran it.
    const cfg = new BpfMap(loadLibbpf().objGet(path.join(root, 'netobs_config')), 'netobs_config');
    cfg.update(new Uint8Array(4), new Uint8Array(new Uint32Array([1, 0, 0, 0, 0, 0]).buffer));
    cfg.close();
    // The old agent's datapath at work: a pod's packet to a peer its policy does not allow is
    // dropped, and the drop event (old layout) waits in the pinned ring buffer.
    for (let i = 0; i < 3; i++) {
      const r = testRun(progFd('netobs_from_ep'), tcp4('10.0.0.10', '10.0.0.30', 41000 + i, 443, TCP_SYN), { ifindex: LO });
      if (r.retval !== 2) throw new Error(`old datapath: a denied SYN returned ${r.retval}`);
      oldDrops++;
    }
  });
  const dp = Datapath.open({ bpffsRoot: root, object: datapathObject() });
  t.teardown(() => dp.close());
  // The policy map became an LPM trie with another key: nothing to replay (the agent rewrites it).
  t.deepEqual(dp.migrations.map((m) => [m.map, m.replayed, m.dropped]), [['netobs_endpoint', 1, 0], ['netobs_policy', 0, 0], ['netobs_ct', 1, 0]]);
  t.like(dp.endpoints.get(LO), { endpointId: 10, identity: 1000, enforceIngress: true, ipv4: '10.0.0.10' });
  t.like(dp.conntrack.entries()[0], { endpointId: 10, sport: 40000, dport: 80, tcpState: 'established' });
  const reply = dp.testRun('to-endpoint', tcp4('10.0.0.20', '10.0.0.10', 80, 40000, TCP_ACK), { ifindex: LO });
  t.is(reply.retval, 0, 'the reply of the migrated connection passes');
  const fresh = dp.testRun('to-endpoint', tcp4('10.0.0.20', '10.0.0.10', 80, 40001, TCP_SYN), { ifindex: LO });
  t.is(fresh.retval, 2, 'default deny still holds');
  // Flows keep flowing: the old layout's records are skipped and counted as lost, the new
  // datapath's events behind them decode.
  t.is(oldDrops, 3);
  const lostBefore = dp.events.lost();
  const events = dp.events.read();
  t.is(dp.events.lost() - lostBefore, 3n, 'the three old-layout records skipped as lost');
  t.like(events.find((e) => e.type === EventType.DROP), { dropReason: DropReason.POLICY_DENIED, srcIp: '10.0.0.20', srcPort: 80, dstPort: 40001, endpointId: 10 });
  t.is(dp.events.pending(), 0);
  t.deepEqual(dp.events.read(), [], 'nothing re-read');
  dp.close();
  const again = Datapath.open({ bpffsRoot: root, object: datapathObject() });
  t.deepEqual(again.migrations, [], 'the next start finds the new layout pinned');
  again.close();
});
