// Commands that need a Linux host (the lab, the agent and the other pod roles): on macOS or
// Windows they stop before loading anything, with one line saying so.
import type { Argv, CommandModule } from 'yargs';
import { UserError } from '../lib/errors.ts';

const CLIENT_COMMANDS = 'install, status, observe, ui, connectivity test and policy validate work here';

export function linuxOnly<T, U>(cmd: CommandModule<T, U>, platform: () => NodeJS.Platform = () => process.platform): CommandModule<T, U> {
  const name = String(Array.isArray(cmd.command) ? cmd.command[0] : cmd.command).split(' ')[0];
  const check = (): void => {
    const p = platform();
    if (p !== 'linux') throw new UserError(`${name}: needs Linux (this host is ${p === 'win32' ? 'Windows' : p === 'darwin' ? 'macOS' : p}): run it on a Linux host; ${CLIENT_COMMANDS}`);
  };
  const builder = cmd.builder;
  return {
    ...cmd,
    // A middleware of the command's own builder also runs before each of its subcommands' handlers.
    builder: (y: Argv<T>) => {
      const built = typeof builder === 'function' ? builder(y) : builder ? y.options(builder) : y;
      return (built as Argv<T>).middleware(check) as unknown as Argv<U>;
    },
  };
}
