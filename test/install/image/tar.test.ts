import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readTar, writeTar, type TarEntry } from '../../../install/image/tar.ts';

const long = `${'d'.repeat(90)}/${'e'.repeat(60)}/file-with-a-long-name-${'f'.repeat(40)}.txt`;
const entries: TarEntry[] = [
  { type: 'dir', path: 'usr/' },
  { type: 'dir', path: 'tmp/', mode: 0o1777 },
  { type: 'file', path: 'usr/hello', data: Buffer.from('hello\n'), mode: 0o755 },
  { type: 'file', path: 'usr/empty', data: Buffer.alloc(0) },
  { type: 'file', path: 'usr/block', data: Buffer.alloc(512, 7) },
  { type: 'symlink', path: 'lib', target: 'usr/lib' },
  { type: 'file', path: long, data: Buffer.from('x') },
];

test('round-trips entries, modes and long names', (t) => {
  const back = readTar(writeTar(entries));
  t.deepEqual(
    back.map((e) => ({ ...e, ...(e.type === 'file' ? { data: Buffer.from(e.data).toString('base64') } : {}) })),
    entries.map((e) => ({
      ...e,
      ...(e.type === 'file' ? { data: Buffer.from(e.data).toString('base64'), mode: e.mode ?? 0o644 } : e.type === 'dir' ? { mode: e.mode ?? 0o755 } : {}),
    })),
  );
});

test('the same entries give the same bytes, padded to 512-byte blocks', (t) => {
  const a = writeTar(entries);
  t.deepEqual(a, writeTar(entries));
  t.is(a.length % 512, 0);
});

test('GNU tar reads what we write', (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'netobs-tar-'));
  const file = path.join(dir, 'x.tar');
  writeFileSync(file, writeTar(entries));
  const out = path.join(dir, 'out');
  execFileSync('mkdir', [out]);
  execFileSync('tar', ['-xf', file, '-C', out]);
  t.is(readFileSync(path.join(out, 'usr/hello'), 'utf8'), 'hello\n');
  t.is(statSync(path.join(out, 'usr/hello')).mode & 0o777, 0o755);
  t.is(readlinkSync(path.join(out, 'lib')), 'usr/lib');
  t.is(readFileSync(path.join(out, long), 'utf8'), 'x');
  t.is(execFileSync('tar', ['-tvf', file], { encoding: 'utf8' }).split('\n').filter(Boolean).length, entries.length);
});

test('a corrupted header is detected', (t) => {
  const buf = writeTar(entries);
  buf[10] = 0x41;
  t.throws(() => readTar(buf), { message: /bad header checksum at offset 0/ });
});

test('paths that cannot fit ustar are refused', (t) => {
  t.throws(() => writeTar([{ type: 'file', path: 'a'.repeat(120), data: Buffer.alloc(1) }]), { message: /path too long/ });
});
