import { createServer, type Server, type Socket, connect } from 'node:net';
import { freePort } from './api-process';

/**
 * A TCP proxy in front of a shared service (PostgreSQL, Redis), so a test can take the
 * service away from the processes it starts without stopping it for anyone else.
 * `cut()` drops every connection and refuses new ones (as a server that went down);
 * `restore()` accepts again. `stall()` keeps every connection open and accepts new ones,
 * but moves no byte (as a server that hangs, or a network that drops packets);
 * `unstall()` lets the bytes through again.
 */
export interface TcpProxy {
  port: number;
  /** The target URL with the proxy's port in place of the service's. */
  url: string;
  cut(): Promise<void>;
  restore(): Promise<void>;
  stall(): void;
  unstall(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetUrl: string): Promise<TcpProxy> {
  const target = new URL(targetUrl);
  const targetPort = Number(target.port);
  const port = await freePort();
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  let stalled = false;

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const next = createServer((client) => {
        const upstream = connect(targetPort, target.hostname);
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => {
            client.destroy();
            upstream.destroy();
          });
        }
        client.pipe(upstream);
        upstream.pipe(client);
        // After pipe(), which starts the sources flowing.
        if (stalled) for (const socket of [client, upstream]) socket.pause();
      });
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => {
        server = next;
        resolve();
      });
    });

  const stop = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      if (!server) return resolve();
      const closing = server;
      server = null;
      closing.close(() => resolve());
    });

  await listen();
  const proxied = new URL(targetUrl);
  proxied.port = String(port);
  const setStalled = (value: boolean) => {
    stalled = value;
    for (const socket of sockets) {
      if (value) socket.pause();
      else socket.resume();
    }
  };
  return {
    port,
    url: proxied.toString(),
    cut: stop,
    restore: listen,
    stall: () => setStalled(true),
    unstall: () => setStalled(false),
    close: stop,
  };
}
