// The Kubernetes NetworkPolicy e2e model (test/e2e/network/netpol upstream): namespaces x, y, z
// with pods a, b, c each, every pod serving TCP and UDP on ports 80 and 81, and a truth table of
// which client reaches which server per port and protocol. Loopback (a pod to itself) is not
// judged, as upstream does not: CNIs differ there and NetworkPolicy leaves it undefined.

export const NAMESPACES = ['x', 'y', 'z'] as const;
export const POD_NAMES = ['a', 'b', 'c'] as const;
export type Ns = (typeof NAMESPACES)[number];
export type PodName = (typeof POD_NAMES)[number];
/** "x/a" */
export type PodId = `${Ns}/${PodName}`;
export const PODS: readonly PodId[] = NAMESPACES.flatMap((ns) => POD_NAMES.map((p) => `${ns}/${p}` as const));

export type Protocol = 'TCP' | 'UDP';
export interface PortProto {
  readonly port: 80 | 81;
  readonly protocol: Protocol;
}
export const PORT_PROTOS: readonly PortProto[] = [
  { port: 80, protocol: 'TCP' },
  { port: 81, protocol: 'TCP' },
  { port: 80, protocol: 'UDP' },
  { port: 81, protocol: 'UDP' },
];
export const portProtoName = (pp: PortProto): string => `${pp.protocol}/${pp.port}`;

/** Which pods a partial reference covers: {} every pod, {ns} a namespace, {ns, pod} one pod. */
export interface PeerRef {
  readonly ns?: Ns;
  readonly pod?: PodName;
}
const covers = (ref: PeerRef, id: PodId): boolean => {
  const [ns, pod] = id.split('/') as [Ns, PodName];
  return (ref.ns === undefined || ref.ns === ns) && (ref.pod === undefined || ref.pod === pod);
};
const ref = (id: PodId): PeerRef => {
  const [ns, pod] = id.split('/') as [Ns, PodName];
  return { ns, pod };
};

/** A from × to truth table; builders return this for chaining. */
export class Reachability {
  readonly #cells = new Map<string, boolean>();

  constructor(all: boolean) {
    for (const from of PODS) for (const to of PODS) this.#cells.set(`${from}>${to}`, all);
  }

  get(from: PodId, to: PodId): boolean {
    return this.#cells.get(`${from}>${to}`)!;
  }

  /** Every pair with the client in `from` and the server in `to`. */
  peers(from: PeerRef, to: PeerRef, ok: boolean): this {
    for (const f of PODS) for (const t of PODS) if (covers(from, f) && covers(to, t)) this.#cells.set(`${f}>${t}`, ok);
    return this;
  }

  pair(from: PodId, to: PodId, ok: boolean): this {
    return this.peers(ref(from), ref(to), ok);
  }

  /** Everyone to `to`. */
  ingress(to: PodId | PeerRef, ok: boolean): this {
    return this.peers({}, typeof to === 'string' ? ref(to) : to, ok);
  }

  /** `from` to everyone. */
  egress(from: PodId | PeerRef, ok: boolean): this {
    return this.peers(typeof from === 'string' ? ref(from) : from, {}, ok);
  }

  /** Cells (loopback excluded) where this and `observed` differ. */
  mismatches(observed: Reachability): [PodId, PodId][] {
    const out: [PodId, PodId][] = [];
    for (const f of PODS) for (const t of PODS) if (f !== t && this.get(f, t) !== observed.get(f, t)) out.push([f, t]);
    return out;
  }

  /** The table as upstream prints it: rows are clients, columns servers, `.` for loopback. */
  format(marks?: ReadonlySet<string>): string {
    const lines = [`      ${PODS.join('  ')}`];
    for (const f of PODS) {
      const cells = PODS.map((t) => {
        const c = f === t ? '.' : this.get(f, t) ? 'X' : '-';
        return marks?.has(`${f}>${t}`) ? `${c}*   ` : `${c}    `;
      });
      lines.push(`${f}   ${cells.join('').trimEnd()}`);
    }
    return lines.join('\n');
  }
}

/** Expected vs observed, the differing cells marked with `*` in the observed table. */
export function describeMismatch(expected: Reachability, observed: Reachability): string {
  const marks = new Set(expected.mismatches(observed).map(([f, t]) => `${f}>${t}`));
  return `expected (X reachable, - not, rows are clients):\n${expected.format()}\nobserved:\n${observed.format(marks)}`;
}
