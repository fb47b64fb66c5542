import type { CommandModule } from 'yargs';
import type { RelayFlags } from '../relay-api.ts';

export const uiCommand: CommandModule<RelayFlags, RelayFlags> = {
  command: 'ui',
  describe: 'Terminal UI: live flows, endpoints, BPF maps and policy verdicts (keys 1-4, / to filter, ? for help)',
  builder: (y) =>
    y
      .option('server', { type: 'string', describe: 'Relay address host:port, instead of a port-forward' })
      .option('relay-namespace', { type: 'string', default: 'netobs-system', describe: 'Namespace of the netobs relay' }) as never,
  handler: async (argv) => {
    const { runUiCommand } = await import('../ui/run.ts');
    await runUiCommand(argv);
  },
};
