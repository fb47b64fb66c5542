// Pinned maps whose definition changed between datapath builds (an agent upgrade): the new
// agent must neither crash-loop on them nor lose what they hold. The pinned map's kernel
// definition (type, key and value size) is its layout version: when it differs from the
// object's, the old map is unpinned but kept open, the new one is created and pinned, and
// the old entries are replayed into it where a translation is known. Programs still
// attached keep using the old maps (and enforcing) until the agent re-attaches the new ones.
import path from 'node:path';
import { existsSync } from 'node:fs';
import { BpfMap, MapType, mapInfo, type MapInfo } from './bpf-map.ts';
import { unlinkIfExists } from './bpffs.ts';
import { loadLibbpf, loadLibc } from './libbpf.ts';
import { STRUCTS } from './layout.ts';

/** An old pinned map set aside for replay. */
export interface PendingMigration {
  name: string;
  old: BpfMap;
}

/** What a migration did, for the agent's log and status. */
export interface MigrationReport {
  map: string;
  from: string;
  to: string;
  replayed: number;
  dropped: number;
}

/** Maps of earlier builds that were renamed or split, by their old pin name. */
const RETIRED = ['netobs_ct'] as const;

const describe = (i: Pick<MapInfo, 'type' | 'keySize' | 'valueSize'>) => `${i.type} ${i.keySize}/${i.valueSize}`;

/**
 * Before load: for a map about to reuse its pin, checks the pinned definition against the
 * object's. Same: returns the pinned max_entries to keep. Different: unpins the old map,
 * keeps it open for replay and returns it (the new map is created with the old size).
 */
export function checkPinned(objMap: bigint, name: string, pinPath: string): { maxEntries: number; pending?: PendingMigration } | undefined {
  if (!existsSync(pinPath)) return undefined;
  const lib = loadLibbpf();
  const fd = lib.objGet(pinPath);
  if (fd < 0) return undefined;
  const info = mapInfo(fd);
  const want = { type: MapType[lib.mapType(objMap)] ?? String(lib.mapType(objMap)), keySize: lib.mapKeySize(objMap), valueSize: lib.mapValueSize(objMap) };
  if (info.type === want.type && info.keySize === want.keySize && info.valueSize === want.valueSize) {
    loadLibc().close(fd);
    return { maxEntries: info.maxEntries };
  }
  unlinkIfExists(pinPath);
  return { maxEntries: info.maxEntries, pending: { name, old: new BpfMap(fd, name) } };
}

/** Before load: pins of maps this build no longer has, set aside for replay. */
export function retiredPins(root: string): PendingMigration[] {
  const out: PendingMigration[] = [];
  for (const name of RETIRED) {
    const p = path.join(root, name);
    if (!existsSync(p)) continue;
    const fd = loadLibbpf().objGet(p);
    unlinkIfExists(p);
    if (fd >= 0) out.push({ name, old: new BpfMap(fd, name) });
  }
  return out;
}

/** The new maps replay goes into, by name. */
export type MapsByName = (name: string) => BpfMap;

/**
 * After load: replays each old map into its successor and closes it. Known translations:
 * a value grown at its end (fields appended, e.g. endpoint_info's policy_rev) is copied
 * and zero-filled; the 40-byte conntrack key of the single netobs_ct map gains the
 * endpoint that owns the entry (found by the pod address on the entry's side) and goes
 * to netobs_ct_tcp or netobs_ct_any by protocol. Anything else is dropped and reported
 * (the agent rewrites endpoint, policy and ipcache maps in full at start anyway).
 */
export function replay(pending: PendingMigration[], maps: MapsByName): MigrationReport[] {
  const reports: MigrationReport[] = [];
  for (const { name, old } of pending) {
    let replayed = 0;
    let dropped = 0;
    let to = name;
    try {
      if (name === 'netobs_ct' || ((name === 'netobs_ct_tcp' || name === 'netobs_ct_any') && old.info.keySize === 40)) {
        to = 'netobs_ct_tcp, netobs_ct_any';
        const owners = endpointOwners(maps('netobs_endpoint'));
        for (const [k, v] of old.entries()) {
          const nk = translateCtKey(k, owners);
          if (!nk || v.length !== STRUCTS.ct_entry.size) {
            dropped++;
            continue;
          }
          const nv = v.slice();
          // The first packet's policy port was not kept: for TCP/UDP/SCTP it is the key's dport.
          const dv = new DataView(nv.buffer);
          const proto = k[36]!;
          const dport = new DataView(k.buffer, k.byteOffset).getUint16(34, true);
          dv.setUint16(STRUCTS.ct_entry.fields.policy_port[0], proto === 1 ? 8 : proto === 58 ? 128 : dport, true);
          dv.setUint32(STRUCTS.ct_entry.fields.policy_rev[0], 0, true);
          maps(proto === 6 ? 'netobs_ct_tcp' : 'netobs_ct_any').update(nk, nv);
          replayed++;
        }
      } else {
        const next = maps(name);
        for (const [k, v] of old.entries()) {
          if (k.length === next.info.keySize && v.length <= next.valueBufSize && !next.perCpu && !old.perCpu) {
            const nv = new Uint8Array(next.info.valueSize);
            nv.set(v.subarray(0, Math.min(v.length, nv.length)));
            next.update(k, nv);
            replayed++;
          } else dropped++;
        }
      }
    } finally {
      reports.push({ map: name, from: describe(old.info), to, replayed, dropped });
      old.close();
    }
  }
  return reports;
}

/** Endpoint id by pod address (16-byte hex, IPv4 v4-mapped), from the endpoint map. */
function endpointOwners(endpoints: BpfMap): Map<string, number> {
  const L = STRUCTS.endpoint_info.fields;
  const out = new Map<string, number>();
  for (const [, v] of endpoints.entries()) {
    const view = new DataView(v.buffer, v.byteOffset, v.byteLength);
    const id = view.getUint32(L.endpoint_id[0], true);
    const v4 = v.subarray(L.ipv4[0], L.ipv4[0] + 4);
    const v6 = v.subarray(L.ipv6[0], L.ipv6[0] + 16);
    if (v4.some((x) => x)) out.set(`00000000000000000000ffff${Buffer.from(v4).toString('hex')}`, id);
    if (v6.some((x) => x)) out.set(Buffer.from(v6).toString('hex'), id);
  }
  return out;
}

/** Old key {saddr, daddr, sport, dport, proto, direction, pad} + the owning endpoint: the
 * pod is the source of a connection that started leaving it (egress), else the destination. */
function translateCtKey(k: Uint8Array, owners: Map<string, number>): Uint8Array | undefined {
  if (k.length !== 40) return undefined;
  const dir = k[37]!;
  const pod = dir === 2 ? k.subarray(0, 16) : k.subarray(16, 32);
  const ep = owners.get(Buffer.from(pod).toString('hex'));
  if (ep === undefined) return undefined;
  const nk = new Uint8Array(STRUCTS.ct_key.size);
  nk.set(k);
  new DataView(nk.buffer).setUint32(STRUCTS.ct_key.fields.endpoint_id[0], ep, true);
  return nk;
}
