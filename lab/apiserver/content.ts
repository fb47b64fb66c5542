// Request bodies and content negotiation: JSON, YAML (apply patches), and the Table form.
import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { ApiError, badRequest } from './errors.ts';
import type { PatchType } from './api.ts';
import { decodeK8sProtobuf } from './protobuf.ts';

export async function readBody(req: IncomingMessage, limit = 8 << 20): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of req) {
    n += (c as Buffer).length;
    if (n > limit) throw new ApiError(413 as number, 'BadRequest', 'request entity too large');
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

export function parseBody(buf: Buffer, contentType: string | undefined): unknown {
  const ct = (contentType ?? 'application/json').split(';')[0]!.trim();
  if (ct === 'application/vnd.kubernetes.protobuf') return decodeK8sProtobuf(buf);
  const text = buf.toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    if (ct.includes('yaml')) return parseYaml(text);
    if (ct.includes('protobuf')) throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`);
    return JSON.parse(text);
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw badRequest(`error decoding request body: ${(e as Error).message}`);
  }
}

export function patchTypeOf(contentType: string | undefined): PatchType {
  const ct = (contentType ?? '').split(';')[0]!.trim();
  switch (ct) {
    case 'application/json-patch+json':
      return 'json';
    case 'application/merge-patch+json':
      return 'merge';
    case 'application/strategic-merge-patch+json':
      return 'strategic';
    case 'application/apply-patch+yaml':
      return 'apply';
    default:
      throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`);
  }
}

/** Does the client ask for meta.k8s.io Table (what `kubectl get` sends)? */
export function wantsTable(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((a) => /(^|;)\s*as=Table/.test(a) && /g=meta\.k8s\.io/.test(a));
}
