// Timestamps as hubble prints them: protobuf Timestamps turned into UTC times (timestamppb's
// AsTime is UTC) and formatted with one of hubble's --time-format layouts; StampMilli by default.
import type { Timestamp } from '../types.ts';

export const TIME_FORMATS = [
  'StampMilli', 'YearMonthDay', 'YearMonthDayHour', 'YearMonthDayHourMinute',
  'RFC3339', 'RFC3339Milli', 'RFC3339Micro', 'RFC3339Nano', 'RFC1123Z',
] as const;
export type TimeFormat = (typeof TIME_FORMATS)[number];

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const p2 = (n: number): string => String(n).padStart(2, '0');

// The range google.protobuf.Timestamp allows (years 1 to 9999); outside it hubble prints N/A.
const MIN_SECONDS = -62135596800;
const MAX_SECONDS = 253402300799;

/** Go's fractional seconds: `digits` places, truncated; with `trim`, trailing zeros (and the dot) dropped. */
function fraction(nanos: number, digits: number, trim: boolean): string {
  let f = String(nanos).padStart(9, '0').slice(0, digits);
  if (trim) f = f.replace(/0+$/, '');
  return f ? `.${f}` : '';
}

/** `ts` in `layout` (case-insensitive name; unknown names mean StampMilli, as in hubble); N/A when absent or invalid. */
export function formatTimestamp(ts: Timestamp | undefined, layout: string = 'StampMilli', localTime = false): string {
  if (!ts) return 'N/A';
  const seconds = ts.seconds ?? 0;
  const nanos = ts.nanos ?? 0;
  if (seconds < MIN_SECONDS || seconds > MAX_SECONDS || nanos < 0 || nanos >= 1e9) return 'N/A';
  const d = new Date(seconds * 1000);
  const offsetMin = localTime ? -d.getTimezoneOffset() : 0;
  const t = new Date(d.getTime() + offsetMin * 60_000); // read with UTC getters from here on
  const [y, mo, day, h, mi, s] = [t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate(), t.getUTCHours(), t.getUTCMinutes(), t.getUTCSeconds()];
  const sign = offsetMin < 0 ? '-' : '+';
  const [oh, om] = [p2(Math.floor(Math.abs(offsetMin) / 60)), p2(Math.abs(offsetMin) % 60)];
  const zone = offsetMin === 0 ? 'Z' : `${sign}${oh}:${om}`;
  const date = `${String(y).padStart(4, '0')}-${p2(mo + 1)}-${p2(day)}`;
  const clock = `${p2(h)}:${p2(mi)}:${p2(s)}`;
  switch (layout.toLowerCase()) {
    case 'yearmonthday': return date;
    case 'yearmonthdayhour': return `${date}T${p2(h)}${zone}`;
    case 'yearmonthdayhourminute': return `${date}T${p2(h)}:${p2(mi)}${zone}`;
    case 'rfc3339': return `${date}T${clock}${zone}`;
    case 'rfc3339milli': return `${date}T${clock}${fraction(nanos, 3, true)}${zone}`;
    case 'rfc3339micro': return `${date}T${clock}${fraction(nanos, 6, true)}${zone}`;
    case 'rfc3339nano': return `${date}T${clock}${fraction(nanos, 9, true)}${zone}`;
    case 'rfc1123z': return `${DAYS[t.getUTCDay()]}, ${p2(day)} ${MONTHS[mo]} ${y} ${clock} ${sign}${oh}${om}`;
    default: return `${MONTHS[mo]} ${String(day).padStart(2, ' ')} ${clock}${fraction(nanos, 3, false)}`;
  }
}
