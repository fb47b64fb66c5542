import type { Argv, CommandModule } from 'yargs';
import { checkOutput, type GlobalArgs } from '../options.ts';
import { generateCommand } from './policy-generate.ts';

interface ValidateArgs extends GlobalArgs {
  filename: string[];
}

const validate: CommandModule<GlobalArgs, ValidateArgs> = {
  command: 'validate',
  describe: 'Check policy files (NetworkPolicy, netobs NetworkPolicy and ClusterwideNetworkPolicy) without a cluster',
  builder: (y) =>
    y
      .option('filename', { alias: 'f', type: 'string', array: true, demandOption: true, describe: 'Policy file (YAML or JSON, several documents allowed; - for stdin)' })
      .check(checkOutput(['json', 'yaml'])) as unknown as Argv<ValidateArgs>,
  handler: async (argv) => {
    const { validateFiles, formatChecks } = await import('../policy/validate.ts');
    const { UserError } = await import('../../lib/errors.ts');
    const checks = await validateFiles(argv.filename);
    if (argv.output === 'json') process.stdout.write(JSON.stringify(checks, null, 2) + '\n');
    else if (argv.output === 'yaml') process.stdout.write((await import('yaml')).stringify(checks));
    else process.stdout.write(formatChecks(checks));
    const bad = checks.filter((c) => !c.valid).length;
    if (checks.length === 0) throw new UserError('policy validate: no documents found in the given files');
    if (bad > 0) throw new UserError(`policy validate: ${bad} of ${checks.length} policies are invalid`);
  },
};

export const policyCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'policy <command>',
  describe: 'Work with network policies',
  builder: (y) => y.command(validate).command(generateCommand).demandCommand(1) as unknown as Argv<GlobalArgs>,
  handler: () => {},
};
