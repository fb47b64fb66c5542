// A big policy change compiles in steps, with turns of the event loop between them (the agent
// awaits setImmediate at each), and ends where the one-go compile ends.
import test from 'ava';
import { CidrIdentities } from '../../../agent/identity/cidr-identities.ts';
import { drainAsync } from '../../../agent/policy/contributions.ts';
import { PolicyState } from '../../../agent/runtime/policies.ts';
import type { PolicyObject } from '../../../lib/kube-objects.ts';
import { cluster, type Pod } from '../policy/cluster.ts';

// 9 local pods, 100 client identities: the 100-rule `1-1024/ANY` policy.
const PODS: Pod[] = [
  ...Array.from({ length: 9 }, (_, i): Pod => ({ identity: 1000 + i, ns: 'default', labels: { app: 'server', i: String(i) }, endpoint: i + 1 })),
  ...Array.from({ length: 100 }, (_, i): Pod => ({ identity: 2000 + i, ns: 'default', labels: { app: `client-${i}` } })),
];
const big: PolicyObject = {
  apiVersion: 'netobs.io/v1alpha1', kind: 'NetworkPolicy', metadata: { name: 'big', namespace: 'default', uid: 'big', resourceVersion: '1' },
  spec: {
    endpointSelector: { matchLabels: { app: 'server' } },
    ingress: Array.from({ length: 100 }, (_, i) => ({ fromEndpoints: [{ matchLabels: { app: `client-${i}` } }], toPorts: [{ ports: [{ port: '1', endPort: 1024, protocol: 'ANY' }] }] })),
  },
};
const view = () => ({ ...cluster(PODS), cidrIdentities: new CidrIdentities() });

test('a 100-rule 1-1024/ANY policy compiles in steps: other tasks get the event loop between them', async (t) => {
  const stepped = new PolicyState(view());
  let others = 0;
  let running = true;
  // Another task (standing in for /healthz, flows, gRPC) that wants a turn whenever it can get one.
  const ticker = async () => {
    while (running) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      others++;
    }
  };
  const other = ticker();
  let steps = 0;
  const r = await drainAsync(stepped.syncSteps(new Map([['default/big', big]]), false), () => {
    steps++;
    return new Promise<void>((resolve) => setImmediate(resolve));
  });
  running = false;
  await other;
  t.true(steps >= 100, `at least one step per rule (${steps})`);
  t.true(others >= steps - 1, `the other task ran between the steps (${others} turns for ${steps} steps)`);
  t.true(r.validity[0]?.validity.valid);

  const oneGo = new PolicyState(view());
  oneGo.sync(new Map([['default/big', big]]), false);
  t.deepEqual(stepped.compiler.result(), oneGo.compiler.result());
  t.is(oneGo.compiler.result().entries.length, 9 * 100 * 33 + 9, '33 entries per rule and pod (11 port blocks x 3 protocols), plus host');
});
