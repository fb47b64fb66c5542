// `npm run build`: BPF objects, the TypeScript bundle, then dist/kubectl-netobs for this machine.
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { bundle, runtimeAssets } from './bundle.ts';
import { makeSea } from './sea.ts';
import { assetFiles, hostKoffiNode } from './sea-assets.ts';

const root = path.resolve(import.meta.dirname, '..');

async function main(): Promise<void> {
  const step = (s: string) => process.stderr.write(`build: ${s}\n`);
  step('compiling BPF objects');
  execFileSync(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), path.join(root, 'scripts/build-bpf.ts')], { stdio: 'inherit' });
  step('bundling TypeScript');
  const out = await bundle(path.join(root, 'build/bundle'));
  step('writing dist/kubectl-netobs (Node single executable)');
  makeSea({
    bundle: out.cli,
    nodeBinary: process.execPath,
    output: path.join(root, 'dist/kubectl-netobs'),
    assets: { ...assetFiles(hostKoffiNode()), ...runtimeAssets(out) },
    snapshot: true,
    workDir: path.join(root, 'build/sea'),
  });
  step('done: dist/kubectl-netobs');
}

main().catch((err: unknown) => {
  process.stderr.write(`build failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
