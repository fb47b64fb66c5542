// Attacks as a hostile pod runs them: frames written by an AF_PACKET socket inside the
// pod's network namespace (support/rawsend.c; a pod with CAP_NET_RAW can), through real
// veths and the datapath on the host side. Each asserts the verdict and the drop reason
// from the ring buffer events, as `observe --verdict DROPPED` would show them.
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Datapath, Direction, DropReason, EventType, type NetobsEvent } from '../../bpf/loader/index.ts';
import { ifindexOf } from '../../bpf/loader/tc.ts';
import { datapathObject } from './support/fixture.ts';
import { SCRIPTS, makeTopology, nodeInPod, sh, startInPod, type Pod, type Topology } from './support/netns.ts';
import { ETH_IPV6, TCP_ACK, TCP_SYN, eth, icmp, ipv6, tcp4, tcp6, udp4 } from './support/packets.ts';

const X_ID = 1001; // the attacker
const B_ID = 1002; // the victim: default-deny ingress, TCP 8000 from X only
const X_EP = 1;
const B_EP = 2;
const X6 = 'fd00:232::2';

let topo: Topology;
let dp: Datapath;
let bin: string;
let tmp: string;
let x: Pod;
let b: Pod;

test.before(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'netobs-attacks-'));
  bin = path.join(tmp, 'rawsend');
  sh(['clang', '-O2', '-o', bin, path.join(import.meta.dirname, 'support/rawsend.c')]);
  topo = makeTopology('atk', 232);
  [x, b] = topo.pods as [Pod, Pod];
  // The ct_any map is small so a flood from one pod can fill it within a test.
  dp = Datapath.open({ pin: false, object: datapathObject(), maxEntries: { netobs_ct_any: 512 } });
  dp.ipcache.set(x.ip, X_ID);
  dp.ipcache.set(b.ip, B_ID);
  dp.endpoints.set(ifindexOf(x.hostIf), { endpointId: X_EP, identity: X_ID, ipv4: x.ip, ipv6: X6, checkSource: true, enforceIngress: true });
  dp.endpoints.set(ifindexOf(b.hostIf), { endpointId: B_EP, identity: B_ID, ipv4: b.ip, checkSource: true, enforceIngress: true });
  dp.policy.set({ endpointId: B_EP, remoteIdentity: X_ID, protocol: 6, port: 8000, direction: Direction.INGRESS }, { action: 'allow' });
  dp.policy.set({ endpointId: B_EP, remoteIdentity: X_ID, protocol: 17, port: 9000, direction: Direction.INGRESS }, { action: 'allow' });
  for (const p of topo.pods) dp.attach(p.hostIf);
});

