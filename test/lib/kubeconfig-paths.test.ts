// kubectl's kubeconfig lookup on Windows and on Unix, as data.
import test from 'ava';
import { kubeconfigPaths } from '../../lib/kubeconfig-paths.ts';

const none = () => false;
const only = (file: string) => (f: string) => f === file;

test('windows: KUBECONFIG is split on semicolons, drive letters keep their colons', (t) => {
  const r = kubeconfigPaths({ KUBECONFIG: 'C:\\Users\\ann\\.kube\\config;D:\\kube\\lab.yaml;;', USERPROFILE: 'C:\\Users\\ann' }, 'win32', none, 'C:\\Users\\ann');
  t.deepEqual(r.fromEnv, ['C:\\Users\\ann\\.kube\\config', 'D:\\kube\\lab.yaml']);
});

test('windows: without any .kube\\config the default is under %USERPROFILE%', (t) => {
  const r = kubeconfigPaths({ USERPROFILE: 'C:\\Users\\ann', HOMEDRIVE: 'H:', HOMEPATH: '\\' }, 'win32', none, 'C:\\fallback');
  t.deepEqual(r, { fromEnv: [], home: 'C:\\Users\\ann\\.kube\\config' });
});

test('windows: %HOME% wins when it holds a .kube\\config', (t) => {
  const r = kubeconfigPaths({ HOME: 'C:\\msys\\home\\ann', USERPROFILE: 'C:\\Users\\ann' }, 'win32', only('C:\\msys\\home\\ann\\.kube\\config'), 'C:\\Users\\ann');
  t.is(r.home, 'C:\\msys\\home\\ann\\.kube\\config');
});

test('windows: %HOMEDRIVE%%HOMEPATH% comes before %USERPROFILE%', (t) => {
  const env = { HOME: 'C:\\empty', HOMEDRIVE: 'H:', HOMEPATH: '\\ann', USERPROFILE: 'C:\\Users\\ann' };
  const exists = (f: string) => f === 'H:\\ann\\.kube\\config' || f === 'C:\\Users\\ann\\.kube\\config';
  t.is(kubeconfigPaths(env, 'win32', exists, 'C:\\Users\\ann').home, 'H:\\ann\\.kube\\config');
});

test('windows: no USERPROFILE falls back to the OS home directory', (t) => {
  t.is(kubeconfigPaths({}, 'win32', none, 'C:\\Users\\bob').home, 'C:\\Users\\bob\\.kube\\config');
});

test('linux and macOS: colon-separated KUBECONFIG, $HOME/.kube/config', (t) => {
  for (const platform of ['linux', 'darwin'] as const) {
    const r = kubeconfigPaths({ KUBECONFIG: '/a/one:/b/two', HOME: '/Users/ann' }, platform, none, '/root');
    t.deepEqual(r, { fromEnv: ['/a/one', '/b/two'], home: '/Users/ann/.kube/config' });
  }
});
