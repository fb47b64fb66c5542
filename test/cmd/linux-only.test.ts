// Linux-only commands on macOS and Windows: one line naming the platform, a non-zero exit, and
// neither the handler nor any subcommand's handler runs.
import test from 'ava';
import yargs from 'yargs';
import type { CommandModule } from 'yargs';
import { linuxOnly } from '../../cmd/linux-only.ts';
import { isUserError } from '../../lib/errors.ts';

function commands(ran: string[]): CommandModule[] {
  const lab: CommandModule = {
    command: 'lab',
    describe: 'lab',
    builder: (y) => y.command({ command: 'status', describe: 'status', handler: () => void ran.push('lab status') }).demandCommand(1),
    handler: () => {},
  };
  const sleep: CommandModule = { command: 'sleep', describe: false, handler: () => void ran.push('sleep') };
  return [lab, sleep];
}

async function parse(args: string[], platform: NodeJS.Platform): Promise<{ ran: string[]; err?: unknown }> {
  const ran: string[] = [];
  let y = yargs(args).exitProcess(false).fail((msg, err) => {
    throw err ?? new Error(msg);
  });
  for (const c of commands(ran)) y = y.command(linuxOnly(c, () => platform));
  try {
    await y.parseAsync();
    return { ran };
  } catch (err) {
    return { ran, err };
  }
}

const refused = test.macro(async (t, args: string[], platform: NodeJS.Platform, shown: string) => {
  const { ran, err } = await parse(args, platform);
  t.deepEqual(ran, []);
  t.true(isUserError(err));
  const msg = (err as Error).message;
  t.is(msg.split('\n').length, 1);
  t.regex(msg, new RegExp(`^${args[0]}: needs Linux \\(this host is ${shown}\\)`));
});

test('lab status on Windows', refused, ['lab', 'status'], 'win32', 'Windows');
test('lab status on macOS', refused, ['lab', 'status'], 'darwin', 'macOS');
test('a role without a builder on Windows', refused, ['sleep'], 'win32', 'Windows');

test('on Linux the handlers run', async (t) => {
  t.deepEqual((await parse(['lab', 'status'], 'linux')).ran, ['lab status']);
  t.deepEqual((await parse(['sleep'], 'linux')).ran, ['sleep']);
});
