// Assets (BPF objects, CRDs, dashboards, native modules) are embedded in the single
// executable; from a source checkout they are read from the build output instead.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** Names of every embedded asset and where the build finds it, relative to the repository. */
export const ASSET_SOURCES: Record<string, string> = {
  'netobs.bpf.o': 'build/bpf/netobs.bpf.o',
};

interface SeaModule {
  isSea(): boolean;
  getAsset(key: string): ArrayBuffer;
}

let sea: SeaModule | null | undefined;

function seaModule(): SeaModule | null {
  if (sea === undefined) {
    try {
      // node:sea exists in every Node 24 build; require keeps it out of the bundle graph.
      const req = createRequire(import.meta.url);
      const mod = req('node:sea') as SeaModule;
      sea = mod.isSea() ? mod : null;
    } catch {
      sea = null;
    }
  }
  return sea;
}

export function isSingleExecutable(): boolean {
  return seaModule() !== null;
}

/** The repository root when running from source (this file lives in lib/). */
export function repoRoot(): string {
  return path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
}

export function readAsset(name: string): Buffer {
  const s = seaModule();
  if (s) return Buffer.from(s.getAsset(name));
  const rel = ASSET_SOURCES[name];
  if (!rel) throw new Error(`unknown asset ${name}`);
  const file = path.join(repoRoot(), rel);
  try {
    return readFileSync(file);
  } catch (err) {
    throw new Error(`read asset ${name} from ${file}: ${(err as Error).message} (run 'npm run build' first)`, { cause: err });
  }
}
