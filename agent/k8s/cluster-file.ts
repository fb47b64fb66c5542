// Objects for a MemoryClusterSource from YAML files (one or more documents each), so an agent
// can run on a host with no API server: `kubectl-netobs agent --cluster-file pods.yaml`.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { UserError } from '../../lib/errors.ts';
import type { MemoryClusterSource } from './memory-source.ts';
import type { ResourceKind, ResourceTypes } from './source.ts';

const KINDS: Record<string, ResourceKind> = {
  Pod: 'pods', Namespace: 'namespaces', Node: 'nodes', Service: 'services', EndpointSlice: 'endpointslices',
  NetworkPolicy: 'policies', ClusterwideNetworkPolicy: 'policies',
};

export function loadClusterFile(file: string, into: MemoryClusterSource): number {
  let n = 0;
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
    const o = doc.toJS() as { kind?: string; items?: unknown[]; metadata?: { name?: string } } | null;
    if (!o) continue;
    const objs = o.kind?.endsWith('List') && Array.isArray(o.items) ? o.items : [o];
    for (const raw of objs) {
      const obj = raw as { kind?: string; metadata?: { name?: string } };
      const kind = KINDS[obj.kind ?? ''];
      if (!kind || !obj.metadata?.name) throw new UserError(`cluster file ${file}: ${obj.kind ?? 'an object without kind'} ${obj.metadata?.name ?? ''} is not supported (use ${Object.keys(KINDS).join(', ')})`);
      into.put(kind, obj as ResourceTypes[typeof kind]);
      n++;
    }
  }
  return n;
}
