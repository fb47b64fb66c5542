// The filter bar of the Flows view: the `hubble observe` filter flags (`--verdict DROPPED --pod
// default/xwing`), compiled to one predicate. Same flag: values OR-ed; different flags: AND-ed;
// `--not` negates the next flag; a word without a flag matches pod, IP or DNS name text on
// either side (k9s habit). Non-directional flags (`--pod`, `--ip`…) match either side each; hubble
// additionally requires several of them to hold on the same side, which a live filter can skip.
import { DropReason, EventType, TrafficDirection, Verdict, type Flow, type TCPFlags } from '../../api/types.ts';
import { EVENT_TYPE_NAME, TRACE_POINT_NAME, enumValue } from '../../api/names.ts';
import {
  glob, httpStatusTest, identityValue, ipTest, labelTest, onSide, podTest, type Pred, type Side, type SideView,
} from './flow-predicates.ts';

export interface CompiledFilter { text: string; match: Pred }

type Builder = (value: string, ctx: { namespace: string }) => Pred;

const sided = (make: (v: string, ctx: { namespace: string }) => (s: SideView) => boolean) =>
  (side: Side): Builder => (v, ctx) => onSide(side, make(v, ctx));

const pod = sided((v, ctx) => podTest(v, ctx.namespace));
const namespace = sided((v) => podTest(`${v}/`));
const label = sided((v) => labelTest(v));
const ip = sided((v) => ipTest(v));
const fqdn = sided((v) => { const g = glob(v.replace(/\.$/, '')); return (s) => (s.names ?? []).some((n) => g(n.replace(/\.$/, ''))); });
const service = sided((v) => {
  const [ns, name] = v.includes('/') ? v.split('/', 2) : [undefined, v];
  return (s) => !!s.service && s.service.name === name && (ns === undefined || s.service.namespace === ns);
});
const port = sided((v) => { const p = Number(v); if (!Number.isInteger(p) || p < 0 || p > 65535) throw new Error(`bad port "${v}"`); return (s) => s.port === p; });
const identity = sided((v) => { const id = identityValue(v); return (s) => s.ep?.identity === id; });
const workload = sided((v) => {
  const [ns, name] = v.includes('/') ? v.split('/', 2) : [undefined, v];
  return (s) => (ns === undefined || s.ep?.namespace === ns) && (s.ep?.workloads ?? []).some((w) => w.name === name);
});

function named<E extends Readonly<Record<string, number>>>(e: E, what: string, v: string): number {
  const n = enumValue(e, v.replace(/-/g, '_'));
  if (n === undefined) throw new Error(`bad ${what} "${v}" (one of ${Object.keys(e).join(', ')})`);
  return n;
}

const FLAGS: Record<string, Builder> = {
  pod: pod('either'), 'from-pod': pod('src'), 'to-pod': pod('dst'),
  namespace: namespace('either'), 'from-namespace': namespace('src'), 'to-namespace': namespace('dst'),
  label: label('either'), 'from-label': label('src'), 'to-label': label('dst'),
  ip: ip('either'), 'from-ip': ip('src'), 'to-ip': ip('dst'),
  fqdn: fqdn('either'), 'from-fqdn': fqdn('src'), 'to-fqdn': fqdn('dst'),
  service: service('either'), 'from-service': service('src'), 'to-service': service('dst'),
  port: port('either'), 'from-port': port('src'), 'to-port': port('dst'),
  identity: identity('either'), 'from-identity': identity('src'), 'to-identity': identity('dst'),
  workload: workload('either'), 'from-workload': workload('src'), 'to-workload': workload('dst'),
  verdict: (v) => { const n = named(Verdict, 'verdict', v); return (f) => (f.verdict ?? 0) === n; },
  'drop-reason-desc': (v) => { const n = named(DropReason, 'drop reason', v); return (f) => f.drop_reason_desc === n; },
  'traffic-direction': (v) => { const n = named(TrafficDirection, 'traffic direction', v); return (f) => (f.traffic_direction ?? 0) === n; },
  'node-name': (v) => { const g = glob(v.includes('/') ? v.slice(v.indexOf('/') + 1) : v); return (f) => g(f.node_name ?? ''); },
  protocol: (v) => protocolPred(v.toLowerCase()),
  type: (v) => typePred(v),
  'http-status': (v) => { const t = httpStatusTest(v); return (f) => f.l7?.http?.code !== undefined && t(f.l7.http.code); },
  'http-method': (v) => (f) => (f.l7?.http?.method ?? '').toUpperCase() === v.toUpperCase(),
  'http-path': (v) => { const re = new RegExp(v); return (f) => { const u = f.l7?.http?.url; if (!u) return false; try { return re.test(new URL(u).pathname); } catch { return re.test(u); } }; },
  'tcp-flags': (v) => {
    const want = v.split(',').map((x) => x.trim().toUpperCase()) as (keyof TCPFlags)[];
    return (f) => { const fl = f.l4?.TCP?.flags; return !!fl && want.every((k) => fl[k] === true); };
  },
};
const ALIASES: Record<string, string> = { n: 'namespace', l: 'label', t: 'type' };

