/**
 * TLSSocket: a Duplex stream over any transport Duplex (usually a net.Socket),
 * with a sans-IO Connection in between. Shaped like node:tls's TLSSocket:
 * same method names, same events ('secureConnect', 'session', 'keylog').
 *
 * The adapter owns the I/O policy the engine must not have: reading and
 * writing the transport, backpressure in both directions, and timers.
 */
import { X509Certificate } from 'node:crypto';
import { Duplex } from 'node:stream';
import { Socket } from 'node:net';
import type { SessionState } from '../config.js';
import type { Connection, ConnectionSink, HandshakeSummary, TraceEvent } from '../connection.js';
import { TLSError } from '../errors.js';
import { NamedGroup } from '../registry.js';
import { MAX_PENDING_PROTOCOL_OUTPUT } from '../limits.js';
import { releaseRecordBytes } from '../record/slab.js';
import type { PeerCertificate } from './peer-certificate.js';
import { decodeSessionBytes } from './session.js';
import { reportedError } from './trust.js';
import type { CertifiedKey } from '../config.js';
import { streamTracer } from '../trace/index.js';
import { opensslSigalgName } from './cipher-string.js';
import { toNodeError } from './node-errors.js';
import type { SecureContextLike } from './options.js';
import { socketHooksFromOptions, type TLSSocketConstructorOptions } from './socket-options.js';

/** What node:tls's getEphemeralKeyInfo() says for each group (OpenSSL's names and sizes). */
const EPHEMERAL_KEY_INFO: Readonly<Record<number, { type: string; name?: string; size: number }>> = {
  [NamedGroup.x25519]: { type: 'ECDH', name: 'X25519', size: 253 },
  [NamedGroup.secp256r1]: { type: 'ECDH', name: 'prime256v1', size: 256 },
  [NamedGroup.secp384r1]: { type: 'ECDH', name: 'secp384r1', size: 384 },
  [NamedGroup.secp521r1]: { type: 'ECDH', name: 'secp521r1', size: 521 },
  [NamedGroup.ffdhe2048]: { type: 'DH', size: 2048 },
  [NamedGroup.ffdhe3072]: { type: 'DH', size: 3072 },
  [NamedGroup.ffdhe4096]: { type: 'DH', size: 4096 },
};

export interface TLSSocketHooks {
  /** Build the engine for this socket, given the sink the socket implements. */
  createConnection(sink: ConnectionSink): Connection;
  /** Serialize a session for the 'session' event (Node hands out a Buffer). */
  encodeSession?(s: SessionState): Uint8Array;
  /** getPeerCertificate(): DER chain → Node's object. */
  peerCertificate?(chain: readonly Uint8Array[], detailed: boolean): PeerCertificate;
  /** False: this socket never emits 'keylog' (the engine then formats no key log lines at all). */
  readonly keylog?: boolean;
  /** Keep our writable side open after the peer's end (node's allowHalfOpen). */
  readonly allowHalfOpen?: boolean;
  /** The certificates setKeyCert() installs (our createSecureContext() result or cert/key options → certified keys). */
  certifiedKeys?(context: SecureContextLike): readonly CertifiedKey[];
}

/** What `new TLSSocket(socket, options)` takes: node:tls's options (see src/node/socket-options.ts). */
export type NodeTLSSocketOptions = TLSSocketConstructorOptions;

const isHooks = (h: unknown): h is TLSSocketHooks => typeof (h as TLSSocketHooks | undefined)?.createConnection === 'function';

/** How many first bytes of the peer's input are kept to name a non-TLS peer's protocol in errors. */
const FIRST_BYTES = 8;

/**
 * Bytes the transport may hold (written, not yet on the wire) before our
 * writers wait for its 'drain': four full records.
 */
const TRANSPORT_BUFFER_LIMIT = 4 * (1 << 14) + 4 * 64;

/** Gather application writes up to one full record (2^14 bytes) before sealing. */
const COALESCE_LIMIT = 1 << 14;
/** Where small writes are gathered before sealing (one per process: filled and sealed synchronously). */
const gather = new Uint8Array(COALESCE_LIMIT);

/**
 * A net.Socket (so `instanceof net.Socket` holds, as for node:tls's TLSSocket) whose stream methods
 * are ours: it has no handle of its own, the transport has one.
 */
