// GetFlowsRequest.field_mask: only the listed Flow fields (dotted paths such as `time`,
// `source.pod_name`, `l4.TCP.destination_port`) are sent, which cuts what a client that needs a
// few columns pays for. Returns a new object; the ring's flow is never modified.
import type { Flow } from '../types.ts';

type Obj = Record<string, unknown>;

function pick(src: Obj, paths: readonly string[][]): Obj {
  const out: Obj = {};
  for (const path of paths) {
    const [head, ...rest] = path;
    if (head === undefined || !(head in src)) continue;
    const v = src[head];
    if (rest.length === 0 || v === null || typeof v !== 'object' || Array.isArray(v)) {
      out[head] = v;
      continue;
    }
    const sub = pick(v as Obj, [rest]);
    if (Object.keys(sub).length > 0) out[head] = { ...(out[head] as Obj | undefined), ...sub };
  }
  return out;
}

/** Keeps only the masked fields; an empty mask keeps everything. */
export function maskFlow(flow: Flow, paths: readonly string[] | undefined): Flow {
  if (!paths || paths.length === 0) return flow;
  return pick(flow as Obj, paths.map((p) => p.split('.'))) as Flow;
}
