// `npm run package` end to end: both archives exist, hold the binary and LICENSE, the binaries are
// ELF executables for their architecture, and the krew manifest's sha256 values match the files.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';

const root = path.resolve(import.meta.dirname, '../..');
const ELF_MACHINE = { amd64: 62, arm64: 183 } as const;

interface Platform {
  selector: { matchLabels: { os: string; arch: keyof typeof ELF_MACHINE } };
  uri: string;
  sha256: string;
  bin: string;
}

test('release archives and krew manifest agree', (t) => {
  execFileSync('npm', ['run', '--silent', 'package'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  const manifest = parse(readFileSync(path.join(root, 'krew/netobs.yaml'), 'utf8')) as {
    apiVersion: string;
    kind: string;
    spec: { shortDescription: string; description: string; platforms: Platform[] };
  };
  t.is(manifest.apiVersion, 'krew.googlecontainertools.github.com/v1alpha2');
  t.is(manifest.kind, 'Plugin');
  t.truthy(manifest.spec.shortDescription);
  t.deepEqual(manifest.spec.platforms.map((p) => p.selector.matchLabels.arch).sort(), ['amd64', 'arm64']);
  for (const p of manifest.spec.platforms) {
    const file = path.join(root, 'dist/release', path.basename(p.uri));
    const bytes = readFileSync(file);
    t.is(createHash('sha256').update(bytes).digest('hex'), p.sha256, `sha256 of ${path.basename(file)}`);
    t.is(p.bin, 'kubectl-netobs');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'netobs-pkg-'));
    try {
      execFileSync('tar', ['-xzf', file, '-C', dir]);
      t.deepEqual(readdir(dir), ['LICENSE', 'kubectl-netobs']);
      const elf = readFileSync(path.join(dir, 'kubectl-netobs')).subarray(0, 20);
      t.is(elf.toString('latin1', 1, 4), 'ELF');
      t.is(elf.readUInt16LE(18), ELF_MACHINE[p.selector.matchLabels.arch]);
      t.deepEqual(runVersion(path.join(dir, 'kubectl-netobs'), p.selector.matchLabels.arch), { platform: `linux/${p.selector.matchLabels.arch === 'amd64' ? 'x64' : 'arm64'}` });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

function readdir(dir: string): string[] {
  return execFileSync('ls', [dir], { encoding: 'utf8' }).trim().split('\n').sort();
}

/** Runs `version -o json` natively, or under qemu user emulation for the other architecture. */
function runVersion(file: string, arch: keyof typeof ELF_MACHINE): { platform: string } {
  const native = (arch === 'amd64') === (process.arch === 'x64');
  const [cmd, args] = native ? [file, []] : ['qemu-aarch64-static', ['-L', '/usr/aarch64-linux-gnu', file]];
  const out = execFileSync(cmd, [...args, 'version', '-o', 'json'], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
  return { platform: (JSON.parse(out) as { platform: string }).platform };
}