export class TLSSocket extends Socket {
  readonly encrypted = true;
  authorized = false;
  authorizationError: string | undefined = undefined;
  alpnProtocol: string | false = false;
  servername: string | false = false;
  /** The engine (sans-IO) behind this socket. */
  readonly connection: Connection;
  private summary: HandshakeSummary | undefined;
  private lastSession: Uint8Array | undefined;
  private transportWritable = true;
  private corked = false;
  private outChunks: Buffer[] = [];
  private outBytes = 0;
  private endOfTickScheduled = false;
  private pendingWriteCallback: ((err?: Error | null) => void) | undefined;
  /** Reading from the transport stopped because our reader is full (push returned false), until _read. */
  private readerFull = false;
  /** Reading from the transport stopped because protocol output backed up (see the sink's write), until it is taken. */
  private outputBacklogged = false;
  /** Bytes of protocol output (not application data) written to the transport and not yet taken by it. */
  private protocolBytesPending = 0;
  /** True while application data is being sealed and written (flushOut): those writes follow stream backpressure. */
  private sendingApplicationData = false;
  private readonly transport: Duplex;
  private readonly hooks: TLSSocketHooks;
  private firstBytes: Uint8Array | undefined;
  private tracer: { onEvent(e: TraceEvent): void; flush(): void } | undefined;

