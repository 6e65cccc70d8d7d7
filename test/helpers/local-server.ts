// An HTTP server on 127.0.0.1 at a free port, for a test's receivers and tarpits: its URL and a close
// that also ends the connections still open (a tarpit's, which never answers).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalServer {
  port: number;
  /** http://127.0.0.1:<port>/hooks */
  url: string;
  close(): Promise<void>;
}

export async function listenLocally(handler: http.RequestListener): Promise<LocalServer> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}/hooks`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A destination that answers `{"ok":true}` and keeps each request it got as `<path> <body>`. */
export async function recordingSink(): Promise<LocalServer & { received: string[]; origin: string }> {
  const received: string[] = [];
  const server = await listenLocally((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push(`${req.url} ${body}`);
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":true}');
    });
  });
  return { ...server, received, origin: `http://127.0.0.1:${server.port}` };
}
