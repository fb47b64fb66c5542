// "Pods" without Kubernetes for the agent runtime tests: a network namespace each, with a veth
// whose host side sits on a bridge that has the gateway address (as flannel's cni0), or with a
// host route to the pod (as Calico or ptp). Names carry a per-file tag; close() removes all.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import type { PodObject } from '../../../../lib/kube-objects.ts';

export function sh(args: string[]): string {
  return execFileSync(args[0]!, args.slice(1), { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}
const quiet = (args: string[]): void => {
  try {
    sh(args);
  } catch {
    /* already gone */
  }
};

export interface NetPod {
  name: string;
  netns: string;
  ip: string;
  hostIf: string;
}

export class PodNet {
  readonly pods: NetPod[] = [];
  readonly bridge: string;
  readonly subnet: string;

  constructor(readonly tag: string, sub: number) {
    this.bridge = `nb-${tag}`;
    this.subnet = `10.${sub}.0`;
    this.close();
    sh(['ip', 'link', 'add', this.bridge, 'type', 'bridge']);
    sh(['ip', 'addr', 'add', `${this.subnet}.1/24`, 'dev', this.bridge]);
    sh(['ip', 'link', 'set', this.bridge, 'up']);
  }

  /** A pod behind the bridge (mode 'bridge') or behind a /32 host route (mode 'route', no traffic to others). */
  add(name: string, index: number, mode: 'bridge' | 'route' = 'bridge'): NetPod {
    const pod: NetPod = { name, netns: `netobs-${this.tag}-${index}`, ip: `${this.subnet}.${index + 10}`, hostIf: `h-${this.tag}-${index}` };
    this.pods.push(pod);
    const peer = `p-${this.tag}-${index}`;
    quiet(['ip', 'netns', 'del', pod.netns]);
    sh(['ip', 'netns', 'add', pod.netns]);
    sh(['ip', 'link', 'add', pod.hostIf, 'type', 'veth', 'peer', 'name', peer]);
    sh(['ip', 'link', 'set', peer, 'netns', pod.netns]);
    if (mode === 'bridge') sh(['ip', 'link', 'set', pod.hostIf, 'master', this.bridge]);
    sh(['ip', 'link', 'set', pod.hostIf, 'up']);
    const ns = ['ip', 'netns', 'exec', pod.netns];
    sh([...ns, 'ip', 'link', 'set', 'lo', 'up']);
    sh([...ns, 'ip', 'link', 'set', peer, 'name', 'eth0']);
    sh([...ns, 'ip', 'addr', 'add', mode === 'bridge' ? `${pod.ip}/24` : `${pod.ip}/32`, 'dev', 'eth0']);
    sh([...ns, 'ip', 'link', 'set', 'eth0', 'up']);
    if (mode === 'route') sh(['ip', 'route', 'add', `${pod.ip}/32`, 'dev', pod.hostIf]);
    return pod;
  }

  remove(pod: NetPod): void {
    quiet(['ip', 'netns', 'del', pod.netns]);
    quiet(['ip', 'link', 'del', pod.hostIf]);
  }

  close(): void {
    for (const p of this.pods) this.remove(p);
    for (let i = 0; i < 8; i++) {
      quiet(['ip', 'netns', 'del', `netobs-${this.tag}-${i}`]);
      quiet(['ip', 'link', 'del', `h-${this.tag}-${i}`]);
    }
    quiet(['ip', 'link', 'del', this.bridge]);
  }
}

/** A Kubernetes pod object for a NetPod. */
export function podObject(p: NetPod, node: string, labels: Record<string, string>, extra: { namespace?: string; owner?: { kind: string; name: string } } = {}): PodObject {
  return {
    metadata: {
      name: p.name, namespace: extra.namespace ?? 'default', uid: `uid-${p.name}`, labels,
      ...(extra.owner ? { ownerReferences: [{ ...extra.owner, controller: true }] } : {}),
    },
    spec: { nodeName: node, containers: [{ name: 'c', ports: [{ name: 'http', containerPort: 8080 }] }] },
    status: { phase: 'Running', podIP: p.ip, podIPs: [{ ip: p.ip }], hostIP: '192.0.2.2' },
  };
}

export function inPod(pod: NetPod, args: string[]): ChildProcess {
  return spawn('ip', ['netns', 'exec', pod.netns, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
}

export function run(pod: NetPod, script: string, args: string[] = [], timeoutMs = 20_000): Promise<{ code: number | null; stdout: string }> {
  const child = inPod(pod, [process.execPath, '-e', script, '--', ...args]);
  return new Promise((resolve) => {
    let stdout = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout });
    });
  });
}

/** Starts a server script in a pod and waits for it to print `listening`. */
export function serve(pod: NetPod, script: string, args: string[]): Promise<ChildProcess> {
  const child = inPod(pod, [process.execPath, '-e', script, '--', ...args]);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server not ready')), 15_000);
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('listening')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
}

export const SCRIPTS = {
  httpServer: `require('http').createServer((q, s) => s.end('ok')).listen(Number(process.argv[1]), () => console.log('listening'));`,
  httpGet: `
    const [host, port] = process.argv.slice(1);
    const r = require('http').get({ host, port: Number(port), path: '/hello', timeout: 1500, agent: false }, (res) => { res.resume(); res.on('end', () => { console.log('status ' + res.statusCode); process.exit(0); }); });
    r.on('timeout', () => { console.log('timeout'); process.exit(3); });
    r.on('error', (e) => { console.log('error ' + e.code); process.exit(2); });`,
} as const;

/** Polls `fn` until it returns a value (not undefined) or the deadline passes. */
export async function eventually<T>(fn: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
