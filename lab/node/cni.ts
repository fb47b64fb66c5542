// Pod networking the way a kubelet's runtime does it: the node's CNI configuration (a conflist in
// its own net.d), plugins from its CNI bin dir and the system's (/usr/lib/cni, Debian's
// containernetworking-plugins), chained as libcni chains them: ADD runs the plugins in order, each
// getting the previous one's result as prevResult; DEL runs them in reverse with the cached
// result. Each node keeps its own dirs (bin, net.d, host-local's dataDir, cached results), and its
// plugins run in the node's netns with the node's /sys/fs/bpf, as they would on a real node.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { NSENTER_BIN, UNSHARE_BIN } from './containers.ts';
import { SYSTEM_PATH } from './sh.ts';
import type { NodePlan } from './plan.ts';

/** Where the system's reference plugins are (Debian, then the upstream default). */
export const SYSTEM_CNI_DIRS = ['/usr/lib/cni', '/opt/cni/bin'];
export const LAB_CONFLIST = '10-netobs-lab.conflist';

export interface NodeCniDirs {
  /** The node's /opt/cni/bin (what an installer such as netobs's DaemonSet writes to). */
  bin: string;
  /** The node's /etc/cni/net.d. */
  conf: string;
  /** host-local's dataDir (IP reservations). */
  ipam: string;
}

export function nodeCniDirs(nodeDir: string): NodeCniDirs {
  const root = path.join(nodeDir, 'cni');
  return { bin: path.join(root, 'bin'), conf: path.join(root, 'net.d'), ipam: path.join(root, 'ipam') };
}

/** The lab's network: ptp veths with host-local addresses from the node's pod CIDR. */
export function labConflist(node: NodePlan, dirs: NodeCniDirs): object {
  const [a, b, c] = node.podCidr.split('/')[0]!.split('.');
  return {
    cniVersion: '1.0.0',
    name: 'netobs-lab',
    plugins: [
      {
        type: 'ptp',
        ipMasq: false,
        ipam: {
          type: 'host-local',
          ranges: [[{ subnet: node.podCidr, rangeStart: `${a}.${b}.${c}.2`, rangeEnd: `${a}.${b}.${c}.254`, gateway: node.gatewayIp }]],
          routes: [{ dst: '0.0.0.0/0' }],
          dataDir: dirs.ipam,
        },
      },
    ],
  };
}

/** Creates the node's dirs and its conflist (kept when present: an installer may have chained into it). */
export async function prepareNodeCni(node: NodePlan, dirs: NodeCniDirs): Promise<void> {
  for (const d of Object.values(dirs)) await mkdir(d, { recursive: true });
  const file = path.join(dirs.conf, LAB_CONFLIST);
  if (!existsSync(file)) await writeFile(file, JSON.stringify(labConflist(node, dirs), null, 2) + '\n');
}

export interface CniConflist {
  cniVersion: string;
  name: string;
  plugins: Array<Record<string, unknown> & { type: string }>;
}

export interface CniAttachment {
  /** The conflist ADD ran (DEL runs the same one). */
  conflist: CniConflist;
  result: { ips?: Array<{ address: string }>; interfaces?: Array<{ name: string; sandbox?: string }>; [k: string]: unknown };
}

export interface CniInvocation {
  node: NodePlan;
  dirs: NodeCniDirs;
  /** The node's bpffs directory, bound at /sys/fs/bpf for the plugins (undefined: none). */
  bpfDir: string | undefined;
  containerId: string;
  netnsPath: string;
  ifname: string;
  /** CNI_ARGS pairs (K8S_POD_NAMESPACE, K8S_POD_NAME, IP...). */
  args: Record<string, string>;
}

export async function activeConflist(dirs: NodeCniDirs): Promise<CniConflist> {
  const names = (await readdir(dirs.conf)).filter((n) => /\.(conflist|conf|json)$/.test(n)).sort();
  if (!names[0]) throw new Error(`no CNI configuration in ${dirs.conf}`);
  const v = JSON.parse(await readFile(path.join(dirs.conf, names[0]), 'utf8')) as CniConflist;
  if (!Array.isArray(v.plugins)) throw new Error(`${names[0]}: the lab runs conflists only`);
  return v;
}