  /**
   * `new TLSSocket(socket, options)` as in node:tls (options: isServer, cert, key, ca, ALPNProtocols,
   * servername, session, requestCert, rejectUnauthorized...; the handshake starts at once), or
   * ts-tls's own hooks (what connect() and the server use).
   */
  constructor(transport: Duplex, hooksOrOptions: TLSSocketHooks | NodeTLSSocketOptions = {}) {
    if (!(transport instanceof Duplex)) {
      throw new TLSError('new TLSSocket() needs the socket it runs over (ts-tls cannot connect() a bare TLSSocket): use connect()', 'ERR_TLS_UNSUPPORTED_OPTION');
    }
    const hooks = isHooks(hooksOrOptions) ? hooksOrOptions : socketHooksFromOptions(hooksOrOptions);
    super({ allowHalfOpen: hooks.allowHalfOpen ?? false });
    // net.Socket leaves 'close' to its handle, which we do not have; strings are written as Buffers.
    const streamState = this as unknown as { _readableState: { emitClose: boolean }; _writableState: { emitClose: boolean } };
    streamState._readableState.emitClose = true;
    streamState._writableState.emitClose = true;
    this.hooks = hooks;
    this.transport = transport;
    const sink: ConnectionSink = {
      write: (bytes) => {
        // After our FIN (or the transport's death) nothing can be sent; don't make Node build an error for it.
        if (this.transport.destroyed || this.transport.writableEnded) return;
        // Everything the engine writes in one tick leaves in one segment (a flight, or Finished plus
        // the first application data): without corking, Nagle holds the second write for a delayed ACK.
        if (!this.corked) {
          this.corked = true;
          this.transport.cork();
          this.scheduleEndOfTick();
        }
        const recycle = this.connection.recycleOutput;
        let below: boolean;
        if (this.sendingApplicationData) {
          below = recycle ? this.transport.write(bytes, () => releaseRecordBytes(bytes)) : this.transport.write(bytes);
        } else {
          // Protocol output the peer's input caused (flights, KeyUpdate replies, alerts): a peer that sends
          // without reading must not make us queue it without bound. Over MAX_PENDING_PROTOCOL_OUTPUT
          // bytes not yet taken by the transport, stop reading from the peer until they are.
          const n = bytes.length;
          this.protocolBytesPending += n;
          below = this.transport.write(bytes, () => {
            this.protocolBytesPending -= n;
            if (recycle) releaseRecordBytes(bytes);
            if (this.outputBacklogged && this.protocolBytesPending <= MAX_PENDING_PROTOCOL_OUTPUT / 2) {
              this.outputBacklogged = false;
              if (!this.readerFull && !this.destroyed) this.transport.resume();
            }
          });
          if (!this.outputBacklogged && this.protocolBytesPending > MAX_PENDING_PROTOCOL_OUTPUT) {
            this.outputBacklogged = true;
            this.transport.pause();
          }
        }
        // The transport's own mark (16 KiB for a net.Socket) would hold one record per event-loop
        // turn; let up to TRANSPORT_BUFFER_LIMIT gather, so a turn's records leave in one writev.
        this.transportWritable = below || this.transport.writableLength < TRANSPORT_BUFFER_LIMIT;
      },
      data: (bytes) => {
        if (!this.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))) {
          this.readerFull = true;
          this.transport.pause();
        }
      },
      handshake: (s) => this.onHandshake(s),
      end: () => {
        this.push(null);
      },
      error: (err) => this.onEngineError(err),
      session: (s) => {
        if (!hooks.encodeSession) return;
        const bytes = hooks.encodeSession(s);
        this.lastSession = bytes;
        this.emit('session', Buffer.from(bytes));
      },
      keylog: hooks.keylog === false ? undefined : (line) => {
        // Nothing to build when nobody listens (a server forwards only when it has listeners).
        if (this.listenerCount('keylog') > 0) this.emit('keylog', Buffer.from(line + '\n', 'latin1'));
      },
      trace: (e: TraceEvent) => this.emit('trace', e),
      earlyData: (bytes) => this.emit('earlyData', Buffer.from(bytes)),
    };
    this.connection = hooks.createConnection(sink);
    // A net.Socket's chunks are fresh buffers that only we read: records are decrypted where they
    // lie. And it hands what we write to the kernel before the write callback: record buffers are reused.
    if (transport instanceof Socket) {
      this.connection.adoptInput = true;
      this.connection.recycleOutput = true;
    }
    transport.on('data', (chunk: Buffer) => {
      if (this.firstBytes === undefined) this.firstBytes = new Uint8Array(chunk.subarray(0, FIRST_BYTES));
      this.connection.receive(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    });
    transport.on('drain', () => {
      this.transportWritable = true;
      const cb = this.pendingWriteCallback;
      this.pendingWriteCallback = undefined;
      cb?.();
    });
    // The peer's FIN is input too: the engine finishes what it has buffered before judging it.
    transport.on('end', () => this.connection.receiveEof());
    transport.on('error', (err: Error) => {
      // A write can fail (EPIPE) because the peer closed after sending a fatal alert we have not
      // read yet; prefer the TLS error when the engine has one by the next turn.
      setImmediate(() => this.destroy(this.connection.error ? this.nodeError(this.connection.error) : err));
    });
    transport.on('close', () => {
      if (!this.destroyed) this.destroy();
    });
    if (!isHooks(hooksOrOptions)) {
      if (hooksOrOptions.enableTrace) this.enableTrace();
      queueMicrotask(() => this.startHandshake());
    }
  }

  /** Start the handshake (called by connect() and the server). */
  startHandshake(): void {
    this.connection.start();
  }

  private onHandshake(s: HandshakeSummary): void {
    this.summary = s;
    this.authorized = s.authorized;
    this.authorizationError = s.authorizationError;
    this.alpnProtocol = s.alpnProtocol ?? false;
    this.servername = s.serverName ?? false;
    this.emit('secure', s);
  }

  private onEngineError(err: TLSError): void {
    const e = this.nodeError(err);
    this.emit('tlsError', e);
    this.destroy(e);
  }

  /**
   * The error node:tls would emit: its ERR_SSL_* code (ours kept as `tlsCode`, see node-errors.ts),
   * or, for a certificate that does not match the name, checkServerIdentity's own error.
   */
  private nodeError(err: TLSError): Error {
    // A checkServerIdentity's own Error (or, for a name mismatch, node's) is what node:tls reports; the TLSError is its cause.
    const reported = reportedError(err);
    if (reported !== err) return reported;
    return toNodeError(err, { isServer: !this.connection.isClient, firstBytes: this.firstBytes, handshakeStarted: true });
  }

  override _read(): void {
    this.readerFull = false;
    if (!this.outputBacklogged && this.transport.isPaused()) this.transport.resume();
  }

  /**
   * Bytes read into a buffer the transport reuses (a client socket made with
   * `net.connect({ onread })`, see connect.ts): handed to the engine, which
   * copies what it keeps. Returns false to stop reading while our reader is
   * full (resumed by _read, as with 'data').
   */
  receiveTransient(bytes: Uint8Array): boolean {
    if (this.firstBytes === undefined) this.firstBytes = bytes.slice(0, FIRST_BYTES);
    this.connection.receiveTransient(bytes);
    return !this.transport.isPaused();
  }

  override _write(chunk: Buffer | string, enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.queueOut(typeof chunk === 'string' ? Buffer.from(chunk, enc) : chunk);
    if (this.transportWritable) cb();
    else this.pendingWriteCallback = cb;
  }

  override _writev(chunks: { chunk: Buffer | string; encoding: BufferEncoding }[], cb: (err?: Error | null) => void): void {
    for (const { chunk, encoding } of chunks) this.queueOut(typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk);
    if (this.transportWritable) cb();
    else this.pendingWriteCallback = cb;
  }

  /**
   * Application writes made in one tick are sealed together, up to a full
   * record, when the tick ends (TLS keeps no write boundaries; node:tls
   * batches the same way): many small writes then share records, cipher
   * setups and syscalls. Write callbacks still complete at once, as streams
   * layered on us (node:http2's JSStreamSocket) expect.
   */
  private queueOut(chunk: Buffer): void {
    this.outChunks.push(chunk);
    this.outBytes += chunk.length;
    if (this.outBytes >= COALESCE_LIMIT) this.flushOut();
    else this.scheduleEndOfTick();
  }

  /**
   * At the end of the tick (after the promise continuations of a handshake
   * step and the application's reaction to it): seal the gathered application
   * data, then send everything written this tick as one segment. So a TLS 1.3
   * server's NewSessionTicket and its first response bytes leave together, and
   * Nagle never holds a second small segment for a delayed ACK.
   */
  private scheduleEndOfTick(): void {
    if (this.endOfTickScheduled) return;
    this.endOfTickScheduled = true;
    process.nextTick(() => {
      this.endOfTickScheduled = false;
      this.flushOut();
      if (this.corked) {
        this.corked = false;
        this.transport.uncork();
      }
    });
  }

  private flushOut(): void {
    if (this.outBytes === 0) return;
    const chunks = this.outChunks;
    this.outChunks = [];
    this.outBytes = 0;
    if (this.destroyed) return;
    this.sendingApplicationData = true;
    try {
      if (chunks.length === 1) {
        this.sendRecords(chunks[0]!);
        return;
      }
      // Small writes are gathered a record's worth at a time in one scratch buffer (sealing is
      // synchronous and the engine copies what it must keep), not concatenated into a fresh Buffer.
      let fill = 0;
      for (const chunk of chunks) {
        let off = 0;
        while (off < chunk.length) {
          if (fill === 0 && chunk.length - off >= COALESCE_LIMIT) {
            this.connection.send(chunk.subarray(off, off + COALESCE_LIMIT));
            off += COALESCE_LIMIT;
            continue;
          }
          const n = Math.min(COALESCE_LIMIT - fill, chunk.length - off);
          gather.set(n === chunk.length ? chunk : chunk.subarray(off, off + n), fill);
          fill += n;
          off += n;
          if (fill === COALESCE_LIMIT) {
            this.connection.send(gather);
            fill = 0;
          }
        }
      }
      if (fill > 0) this.connection.send(gather.subarray(0, fill));
    } catch (e) {
      this.destroy(e as Error);
    } finally {
      this.sendingApplicationData = false;
    }
  }

  /** A full record at a time, so each fits one reusable record buffer. */
  private sendRecords(data: Uint8Array): void {
    for (let off = 0; off < data.length; off += COALESCE_LIMIT) {
      const n = Math.min(COALESCE_LIMIT, data.length - off);
      this.connection.send(new Uint8Array(data.buffer, data.byteOffset + off, n));
    }
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.flushOut();
    if (!this.connection.isClosed) this.connection.close();
    this.transport.end();
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    // Let a corked fatal alert reach the wire before the transport goes.
    if (this.corked) {
      this.corked = false;
      this.transport.uncork();
    }
    this.connection.destroy();
    this.tracer?.flush();
    if (!this.transport.destroyed) this.transport.destroy();
    cb(err);
  }

  // --- node:tls TLSSocket API -----------------------------------------------------

  getProtocol(): string | null {
    return this.summary?.version ?? null;
  }

  getCipher(): { name: string; standardName: string; version: string } | undefined {
    const s = this.summary;
    if (!s) return undefined;
    // node:tls reports OpenSSL's name in `name` for 1.2 (the IANA one in standardName); for 1.3 both are IANA.
    return { name: s.cipherSuite.openssl, standardName: s.cipherSuite.name, version: s.version };
  }

  getPeerCertificate(detailed = false): PeerCertificate | Record<string, never> {
    const chain = this.summary?.peerCertificates ?? [];
    if (chain.length === 0 || !this.hooks.peerCertificate) return {};
    return this.hooks.peerCertificate(chain, detailed);
  }

  getCertificate(): PeerCertificate | Record<string, never> {
    const chain = this.summary?.localCertificates ?? [];
    if (chain.length === 0 || !this.hooks.peerCertificate) return {};
    return this.hooks.peerCertificate(chain, false);
  }

  /** The negotiated summary (ts-tls extension: group, signature scheme, round trips...). */
  getHandshakeSummary(): HandshakeSummary | undefined {
    return this.summary;
  }

  getSession(): Buffer | undefined {
    return this.lastSession ? Buffer.from(this.lastSession) : undefined;
  }

  isSessionReused(): boolean {
    return this.summary?.resumed ?? false;
  }

  /**
   * The client's view of the key exchange, as node:tls reports it (an empty object on a server, or
   * before the handshake, or for RSA key exchange and psk_ke resumption).
   */
  getEphemeralKeyInfo(): { type: string; name?: string; size: number } | Record<string, never> {
    const g = this.summary?.group;
    if (!this.connection.isClient || g === undefined) return {};
    return EPHEMERAL_KEY_INFO[g] ?? {};
  }

  /** The verify_data of our latest Finished (RFC 5929 tls-unique for TLS 1.2 clients), after the handshake. */
  getFinished(): Buffer | undefined {
    const f = this.connection.finishedSent;
    return f ? Buffer.from(f) : undefined;
  }

  /** The verify_data of the peer's latest Finished, after the handshake. */
  getPeerFinished(): Buffer | undefined {
    const f = this.connection.finishedReceived;
    return f ? Buffer.from(f) : undefined;
  }

  /** The peer's certificate as a crypto.X509Certificate (undefined without one). */
  getPeerX509Certificate(): X509Certificate | undefined {
    const der = this.summary?.peerCertificates[0];
    return der ? new X509Certificate(der) : undefined;
  }

  /** Our own certificate as a crypto.X509Certificate (undefined without one). */
  getX509Certificate(): X509Certificate | undefined {
    const der = this.summary?.localCertificates[0];
    return der ? new X509Certificate(der) : undefined;
  }

  /** A client's session ticket (RFC 5077 / RFC 8446 §4.6.1), if the server sent one. */
  getTLSTicket(): Buffer | undefined {
    const ticket = this.lastSession ? decodeSessionBytes(this.lastSession)?.ticket : undefined;
    return ticket && ticket.length > 0 ? Buffer.from(ticket) : undefined;
  }

  /** Limit the plaintext of each record we send to `size` bytes (512 to 16384); false if out of range. */
  setMaxSendFragment(size: number): boolean {
    try {
      this.connection.maxSendFragment = size;
      return true;
    } catch {
      return false;
    }
  }

  /** Renegotiation is refused in both directions already (RFC 5746 aside): nothing to disable. */
  disableRenegotiation(): void {}

  /** ts-tls never renegotiates (TLS 1.3 has no renegotiation; for TLS 1.2 it is refused): the callback gets an error. */
  renegotiate(_options: object, callback?: (err: Error | null) => void): boolean {
    if (callback) process.nextTick(callback, new TLSError('renegotiation is not supported', 'ERR_TLS_RENEGOTIATION_DISABLED'));
    return false;
  }

  exportKeyingMaterial(length: number, label: string, context?: Buffer): Buffer {
    const c = this.connection as Connection & { exportKeyingMaterial?: (n: number, l: string, ctx?: Uint8Array) => Uint8Array };
    if (!c.exportKeyingMaterial) throw new TLSError('exportKeyingMaterial is not available', 'ERR_TLS_INVALID_STATE');
    return Buffer.from(c.exportKeyingMaterial(length, label, context));
  }

  // --- net.Socket pass-through (http and friends call these; the accessors are defined below the class) ---

  /** Application bytes gathered this tick, not yet sealed. */
  get queuedBytes(): number {
    return this.outBytes;
  }

  /** The transport, as a net.Socket where it is one. */
  get net(): Partial<Socket> {
    return this.transport as Partial<Socket>;
  }
  override address(): ReturnType<Socket['address']> {
    return this.net.address ? this.net.address() : {};
  }
  override setNoDelay(noDelay?: boolean): this {
    this.net.setNoDelay?.(noDelay);
    return this;
  }
  override setKeepAlive(enable?: boolean, delay?: number): this {
    this.net.setKeepAlive?.(enable, delay);
    return this;
  }
  override setTimeout(ms: number, cb?: () => void): this {
    if (this.net.setTimeout) {
      this.net.setTimeout(ms);
      if (cb) this.once('timeout', cb);
      this.transport.removeAllListeners('timeout');
      if (ms > 0) this.transport.on('timeout', () => this.emit('timeout'));
    }
    return this;
  }
  override ref(): this {
    this.net.ref?.();
    return this;
  }
  override unref(): this {
    this.net.unref?.();
    return this;
  }
  /** Reset the transport (TCP RST) and destroy, as node's resetAndDestroy. */
  override resetAndDestroy(): this {
    const t = this.transport;
    if (t instanceof Socket && !t.destroyed) t.resetAndDestroy();
    this.destroy();
    return this;
  }
  /** A TLSSocket runs over the socket it was given: it cannot dial by itself. */
  override connect(): this {
    throw new TLSError('TLSSocket.connect() is not supported: use connect() from ts-tls (or pass a connected socket to new TLSSocket)', 'ERR_TLS_UNSUPPORTED_OPTION');
  }

  // --- node:tls's pre-handshake setters -------------------------------------------------

  /** The SNI name to send (client, before the handshake), as node's setServername. */
  setServername(name: string): void {
    if (typeof name !== 'string') throw new TLSError('The "name" argument must be of type string', 'ERR_INVALID_ARG_TYPE');
    if (!this.connection.isClient) throw new TLSError('Cannot issue SNI from a TLS server-side socket', 'ERR_TLS_SNI_FROM_SERVER');
    this.connection.reconfigure({ serverName: name });
  }

  /** The session to resume (client, before the handshake), as node's setSession. */
  setSession(session: string | Uint8Array): void {
    const bytes = typeof session === 'string' ? Buffer.from(session, 'latin1') : session;
    const s = decodeSessionBytes(bytes);
    if (s) this.connection.reconfigure({ session: s });
  }

  /** Print every record and handshake message from now on to stderr (node: OpenSSL's trace; here ours). */
  enableTrace(): void {
    if (this.tracer) return;
    const tracer = streamTracer({ stream: process.stderr });
    this.tracer = tracer;
    this.on('trace', (e: TraceEvent) => tracer.onEvent(e));
    this.connection.reconfigure({ trace: true });
  }

  /** The certificate and key to present (before the handshake), as node's setKeyCert. */
  setKeyCert(context: SecureContextLike): void {
    if (!this.hooks.certifiedKeys) throw new TLSError('setKeyCert() is not available on this socket', 'ERR_TLS_INVALID_STATE');
    this.connection.reconfigure({ certificates: this.hooks.certifiedKeys(context) });
  }

  /**
   * Signature schemes both sides support, in the client's order, as OpenSSL names them
   * ('ECDSA+SHA256', 'RSA-PSS+SHA256'): on a server after the handshake; a client has none (as in node).
   */
  getSharedSigalgs(): string[] {
    const offered = this.summary?.peerSignatureAlgorithms;
    if (this.connection.isClient || !offered) return [];
    const ours = new Set(this.connection.config.signatureAlgorithms);
    return offered.filter((s) => ours.has(s)).map(opensslSigalgName);
  }
}