test.after.always(() => {
  for (const p of topo?.pods ?? []) dp?.detach(p.hostIf);
  dp?.close();
  topo?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Sends frames out of the pod's eth0 with an AF_PACKET socket. */
function rawSend(pod: Pod, frames: Uint8Array[]): void {
  sh(['ip', 'netns', 'exec', pod.netns, bin, 'eth0', ...frames.map((f) => Buffer.from(f).toString('hex'))]);
}

/** Drop events until `want` of them match (the veth hands frames on asynchronously). */
async function drops(match: (e: NetobsEvent) => boolean, want = 1): Promise<NetobsEvent[]> {
  const got: NetobsEvent[] = [];
  for (let i = 0; i < 100 && got.length < want; i++) {
    got.push(...dp.events.read().filter((e) => e.type === EventType.DROP && match(e)));
    if (got.length < want) await new Promise((r) => setTimeout(r, 20));
  }
  return got;
}

test.serial('a forged IPv4 source is INVALID_SOURCE_IP', async (t) => {
  dp.events.read();
  rawSend(x, [udp4(b.ip, '10.232.0.99', 53, 53)]);
  const d = await drops((e) => e.srcIp === b.ip);
  t.is(d[0]?.dropReason, DropReason.INVALID_SOURCE_IP);
  t.is(d[0]?.endpointId, X_EP);
});

test.serial('forged SYN|ACK then a connect on the reversed tuple: B’s policy still judges it', async (t) => {
  dp.events.read();
  rawSend(x, [tcp4(b.ip, x.ip, 22, 40000, TCP_SYN | TCP_ACK)]);
  t.is((await drops((e) => e.srcIp === b.ip && e.srcPort === 22))[0]?.dropReason, DropReason.INVALID_SOURCE_IP, 'the forgery');
  const r = await nodeInPod(x, `
    const s = require('net').connect({ host: process.argv[1], port: 22, localPort: 40000 });
    s.setTimeout(1500, () => { console.log('timeout'); process.exit(0); });
    s.on('connect', () => { console.log('connected'); process.exit(0); });
    s.on('error', (e) => { console.log('error ' + e.code); process.exit(0); });`, [b.ip]);
  t.is(r.stdout.trim(), 'timeout', 'no connection to a port B does not allow');
  const d = await drops((e) => e.dstIp === b.ip && e.dstPort === 22);
  t.is(d[0]?.dropReason, DropReason.POLICY_DENIED);
  t.is(d[0]?.endpointId, B_EP);
});

test.serial('IPv4-mapped IPv6 source and destination', async (t) => {
  dp.events.read();
  rawSend(x, [tcp6(`::ffff:${x.ip}`, `::ffff:${b.ip}`, 40001, 8000, TCP_SYN), tcp6(X6, `::ffff:${b.ip}`, 40002, 8000, TCP_SYN)]);
  const d = await drops((e) => e.ipVersion === 6, 2);
  t.deepEqual(d.map((e) => e.dropReason), [DropReason.INVALID_SOURCE_IP, DropReason.STALE_OR_UNROUTABLE_IP]);
});

test.serial('ICMPv6 "neighbour solicitation" with a payload to an arbitrary address', async (t) => {
  dp.events.read();
  const exfil = eth(ETH_IPV6, ipv6({ src: X6, dst: '2001:db8::1', proto: 58, hopLimit: 255 }, icmp({ type: 135, data: new Uint8Array(512).fill(0x41) })));
  rawSend(x, [exfil]);
  t.is((await drops((e) => e.dstIp === '2001:db8::1'))[0]?.dropReason, DropReason.FORBIDDEN_ICMPV6_MESSAGE);
});

test.serial('a pod reusing a deleted pod’s IP does not inherit its flows, same tuple', async (t) => {
  dp.events.read();
  const srv = await startInPod(b, [process.execPath, '-e', SCRIPTS.udpEcho, '--', '9000'], /listening/);
  try {
    const ask = `
      const s = require('dgram').createSocket('udp4');
      s.bind(41000, () => s.send('ping', 9000, process.argv[1]));
      s.on('message', (m) => { console.log('got ' + m); process.exit(0); });
      setTimeout(() => { console.log('timeout'); process.exit(0); }, 1500);`;
    t.is((await nodeInPod(x, ask, [b.ip])).stdout.trim(), 'got ping', 'the old pod is allowed');
    // The old pod is deleted (what the agent does); a new one with another identity gets the IP.
    dp.endpoints.delete(ifindexOf(x.hostIf));
    dp.conntrack.flushEndpoint(X_EP, [x.ip, X6]);
    dp.ipcache.set(x.ip, 1003);
    dp.endpoints.set(ifindexOf(x.hostIf), { endpointId: 3, identity: 1003, ipv4: x.ip, checkSource: true, enforceIngress: true });
    t.is((await nodeInPod(x, ask, [b.ip])).stdout.trim(), 'timeout', 'the new pod is not');
    t.is((await drops((e) => e.srcIp === x.ip && e.dstPort === 9000))[0]?.dropReason, DropReason.POLICY_DENIED);
  } finally {
    srv.kill();
    dp.ipcache.set(x.ip, X_ID);
    dp.endpoints.set(ifindexOf(x.hostIf), { endpointId: X_EP, identity: X_ID, ipv4: x.ip, ipv6: X6, checkSource: true, enforceIngress: true });
  }
});

test.serial('a UDP flood does not evict another connection’s TCP entry', async (t) => {
  const sink = await startInPod(b, [process.execPath, '-e', SCRIPTS.tcpSink, '--', '8000'], /listening/);
  try {
    // X holds a TCP connection to B; X's ingress is default-deny, so B's data reaches X only
    // while X's conntrack entry lives. In the middle X floods UDP from 2000 source ports.
    const r = await nodeInPod(x, `
      const net = require('net'), dgram = require('dgram');
      const s = net.connect({ host: process.argv[1], port: 8000 });
      let reply = '';
      s.on('data', (d) => reply += d);
      s.on('end', () => { console.log('reply ' + reply); process.exit(0); });
      s.setTimeout(5000, () => { console.log('timeout'); process.exit(0); });
      s.on('connect', async () => {
        s.write(Buffer.alloc(1000, 97));
        for (let i = 0; i < 2000; i++) {
          const u = dgram.createSocket('udp4');
          await new Promise((ok) => u.bind(0, () => u.send('x', 9999, process.argv[1], () => { u.close(); ok(); })));
        }
        s.end(Buffer.alloc(1000, 97));
      });`, [b.ip]);
    t.is(r.stdout.trim(), 'reply 2000', 'the TCP connection survived the flood');
    const p = dp.conntrack.pressure();
    // 2000 flows into 512 slots: the LRU evicted (it frees in per-CPU batches, so it never shows full).
    t.true(p.any.entries >= p.any.max / 2 && p.any.entries < 2000, `the non-TCP map overflowed (${p.any.entries}/${p.any.max})`);
  } finally {
    sink.kill();
  }
});

test.serial('an interface not yet ready passes nothing, then works once ready', async (t) => {
  dp.events.read();
  dp.endpoints.set(ifindexOf(x.hostIf), { endpointId: X_EP, identity: X_ID, ipv4: x.ip, checkSource: true, notReady: true });
  t.is((await nodeInPod(x, SCRIPTS.tcpSend, [b.ip, '8000', '10', '1000'])).stdout.trim(), 'timeout');
  t.true((await drops((e) => e.dropReason === DropReason.DROP_EP_NOT_READY)).length > 0);
  dp.endpoints.set(ifindexOf(x.hostIf), { endpointId: X_EP, identity: X_ID, ipv4: x.ip, ipv6: X6, checkSource: true, enforceIngress: true });
  const sink = await startInPod(b, [process.execPath, '-e', SCRIPTS.tcpSink, '--', '8000'], /listening/);
  try {
    t.is((await nodeInPod(x, SCRIPTS.tcpSend, [b.ip, '8000', '10', '3000'])).stdout.trim(), 'sent 10');
  } finally {
    sink.kill();
  }
});
