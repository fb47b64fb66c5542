// `kubectl netobs policy generate`: least-privilege policies from the flows the agents saw (through
// the relay) or from a flow file (`observe -o json`, Hubble's exporter). Pure part: cmd/policy/generate.ts.
import type { Argv, CommandModule } from 'yargs';
import { checkOutput, withRelayFlags, type GlobalArgs } from '../options.ts';
import type { RelayFlags } from '../relay-api.ts';

interface GenerateArgs extends GlobalArgs, RelayFlags {
  workload?: string;
  kind: string;
  audit: boolean;
  'input-file'?: string;
  last: number;
  since?: string;
}

export const generateCommand: CommandModule<GlobalArgs, GenerateArgs> = {
  command: 'generate',
  describe: 'Write least-privilege policies for a namespace from observed flows (-n NS; --audit to stage them)',
  builder: (y) =>
    (withRelayFlags(y) as Argv<GlobalArgs>)
      .option('workload', { type: 'string', describe: 'Only this workload (Deployment, StatefulSet… or pod name)' })
      .option('kind', { type: 'string', choices: ['netobs', 'k8s'], default: 'netobs', describe: 'netobs.io NetworkPolicy (entities, ICMP) or Kubernetes NetworkPolicy' })
      .option('audit', { type: 'boolean', default: false, describe: 'Annotate the policies audit-only (netobs.io/audit): flows show what they would deny' })
      .option('input-file', { type: 'string', describe: 'Flows from a file of JSON lines (observe -o json, hubble exporter) instead of the cluster' })
      .option('last', { type: 'number', default: 100_000, describe: 'At most this many recent flows per request' })
      .option('since', { type: 'string', describe: 'Only flows since this time (5m, 1h or RFC 3339)' })
      .check(checkOutput(['yaml', 'json'])) as unknown as Argv<GenerateArgs>,
  handler: async (argv) => {
    const { UserError } = await import('../../lib/errors.ts');
    const { generatePolicies } = await import('../policy/generate.ts');
    const { parseTimeArg } = await import('../observe/request.ts');
    const { loadKubeConfig, namespaceOf } = await import('../../lib/kube.ts');
    // As kubectl: -n, else the context's namespace, else default (a file needs no kubeconfig).
    const namespace = argv.namespace ?? (argv['input-file'] !== undefined || argv.server ? 'default' : namespaceOf(loadKubeConfig(argv), undefined));
    const req = { number: argv.last, ...(argv.since ? { since: parseTimeArg('since', argv.since, Date.now()) } : {}) };
    const flows = argv['input-file'] !== undefined ? await fromFile(argv['input-file'], req) : await fromRelay(argv, req);
    const r = generatePolicies(flows, { namespace, workload: argv.workload, kind: argv.kind as 'netobs' | 'k8s', audit: argv.audit });
    if (r.policies.length === 0) {
      throw new UserError(`policy generate: no connection of ${argv.workload ? `workload ${argv.workload} in ` : ''}namespace ${namespace} among ${flows.length} flows; let traffic run, or widen --since/--last`);
    }
    if (argv.output === 'json') process.stdout.write(JSON.stringify(r.policies.length === 1 ? r.policies[0] : { apiVersion: 'v1', kind: 'List', items: r.policies }, null, 2) + '\n');
    else {
      const yaml = await import('yaml');
      process.stdout.write(r.policies.map((p) => yaml.stringify(p)).join('---\n'));
    }
    process.stderr.write(`policy generate: ${r.policies.length} policies for namespace ${namespace} from ${r.used} connection flows (${r.skipped} other flows not used)${argv.audit ? ', audit only' : ''}\n`);
  },
};

async function fromFile(file: string, req: { number: number; since?: import('../../api/types.ts').Timestamp }) {
  const { readFlowFile, selectEvents } = await import('../observe/input-file.ts');
  return selectEvents(await readFlowFile(file), req).flatMap((e) => (e.flow ? [e.flow] : []));
}

async function fromRelay(argv: GenerateArgs, req: { number: number; since?: import('../../api/types.ts').Timestamp }) {
  const { RelayApi } = await import('../relay-api.ts');
  const { grpcError } = await import('../observe/run.ts');
  const api = await RelayApi.connect(argv);
  const flows: import('../../api/types.ts').Flow[] = [];
  try {
    const call = api.observer.getFlows(req);
    await new Promise<void>((resolve, reject) => {
      call.on('data', (res: import('../../api/types.ts').GetFlowsResponse) => res.flow && flows.push(res.flow));
      call.on('end', () => resolve());
      call.on('error', (err: Error) => reject(grpcError(err, api.target.description)));
    });
  } finally {
    await api.close();
  }
  return flows;
}