/**
 * net.Socket's state accessors, over the transport (node's typings declare them as plain properties,
 * so they are defined here rather than as class accessors). `connecting` ignores net.Socket's
 * constructor assigning it.
 */
function transportOf(s: TLSSocket): Partial<Socket> {
  return s.net;
}
Object.defineProperties(TLSSocket.prototype, {
  remoteAddress: { get(this: TLSSocket) { return transportOf(this).remoteAddress; }, configurable: true },
  remotePort: { get(this: TLSSocket) { return transportOf(this).remotePort; }, configurable: true },
  remoteFamily: { get(this: TLSSocket) { return transportOf(this).remoteFamily; }, configurable: true },
  localAddress: { get(this: TLSSocket) { return transportOf(this).localAddress; }, configurable: true },
  localPort: { get(this: TLSSocket) { return transportOf(this).localPort; }, configurable: true },
  localFamily: { get(this: TLSSocket) { return transportOf(this).localFamily; }, configurable: true },
  bytesWritten: { get(this: TLSSocket) { return transportOf(this).bytesWritten; }, configurable: true },
  bytesRead: { get(this: TLSSocket) { return transportOf(this).bytesRead; }, configurable: true },
  connecting: { get(this: TLSSocket) { return transportOf(this).connecting ?? false; }, set() {}, configurable: true },
  // As node's: true until the transport is connected.
  pending: { get(this: TLSSocket) { return transportOf(this).pending ?? false; }, configurable: true },
  // Written but not yet sealed and handed to the transport (node's TLS socket: its writableLength).
  bufferSize: { get(this: TLSSocket) { return this.writableLength + this.queuedBytes; }, configurable: true },
});
