import test from 'ava';
import { parse } from 'yaml';
import { archiveName, krewManifest } from '../../krew/manifest.ts';

test('one platform per archive with its selector, uri and sha256', (t) => {
  const doc = parse(
    krewManifest('1.2.3', [
      { os: 'linux', arch: 'amd64', file: 'a', sha256: 'aa' },
      { os: 'linux', arch: 'arm64', file: 'b', sha256: 'bb' },
    ]),
  ) as { spec: { version: string; platforms: { selector: unknown; uri: string; sha256: string }[] } };
  t.is(doc.spec.version, 'v1.2.3');
  t.deepEqual(doc.spec.platforms[1]?.selector, { matchLabels: { os: 'linux', arch: 'arm64' } });
  t.true(doc.spec.platforms[1]?.uri.endsWith('/v1.2.3/kubectl-netobs_v1.2.3_linux_arm64.tar.gz'));
  t.is(doc.spec.platforms[0]?.sha256, 'aa');
});

test('archive names follow os and arch', (t) => {
  t.is(archiveName('0.1.0', { os: 'linux', arch: 'amd64' }), 'kubectl-netobs_v0.1.0_linux_amd64.tar.gz');
});
