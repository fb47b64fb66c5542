// The hubble `observe` filter flags: their names, aliases and descriptions (so the observe
// command can register them for --help and completion), and an order-preserving scan of argv
// (`--not` negates the flag after it, which a flag parser's result object cannot tell).

export interface FilterFlag {
  name: string;
  alias?: string;
  /** Boolean flags take no value. */
  boolean?: boolean;
  describe: string;
}

const both = (what: string) => `Show flows where the source or the destination ${what}`;

export const FILTER_FLAGS: readonly FilterFlag[] = [
  { name: 'not', boolean: true, describe: 'Reverse the next filter (show flows that do not match it)' },
  { name: 'all-namespaces', alias: 'A', boolean: true, describe: 'Show flows of every namespace; pod names without a namespace match in any namespace' },
  { name: 'namespace', alias: 'n', describe: both('is in this namespace; with --pod, the namespace of pod names given without one') },
  { name: 'from-namespace', describe: 'Show flows whose source is in this namespace' },
  { name: 'to-namespace', describe: 'Show flows whose destination is in this namespace' },
  { name: 'pod', describe: both('is this pod ([namespace/]pod-name-prefix; namespace from -n, or default)') },
  { name: 'from-pod', describe: 'Show flows from this pod ([namespace/]pod-name-prefix)' },
  { name: 'to-pod', describe: 'Show flows to this pod ([namespace/]pod-name-prefix)' },
  { name: 'label', alias: 'l', describe: both('matches this label selector (k=v,k2 in (a,b); k8s: prefix optional)') },
  { name: 'from-label', describe: 'Show flows whose source matches this label selector' },
  { name: 'to-label', describe: 'Show flows whose destination matches this label selector' },
  { name: 'ip', describe: both('has this IP address or is in this CIDR') },
  { name: 'from-ip', describe: 'Show flows from this IP address or CIDR' },
  { name: 'to-ip', describe: 'Show flows to this IP address or CIDR' },
  { name: 'ipv4', alias: '4', boolean: true, describe: 'Show only IPv4 flows' },
  { name: 'ipv6', alias: '6', boolean: true, describe: 'Show only IPv6 flows' },
  { name: 'fqdn', describe: both('has this DNS name (* wildcards allowed)') },
  { name: 'from-fqdn', describe: 'Show flows from this DNS name (* wildcards allowed)' },
  { name: 'to-fqdn', describe: 'Show flows to this DNS name (* wildcards allowed)' },
  { name: 'service', describe: both('is this service ([namespace/]name-prefix)') },
  { name: 'from-service', describe: 'Show flows from this service ([namespace/]name-prefix)' },
  { name: 'to-service', describe: 'Show flows to this service ([namespace/]name-prefix)' },
  { name: 'port', describe: both('uses this L4 port') },
  { name: 'from-port', describe: 'Show flows with this L4 source port' },
  { name: 'to-port', describe: 'Show flows with this L4 destination port' },
  { name: 'identity', describe: both('has this security identity (number or reserved name such as world)') },
  { name: 'from-identity', describe: 'Show flows from this security identity' },
  { name: 'to-identity', describe: 'Show flows to this security identity' },
  { name: 'workload', describe: both('belongs to this workload ([kind/]name)') },
  { name: 'from-workload', describe: 'Show flows from this workload ([kind/]name)' },
  { name: 'to-workload', describe: 'Show flows to this workload ([kind/]name)' },
  { name: 'protocol', describe: 'Show flows of this protocol (tcp, udp, sctp, icmp, icmpv4, icmpv6, dns, http)' },
  { name: 'verdict', describe: 'Show flows with this verdict (FORWARDED, DROPPED, AUDIT, REDIRECTED, ERROR, TRACED, TRANSLATED)' },
  { name: 'drop-reason-desc', describe: 'Show drops with this reason (e.g. POLICY_DENIED, POLICY_DENY)' },
  { name: 'type', alias: 't', describe: 'Show events of this type, TYPE[:SUBTYPE] (drop, trace[:to-endpoint…], policy-verdict, l7)' },
  { name: 'http-status', describe: 'Show HTTP responses with this status code (404) or class (2+, 40+)' },
  { name: 'http-method', describe: 'Show HTTP flows with this method' },
  { name: 'http-path', describe: 'Show HTTP flows whose path matches this regular expression' },
  { name: 'http-url', describe: 'Show HTTP flows whose URL matches this regular expression' },
  { name: 'traffic-direction', describe: 'Show flows in this direction (ingress or egress)' },
  { name: 'node-name', describe: 'Show flows observed on this node ([cluster/]name, * wildcards allowed)' },
  { name: 'node-label', describe: 'Show flows observed on nodes matching this label selector' },
  { name: 'tcp-flags', describe: 'Show TCP flows with at least these flags (e.g. SYN or SYN,ACK)' },
];

export interface FilterArg { name: string; value: string }

const BY_LONG = new Map(FILTER_FLAGS.map((f) => [f.name, f]));
const BY_SHORT = new Map(FILTER_FLAGS.filter((f) => f.alias).map((f) => [f.alias as string, f]));

/** The filter flags of argv in order; other arguments are skipped. Stops at `--`. */
export function scanFilterArgs(argv: readonly string[]): FilterArg[] {
  const out: FilterArg[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') break;
    let flag: FilterFlag | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      flag = BY_LONG.get(eq < 0 ? arg.slice(2) : arg.slice(2, eq));
      if (eq >= 0) inline = arg.slice(eq + 1);
    } else if (/^-[A-Za-z0-9]$/.test(arg)) {
      flag = BY_SHORT.get(arg.slice(1));
    } else if (/^-[A-Za-z0-9]=/.test(arg)) {
      flag = BY_SHORT.get(arg.slice(1, 2));
      inline = arg.slice(3);
    }
    if (!flag) continue;
    if (flag.boolean) {
      if (inline === undefined || inline === 'true') out.push({ name: flag.name, value: 'true' });
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) continue; // the flag parser reports the missing value
    out.push({ name: flag.name, value });
  }
  return out;
}
