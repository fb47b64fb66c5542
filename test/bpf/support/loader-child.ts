// A stand-in agent for the restart test: opens the pinned datapath, applies the desired
// state given as JSON (idempotent, as an agent does after a restart), moves every
// interface onto its programs, drains events, and on SIGTERM closes without detaching.
import { Datapath, ifindexOf, type EndpointInfo, type PolicyKey, type PolicyValue } from '../../../bpf/loader/index.ts';
import { datapathObject } from './fixture.ts';

interface Desired {
  bpffsRoot: string;
  interfaces: string[];
  ipcache: Array<[string, number]>;
  endpoints: Array<[string, EndpointInfo]>;
  policy: Array<[PolicyKey, PolicyValue]>;
}

function main(): void {
  const want = JSON.parse(process.argv[2] ?? '{}') as Desired;
  const dp = Datapath.open({ bpffsRoot: want.bpffsRoot, object: datapathObject() });
  for (const [cidr, id] of want.ipcache) dp.ipcache.set(cidr, id);
  for (const [ifname, ep] of want.endpoints) dp.endpoints.set(ifindexOf(ifname), ep);
  for (const [k, v] of want.policy) dp.policy.set(k, v);
  for (const i of want.interfaces) dp.attach(i);
  let events = 0;
  const stop = dp.events.poll((batch) => (events += batch.length), { intervalMs: 50 });
  process.stdout.write(`ready ct=${dp.conntrack.count()}\n`);
  process.on('SIGTERM', () => {
    stop();
    dp.close();
    process.stdout.write(`closed events=${events}\n`);
    process.exitCode = 0;
  });
}

main();
