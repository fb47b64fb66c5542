// `kubectl netobs lab …`: a local multi-node cluster on this Linux host (root), for trying netobs
// without a cluster and for end-to-end tests. `serve` and `http-server` are the lab's own
// background roles and stay out of --help.
import type { CommandModule, Argv } from 'yargs';
import type { GlobalArgs } from '../options.ts';

interface LabArgs extends GlobalArgs {
  name: string;
}

const withName = <T>(y: Argv<T>) => y.option('name', { type: 'string', default: 'netobs', describe: 'Name of the lab (several can run side by side)' });

const up: CommandModule<GlobalArgs, LabArgs & { nodes: number; demo: boolean; netobs: boolean; persist?: string }> = {
  command: 'up',
  describe: 'Start a lab cluster in the background and wait until its nodes are Ready',
  builder: (y) =>
    withName(y)
      .option('nodes', { type: 'number', default: 2, describe: 'Number of lab nodes' })
      .option('demo', { type: 'boolean', default: false, describe: 'Deploy the Star Wars demo (deathstar, tiefighter, xwing and a policy)' })
      .option('netobs', { type: 'boolean', default: true, describe: 'Install netobs into the lab, as kubectl netobs install does (--no-netobs: a bare cluster)' })
      .option('persist', { type: 'string', describe: 'Keep the API objects in this file across lab restarts' }) as Argv<LabArgs & { nodes: number; demo: boolean; netobs: boolean; persist?: string }>,
  handler: async (argv) => {
    const { labUp } = await import('../../lab/index.ts');
    const install = argv.netobs
      ? async (l: { kubeconfig: string }) => {
          const { installIntoLab } = await import('../lab-install.ts');
          await installIntoLab(l.kubeconfig);
        }
      : undefined;
    const lab = await labUp({ name: argv.name, nodes: argv.nodes, demo: argv.demo, ...(install ? { install } : {}), ...(argv.persist ? { persist: argv.persist } : {}) });
    process.stdout.write(`lab "${lab.name}" is up: ${lab.plan.nodes.length} nodes, API server ${lab.apiserver}\n`);
    process.stdout.write(`  export KUBECONFIG=${lab.kubeconfig}\n  kubectl get nodes\n`);
  },
};

const down: CommandModule<GlobalArgs, LabArgs> = {
  command: 'down',
  describe: 'Stop a lab and remove everything it made (namespaces, links, nftables rules, processes, pins)',
  builder: (y) => withName(y) as Argv<LabArgs>,
  handler: async (argv) => {
    const { labDown } = await import('../../lab/index.ts');
    const left = await labDown(argv.name);
    const rest = Object.entries(left).filter(([, v]) => (v as unknown[]).length > 0);
    if (rest.length > 0) {
      const { UserError } = await import('../../lib/errors.ts');
      throw new UserError(`lab down: some of lab "${argv.name}" is still there: ${rest.map(([k, v]) => `${k} ${(v as unknown[]).join(',')}`).join('; ')}`);
    }
    process.stdout.write(`lab "${argv.name}" is down\n`);
  },
};

const status: CommandModule<GlobalArgs, GlobalArgs & { name?: string }> = {
  command: 'status',
  describe: 'List the labs on this host (--name: only that one)',
  builder: (y) => y.option('name', { type: 'string', describe: 'Show only the lab of this name' }) as Argv<GlobalArgs & { name?: string }>,
  handler: async (argv) => {
    const { labStatus } = await import('../../lab/index.ts');
    const labs = (await labStatus()).filter((l) => argv.name === undefined || l.name === argv.name);
    if (argv.name !== undefined && labs.length === 0) {
      const { UserError } = await import('../../lib/errors.ts');
      throw new UserError(`lab status: no lab named "${argv.name}" (start one with: sudo kubectl netobs lab up --name ${argv.name})`);
    }
    if (argv.output === 'json') {
      process.stdout.write(JSON.stringify(labs, null, 2) + '\n');
      return;
    }
    if (labs.length === 0) {
      process.stdout.write('no lab is running (start one with: sudo kubectl netobs lab up)\n');
      return;
    }
    const rows = [['NAME', 'STATUS', 'NODES', 'API SERVER', 'KUBECONFIG'], ...labs.map((l) => [l.name, l.status, String(l.nodes), l.apiserver || '-', l.kubeconfig])];
    const { formatTable } = await import('../../lib/table.ts');
    process.stdout.write(formatTable(rows));
  },
};

const kubeconfig: CommandModule<GlobalArgs, LabArgs> = {
  command: 'kubeconfig',
  describe: "Print the path of a lab's kubeconfig",
  builder: (y) => withName(y) as Argv<LabArgs>,
  handler: async (argv) => {
    const { labInfo } = await import('../../lab/index.ts');
    const info = await labInfo(argv.name);
    if (!info) {
      const { UserError } = await import('../../lib/errors.ts');
      throw new UserError(`lab kubeconfig: no lab named "${argv.name}" (start one with: sudo kubectl netobs lab up --name ${argv.name})`);
    }
    process.stdout.write(info.kubeconfig + '\n');
  },
};

const serveCmd: CommandModule<GlobalArgs, LabArgs & { nodes: number; slot: number; demo: boolean; persist?: string }> = {
  command: 'serve',
  describe: false,
  builder: (y) =>
    withName(y)
      .option('nodes', { type: 'number', default: 2, describe: 'Number of lab nodes' })
      .option('slot', { type: 'number', default: 0, describe: 'Address slot of the lab' })
      .option('demo', { type: 'boolean', default: false, describe: 'Deploy the demo' })
      .option('persist', { type: 'string', describe: 'State file' }) as Argv<LabArgs & { nodes: number; slot: number; demo: boolean; persist?: string }>,
  handler: async (argv) => {
    const { serve } = await import('../../lab/serve.ts');
    await serve({ name: argv.name, nodes: argv.nodes, slot: argv.slot, demo: argv.demo, ...(argv.persist ? { persist: argv.persist } : {}) });
  },
};

const httpServer: CommandModule<GlobalArgs, GlobalArgs & { port: number; nginx: boolean; world: boolean }> = {
  command: 'http-server',
  describe: false,
  builder: (y) =>
    withName(y)
      .option('port', { type: 'number', default: 80, describe: 'TCP port' })
      .option('nginx', { type: 'boolean', default: false, describe: 'Serve the nginx welcome page' })
      .option('world', { type: 'boolean', default: false, describe: 'Serve as the world outside the cluster' }) as Argv<GlobalArgs & { port: number; nginx: boolean; world: boolean }>,
  handler: async (argv) => {
    const { startStaticHttp } = await import('../../lab/node/static-http.ts');
    const { untilSignal } = await import('../../roles/until-signal.ts');
    const s = await startStaticHttp(argv.port, argv.world ? 'world' : 'nginx');
    process.stderr.write(`http-server: serving on port ${s.port}\n`);
    await untilSignal();
    await s.close();
  },
};

export const labCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'lab',
  describe: 'A local multi-node cluster in network namespaces (root): up, down, status, kubeconfig',
  builder: (y) => y.command(up).command(down).command(status).command(kubeconfig).command(serveCmd).command(httpServer).demandCommand(1, 'a lab command is required') as Argv<GlobalArgs>,
  handler: () => {},
};
