// Bundles the CLI into one CommonJS file for Node's single executable (SEA runs CommonJS only).
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';

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

const RUNTIME_PREFIX = 'netobs-runtime:';

/**
 * Handlers import heavy code with `await import('…')`. In the CLI bundle those imports of project
 * modules become references to the runtime bundle (see scripts/sea/runtime-loader.cjs); the
 * plugin collects them so the runtime bundle is built with exactly those entry points.
 */
function runtimeSplitPlugin(targets: Set<string>): Plugin {
  return {
    name: 'runtime-split',
    setup(b) {
      b.onResolve({ filter: /^\./ }, (args) => {
        if (args.kind !== 'dynamic-import' || args.importer.includes('node_modules')) return undefined;
        const rel = path.relative(root, path.resolve(path.dirname(args.importer), args.path));
        targets.add(rel);
        return { path: RUNTIME_PREFIX + rel, external: true };
      });
    },
  };
}

function sharedOptions(): BuildOptions {
  return {
    bundle: true,
    platform: 'node',
    target: 'node24',
    minifySyntax: true,
    minifyWhitespace: true,
    keepNames: true,
    legalComments: 'none',
    logLevel: 'warning',
    jsx: 'automatic',
    // Optional native accelerators and dev tools some dependencies probe for; absent is normal.
    external: ['bufferutil', 'utf-8-validate', 'cpu-features', 'react-devtools-core', 'node:sea'],
    define: {
      __NETOBS_VERSION__: JSON.stringify(packageVersion()),
      __NETOBS_COMMIT__: JSON.stringify(gitCommit()),
      'process.env.NODE_ENV': '"production"',
    },
  };
}

export interface BundleOutput {
  cli: string;
  runtimeDir: string;
  runtimeFiles: string[];
}

/** Builds outDir/kubectl-netobs.cjs (the CLI) and outDir/runtime/ (ES modules loaded on demand). */
export async function bundle(outDir: string): Promise<BundleOutput> {
  const cli = path.join(outDir, 'kubectl-netobs.cjs');
  const runtimeDir = path.join(outDir, 'runtime');
  await rm(outDir, { recursive: true, force: true });
  const targets = new Set<string>();
  const shared = sharedOptions();
  await build({
    ...shared,
    entryPoints: [path.join(root, 'cmd/main.ts')],
    outfile: cli,
    format: 'cjs',
    plugins: [koffiPlugin, snapshotPlugin, runtimeSplitPlugin(targets)],
    define: { ...shared.define, 'import.meta.url': '__netobs_import_meta_url', 'import.meta.dirname': '__dirname' },
    banner: { js: 'const __netobs_import_meta_url = require("node:url").pathToFileURL(__filename).href;\n' + (await readFile(path.join(root, 'scripts/sea/runtime-loader.cjs'), 'utf8')) },
  });
  const cliCode = await readFile(cli, 'utf8');
  await writeFile(cli, cliCode.replaceAll(`import("${RUNTIME_PREFIX}`, '__netobsRuntime("'));

  const entryPoints: Record<string, string> = {};
  for (const rel of targets) entryPoints[rel.replace(/\.[^.]+$/, '').replace(/[^a-zA-Z0-9]+/g, '-')] = path.join(root, rel);
  const result = await build({
    ...shared,
    entryPoints,
    outdir: runtimeDir,
    format: 'esm',
    splitting: true,
    metafile: true,
    plugins: [koffiPlugin],
    // CommonJS dependencies inside ES modules need require, __filename and __dirname of their own.
    define: { ...shared.define, __filename: '__netobs_filename', __dirname: '__netobs_dirname' },
    banner: {
      js: [
        "import { createRequire as __netobsCreateRequire } from 'node:module';",
        "import { fileURLToPath as __netobsFileURLToPath } from 'node:url';",
        'const require = __netobsCreateRequire(import.meta.url);',
        'const __netobs_filename = __netobsFileURLToPath(import.meta.url);',
        "const __netobs_dirname = __netobs_filename.slice(0, Math.max(__netobs_filename.lastIndexOf('/'), __netobs_filename.lastIndexOf('\\\\')));",
      ].join(' '),
    },
  });
  const entries: Record<string, string> = {};
  for (const [out, meta] of Object.entries(result.metafile.outputs)) {
    if (!meta.entryPoint) continue;
    const rel = path.relative(root, path.resolve(root, meta.entryPoint));
    entries[rel] = path.basename(out);
  }
  const runtimeFiles = (await readdir(runtimeDir)).sort();
  const hash = createHash('sha256');
  for (const f of runtimeFiles) hash.update(f).update(await readFile(path.join(runtimeDir, f)));
  const manifest = { id: hash.digest('hex').slice(0, 16), entries, files: runtimeFiles };
  await writeFile(path.join(runtimeDir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return { cli, runtimeDir, runtimeFiles };
}

/** The SEA assets that carry the runtime bundle. */
export function runtimeAssets(out: BundleOutput): Record<string, string> {
  const assets: Record<string, string> = { 'runtime/manifest.json': path.join(out.runtimeDir, 'manifest.json') };
  for (const f of out.runtimeFiles) assets[`runtime/${f}`] = path.join(out.runtimeDir, f);
  return assets;
}
