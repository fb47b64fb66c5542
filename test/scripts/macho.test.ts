// scripts/macho.ts on a small synthetic executable: the signature it writes is found, parsed and
// its every page hash recomputed by test/krew/macho-check.ts (the same reader agrees with Apple's
// own signature on the registry's node binary; see the package test's darwin build); re-signing
// replaces the signature instead of stacking another.
import test from 'ava';
import { adhocSign, parseMachO } from '../../scripts/macho.ts';
import { checkMachO } from '../krew/macho-check.ts';
import { prng } from '../../lib/prng.ts';

/** MH_EXECUTE with __TEXT (one section at 0x1000), __LINKEDIT to the end of the file. */
function tinyExecutable(textSize: number, linkeditSize: number): Buffer {
  const rng = prng(7);
  const textFileSize = 0x1000 + textSize;
  const b = Buffer.alloc(textFileSize + linkeditSize);
  for (let i = 0x1000; i < b.length; i++) b[i] = Math.floor(rng() * 256);
  b.writeUInt32LE(0xfeedfacf, 0);
  b.writeUInt32LE(0x01000007, 4);
  b.writeUInt32LE(3, 8);
  b.writeUInt32LE(2, 12); // MH_EXECUTE
  b.writeUInt32LE(2, 16); // ncmds
  b.writeUInt32LE(72 + 80 + 72, 20);
  let o = 32;
  b.writeUInt32LE(0x19, o);
  b.writeUInt32LE(72 + 80, o + 4);
  b.write('__TEXT', o + 8, 'latin1');
  b.writeBigUInt64LE(0x100000000n, o + 24);
  b.writeBigUInt64LE(BigInt(textFileSize), o + 32);
  b.writeBigUInt64LE(0n, o + 40);
  b.writeBigUInt64LE(BigInt(textFileSize), o + 48);
  b.writeUInt32LE(1, o + 64);
  b.write('__text', o + 72, 'latin1');
  b.write('__TEXT', o + 88, 'latin1');
  b.writeBigUInt64LE(BigInt(textSize), o + 72 + 40);
  b.writeUInt32LE(0x1000, o + 72 + 48);
  o += 72 + 80;
  b.writeUInt32LE(0x19, o);
  b.writeUInt32LE(72, o + 4);
  b.write('__LINKEDIT', o + 8, 'latin1');
  b.writeBigUInt64LE(0x100000000n + BigInt(textFileSize), o + 24);
  b.writeBigUInt64LE(BigInt(linkeditSize), o + 32);
  b.writeBigUInt64LE(BigInt(textFileSize), o + 40);
  b.writeBigUInt64LE(BigInt(linkeditSize), o + 48);
  return b;
}

test('an unsigned executable gets LC_CODE_SIGNATURE and a CodeDirectory that matches every page', (t) => {
  const input = tinyExecutable(0x3000, 1234);
  const signed = adhocSign(input, 'kubectl-netobs');
  const m = parseMachO(signed);
  t.is(m.ncmds, 3);
  t.is(m.codeSignature?.dataoff, Math.ceil(input.length / 16) * 16);
  t.true(signed.subarray(0x1000, input.length).equals(input.subarray(0x1000)), 'code and data are untouched');
  const c = checkMachO(signed);
  t.like(c.signature, { slots: [0, 2], identifier: 'kubectl-netobs', flags: 2, hashType: 2, pageShift: 12, badPages: [], requirementsHashOk: true, linkeditEndsAtSignature: true });
  t.is(c.signature?.nCodeSlots, Math.ceil(c.signature!.codeLimit / 4096));
  t.is(c.signature?.execSegLimit, BigInt(0x4000));
});

test('a changed byte shows as a bad page', (t) => {
  const signed = adhocSign(tinyExecutable(0x3000, 100), 'x');
  signed.writeUInt8(signed.readUInt8(0x2345) ^ 1, 0x2345);
  t.deepEqual(checkMachO(signed).signature?.badPages, [2]);
});

test('signing a signed executable replaces its signature', (t) => {
  const once = adhocSign(tinyExecutable(0x2000, 500), 'kubectl-netobs');
  const twice = adhocSign(once, 'kubectl-netobs');
  t.true(twice.equals(once));
  t.is(parseMachO(twice).ncmds, 3);
});

test('no room for the load command is an error, not a corrupt file', (t) => {
  const b = tinyExecutable(0x1000, 100);
  b.writeUInt32LE(0x1000 - 8, 20); // pretend the commands fill the header page
  b.writeUInt32LE(0x1000 - 8 - 72, 32 + 72 + 80 + 4); // the __LINKEDIT command takes the rest
  t.throws(() => adhocSign(b, 'x'), { message: /mach-o/ });
});
