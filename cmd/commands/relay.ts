// The relay role (Deployment pod): `kubectl-netobs relay [--config-dir DIR]`. Hidden from --help.
import type { CommandModule } from 'yargs';
import type { GlobalArgs } from '../options.ts';

interface RelayArgs extends GlobalArgs {
  'config-dir'?: string;
  peer?: string[];
  listen?: string;
}

export const relayRole: CommandModule<GlobalArgs, RelayArgs> = {
  command: 'relay',
  describe: false,
  builder: (y) =>
    y
      .option('config-dir', { type: 'string', describe: 'Directory holding the netobs-config ConfigMap keys (default: install defaults, no TLS)' })
      .option('peer', { type: 'string', array: true, describe: 'An agent as node=host:port instead of discovering agent pods (repeatable)' })
      .option('listen', { type: 'string', describe: 'Listen address host:port (default 0.0.0.0:<relay-port>)' }),
  handler: async (argv) => {
    const { runRelay } = await import('../../relay/main.ts');
    await runRelay({
      ...(argv['config-dir'] ? { configDir: argv['config-dir'] } : {}), ...(argv.kubeconfig ? { kubeconfig: argv.kubeconfig } : {}),
      ...(argv.context ? { context: argv.context } : {}), ...(argv.peer?.length ? { peers: argv.peer } : {}), ...(argv.listen ? { listen: argv.listen } : {}),
    });
  },
};
