import test from 'ava';
import { parseDuration } from '../../cmd/duration.ts';

const ok = test.macro((t, text: string, ms: number) => t.is(parseDuration(text, '--timeout'), ms));
test('seconds', ok, '90s', 90_000);
test('minutes', ok, '5m', 300_000);
test('combined', ok, '1h30m', 5_400_000);
test('milliseconds', ok, '500ms', 500);
for (const bad of ['', '5', 'm5', '5x', '5m garbage']) {
  test(`rejects ${JSON.stringify(bad)}`, (t) => {
    t.throws(() => parseDuration(bad, '--timeout'), { message: /invalid --timeout .*use a duration such as 90s/ });
  });
}
