// Two passes: every test but those that start a whole lab runs in parallel; the lab ones
// (NETOBS_TEST=cluster) run one file at a time, since each brings up network namespaces,
// nftables tables and processes that compete for the same two CPUs and address slots.
const CLUSTER = ['test/e2e/**/*.test.ts', 'test/lab/lab.test.ts', 'test/lab/demo.test.ts', 'test/lab/sandbox-failure.test.ts', 'test/lab/readme-demo.test.ts', 'test/lab/lab-auth.test.ts'];
const cluster = process.env.NETOBS_TEST === 'cluster';

export default {
  extensions: { ts: 'module', tsx: 'module' },
  nodeArguments: ['--import=tsx'],
  files: cluster ? CLUSTER : ['test/**/*.test.ts', 'test/**/*.test.tsx', ...CLUSTER.map((g) => `!${g}`)],
  timeout: '10m',
  concurrency: cluster ? 1 : 2,
  workerThreads: false,
};
