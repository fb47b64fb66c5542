// Composable flag builders shared by commands, so every command spells kubectl's flags the same way.
import type { Argv } from 'yargs';
// api/kube-names.ts, not lib/relay-connection.ts: the CLI's start (in the startup snapshot) must not load the Kubernetes client.
import { DEFAULT_NAMESPACE } from '../api/kube-names.ts';

export const OUTPUT_FORMATS = ['json', 'yaml', 'wide', 'table'] as const;

export interface GlobalArgs {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  output?: string;
  verbose: boolean;
  /** The arguments as typed, for handlers where order matters. */
  $raw?: string[];
}

export function withGlobals<T>(y: Argv<T>) {
  return y
    .option('kubeconfig', { type: 'string', describe: 'Path to the kubeconfig file to use', global: true })
    .option('context', { type: 'string', describe: 'The name of the kubeconfig context to use', global: true })
    .option('namespace', { alias: 'n', type: 'string', describe: 'Kubernetes namespace', global: true })
    .option('output', { alias: 'o', type: 'string', describe: 'Output format', global: true })
    .option('verbose', { type: 'boolean', default: false, describe: 'Print details of errors and progress', global: true });
}

/** Restricts -o to the formats a command supports, with a one-line error naming them. */
export function checkOutput(allowed: readonly string[]) {
  return (argv: { output?: string | undefined }): true => {
    if (argv.output !== undefined && !allowed.includes(argv.output)) {
      throw new Error(`invalid --output "${argv.output}": use one of ${allowed.join(', ')}`);
    }
    return true;
  };
}

/** --server, --tls-dir, --tls-server-name and --relay-namespace, for every command that reads the relay (one declaration). */
export function withRelayFlags<T>(y: Argv<T>) {
  return y
    .option('server', { type: 'string', describe: 'Relay address host:port, instead of a port-forward through the API server' })
    .option('tls-dir', { type: 'string', describe: 'With --server: directory with ca.crt, tls.crt, tls.key (Secret netobs-client-tls) for a relay that requires mTLS' })
    .option('tls-server-name', { type: 'string', describe: 'With --tls-dir: the name in the relay certificate (<cluster>.relay.netobs.io)' })
    .option('relay-namespace', { type: 'string', default: DEFAULT_NAMESPACE, describe: 'Namespace of the netobs relay' });
}
