// Lab tests need root (network namespaces). CI always runs as root, so there they never skip:
// a CI run that is not root fails loudly instead of passing on skipped tests.
import test, { type TestFn } from 'ava';

export const canRunLab = process.getuid?.() === 0 || Boolean(process.env['CI']);

/** test.serial where a lab can run; elsewhere skipped, with one test that says why. */
export function labSerial(what: string): TestFn['serial'] | TestFn['serial']['skip'] {
  if (!canRunLab) test(`${what} needs root (network namespaces): skipped`, (t) => t.pass());
  return canRunLab ? test.serial : test.serial.skip;
}
