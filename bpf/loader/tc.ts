// tc clsact hooks through libbpf's netlink helpers (bpf_tc_*): create the clsact qdisc,
// attach a direct-action filter at a fixed handle and priority (replacing our own
// previous filter atomically, so a restart never leaves a gap), detach only ours.
import { loadLibbpf, loadLibc } from './libbpf.ts';
import { errnoName } from './errors.ts';

export const TC_INGRESS = 1;
export const TC_EGRESS = 2;
const TC_F_REPLACE = 1;

/** Our filter's handle and priority on every hook; anything else there is not ours. */
export const TC_HANDLE = 0x4e0b;
export const TC_PRIORITY = 1;

function hook(ifindex: number, point: number): Uint8Array {
  // struct bpf_tc_hook { size_t sz; int ifindex; enum attach_point; u32 parent; } = 24 bytes
  const b = new Uint8Array(24);
  const v = new DataView(b.buffer);
  v.setBigUint64(0, 24n, true);
  v.setInt32(8, ifindex, true);
  v.setUint32(12, point, true);
  return b;
}

function opts(progFd: number, flags: number): Uint8Array {
  // struct bpf_tc_opts { size_t sz; int prog_fd; u32 flags, prog_id, handle, priority; } = 32
  const b = new Uint8Array(32);
  const v = new DataView(b.buffer);
  v.setBigUint64(0, 32n, true);
  v.setInt32(8, progFd, true);
  v.setUint32(12, flags, true);
  v.setUint32(20, TC_HANDLE, true);
  v.setUint32(24, TC_PRIORITY, true);
  return b;
}

export function ifindexOf(ifname: string): number {
  const idx = loadLibc().ifNameToIndex(ifname);
  if (!idx) throw new Error(`interface ${ifname}: no such device`);
  return idx;
}

export function ifnameOf(ifindex: number): string | undefined {
  const buf = new Uint8Array(16);
  if (loadLibc().ifIndexToName(ifindex, buf) === null) return undefined;
  const end = buf.indexOf(0);
  return Buffer.from(buf.subarray(0, end < 0 ? 16 : end)).toString();
}

/** Attaches progFd at the hook, replacing our previous filter. */
export function tcAttach(ifindex: number, point: number, progFd: number, label: string): void {
  const lib = loadLibbpf();
  const h = hook(ifindex, point);
  const rc = lib.tcHookCreate(h);
  if (rc < 0 && rc !== -17 /* EEXIST: clsact already there */) {
    throw new Error(`create clsact on ${label}: ${errnoName(-rc)}`);
  }
  const arc = lib.tcAttach(h, opts(progFd, TC_F_REPLACE));
  if (arc < 0) throw new Error(`attach tc ${point === TC_INGRESS ? 'ingress' : 'egress'} on ${label}: ${errnoName(-arc)}`);
}

/** Removes our filter; false if it was not there. */
export function tcDetach(ifindex: number, point: number, label: string): boolean {
  const rc = loadLibbpf().tcDetach(hook(ifindex, point), opts(0, 0));
  if (rc === -2 || rc === -19 /* ENODEV: interface gone */ || rc === -22 /* EINVAL: no clsact */) return false;
  if (rc < 0) throw new Error(`detach tc ${point === TC_INGRESS ? 'ingress' : 'egress'} on ${label}: ${errnoName(-rc)}`);
  return true;
}

/** The id of the program in our filter slot, or undefined. */
export function tcQuery(ifindex: number, point: number): number | undefined {
  const o = opts(0, 0);
  const rc = loadLibbpf().tcQuery(hook(ifindex, point), o);
  if (rc < 0) return undefined;
  return new DataView(o.buffer).getUint32(16, true);
}
