import type { Argv, CommandModule } from 'yargs';
import { FILTER_FLAGS } from '../../api/filter/cli-flags.ts';
import { checkOutput, withRelayFlags, type GlobalArgs } from '../options.ts';
import type { ObserveFlags } from '../observe/run.ts';

export const observeCommand: CommandModule<GlobalArgs, ObserveFlags> = {
  command: 'observe',
  describe: 'Show flows from every node (hubble observe): filters, --follow, compact/dict/json/table output',
  builder: (y) => {
    let b = withRelayFlags(y)
      .option('last', { type: 'number', describe: 'Get the last N flows (default 20 unless --since/--until/--all)' })
      .option('first', { type: 'number', describe: 'Get the first N flows stored' })
      .option('all', { type: 'boolean', describe: 'Get every flow stored' })
      .option('follow', { alias: 'f', type: 'boolean', describe: 'Keep printing new flows as they arrive' })
      .option('since', { type: 'string', describe: 'Flows since this time: a duration ago (5m) or RFC 3339' })
      .option('until', { type: 'string', describe: 'Flows until this time: a duration ago (1m) or RFC 3339' })
      .option('color', { type: 'string', choices: ['auto', 'always', 'never'], default: 'auto', describe: 'Colour verdicts (auto: on a terminal, unless NO_COLOR)' })
      .option('print-node-name', { type: 'boolean', default: false, describe: 'Print the node that observed each flow' })
      .option('utc', { type: 'boolean', default: false, describe: 'Print times in UTC' }) as unknown as Argv<GlobalArgs>;
    for (const flag of FILTER_FLAGS) {
      if (flag.name === 'namespace') continue; // the global -n/--namespace, read as a filter here
      b = b.option(flag.name, {
        type: flag.boolean ? 'boolean' : 'string',
        ...(flag.alias ? { alias: flag.alias } : {}),
        describe: flag.describe,
        group: 'Filters:',
      }) as unknown as Argv<GlobalArgs>;
    }
    return b
      .example('$0 observe --namespace default --verdict DROPPED', 'Drops in namespace default')
      .example('$0 observe --pod default/xwing --follow', 'Follow one pod')
      .example('$0 observe -t l7 -o json', 'L7 flows as JSON')
      .check(checkOutput(['compact', 'dict', 'json', 'jsonpb', 'table'])) as unknown as Argv<ObserveFlags>;
  },
  handler: async (argv) => {
    const { observe } = await import('../observe/run.ts');
    await observe(argv);
  },
};
