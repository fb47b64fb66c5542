// Builds the yargs command tree and runs it, mapping every failure to a one-line error and an exit code.
import yargs, { type Argv } from 'yargs';
import { COMMANDS } from './commands/index.ts';
import { withGlobals, type GlobalArgs } from './options.ts';
import { isUserError, longMessage, shortMessage } from '../lib/errors.ts';

export const SCRIPT_NAME = 'kubectl netobs';

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

const defaultIo: Io = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
};

/** The parser alone, without running handlers: what unit tests exercise. */
export function buildParser(args: string[], columns = process.stdout.columns ?? 100): Argv<GlobalArgs> {
  let y = withGlobals(yargs(args))
    .scriptName(SCRIPT_NAME)
    .usage('netobs: eBPF network observability and policy enforcement for Kubernetes\n\nUsage: $0 <command> [flags]')
    .strict()
    .recommendCommands()
    .demandCommand(1, 'a command is required')
    .help('help')
    .alias('help', 'h')
    .version(false)
    .wrap(Math.min(110, columns))
    .completion('__completion', false)
    // Handlers that care about flag order (observe's --not) read the raw arguments.
    .middleware((argv) => {
      // Not enumerable: strict mode would take it for an unknown flag.
      Object.defineProperty(argv, '$raw', { value: args, enumerable: false });
    }, true) as unknown as Argv<GlobalArgs>;
  for (const c of COMMANDS) y = y.command(c);
  return y;
}

/** Runs the CLI; resolves to the process exit code. */
export async function run(args: string[], io: Io = defaultIo): Promise<number> {
  let failure: { message: string; err: unknown } | undefined;
  const verbose = args.includes('--verbose');
  const parser = buildParser(args)
    .exitProcess(false)
    .fail((msg, err) => {
      failure = { message: msg ? oneLine(msg) : shortMessage(err), err };
      // Throwing stops yargs from running the handler after a validation failure.
      throw err ?? new Error(msg);
    });
  try {
    await parser.parseAsync();
  } catch (err) {
    failure ??= { message: shortMessage(err), err };
  }
  if (!failure) return 0;
  const usageError = failure.err === undefined || failure.err === null;
  io.err(`error: ${failure.message}\n`);
  if (usageError) io.err(`Run '${SCRIPT_NAME} --help' for usage.\n`);
  else if (verbose) io.err(longMessage(failure.err) + '\n');
  return isUserError(failure.err) ? failure.err.exitCode : 1;
}

/** yargs writes some validation errors over several lines; the terminal gets one. */
function oneLine(s: string): string {
  return s.replace(/:\s*\n\s*/g, ': ').replace(/\s*\n\s*/g, '; ').trim();
}

