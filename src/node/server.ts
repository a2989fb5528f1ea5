/**
 * createServer(): node:tls.createServer's twin. A net.Server whose
 * connections are wrapped in TLSSockets; 'secureConnection' fires after each
 * handshake, 'tlsClientError' when one fails.
 */
import * as net from 'node:net';
import { createServerConnection } from '../engine.js';
import type { SessionState } from '../config.js';
import { TLSError } from '../errors.js';
import { DEFAULT_HANDSHAKE_TIMEOUT_MS } from '../limits.js';
import type { SessionStore } from '../handshake/tickets.js';
import { decodeSessionBytes, encodeSessionBytes } from './session.js';
import { contextCertificates, toServerConfig, type SecureContextLike, type ServerOptions } from './options.js';
import type { CertifiedKey } from '../config.js';
import type { CryptoProvider } from '../crypto/provider.js';
import { defaultProvider } from '../crypto/node.js';
import { TLSSocket } from './tlssocket.js';
import { makeVerifier, peerCertificate } from './trust.js';

export interface TLSServerEvents {
  secureConnection: (socket: TLSSocket) => void;
  tlsClientError: (err: TLSError, socket: TLSSocket) => void;
  keylog: (line: Buffer, socket: TLSSocket) => void;
  /**
   * A TLS 1.2 session was given a session ID (a full handshake without a ticket): keep `sessionData`
   * under `sessionId` (hex, say) in an external store, then call `callback` — the handshake completes
   * only after it. As node:tls; unlike node:tls, TLS 1.3 sessions and sessions sent in a ticket (which
   * no session ID can resume) are not reported. The data holds the master secret: store it as such.
   */
  newSession: (sessionId: Buffer, sessionData: Buffer, callback: () => void) => void;
  /**
   * A TLS 1.2 client offers a session ID that no ticket resumed: look it up and call
   * `callback(null, sessionData)` to resume, `callback(null, null)` for a full handshake, or
   * `callback(err)` to refuse the connection (internal_error alert).
   */
  resumeSession: (sessionId: Buffer, callback: (err: Error | null, sessionData?: Buffer | null) => void) => void;
}

/**
 * Node's session-cache events as the engine's session store, for connections accepted while the
 * server has a 'newSession' or 'resumeSession' listener (as in node:tls, adding one affects only
 * later connections). The in-memory cache is then not used: the application's store is the cache.
 */
function sessionEventStore(server: Server): SessionStore {
  return {
    get: (id) => {
      if (server.listenerCount('resumeSession') === 0) return undefined;
      return new Promise<SessionState | undefined>((resolve, reject) => {
        let answered = false;
        server.emit('resumeSession', Buffer.from(id), (err: Error | null, data?: Buffer | null) => {
          if (answered) return;
          answered = true;
          if (err) reject(new TLSError(`resumeSession callback failed: ${err.message}`, 'ERR_TLS_SESSION_CALLBACK', { name: 'internal_error', number: 80, direction: 'sent' }));
          else resolve(data ? decodeSessionBytes(data) : undefined);
        });
      });
    },
    set: (id, session) => {
      if (server.listenerCount('newSession') === 0) return undefined;
      return new Promise<void>((resolve) => {
        server.emit('newSession', Buffer.from(id), Buffer.from(encodeSessionBytes(session)), () => resolve());
      });
    },
    // Node has no event for it: the application's store expires its entries itself.
    delete: () => {},
  };
}

export class Server extends net.Server {
  private config: ReturnType<typeof toServerConfig>;
  private readonly allowHalfOpenTLS: boolean;
  private readonly provider: CryptoProvider;
  /** addContext()'s names (as node: `*` matches one label) and their certificates; the latest added wins. */
  private readonly contexts: { pattern: RegExp; certificates: readonly CertifiedKey[] }[] = [];
  private readonly hasSniCallback: boolean;

  constructor(options: ServerOptions, listener?: (socket: TLSSocket) => void) {
    // The TCP side never ends by itself: each TLSSocket ends it after its close_notify (or keeps it
    // open with allowHalfOpen, for a reply after the client's end()).
    super({ pauseOnConnect: false, allowHalfOpen: true });
    this.allowHalfOpenTLS = options.allowHalfOpen === true;
    this.provider = options.provider ?? defaultProvider;
    this.hasSniCallback = options.SNICallback !== undefined;
    this.config = toServerConfig(options, makeVerifier({ ca: options.ca, crl: options.crl, provider: options.provider }));
    this.applicationTicketKeys = options.ticketKeys !== undefined;
    if (listener) this.on('secureConnection', listener);
    // As node:tls: 0 (or absent) means the default, a negative value means none.
    const handshakeTimeout = options.handshakeTimeout || DEFAULT_HANDSHAKE_TIMEOUT_MS;
    if (typeof handshakeTimeout !== 'number' || Number.isNaN(handshakeTimeout)) {
      throw new TypeError(`The "options.handshakeTimeout" property must be of type number. Received ${typeof handshakeTimeout}`);
    }
    this.on('connection', (raw: net.Socket) => {
      // Nagle off, as node:tls servers: each flight already leaves as one corked write, and with Nagle
      // on, a reply written right after the handshake waits for the client's delayed ACK (~40 ms).
      raw.setNoDelay(true);
      const socket = this.wrap(raw);
      if (handshakeTimeout > 0) this.armHandshakeTimeout(socket, handshakeTimeout);
    });
  }

