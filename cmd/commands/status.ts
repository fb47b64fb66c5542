import type { CommandModule } from 'yargs';
import { checkOutput, type GlobalArgs } from '../options.ts';

interface StatusArgs extends GlobalArgs {
  wait: boolean;
  timeout: string;
}

export const statusCommand: CommandModule<GlobalArgs, StatusArgs> = {
  command: 'status',
  describe: 'Show the health of netobs: components, and per node the agent, datapath, endpoints and unmanaged pods',
  builder: (y) =>
    y
      .option('wait', { type: 'boolean', default: false, describe: 'Retry until healthy or --timeout' })
      .option('timeout', { type: 'string', default: '5m', describe: 'How long --wait waits, e.g. 90s, 5m' })
      .check(checkOutput(['json', 'yaml', 'wide'])) as never,
  handler: async (argv) => {
    const { showStatus } = await import('../install/run.ts');
    await showStatus(argv);
  },
};
