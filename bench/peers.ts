/**
 * Client and server factories for both implementations, over real sockets.
 * ts-tls's Node adapter is shaped like node:tls, so apart from option
 * spelling the benchmark drives both with the same code.
 */
import * as tls from 'node:tls';
import { constants as cryptoConstants } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type * as net from 'node:net';
import { connect as tsConnect, createServer as tsCreateServer, type ConnectOptions, type ServerOptions } from '../src/index.js';
import { opensslSuite, pki, type Impl, type Resume, type TlsParams } from './common.js';

/** What the benchmark needs of a client socket, common to node:tls and ts-tls. */
export type ClientSocket = Duplex & {
  isSessionReused(): boolean;
  readonly authorized: boolean;
};

export interface ClientOptions {
  readonly port: number;
  readonly session?: Buffer | undefined;
  readonly rejectUnauthorized: boolean;
}

export function connectClient(impl: Impl, t: TlsParams, o: ClientOptions): ClientSocket {
  const p = pki();
  if (impl === 'node') {
    return tls.connect({
      host: '127.0.0.1',
      port: o.port,
      servername: 'localhost',
      ca: p.ca,
      rejectUnauthorized: o.rejectUnauthorized,
      minVersion: t.version,
      maxVersion: t.version,
      ciphers: opensslSuite(t.suite),
      ecdhCurve: t.group,
      ...(o.session ? { session: o.session } : {}),
    });
  }
  const opts: ConnectOptions = {
    host: '127.0.0.1',
    port: o.port,
    servername: 'localhost',
    ca: p.ca,
    rejectUnauthorized: o.rejectUnauthorized,
    minVersion: t.version,
    maxVersion: t.version,
    cipherSuites: [t.suite],
    groups: t.group.split(':'),
    ...(o.session ? { session: new Uint8Array(o.session) } : {}),
  };
  return tsConnect(opts);
}

/** A listening server of either implementation; 'secureConnection' hands out the TLS socket. */
export type AnyServer = net.Server;

/**
 * `onHandshakeError`: a handshake failed on this server (node:tls and ts-tls
 * both emit 'tlsClientError'); `onSocketError`: an established connection failed
 * (usually the benchmark client resetting it, which is expected).
 */
export function createAnyServer(
  impl: Impl,
  t: TlsParams,
  resume: Resume | undefined,
  onSecure: (s: Duplex) => void,
  onHandshakeError: (e: Error) => void,
  onSocketError: (e: Error) => void,
): AnyServer {
  const p = pki();
  if (impl === 'node') {
    const sessions = new Map<string, Buffer>();
    const server = tls.createServer({
      key: p.key[t.cert],
      cert: p.cert[t.cert],
      minVersion: t.version,
      maxVersion: t.version,
      ciphers: opensslSuite(t.suite),
      ecdhCurve: t.group,
      // Session IDs only: no tickets. node:tls keeps no internal session cache, so serve one from a Map.
      ...(resume === 'sessionId' ? { secureOptions: cryptoConstants.SSL_OP_NO_TICKET } : {}),
    });
    if (resume === 'sessionId') {
      server.on('newSession', (id: Buffer, data: Buffer, cb: () => void) => {
        sessions.set(id.toString('hex'), data);
        cb();
      });
      server.on('resumeSession', (id: Buffer, cb: (err: Error | null, data: Buffer | null) => void) => cb(null, sessions.get(id.toString('hex')) ?? null));
    }
    server.on('secureConnection', (s: tls.TLSSocket) => {
      s.on('error', onSocketError);
      onSecure(s);
    });
    server.on('tlsClientError', onHandshakeError);
    return server;
  }
  const opts: ServerOptions & { secureOptions?: number } = {
    key: p.key[t.cert],
    cert: p.cert[t.cert],
    minVersion: t.version,
    maxVersion: t.version,
    cipherSuites: [t.suite],
    groups: t.group.split(':'),
    // Node's spelling for "no tickets"; ts-tls honours it too.
    ...(resume === 'sessionId' ? { secureOptions: cryptoConstants.SSL_OP_NO_TICKET } : {}),
  };
  const server = tsCreateServer(opts);
  server.on('secureConnection', (s: Duplex) => {
    s.on('error', onSocketError);
    onSecure(s);
  });
  server.on('tlsClientError', onHandshakeError);
  return server;
}
