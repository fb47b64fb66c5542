// The rules krew (pkg/index/validation) and krew-index's review apply to a plugin manifest, checked
// before release so a manifest that krew would refuse never ships. Returns the problems found.
export interface KrewPlatform {
  selector?: { matchLabels?: Record<string, string> };
  uri?: string;
  sha256?: string;
  bin?: string;
  files?: { from?: string; to?: string }[];
}

export interface KrewManifest {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string };
  spec?: { version?: string; homepage?: string; shortDescription?: string; description?: string; caveats?: string; platforms?: KrewPlatform[] };
}

const SEMVER = /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;
const KNOWN_OS = new Set(['linux', 'darwin', 'windows']);
const KNOWN_ARCH = new Set(['amd64', 'arm64', 'arm', '386', 'ppc64le', 's390x']);

export function validateKrewManifest(m: KrewManifest, fileName = 'netobs.yaml'): string[] {
  const errs: string[] = [];
  if (m.apiVersion !== 'krew.googlecontainertools.github.com/v1alpha2') errs.push(`apiVersion: ${String(m.apiVersion)} is not krew.googlecontainertools.github.com/v1alpha2`);
  if (m.kind !== 'Plugin') errs.push(`kind: ${String(m.kind)} is not Plugin`);
  const name = m.metadata?.name ?? '';
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name) || name.startsWith('kubectl-')) errs.push(`metadata.name: "${name}" is not a lower-case plugin name without the kubectl- prefix`);
  if (`${name}.yaml` !== fileName) errs.push(`metadata.name: "${name}" does not match the file name ${fileName}`);
  const spec = m.spec ?? {};
  if (!SEMVER.test(spec.version ?? '')) errs.push(`spec.version: "${String(spec.version)}" is not a semantic version with a leading v`);
  const short = spec.shortDescription ?? '';
  if (!short || short.length > 50) errs.push(`spec.shortDescription: ${short.length} characters (1 to 50)`);
  if (!spec.description) errs.push('spec.description: empty');
  if (!spec.homepage?.startsWith('https://')) errs.push('spec.homepage: not an https URL');
  const seen = new Set<string>();
  for (const [i, p] of (spec.platforms ?? []).entries()) {
    const at = `spec.platforms[${i}]`;
    const labels = p.selector?.matchLabels ?? {};
    const os = labels.os ?? '';
    const arch = labels.arch ?? '';
    if (!KNOWN_OS.has(os) || !KNOWN_ARCH.has(arch)) errs.push(`${at}.selector: os "${os}" / arch "${arch}" is not a Go GOOS/GOARCH pair krew knows`);
    if (seen.has(`${os}/${arch}`)) errs.push(`${at}.selector: ${os}/${arch} is selected twice`);
    seen.add(`${os}/${arch}`);
    if (!p.uri?.startsWith('https://')) errs.push(`${at}.uri: not an https URL`);
    if (!/^[0-9a-f]{64}$/.test(p.sha256 ?? '')) errs.push(`${at}.sha256: not 64 lower-case hex digits`);
    if (!p.bin) errs.push(`${at}.bin: empty`);
    else if (os === 'windows' && !p.bin.endsWith('.exe')) errs.push(`${at}.bin: ${p.bin} must end with .exe on windows`);
    else if (p.bin.includes('/') || p.bin.includes('\\')) errs.push(`${at}.bin: ${p.bin} is a path; krew wants the file's name`);
    if (p.files && !p.files.some((f) => f.from === p.bin)) errs.push(`${at}.files: the bin ${String(p.bin)} is not among the files copied`);
  }
  if (seen.size === 0) errs.push('spec.platforms: empty');
  return errs;
}
