// Readers of iproute2's JSON output (`ip -j ...`, `bridge -j ...`). Pure: the strings come from
// the effects in discover.ts, or from fixtures in tests. Unknown shapes read as "nothing found".

export interface LinkInfo {
  readonly ifindex: number;
  readonly ifname: string;
  /** linkinfo.info_kind: veth, bridge, vxlan... (needs `ip -d`). */
  readonly kind?: string;
  readonly master?: string;
  /** For a veth: the peer's ifindex, in the namespace linkNetnsid names. */
  readonly linkIndex?: number;
  readonly linkNetnsid?: number;
  readonly mac?: string;
  readonly up: boolean;
  /** Addresses (from `ip addr`), without prefix length. */
  readonly addresses: readonly string[];
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (text: string): Json[] => {
  if (text.trim() === '') return [];
  const v: unknown = JSON.parse(text);
  return Array.isArray(v) ? v.filter(isObj) : [];
};
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** `ip -j [-d] link show` or `ip -j addr show`. */
export function parseLinks(text: string): LinkInfo[] {
  return arr(text).flatMap((l) => {
    const ifindex = num(l.ifindex);
    const ifname = str(l.ifname);
    if (ifindex === undefined || !ifname) return [];
    const info = isObj(l.linkinfo) ? l.linkinfo : {};
    const addrInfo = Array.isArray(l.addr_info) ? l.addr_info.filter(isObj) : [];
    const flags = Array.isArray(l.flags) ? l.flags : [];
    const kind = str(info.info_kind);
    const master = str(l.master);
    const linkIndex = num(l.link_index);
    const linkNetnsid = num(l.link_netnsid);
    const mac = str(l.address);
    return [{
      ifindex, ifname, up: flags.includes('UP'),
      addresses: addrInfo.map((a) => str(a.local)).filter((a): a is string => a !== undefined),
      ...(kind ? { kind } : {}), ...(master ? { master } : {}), ...(linkIndex !== undefined ? { linkIndex } : {}),
      ...(linkNetnsid !== undefined ? { linkNetnsid } : {}), ...(mac ? { mac } : {}),
    }];
  });
}

/** `ip -j route get IP`: the device the host would send to the IP through, and whether via a gateway. */
export function parseRouteGet(text: string): { dev: string; gateway?: string } | undefined {
  const r = arr(text)[0];
  const dev = str(r?.dev);
  if (!r || !dev) return undefined;
  const gateway = str(r.gateway);
  return gateway ? { dev, gateway } : { dev };
}

/** `ip -j neigh show IP [dev DEV]`: the MAC address, when resolved. */
export function parseNeighbour(text: string, ip: string): string | undefined {
  const n = arr(text).find((e) => str(e.dst) === ip && str(e.lladdr));
  return n ? str(n.lladdr) : undefined;
}

/** `bridge -j fdb show br BR`: the port a MAC was learned on (not the bridge's own entries). */
export function parseFdbPort(text: string, mac: string, bridge: string): string | undefined {
  const want = mac.toLowerCase();
  const e = arr(text).find((x) => str(x.mac)?.toLowerCase() === want && str(x.ifname) !== bridge);
  return e ? str(e.ifname) : undefined;
}
