// What keeps secrets out of a sysdump: a Secret keeps its keys and loses its values, and any
// secret value that turns up elsewhere (a log line, an annotation) is cut out of every file. Pure.

const REDACTED = '<redacted>';

interface SecretLike {
  kind?: string;
  metadata?: { annotations?: Record<string, string>; managedFields?: unknown };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

/** A Secret with each value replaced by its size; last-applied-configuration (a copy of the data) and managedFields go. */
export function redactSecret<T extends SecretLike>(s: T): T {
  const mask = (d: Record<string, string> | undefined) =>
    d && Object.fromEntries(Object.entries(d).map(([k, v]) => [k, `${REDACTED} ${Buffer.from(v, 'base64').length} bytes`]));
  const annotations = { ...s.metadata?.annotations };
  delete annotations['kubectl.kubernetes.io/last-applied-configuration'];
  const { managedFields: _m, ...metadata } = s.metadata ?? {};
  return {
    ...s,
    metadata: { ...metadata, ...(s.metadata?.annotations ? { annotations } : {}) },
    ...(s.data ? { data: mask(s.data) } : {}),
    ...(s.stringData ? { stringData: mask(Object.fromEntries(Object.entries(s.stringData).map(([k, v]) => [k, Buffer.from(v).toString('base64')]))) } : {}),
  };
}

/**
 * The strings a secret value may appear as in other files: the base64 text, the decoded text, and
 * each line of a multi-line value (a PEM key's body lines), long enough not to be mere words.
 */
export function secretNeedles(s: SecretLike): string[] {
  const out = new Set<string>();
  const add = (v: string) => {
    if (v.length >= 8) out.add(v);
  };
  for (const b64 of Object.values(s.data ?? {})) {
    add(b64);
    const text = Buffer.from(b64, 'base64').toString('utf8');
    add(text.trim());
    for (const line of text.split('\n')) if (!/^-----(BEGIN|END) /.test(line)) add(line.trim());
  }
  for (const v of Object.values(s.stringData ?? {})) {
    add(v.trim());
    for (const line of v.split('\n')) if (!/^-----(BEGIN|END) /.test(line)) add(line.trim());
  }
  return [...out].sort((a, b) => b.length - a.length);
}

/** Cuts every needle out of the text (longest first, so a key's base64 goes whole before its lines). */
export function scrub(text: string, needles: readonly string[]): string {
  let out = text;
  for (const n of needles) if (out.includes(n)) out = out.split(n).join(REDACTED);
  return out;
}
