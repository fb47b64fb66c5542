import type { CommandModule } from 'yargs';
import { checkOutput, withRelayFlags } from '../options.ts';
import type { RelayFlags } from '../relay-api.ts';

interface MapsArgs extends RelayFlags {
  name?: string;
  node?: string;
  offset: number;
  limit: number;
  continue?: string;
}

export const mapsCommand: CommandModule<RelayFlags, MapsArgs> = {
  command: 'maps [name]',
  describe: "List the agents' BPF maps with their pressure, or the entries of one map (ipcache, policy, ct, endpoint)",
  builder: (y) =>
    withRelayFlags(y)
      .positional('name', { type: 'string', describe: 'A map name, e.g. netobs_ipcache, to list its entries' })
      .option('node', { type: 'string', describe: 'Only this node' })
      .option('offset', { type: 'number', default: 0, describe: 'First entry to show (with NAME)' })
      .option('limit', { type: 'number', default: 100, describe: 'How many entries to show per node (with NAME)' })
      .option('continue', { type: 'string', describe: 'Continue token printed after a page (with NAME and --node): the next page, read without re-walking the map' })
      .check(checkOutput(['json', 'yaml'])) as never,
  handler: async (argv) => {
    const { showMaps } = await import('../status-commands.ts');
    await showMaps(argv);
  },
};
