// Bundles the CLI into one CommonJS file for Node's single executable (SEA runs CommonJS only).
import { build, type Plugin } from 'esbuild';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const root = path.resolve(import.meta.dirname, '..');

export function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

export function packageVersion(): string {
  return (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
}

// koffi's ESM entry finds its native part through createRequire(import.meta.url), which a bundle
// cannot follow: use the CommonJS entry and replace the platform packages with the asset shim.
const koffiPlugin: Plugin = {
  name: 'koffi-sea',
  setup(b) {
    b.onResolve({ filter: /^koffi$/ }, () => ({ path: path.join(root, 'node_modules/koffi/index.cjs') }));
    b.onResolve({ filter: /^@koromix\/koffi-/ }, () => ({ path: path.join(root, 'scripts/sea/koffi-shim.cjs') }));
  },
};

export async function bundle(outfile: string): Promise<void> {
  await build({
    entryPoints: [path.join(root, 'cmd/main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node24',
    minifySyntax: true,
    minifyWhitespace: true,
    keepNames: true,
    legalComments: 'none',
    logLevel: 'warning',
    jsx: 'automatic',
    plugins: [koffiPlugin],
    // Optional native accelerators some dependencies probe for; absent is the normal case.
    external: ['bufferutil', 'utf-8-validate', 'cpu-features', 'node:sea'],
    define: {
      __NETOBS_VERSION__: JSON.stringify(packageVersion()),
      __NETOBS_COMMIT__: JSON.stringify(gitCommit()),
      'import.meta.url': '__netobs_import_meta_url',
      'import.meta.dirname': '__dirname',
      'process.env.NODE_ENV': '"production"',
    },
    banner: { js: 'const __netobs_import_meta_url = require("node:url").pathToFileURL(__filename).href;' },
  });
}
