// The kubelets' side of pods/log, pods/exec and pods/portforward, as the API server calls it.
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, statSync, watch } from 'node:fs';
import net from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Api } from '../apiserver/api.ts';
import { ApiError, badRequest } from '../apiserver/errors.ts';
import type { PodRuntime } from '../apiserver/streams.ts';
import type { Kubelet } from './kubelet.ts';
import { systemBin } from './sh.ts';
import { containerCommand } from './images.ts';

/** One CRI log line → what `kubectl logs` prints (optionally with the timestamp). */
export function formatLogLine(line: string, timestamps: boolean): string | undefined {
  const m = /^(\S+) (stdout|stderr) ([FP]) (.*)$/.exec(line);
  if (!m) return undefined;
  const text = m[3] === 'F' ? `${m[4]}\n` : m[4]!;
  return timestamps ? `${m[1]} ${text}` : text;
}

export function podRuntime(api: Api, kubelets: () => Kubelet[]): PodRuntime {
  const find = (ns: string, pod: string, container?: string) => {
    for (const k of kubelets()) {
      const c = k.container(ns, pod, container);
      if (c) return { ...c, images: k.o.images };
    }
    return undefined;
  };
  const requireContainer = (ns: string, pod: string, container?: string) => {
    const p = api.get(api.rt('', 'pods'), ns, pod);
    const names = ((p['spec'] as { containers?: { name: string }[] }).containers ?? []).map((c) => c.name);
    if (container && !names.includes(container) && !((p['spec'] as { initContainers?: { name: string }[] }).initContainers ?? []).some((c) => c.name === container)) {
      throw badRequest(`container ${container} is not valid for pod ${pod}`);
    }
    if (!container && names.length > 1) throw badRequest(`a container name must be specified for pod ${pod}, choose one of: [${names.join(' ')}]`);
    const c = find(ns, pod, container);
    if (!c) throw badRequest(`container "${container ?? names[0]}" in pod "${pod}" is waiting to start: ContainerCreating`);
    return c;
  };
  return {
    async logs(ns, pod, req: IncomingMessage, res: ServerResponse, q) {
      const c = requireContainer(ns, pod, q.get('container') ?? undefined);
      const file = q.get('previous') === 'true' ? c.rec.logFile.replace(/\.log$/, '.previous.log') : c.rec.logFile;
      if (q.get('previous') === 'true' && !existsSync(file)) throw badRequest(`previous terminated container "${c.cname}" in pod "${pod}" not found`);
      if (!existsSync(file) && c.rec.state.waiting) throw badRequest(`container "${c.cname}" in pod "${pod}" is waiting to start: ${c.rec.state.waiting.reason}`);
      const ts = q.get('timestamps') === 'true';
      const tail = q.has('tailLines') ? Number(q.get('tailLines')) : -1;
      const since = q.has('sinceSeconds') ? Date.now() - Number(q.get('sinceSeconds')) * 1000 : q.has('sinceTime') ? Date.parse(q.get('sinceTime')!) : 0;
      const limit = q.has('limitBytes') ? Number(q.get('limitBytes')) : Infinity;
      res.writeHead(200, { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' });
      res.flushHeaders();
      let sent = 0;
      const emit = (lines: string[]) => {
        for (const l of lines) {
          if (since && Date.parse(l.slice(0, l.indexOf(' '))) < since) continue;
          const out = formatLogLine(l, ts);
          if (out === undefined) continue;
          if (sent + out.length > limit) {
            res.write(out.slice(0, limit - sent));
            sent = limit;
            return false;
          }
          sent += out.length;
          res.write(out);
        }
        return true;
      };
      const content = existsSync(file) ? await readAll(file) : '';
      let lines = content.split('\n').filter(Boolean);
      if (tail >= 0) lines = lines.slice(Math.max(0, lines.length - tail));
      if (!emit(lines) || q.get('follow') !== 'true') {
        res.end();
        return;
      }
      // Follow: read what gets appended until the client leaves or the pod goes away.
      let offset = existsSync(file) ? statSync(file).size : 0;
      let partial = '';
      let closed = false;
      const poll = async () => {
        if (closed) return;
        if (!existsSync(file)) return;
        const size = statSync(file).size;
        if (size < offset) offset = 0;
        if (size === offset) return;
        const chunk = await readRange(file, offset, size);
        offset = size;
        const text = partial + chunk;
        const parts = text.split('\n');
        partial = parts.pop() ?? '';
        if (!emit(parts.filter(Boolean))) res.end();
      };
      const watcher = existsSync(file) ? watch(file, () => void poll()) : undefined;
      const timer = setInterval(() => {
        void poll();
        if (!api.tryGet(api.rt('', 'pods'), ns, pod)) res.end();
      }, 500);
      const stop = () => {
        closed = true;
        watcher?.close();
        clearInterval(timer);
      };
      res.on('close', stop);
      req.on('close', stop);
    },

    async exec(ns, pod, container, command, io) {
      const c = requireContainer(ns, pod, container);
      if (!c.rec.proc || !c.rec.state.running) throw badRequest(`container ${c.cname} is not valid for pod ${pod}: container not running`);
      if (command.length === 0) throw badRequest('you must specify at least one command for the container');
      const child = spawn(systemBin('nsenter'), ['-t', String(c.rec.proc.pid), '-n', '-u', '-m', '--', ...containerCommand(command, c.rec.kind, c.images)], {
        env: c.rec.env,
        stdio: [io.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      });
      if (io.stdin && child.stdin) io.stdin.pipe(child.stdin);
      child.stdout!.pipe(io.stdout, { end: false });
      child.stderr!.pipe(io.stderr, { end: false });
      return new Promise((resolve) => {
        let spawnErr: string | undefined;
        child.on('error', (e) => {
          spawnErr = e.message;
        });
        child.on('close', (code) => {
          if (spawnErr) resolve({ exitCode: 126, error: spawnErr });
          // nsenter exits 127 with "failed to execute" when the command does not exist.
          else resolve({ exitCode: code ?? 1 });
        });
      });
    },

    async connect(ns, pod, port) {
      const p = api.get(api.rt('', 'pods'), ns, pod);
      const ip = (p['status'] as { podIP?: string } | undefined)?.podIP;
      if (!ip) throw new ApiError(400, 'BadRequest', `pod ${pod} has no IP address yet`);
      return new Promise((resolve, reject) => {
        const s = net.connect({ host: ip, port });
        s.once('connect', () => resolve(s));
        s.once('error', (e) => reject(new Error(`error forwarding port ${port} to pod ${pod}: ${e.message}`)));
      });
    },
  };
}

function readAll(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    createReadStream(file)
      .on('data', (d) => chunks.push(d as Buffer))
      .on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
      .on('error', reject);
  });
}

function readRange(file: string, start: number, end: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    createReadStream(file, { start, end: end - 1 })
      .on('data', (d) => chunks.push(d as Buffer))
      .on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
      .on('error', reject);
  });
}
