// The agent role (DaemonSet pod): `kubectl-netobs agent [--config-dir DIR]`, and its preStop
// hook `kubectl-netobs agent shutdown --if-uninstalling`. Hidden from --help: users do not type
// them, except to debug an agent on a host (--node, --kubeconfig, --cluster-file).
import type { CommandModule } from 'yargs';
import type { GlobalArgs } from '../options.ts';

interface AgentArgs extends GlobalArgs {
  'config-dir'?: string;
  node?: string;
  'cluster-file'?: string;
}

interface ShutdownArgs extends GlobalArgs {
  'config-dir'?: string;
  'if-uninstalling': boolean;
}

const shutdownCommand: CommandModule<GlobalArgs, ShutdownArgs> = {
  command: 'shutdown',
  describe: 'Detach the datapath and remove its pins (with --if-uninstalling: only when netobs is being uninstalled)',
  builder: (y) =>
    y
      .option('config-dir', { type: 'string', describe: 'Directory holding the netobs-config ConfigMap keys' })
      .option('if-uninstalling', { type: 'boolean', default: false, describe: "Only when the agent's DaemonSet is gone, being deleted or annotated netobs.io/uninstalling=true" }),
  handler: async (argv) => {
    const [{ agentShutdown }, { buildInfo }] = await Promise.all([import('../../agent/shutdown.ts'), import('../../lib/build-info.ts')]);
    const msg = await agentShutdown({
      ifUninstalling: argv['if-uninstalling'], version: buildInfo().version,
      ...(argv['config-dir'] ? { configDir: argv['config-dir'] } : {}), ...(argv.kubeconfig ? { kubeconfig: argv.kubeconfig } : {}),
    });
    process.stderr.write(`${msg}\n`);
  },
};

export const agentRole: CommandModule<GlobalArgs, AgentArgs> = {
  command: 'agent',
  describe: false,
  builder: (y) =>
    y
      .command(shutdownCommand)
      .option('config-dir', { type: 'string', describe: 'Directory holding the netobs-config ConfigMap keys (default: install defaults, no TLS)' })
      .option('node', { type: 'string', describe: 'Node name (default: $NODE_NAME, else the host name)' })
      .option('cluster-file', { type: 'string', describe: 'Run against the objects of this YAML file instead of an API server (debugging)' }) as never,
  handler: async (argv) => {
    const { runAgent } = await import('../../agent/main.ts');
    await runAgent({
      ...(argv['config-dir'] ? { configDir: argv['config-dir'] } : {}), ...(argv.node ? { node: argv.node } : {}),
      ...(argv.kubeconfig ? { kubeconfig: argv.kubeconfig } : {}), ...(argv.context ? { context: argv.context } : {}),
      ...(argv['cluster-file'] ? { clusterFile: argv['cluster-file'] } : {}),
    });
  },
};