function protocolPred(p: string): Pred {
  switch (p) {
    case 'tcp': return (f) => !!f.l4?.TCP;
    case 'udp': return (f) => !!f.l4?.UDP;
    case 'sctp': return (f) => !!f.l4?.SCTP;
    case 'icmp': return (f) => !!f.l4?.ICMPv4 || !!f.l4?.ICMPv6;
    case 'icmpv4': return (f) => !!f.l4?.ICMPv4;
    case 'icmpv6': return (f) => !!f.l4?.ICMPv6;
    case 'http': return (f) => !!f.l7?.http;
    case 'dns': return (f) => !!f.l7?.dns;
    default: throw new Error(`bad protocol "${p}" (tcp, udp, sctp, icmp, icmpv4, icmpv6, http, dns)`);
  }
}

/** `drop`, `trace`, `policy-verdict`, `l7`, with an optional `:subtype` (`trace:to-endpoint`, `drop:133`). */
function typePred(spec: string): Pred {
  const [name, sub] = spec.split(':', 2);
  const type = EVENT_TYPE_NAME[name ?? ''];
  if (type === undefined) throw new Error(`bad type "${spec}" (${Object.keys(EVENT_TYPE_NAME).join(', ')})`);
  let subType: number | undefined;
  if (sub !== undefined) {
    const byName = Object.entries(TRACE_POINT_NAME).find(([, n]) => n === sub)?.[0];
    subType = Number(byName ?? sub);
    if (!Number.isInteger(subType)) throw new Error(`bad subtype "${sub}" of type ${name}`);
  }
  return (f) => {
    const et = f.event_type;
    // L7 flows may lack event_type; their Type says it.
    const t = et?.type ?? (f.Type === 2 ? EventType.L7 : undefined);
    return t === type && (subType === undefined || et?.sub_type === subType);
  };
}

/** Split like a shell: whitespace separates, quotes group. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}

function freeText(word: string): Pred {
  const w = word.toLowerCase();
  const hit = (s: SideView) => (s.ep?.pod_name ?? '').toLowerCase().includes(w) || (s.ip ?? '').includes(w) ||
    `${s.ep?.namespace ?? ''}/${s.ep?.pod_name ?? ''}`.toLowerCase().includes(w) || (s.names ?? []).some((n) => n.toLowerCase().includes(w));
  return onSide('either', hit);
}

/** Compile the filter bar text; throws Error with a one-line message on bad input. Empty text matches all. */
export function compileFilter(text: string): CompiledFilter {
  const tokens = tokenize(text);
  const groups = new Map<string, { negate: boolean; preds: Pred[] }>();
  const ctx = { namespace: 'default' };
  const words: Pred[] = [];
  let negateNext = false;
  // -n also sets the default namespace of bare pod names, as in hubble.
  for (let i = 0; i < tokens.length; i++) if (['-n', '--namespace'].includes(tokens[i]!) && tokens[i + 1]) ctx.namespace = tokens[i + 1]!;
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    if (tok === '--not') { negateNext = true; continue; }
    if (tok === '-A' || tok === '--all-namespaces') continue;
    if (!tok.startsWith('-')) { words.push(freeText(tok)); continue; }
    let [flag, inline] = tok.replace(/^--?/, '').split(/=(.*)/s, 2) as [string, string | undefined];
    flag = ALIASES[flag] ?? flag;
    const build = FLAGS[flag];
    if (!build) throw new Error(`unknown filter flag ${tok}`);
    const value = inline ?? tokens[++i];
    if (value === undefined) throw new Error(`${tok} needs a value`);
    const key = `${negateNext ? '!' : ''}${flag}`;
    const g = groups.get(key) ?? { negate: negateNext, preds: [] };
    g.preds.push(build(value, ctx));
    groups.set(key, g);
    negateNext = false;
  }
  if (negateNext) throw new Error('--not must precede a filter flag');
  const clauses: Pred[] = [...words];
  for (const { negate, preds } of groups.values()) {
    const any: Pred = preds.length === 1 ? preds[0]! : (f) => preds.some((p) => p(f));
    clauses.push(negate ? (f) => !any(f) : any);
  }
  const match: Pred = clauses.length === 0 ? () => true : (f: Flow) => clauses.every((c) => c(f));
  return { text: text.trim(), match };
}
