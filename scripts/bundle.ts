// Bundles the CLI into one CommonJS file for Node's single executable (SEA runs CommonJS only).
import { build, type Plugin } from 'esbuild';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

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

// The single executable starts from a V8 snapshot of the loaded CLI (scripts/sea.ts). Two module
// top levels in the CLI's import graph create objects V8 cannot serialise: yargs reads
// process.stdout.columns (opening stdout) and string-width builds an Intl.Segmenter. Both are
// made lazy here; the CLI passes the terminal width when it parses.
const SNAPSHOT_PATCHES: { file: RegExp; from: RegExp; to: string }[] = [
  { file: /yargs[\\/]lib[\\/]platform-shims[\\/]esm\.mjs$/, from: /stdColumns: typeof process\.stdout\.columns[^\n]*\n/, to: 'stdColumns: null\n' },
  {
    file: /string-width[\\/]index\.js$/,
    from: /^const segmenter = new Intl\.Segmenter\(\);$/m,
    to: 'let lazySegmenter; const segmenter = { segment: (s) => (lazySegmenter ??= new Intl.Segmenter()).segment(s) };',
  },
];

const snapshotPlugin: Plugin = {
  name: 'snapshot-safe',
  setup(b) {
    for (const p of SNAPSHOT_PATCHES) {
      b.onLoad({ filter: p.file }, async (args) => {
        const src = await readFile(args.path, 'utf8');
        const patched = src.replace(p.from, p.to);
        if (patched === src) throw new Error(`snapshot-safe: ${args.path} changed upstream; update SNAPSHOT_PATCHES`);
        return { contents: patched, loader: 'js' };
      });
    }
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
    plugins: [koffiPlugin, snapshotPlugin],
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
