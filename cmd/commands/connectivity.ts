// `kubectl netobs connectivity test`: deploys test workloads from the netobs image, probes pod,
// service, node and outside paths and the policy tests from inside the pods (pods/exec running
// `kubectl-netobs probe`), and checks every action against the flows the relay saw.
import type { Argv, CommandModule } from 'yargs';
import { checkOutput, withRelayFlags, type GlobalArgs } from '../options.ts';
import { UserError } from '../../lib/errors.ts';

interface TestArgs extends GlobalArgs {
  test: string[];
  list: boolean;
  'junit-file'?: string;
  timeout: string;
  'probe-timeout': string;
  cleanup: boolean;
  keep: boolean;
  image?: string;
  binary: string;
  'test-namespace': string;
  'external-target'?: string;
  'external-ip'?: string;
  'flow-validation': 'strict' | 'warning' | 'disabled';
  server?: string;
  'relay-namespace'?: string;
}

const testCommand: CommandModule<GlobalArgs, TestArgs> = {
  command: 'test',
  describe: 'Deploy test workloads, probe the network paths and policies, and validate each action by its flows',
  builder: (y) =>
    withRelayFlags(y)
      .option('test', { type: 'string', array: true, default: [] as string[], describe: 'Run tests matching this regex; repeatable; a leading ! excludes' })
      .option('list', { type: 'boolean', default: false, describe: 'List the selected tests and exit' })
      .option('junit-file', { type: 'string', describe: 'Write a JUnit XML report to this file' })
      .option('timeout', { type: 'string', default: '5m', describe: 'How long to wait for the test pods to be ready' })
      .option('probe-timeout', { type: 'string', default: '2s', describe: 'How long a single probe may take' })
      .option('cleanup', { type: 'boolean', default: false, describe: 'Remove the test namespace and policies left by an earlier run, and exit' })
      .option('keep', { type: 'boolean', default: false, describe: 'Keep the test namespace after the run' })
      .option('image', { type: 'string', describe: 'Image for the test workloads (default: the netobs image of this version)' })
      .option('binary', { type: 'string', default: 'kubectl-netobs', hidden: true, describe: 'Path of the netobs binary inside the image' })
      .option('test-namespace', { type: 'string', default: 'netobs-test', describe: 'Namespace for the test workloads' })
      .option('external-target', { type: 'string', describe: 'host[:port] outside the cluster for pod-to-world (enables it)' })
      .option('external-ip', { type: 'string', describe: 'IP outside the cluster for pod-to-cidr and egress-deny-cidr (enables them)' })
      .option('flow-validation', { choices: ['strict', 'warning', 'disabled'] as const, default: 'strict' as const, describe: 'Whether missing or wrong flows fail an action, warn, or are not checked' })
      .check(checkOutput(['json'])) as unknown as Argv<TestArgs>,
  handler: async (argv) => {
    const { runConnectivityCommand } = await import('../../connectivity/command.ts');
    const code = await runConnectivityCommand(argv);
    if (code !== 0) throw new UserError('connectivity test: some tests failed', { exitCode: code });
  },
};

export interface PerfArgs extends GlobalArgs {
  duration: string;
  timeout: string;
  keep: boolean;
  image?: string;
  binary: string;
  'test-namespace': string;
}

const perfCommand: CommandModule<GlobalArgs, PerfArgs> = {
  command: 'perf',
  describe: 'Measure pod-to-pod throughput (TCP) and latency (UDP request/response), same node and cross node',
  builder: (y) =>
    y
      .option('duration', { type: 'string', default: '5s', describe: 'How long each measurement runs per pod pair (throughput, then latency)' })
      .option('timeout', { type: 'string', default: '5m', describe: 'How long to wait for the test pods to be ready' })
      .option('keep', { type: 'boolean', default: false, describe: 'Keep the test namespace after the run' })
      .option('image', { type: 'string', describe: 'Image for the test workloads (default: the netobs image of this version)' })
      .option('binary', { type: 'string', default: 'kubectl-netobs', hidden: true, describe: 'Path of the netobs binary inside the image' })
      .option('test-namespace', { type: 'string', default: 'netobs-test', describe: 'Namespace for the test workloads' })
      .check(checkOutput(['json'])) as unknown as Argv<PerfArgs>,
  handler: async (argv) => {
    const { runPerfCommand } = await import('../../connectivity/command.ts');
    await runPerfCommand(argv);
  },
};

export const connectivityCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'connectivity <command>',
  describe: 'Test pod networking, services, DNS and policy enforcement on this cluster; measure pod-to-pod performance',
  builder: (y) => y.command(testCommand).command(perfCommand).demandCommand(1, 'a connectivity subcommand is required'),
  handler: () => {},
};
