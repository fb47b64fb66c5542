// The DNS proxy behind the node's real TPROXY rule (root, netns): a client netns queries a DNS
// server netns through a "node" netns where the client's queries arrive marked (as from_ep marks
// them for an egress proxy entry; here an nftables rule stands in for the datapath). The proxy
// answers a name outside the rule with REFUSED, relays the allowed one, and its answers come from
// the server's address and port, over UDP and TCP. Without the proxy the marked queries die on
// the node.
import test from 'ava';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tproxyRules } from '../../../agent/proxy/transparent.ts';
import { L7_MARK } from '../../../agent/proxy/redirect.ts';
import { buildQuery, parseAnswers } from '../../../lab/node/dns-codec.ts';

const T = `dnt${process.pid % 1000}`;
const N = `${T}n`, C = `${T}c`, S = `${T}s`;
const CLIENT = '10.79.1.2', SERVER = '10.79.2.2', NODE = '10.79.0.1';
const DNS_PORT = 15053;
const NFT = existsSync('/usr/sbin/nft') ? '/usr/sbin/nft' : '/sbin/nft';
const sh = (...args: string[]) => execFileSync(args[0]!, args.slice(1), { encoding: 'utf8' });
const inNs = (ns: string, ...args: string[]) => sh('ip', 'netns', 'exec', ns, ...args);

