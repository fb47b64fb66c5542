// There is no container engine in the lab: images map to local programs. Pure: a container spec
// in, the argv and environment to run out, or the reason the image cannot run.

export interface ContainerSpec {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
}

export type Launch =
  | { ok: true; argv: string[]; path: string; kind: 'netobs' | 'busybox' | 'curl' | 'nginx' | 'shell' | 'pause' }
  | { ok: false; reason: 'ErrImagePull' | 'InvalidImageName'; message: string };

export interface ImageContext {
  /** argv that starts this CLI with the given arguments (lib/self-exec.ts selfCommand). */
  self: (args: string[]) => string[];
  /** Directory of busybox applet symlinks, first on PATH for busybox-like images. */
  busyboxDir: string;
  /** Directory holding a `kubectl-netobs` that starts this CLI, first on PATH for the netobs image. */
  netobsBinDir?: string;
  hostPath: string;
}

export const SUPPORTED_IMAGES = ['*/netobs (the netobs image)', 'busybox', 'curlimages/curl', 'nginx', 'alpine', 'debian', 'ubuntu', 'registry.k8s.io/pause'];

/** `docker.io/library/busybox:1.36@sha256:…` → `busybox`. */
export function repository(image: string): string {
  let s = image.split('@')[0]!;
  const lastSlash = s.lastIndexOf('/');
  const colon = s.lastIndexOf(':');
  if (colon > lastSlash) s = s.slice(0, colon);
  s = s.replace(/^(docker\.io|index\.docker\.io)\//, '').replace(/^library\//, '');
  return s;
}

export function launchFor(c: ContainerSpec, ctx: ImageContext): Launch {
  if (!c.image || /\s/.test(c.image)) return { ok: false, reason: 'InvalidImageName', message: `Failed to apply default image tag "${c.image}": couldn't parse image name "${c.image}": invalid reference format` };
  const repo = repository(c.image);
  const cmd = c.command ?? [];
  const args = c.args ?? [];
  const boxPath = `${ctx.busyboxDir}:${ctx.hostPath}`;
  const shellPath = `${ctx.hostPath}:${ctx.busyboxDir}`;
  if (repo === 'netobs' || repo.endsWith('/netobs')) {
    // The image's entrypoint is the CLI itself: a command naming it is dropped, its arguments kept.
    const rest = cmd.length > 0 && /(^|\/)(kubectl-)?netobs$/.test(cmd[0]!) ? [...cmd.slice(1), ...args] : cmd.length > 0 ? null : args;
    if (rest === null) return { ok: true, argv: [...cmd, ...args], path: shellPath, kind: 'shell' };
    return { ok: true, argv: ctx.self(rest), path: ctx.netobsBinDir ? `${ctx.netobsBinDir}:${shellPath}` : shellPath, kind: 'netobs' };
  }
  if (repo === 'busybox') {
    const argv = cmd.length ? [...cmd, ...args] : args.length ? args : ['sh'];
    return { ok: true, argv, path: boxPath, kind: 'busybox' };
  }
  if (repo === 'curlimages/curl') {
    if (cmd.length) return { ok: true, argv: [...cmd, ...args], path: boxPath, kind: 'curl' };
    // Like the image's entrypoint script: flags (or nothing) mean curl.
    const argv = args.length === 0 || args[0]!.startsWith('-') ? ['curl', ...args] : args;
    return { ok: true, argv, path: shellPath, kind: 'curl' };
  }
  if (repo === 'nginx' || repo === 'nginxinc/nginx-unprivileged') {
    const port = repo === 'nginx' ? '80' : '8080';
    if (cmd.length) return { ok: true, argv: [...cmd, ...args], path: boxPath, kind: 'shell' };
    return { ok: true, argv: ctx.self(['lab', 'http-server', '--port', port, '--nginx']), path: shellPath, kind: 'nginx' };
  }
  if (repo === 'registry.k8s.io/pause' || repo === 'k8s.gcr.io/pause') {
    return { ok: true, argv: ctx.self(['sleep']), path: shellPath, kind: 'pause' };
  }
  if (repo === 'alpine' || repo === 'debian' || repo === 'ubuntu') {
    const argv = cmd.length ? [...cmd, ...args] : args.length ? args : ['sh'];
    return { ok: true, argv, path: repo === 'alpine' ? boxPath : shellPath, kind: 'shell' };
  }
  return {
    ok: false,
    reason: 'ErrImagePull',
    message: `Failed to pull image "${c.image}": the netobs lab runs no container engine and maps only these images to local programs: ${SUPPORTED_IMAGES.join(', ')}`,
  };
}

/**
 * A command run in a container later (exec, preStop, exec probes): in the netobs image,
 * `kubectl-netobs` by any path is the CLI itself, which the lab starts as it started the container.
 */
export function containerCommand(argv: string[], kind: string | undefined, ctx: Pick<ImageContext, 'self'>): string[] {
  if (kind === 'netobs' && argv.length > 0 && /(^|\/)kubectl-netobs$/.test(argv[0]!)) return ctx.self(argv.slice(1));
  return argv;
}
