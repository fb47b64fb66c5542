// Which resources exist right now: the built-ins plus one entry per served version of every
// established CRD. Lookups accept what kubectl and clients put in URLs (plural names only).
import { BUILTIN_RESOURCES, GROUP_ORDER } from './resources.ts';
import type { ResourceType } from './types.ts';

export class Registry {
  private builtins = new Map<string, ResourceType>();
  private custom = new Map<string, ResourceType>();

  constructor() {
    for (const rt of BUILTIN_RESOURCES) this.builtins.set(key(rt.group, rt.version, rt.resource), rt);
  }

  lookup(group: string, version: string, resource: string): ResourceType | undefined {
    const k = key(group, version, resource);
    return this.builtins.get(k) ?? this.custom.get(k);
  }

  /** The storage version for a group/resource (first registered), so every version shares objects. */
  byKind(group: string, kind: string): ResourceType | undefined {
    for (const rt of this.all()) if (rt.group === group && rt.kind === kind) return rt;
    return undefined;
  }

  all(): ResourceType[] {
    return [...this.builtins.values(), ...this.custom.values()];
  }

  /** Replace the custom resources contributed by one CRD (key: the CRD's name). */
  setCustom(crdName: string, types: ResourceType[]): void {
    for (const [k, rt] of this.custom) if (`${rt.resource}.${rt.group}` === crdName) this.custom.delete(k);
    for (const rt of types) this.custom.set(key(rt.group, rt.version, rt.resource), rt);
  }

  /** Groups with their versions, preferred version first, in the order discovery lists them. */
  groups(): { name: string; versions: string[] }[] {
    const m = new Map<string, string[]>();
    for (const rt of this.all()) {
      if (!rt.group) continue;
      const vs = m.get(rt.group) ?? [];
      if (!vs.includes(rt.version)) vs.push(rt.version);
      m.set(rt.group, vs);
    }
    const rank = (g: string) => {
      const i = GROUP_ORDER.indexOf(g);
      return i < 0 ? GROUP_ORDER.length : i;
    };
    return [...m.entries()]
      .sort((a, b) => rank(a[0]) - rank(b[0]) || a[0].localeCompare(b[0]))
      .map(([name, versions]) => ({ name, versions: versions.sort(compareVersions) }));
  }

  resourcesOf(group: string, version: string): ResourceType[] {
    return this.all().filter((rt) => rt.group === group && rt.version === version);
  }
}

function key(g: string, v: string, r: string): string {
  return `${g}/${v}/${r}`;
}

/** Kubernetes version priority: GA > beta > alpha, higher numbers first (v1 > v1beta2 > v1alpha1). */
export function compareVersions(a: string, b: string): number {
  const p = (v: string): [number, number, number] => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [-1, 0, 0];
    const stage = m[2] === 'alpha' ? 0 : m[2] === 'beta' ? 1 : 2;
    return [stage, Number(m[1]), Number(m[3] ?? 0)];
  };
  const [sa, ma, na] = p(a);
  const [sb, mb, nb] = p(b);
  return sb - sa || mb - ma || nb - na || a.localeCompare(b);
}
