// `kubectl netobs install`: renders the manifests from values; with --dry-run prints them
// (no cluster, no kubeconfig needed). Against a cluster it starts from the values the last install
// stored there (cmd/install/run.ts).
import type { Argv, CommandModule } from 'yargs';
import { checkOutput, type GlobalArgs } from '../options.ts';
import type { InstallFlags } from '../install/values-options.ts';

export interface InstallArgs extends InstallFlags {
  'dry-run': boolean;
}

/** The flags install and upgrade share: values, image, version, and waiting. */
export function valuesFlags<T>(y: Argv<T>) {
  return y
    .option('set', { type: 'string', array: true, describe: 'Set a value, repeatable: key=value, a.b=c,d[0]=e, list={a,b}' })
    .option('values', { alias: 'f', type: 'string', array: true, describe: 'Values file (YAML), repeatable; later files win, --set wins over files' })
    .option('reset-values', { type: 'boolean', default: false, describe: 'Start from the defaults instead of the values the last install stored in the cluster' })
    .option('image', { type: 'string', describe: 'Image every role runs: repository[:tag][@sha256:digest]' })
    .option('version', { type: 'string', describe: "netobs version to install (label and default image tag); default: this plugin's version" })
    .option('wait', { type: 'boolean', default: true, describe: 'Wait until every agent and the relay are ready (--no-wait to return after applying)' })
    .option('timeout', { type: 'string', default: '5m', describe: 'How long --wait waits, e.g. 90s, 5m' });
}

export const installCommand: CommandModule<GlobalArgs, InstallArgs> = {
  command: 'install',
  describe: 'Install netobs (CRDs, agent DaemonSet, relay) into the cluster, reusing the values of the last install; --dry-run -o yaml prints the manifests',
  builder: (y) =>
    valuesFlags(y)
      .option('dry-run', { type: 'boolean', default: false, describe: 'Print the manifests from the defaults and flags instead of applying them; needs no cluster' })
      .example('$0 install --dry-run -o yaml > netobs.yaml', 'Render the manifests for GitOps or review')
      .example('$0 install --dry-run --set relay.enabled=false -f values.yaml', 'Override values')
      .check(checkOutput(['yaml', 'json'])) as never,
  handler: async (argv) => {
    if (!argv['dry-run']) {
      const { installToCluster } = await import('../install/run.ts');
      await installToCluster(argv);
      return;
    }
    const [{ planInstall }, { valuesOptions, wrapValues }, { toYamlDocuments }] = await Promise.all([
      import('../../install/plan.ts'),
      import('../install/values-options.ts'),
      import('../../install/manifest-yaml.ts'),
    ]);
    const plan = wrapValues(() => planInstall(valuesOptions(argv)), 'install');
    if (argv.output === 'json') {
      process.stdout.write(JSON.stringify({ apiVersion: 'v1', kind: 'List', metadata: {}, items: plan.objects }, null, 2) + '\n');
    } else {
      process.stdout.write(toYamlDocuments(plan.objects));
    }
  },
};
