// Node-local CIDR identities (16777216 to 33554431). They never leave the node: the ipcache maps
// each prefix a policy names to its identity, and the policy map refers to that identity. An id
// is a hash of the prefix (linear probing on collision, new prefixes taken in sorted order), so
// it does not depend on the order policies arrived in: a restarted agent computes the numbers
// its pinned maps already hold, and its first diff is empty instead of renumbering under traffic.
import { labelHash } from './allocator.ts';
import { containsPrefix, formatPrefix, parsePrefix, type Prefix } from './cidr.ts';
import { MIN_CIDR_IDENTITY } from './reserved.ts';

const CIDR_RANGE = 1 << 24;

export interface CidrIdentity {
  readonly prefix: string;
  readonly parsed: Prefix;
  readonly identity: number;
}

export class CidrIdentities {
  readonly #byPrefix = new Map<string, CidrIdentity>();

  /**
   * Gives exactly these prefixes an identity: known ones keep theirs, new ones get their hash
   * slot, the others are released. Prefixes of length 0 are not allocated (they are world).
   */
  sync(prefixes: Iterable<string>): void {
    const wanted = new Map<string, Prefix>();
    for (const text of prefixes) {
      const p = parsePrefix(text);
      if (p && p.bits > 0) wanted.set(formatPrefix(p), p);
    }
    for (const key of [...this.#byPrefix.keys()]) if (!wanted.has(key)) this.#byPrefix.delete(key);
    const used = new Set([...this.#byPrefix.values()].map((c) => c.identity));
    for (const key of [...wanted.keys()].sort(comparePrefixText)) {
      if (this.#byPrefix.has(key)) continue;
      let slot = labelHash(key) % CIDR_RANGE;
      while (used.has(MIN_CIDR_IDENTITY + slot)) slot = (slot + 1) % CIDR_RANGE;
      used.add(MIN_CIDR_IDENTITY + slot);
      this.#byPrefix.set(key, { prefix: key, parsed: wanted.get(key) as Prefix, identity: MIN_CIDR_IDENTITY + slot });
    }
  }

  identityOf(prefix: string): number | undefined {
    const p = parsePrefix(prefix);
    return p && this.#byPrefix.get(formatPrefix(p))?.identity;
  }

  /** The identity of the longest allocated prefix holding an address, as the ipcache's LPM finds it. */
  matchAddress(ip: string): number | undefined {
    const addr = parsePrefix(ip);
    let best: { bits: number; id: number } | undefined;
    if (!addr) return undefined;
    for (const c of this.#byPrefix.values()) {
      const p = parsePrefix(c.prefix);
      if (p && containsPrefix(p, addr) && (!best || p.bits > best.bits)) best = { bits: p.bits, id: c.identity };
    }
    return best?.id;
  }

  /** The prefix behind a CIDR identity (for display). */
  prefixOf(identity: number): string | undefined {
    for (const c of this.#byPrefix.values()) if (c.identity === identity) return c.prefix;
    return undefined;
  }

  /** Every allocated CIDR identity, in prefix order. */
  all(): CidrIdentity[] {
    return [...this.#byPrefix.values()].sort((a, b) => comparePrefixText(a.prefix, b.prefix));
  }

  /** Identities of the allocated prefixes inside `outer` and inside none of `except`. */
  within(outer: Prefix, except: readonly Prefix[] = []): number[] {
    const out: number[] = [];
    for (const c of this.#byPrefix.values()) {
      if (containsPrefix(outer, c.parsed) && !except.some((e) => containsPrefix(e, c.parsed))) out.push(c.identity);
    }
    return out.sort((a, b) => a - b);
  }
}

/** IPv4 before IPv6, then by address, then shorter first. */
export function comparePrefixText(a: string, b: string): number {
  const pa = parsePrefix(a);
  const pb = parsePrefix(b);
  if (!pa || !pb) return a < b ? -1 : a > b ? 1 : 0;
  if (pa.family !== pb.family) return pa.family - pb.family;
  if (pa.addr !== pb.addr) return pa.addr < pb.addr ? -1 : 1;
  return pa.bits - pb.bits;
}
