// The datapath as the agent sees it: open (load, or reuse what is pinned), attach to pod
// interfaces, fill the maps, read events and metrics, close. Order as libbpf-bootstrap:
// open, load, attach, poll, clean up; close releases only what this process holds, and
// the programs keep running on their interfaces with the pinned maps.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { readAsset } from '../../lib/assets.ts';
import { BpfMap, mapInfo, type MapInfo } from './bpf-map.ts';
import { DEFAULT_BPFFS_ROOT, ensureBpffsMount, removePins, unlinkIfExists } from './bpffs.ts';
import { ConntrackMap, EndpointMap, IpcacheMap, L7OrigMap, PolicyMap, ServiceMap } from './datapath-maps.ts';
import { LoadError, errnoName } from './errors.ts';
import { EventReader } from './event-reader.ts';
import { DEFAULT_CONFIG, DROP_REASON_NAMES, METRICS_ENTRIES, STRUCTS, decodeConfig, encodeConfig, type DatapathConfig } from './layout.ts';
import { lastErrno, loadLibbpf, loadLibc, nativeAlloc } from './libbpf.ts';
import { TC_EGRESS, TC_INGRESS, ifindexOf, ifnameOf, tcAttach, tcDetach, tcQuery } from './tc.ts';
import { checkPinned, replay, retiredPins, type MigrationReport, type PendingMigration } from './pin-migration.ts';
import { PROGRAM_PINS } from './pinned.ts';
import { testRun, type TestRunOptions, type TestRunResult } from './test-run.ts';

export const MAP_NAMES = [
  'netobs_config',
  'netobs_metrics',
  'netobs_lost',
  'netobs_events',
  'netobs_frag',
  'netobs_ipcache',
  'netobs_endpoint',
  'netobs_policy',
  'netobs_ct_tcp',
  'netobs_ct_any',
  'netobs_lb_svc',
  'netobs_lb_backend',
  'netobs_lb_conn',
  'netobs_l7_orig',
] as const;
export type MapName = (typeof MAP_NAMES)[number];

export const PROGRAM_NAMES = { fromEndpoint: 'netobs_from_ep', toEndpoint: 'netobs_to_ep' } as const;

export interface DatapathOptions {
  /** Where maps and programs are pinned (default /sys/fs/bpf/netobs); mounted if needed. */
  bpffsRoot?: string;
  /** Pin maps and programs (default true). false: private maps, gone on close (tests). */
  pin?: boolean;
  /** The compiled object (default: the embedded netobs.bpf.o asset). */
  object?: Uint8Array;
  /** Map sizes for maps created now; pinned maps keep theirs. netobs_events is in bytes (power of 2). */
  maxEntries?: Partial<Record<MapName, number>>;
  /** Written at open; unspecified fields keep DEFAULT_CONFIG. */
  config?: Partial<DatapathConfig>;
}

export interface MapSummary extends MapInfo {
  entries: number;
  pinPath?: string;
}

export interface MetricsRow {
  direction: 'ingress' | 'egress';
  verdict: 'forwarded' | 'dropped';
  /** Drop reason number (0 for forwarded) and its Hubble name. */
  reason: number;
  reasonName: string;
  packets: bigint;
  bytes: bigint;
}

export type Hook = 'from-endpoint' | 'to-endpoint';

export class Datapath {
  readonly ipcache: IpcacheMap;
  readonly endpoints: EndpointMap;
  readonly policy: PolicyMap;
  readonly conntrack: ConntrackMap;
  /** Service translation at the pods' egress (bpf/lib/lb.h). */
  readonly services: ServiceMap;
  /** Original destinations of packets diverted to the egress L7 proxy. */
  readonly l7orig: L7OrigMap;
  readonly events: EventReader;
  /** Program fds: from-endpoint runs on the host veth's tc ingress, to-endpoint on its egress. */
  readonly programs: { fromEndpoint: number; toEndpoint: number };
  readonly bpffsRoot: string | undefined;
  /** Pinned maps of another layout found at open, and what was replayed from them. */
  migrations: MigrationReport[] = [];
  /**
   * Where open() had to mount bpffs itself because none was there: in a container that mount is
   * private to it (the pod's volume propagates host to container only), so pins do not outlive it.
   */
  bpffsMountedHere: string | undefined;
  private readonly raw: Map<MapName, BpfMap>;
  private obj: bigint | null;
  private objMem: { free(): void } | null;

