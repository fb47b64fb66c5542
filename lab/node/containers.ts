// A container is a process in its pod's network namespace, with its own UTS namespace (so
// `hostname` is the pod name) and mount namespace (ip netns exec's, where /etc/resolv.conf and
// /etc/hosts come from /etc/netns/<netns>/ and volumes are bind-mounted). Output goes to a log
// file in the CRI format (`<time> <stream> F <line>`), which `kubectl logs` reads back.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, type WriteStream } from 'node:fs';

/** Absolute, so a container PATH with busybox first never picks busybox applets of the same names. */
const firstOf = (names: string[]) => names.find((p) => existsSync(p)) ?? names[0]!;
export const NSENTER_BIN = firstOf(['/usr/bin/nsenter', '/bin/nsenter', '/usr/sbin/nsenter']);
export const UNSHARE_BIN = firstOf(['/usr/bin/unshare', '/bin/unshare', '/usr/sbin/unshare']);

export interface Mount {
  source: string;
  target: string;
  readOnly?: boolean;
}

export interface ContainerLaunch {
  netns: string;
  hostname: string;
  argv: string[];
  env: Record<string, string>;
  cwd?: string;
  mounts: Mount[];
  logFile: string;
  stdin?: boolean;
}

export interface RunningContainer {
  readonly pid: number;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly child: ChildProcess;
  kill(signal: NodeJS.Signals): void;
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

const within = (p: string, dir: string) => p === dir || p.startsWith(dir.endsWith('/') ? dir : dir + '/');

/**
 * Bind mounts in an order where each source is still visible when it is mounted (a mount over
 * /var/run/netobs would hide sources under it) and parents come before their children.
 */
export function orderMounts(mounts: Mount[]): Mount[] {
  const rest = [...mounts];
  const out: Mount[] = [];
  while (rest.length > 0) {
    const ok = (m: Mount) =>
      !rest.some((n) => n !== m && within(m.target, n.target) && m.target !== n.target) && !rest.some((n) => n !== m && within(n.source, m.target));
    const i = Math.max(0, rest.findIndex(ok));
    out.push(rest.splice(i, 1)[0]!);
  }
  return out;
}

/**
 * The shell prologue run inside the namespaces before exec'ing the container's program: a sysfs
 * of the pod's netns (what `ip netns exec` does), /etc/netns/<netns>/* over /etc (resolv.conf,
 * hosts), then the volumes.
 */
export function prologue(l: Pick<ContainerLaunch, 'mounts' | 'cwd' | 'netns'>): string {
  const lines = [
    'hn="$1"; shift',
    '/bin/hostname "$hn" 2>/dev/null || true',
    '/bin/mount -t sysfs -o nosuid,nodev,noexec sysfs /sys 2>/dev/null || true',
    `for f in /etc/netns/${l.netns}/*; do [ -e "$f" ] && /bin/mount --bind "$f" "/etc/\${f##*/}"; done 2>/dev/null`,
  ];
  for (const m of orderMounts(l.mounts)) {
    lines.push(`/bin/mkdir -p ${q(m.target)} 2>/dev/null; /bin/mount --bind ${q(m.source)} ${q(m.target)} || exit 126`);
    if (m.readOnly) lines.push(`/bin/mount -o remount,bind,ro ${q(m.target)} 2>/dev/null || true`);
  }
  // Like a container runtime: the image's working directory, else /, never the lab's own (which a
  // volume may hide, leaving the process in a directory that no longer exists for it).
  lines.push(`cd ${q(l.cwd ?? '/')} || exit 126`);
  lines.push('exec "$@"');
  return lines.join('\n');
}

/**
 * nsenter + unshare rather than `ip netns exec`: its fresh /sys hides the host's bpffs before the
 * prologue can bind the node's pin directory, and bind mounts of bpffs then fail (ENOENT).
 */
export function containerArgv(l: ContainerLaunch): string[] {
  return [NSENTER_BIN, `--net=/var/run/netns/${l.netns}`, '--', UNSHARE_BIN, '--mount', '--uts', '--propagation', 'slave', '--', '/bin/sh', '-c', prologue(l), 'sh', l.hostname, ...l.argv];
}

/** Appends CRI-format lines to a log file, keeping partial lines until their newline. */
export class LogWriter {
  private out: WriteStream;
  private partial: Record<string, string> = { stdout: '', stderr: '' };

  constructor(file: string) {
    this.out = createWriteStream(file, { flags: 'a' });
  }

  write(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    const text = this.partial[stream] + chunk.toString('utf8');
    const lines = text.split('\n');
    this.partial[stream] = lines.pop() ?? '';
    for (const l of lines) this.out.write(`${new Date().toISOString()} ${stream} F ${l}\n`);
  }

  end(): Promise<void> {
    for (const s of ['stdout', 'stderr'] as const) if (this.partial[s]) this.out.write(`${new Date().toISOString()} ${s} P ${this.partial[s]}\n`);
    return new Promise((r) => this.out.end(() => r()));
  }
}

export function startContainer(l: ContainerLaunch): RunningContainer {
  const [file, ...args] = containerArgv(l);
  const child = spawn(file!, args, { env: l.env, stdio: [l.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'], detached: true });
  const log = new LogWriter(l.logFile);
  child.stdout!.on('data', (d: Buffer) => log.write('stdout', d));
  child.stderr!.on('data', (d: Buffer) => log.write('stderr', d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    let done = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (done) return;
      done = true;
      void log.end().then(() => resolve({ code, signal }));
    };
    child.on('close', finish);
    child.on('error', (e) => {
      log.write('stderr', Buffer.from(`netobs lab: cannot start container: ${e.message}\n`));
      finish(127, null);
    });
  });
  return {
    pid: child.pid ?? -1,
    exited,
    child,
    kill(signal) {
      // The whole process group: shells and their children go too.
      try {
        if (child.pid) process.kill(-child.pid, signal);
      } catch {
        try {
          child.kill(signal);
        } catch {
          // already gone
        }
      }
    },
  };
}
