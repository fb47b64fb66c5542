// The release zip: unzip reads it back byte for byte with the modes, and the same input gives the
// same bytes.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { zip } from '../../krew/zip.ts';
import { prng } from '../../lib/prng.ts';

test('unzip extracts what zip wrote, modes included; output is deterministic', (t) => {
  const rng = prng(19);
  const exe = Buffer.from(Array.from({ length: 70_000 }, () => Math.floor(rng() * 256)));
  const entries = [{ name: 'kubectl-netobs.exe', data: exe, mode: 0o755 }, { name: 'LICENSE', data: Buffer.from('Apache License\n'.repeat(100)) }];
  const a = zip(entries);
  t.true(a.equals(zip(entries)));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'netobs-zip-'));
  try {
    writeFileSync(path.join(dir, 'a.zip'), a);
    execFileSync('unzip', ['-q', 'a.zip'], { cwd: dir });
    t.true(readFileSync(path.join(dir, 'kubectl-netobs.exe')).equals(exe));
    t.is(statSync(path.join(dir, 'kubectl-netobs.exe')).mode & 0o777, 0o755);
    t.is(statSync(path.join(dir, 'LICENSE')).mode & 0o777, 0o644);
    t.is(readFileSync(path.join(dir, 'LICENSE'), 'utf8'), 'Apache License\n'.repeat(100));
    t.regex(execFileSync('unzip', ['-t', 'a.zip'], { cwd: dir, encoding: 'utf8' }), /No errors detected/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
