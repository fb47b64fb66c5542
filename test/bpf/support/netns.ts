// Pods without Kubernetes: network namespaces with a veth each, the host sides on one
// bridge, so traffic between "pods" crosses both host-side hooks like on a node.
// Names carry a per-file tag (tests run concurrently); close() removes everything.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';

export function sh(args: string[], input?: string): string {
  return execFileSync(args[0]!, args.slice(1), { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], ...(input ? { input } : {}) });
}

export interface Pod {
  name: string;
  netns: string;
  ip: string;
  /** Host-side interface (where the datapath attaches). */
  hostIf: string;
}

export interface Topology {
  pods: Pod[];
  bridge: string;
  close(): void;
}

/** `count` pods on 10.<subnet>.0.0/24, named after `tag` (at most 5 characters). */
export function makeTopology(tag: string, subnet: number, count = 2): Topology {
  const bridge = `nb-${tag}`;
  const pods: Pod[] = [];
  // By name, not by `pods`: the first call removes what an interrupted run left behind.
  const names = Array.from({ length: Math.max(count, 8) }, (_, i) => ({ netns: `netobs-${tag}-${i}`, hostIf: `h-${tag}-${i}` }));
  const close = () => {
    for (const p of names) {
      try {
        sh(['ip', 'netns', 'del', p.netns]);
      } catch {
        /* already gone */
      }
      try {
        sh(['ip', 'link', 'del', p.hostIf]);
      } catch {
        /* gone with its namespace */
      }
    }
    try {
      sh(['ip', 'link', 'del', bridge]);
    } catch {
      /* never created */
    }
  };
  close(); // leftovers of an interrupted run
  try {
    sh(['ip', 'link', 'add', bridge, 'type', 'bridge']);
    sh(['ip', 'link', 'set', bridge, 'up']);
    for (let i = 0; i < count; i++) {
      const pod: Pod = { name: `pod${i}`, netns: `netobs-${tag}-${i}`, ip: `10.${subnet}.0.${i + 2}`, hostIf: `h-${tag}-${i}` };
      pods.push(pod);
      const peer = `p-${tag}-${i}`;
      sh(['ip', 'netns', 'add', pod.netns]);
      sh(['ip', 'link', 'add', pod.hostIf, 'type', 'veth', 'peer', 'name', peer]);
      sh(['ip', 'link', 'set', peer, 'netns', pod.netns]);
      sh(['ip', 'link', 'set', pod.hostIf, 'master', bridge]);
      sh(['ip', 'link', 'set', pod.hostIf, 'up']);
      const ns = ['ip', 'netns', 'exec', pod.netns];
      sh([...ns, 'ip', 'link', 'set', 'lo', 'up']);
      sh([...ns, 'ip', 'link', 'set', peer, 'name', 'eth0']);
      sh([...ns, 'ip', 'addr', 'add', `${pod.ip}/24`, 'dev', 'eth0']);
      sh([...ns, 'ip', 'link', 'set', 'eth0', 'up']);
    }
  } catch (err) {
    close();
    throw err;
  }
  return { pods, bridge, close };
}

/** Runs a process in a pod's namespace. */
export function inPod(pod: Pod, args: string[]): ChildProcess {
  return spawn('ip', ['netns', 'exec', pod.netns, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Runs a Node.js script (source text) in a pod, resolving with its stdout. */
export function nodeInPod(pod: Pod, script: string, args: string[] = [], timeoutMs = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return finish(inPod(pod, [process.execPath, '-e', script, '--', ...args]), timeoutMs);
}

export function finish(child: ChildProcess, timeoutMs = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts a long-running process in a pod and waits for `ready` on its stdout. */
export function startInPod(pod: Pod, args: string[], ready: RegExp, timeoutMs = 15_000): Promise<ChildProcess> {
  const child = inPod(pod, args);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args.join(' ')}: not ready after ${timeoutMs} ms: ${out}`));
    }, timeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (ready.test(out)) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited (${code}): ${out}`));
    });
  });
}

/** Node scripts the pods run: a TCP sink that reports bytes, a TCP client, a UDP echo. */
export const SCRIPTS = {
  tcpSink: `
    const net = require('net');
    const srv = net.createServer((s) => { let n = 0; s.on('data', (d) => n += d.length); s.on('end', () => { s.end(String(n)); }); });
    srv.listen(Number(process.argv[1]), () => console.log('listening'));`,
  tcpSend: `
    const net = require('net');
    const [host, port, bytes, timeout] = process.argv.slice(1);
    const s = net.connect({ host, port: Number(port) });
    s.setTimeout(Number(timeout ?? 3000), () => { console.log('timeout'); process.exit(3); });
    s.on('error', (e) => { console.log('error ' + e.code); process.exit(2); });
    let reply = '';
    s.on('connect', () => { s.end(Buffer.alloc(Number(bytes), 97)); });
    s.on('data', (d) => reply += d);
    s.on('end', () => { console.log('sent ' + reply); process.exit(0); });`,
  /** Writes 256 KiB every 10 ms for the given seconds, then reports what the sink counted. */
  tcpStream: `
    const net = require('net');
    const [host, port, seconds] = process.argv.slice(1);
    const s = net.connect({ host, port: Number(port) });
    s.on('error', (e) => { console.log('error ' + e.code); process.exit(2); });
    let sent = 0, reply = '';
    const chunk = Buffer.alloc(256 * 1024, 98);
    s.on('connect', () => {
      const end = Date.now() + Number(seconds) * 1000;
      const tick = setInterval(() => {
        if (Date.now() > end) { clearInterval(tick); s.end(); return; }
        s.write(chunk); sent += chunk.length;
      }, 10);
    });
    s.on('data', (d) => reply += d);
    s.on('end', () => { console.log('sent ' + sent + ' got ' + reply); process.exit(0); });`,
  udpEcho: `
    const s = require('dgram').createSocket('udp4');
    s.on('message', (m, r) => s.send(m, r.port, r.address));
    s.bind(Number(process.argv[1]), () => console.log('listening'));`,
  udpAsk: `
    const s = require('dgram').createSocket('udp4');
    const [host, port] = process.argv.slice(1);
    s.on('message', (m) => { console.log('got ' + m); process.exit(0); });
    setTimeout(() => { console.log('timeout'); process.exit(3); }, 3000);
    s.send('ping', Number(port), host);`,
} as const;
