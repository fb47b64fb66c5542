// Frames too short for BPF_PROG_TEST_RUN (the kernel refuses test packets shorter than
// their L3 header) but not for a pod: sent from inside a pod through an AF_PACKET
// socket, they reach the host-side hook and must be dropped with the right reason.
import test from 'ava';
import { Datapath, DropReason, EventType } from '../../bpf/loader/index.ts';
import { ifindexOf } from '../../bpf/loader/tc.ts';
import { repoRoot } from '../../lib/assets.ts';
import { datapathObject } from './support/fixture.ts';
import { finish, makeTopology } from './support/netns.ts';
import { ETH_IP, ETH_IPV6, eth, ipv4, ipv6, tcp } from './support/packets.ts';
import { spawn } from 'node:child_process';

// Sends each hex frame given as an argument out of eth0, unvalidated.
const SEND_RAW = `
  const koffi = require('koffi');
  const libc = koffi.load('libc.so.6');
  const socket = libc.func('int socket(int, int, int)');
  const sendto = libc.func('long sendto(int, const void *, size_t, int, const void *, uint32_t)');
  const ifindex = libc.func('unsigned int if_nametoindex(const char *)')('eth0');
  const fd = socket(17, 3, 0); // AF_PACKET, SOCK_RAW
  if (fd < 0) { console.log('socket failed'); process.exit(1); }
  let sent = 0;
  for (const hex of process.argv.slice(1)) {
    const frame = Buffer.from(hex, 'hex');
    const sll = Buffer.alloc(20);
    sll.writeUInt16LE(17, 0);
    sll.writeUInt16BE(frame.readUInt16BE(12), 2);
    sll.writeInt32LE(ifindex, 4);
    sll[11] = 6;
    frame.copy(sll, 12, 0, 6);
    if (sendto(fd, frame, frame.length, 0, sll, 20) === frame.length) sent++;
  }
  console.log('sent ' + sent);`;

test('truncated Ethernet, IPv4 and IPv6 headers from a pod are dropped as invalid', async (t) => {
  const topo = makeTopology('raw', 235, 1);
  const dp = Datapath.open({ pin: false, object: datapathObject() });
  try {
    const pod = topo.pods[0]!;
    const ifindex = ifindexOf(pod.hostIf);
    dp.endpoints.set(ifindex, { endpointId: 1, identity: 1001 });
    dp.attach(pod.hostIf);
    const v4 = eth(ETH_IP, ipv4({ src: pod.ip, dst: '10.235.0.9', proto: 6 }, tcp({ sport: 1, dport: 2, flags: 2 })));
    const v6 = eth(ETH_IPV6, ipv6({ src: 'fd00::1', dst: 'fd00::2', proto: 6 }, tcp({ sport: 1, dport: 2, flags: 2 })));
    const frames = [eth(ETH_IP, new Uint8Array(0)), v4.subarray(0, 14 + 19), v6.subarray(0, 14 + 30)];
    const child = spawn('ip', ['netns', 'exec', pod.netns, process.execPath, '-e', SEND_RAW, '--', ...frames.map((f) => Buffer.from(f).toString('hex'))], { cwd: repoRoot() });
    const r = await finish(child);
    t.is(r.stdout.trim(), `sent ${frames.length}`, r.stderr);
    await new Promise((res) => setTimeout(res, 100));
    const drops = dp.events.read().filter((e) => e.type === EventType.DROP && e.ifindex === ifindex);
    t.deepEqual(
      drops.map((e) => [e.dropReason, e.length]),
      frames.map((f) => [DropReason.INVALID_PACKET_DROPPED, f.length]),
    );
    const m = dp.metrics().find((x) => x.reason === DropReason.INVALID_PACKET_DROPPED);
    t.is(m?.direction, 'egress');
    t.is(m?.packets, BigInt(frames.length));
  } finally {
    dp.detach(topo.pods[0]!.hostIf);
    dp.close();
    topo.close();
  }
});
