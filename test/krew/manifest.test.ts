import test from 'ava';
import { parse } from 'yaml';
import { archiveName, krewManifest, type ReleaseArchive } from '../../krew/manifest.ts';
import { validateKrewManifest, type KrewManifest } from '../../krew/validate.ts';

const sha = (c: string) => c.repeat(64);
const ARCHIVES: ReleaseArchive[] = [
  { os: 'linux', arch: 'amd64', file: 'a', sha256: sha('a') },
  { os: 'linux', arch: 'arm64', file: 'b', sha256: sha('b') },
  { os: 'darwin', arch: 'amd64', file: 'c', sha256: sha('c') },
  { os: 'windows', arch: 'amd64', file: 'd', sha256: sha('d') },
];

interface Doc {
  spec: { version: string; description: string; caveats?: string; platforms: { selector: { matchLabels: { os: string; arch: string } }; uri: string; sha256: string; bin: string; files: { from: string }[] }[] };
}

test('one platform per archive, and darwin/arm64 reuses the darwin/amd64 archive', (t) => {
  const doc = parse(krewManifest('1.2.3', ARCHIVES)) as Doc;
  t.is(doc.spec.version, 'v1.2.3');
  const by = new Map(doc.spec.platforms.map((p) => [`${p.selector.matchLabels.os}/${p.selector.matchLabels.arch}`, p]));
  t.deepEqual([...by.keys()].sort(), ['darwin/amd64', 'darwin/arm64', 'linux/amd64', 'linux/arm64', 'windows/amd64']);
  t.true(by.get('linux/arm64')!.uri.endsWith('/v1.2.3/kubectl-netobs_v1.2.3_linux_arm64.tar.gz'));
  t.is(by.get('darwin/arm64')!.uri, by.get('darwin/amd64')!.uri);
  t.is(by.get('darwin/arm64')!.sha256, sha('c'));
  t.is(by.get('windows/amd64')!.bin, 'kubectl-netobs.exe');
  t.deepEqual(by.get('windows/amd64')!.files.map((f) => f.from), ['kubectl-netobs.exe', 'LICENSE']);
  t.true(by.get('windows/amd64')!.uri.endsWith('_windows_amd64.zip'));
  t.regex(doc.spec.description, /Rosetta 2/);
  t.regex(doc.spec.caveats ?? '', /Rosetta 2/);
});

test('the rendered manifest passes krew rules', (t) => {
  t.deepEqual(validateKrewManifest(parse(krewManifest('0.1.0', ARCHIVES)) as KrewManifest), []);
});

const invalid = test.macro((t, change: (d: KrewManifest & Doc) => void, expected: RegExp) => {
  const doc = parse(krewManifest('0.1.0', ARCHIVES)) as KrewManifest & Doc;
  change(doc);
  const errs = validateKrewManifest(doc);
  t.true(errs.some((e) => expected.test(e)), errs.join('; '));
});

test('version without v', invalid, (d) => void (d.spec.version = '0.1.0'), /spec\.version/);
test('windows bin without .exe', invalid, (d) => void (d.spec.platforms.find((p) => p.selector?.matchLabels?.os === 'windows')!.bin = 'kubectl-netobs'), /must end with \.exe/);
test('a bad checksum', invalid, (d) => void (d.spec.platforms[0]!.sha256 = 'ABC'), /sha256/);
test('the same os/arch twice', invalid, (d) => void d.spec.platforms.push(d.spec.platforms[0]!), /selected twice/);
test('a long short description', invalid, (d) => void (d.spec.shortDescription = 'x'.repeat(51)), /shortDescription/);
test('a bin not among the files', invalid, (d) => void (d.spec.platforms[0]!.files = [{ from: 'LICENSE' }]), /not among the files/);
test('a name with the kubectl- prefix', invalid, (d) => void (d.metadata = { name: 'kubectl-netobs' }), /metadata\.name/);

test('archive names follow os and arch', (t) => {
  t.is(archiveName('0.1.0', { os: 'linux', arch: 'amd64' }), 'kubectl-netobs_v0.1.0_linux_amd64.tar.gz');
  t.is(archiveName('0.1.0', { os: 'windows', arch: 'amd64' }), 'kubectl-netobs_v0.1.0_windows_amd64.zip');
});