  /**
   * A handshake not done within `ms` (from the connection, however slowly the client trickles its
   * bytes) is a tlsClientError ERR_TLS_HANDSHAKE_TIMEOUT, as in node:tls; then, unlike node:tls,
   * which leaves the socket open for the listener to close, the socket is destroyed.
   */
  private armHandshakeTimeout(socket: TLSSocket, ms: number): void {
    const timer = setTimeout(() => {
      if (socket.destroyed || socket.connection.isHandshakeComplete) return;
      const err = new TLSError('TLS handshake timeout', 'ERR_TLS_HANDSHAKE_TIMEOUT');
      this.emit('tlsClientError', err, socket);
      socket.destroy(err);
    }, ms);
    timer.unref();
    socket.once('secure', () => clearTimeout(timer));
    socket.once('close', () => clearTimeout(timer));
  }

  /** Wrap an accepted transport (also useful for non-net transports, e.g. an in-memory Duplex). */
  wrap(transport: import('node:stream').Duplex): TLSSocket {
    const sessionEvents = this.listenerCount('newSession') > 0 || this.listenerCount('resumeSession') > 0;
    const config = sessionEvents ? { ...this.config, sessionCache: sessionEventStore(this) } : this.config;
    // Like node:tls, key logging is on for connections accepted while the server has 'keylog' listeners.
    const keylog = this.listenerCount('keylog') > 0;
    const socket = new TLSSocket(transport, {
      createConnection: (sink) => createServerConnection(config, sink),
      peerCertificate,
      keylog,
      allowHalfOpen: this.allowHalfOpenTLS,
      certifiedKeys: (ctx) => contextCertificates(ctx, this.provider),
    });
    socket.on('secure', () => this.emit('secureConnection', socket));
    socket.on('tlsError', (err: TLSError) => {
      if (!socket.connection.isHandshakeComplete) this.emit('tlsClientError', err, socket);
    });
    if (keylog) socket.on('keylog', (line: Buffer) => this.emit('keylog', line, socket));
    // Errors after the handshake belong to the socket's own 'error' listeners; before it, to tlsClientError.
    socket.on('error', () => {});
    socket.startHandshake();
    return socket;
  }

  /**
   * Replace the certificates, keys and trust settings (node:tls setSecureContext). As in node:tls (a new
   * OpenSSL context), earlier sessions stop resuming: generated ticket keys are replaced and the session
   * cache starts empty. Ticket keys the application supplied (the ticketKeys option, setTicketKeys) carry
   * over unless new ones are given — sessions are bound to the client-authentication settings anyway
   * (requestCert, rejectUnauthorized, ca, crl, sessionIdContext), so a changed policy refuses them. The
   * anti-replay store carries over (a ticket must not carry 0-RTT twice across the change).
   */
  setSecureContext(options: ServerOptions): void {
    const next = toServerConfig(options, makeVerifier({ ca: options.ca, crl: options.crl, provider: options.provider }));
    const keepKeys = options.ticketKeys === undefined && this.applicationTicketKeys && this.config.ticketKeys !== undefined && next.ticketKeys !== undefined;
    if (options.ticketKeys !== undefined) this.applicationTicketKeys = true;
    this.config = {
      ...next,
      ...(keepKeys ? { ticketKeys: this.config.ticketKeys } : {}),
      ...(options.antiReplay === undefined && this.config.antiReplay !== undefined ? { antiReplay: this.config.antiReplay } : {}),
    };
  }
  /** Whether the ticket keys came from the application (ticketKeys, setTicketKeys) rather than being generated. */
  private applicationTicketKeys = false;

  /**
   * Serve `context`'s certificate to clients whose SNI matches `hostname` (node's addContext: `*`
   * matches one label; the latest match wins; an SNICallback, when given, decides instead).
   */
  addContext(hostname: string, context: SecureContextLike | ServerOptions): void {
    if (typeof hostname !== 'string') throw new TLSError('The "hostname" argument must be of type string', 'ERR_INVALID_ARG_TYPE');
    const certificates = contextCertificates(context as SecureContextLike, this.provider);
    const escaped = hostname.replace(/([.^$+?\-\\[\]{}])/g, '\\$1').replace(/\*/g, '[^.]*');
    this.contexts.push({ pattern: new RegExp(`^${escaped}$`, 'i'), certificates });
    if (!this.hasSniCallback && this.contexts.length === 1) {
      this.config = { ...this.config, selectCertificates: (name) => Promise.resolve(name === undefined ? undefined : this.contextFor(name)) };
    }
  }

  private contextFor(name: string): readonly CertifiedKey[] | undefined {
    for (let i = this.contexts.length - 1; i >= 0; i--) if (this.contexts[i]!.pattern.test(name)) return this.contexts[i]!.certificates;
    return undefined;
  }

  /** The 48-byte key that seals new session tickets (node:tls server.getTicketKeys()). */
  getTicketKeys(): Buffer {
    const keys = this.config.ticketKeys;
    if (!keys) throw new Error('session tickets are disabled');
    return Buffer.from(keys.getTicketKeys());
  }

  /** Install a new 48-byte ticket key; the previous one still opens tickets for one rotation. */
  setTicketKeys(keys: Uint8Array): void {
    const k = this.config.ticketKeys;
    if (!k) throw new Error('session tickets are disabled');
    k.setTicketKeys(keys);
    this.applicationTicketKeys = true;
  }
}

export function createServer(options: ServerOptions, secureConnectionListener?: (socket: TLSSocket) => void): Server {
  return new Server(options, secureConnectionListener);
}
