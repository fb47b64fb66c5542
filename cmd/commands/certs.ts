import type { CommandModule } from 'yargs';
import { checkOutput, type GlobalArgs } from '../options.ts';

interface CertsArgs extends GlobalArgs {
  'validity-days'?: number;
}

const rotate: CommandModule<GlobalArgs, CertsArgs> = {
  command: 'rotate',
  describe: 'Re-issue the agent, relay and kubectl-netobs certificates from the netobs CA; agent and relay pick them up without a restart',
  builder: (y) =>
    y
      .option('validity-days', { type: 'number', describe: 'Validity of the new certificates in days (default 1095, at most the CA\'s)' })
      .check(checkOutput(['json'])) as never,
  handler: async (argv) => {
    const { rotateCerts } = await import('../install/certs.ts');
    await rotateCerts(argv);
  },
};

export const certsCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'certs <command>',
  describe: 'Manage netobs\'s TLS certificates',
  builder: (y) => y.command(rotate).demandCommand(1) as never,
  handler: () => {},
};