  private constructor(obj: bigint, objMem: { free(): void }, root: string | undefined) {
    const lib = loadLibbpf();
    this.obj = obj;
    this.objMem = objMem;
    this.bpffsRoot = root;
    this.raw = new Map(
      MAP_NAMES.map((name) => {
        const m = lib.findMapByName(obj, name);
        if (m === null) throw new Error(`datapath object: map ${name} missing`);
        return [name, new BpfMap(lib.mapFd(m), name)];
      }),
    );
    const prog = (name: string) => {
      const p = lib.findProgramByName(obj, name);
      if (p === null) throw new Error(`datapath object: program ${name} missing`);
      return lib.programFd(p);
    };
    this.programs = { fromEndpoint: prog(PROGRAM_NAMES.fromEndpoint), toEndpoint: prog(PROGRAM_NAMES.toEndpoint) };
    this.ipcache = new IpcacheMap(this.map('netobs_ipcache'));
    this.endpoints = new EndpointMap(this.map('netobs_endpoint'));
    this.policy = new PolicyMap(this.map('netobs_policy'));
    this.conntrack = new ConntrackMap(this.map('netobs_ct_tcp'), this.map('netobs_ct_any'));
    this.services = new ServiceMap(this.map('netobs_lb_svc'), this.map('netobs_lb_backend'), this.map('netobs_lb_conn'));
    this.events = new EventReader(this.map('netobs_events'), this.map('netobs_lost'));
    this.l7orig = new L7OrigMap(this.map('netobs_l7_orig'));
  }

  /** Loads the datapath, reusing maps already pinned under the root (agent restart). */
  static open(o: DatapathOptions = {}): Datapath {
    const lib = loadLibbpf();
    const pin = o.pin ?? true;
    const fs = pin ? ensureBpffsMount(o.bpffsRoot ?? DEFAULT_BPFFS_ROOT) : undefined;
    const root = fs?.root;
    const bytes = o.object ?? readAsset('netobs.bpf.o');
    // libbpf keeps pointing into the ELF image until close: give it memory that never moves.
    const mem = nativeAlloc(bytes.length);
    mem.bytes.set(bytes);
    const obj = lib.objectOpenMem(mem.bytes, bytes.length, null);
    if (obj === null) {
      mem.free();
      throw new Error(`open datapath object: ${errnoName(lastErrno())}`);
    }
    const logs: Array<{ name: string; buf: Uint8Array }> = [];
    const pending: PendingMigration[] = [];
    try {
      for (const name of MAP_NAMES) {
        const m = lib.findMapByName(obj, name);
        if (m === null) throw new Error(`datapath object: map ${name} missing`);
        const pinPath = root ? path.join(root, name) : undefined;
        const want = o.maxEntries?.[name];
        // Reuse needs an identical definition (then: the pinned size); a changed one is
        // migrated (pin-migration.ts) instead of failing the load.
        const pinned = pinPath ? checkPinned(m, name, pinPath) : undefined;
        if (pinned) {
          lib.mapSetMaxEntries(m, pinned.maxEntries);
          if (pinned.pending) pending.push(pinned.pending);
        } else if (want !== undefined) {
          lib.mapSetMaxEntries(m, want);
        }
        if (pinPath) lib.mapSetPinPath(m, pinPath);
      }
      for (const name of Object.values(PROGRAM_NAMES)) {
        const p = lib.findProgramByName(obj, name);
        if (p === null) throw new Error(`datapath object: program ${name} missing`);
        const buf = new Uint8Array(1 << 20);
        lib.programSetLogBuf(p, buf, buf.length);
        logs.push({ name, buf });
      }
      if (root) pending.push(...retiredPins(root));
      const rc = lib.objectLoad(obj);
      if (rc < 0) {
        const log = logs
          .map(({ name, buf }) => {
            const end = buf.indexOf(0);
            const text = Buffer.from(buf.subarray(0, end < 0 ? buf.length : end)).toString();
            return text ? `--- ${name}\n${text.split('\n').slice(-40).join('\n')}` : '';
          })
          .filter(Boolean)
          .join('\n');
        const hint = root ? ` (pinned maps under ${root} may be from another datapath version: netobs uninstall, or rm -r ${root})` : '';
        throw new LoadError(`load datapath: ${errnoName(-rc)}${hint}`, log);
      }
      if (root) {
        for (const [key, name] of Object.entries(PROGRAM_NAMES)) {
          const p = lib.findProgramByName(obj, name)!;
          const pinPath = path.join(root, PROGRAM_PINS[key as keyof typeof PROGRAM_PINS]);
          unlinkIfExists(pinPath);
          const prc = lib.programPin(p, pinPath);
          if (prc < 0) throw new Error(`pin program ${name} at ${pinPath}: ${errnoName(-prc)}`);
        }
      }
      const dp = new Datapath(obj, mem, root);
      // Endpoints first: the conntrack translation finds entry owners by pod address.
      const order = (n: string) => (n === 'netobs_endpoint' ? 0 : n.startsWith('netobs_ct') ? 2 : 1);
      pending.sort((a, b) => order(a.name) - order(b.name));
      dp.migrations = replay(pending.splice(0), (n) => dp.map(n as MapName));
      dp.bpffsMountedHere = fs?.mounted;
      dp.setConfig({ ...DEFAULT_CONFIG, ...o.config });
      return dp;
    } catch (err) {
      for (const p of pending) p.old.close();
      lib.objectClose(obj);
      mem.free();
      throw err;
    }
  }

