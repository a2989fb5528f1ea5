/**
 * createServer(): node:https.createServer's twin over ts-tls, with HTTP/2.
 *
 * The TLS side is our Server (src/node/server.ts). Each TLSSocket that
 * finishes its handshake is handed, as a 'connection', to node:http's own
 * server, or, when ALPN chose "h2", to node:http2's (http2.createServer():
 * it wraps any Duplex in a JSStreamSocket). No HTTP parsing happens here.
 *
 * Both protocols reach the same 'request' listener with (req, res): node:http's
 * IncomingMessage/ServerResponse or node:http2's compatibility pair.
 */
import * as http from 'node:http';
import * as http2 from 'node:http2';
import { Server as TLSServer } from '../node/server.js';
import type { ServerOptions as TLSServerOptions } from '../node/options.js';
import type { TLSSocket } from '../node/tlssocket.js';
import { http2Bridge } from './bridge.js';

export type RequestListener = (
  req: http.IncomingMessage | http2.Http2ServerRequest,
  res: http.ServerResponse | http2.Http2ServerResponse,
) => void;

export interface ServerOptions extends TLSServerOptions {
  /** Offer HTTP/2 by ALPN (default true). HTTP/1.1 is always offered. */
  allowHTTP2?: boolean;
  /** node:http server options (timeouts, maxHeaderSize...). */
  http?: http.ServerOptions;
  /** node:http2 server settings. */
  http2?: http2.ServerOptions;
  /** Called with each TLSSocket as soon as it exists, before the handshake (for 'trace' / 'keylog' listeners). */
  onSocket?: (socket: TLSSocket) => void;
}

export class Server extends TLSServer {
  /** The node:http server that handles HTTP/1.1 connections. */
  readonly httpServer: http.Server;
  /** The node:http2 server that handles h2 connections. */
  readonly http2Server: http2.Http2Server;
  private readonly sockets = new Set<TLSSocket>();
  private readonly sessionSockets = new WeakMap<http2.Http2Session, TLSSocket>();
  private readonly onSocket: ((socket: TLSSocket) => void) | undefined;

  constructor(options: ServerOptions = {}, requestListener?: RequestListener) {
    const allowH2 = options.allowHTTP2 ?? true;
    super({ ...options, ALPNProtocols: options.ALPNProtocols ?? (allowH2 ? ['h2', 'http/1.1'] : ['http/1.1']) });
    this.onSocket = options.onSocket;
    this.httpServer = http.createServer(options.http ?? {});
    this.http2Server = http2.createServer(options.http2 ?? {});
    if (requestListener) this.on('request', requestListener);
    for (const s of [this.httpServer, this.http2Server] as const) {
      s.on('request', (req: http.IncomingMessage | http2.Http2ServerRequest, res: http.ServerResponse | http2.Http2ServerResponse) =>
        this.emit('request', req, res),
      );
    }
    this.httpServer.on('checkContinue', (req, res) => (this.listenerCount('checkContinue') ? this.emit('checkContinue', req, res) : this.httpServer.emit('request', req, res)));
    this.httpServer.on('upgrade', (req, socket, head) => this.emit('upgrade', req, socket, head));
    this.httpServer.on('clientError', (err: Error, socket) => {
      if (this.listenerCount('clientError') > 0) this.emit('clientError', err, socket);
      else socket.destroy();
    });
    this.http2Server.on('stream', (stream, headers) => this.emit('stream', stream, headers));
    this.http2Server.on('session', (session) => this.emit('session', session));
    this.on('secureConnection', (socket: TLSSocket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      if (socket.alpnProtocol === 'h2') {
        // node:http2 creates the session (and emits 'session') synchronously inside 'connection'.
        const remember = (session: http2.ServerHttp2Session): void => {
          this.sessionSockets.set(session, socket);
        };
        this.http2Server.once('session', remember);
        this.http2Server.emit('connection', http2Bridge(socket));
        this.http2Server.removeListener('session', remember);
      } else {
        this.httpServer.emit('connection', socket);
      }
    });
  }

  override wrap(transport: import('node:stream').Duplex): TLSSocket {
    const socket = super.wrap(transport);
    this.onSocket?.(socket);
    return socket;
  }

  /** The ts-tls TLSSocket a request arrived on (HTTP/1.1: req.socket; HTTP/2: its session's socket). */
  tlsSocketOf(req: http.IncomingMessage | http2.Http2ServerRequest): TLSSocket | undefined {
    if ('stream' in req && req.stream) {
      const session = req.stream.session;
      return session ? this.sessionSockets.get(session) : undefined;
    }
    const s = req.socket as unknown;
    return this.sockets.has(s as TLSSocket) ? (s as TLSSocket) : undefined;
  }

  /** Stop accepting connections and end idle HTTP/1.1 keep-alive connections (as node:http does). */
  override close(callback?: (err?: Error) => void): this {
    super.close(callback);
    this.httpServer.closeIdleConnections();
    return this;
  }

  /** Destroy every open connection (node:http's closeAllConnections, for both protocols). */
  closeAllConnections(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }
}

export function createServer(options: ServerOptions, requestListener?: RequestListener): Server {
  return new Server(options, requestListener);
}
