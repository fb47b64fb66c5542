import type { CommandModule } from 'yargs';
import { checkOutput } from '../options.ts';
import type { RelayFlags } from '../relay-api.ts';

interface EndpointsArgs extends RelayFlags {
  node?: string;
}

export const endpointsCommand: CommandModule<RelayFlags, EndpointsArgs> = {
  command: 'endpoints',
  describe: 'List the endpoints (pods) the agents manage: identity, labels, IPs, policy enforcement, status',
  builder: (y) =>
    y
      .option('node', { type: 'string', describe: 'Only this node' })
      .option('server', { type: 'string', describe: 'Relay address host:port, instead of a port-forward' })
      .option('relay-namespace', { type: 'string', default: 'netobs-system', describe: 'Namespace of the netobs relay' })
      .check(checkOutput(['json', 'yaml', 'wide'])) as never,
  handler: async (argv) => {
    const { showEndpoints } = await import('../status-commands.ts');
    await showEndpoints(argv);
  },
};
