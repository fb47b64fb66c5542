// Collects allow and deny contributions per map key and resolves them into entries with deny
// precedence (see the invariants in entries.ts).
import { compareEntries, policyRefKey, type PolicyEntry } from './entries.ts';
import type { Direction, PolicyRef } from './types.ts';

interface Cell {
  readonly remote: number;
  readonly protocol: number;
  readonly port: number;
  readonly allow: Map<string, PolicyRef>;
  readonly deny: Map<string, PolicyRef>;
  implicitAllow: boolean;
}

type Group = Map<string, Cell>; // one endpoint and direction, by `remote/protocol/port`

const newCell = (remote: number, protocol: number, port: number): Cell => ({ remote, protocol, port, allow: new Map(), deny: new Map(), implicitAllow: false });
const cellKey = (remote: number, protocol: number, port: number) => `${remote}/${protocol}/${port}`;

function overlaps(a: Cell, b: Cell): boolean {
  const one = (x: number, y: number) => x === 0 || y === 0 || x === y;
  return one(a.remote, b.remote) && one(a.protocol, b.protocol) && one(a.port, b.port);
}

export class EntryTable {
  readonly #groups = new Map<string, { endpointId: number; direction: Direction; cells: Group }>();

  #cell(endpointId: number, direction: Direction, remote: number, protocol: number, port: number): Cell {
    const gk = `${endpointId}/${direction}`;
    let g = this.#groups.get(gk);
    if (!g) this.#groups.set(gk, (g = { endpointId, direction, cells: new Map() }));
    const ck = cellKey(remote, protocol, port);
    let c = g.cells.get(ck);
    if (!c) g.cells.set(ck, (c = newCell(remote, protocol, port)));
    return c;
  }

  /** ref undefined marks an implicit entry that no policy wrote. */
  add(endpointId: number, direction: Direction, remote: number, protocol: number, port: number, deny: boolean, ref: PolicyRef | undefined): void {
    const c = this.#cell(endpointId, direction, remote, protocol, port);
    if (ref) (deny ? c.deny : c.allow).set(policyRefKey(ref), ref);
    else if (!deny) c.implicitAllow = true;
  }

  /** Entries with deny precedence; allows of unenforced directions are dropped. */
  finish(enforced: (endpointId: number, direction: Direction) => boolean): PolicyEntry[] {
    const out: PolicyEntry[] = [];
    for (const { endpointId, direction, cells } of this.#groups.values()) {
      const isDeny = (c: Cell) => c.deny.size > 0;
      const isAllow = (c: Cell) => c.allow.size > 0 || c.implicitAllow;
      const denies = [...cells.values()].filter(isDeny);
      const keepAllows = enforced(endpointId, direction);
      const allows = keepAllows ? [...cells.values()].filter((c) => !isDeny(c) && isAllow(c)) : [];
      // A deny at every allow/deny intersection, so that a more specific allow never shadows a
      // deny. An allow that a deny covers entirely simply becomes that deny.
      const adds = new Map<string, Cell>();
      for (const a of allows) {
        const hits = denies.filter((d) => overlaps(a, d));
        const covering = hits.filter((d) => (d.remote === 0 || d.remote === a.remote) && (d.protocol === 0 || d.protocol === a.protocol) && (d.port === 0 || d.port === a.port));
        for (const d of covering.length > 0 ? covering : hits) {
          const remote = a.remote || d.remote;
          const protocol = a.protocol || d.protocol;
          const port = a.port || d.port;
          const k = cellKey(remote, protocol, port);
          let target = adds.get(k);
          if (!target) adds.set(k, (target = newCell(remote, protocol, port)));
          for (const [rk, r] of d.deny) target.deny.set(rk, r);
        }
      }
      for (const [k, add] of adds) {
        const c = cells.get(k);
        if (!c) cells.set(k, add);
        else for (const [rk, r] of add.deny) c.deny.set(rk, r);
      }
      for (const c of cells.values()) {
        const deny = isDeny(c);
        if (!deny && (!keepAllows || !isAllow(c))) continue;
        // Sorting by the map's keys (policyRefKey) orders refs as comparePolicyRefs would, cheaply.
        const refs = [...(deny ? c.deny : c.allow)].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([, r]) => r);
        out.push({ endpointId, direction, remoteIdentity: c.remote, protocol: c.protocol, port: c.port, deny, policies: refs });
      }
    }
    return out.sort(compareEntries);
  }
}
