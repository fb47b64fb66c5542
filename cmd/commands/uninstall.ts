import type { CommandModule } from 'yargs';
import { checkOutput, type GlobalArgs } from '../options.ts';

interface UninstallArgs extends GlobalArgs {
  'keep-crds': boolean;
  wait: boolean;
  timeout: string;
}

export const uninstallCommand: CommandModule<GlobalArgs, UninstallArgs> = {
  command: 'uninstall',
  describe: 'Remove netobs from the cluster: agents detach their programs, then everything install created',
  builder: (y) =>
    y
      .option('keep-crds', { type: 'boolean', default: false, describe: 'Keep the netobs CRDs and the policies stored in them' })
      .option('wait', { type: 'boolean', default: true, describe: 'Wait until every object is gone' })
      .option('timeout', { type: 'string', default: '5m', describe: 'How long to wait, e.g. 90s, 5m' })
      .check(checkOutput(['json'])) as never,
  handler: async (argv) => {
    const { uninstallFromCluster } = await import('../install/run.ts');
    await uninstallFromCluster(argv);
  },
};
