// Colours and terminal safety as hubble's printer has them: hosts cyan, ports yellow, identities
// magenta, verdicts green (forwarded, redirected), red (dropped, error) or yellow (audit, traced,
// translated), each wrapped in the colour and a reset. Everything printed for a terminal goes
// through escapeTerminal, so that flow data (pod names, URLs, DNS names) cannot send escape
// sequences: only the colours above survive, any other ESC prints as `^[` and CR as `\r`.

const ESC = '\x1b';
const RESET = `${ESC}[0m`;
export const COLORS = {
  red: `${ESC}[31m`, green: `${ESC}[32m`, yellow: `${ESC}[33m`, blue: `${ESC}[34m`, magenta: `${ESC}[35m`, cyan: `${ESC}[36m`,
} as const;
export type Color = keyof typeof COLORS;

const ALLOWED = [...Object.values(COLORS), RESET];

export class Colorer {
  constructor(readonly enabled: boolean) {}

  paint(color: Color, text: string): string {
    return this.enabled ? `${COLORS[color]}${text}${RESET}` : text;
  }

  host(text: string): string { return this.paint('cyan', text); }
  port(text: string): string { return this.paint('yellow', text); }
  identity(text: string): string { return this.paint('magenta', text); }
}

/** Neutralises terminal control in `text`, keeping the printer's own colour sequences. */
export function escapeTerminal(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const esc = text.indexOf(ESC, i);
    const cr = text.indexOf('\r', i);
    const next = esc < 0 ? cr : cr < 0 ? esc : Math.min(esc, cr);
    if (next < 0) break;
    out += text.slice(i, next);
    if (text[next] === '\r') {
      out += '\\r';
      i = next + 1;
      continue;
    }
    const kept = ALLOWED.find((seq) => text.startsWith(seq, next));
    out += kept ?? '^[';
    i = next + (kept?.length ?? 1);
  }
  return out + text.slice(i);
}
