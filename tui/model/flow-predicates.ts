// Predicates over one flow, one per `hubble observe` filter flag. Side 'src' / 'dst' / 'either'
// says which endpoint a directional filter looks at (`--from-pod`, `--to-pod`, `--pod`).
import type { Endpoint, Flow } from '../../api/types.ts';
import { RESERVED_IDENTITY } from '../../api/names.ts';

export type Pred = (f: Flow) => boolean;
export type Side = 'src' | 'dst' | 'either';

export interface SideView { ep?: Endpoint; ip?: string; names?: string[]; service?: { name?: string; namespace?: string }; port?: number }

export function sideOf(f: Flow, side: 'src' | 'dst'): SideView {
  const l4 = f.l4?.TCP ?? f.l4?.UDP ?? f.l4?.SCTP;
  return side === 'src'
    ? { ep: f.source, ip: f.IP?.source, names: f.source_names, service: f.source_service, port: l4?.source_port }
    : { ep: f.destination, ip: f.IP?.destination, names: f.destination_names, service: f.destination_service, port: l4?.destination_port };
}

export function onSide(side: Side, test: (s: SideView) => boolean): Pred {
  if (side === 'src') return (f) => test(sideOf(f, 'src'));
  if (side === 'dst') return (f) => test(sideOf(f, 'dst'));
  return (f) => test(sideOf(f, 'src')) || test(sideOf(f, 'dst'));
}

/** `ns/` (namespace), `/pod` (any namespace), `ns/pod-prefix`, `pod-prefix` (in defaultNs). */
export function podTest(spec: string, defaultNs = 'default'): (s: SideView) => boolean {
  const slash = spec.indexOf('/');
  const ns = slash < 0 ? defaultNs : spec.slice(0, slash);
  const pod = slash < 0 ? spec : spec.slice(slash + 1);
  return (s) => !!s.ep && (ns === '' || s.ep.namespace === ns) && (pod === '' || (s.ep.pod_name ?? '').startsWith(pod)) &&
    (pod !== '' || !!s.ep.namespace);
}

/** Label selector: `k=v,k2!=v2,k3` with optional source prefixes (`k8s:app=x`). */
export function labelTest(selector: string): (s: SideView) => boolean {
  const reqs = selector.split(',').map((r) => r.trim()).filter(Boolean).map((r) => {
    const m = /^([^!=]+?)\s*(!=|==|=)?\s*([^=]*)$/.exec(r);
    if (!m) throw new Error(`bad label selector "${selector}"`);
    return { key: m[1]!, op: m[2] ?? 'exists', value: m[3] ?? '' };
  });
  const find = (labels: string[], key: string): string | undefined => {
    for (const l of labels) {
      const eq = l.indexOf('=');
      const k = eq < 0 ? l : l.slice(0, eq);
      const v = eq < 0 ? '' : l.slice(eq + 1);
      if (k === key || (!key.includes(':') && k.slice(k.indexOf(':') + 1) === key)) return v;
    }
    return undefined;
  };
  return (s) => {
    const labels = s.ep?.labels ?? [];
    return reqs.every(({ key, op, value }) => {
      const v = find(labels, key);
      if (op === 'exists') return v !== undefined;
      if (op === '!=') return v !== value;
      return v === value;
    });
  };
}

function ipv4ToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    const b = Number(p);
    if (!/^\d+$/.test(p) || b > 255) return undefined;
    n = n * 256 + b;
  }
  return n;
}

/** Exact address or IPv4 CIDR. */
export function ipTest(spec: string): (s: SideView) => boolean {
  const [addr, bitsText] = spec.split('/');
  if (bitsText === undefined) return (s) => s.ip === spec;
  const base = ipv4ToInt(addr ?? '');
  const bits = Number(bitsText);
  if (base === undefined || !(bits >= 0 && bits <= 32)) throw new Error(`bad CIDR "${spec}"`);
  const size = 2 ** (32 - bits);
  const start = Math.floor(base / size) * size;
  return (s) => {
    const n = s.ip ? ipv4ToInt(s.ip) : undefined;
    return n !== undefined && n >= start && n < start + size;
  };
}

/** Shell-style `*` glob, anchored. */
export function glob(pattern: string): (text: string) => boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
  return (text) => re.test(text);
}

export function identityValue(spec: string): number {
  const n = Number(spec);
  if (Number.isInteger(n) && n >= 0) return n;
  for (const [id, name] of Object.entries(RESERVED_IDENTITY)) if (name === spec) return Number(id);
  throw new Error(`bad identity "${spec}" (a number or a reserved name such as world, host)`);
}

/** `404`, `4+` (any 4xx), `40+` (400-409). */
export function httpStatusTest(spec: string): (code: number) => boolean {
  const m = /^(\d{1,3})(\+?)$/.exec(spec);
  if (!m || (!m[2] && m[1]!.length !== 3)) throw new Error(`bad HTTP status "${spec}" (e.g. 404, 4+, 40+)`);
  const digits = m[1]!;
  return m[2] ? (code) => String(code).startsWith(digits) && String(code).length === 3 : (code) => code === Number(digits);
}
