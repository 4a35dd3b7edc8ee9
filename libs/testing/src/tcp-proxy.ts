import { createConnection, createServer, Server, Socket } from 'node:net';

/**
 * A TCP proxy between the processes under test and a server (PostgreSQL), on 127.0.0.1 and a
 * free port. `stall()` freezes every connection, open or new, in both directions, as a network
 * that stops delivering packets without closing anything; `resume()` lets the held bytes through.
 */
export class TcpProxy {
  private readonly pairs = new Set<[Socket, Socket]>();
  private readonly waiting: (() => void)[] = [];
  private stalled = false;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
    const server = createServer({ pauseOnConnect: true });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const proxy = new TcpProxy(server, (server.address() as { port: number }).port);
    server.on('connection', (client) => {
      const connect = () => proxy.pipe(client, createConnection({ port: targetPort, host: targetHost }));
      if (proxy.stalled) proxy.waiting.push(connect);
      else connect();
    });
    return proxy;
  }

  /** Connections opened through the proxy and still open. */
  get connections(): number {
    return this.pairs.size;
  }

  stall(): void {
    this.stalled = true;
    for (const [client, upstream] of this.pairs) {
      client.pause();
      upstream.pause();
    }
  }

  resume(): void {
    this.stalled = false;
    for (const [client, upstream] of this.pairs) {
      client.resume();
      upstream.resume();
    }
    for (const connect of this.waiting.splice(0)) connect();
  }

  async close(): Promise<void> {
    for (const [client, upstream] of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private pipe(client: Socket, upstream: Socket): void {
    const pair: [Socket, Socket] = [client, upstream];
    this.pairs.add(pair);
    const end = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    // `pipe` would resume the sockets on its own; forwarding by hand keeps `pause()` in charge.
    client.on('data', (chunk: Buffer) => upstream.write(chunk));
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    if (this.stalled) upstream.pause();
    else client.resume();
  }
}
