// `kubectl netobs policy validate -f FILE`: every policy document checked the way the cluster
// would: the CRD schema first (the API server's messages), then the agent's own parser, which is
// what would set Valid=False on the object.
import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { validatePolicy } from '../../agent/policy/validate.ts';
import { netobsCrds } from '../../install/crds/definitions.ts';
import { validateCustomResource } from '../../lib/openapi-schema/index.ts';
import { UserError } from '../../lib/errors.ts';

export interface PolicyCheck {
  file: string;
  document: number;
  kind: string;
  name: string;
  valid: boolean;
  message?: string;
}

export async function readDocuments(file: string): Promise<unknown[]> {
  let text: string;
  try {
    text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
  } catch (err) {
    throw new UserError(`read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message} (check the path)`, { cause: err });
  }
  const docs = parseAllDocuments(text);
  const out: unknown[] = [];
  for (const [i, d] of docs.entries()) {
    if (d.errors.length > 0) throw new UserError(`parse ${file} document ${i + 1}: ${d.errors[0]!.message.split('\n')[0]}`);
    const v = d.toJS() as unknown;
    if (v === null || v === undefined) continue;
    // A List (kubectl get -o yaml) holds its objects in items.
    if (typeof v === 'object' && (v as { kind?: string }).kind === 'List') out.push(...(((v as { items?: unknown[] }).items) ?? []));
    else out.push(v);
  }
  return out;
}

export function checkPolicy(raw: unknown): { valid: boolean; message?: string } {
  const o = (raw ?? {}) as Record<string, unknown>;
  if (typeof o.apiVersion === 'string' && o.apiVersion.startsWith('netobs.io/')) {
    const crd = netobsCrds().find((c) => c.spec.names.kind === o.kind);
    if (crd) {
      const { errors } = validateCustomResource(crd, o, { unknownFields: true });
      if (errors.length > 0) return { valid: false, message: errors.map((e) => e.message).join('; ') };
    }
  }
  const v = validatePolicy(raw);
  return v.valid ? { valid: true } : { valid: false, message: v.message };
}

export async function validateFiles(files: string[]): Promise<PolicyCheck[]> {
  const results: PolicyCheck[] = [];
  for (const file of files) {
    const docs = await readDocuments(file);
    for (const [i, raw] of docs.entries()) {
      const o = (raw ?? {}) as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
      const ns = typeof o.metadata?.namespace === 'string' ? `${o.metadata.namespace}/` : '';
      const r = checkPolicy(raw);
      results.push({
        file,
        document: i + 1,
        kind: String(o.kind ?? '?'),
        name: `${ns}${String(o.metadata?.name ?? '?')}`,
        valid: r.valid,
        ...(r.message === undefined ? {} : { message: r.message }),
      });
    }
  }
  return results;
}

export function formatChecks(checks: PolicyCheck[]): string {
  return checks.map((c) => (c.valid ? `✔ ${c.kind} ${c.name}: valid` : `✘ ${c.kind} ${c.name} (${c.file} document ${c.document}): ${c.message}`)).join('\n') + '\n';
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
