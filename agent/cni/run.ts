// One CNI invocation, end to end: parse, run, answer on stdout. Resolves to the exit code (0, or
// 1 with the error object printed, as the spec asks).
import { cniAdd, cniCheck, cniDel } from './plugin.ts';
import { CniCode, CniError, confVersion, parseCniRequest, versionAnswer } from './protocol.ts';

export async function runCni(env: Record<string, string | undefined>, stdin: string, out: (s: string) => void): Promise<number> {
  try {
    const req = parseCniRequest(env, stdin);
    switch (req.command) {
      case 'VERSION':
        out(JSON.stringify(versionAnswer(req.conf.cniVersion || undefined)) + '\n');
        return 0;
      case 'ADD':
        out(JSON.stringify(await cniAdd(req)) + '\n');
        return 0;
      case 'DEL':
        await cniDel(req);
        return 0;
      case 'CHECK':
        await cniCheck(req);
        return 0;
    }
  } catch (e) {
    const err = e instanceof CniError ? e : new CniError(CniCode.io, (e as Error).message ?? String(e));
    out(JSON.stringify(err.toJSON(confVersion(stdin))) + '\n');
    return 1;
  }
}

export function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (d: Buffer) => chunks.push(d));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}