  /** Detaches from the given interfaces (default: every interface carrying our filter) and removes the pins. */
  static uninstall(o: { bpffsRoot?: string; interfaces?: string[] } = {}): string[] {
    const names = o.interfaces ?? attachedInterfaces();
    for (const n of names) {
      let idx: number;
      try {
        idx = ifindexOf(n);
      } catch {
        continue;
      }
      tcDetach(idx, TC_INGRESS, n);
      tcDetach(idx, TC_EGRESS, n);
    }
    removePins(o.bpffsRoot ?? DEFAULT_BPFFS_ROOT);
    return names;
  }

  map(name: MapName): BpfMap {
    const m = this.raw.get(name);
    if (!m) throw new Error(`datapath: no map ${name}`);
    return m;
  }

  /** Attaches both programs to a pod's host-side interface (replacing ours if present). */
  attach(iface: string | number): number {
    const ifindex = typeof iface === 'number' ? iface : ifindexOf(iface);
    const label = typeof iface === 'string' ? iface : `ifindex ${iface}`;
    tcAttach(ifindex, TC_INGRESS, this.programs.fromEndpoint, label);
    tcAttach(ifindex, TC_EGRESS, this.programs.toEndpoint, label);
    return ifindex;
  }

  /** Removes our programs from the interface; false if neither was there. */
  detach(iface: string | number): boolean {
    let ifindex: number;
    try {
      ifindex = typeof iface === 'number' ? iface : ifindexOf(iface);
    } catch {
      return false;
    }
    const label = typeof iface === 'string' ? iface : `ifindex ${iface}`;
    const a = tcDetach(ifindex, TC_INGRESS, label);
    const b = tcDetach(ifindex, TC_EGRESS, label);
    return a || b;
  }

  /** After a restart: moves every interface carrying an older instance onto these programs. */
  reattachAll(): string[] {
    const names = attachedInterfaces();
    for (const n of names) this.attach(n);
    return names;
  }

  config(): DatapathConfig {
    const v = this.map('netobs_config').lookup(new Uint8Array(4));
    return v ? decodeConfig(v.subarray(0, STRUCTS.netobs_config.size)) : { ...DEFAULT_CONFIG };
  }

  setConfig(c: Partial<DatapathConfig>): void {
    this.map('netobs_config').update(new Uint8Array(4), encodeConfig({ ...this.config(), ...c }));
  }

  /** Packet and byte counters summed over CPUs, one row per non-zero (direction, reason). */
  metrics(): MetricsRow[] {
    const m = this.map('netobs_metrics');
    const rows: MetricsRow[] = [];
    const key = new Uint32Array(1);
    const kb = new Uint8Array(key.buffer);
    for (let idx = 256; idx < METRICS_ENTRIES; idx++) {
      key[0] = idx;
      const per = m.lookupPerCpu(kb);
      if (!per) continue;
      let packets = 0n;
      let bytes = 0n;
      for (const v of per) {
        const d = new DataView(v.buffer, v.byteOffset, v.byteLength);
        packets += d.getBigUint64(0, true);
        bytes += d.getBigUint64(8, true);
      }
      if (packets === 0n) continue;
      const reason = idx & 255;
      rows.push({
        direction: idx >> 8 === 1 ? 'ingress' : 'egress',
        verdict: reason === 0 ? 'forwarded' : 'dropped',
        reason,
        reasonName: reason === 0 ? '' : (DROP_REASON_NAMES[reason] ?? `REASON_${reason}`),
        packets,
        bytes,
      });
    }
    return rows;
  }

  /** Every map: kernel info, current entries, pin path. */
  maps(): MapSummary[] {
    return MAP_NAMES.map((name) => {
      const m = this.map(name);
      return { ...m.info, name, entries: m.count(), ...(this.bpffsRoot ? { pinPath: path.join(this.bpffsRoot, name) } : {}) };
    });
  }

  /** Runs one program on a crafted packet (BPF_PROG_TEST_RUN). */
  testRun(hook: Hook, packet: Uint8Array, o: TestRunOptions = {}): TestRunResult {
    return testRun(hook === 'from-endpoint' ? this.programs.fromEndpoint : this.programs.toEndpoint, packet, o);
  }

  /** Releases this process's handles. Attached programs and pinned maps stay. */
  close(): void {
    if (this.obj === null) return;
    this.events.close();
    loadLibbpf().objectClose(this.obj);
    this.objMem?.free();
    this.obj = null;
    this.objMem = null;
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** Interfaces (in this network namespace) whose tc ingress hook carries our filter. */
export function attachedInterfaces(): string[] {
  let names: string[];
  try {
    names = readdirSync('/sys/class/net');
  } catch {
    return [];
  }
  return names.filter((n) => {
    try {
      return tcQuery(ifindexOf(n), TC_INGRESS) !== undefined;
    } catch {
      return false;
    }
  });
}

export { ifindexOf, ifnameOf };