function topology(): void {
  for (const ns of [N, C, S]) sh('ip', 'netns', 'add', ns);
  for (const [ns, dev, ip] of [[C, `${T}c0`, CLIENT], [S, `${T}s0`, SERVER]] as const) {
    sh('ip', 'link', 'add', dev, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
    sh('ip', 'link', 'set', dev, 'netns', N);
    sh('ip', '-n', N, 'link', 'set', dev, 'up');
    sh('ip', '-n', N, 'route', 'add', ip, 'dev', dev);
    inNs(N, 'sysctl', '-qw', `net.ipv4.conf.${dev}.proxy_arp=1`);
    sh('ip', '-n', ns, 'link', 'set', 'lo', 'up');
    sh('ip', '-n', ns, 'link', 'set', 'eth0', 'up');
    sh('ip', '-n', ns, 'addr', 'add', `${ip}/32`, 'dev', 'eth0');
    sh('ip', '-n', ns, 'route', 'add', NODE, 'dev', 'eth0');
    sh('ip', '-n', ns, 'route', 'add', 'default', 'via', NODE, 'dev', 'eth0', 'onlink');
  }
  sh('ip', '-n', N, 'link', 'set', 'lo', 'up');
  sh('ip', '-n', N, 'addr', 'add', `${NODE}/32`, 'dev', 'lo');
  inNs(N, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
  // The datapath's part: the client's queries leave it marked (bpf/lib/l7.h).
  const mark = `table ip stand_in_from_ep {\n  chain pre {\n    type filter hook prerouting priority raw; policy accept;\n    ip saddr ${CLIENT} meta l4proto { tcp, udp } th dport 53 meta mark set ${L7_MARK}\n  }\n}\n`;
  execFileSync('ip', ['netns', 'exec', N, NFT, '-f', '-'], { input: mark + tproxyRules('netobs_l7', L7_MARK, 15001, [], DNS_PORT) });
  sh('ip', '-n', N, 'rule', 'add', 'fwmark', `${L7_MARK}/${L7_MARK}`, 'lookup', '2004');
  sh('ip', '-n', N, 'route', 'add', 'local', '0.0.0.0/0', 'dev', 'lo', 'table', '2004');
}

function lines(p: ChildProcess): string[] {
  const out: string[] = [];
  let buf = '';
  p.stdout!.on('data', (c: Buffer) => {
    buf += c.toString();
    const parts = buf.split('\n');
    buf = parts.pop()!;
    out.push(...parts);
  });
  return out;
}
async function until(f: () => boolean): Promise<void> {
  while (!f()) await new Promise((r) => setTimeout(r, 20));
}

// Answers every A query with 198.18.0.11 (UDP and TCP) and prints each query's name and source.
const SERVER_JS = `const d=require('dgram');const s=d.createSocket('udp4');
const ans=(m,from)=>{let p=12,l=[];while(m[p]){l.push(m.toString('latin1',p+1,p+1+m[p]));p+=m[p]+1}console.log(l.join('.')+' '+from);
const h=Buffer.from(m.subarray(0,p+5));h.writeUInt16BE(0x8180,2);h.writeUInt16BE(1,6);
return Buffer.concat([h,Buffer.from([0xc0,12,0,1,0,1,0,0,0,30,0,4,198,18,0,11])])};
s.on('message',(m,r)=>s.send(ans(m,r.address),r.port,r.address));
require('net').createServer((c)=>c.on('data',(b)=>{const a=ans(b.subarray(2),c.remoteAddress+' tcp');const l=Buffer.alloc(2);l.writeUInt16BE(a.length);c.end(Buffer.concat([l,a]))})).listen(53,'0.0.0.0',()=>s.bind(53,'0.0.0.0',()=>console.log('ready')))`;

// One query from the client; prints the answer (hex) and where it came from, or 'none'.
const CLIENT_JS = `const d=require('dgram');const s=d.createSocket('udp4');const t=setTimeout(()=>{console.log('none');process.exit(0)},2000);
s.on('message',(m,r)=>{clearTimeout(t);console.log(m.toString('hex')+' '+r.address+':'+r.port);process.exit(0)});s.send(Buffer.from(process.argv[1],'hex'),53,process.argv[2])`;

// The same over TCP: one connection, one length-framed query.
const CLIENT_TCP_JS = `const q=Buffer.from(process.argv[1],'hex');const l=Buffer.alloc(2);l.writeUInt16BE(q.length);let b=Buffer.alloc(0);
const c=require('net').connect(53,process.argv[2],()=>c.write(Buffer.concat([l,q])));const t=setTimeout(()=>{console.log('none');process.exit(0)},2000);
c.on('data',(d)=>{b=Buffer.concat([b,d]);if(b.length>=2&&b.length>=2+b.readUInt16BE(0)){clearTimeout(t);console.log(b.subarray(2).toString('hex')+' '+c.remoteAddress+':'+c.remotePort);process.exit(0)}});
c.on('error',()=>{clearTimeout(t);console.log('none');process.exit(0)})`;

function askTcp(name: string): { rcode: number; ips: string[]; from: string } | 'none' {
  const out = inNs(C, process.execPath, '-e', CLIENT_TCP_JS, buildQuery(8, name).toString('hex'), SERVER).trim();
  if (out === 'none') return 'none';
  const [hex, from] = out.split(' ') as [string, string];
  return { ...parseAnswers(Buffer.from(hex, 'hex')), from };
}

function ask(name: string): { rcode: number; ips: string[]; from: string } | 'none' {
  const out = inNs(C, process.execPath, '-e', CLIENT_JS, buildQuery(7, name).toString('hex'), SERVER).trim();
  if (out === 'none') return 'none';
  const [hex, from] = out.split(' ') as [string, string];
  return { ...parseAnswers(Buffer.from(hex, 'hex')), from };
}

test.serial('DNS proxy behind TPROXY: REFUSED outside the rule, answers relayed from the server address, fails closed without it', async (t) => {
  const procs: ChildProcess[] = [];
  t.teardown(() => {
    for (const p of procs) p.kill('SIGKILL');
    for (const ns of [N, C, S]) {
      try { sh('ip', 'netns', 'del', ns); } catch { /* not created */ }
    }
  });
  topology();
  const server = spawn('ip', ['netns', 'exec', S, process.execPath, '-e', SERVER_JS], { stdio: ['ignore', 'pipe', 'inherit'] });
  procs.push(server);
  const served = lines(server);
  const child = fileURLToPath(new URL('./support/dns-child.ts', import.meta.url));
  const proxy = spawn('ip', ['netns', 'exec', N, process.execPath, ...process.execArgv, child, String(DNS_PORT), SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  procs.push(proxy);
  const records = lines(proxy);
  await until(() => served.includes('ready') && records.includes('ready'));

  t.deepEqual(ask('api.world.lab'), { rcode: 0, ips: ['198.18.0.11'], from: `${SERVER}:53` });
  t.deepEqual(ask('api.other.lab'), { rcode: 5, ips: [], from: `${SERVER}:53` });
  await until(() => records.length >= 6);
  t.deepEqual(served.filter((l) => l !== 'ready'), [`api.world.lab ${NODE}`], 'the server was asked only the allowed name, by the node');
  const recs = records.filter((l) => l !== 'ready').map((l) => JSON.parse(l) as Record<string, unknown>);
  t.deepEqual(recs.filter((r) => r.learnt), [{ learnt: ['198.18.0.11'] }]);
  t.deepEqual(recs.filter((r) => r.type).map((r) => `${r.type as string} ${r.verdict as string} ${r.rcode as number}`), ['request forwarded 0', 'response forwarded 0', 'request dropped 0', 'response dropped 5']);
  t.true(recs.filter((r) => r.type).every((r) => (r.client as { address: string }).address === CLIENT), 'the proxy sees the real client');

  // DNS over TCP: the same judgement, the server asked over TCP by the node.
  t.deepEqual(askTcp('www.world.lab'), { rcode: 0, ips: ['198.18.0.11'], from: `${SERVER}:53` });
  t.deepEqual(askTcp('www.other.lab'), { rcode: 5, ips: [], from: `${SERVER}:53` });
  await until(() => served.length >= 3);
  t.deepEqual(served.filter((l) => l !== 'ready'), [`api.world.lab ${NODE}`, `www.world.lab ${NODE} tcp`]);

  proxy.kill('SIGKILL');
  await new Promise((r) => proxy.once('exit', r));
  t.is(ask('api.world.lab'), 'none', 'no proxy: the marked query dies on the node');
  t.is(askTcp('api.world.lab'), 'none', 'no proxy: the marked TCP connection dies on the node');
  t.deepEqual(served.filter((l) => l !== 'ready'), [`api.world.lab ${NODE}`, `www.world.lab ${NODE} tcp`], 'nothing reached the server without the proxy');
});
