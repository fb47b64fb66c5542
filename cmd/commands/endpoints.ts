import type { CommandModule } from 'yargs';
import { checkOutput, withRelayFlags } from '../options.ts';
import type { RelayFlags } from '../relay-api.ts';

interface EndpointsArgs extends RelayFlags {
  node?: string;
}

export const endpointsCommand: CommandModule<RelayFlags, EndpointsArgs> = {
  command: 'endpoints',
  describe: 'List the endpoints (pods) the agents manage: identity, labels, IPs, policy enforcement, status',
  builder: (y) =>
    withRelayFlags(y)
      .option('node', { type: 'string', describe: 'Only this node' })
      .check(checkOutput(['json', 'yaml', 'wide'])) as never,
  handler: async (argv) => {
    const { showEndpoints } = await import('../status-commands.ts');
    await showEndpoints(argv);
  },
};
