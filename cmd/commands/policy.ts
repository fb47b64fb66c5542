import type { Argv, CommandModule } from 'yargs';
import { checkOutput, withRelayFlags, type GlobalArgs } from '../options.ts';
import type { ExplainArgs } from '../policy/explain.ts';

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

const explain: CommandModule<GlobalArgs, ExplainArgs> = {
  command: 'explain <src> <dst>',
  describe: 'Why a connection is allowed or denied: the deciding policy map entry, the lookup order, the policies that made each endpoint default-deny, the rule',
  builder: (y) =>
    withRelayFlags(y)
      .positional('src', { type: 'string', demandOption: true, describe: 'Source: namespace/pod, an IP or an identity number' })
      .positional('dst', { type: 'string', demandOption: true, describe: 'Destination and port: namespace/pod:80/TCP, IP:53/UDP, identity:PORT (TCP by default); for ICMP the port is the type' })
      .option('policies', { type: 'string', array: true, describe: 'Offline: explain with these policy files instead of the live agents (needs --cluster-file)' })
      .option('cluster-file', { type: 'string', array: true, describe: 'Offline: the cluster snapshot (pods, namespaces, services, nodes, policies as YAML, e.g. kubectl get ... -o yaml)' })
      .check(checkOutput(['json', 'yaml'])) as unknown as Argv<ExplainArgs>,
  handler: async (argv) => {
    const { runExplain, printExplanation } = await import('../policy/explain.ts');
    await printExplanation(await runExplain(argv), argv.output);
  },
};

export const policyCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'policy <command>',
  describe: 'Work with network policies',
  builder: (y) => y.command(validate).command(explain).demandCommand(1) as unknown as Argv<GlobalArgs>,
  handler: () => {},
};