function pluginPath(dirs: NodeCniDirs, type: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(type)) throw new Error(`CNI plugin type "${type}" is not a file name`);
  for (const d of [dirs.bin, ...SYSTEM_CNI_DIRS]) if (existsSync(path.join(d, type))) return path.join(d, type);
  throw new Error(`CNI plugin "${type}" not found in ${[dirs.bin, ...SYSTEM_CNI_DIRS].join(':')} (apt-get install containernetworking-plugins)`);
}

/** Runs one plugin in the node's netns (with the node's bpffs at /sys/fs/bpf); resolves to its parsed stdout. */
function execPlugin(inv: CniInvocation, command: 'ADD' | 'DEL', conf: object): Promise<unknown> {
  const file = pluginPath(inv.dirs, (conf as { type: string }).type);
  const mountBpf = inv.bpfDir ? `/bin/mount --bind '${inv.bpfDir.replace(/'/g, `'\\''`)}' /sys/fs/bpf || exit 126; ` : '';
  const script = `/bin/mount -t sysfs -o nosuid,nodev,noexec sysfs /sys 2>/dev/null; ${mountBpf}exec "$@"`;
  const argv = [`--net=/var/run/netns/${inv.node.netns}`, '--', UNSHARE_BIN, '--mount', '--propagation', 'slave', '--', '/bin/sh', '-c', script, 'sh', file];
  const env = {
    PATH: SYSTEM_PATH,
    CNI_COMMAND: command,
    CNI_CONTAINERID: inv.containerId,
    CNI_NETNS: inv.netnsPath,
    CNI_IFNAME: inv.ifname,
    CNI_PATH: [inv.dirs.bin, ...SYSTEM_CNI_DIRS].join(':'),
    CNI_ARGS: Object.entries({ IgnoreUnknown: '1', ...inv.args }).map(([k, v]) => `${k}=${v}`).join(';'),
  };
  return new Promise((resolve, reject) => {
    const child = spawn(NSENTER_BIN, argv, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      let parsed: unknown;
      try {
        parsed = out.trim() ? JSON.parse(out) : undefined;
      } catch {
        parsed = undefined;
      }
      if (code === 0) return resolve(parsed);
      const e = parsed as { code?: number; msg?: string; details?: string } | undefined;
      const why = e?.msg ? `${e.msg}${e.details ? ` (${e.details})` : ''} [code ${e.code}]` : (err.trim() || out.trim() || `exit ${code}`);
      reject(new Error(`CNI ${command} ${(conf as { type: string }).type}: ${why}`));
    });
    child.stdin.end(JSON.stringify(conf));
  });
}

const pluginConf = (list: CniConflist, plugin: Record<string, unknown>, prevResult?: unknown) => ({
  cniVersion: list.cniVersion,
  name: list.name,
  ...plugin,
  ...(prevResult ? { prevResult } : {}),
});

/** ADD through the chain; on a failure the plugins already run are deleted again (no leaked address). */
export async function cniAdd(inv: CniInvocation): Promise<CniAttachment> {
  const conflist = await activeConflist(inv.dirs);
  let prev: unknown;
  for (let i = 0; i < conflist.plugins.length; i++) {
    try {
      prev = await execPlugin(inv, 'ADD', pluginConf(conflist, conflist.plugins[i]!, prev));
    } catch (e) {
      await cniDel(inv, { conflist: { ...conflist, plugins: conflist.plugins.slice(0, i + 1) }, result: (prev ?? {}) as CniAttachment['result'] }).catch(() => {});
      throw e;
    }
  }
  return { conflist, result: (prev ?? {}) as CniAttachment['result'] };
}

/** DEL in reverse order with the cached result; every plugin runs, the first error is reported. */
export async function cniDel(inv: CniInvocation, att: CniAttachment): Promise<void> {
  let first: Error | undefined;
  for (const plugin of [...att.conflist.plugins].reverse()) {
    try {
      await execPlugin(inv, 'DEL', pluginConf(att.conflist, plugin, att.result));
    } catch (e) {
      first ??= e as Error;
    }
  }
  if (first) throw first;
}

/** The pod's IPv4 address from a result. */
export function resultIpv4(r: CniAttachment['result']): string | undefined {
  return (r.ips ?? []).map((i) => i.address.split('/')[0]!).find((a) => !a.includes(':'));
}
