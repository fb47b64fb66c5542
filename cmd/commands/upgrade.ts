// `kubectl netobs upgrade`: install again at this plugin's version, keeping the values the last
// install stored in the cluster (-f and --set on top), after printing what changes.
import type { CommandModule } from 'yargs';
import { checkOutput, type GlobalArgs } from '../options.ts';
import type { InstallFlags } from '../install/values-options.ts';
import { valuesFlags } from './install.ts';

export const upgradeCommand: CommandModule<GlobalArgs, InstallFlags> = {
  command: 'upgrade',
  describe: "Upgrade netobs to this plugin's version, keeping the values of the last install; prints what changes",
  builder: (y) =>
    valuesFlags(y)
      .example('$0 upgrade', 'Move to this version with the same values')
      .example('$0 upgrade --set agent.logLevel=debug', 'Same values but one')
      .check(checkOutput(['json'])) as never,
  handler: async (argv) => {
    const { installToCluster } = await import('../install/run.ts');
    await installToCluster(argv, 'upgrade');
  },
};
