// 120k random and mutated packets through BPF_PROG_TEST_RUN, each verdict and drop reason
// checked against the TypeScript reference model (support/model.ts). Seeded, so a
// failure replays; the first mismatches are printed with their bytes.
import test from 'ava';
import { EndpointFlags, parseCidr, parseIp } from '../../bpf/loader/index.ts';
import { DatapathModel, type ModelPolicyEntry } from './support/model.ts';
import { ETH_ARP, ETH_IP, ETH_IPV6, arp, eth, icmp, ipv4, ipv6, sctp, tcp, udp, type Ipv6Ext } from './support/packets.ts';
import { LO, openTestDatapath, run } from './support/fixture.ts';
import { prng } from '../../lib/prng.ts';

const PACKETS = 120_000;
const SEED = Number(process.env.NETOBS_FUZZ_SEED ?? 20261122);


const V4 = ['10.0.0.1', '10.0.0.2', '10.1.0.5', '192.168.1.1'];
// Forged sources (another pod's address), IPv4-mapped addresses standing for the IPv4
// pods, and the link-local / multicast addresses ND and MLD use.
const V6 = ['fd00::1', 'fd00::2', 'fd00:1::5', '2001:db8::9', '::ffff:10.0.0.2', '::ffff:10.0.0.1', 'fe80::1', 'ff02::1:ff00:1', 'ff02::16', '::'];
const PORTS = [53, 80, 443, 1000, 40000, 8];
const IDENTITIES = [0, 2, 1000, 2000, 3000];

class Gen {
  constructor(private readonly r: () => number) {}
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.r() * xs.length)]!;
  }
  chance(p: number): boolean {
    return this.r() < p;
  }
  int(n: number): number {
    return Math.floor(this.r() * n);
  }

  l4(family: 4 | 6, proto: number, depth = 0): Uint8Array {
    const sport = this.pick(PORTS);
    const dport = this.pick(PORTS);
    switch (proto) {
      case 6:
        return tcp({ sport, dport, flags: this.chance(0.2) ? this.int(256) : this.pick([0x02, 0x12, 0x10, 0x18, 0x11, 0x04, 0x14]), ...(this.chance(0.2) ? { options: new Uint8Array(4 * this.int(11)) } : {}), payload: new Uint8Array(this.int(40)) });
      case 17:
        return udp({ sport, dport, payload: new Uint8Array(this.int(40)) });
      case 132:
        return sctp({ sport, dport });
      case 1:
      case 58: {
        const type = this.pick(family === 4 ? [0, 3, 8, 11, 12, 13, 42, 5] : [1, 2, 3, 128, 129, 133, 135, 136, 143, 200]);
        const err = family === 4 ? [3, 11, 12, 5].includes(type) : type >= 1 && type <= 4;
        const data = err && depth === 0 ? this.ip(family, this.pick([6, 17, proto]), depth + 1) : new Uint8Array(this.int(16));
        return icmp({ type, code: this.int(4), id: this.pick([1, 2, 3]), data });
      }
      default:
        return new Uint8Array(this.int(20));
    }
  }

  ip(family: 4 | 6, proto: number, depth = 0): Uint8Array {
    if (family === 4) {
      const src = this.pick(V4);
      const dst = this.pick(V4);
      const frag = depth === 0 && this.chance(0.15) ? this.pick(['first', 'later'] as const) : undefined;
      return ipv4(
        {
          src,
          dst,
          proto,
          id: this.pick([7, 8]),
          ...(this.chance(0.2) ? { options: new Uint8Array(4 * this.int(11)).fill(1) } : {}),
          ...(frag === 'first' ? { moreFragments: true } : {}),
          ...(frag === 'later' ? { fragOffset: 1 + this.int(100) } : {}),
        },
        frag === 'later' ? new Uint8Array(16) : this.l4(4, proto, depth),
      );
    }
    const ext: Ipv6Ext[] = [];
    if (depth === 0 && this.chance(0.3)) {
      const n = this.int(10);
      for (let i = 0; i < n; i++) {
        const type = this.pick([0, 43, 60, 51, 44]);
        ext.push(type === 44 ? { type, id: this.pick([5, 6]), ...(this.chance(0.5) ? { fragOffset: 1 + this.int(50) } : { moreFragments: true }) } : { type, extraUnits: this.int(3) });
      }
    }
    return ipv6({ src: this.pick(V6), dst: this.pick(V6), proto, ext, hopLimit: this.pick([255, 255, 1, 64]) }, this.l4(6, proto, depth));
  }

  packet(): Uint8Array {
    const roll = this.r();
    let p: Uint8Array;
    if (roll < 0.01) p = eth(ETH_ARP, new Uint8Array(28));
    else if (roll < 0.02) p = arp(this.pick([...V4, '0.0.0.0']), this.pick(V4), 1 + this.int(2));
    else if (roll < 0.04) p = eth(this.int(0x10000), new Uint8Array(this.int(64)));
    else {
      const family = this.chance(0.6) ? 4 : 6;
      const proto = this.pick([6, 6, 17, 17, family === 4 ? 1 : 58, 132, 47, family === 4 ? 58 : 1]);
      p = eth(family === 4 ? ETH_IP : ETH_IPV6, this.ip(family, proto));
    }
    if (this.chance(0.3)) {
      p = p.slice();
      const ops = 1 + this.int(3);
      for (let i = 0; i < ops; i++) {
        const what = this.r();
        // Cut no shorter than an IPv4 header: the kernel refuses shorter frames for test runs.
        if (what < 0.35 && p.length > 35) p = p.subarray(0, 34 + this.int(p.length - 34));
        else if (what < 0.8) p[14 + this.int(Math.max(1, Math.min(p.length - 14, 100)))] = this.int(256);
        else p[14 + this.int(Math.max(1, Math.min(p.length - 14, 100)))] = this.pick([0, 0xff, 0x45, 0x60, 6, 17, 44]);
      }
    }
    return p;
  }
}

