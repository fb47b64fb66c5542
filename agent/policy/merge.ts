// Collects allow and deny contributions per map key and resolves them into entries with deny
// precedence (see the invariants in entries.ts). Contributions can be withdrawn, and entries are
// resolved per (endpoint, direction) group, so a policy change only re-resolves the groups it
// touched.
import { compareEntries, policyRefKey, prefixHolds, type PolicyEntry } from './entries.ts';
import type { Direction, PolicyRef } from './types.ts';

interface Cell {
  readonly remote: number;
  readonly protocol: number;
  readonly port: number;
  readonly portBits: number;
  readonly allow: Map<string, PolicyRef>;
  readonly deny: Map<string, PolicyRef>;
  /** Allowing policies that allow without L7 rules: with any, the cell needs no proxy. */
  readonly plain: Map<string, PolicyRef>;
  implicitAllow: boolean;
}

interface Group {
  readonly endpointId: number;
  readonly direction: Direction;
  readonly cells: Map<string, Cell>; // by `remote/protocol/port/portBits`
}

const newCell = (remote: number, protocol: number, port: number, portBits: number): Cell => ({ remote, protocol, port, portBits, allow: new Map(), deny: new Map(), plain: new Map(), implicitAllow: false });
const cellKey = (remote: number, protocol: number, port: number, portBits: number) => `${remote}/${protocol}/${port}/${portBits}`;
export const groupKey = (endpointId: number, direction: Direction) => `${endpointId}/${direction}`;

// Port prefixes nest or are disjoint: two overlap when the shorter holds the longer's first port.
function overlaps(a: Cell, b: Cell): boolean {
  const one = (x: number, y: number) => x === 0 || y === 0 || x === y;
  const ports = a.portBits <= b.portBits ? prefixHolds(a.port, a.portBits, b.port) : prefixHolds(b.port, b.portBits, a.port);
  return one(a.remote, b.remote) && one(a.protocol, b.protocol) && ports;
}

function covers(d: Cell, a: Cell): boolean {
  return (d.remote === 0 || d.remote === a.remote) && (d.protocol === 0 || d.protocol === a.protocol) && d.portBits <= a.portBits && prefixHolds(d.port, d.portBits, a.port);
}

const byKey = ([x]: [string, PolicyRef], [y]: [string, PolicyRef]) => (x < y ? -1 : x > y ? 1 : 0);

export class EntryTable {
  readonly #groups = new Map<string, Group>();

  /** ref undefined marks an implicit allow that no policy wrote. */
  add(endpointId: number, direction: Direction, remote: number, protocol: number, port: number, portBits: number, deny: boolean, ref: PolicyRef | undefined, proxy = false): void {
    const gk = groupKey(endpointId, direction);
    let g = this.#groups.get(gk);
    if (!g) this.#groups.set(gk, (g = { endpointId, direction, cells: new Map() }));
    const ck = cellKey(remote, protocol, port, portBits);
    let c = g.cells.get(ck);
    if (!c) g.cells.set(ck, (c = newCell(remote, protocol, port, portBits)));
    if (ref) {
      (deny ? c.deny : c.allow).set(policyRefKey(ref), ref);
      if (!deny && !proxy) c.plain.set(policyRefKey(ref), ref);
    } else if (!deny) c.implicitAllow = true;
  }

  /** Withdraws one contribution (refKey '' = the implicit allow). */
  remove(endpointId: number, direction: Direction, remote: number, protocol: number, port: number, portBits: number, deny: boolean, refKey: string): void {
    const g = this.#groups.get(groupKey(endpointId, direction));
    const ck = cellKey(remote, protocol, port, portBits);
    const c = g?.cells.get(ck);
    if (!g || !c) return;
    if (refKey === '') c.implicitAllow = false;
    else (deny ? c.deny : c.allow).delete(refKey);
    if (!deny) c.plain.delete(refKey);
    if (c.allow.size === 0 && c.deny.size === 0 && !c.implicitAllow) g.cells.delete(ck);
    if (g.cells.size === 0) this.#groups.delete(groupKey(endpointId, direction));
  }

  groupKeys(): string[] {
    return [...this.#groups.keys()];
  }

  /** The entries of one group; allows are dropped when the direction is not enforced. */
  resolveGroup(endpointId: number, direction: Direction, enforced: boolean): PolicyEntry[] {
    const g = this.#groups.get(groupKey(endpointId, direction));
    if (!g) return [];
    const isDeny = (c: Cell) => c.deny.size > 0;
    const isAllow = (c: Cell) => c.allow.size > 0 || c.implicitAllow;
    const denies = [...g.cells.values()].filter(isDeny);
    const allows = enforced ? [...g.cells.values()].filter((c) => !isDeny(c) && isAllow(c)) : [];
    // A deny at every allow/deny intersection inside one identity, so that a longer allow never
    // shadows a deny in that identity's longest-prefix lookup (the datapath looks up this identity
    // and any identity separately, and a deny from either wins: no cross-identity entries needed).
    // An allow that a deny covers entirely simply becomes that deny.
    const result = new Map<string, Cell>();
    for (const c of [...denies, ...allows]) result.set(cellKey(c.remote, c.protocol, c.port, c.portBits), { ...c, deny: new Map(c.deny) });
    for (const a of allows) {
      const hits = denies.filter((d) => d.remote === a.remote && overlaps(a, d));
      const covering = hits.filter((d) => covers(d, a));
      for (const d of covering.length > 0 ? covering : hits) {
        const remote = a.remote;
        const protocol = a.protocol || d.protocol;
        const [port, portBits] = a.portBits >= d.portBits ? [a.port, a.portBits] : [d.port, d.portBits];
        const k = cellKey(remote, protocol, port, portBits);
        let target = result.get(k);
        if (!target) result.set(k, (target = newCell(remote, protocol, port, portBits)));
        for (const [rk, r] of d.deny) target.deny.set(rk, r);
      }
    }
    const out: PolicyEntry[] = [];
    for (const c of result.values()) {
      const deny = isDeny(c);
      // Sorting by the maps' keys (policyRefKey) orders refs as comparePolicyRefs would, cheaply.
      const policies = [...(deny ? c.deny : c.allow)].sort(byKey).map(([, r]) => r);
      const proxy = !deny && c.allow.size > 0 && c.plain.size === 0 && !c.implicitAllow;
      out.push({ endpointId, direction, remoteIdentity: c.remote, protocol: c.protocol, port: c.port, portBits: c.portBits, deny, ...(proxy && { proxy: true as const }), policies });
    }
    return out.sort(compareEntries);
  }

  /** Every group's entries. */
  finish(enforced: (endpointId: number, direction: Direction) => boolean): PolicyEntry[] {
    const out: PolicyEntry[] = [];
    for (const g of this.#groups.values()) out.push(...this.resolveGroup(g.endpointId, g.direction, enforced(g.endpointId, g.direction)));
    return out.sort(compareEntries);
  }
}
