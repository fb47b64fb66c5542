// One BPF map by fd: raw update/lookup/delete/iterate with byte keys and values, and
// per-CPU values split by CPU. Typed maps (datapath-maps.ts) sit on top.
import { lastErrno, loadLibbpf, loadLibc } from './libbpf.ts';
import { errnoName } from './errors.ts';

export const MapType: Record<number, string> = {
  1: 'hash',
  2: 'array',
  5: 'percpu_hash',
  6: 'percpu_array',
  9: 'lru_hash',
  10: 'lru_percpu_hash',
  11: 'lpm_trie',
  27: 'ringbuf',
};
const PERCPU = new Set([5, 6, 10]);

export const UpdateFlags = { ANY: 0n, NOEXIST: 1n, EXIST: 2n } as const;

export interface MapInfo {
  name: string;
  type: string;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  id: number;
}

/** Reads a map's kernel info (struct bpf_map_info) by fd. */
export function mapInfo(fd: number): MapInfo {
  const info = new Uint8Array(88);
  const len = new Uint32Array([info.length]);
  const rc = loadLibbpf().objGetInfoByFd(fd, info, len);
  if (rc < 0) throw new Error(`bpf map info: ${errnoName(-rc)}`);
  const v = new DataView(info.buffer);
  const nameBytes = info.subarray(24, 40);
  const end = nameBytes.indexOf(0);
  const type = v.getUint32(0, true);
  return {
    type: MapType[type] ?? String(type),
    id: v.getUint32(4, true),
    keySize: v.getUint32(8, true),
    valueSize: v.getUint32(12, true),
    maxEntries: v.getUint32(16, true),
    flags: v.getUint32(20, true),
    name: Buffer.from(nameBytes.subarray(0, end < 0 ? 16 : end)).toString(),
  };
}

/** One page of a map in key order, and the cursor to continue after it. */
export interface RawPage {
  entries: [Uint8Array, Uint8Array][];
  /** Hex of the last key of this page, when the map may hold more after it. */
  next?: string;
}

export class BpfMap {
  readonly info: MapInfo;
  /** bpf() calls made to read this map (get_next_key and lookup): what a page costs. */
  readonly reads = { nextKey: 0, lookup: 0 };
  readonly perCpu: boolean;
  readonly cpus: number;
  /** Bytes of one lookup/update buffer (per-CPU values: 8-aligned slot per possible CPU). */
  readonly valueBufSize: number;

  constructor(
    readonly fd: number,
    readonly name: string,
    private readonly ownsFd = false,
  ) {
    this.info = mapInfo(fd);
    const rawType = Number(Object.entries(MapType).find(([, n]) => n === this.info.type)?.[0] ?? -1);
    this.perCpu = PERCPU.has(rawType);
    this.cpus = this.perCpu ? loadLibbpf().numPossibleCpus() : 1;
    this.valueBufSize = this.perCpu ? ((this.info.valueSize + 7) & ~7) * this.cpus : this.info.valueSize;
  }

  private check(rc: number, op: string): void {
    if (rc < 0) throw new Error(`bpf map ${this.name} ${op}: ${errnoName(-rc)}`);
  }

  update(key: Uint8Array, value: Uint8Array, flags: bigint = UpdateFlags.ANY): void {
    this.check(loadLibbpf().mapUpdate(this.fd, key, value, flags), 'update');
  }

  /** The value, or undefined when the key is absent. */
  lookup(key: Uint8Array): Uint8Array | undefined {
    const out = new Uint8Array(this.valueBufSize);
    this.reads.lookup++;
    const rc = loadLibbpf().mapLookup(this.fd, key, out);
    if (rc === -2) return undefined; // ENOENT
    this.check(rc, 'lookup');
    return out;
  }

  /** Per-CPU maps: one value per possible CPU. */
  lookupPerCpu(key: Uint8Array): Uint8Array[] | undefined {
    const all = this.lookup(key);
    if (!all) return undefined;
    const slot = (this.info.valueSize + 7) & ~7;
    return Array.from({ length: this.cpus }, (_, i) => all.subarray(i * slot, i * slot + this.info.valueSize));
  }