test(`fuzz: ${PACKETS} packets agree with the reference model (seed ${SEED})`, (t) => {
  const r = prng(SEED);
  const g = new Gen(r);
  const dp = openTestDatapath(t);
  const model = new DatapathModel();

  for (const [cidr, identity] of [
    ['10.1.0.0/16', 2000],
    ['10.0.0.2', 3000],
    ['fd00:1::/32', 2000],
    ['fd00::2', 1000],
  ] as const) {
    dp.ipcache.set(cidr, identity);
    const c = parseCidr(cidr);
    model.ipcache.push({ addr: c.addr, prefixlen: c.prefixlen, identity });
  }
  for (let i = 0; i < 40; i++) {
    const protocol = g.pick([0, 6, 17, 1, 58, 132]);
    // Exact ports (ICMP type 0 included), every port, and blocks around the generator's ports.
    const [port, portBits] = protocol === 0 ? [0, 0] : g.pick<[number, number]>([[0, 0], [53, 16], [80, 16], [443, 16], [8, 16], [128, 16], [3, 16], [0, 16], [0, 12], [64, 10], [0, 9], [1024, 6], [32768, 1]]);
    const e: ModelPolicyEntry = {
      endpointId: 10,
      remoteIdentity: g.pick(IDENTITIES),
      port,
      portBits,
      protocol,
      direction: g.pick([1, 2] as const),
      deny: g.chance(0.15),
    };
    dp.policy.set(e, { action: e.deny ? 'deny' : 'allow' });
    model.setPolicy(e);
  }
  // Services on addresses and ports the generator uses: packets to them are judged (and
  // tracked) as the backend's; one Service has no backends.
  for (const svc of [
    { addr: '10.1.0.5', port: 80, protocol: 6, backends: [{ addr: '10.0.0.2', port: 443 }, { addr: '192.168.1.1', port: 80 }] },
    { addr: '10.0.0.2', port: 53, protocol: 17, backends: [{ addr: '10.1.0.5', port: 1000 }] },
    { addr: 'fd00:1::5', port: 80, protocol: 6, backends: [{ addr: 'fd00::2', port: 8 }, { addr: '2001:db8::9', port: 53 }] },
    { addr: '192.168.1.1', port: 443, protocol: 6, backends: [] },
  ]) {
    dp.services.sync([...dp.services.frontends(), { ...svc, svcId: 1 }]);
    model.setService({ ...svc, addr: parseIp(svc.addr).addr, backends: svc.backends.map((b) => ({ addr: parseIp(b.addr).addr, port: b.port })) });
  }
  const phases = [
    EndpointFlags.ENFORCE_INGRESS | EndpointFlags.ENFORCE_EGRESS,
    EndpointFlags.ENFORCE_INGRESS | EndpointFlags.CHECK_SOURCE,
    0,
    EndpointFlags.ENFORCE_EGRESS,
    EndpointFlags.NOT_READY,
    EndpointFlags.ENFORCE_INGRESS | EndpointFlags.ENFORCE_EGRESS,
    EndpointFlags.ENFORCE_EGRESS | EndpointFlags.CHECK_SOURCE,
    // IPv4 only with the source check: every IPv6 packet out is a forgery (fail closed).
    EndpointFlags.CHECK_SOURCE | EndpointFlags.ENFORCE_INGRESS,
  ];
  const v4Only = phases.length - 1;

  const mismatches: string[] = [];
  let refused = 0;
  const tally = new Map<string, number>();
  for (let i = 0; i < PACKETS; i++) {
    if (i % Math.ceil(PACKETS / phases.length) === 0) {
      const flags = phases[Math.floor(i / Math.ceil(PACKETS / phases.length))]!;
      const phase = Math.floor(i / Math.ceil(PACKETS / phases.length));
      const ep = { endpointId: 10, identity: 1000, flags, ipv4: '10.0.0.1', ...(phase === v4Only ? {} : { ipv6: 'fd00::1' }) };
      dp.endpoints.set(LO, ep);
      model.endpoints.set(LO, {
        endpointId: ep.endpointId, identity: ep.identity, flags, ipv4: parseIp(ep.ipv4).addr.subarray(12),
        ...(ep.ipv6 ? { ipv6: parseIp(ep.ipv6).addr } : {}),
      });
    }
    // The model has no clock: both forget their connections every 5000 packets (about a
    // second), long before the shortest conntrack lifetime (10 s, closing TCP) could differ.
    if (i % 5000 === 0) {
      dp.conntrack.flush();
      model.flushConntrack();
    }
    const packet = g.packet();
    const dir = g.pick([1, 2] as const);
    let got;
    try {
      got = run(dp, dir === 1 ? 'to-endpoint' : 'from-endpoint', packet);
    } catch {
      // The kernel refuses some frames before the program sees them (shorter than their
      // L3 header): nothing to compare.
      refused++;
      continue;
    }
    const want = model.decide(packet, dir, LO);
    const k = `${want.verdict}:${want.reason}`;
    tally.set(k, (tally.get(k) ?? 0) + 1);
    if (got.verdict !== want.verdict || got.reason !== want.reason) {
      if (mismatches.length < 5) {
        mismatches.push(`#${i} dir ${dir}: datapath ${got.verdict}/${got.reason}, model ${want.verdict}/${want.reason}\n  ${Buffer.from(packet).toString('hex')}`);
      } else mismatches.push('');
    }
  }
  t.log(`outcomes: ${[...tally].sort().map(([k, n]) => `${k}=${n}`).join(' ')}; refused by the kernel: ${refused}`);
  t.is(mismatches.length, 0, mismatches.filter(Boolean).join('\n'));
  t.true(refused < PACKETS * 0.05, 'most packets reach the program');
  // The fuzz must actually reach the interesting outcomes.
  for (const k of ['forwarded:0', 'dropped:133', 'dropped:181', 'dropped:134', 'dropped:135', 'dropped:139', 'dropped:144', 'dropped:156', 'dropped:157', 'dropped:132', 'dropped:203', 'dropped:151', 'dropped:176', 'dropped:158']) {
    t.true((tally.get(k) ?? 0) > 0, `outcome ${k} was exercised`);
  }
});
