// The program each pod of the NetworkPolicy conformance model runs (what agnhost is upstream):
// servers on TCP and UDP ports 80 and 81, and a prober the test drives over a unix socket in a
// hostPath directory, so that one request probes many targets at once from inside the pod's
// network namespace. Run directly by node (type annotations only, no imports but node:).
//   node netpol-pod.ts <control socket path>
// Control: one JSON line {targets: [{ip, port, protocol}], timeoutMs} in, one JSON line of
// booleans (connected or not, per target) out.
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';

interface Target {
  ip: string;
  port: number;
  protocol: 'TCP' | 'UDP';
}

const socketPath = process.argv[2];
if (!socketPath) throw new Error('usage: netpol-pod.ts <control socket>');

for (const port of [80, 81]) {
  net.createServer((c) => {
    c.on('error', () => {});
    c.end('ok\n');
  }).listen(port, '0.0.0.0');
  const udp = dgram.createSocket('udp4');
  udp.on('message', (msg, from) => udp.send(msg, from.port, from.address));
  udp.bind(port, '0.0.0.0');
}

/** A TCP connection that is answered: the server writes as soon as it accepts. */
function probeTcp(t: Target, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: t.ip, port: t.port });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      s.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    s.once('data', () => done(true));
    s.once('error', () => done(false));
  });
}

/** A datagram echoed back; resent every 200 ms in case one is lost. */
function probeUdp(t: Target, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    const token = Buffer.from(`probe-${Math.random()}`);
    let resend: NodeJS.Timeout | undefined;
    let closed = false;
    const done = (ok: boolean) => {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      clearInterval(resend);
      s.close();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    s.on('message', (m) => {
      if (m.equals(token)) done(true);
    });
    // A port unreachable answer comes back as an error on the connected socket.
    s.on('error', () => done(false));
    const send = () => {
      if (!closed) s.send(token, () => {});
    };
    s.connect(t.port, t.ip, () => {
      send();
      resend = setInterval(send, 200);
    });
  });
}

fs.rmSync(socketPath, { force: true });
net.createServer((c) => {
  let buf = '';
  c.on('error', () => {});
  c.on('data', (d) => {
    buf += d.toString();
    const nl = buf.indexOf('\n');
    if (nl < 0) return;
    const req = JSON.parse(buf.slice(0, nl)) as { targets: Target[]; timeoutMs: number };
    buf = buf.slice(nl + 1);
    void Promise.all(req.targets.map((t) => (t.protocol === 'UDP' ? probeUdp(t, req.timeoutMs) : probeTcp(t, req.timeoutMs)))).then((r) => c.write(`${JSON.stringify(r)}\n`));
  });
}).listen(socketPath);
