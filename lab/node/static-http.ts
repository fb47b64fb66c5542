// A tiny HTTP server standing in for nginx in pods and for the "world" outside the cluster.
import http from 'node:http';
import os from 'node:os';
import { once } from 'node:events';

const NGINX_PAGE = `<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. (Served by the netobs lab.)</p>
</body>
</html>
`;

export async function startStaticHttp(port: number, mode: 'nginx' | 'world', host = '0.0.0.0'): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const body =
      mode === 'nginx'
        ? NGINX_PAGE
        : JSON.stringify({ world: true, host: req.headers.host ?? '', path: req.url, server: os.hostname(), local: req.socket.localAddress, client: req.socket.remoteAddress }) + '\n';
    res.writeHead(req.url?.startsWith('/status/404') ? 404 : 200, { 'content-type': mode === 'nginx' ? 'text/html' : 'application/json', server: mode === 'nginx' ? 'nginx/1.27.0' : 'netobs-lab-world' });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  server.listen(port, host);
  await once(server, 'listening');
  return {
    port: (server.address() as { port: number }).port,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
