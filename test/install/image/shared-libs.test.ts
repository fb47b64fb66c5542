import test from 'ava';
import { parseLdconfig, parseLdd } from '../../../install/image/shared-libs.ts';

const LDD = `	linux-vdso.so.1 (0x00007ffd2f1e5000)
	libdl.so.2 => /lib/x86_64-linux-gnu/libdl.so.2 (0x00007f0c3c1d0000)
	libstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f0c3be00000)
	libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f0c3bc1f000)
	/lib64/ld-linux-x86-64.so.2 (0x00007f0c3c1f4000)
`;

test('parseLdd lists libraries and the loader, not the vdso', (t) => {
  t.deepEqual(parseLdd(LDD), [
    '/lib/x86_64-linux-gnu/libdl.so.2',
    '/lib/x86_64-linux-gnu/libstdc++.so.6',
    '/lib/x86_64-linux-gnu/libc.so.6',
    '/lib64/ld-linux-x86-64.so.2',
  ]);
  t.deepEqual(parseLdd('\tstatically linked\n'), []);
});

test('parseLdd refuses a missing library', (t) => {
  t.throws(() => parseLdd('\tlibbpf.so.1 => not found\n'), { message: 'ldd: libbpf.so.1 not found' });
});

test('parseLdconfig picks the soname for this architecture', (t) => {
  const out = `1234 libs found in cache \`/etc/ld.so.cache'
	libbpf.so.1 (libc6) => /lib/i386-linux-gnu/libbpf.so.1
	libbpf.so.1 (libc6,x86-64) => /lib/x86_64-linux-gnu/libbpf.so.1
	libbpf.so.1 (libc6,AArch64) => /lib/aarch64-linux-gnu/libbpf.so.1
	libbpf.so (libc6,x86-64) => /lib/x86_64-linux-gnu/libbpf.so
`;
  t.is(parseLdconfig(out, 'libbpf.so.1', 'x64'), '/lib/x86_64-linux-gnu/libbpf.so.1');
  t.is(parseLdconfig(out, 'libbpf.so.1', 'arm64'), '/lib/aarch64-linux-gnu/libbpf.so.1');
  t.is(parseLdconfig(out, 'libelf.so.1', 'x64'), undefined);
});
