// `kubectl netobs sysdump`: one archive for a bug report, as cilium-cli's sysdump.
import type { CommandModule } from 'yargs';
import { withRelayFlags } from '../options.ts';
import type { SysdumpFlags } from '../sysdump/run.ts';
import type { RelayFlags } from '../relay-api.ts';

export const sysdumpCommand: CommandModule<RelayFlags, SysdumpFlags> = {
  command: 'sysdump',
  describe: 'Write one tar.gz with status, agent status documents, map summaries, recent flows, logs, events, values and the netobs objects (Secrets redacted)',
  builder: (y) =>
    withRelayFlags(y)
      // Here -o names the archive, as a file is the only thing sysdump writes.
      .option('output', { alias: 'o', type: 'string', describe: 'Archive to write (default: netobs-sysdump-<time>.tar.gz in this directory)' })
      .option('flows', { type: 'number', default: 10_000, describe: 'How many recent flows to include' })
      .example('$0 sysdump -o /tmp/netobs.tar.gz', 'Collect everything for a bug report') as never,
  handler: async (argv) => {
    const { sysdump } = await import('../sysdump/run.ts');
    await sysdump(argv);
  },
};
