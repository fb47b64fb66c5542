// The service map as terminal lines: per namespace, each workload and the workloads it talks to
// (one edge per port and protocol), drawn as a tree so a namespace of hundreds of pairs still
// reads top to bottom. Edges with drops are red and drawn `─✗`, edges with HTTP 5xx or DNS errors
// yellow `─!`; the rest `─▶`. Pure: the view slices the lines to its height.
import type { ConnectionStat } from '../model/connection-book.ts';
import { latencyPercentile, serverErrorRatio } from '../model/connection-book.ts';
import { durationText, ratioText, topDropText } from './connection-row.ts';
import { cell, compactNumber, fit, type Cell, type Theme, type Tone } from './text.ts';

export interface ServiceMapOptions {
  /** Keep only namespaces whose name contains this text (case-insensitive); all when empty. */
  namespace?: string;
  width: number;
  theme: Theme;
}

/** The namespace of an endpoint name (`ns/workload`), or `(cluster)` for reserved ones and IPs. */
export function namespaceOf(name: string): string {
  const i = name.indexOf('/');
  return i > 0 ? name.slice(0, i) : '(cluster)';
}

function edgeTone(s: ConnectionStat): Tone | undefined {
  if (s.row.drops) return 'bad';
  if (s.row.http5xx || s.row.dnsErrors) return 'warn';
  return undefined;
}

function edgeFacts(s: ConnectionStat): string {
  const r = s.row;
  const parts = [`${compactNumber(s.flowsPerSecond)} flows/s`];
  if (r.drops) parts.push(`${compactNumber(r.drops)} drops (${topDropText(s)})`);
  if (r.httpRequests || r.httpResponses) {
    parts.push(`http ${compactNumber(s.httpPerSecond)}/s 5xx ${ratioText(serverErrorRatio(r))} p50 ${durationText(latencyPercentile(r, 50))} p99 ${durationText(latencyPercentile(r, 99))}`);
  }
  if (r.dnsResponses) parts.push(`dns errors ${compactNumber(r.dnsErrors)}/${compactNumber(r.dnsResponses)}`);
  return parts.join('  ');
}

/** The map's lines: a heading per namespace, a line per source workload, an edge line per peer and port. */
export function serviceMapLines(stats: readonly ConnectionStat[], o: ServiceMapOptions): (readonly Cell[])[] {
  const want = (o.namespace ?? '').trim().toLowerCase();
  const byNs = new Map<string, Map<string, ConnectionStat[]>>();
  for (const s of stats) {
    const ns = namespaceOf(s.row.source);
    if (want && !ns.toLowerCase().includes(want)) continue;
    let sources = byNs.get(ns);
    if (!sources) byNs.set(ns, (sources = new Map()));
    const list = sources.get(s.row.source);
    if (list) list.push(s); else sources.set(s.row.source, [s]);
  }
  const lines: (readonly Cell[])[] = [];
  const nsNames = [...byNs.keys()].sort((a, b) => (a === '(cluster)' ? 1 : b === '(cluster)' ? -1 : a.localeCompare(b)));
  for (const ns of nsNames) {
    const sources = byNs.get(ns)!;
    const edges = [...sources.values()].flat();
    const dropping = edges.filter((e) => e.row.drops).length;
    const erring = edges.filter((e) => !e.row.drops && (e.row.http5xx || e.row.dnsErrors)).length;
    const heading = `namespace ${ns}: ${sources.size} talking workloads, ${edges.length} edges` +
      (dropping ? `, ${dropping} dropping` : '') + (erring ? `, ${erring} with errors` : '');
    lines.push([cell(fit(heading, o.width), dropping ? 'bad' : erring ? 'warn' : 'accent', o.theme)]);
    const names = [...sources.keys()].sort();
    for (const src of names) {
      const out = sources.get(src)!.sort((a, b) => a.row.destination.localeCompare(b.row.destination) || a.row.port.localeCompare(b.row.port));
      const short = src.startsWith(`${ns}/`) ? src.slice(ns.length + 1) : src;
      lines.push([cell(fit(`  ${short}`, o.width), out.some((e) => e.row.drops) ? 'bad' : undefined, o.theme)]);
      const dstWidth = Math.min(36, Math.max(...out.map((e) => shortName(e.row.destination, ns).length)));
      out.forEach((e, i) => {
        const branch = i === out.length - 1 ? '└' : '├';
        const tone = edgeTone(e);
        const arrow = e.row.drops ? '─✗ ' : tone ? '─! ' : '─▶ ';
        const head = `    ${branch}${arrow}${fit(shortName(e.row.destination, ns), dstWidth)} ${fit(e.row.port, 10)} `;
        lines.push([cell(head, tone, o.theme), cell(fit(edgeFacts(e), Math.max(0, o.width - head.length)), tone, o.theme)]);
      });
    }
  }
  return lines;
}

const shortName = (name: string, ns: string) => (name.startsWith(`${ns}/`) ? name.slice(ns.length + 1) : name);
