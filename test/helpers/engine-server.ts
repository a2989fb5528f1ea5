/**
 * Our server engine on a real TCP port, without the Node adapter, so a test
 * controls every ServerConfig field (early data, ticket keys, PSK modes):
 * socket 'data' → conn.receive, sink.write → socket.write. One ServerConfig
 * serves every connection, so tickets and session IDs resume across them.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { ServerConfig } from '../../src/config.js';
import type { Connection, HandshakeSummary } from '../../src/connection.js';
import { createServerConnection } from '../../src/engine.js';
import type { TLSError } from '../../src/errors.js';

export interface EngineConnection {
  readonly conn: Connection;
  readonly socket: Socket;
  readonly handshake: Promise<HandshakeSummary>;
  /** Resolves when the peer sent close_notify (undefined) or the connection failed (the error). */
  readonly closed: Promise<TLSError | undefined>;
  readonly early: Buffer[];
  received(): Buffer;
  /** Resolves once at least `n` bytes of application data arrived. */
  receivedAtLeast(n: number, timeoutMs?: number): Promise<Buffer>;
  /** close_notify, then end the socket. */
  end(): void;
}

export interface EngineServer {
  readonly port: number;
  readonly server: Server;
  /** The next accepted connection. */
  next(): Promise<EngineConnection>;
  close(): void;
}

export async function engineServer(config: ServerConfig): Promise<EngineServer> {
  const queue: EngineConnection[] = [];
  const waiting: ((c: EngineConnection) => void)[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const c = wrap(config, socket);
    const w = waiting.shift();
    if (w) w(c);
    else queue.push(c);
  });
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  return {
    port: (server.address() as AddressInfo).port,
    server,
    next: () => {
      const c = queue.shift();
      return c ? Promise.resolve(c) : new Promise((resolve) => waiting.push(resolve));
    },
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

function wrap(config: ServerConfig, socket: Socket): EngineConnection {
  const data: Buffer[] = [];
  const early: Buffer[] = [];
  let resolveHs!: (s: HandshakeSummary) => void;
  let rejectHs!: (e: unknown) => void;
  let resolveClosed!: (e: TLSError | undefined) => void;
  const handshake = new Promise<HandshakeSummary>((res, rej) => {
    resolveHs = res;
    rejectHs = rej;
  });
  handshake.catch(() => {});
  const closed = new Promise<TLSError | undefined>((res) => (resolveClosed = res));
  let onData: (() => void) | undefined;
  const conn = createServerConnection(config, {
    write: (b) => {
      if (!socket.destroyed) socket.write(b);
    },
    data: (b) => {
      data.push(Buffer.from(b));
      onData?.();
    },
    earlyData: (b) => early.push(Buffer.from(b)),
    handshake: resolveHs,
    end: () => resolveClosed(undefined),
    error: (e) => {
      rejectHs(e);
      resolveClosed(e);
      socket.end();
    },
  });
  socket.on('data', (d: Buffer) => conn.receive(new Uint8Array(d)));
  socket.on('error', () => conn.destroy());
  socket.on('close', () => {
    conn.destroy();
    resolveClosed(conn.error);
  });
  conn.start();
  const received = (): Buffer => Buffer.concat(data);
  return {
    conn,
    socket,
    handshake,
    closed,
    early,
    received,
    receivedAtLeast(n, timeoutMs = 20_000) {
      return new Promise<Buffer>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`timed out with ${received().length} of ${n} bytes`)), timeoutMs);
        const check = (): void => {
          if (received().length >= n) {
            clearTimeout(t);
            onData = undefined;
            resolve(received());
          }
        };
        onData = check;
        check();
      });
    },
    end() {
      conn.close();
      socket.end();
    },
  };
}
