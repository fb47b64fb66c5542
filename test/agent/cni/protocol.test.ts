import test from 'ava';
import { CniCode, CniError, parseCniArgs, parseCniRequest, resultAddresses, versionAnswer } from '../../../agent/cni/protocol.ts';
import { runCni } from '../../../agent/cni/run.ts';

const prevResult = {
  cniVersion: '1.0.0',
  interfaces: [{ name: 'veth1234', mac: 'aa:bb:cc:dd:ee:ff' }, { name: 'eth0', sandbox: '/var/run/netns/p1' }],
  ips: [{ address: '10.200.1.7/24', gateway: '10.200.1.1', interface: 1 }, { address: 'fd00::7/64', interface: 1 }],
};
const conf = JSON.stringify({ cniVersion: '1.0.0', name: 'lab', type: 'netobs', bpffsRoot: '/sys/fs/bpf/x', prevResult });
const env = { CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'c1', CNI_NETNS: '/var/run/netns/p1', CNI_IFNAME: 'eth0', CNI_ARGS: 'IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web-1' };

const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e instanceof CniError ? e.code : -1;
  }
  return 0;
};

test('an ADD request carries the environment, CNI_ARGS and the netconf with its prevResult', (t) => {
  const r = parseCniRequest(env, conf);
  t.is(r.command, 'ADD');
  t.is(r.containerId, 'c1');
  t.is(r.netns, '/var/run/netns/p1');
  t.is(r.ifname, 'eth0');
  t.deepEqual(r.args, { IgnoreUnknown: '1', K8S_POD_NAMESPACE: 'default', K8S_POD_NAME: 'web-1' });
  t.is(r.conf.bpffsRoot, '/sys/fs/bpf/x');
  t.deepEqual(resultAddresses(r.conf.prevResult), { ipv4: '10.200.1.7', ipv6: 'fd00::7' });
});

test('malformed invocations get the spec codes', (t) => {
  t.is(code(() => parseCniRequest({ ...env, CNI_COMMAND: 'UP' }, conf)), CniCode.invalidEnvironment);
  t.is(code(() => parseCniRequest({ ...env, CNI_COMMAND: undefined }, conf)), CniCode.invalidEnvironment);
  t.is(code(() => parseCniRequest(env, '{not json')), CniCode.decode);
  t.is(code(() => parseCniRequest(env, '[]')), CniCode.decode);
  t.is(code(() => parseCniRequest(env, JSON.stringify({ ...JSON.parse(conf), cniVersion: '2.0.0' }))), CniCode.incompatibleVersion);
  t.is(code(() => parseCniRequest({ ...env, CNI_CONTAINERID: '' }, conf)), CniCode.invalidEnvironment);
  t.is(code(() => parseCniRequest({ ...env, CNI_NETNS: undefined }, conf)), CniCode.invalidEnvironment);
  t.is(code(() => parseCniRequest({ ...env, CNI_ARGS: 'novalue' }, conf)), CniCode.invalidEnvironment);
  t.is(code(() => parseCniRequest(env, JSON.stringify({ ...JSON.parse(conf), bpffsRoot: 7 }))), CniCode.invalidConfig);
});

test('ADD and CHECK without a prevResult are refused: netobs only chains after an interface plugin', (t) => {
  const bare = JSON.stringify({ cniVersion: '1.0.0', name: 'lab', type: 'netobs' });
  t.is(code(() => parseCniRequest(env, bare)), CniCode.invalidConfig);
  t.is(code(() => parseCniRequest({ ...env, CNI_COMMAND: 'CHECK' }, bare)), CniCode.invalidConfig);
  // DEL succeeds with what it has: the sandbox may be gone and the result lost.
  t.is(parseCniRequest({ ...env, CNI_COMMAND: 'DEL', CNI_NETNS: '' }, bare).command, 'DEL');
});

test('CNI_ARGS parse as KEY=VALUE pairs, values may hold =', (t) => {
  t.deepEqual(parseCniArgs('A=1;B=x=y;;'), { A: '1', B: 'x=y' });
  t.deepEqual(parseCniArgs(undefined), {});
});

test('VERSION answers the supported versions, even with an empty stdin', async (t) => {
  const out: string[] = [];
  t.is(await runCni({ CNI_COMMAND: 'VERSION' }, '', (s) => out.push(s)), 0);
  t.deepEqual(JSON.parse(out.join('')), versionAnswer());
  t.true(versionAnswer().supportedVersions.includes('1.0.0'));
});

test('a failure is a CNI error object on stdout with exit code 1', async (t) => {
  const out: string[] = [];
  t.is(await runCni({ ...env, CNI_COMMAND: 'ADD' }, JSON.stringify({ cniVersion: '0.4.0', name: 'lab', type: 'netobs' }), (s) => out.push(s)), 1);
  const err = JSON.parse(out.join('')) as { cniVersion: string; code: number; msg: string };
  t.is(err.cniVersion, '0.4.0');
  t.is(err.code, CniCode.invalidConfig);
  t.regex(err.msg, /chained plugin/);
});