  /** true if the key existed. */
  delete(key: Uint8Array): boolean {
    const rc = loadLibbpf().mapDelete(this.fd, key);
    if (rc === -2) return false;
    this.check(rc, 'delete');
    return true;
  }

  /** The key after `key` (the first key without one); undefined at the end. */
  nextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    const next = new Uint8Array(this.info.keySize);
    this.reads.nextKey++;
    const rc = loadLibbpf().mapNextKey(this.fd, key ?? null, next);
    if (rc === -2) return undefined;
    this.check(rc, 'iterate');
    return next;
  }

  /** Every key (a snapshot; entries changing meanwhile may be skipped or repeated). */
  *keys(): Generator<Uint8Array> {
    const lib = loadLibbpf();
    let prev: Uint8Array | null = null;
    for (;;) {
      const next = new Uint8Array(this.info.keySize);
      this.reads.nextKey++;
      const rc = lib.mapNextKey(this.fd, prev, next);
      if (rc === -2) return;
      this.check(rc, 'iterate');
      yield next;
      prev = next;
    }
  }

  *entries(): Generator<[Uint8Array, Uint8Array]> {
    for (const k of this.keys()) {
      const v = this.lookup(k);
      if (v) yield [k, v];
    }
  }

  /**
   * Up to `limit` entries after the key whose hex is `after` (from the start without one),
   * first stepping over `skip` keys: get_next_key walks from the cursor, so a page costs
   * O(skip + limit) bpf() calls whatever the map holds. A cursor key deleted since the last
   * page would make the kernel restart from the first key (silently repeating entries), so
   * that is refused with PageCursorGone instead.
   */
  page(after: string | undefined, limit: number, skip = 0): RawPage {
    let key: Uint8Array | undefined;
    if (after !== undefined) {
      if (!/^[0-9a-f]*$/.test(after) || after.length !== this.info.keySize * 2) {
        throw new PageCursorError(`bpf map ${this.name}: continue token "${after.slice(0, 40)}" is not a key of this map (${this.info.keySize} bytes as hex); start again without it`);
      }
      key = Uint8Array.from(Buffer.from(after, 'hex'));
      if (!this.info.type.endsWith('array') && this.lookup(key) === undefined) {
        throw new PageCursorError(`bpf map ${this.name}: the entry the continue token points at was deleted; start again without it`, 410);
      }
    }
    for (let i = 0; i < skip; i++) {
      key = this.nextKey(key);
      if (!key) return { entries: [] };
    }
    const entries: [Uint8Array, Uint8Array][] = [];
    while (entries.length < limit) {
      const next = this.nextKey(key);
      if (!next) return { entries };
      key = next;
      const v = this.lookup(next);
      if (v) entries.push([next, v]);
    }
    return { entries, ...(key ? { next: Buffer.from(key).toString('hex') } : {}) };
  }

  count(): number {
    if (this.info.type === 'ringbuf') return 0;
    if (this.info.type.endsWith('array')) return this.info.maxEntries;
    let n = 0;
    for (const _ of this.keys()) n++;
    return n;
  }

  clear(): number {
    let n = 0;
    for (const k of [...this.keys()]) if (this.delete(k)) n++;
    return n;
  }

  close(): void {
    if (this.ownsFd) loadLibc().close(this.fd);
  }
}

/** A continue token that names no key, or a key deleted since: `status` is the HTTP answer. */
export class PageCursorError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** Opens a pinned map; the returned map owns (closes) its fd. */
export function openPinnedMap(path: string, name: string): BpfMap {
  const fd = loadLibbpf().objGet(path);
  if (fd < 0) throw new Error(`open pinned map ${path}: ${errnoName(fd < -1 ? -fd : lastErrno())}`);
  return new BpfMap(fd, name, true);
}
