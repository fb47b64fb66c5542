// `kubectl netobs sysdump`: every part in turn with a progress line each, then one tar.gz; a part
// that fails is named in errors.txt inside the archive and in a one-line error (exit 1), and the
// rest of the archive is still written.
import { writeFile } from 'node:fs/promises';
import { DEFAULT_NAMESPACE } from '../../api/kube-names.ts';
import { UserError } from '../../lib/errors.ts';
import { Objects } from '../../lib/kube-apply.ts';
import { loadKubeConfig } from '../../lib/kube.ts';
import { createProgress, type Progress } from '../../lib/progress.ts';
import { tarGz } from '../../lib/tar.ts';
import { RelayApi, type RelayFlags } from '../relay-api.ts';
import { SYSDUMP_PARTS, type Part, type SysdumpContext, type SysdumpFile } from './parts.ts';
import { scrub } from './redact.ts';

export interface SysdumpFlags extends RelayFlags {
  flows: number;
}

const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);

export interface SysdumpResult {
  file: string;
  files: string[];
  failed: { part: string; errors: string[] }[];
}

export async function collectSysdump(ctx: SysdumpContext, parts: readonly Part[], progress: Progress): Promise<{ files: SysdumpFile[]; failed: SysdumpResult['failed'] }> {
  const files: SysdumpFile[] = [];
  const failed: SysdumpResult['failed'] = [];
  for (const [i, part] of parts.entries()) {
    progress.update(`[${i + 1}/${parts.length}] collecting ${part.name}`);
    try {
      const r = await part.collect(ctx);
      files.push(...r.files);
      if (r.errors.length) failed.push({ part: part.name, errors: r.errors });
      progress.log(`${r.errors.length ? '!' : '✔'} ${part.name}: ${r.files.length} file${r.files.length === 1 ? '' : 's'}${r.errors.length ? `, ${r.errors.length} failed: ${r.errors[0]}` : ''}`);
    } catch (err) {
      failed.push({ part: part.name, errors: [(err as Error).message] });
      progress.log(`✘ ${part.name}: ${(err as Error).message}`);
    }
  }
  progress.done();
  return { files, failed };
}

export async function sysdump(f: SysdumpFlags, now = new Date()): Promise<SysdumpResult> {
  const kc = loadKubeConfig(f);
  const namespace = f.namespace ?? f['relay-namespace'] ?? DEFAULT_NAMESPACE;
  const base = `netobs-sysdump-${stamp(now)}`;
  const file = f.output ?? `${base}.tar.gz`;
  const progress = createProgress();
  progress.log(`collecting a sysdump of netobs in ${kc.getCurrentContext()} (namespace ${namespace}) into ${file}`);
  let relay: Promise<RelayApi> | undefined;
  const ctx: SysdumpContext = {
    kc, objs: new Objects(kc), namespace, flows: f.flows, needles: [],
    relay: () => (relay ??= RelayApi.connect(f)),
  };
  let collected;
  try {
    collected = await collectSysdump(ctx, SYSDUMP_PARTS, progress);
  } finally {
    await relay?.then((r) => r.close()).catch(() => {});
  }
  const { files, failed } = collected;
  if (failed.length) files.push({ name: 'errors.txt', data: failed.flatMap((p) => p.errors.map((e) => `${p.part}: ${e}\n`)).join('') });
  // The last guard: a secret value echoed anywhere (a log line, an annotation) does not leave.
  const entries = files.map((x) => ({ name: `${base}/${x.name}`, data: scrub(x.data, ctx.needles), mtime: now }));
  await writeFile(file, tarGz(entries)).catch((err: NodeJS.ErrnoException) => {
    throw new UserError(`sysdump: write ${file}: ${err.code ?? err.message}`);
  });
  const result = { file, files: files.map((x) => x.name), failed };
  if (failed.length) {
    const first = failed[0]!;
    throw new UserError(`sysdump: ${failed.length} of ${SYSDUMP_PARTS.length} parts failed (${first.part}: ${first.errors[0]}); wrote a partial archive ${file}, see errors.txt in it`, {
      details: failed.map((p) => `${p.part}:\n  ${p.errors.join('\n  ')}`).join('\n'),
    });
  }
  process.stderr.write(`wrote ${file} (${files.length} files)\n`);
  return result;
}
