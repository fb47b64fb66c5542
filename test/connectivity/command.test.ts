import test from 'ava';
import yargs from 'yargs';
import { toOptions, type ConnectivityFlags } from '../../connectivity/command.ts';
import { connectivityCommand } from '../../cmd/commands/connectivity.ts';
import { withGlobals } from '../../cmd/options.ts';

const FLAGS: ConnectivityFlags = {
  verbose: false, test: [], list: false, timeout: '5m', 'probe-timeout': '2s', cleanup: false, keep: false,
  binary: 'kubectl-netobs', 'test-namespace': 'netobs-test', 'flow-validation': 'strict',
};

test('defaults: the image of this version, durations, no outside target', (t) => {
  const o = toOptions(FLAGS, '1.2.3');
  t.like(o, { image: 'netobs/netobs:1.2.3', timeoutMs: 300_000, probeTimeoutMs: 2000, externalPort: 80, json: false, namespace: 'netobs-test' });
  t.is(o.externalTarget, undefined);
  t.is(o.externalIP, undefined);
  t.is(toOptions({ ...FLAGS, image: 'mirror/netobs:x', output: 'json' }).image, 'mirror/netobs:x');
  t.true(toOptions({ ...FLAGS, output: 'json' }).json);
});

test('outside targets: a port and an IP are taken from --external-target', (t) => {
  t.like(toOptions({ ...FLAGS, 'external-target': 'example.org:8443' }), { externalTarget: 'example.org:8443', externalPort: 8443 });
  t.is(toOptions({ ...FLAGS, 'external-target': 'example.org' }).externalIP, undefined);
  t.like(toOptions({ ...FLAGS, 'external-target': '192.0.2.10' }), { externalIP: '192.0.2.10', externalPort: 80 });
  t.like(toOptions({ ...FLAGS, 'external-target': '192.0.2.10:81', 'external-ip': '198.51.100.1' }), { externalIP: '198.51.100.1', externalPort: 81 });
  t.throws(() => toOptions({ ...FLAGS, 'external-ip': 'example.org' }), { message: 'invalid --external-ip "example.org": not an IP address' });
  t.throws(() => toOptions({ ...FLAGS, timeout: '5 minutes' }), { message: /^--timeout: invalid duration/ });
});

test('the command parses the flags users type', async (t) => {
  let seen: Record<string, unknown> | undefined;
  const cmd = { ...connectivityCommand, builder: (y: ReturnType<typeof yargs>) => (connectivityCommand.builder as (y: unknown) => unknown)(y) };
  const parser = withGlobals(yargs(['connectivity', 'test', '--test', 'pod-to', '--test', '!service', '-o', 'json', '--junit-file', 'r.xml', '--flow-validation', 'warning', '--keep', '--list']))
    .command(cmd as never)
    .strict()
    .exitProcess(false)
    .fail((msg, err) => { throw err ?? new Error(msg); })
    .middleware((argv) => { seen = argv; });
  await parser.parseAsync();
  t.like(seen, { test: ['pod-to', '!service'], output: 'json', 'junit-file': 'r.xml', 'flow-validation': 'warning', keep: true, list: true, 'test-namespace': 'netobs-test' });
  const bad = withGlobals(yargs(['connectivity', 'test', '--flow-validation', 'sometimes'])).command(cmd as never).strict().exitProcess(false).fail((msg, err) => { throw err ?? new Error(msg); });
  await t.throwsAsync(async () => bad.parseAsync(), { message: /Invalid values:[\s\S]*flow-validation/ });
});
