// The datapath a running (or stopped) agent left pinned, opened without loading anything: what
// the CNI plugin uses at ADD and DEL, so a pod is put behind netobs's programs even while the
// agent is down. Opens only the pins it needs; close() releases them.
import path from 'node:path';
import { existsSync } from 'node:fs';
import { openPinnedMap, type BpfMap } from './bpf-map.ts';
import { ConntrackMap, EndpointMap } from './datapath-maps.ts';
import { errnoName } from './errors.ts';
import { lastErrno, loadLibbpf, loadLibc } from './libbpf.ts';
import { TC_EGRESS, TC_INGRESS, tcAttach, tcQuery } from './tc.ts';

/** Pin names of the programs, as Datapath.open() writes them. */
export const PROGRAM_PINS = { fromEndpoint: 'prog_from_endpoint', toEndpoint: 'prog_to_endpoint' } as const;

export class PinnedDatapath {
  readonly endpoints: EndpointMap;
  readonly conntrack: ConntrackMap;
  readonly #maps: BpfMap[];
  readonly #progs: { fromEndpoint: number; toEndpoint: number };

  private constructor(readonly root: string, maps: { endpoint: BpfMap; ctTcp: BpfMap; ctAny: BpfMap }, progs: { fromEndpoint: number; toEndpoint: number }) {
    this.#maps = [maps.endpoint, maps.ctTcp, maps.ctAny];
    this.endpoints = new EndpointMap(maps.endpoint);
    this.conntrack = new ConntrackMap(maps.ctTcp, maps.ctAny);
    this.#progs = progs;
  }

  /** Whether the agent has pinned a datapath under root (it has started on this node at least once). */
  static present(root: string): boolean {
    return existsSync(path.join(root, PROGRAM_PINS.fromEndpoint)) && existsSync(path.join(root, 'netobs_endpoint'));
  }

  static open(root: string): PinnedDatapath {
    const opened: BpfMap[] = [];
    const fds: number[] = [];
    try {
      const map = (name: string) => {
        const m = openPinnedMap(path.join(root, name), name);
        opened.push(m);
        return m;
      };
      const prog = (pin: string) => {
        const p = path.join(root, pin);
        const fd = loadLibbpf().objGet(p);
        if (fd < 0) throw new Error(`open pinned program ${p}: ${errnoName(fd < -1 ? -fd : lastErrno())}`);
        fds.push(fd);
        return fd;
      };
      const maps = { endpoint: map('netobs_endpoint'), ctTcp: map('netobs_ct_tcp'), ctAny: map('netobs_ct_any') };
      return new PinnedDatapath(root, maps, { fromEndpoint: prog(PROGRAM_PINS.fromEndpoint), toEndpoint: prog(PROGRAM_PINS.toEndpoint) });
    } catch (e) {
      for (const m of opened) m.close();
      for (const fd of fds) loadLibc().close(fd);
      throw e;
    }
  }

  /** Puts both programs on a pod's host-side interface (replacing ours if present). */
  attach(ifindex: number, label: string): void {
    tcAttach(ifindex, TC_INGRESS, this.#progs.fromEndpoint, label);
    tcAttach(ifindex, TC_EGRESS, this.#progs.toEndpoint, label);
  }

  /** Whether both hooks of the interface carry a netobs filter. */
  static attached(ifindex: number): boolean {
    return tcQuery(ifindex, TC_INGRESS) !== undefined && tcQuery(ifindex, TC_EGRESS) !== undefined;
  }

  close(): void {
    for (const m of this.#maps) m.close();
    loadLibc().close(this.#progs.fromEndpoint);
    loadLibc().close(this.#progs.toEndpoint);
  }
}
