// The CNI protocol as netobs's chained plugin sees it (CNI spec 1.0): the request comes from the
// environment (CNI_COMMAND, CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_ARGS, CNI_PATH) and the
// network configuration on stdin; the answer is the previous plugin's result on ADD, the versions
// on VERSION, nothing on DEL and CHECK, and an error object with a code on any failure. Pure.

/** The `type` of netobs's entry in a conflist, and the name of its binary in the CNI bin dir. */
export const CNI_PLUGIN_TYPE = 'netobs';
export const CNI_VERSIONS = ['0.3.0', '0.3.1', '0.4.0', '1.0.0'] as const;

/** Well-known CNI error codes (spec: "Error"); 100 and up are the plugin's own. */
export const CniCode = {
  incompatibleVersion: 1,
  unsupportedField: 2,
  unknownContainer: 3,
  invalidEnvironment: 4,
  io: 5,
  decode: 6,
  invalidConfig: 7,
  tryAgainLater: 11,
  /** The node's netobs datapath is not there (no pinned programs): the agent never started here. */
  datapathMissing: 100,
  /** The pod's interface was found but netobs's programs could not be put on it. */
  attachFailed: 101,
} as const;

export class CniError extends Error {
  constructor(
    readonly code: number,
    msg: string,
    readonly details = '',
  ) {
    super(msg);
  }

  toJSON(cniVersion: string): { cniVersion: string; code: number; msg: string; details?: string } {
    return { cniVersion, code: this.code, msg: this.message, ...(this.details ? { details: this.details } : {}) };
  }
}

export type CniCommand = 'ADD' | 'DEL' | 'CHECK' | 'VERSION';

export interface CniInterface {
  name: string;
  mac?: string;
  sandbox?: string;
}

export interface CniIp {
  address: string;
  gateway?: string;
  interface?: number;
}

export interface CniResult {
  cniVersion?: string;
  interfaces?: CniInterface[];
  ips?: CniIp[];
  [k: string]: unknown;
}

/** netobs's own netconf keys, next to the standard ones. */
export interface NetobsNetConf {
  cniVersion: string;
  name: string;
  type: string;
  /** Where the agent pins the datapath (default /sys/fs/bpf/netobs). */
  bpffsRoot?: string;
  prevResult?: CniResult;
}

export interface CniRequest {
  command: CniCommand;
  containerId: string;
  netns: string;
  ifname: string;
  /** CNI_ARGS as key/value (the runtime's K8S_POD_NAMESPACE, K8S_POD_NAME...). */
  args: Record<string, string>;
  conf: NetobsNetConf;
}

const COMMANDS: readonly CniCommand[] = ['ADD', 'DEL', 'CHECK', 'VERSION'];

/** CNI_ARGS: `K=V;K=V`. */
export function parseCniArgs(s: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (s ?? '').split(';')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw new CniError(CniCode.invalidEnvironment, `CNI_ARGS: "${part}" is not KEY=VALUE`);
    out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}

/** The netconf's cniVersion, or the oldest we know when it cannot be read (for the error answer). */
export function confVersion(stdin: string): string {
  try {
    const v = (JSON.parse(stdin) as { cniVersion?: unknown }).cniVersion;
    return typeof v === 'string' ? v : '1.0.0';
  } catch {
    return '1.0.0';
  }
}

/** Reads one invocation; throws CniError with the spec's code when it is malformed. */
export function parseCniRequest(env: Record<string, string | undefined>, stdin: string): CniRequest {
  const command = env['CNI_COMMAND'] as CniCommand | undefined;
  if (!command || !COMMANDS.includes(command)) throw new CniError(CniCode.invalidEnvironment, `CNI_COMMAND "${env['CNI_COMMAND'] ?? ''}" is not one of ${COMMANDS.join(', ')}`);
  let raw: unknown;
  try {
    raw = stdin.trim() === '' && command === 'VERSION' ? {} : JSON.parse(stdin);
  } catch (e) {
    throw new CniError(CniCode.decode, `network configuration on stdin is not JSON: ${(e as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new CniError(CniCode.decode, 'network configuration on stdin is not a JSON object');
  const c = raw as Record<string, unknown>;
  const conf: NetobsNetConf = {
    cniVersion: typeof c['cniVersion'] === 'string' ? c['cniVersion'] : '',
    name: typeof c['name'] === 'string' ? c['name'] : '',
    type: typeof c['type'] === 'string' ? c['type'] : '',
    ...(typeof c['bpffsRoot'] === 'string' ? { bpffsRoot: c['bpffsRoot'] } : {}),
    ...(typeof c['prevResult'] === 'object' && c['prevResult'] !== null ? { prevResult: c['prevResult'] as CniResult } : {}),
  };
  const req: CniRequest = { command, containerId: env['CNI_CONTAINERID'] ?? '', netns: env['CNI_NETNS'] ?? '', ifname: env['CNI_IFNAME'] ?? '', args: parseCniArgs(env['CNI_ARGS']), conf };
  if (command === 'VERSION') return req;
  if (!(CNI_VERSIONS as readonly string[]).includes(conf.cniVersion)) {
    throw new CniError(CniCode.incompatibleVersion, `cniVersion "${conf.cniVersion}" is not supported (supported: ${CNI_VERSIONS.join(', ')})`);
  }
  if ('bpffsRoot' in c && typeof c['bpffsRoot'] !== 'string') throw new CniError(CniCode.invalidConfig, 'bpffsRoot must be a string');
  for (const [k, v] of [['CNI_CONTAINERID', req.containerId], ['CNI_IFNAME', req.ifname]] as const) {
    if (!v) throw new CniError(CniCode.invalidEnvironment, `${k} is not set`);
  }
  // DEL must succeed when the sandbox is already gone; ADD and CHECK need it.
  if (command !== 'DEL' && !req.netns) throw new CniError(CniCode.invalidEnvironment, 'CNI_NETNS is not set');
  if (command !== 'DEL' && !conf.prevResult) {
    throw new CniError(CniCode.invalidConfig, `netobs is a chained plugin: put it after the plugin that creates the pod's interface in the conflist (no prevResult on ${command})`);
  }
  return req;
}

/** The pod's addresses from a result (without prefix length). */
export function resultAddresses(r: CniResult | undefined): { ipv4?: string; ipv6?: string } {
  const out: { ipv4?: string; ipv6?: string } = {};
  for (const ip of r?.ips ?? []) {
    const a = ip.address.split('/')[0] ?? '';
    if (a.includes(':')) out.ipv6 ??= a;
    else if (a) out.ipv4 ??= a;
  }
  return out;
}

export function versionAnswer(cniVersion = '1.0.0'): { cniVersion: string; supportedVersions: string[] } {
  return { cniVersion, supportedVersions: [...CNI_VERSIONS] };
}
