// The string formats the API server checks in CRD schemas (a subset of kube-openapi's registry).
import { isIP } from 'node:net';

const CHECKS: Record<string, (v: string) => boolean> = {
  ipv4: (v) => isIP(v) === 4,
  ipv6: (v) => isIP(v) === 6,
  cidr: (v) => {
    const slash = v.indexOf('/');
    if (slash < 0) return false;
    const family = isIP(v.slice(0, slash));
    const bits = v.slice(slash + 1);
    if (family === 0 || !/^\d{1,3}$/.test(bits)) return false;
    return Number(bits) <= (family === 4 ? 32 : 128);
  },
  hostname: (v) => v.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/i.test(v),
  'date-time': (v) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(v) && !Number.isNaN(Date.parse(v)),
  byte: (v) => /^[A-Za-z0-9+/]*={0,2}$/.test(v) && v.length % 4 === 0,
  uuid: (v) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v),
};

/** True when `v` has the format; formats the API server does not check always pass. */
export function checkFormat(format: string, v: string): boolean {
  const check = CHECKS[format];
  return check ? check(v) : true;
}
