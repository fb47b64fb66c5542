// install --wait names a netobs pod that stays Pending without any event, and where to look:
// the lab log a lab node announces in its annotation, or `kubectl describe pod` elsewhere. A pod
// with an event, or Pending only briefly, is not named. Against the lab's API server in process.
import test from 'ava';
import { KubeConfig } from '@kubernetes/client-node';
import { recordEvent } from '../../../lab/controllers/util.ts';
import { Objects } from '../../../lib/kube-apply.ts';
import { LAB_LOG_ANNOTATION, silentPending } from '../../../install/cluster/wait.ts';
import { startTestApiServer, type TestApiServer } from '../../lab/apiserver/support.ts';

let lab: TestApiServer | undefined;
let objs: Objects;
const NS = 'netobs-system';

test.before(async () => {
  lab = await startTestApiServer('wait-silent');
  const api = lab.api;
  const kc = new KubeConfig();
  kc.loadFromFile(lab.kubeconfig);
  objs = new Objects(kc);
  api.create(api.rt('', 'namespaces'), undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  api.create(api.rt('', 'nodes'), undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'labnode', annotations: { [LAB_LOG_ANNOTATION]: '/var/run/netobs/lab/x/serve.log' } } });
  api.create(api.rt('', 'nodes'), undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'realnode' } });
  const pod = (name: string, node: string) => api.create(api.rt('', 'pods'), NS, { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS, labels: { 'app.kubernetes.io/name': 'netobs-agent' } }, spec: { nodeName: node, containers: [{ name: 'agent', image: 'netobs' }] }, status: { phase: 'Pending' } });
  pod('agent-lab', 'labnode');
  pod('agent-real', 'realnode');
  const withEvent = pod('agent-event', 'realnode');
  recordEvent(api, withEvent, 'Warning', 'FailedMount', 'volume "bpf-maps": no', 'kubelet');
});

test.after.always(async () => {
  await lab?.close();
});

test('a Pending pod without events is named with where to look; one with an event or a young one is not', async (t) => {
  const later = Date.now() + 20_000;
  const silent = await silentPending(objs, NS, 8000, later);
  t.deepEqual(silent.map((s) => s.pod).sort(), ['agent-lab', 'agent-real']);
  t.regex(silent.find((s) => s.pod === 'agent-lab')!.message, /^pod netobs-system\/agent-lab on labnode is Pending for 2\ds with no event: see the lab log \/var\/run\/netobs\/lab\/x\/serve\.log$/);
  t.regex(silent.find((s) => s.pod === 'agent-real')!.message, /: see kubectl describe pod -n netobs-system agent-real$/);
  t.deepEqual(await silentPending(objs, NS, 8000, Date.now()), []);
});
