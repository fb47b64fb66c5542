// The tar writer's output as the system's tar reads it: names (long ones through the ustar
// prefix), contents, sizes on and off block boundaries, modes.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { tar, tarGz } from '../../lib/tar.ts';

test('GNU tar extracts what tarGz wrote, byte for byte', (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'netobs-tar-'));
  try {
    const long = `top/${'d'.repeat(60)}/${'e'.repeat(60)}/file.log`;
    const block = Buffer.alloc(512, 7);
    const entries = [
      { name: 'top/a.txt', data: 'hello\n' },
      { name: 'top/empty', data: '' },
      { name: 'top/block.bin', data: block },
      { name: long, data: 'ü long name\n' },
      { name: 'top/run.sh', data: '#!/bin/sh\n', mode: 0o755 },
    ];
    writeFileSync(path.join(dir, 'x.tar.gz'), tarGz(entries));
    t.deepEqual(execFileSync('tar', ['-tzf', path.join(dir, 'x.tar.gz')], { encoding: 'utf8' }).trim().split('\n'), entries.map((e) => e.name));
    execFileSync('tar', ['-xzf', path.join(dir, 'x.tar.gz'), '-C', dir]);
    t.is(readFileSync(path.join(dir, 'top/a.txt'), 'utf8'), 'hello\n');
    t.is(readFileSync(path.join(dir, 'top/empty'), 'utf8'), '');
    t.deepEqual(readFileSync(path.join(dir, 'top/block.bin')), block);
    t.is(readFileSync(path.join(dir, long), 'utf8'), 'ü long name\n');
    t.is(statSync(path.join(dir, 'top/run.sh')).mode & 0o777, 0o755);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('blocks are 512 bytes and the archive ends with two empty ones; a name that cannot fit is refused', (t) => {
  const b = tar([{ name: 'a', data: 'x' }]);
  t.is(b.length, 512 * 4);
  t.true(b.subarray(1024).every((x) => x === 0));
  t.throws(() => tar([{ name: 'x'.repeat(120), data: '' }]), { message: /path too long for ustar/ });
});
