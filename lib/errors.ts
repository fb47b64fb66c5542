// The CLI and the lazily loaded runtime are separate bundles, each with its own copy of this
// class: recognise user errors by a registered symbol, not by instanceof.
const USER_ERROR = Symbol.for('netobs.UserError');

// A failure the user can act on: `message` is the one-line short form printed by
// default (context: cause, plus a remedy); `details` is the long form shown with --verbose.
export class UserError extends Error {
  readonly [USER_ERROR] = true;
  readonly details: string | undefined;
  readonly exitCode: number;

  constructor(message: string, options: { details?: string; exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UserError';
    this.details = options.details;
    this.exitCode = options.exitCode ?? 1;
  }
}

export function isUserError(err: unknown): err is UserError {
  return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[USER_ERROR] === true;
}

/** The one-line form of any thrown value, for the terminal. */
export function shortMessage(err: unknown): string {
  if (err instanceof Error) return err.message.split('\n')[0] ?? err.message;
  return String(err);
}

/** The long form: details, causes and stack, for --verbose. */
export function longMessage(err: unknown): string {
  const parts: string[] = [];
  let cur: unknown = err;
  while (cur !== undefined && cur !== null) {
    if (isUserError(cur) && cur.details) parts.push(cur.details);
    if (cur instanceof Error) {
      parts.push(cur.stack ?? cur.message);
      cur = cur.cause;
    } else {
      parts.push(String(cur));
      cur = undefined;
    }
  }
  return parts.join('\ncaused by: ');
}
