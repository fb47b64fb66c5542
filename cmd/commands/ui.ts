import type { CommandModule } from 'yargs';
import type { RelayFlags } from '../relay-api.ts';
import { withRelayFlags } from '../options.ts';

export const uiCommand: CommandModule<RelayFlags, RelayFlags> = {
  command: 'ui',
  describe: 'Terminal UI: live flows, endpoints, BPF maps and policy verdicts (keys 1-4, / to filter, ? for help)',
  builder: (y) =>
    withRelayFlags(y) as never,
  handler: async (argv) => {
    const { runUiCommand } = await import('../ui/run.ts');
    await runUiCommand(argv);
  },
};
