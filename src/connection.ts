/**
 * Connection: the sans-IO TLS engine.
 *
 * Bytes from the peer go in through {@link Connection.receive}; bytes for the
 * peer, application data, and events come out through the {@link ConnectionSink}
 * callbacks. No sockets, no timers, no clock (the config supplies `now`).
 *
 * Inside, two things run:
 * - the *record pump*: splits input into records, removes protection, and
 *   hands handshake messages to whoever is waiting for one. Application data
 *   and alerts are handled right here, synchronously (the hot path).
 * - the *handshake flow* (src/handshake/): an async function that reads like
 *   the RFC's message sequence — send ClientHello, `await expect(server_hello)`,
 *   ... Handshake steps may await the crypto provider (a remote signer), so the
 *   pump only parses records while the flow waits for a message; records that
 *   arrive meanwhile wait in a bounded buffer. This way a key change installed
 *   by the flow always applies to the very next record.
 *
 * Any failure — malformed input, a failed check, a fatal alert from the peer —
 * ends in {@link Connection.fail}: the alert is sent (if it was ours), the sink
 * gets one TLSError, and the connection is closed for good.
 */
import type { CertifiedKey, EngineConfig, SessionState } from './config.js';
import { TLSError, alertError, receivedAlertError } from './errors.js';
import {
  AlertDescription,
  AlertLevel,
  ContentType,
  HandshakeType,
  alertName,
  type CipherSuiteInfo,
  type VersionName,
} from './registry.js';
import {
  MAX_BUFFERED_INPUT,
  MAX_CIPHERTEXT_LENGTH,
  MAX_CONSECUTIVE_EMPTY_RECORDS,
  MAX_CONSECUTIVE_WARNING_ALERTS,
  MAX_HANDSHAKE_MESSAGE_LENGTH,
  MAX_KEY_UPDATES_WITHOUT_DATA,
  KEY_UPDATE_AFTER_RECORDS,
  MAX_PLAINTEXT_LENGTH,
  MIN_SEND_FRAGMENT,
  RECORD_HEADER_LENGTH,
} from './limits.js';
import { plaintextRecord, type RecordProtector } from './record/protection.js';
import { HandshakeReassembler } from './record/reassembly.js';
import { recordBytes, releaseRecordBytes, reusableRecordBytes } from './record/slab.js';
import { frameHandshake, type HandshakeMessage } from './messages/handshake.js';
import { DecodeError } from './wire/reader.js';
import { concat } from './wire/writer.js';

/** What the engine reports once a handshake completes. */
export interface HandshakeSummary {
  readonly version: VersionName;
  readonly cipherSuite: CipherSuiteInfo;
  /** Key exchange group (undefined for RSA key exchange and psk_ke). */
  readonly group: number | undefined;
  /** Signature scheme the peer (server, or client in mutual auth) signed with. */
  readonly peerSignatureScheme: number | undefined;
  /** Server: the signature schemes the client offered, in its order (node:tls's getSharedSigalgs()). */
  readonly peerSignatureAlgorithms?: readonly number[];
  readonly alpnProtocol: string | undefined;
  /** SNI the client sent. */
  readonly serverName: string | undefined;
  /** Peer's certificate chain, leaf first, DER. Empty when the peer sent none. */
  readonly peerCertificates: readonly Uint8Array[];
  /** The local certificate chain we presented, if any. */
  readonly localCertificates: readonly Uint8Array[];
  readonly resumed: boolean;
  readonly extendedMasterSecret: boolean;
  /** Peer chain verification outcome (client: always; server: when a client certificate came). */
  readonly authorized: boolean;
  readonly authorizationError: string | undefined;
  /** Early data (TLS 1.3) accepted by the server. */
  readonly earlyDataAccepted: boolean;
  /** Round trips before the first application byte could leave (for the demo and trace). */
  readonly roundTrips: number;
}

/** A trace event: one record or handshake message as it crossed the wire. */
export interface TraceEvent {
  readonly direction: 'sent' | 'received';
  readonly kind: 'record' | 'handshake' | 'change_cipher_spec' | 'alert' | 'application_data' | 'note';
  readonly contentType?: number;
  /** The record as on the wire (for kind 'record'). */
  readonly record?: Uint8Array;
  /** Whether the record was protected. */
  readonly encrypted?: boolean;
  /** For 'handshake': the handshake message (header + body). */
  readonly message?: Uint8Array;
  /** The negotiated version when known (TLS 1.3 messages decode differently). */
  readonly version?: VersionName;
  readonly alert?: { level: number; description: number };
  readonly length?: number;
  readonly note?: string;
}

export interface ConnectionSink {
  /** Bytes for the peer. */
  write(bytes: Uint8Array): void;
  /** Decrypted application data. */
  data?(bytes: Uint8Array): void;
  /** Handshake complete; application data may flow. */
  handshake?(summary: HandshakeSummary): void;
  /** Peer sent close_notify. */
  end?(): void;
  /** Fatal error; the connection is closed. Called once. */
  error?(err: TLSError): void;
  /** A resumable session (client: from a ticket or session ID; Node's 'session' event). */
  session?(session: SessionState): void;
  /** A line for an NSS key log (SSLKEYLOGFILE format, no newline). */
  keylog?(line: string): void;
  trace?(event: TraceEvent): void;
  /** TLS 1.3 server: early data arrived (0-RTT). */
  earlyData?(bytes: Uint8Array): void;
}

/** What a handshake flow reads: a handshake message or a (TLS 1.2) ChangeCipherSpec. */
export type HandshakeInput = HandshakeMessage | { readonly type: 'change_cipher_spec' };

/** The handshake flow's view of the connection. */
export interface HandshakeIO {
  readonly config: EngineConfig;
  readonly sink: ConnectionSink;
  /** Next handshake message or CCS, in order. Flushes pending output first. */
  read(): Promise<HandshakeInput>;
  /** Next handshake message, which must be of `type` (else unexpected_message). */
  expect(type: number): Promise<HandshakeMessage>;
  /** TLS 1.2: the next input must be ChangeCipherSpec. */
  expectChangeCipherSpec(): Promise<void>;
  /** Frame and queue a handshake message; returns its raw bytes (for the transcript). */
  sendHandshake(type: number, body: Uint8Array): Uint8Array;
  sendChangeCipherSpec(): void;
  /** Send queued records now (one write). */
  flush(): void;
  setReadProtector(p: RecordProtector | null): void;
  setWriteProtector(p: RecordProtector | null): void;
  /** Negotiated version, once known (changes CCS and alert rules). */
  setVersion(v: VersionName): void;
  /** Application data may now be sent (after Finished, or False Start). */
  enableApplicationData(): void;
  /** Whether handshake bytes are buffered (must be none at a TLS 1.3 key change). */
  hasBufferedHandshakeData(): boolean;
  /** TLS 1.3 server: accept early application data into sink.earlyData (up to a limit). */
  acceptEarlyData(maxBytes: number): void;
  /** Bytes of early data received so far. */
  readonly earlyDataReceived: number;
  /** Stop accepting early data (EndOfEarlyData received). */
  endEarlyData(): void;
  /**
   * TLS 1.3 server that rejects 0-RTT (RFC 8446 §4.2.10): silently drop
   * application_data records that are plaintext-framed or fail to decrypt,
   * up to `maxBytes`, until a record opens under the current read keys.
   */
  skipEarlyData(maxBytes: number): void;
  /** Queue application data under the current write keys (TLS 1.3 0-RTT, or rejected 0-RTT resent after the handshake). */
  sendEarlyData(data: Uint8Array): void;
  /** Installed by the flow: messages after the handshake (NewSessionTicket, KeyUpdate). */
  postHandshake: PostHandshakeHandler | null;
  /** Installed by the flow: the version's keying-material exporter. */
  exporter: Exporter | null;
  /** Installed by a TLS 1.3 flow: send a KeyUpdate and switch write keys. */
  keyUpdater: KeyUpdater | null;
  /**
   * TLS 1.3: the peer asked for a KeyUpdate (RFC 8446 §4.6.3). The connection sends one
   * (update_not_requested) once the input at hand is processed, however many requests it holds.
   */
  requestKeyUpdateReply(): void;
  trace(event: TraceEvent): void;
}

/** A handshake flow: drives one side's handshake to completion and returns its summary. */
export type HandshakeFlow = (io: HandshakeIO) => Promise<HandshakeSummary>;

/** Post-handshake message handler (NewSessionTicket, KeyUpdate, ...), installed by the flow. */
export type PostHandshakeHandler = (msg: HandshakeMessage) => Promise<void> | void;

/** RFC 5705 / RFC 8446 §7.5 exporter over the connection's secrets. */
export type Exporter = (length: number, label: string, context: Uint8Array | undefined) => Uint8Array;

/** TLS 1.3 KeyUpdate (RFC 8446 §4.6.3): send one, then use the next write keys. */
export type KeyUpdater = (requestPeer: boolean) => void;

/** The handshake flow's pending read; `expect` (a handshake type, or CCS) is checked on delivery. */
type Waiter = { resolve: (v: HandshakeInput) => void; reject: (e: unknown) => void; expect: number | 'change_cipher_spec' | undefined };

const EMPTY = new Uint8Array(0);

export class Connection implements HandshakeIO {
  private inbuf: Uint8Array = EMPTY;
  /** Handshake fragments, reassembled into whole messages (record/reassembly.ts). */
  private readonly hsbuf = new HandshakeReassembler(MAX_HANDSHAKE_MESSAGE_LENGTH);
  private readProtector: RecordProtector | null = null;
  private writeProtector: RecordProtector | null = null;
  private version: VersionName | undefined;
  private waiter: Waiter | null = null;
  private outQueue: Uint8Array[] = [];
  private pendingAppData: Uint8Array[] = [];
  private appDataEnabled = false;
  private handshakeComplete = false;
  private busy = false; // a post-handshake message is being processed asynchronously
  private closed = false;
  private sentCloseNotify = false;
  private receivedCloseNotify = false;
  private warningAlerts = 0;
  private emptyRecords = 0;
  /** TLS 1.3 KeyUpdates received since the last application data or our last update request (bounded by MAX_KEY_UPDATES_WITHOUT_DATA). */
  private keyUpdatesWithoutData = 0;
  /** A KeyUpdate the peer requested, not yet sent (see requestKeyUpdateReply). */
  private keyUpdateReplyPending = false;
  private firstRecord = true;
  private earlyDataLimit = -1;
  private earlyBytes = 0;
  private skipEarlyBudget = -1;
  /** Installed by the flow for messages after the handshake. */
  postHandshake: PostHandshakeHandler | null = null;
  exporter: Exporter | null = null;
  keyUpdater: KeyUpdater | null = null;
  summary: HandshakeSummary | undefined;
  /** The error that closed the connection, if any. */
  error: TLSError | undefined;

  constructor(
    readonly config: EngineConfig,
    readonly sink: ConnectionSink,
    private readonly flow: HandshakeFlow,
  ) {}

  get isClient(): boolean {
    return this.config.side === 'client';
  }

  get isHandshakeComplete(): boolean {
    return this.handshakeComplete;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Whether the peer sent close_notify (a clean close, not a truncation). */
  get closeNotifyReceived(): boolean {
    return this.receivedCloseNotify;
  }

  /** Whether we sent close_notify. */
  get closeNotifySent(): boolean {
    return this.sentCloseNotify;
  }

  get earlyDataReceived(): number {
    return this.earlyBytes;
  }

  /** The verify_data of the Finished we sent (once the handshake is complete): Node's getFinished(). */
  get finishedSent(): Uint8Array | undefined {
    return this.handshakeComplete ? this.ourFinished : undefined;
  }

  /** The verify_data of the peer's (verified) Finished: Node's getPeerFinished(). */
  get finishedReceived(): Uint8Array | undefined {
    return this.handshakeComplete ? this.peerFinished : undefined;
  }
  private ourFinished: Uint8Array | undefined;
  private peerFinished: Uint8Array | undefined;

  /**
   * The largest plaintext per record we send, 512 to 2^14 (OpenSSL's max_send_fragment, Node's
   * setMaxSendFragment): smaller records let a receiver start on the first bytes sooner.
   */
  get maxSendFragment(): number {
    return this.maxFragment;
  }
  set maxSendFragment(n: number) {
    if (!Number.isInteger(n) || n < MIN_SEND_FRAGMENT || n > MAX_PLAINTEXT_LENGTH) throw new RangeError(`maxSendFragment must be an integer from ${MIN_SEND_FRAGMENT} to ${MAX_PLAINTEXT_LENGTH}`);
    this.maxFragment = n;
  }
  private maxFragment = MAX_PLAINTEXT_LENGTH;

  /** Start the handshake (a client sends its ClientHello; a server waits for one). */
  /**
   * Change settings before start() (node:tls's setServername/setSession on a client socket that is
   * still connecting); `trace` may change at any time (node:tls's enableTrace).
   */
  reconfigure(patch: { readonly serverName?: string; readonly session?: SessionState; readonly trace?: boolean; readonly certificates?: readonly CertifiedKey[] }): void {
    const other = Object.keys(patch).some((k) => k !== 'trace');
    if (other && this.started) throw new TLSError('the handshake has already started', 'ERR_TLS_INVALID_STATE');
    (this as { config: EngineConfig }).config = { ...this.config, ...patch } as EngineConfig;
  }
  private started = false;

  start(): void {
    this.started = true;
    this.flow(this).then(
      (summary) => {
        if (this.closed) return;
        this.summary = summary;
        this.handshakeComplete = true;
        this.enableApplicationData();
        // Our last flight leaves first (a peer must get our Finished even if the application destroys the
        // connection from its handshake callback), then the handshake is reported. A peer wired
        // synchronously (sink.write straight into its receive(), as in the README) answers inside flush():
        // `busy` holds its input until the handshake event is out, so its data never reaches the sink
        // before that event, and an alert it sends is judged after it.
        this.busy = true;
        try {
          this.flush();
          this.sink.handshake?.(summary);
        } finally {
          this.busy = false;
        }
        if (this.closed) return;
        try {
          // Post-handshake messages (e.g. a TLS 1.3 NewSessionTicket) may already be buffered.
          if (this.hsbuf.length > 0) this.processPostHandshake();
        } catch (e) {
          this.fail(e);
          return;
        }
        this.pump();
      },
      (e: unknown) => this.fail(e),
    );
  }

  // ---------------------------------------------------------------- input

  /**
   * Feed bytes received from the peer.
   *
   * Input is parsed in place, without copying chunks together: `inbuf` is
   * the chunk being parsed, `intail` what arrived behind it. A record cut by
   * a chunk boundary is completed in a buffer of exactly its size with only
   * the bytes it lacks (see nextRecord); the rest of the chunk is then parsed
   * where it lies. Chunks are only gathered into one buffer when input piles
   * up while the engine cannot parse (awaiting the handshake flow).
   */
  receive(bytes: Uint8Array): void {
    if (this.closed || bytes.length === 0) return;
    if (this.inbuf.length === 0 && this.intail.length === 0) {
      this.inbuf = bytes;
    } else {
      if (this.inbuf.length + this.intail.length + bytes.length > MAX_BUFFERED_INPUT) {
        this.fail(alertError('internal_error', `more than ${MAX_BUFFERED_INPUT} bytes buffered while busy`));
        return;
      }
      this.appendTail(bytes);
    }
    this.pump();
  }

  /**
   * Add a chunk behind the input not parsed yet. Chunks that pile up while
   * the engine cannot parse (the handshake flow awaits a signer, a
   * certificate callback or a verifier) go into one buffer whose capacity
   * doubles, so n chunks cost O(n) copying: concatenating each chunk onto all
   * the earlier ones cost O(n^2), and a peer trickling single bytes made that
   * seconds of CPU per connection.
   */
  private appendTail(bytes: Uint8Array): void {
    const t = this.intail;
    if (t.length === 0) {
      this.intail = bytes;
      this.tailStore = null;
      return;
    }
    const store = this.tailStore;
    // Append in place when the tail is the filled end of our store (the bytes past the fill were never handed out).
    if (store !== null && t.buffer === store.buffer && t.byteOffset + t.length === this.tailFill && this.tailFill + bytes.length <= store.length) {
      store.set(bytes, this.tailFill);
      this.intail = store.subarray(t.byteOffset, (this.tailFill += bytes.length));
      return;
    }
    const n = t.length + bytes.length;
    const grown = new Uint8Array(Math.max(n, Math.min(Math.max(2 * n, 1024), MAX_BUFFERED_INPUT)));
    grown.set(t, 0);
    grown.set(bytes, t.length);
    this.tailStore = grown;
    this.tailFill = n;
    this.intail = grown.subarray(0, n);
  }
  /** The buffer `intail` grows in while input piles up (see appendTail), and how much of it is filled. */
  private tailStore: Uint8Array | null = null;
  private tailFill = 0;
  /**
   * receive() for bytes the caller overwrites as soon as this returns (a read
   * buffer the transport reuses, as `net.connect({ onread })` does): they are
   * never decrypted in place, and whatever the engine keeps or hands out of
   * them (an unfinished record, a plaintext record) is copied first.
   */
  receiveTransient(bytes: Uint8Array): void {
    this.transientInput = bytes.buffer;
    try {
      this.receive(bytes);
    } finally {
      this.transientInput = null;
    }
    // Copies, not views (new Uint8Array(view) copies; a Buffer's slice() would not).
    if (this.inbuf.length > 0 && this.inbuf.buffer === bytes.buffer) this.inbuf = new Uint8Array(this.inbuf);
    if (this.intail.length > 0 && this.intail.buffer === bytes.buffer) this.intail = new Uint8Array(this.intail);
  }
  private transientInput: ArrayBufferLike | null = null;

  /** Input that arrived behind `inbuf`, in order; parsed once inbuf is used up. */
  private intail: Uint8Array = EMPTY;
  /** The record-sized buffer that `inbuf` is a filled prefix of while a record is incomplete, else null. */
  private partial: Uint8Array | null = null;

  /**
   * The transport reached end of input (the peer's FIN). Everything already
   * received is processed first; only then is a missing close_notify judged:
   * during the handshake (or mid-record) it is a truncation error, after it a
   * plain end of data, as node:tls treats it.
   */
  receiveEof(): void {
    if (this.closed || this.eof) return;
    this.eof = true;
    this.pump();
  }
  private eof = false;
  private eofReported = false;

  /** The input is exhausted and no more will come. */
  private onEof(): void {
    if (this.closed || this.eofReported) return;
    if (!this.handshakeComplete) {
      this.eofReported = true;
      this.fail(new TLSError('socket hang up: the peer closed the connection during the handshake', 'ECONNRESET'));
      return;
    }
    if (this.busy) return; // judged again once the post-handshake message is processed
    this.eofReported = true;
    if (this.inbuf.length > 0 || this.hsbuf.length > 0) {
      this.fail(new TLSError('the peer closed the connection in the middle of a record', 'ERR_TLS_TRUNCATED'));
      return;
    }
    if (!this.receivedCloseNotify) this.sink.end?.();
  }

  /**
   * When true, receive() may decrypt the bytes it is given in place (their
   * contents change): for adapters that hand over buffers nobody else reads,
   * such as a net.Socket's chunks. Off by default: the caller's bytes stay intact.
   */
  adoptInput = false;

  /**
   * When true, full records go to the sink in reusable buffers, which the
   * sink gives back with releaseRecordBytes (record/slab.ts) once its
   * transport has copied them (a net.Socket's write callback). Off by default:
   * every buffer written is the sink's to keep.
   */
  recycleOutput = false;

  /** Whether the engine will consume more input now (adapters may pause reading when false). */
  get wantsInput(): boolean {
    return !this.closed && this.inbuf.length + this.intail.length < MAX_BUFFERED_INPUT / 2;
  }

  private pump(): void {
    try {
      while (!this.closed) {
        if (this.handshakeComplete ? this.busy : this.waiter === null) break;
        // A handshake message may already be buffered from an earlier record.
        if (!this.handshakeComplete && this.deliverBufferedHandshake()) continue;
        const rec = this.nextRecord();
        if (rec === null) {
          if (this.eof) this.onEof();
          break;
        }
        if (rec.skipped) continue;
        this.handleRecord(rec.type, rec.fragment);
      }
      if (this.keyUpdateReplyPending) this.sendKeyUpdateReply();
    } catch (e) {
      this.fail(e);
    }
  }

  requestKeyUpdateReply(): void {
    this.keyUpdateReplyPending = true;
  }

  /** RFC 8446 §4.6.3: one KeyUpdate answers every request received while we were silent. */
  private sendKeyUpdateReply(): void {
    this.keyUpdateReplyPending = false;
    if (this.closed || this.sentCloseNotify || this.keyUpdater === null) return;
    this.keyUpdater(false);
    this.flush();
  }

  /** Cut one record from the input, remove protection; null when incomplete. */
  private nextRecord(): { type: number; fragment: Uint8Array; skipped?: boolean } | null {
    let b = this.inbuf;
    if (b.length === 0) {
      if (this.intail.length === 0) return null;
      b = this.inbuf = this.intail;
      this.intail = EMPTY;
      // The pile-up buffer is parsed from inbuf now and never appended to again: not ours to keep alive.
      this.tailStore = null;
    }
    if (b.length < RECORD_HEADER_LENGTH && this.intail.length > 0) {
      // A header cut by a chunk boundary: at most 4 + 4 bytes copied to read it.
      const take = Math.min(RECORD_HEADER_LENGTH - b.length, this.intail.length);
      b = this.inbuf = concat(b, this.intail.subarray(0, take));
      this.intail = this.intail.length === take ? EMPTY : this.intail.subarray(take);
    }
    if (b.length < RECORD_HEADER_LENGTH) {
      if (this.firstRecord && b.length > 0 && (b[0]! & 0x80) !== 0) this.rejectSslv2();
      return null;
    }
    const type = b[0]!;
    const major = b[1]!;
    const length = (b[3]! << 8) | b[4]!;
    if (this.firstRecord && (type & 0x80) !== 0) this.rejectSslv2();
    if (type < ContentType.change_cipher_spec || type > ContentType.application_data) {
      throw alertError('unexpected_message', `unknown record content type ${type}`);
    }
    if (major !== 3) throw alertError('protocol_version', `record version ${major}.${b[2]} is not TLS`);
    if (length > MAX_CIPHERTEXT_LENGTH) throw alertError('record_overflow', `record of ${length} bytes exceeds 2^14 + 256`);
    const recordLength = RECORD_HEADER_LENGTH + length;
    if (b.length < recordLength) {
      // Incomplete: move what we have into a buffer of the record's size (once), then add only
      // the bytes it lacks from the tail; what follows them stays in the tail, uncopied.
      let p = this.partial;
      if (p === null || p.buffer !== b.buffer || p.byteOffset !== b.byteOffset) {
        // A reusable buffer when no trace event will hold the record (given back once it is decrypted).
        p = this.partial = this.config.trace ? new Uint8Array(recordLength) : reusableRecordBytes(recordLength);
        p.set(b, 0);
      }
      let filled = b.length;
      if (this.intail.length > 0) {
        const take = Math.min(recordLength - filled, this.intail.length);
        p.set(take === this.intail.length ? this.intail : this.intail.subarray(0, take), filled);
        filled += take;
        this.intail = this.intail.length === take ? EMPTY : this.intail.subarray(take);
      }
      b = this.inbuf = filled === recordLength ? p : p.subarray(0, filled);
      if (filled < recordLength) return null;
    }
    const body = b.subarray(RECORD_HEADER_LENGTH, recordLength);
    // A record put together in `partial` is decrypted out of it (into a slab) and the buffer reused;
    // otherwise over the ciphertext when the adapter gave the input away and no trace event holds it.
    const assembled = this.partial !== null && b.buffer === this.partial.buffer ? this.partial : null;
    // Bytes in a transient read buffer are overwritten after receiveTransient returns: never decrypted
    // in place, and whatever is kept of them is copied.
    const transient = this.transientInput !== null && b.buffer === this.transientInput;
    const inPlace = assembled === null && this.adoptInput && !this.config.trace && !transient;
    if (b.length === recordLength) {
      this.inbuf = EMPTY;
      this.partial = null;
    } else {
      this.inbuf = b.subarray(recordLength);
    }
    this.firstRecord = false;
    // RFC 8446: CCS is never protected; and during a 1.3 handshake a peer may not have our keys yet when it
    // fails, so its alert comes in the clear (OpenSSL's "plain alerts" state). Protected records never have outer type alert.
    const clearIn13 = this.version === 'TLSv1.3' && (type === ContentType.change_cipher_spec || (type === ContentType.alert && !this.handshakeComplete));
    const encrypted = this.readProtector !== null && !clearIn13;
    if (this.config.trace) {
      const record = b.subarray(0, recordLength);
      this.trace({ direction: 'received', kind: 'record', contentType: type, record: transient ? new Uint8Array(record) : record, encrypted, length });
    }
    if (this.skipEarlyBudget >= 0 && type === ContentType.application_data) {
      // Rejected 0-RTT (RFC 8446 §4.2.10): drop what is not ours to read, within the budget.
      const opened = encrypted ? this.tryOpen(type, body, inPlace) : null;
      if (opened === null) {
        this.skipEarlyBudget -= length;
        if (this.skipEarlyBudget < 0) throw alertError('unexpected_message', 'rejected early data exceeds max_early_data_size');
        return { type: ContentType.application_data, fragment: EMPTY, skipped: true };
      }
      this.skipEarlyBudget = -1;
      return opened;
    }
    if (!encrypted) {
      if (length > MAX_PLAINTEXT_LENGTH) throw alertError('record_overflow', `plaintext record of ${length} bytes exceeds 2^14`);
      return { type, fragment: transient ? new Uint8Array(body) : body };
    }
    const opened = this.readProtector!.open(type, body, inPlace);
    // The plaintext is elsewhere now (a no-op unless `assembled` came from reusableRecordBytes).
    if (assembled !== null) releaseRecordBytes(assembled);
    // RFC 8446 §5: a protected change_cipher_spec is unexpected_message.
    if (opened.type === ContentType.change_cipher_spec) throw alertError('unexpected_message', 'encrypted ChangeCipherSpec record');
    return opened;
  }

  private tryOpen(type: number, body: Uint8Array, inPlace: boolean): { type: number; fragment: Uint8Array } | null {
    try {
      return this.readProtector!.open(type, body, inPlace);
    } catch (e) {
      if (e instanceof TLSError && e.alert?.name === 'bad_record_mac') return null;
      throw e;
    }
  }

  private rejectSslv2(): never {
    throw alertError('protocol_version', 'SSLv2-format hello is not supported');
  }

  private handleRecord(type: number, fragment: Uint8Array): void {
    if (fragment.length === 0 && type !== ContentType.application_data) {
      // RFC 8446 §5.1: zero-length fragments of handshake/alert are not allowed.
      throw alertError('unexpected_message', `empty ${type === ContentType.handshake ? 'handshake' : 'alert/CCS'} record`);
    }
    if (type !== ContentType.alert) this.warningAlerts = 0;
    switch (type) {
      case ContentType.alert:
        return this.handleAlert(fragment);
      case ContentType.change_cipher_spec:
        return this.handleChangeCipherSpec(fragment);
      case ContentType.handshake:
        this.emptyRecords = 0;
        return this.handleHandshakeFragment(fragment);
      case ContentType.application_data:
        return this.handleApplicationData(fragment);
    }
  }

  private handleAlert(fragment: Uint8Array): void {
    if (fragment.length !== 2) throw alertError('decode_error', `alert record of ${fragment.length} bytes`);
    if (this.hsbuf.length > 0) throw alertError('unexpected_message', 'alert interleaved with a fragmented handshake message');
    const level = fragment[0]!;
    const description = fragment[1]!;
    if (this.config.trace) this.trace({ direction: 'received', kind: 'alert', alert: { level, description } });
    if (description === AlertDescription.close_notify) {
      this.receivedCloseNotify = true;
      if (!this.handshakeComplete) {
        this.fail(receivedAlertError(description));
        return;
      }
      this.inbuf = EMPTY; // RFC 8446 §6.1: data after close_notify is ignored
      this.intail = EMPTY;
      this.partial = null;
      this.closedByPeer();
      return;
    }
    // RFC 8446 §6: in TLS 1.3 every alert but close_notify and user_canceled is fatal, whatever its level.
    const fatal =
      level === AlertLevel.fatal ||
      (this.version === 'TLSv1.3' && description !== AlertDescription.user_canceled) ||
      (level !== AlertLevel.warning);
    if (fatal) {
      this.fail(receivedAlertError(description));
      return;
    }
    if (++this.warningAlerts > MAX_CONSECUTIVE_WARNING_ALERTS) {
      throw alertError('unexpected_message', `more than ${MAX_CONSECUTIVE_WARNING_ALERTS} consecutive warning alerts`);
    }
    if (description === AlertDescription.no_renegotiation || description === AlertDescription.user_canceled) return;
    // Other warning alerts (e.g. TLS 1.2 no_certificate) carry no action for us.
  }

  private handleChangeCipherSpec(fragment: Uint8Array): void {
    if (fragment.length !== 1 || fragment[0] !== 1) throw alertError('unexpected_message', 'malformed ChangeCipherSpec');
    if (this.hsbuf.length > 0) throw alertError('unexpected_message', 'ChangeCipherSpec inside a fragmented handshake message');
    if (this.config.trace) this.trace({ direction: 'received', kind: 'change_cipher_spec' });
    if (this.version === 'TLSv1.3') {
      // RFC 8446 §5: a CCS {0x01} during the handshake is ignored; after it, it is an error.
      if (this.handshakeComplete) throw alertError('unexpected_message', 'ChangeCipherSpec after the TLS 1.3 handshake');
      if (++this.emptyRecords > MAX_CONSECUTIVE_EMPTY_RECORDS) throw alertError('unexpected_message', 'too many ChangeCipherSpec records');
      return;
    }
    if (this.handshakeComplete) throw alertError('unexpected_message', 'ChangeCipherSpec after the handshake (renegotiation is refused)');
    this.deliver({ type: 'change_cipher_spec' });
  }

  private handleHandshakeFragment(fragment: Uint8Array): void {
    this.hsbuf.push(fragment);
    if (this.handshakeComplete) {
      this.processPostHandshake();
    }
    // During the handshake, the pump loop delivers from hsbuf to the waiter.
  }

  /** Cut one complete handshake message from hsbuf, or null. */
  private takeHandshakeMessage(): HandshakeMessage | null {
    const raw = this.hsbuf.take();
    if (raw === null) return null;
    const msg = { type: raw[0]!, body: raw.subarray(4), raw };
    if (this.config.trace) this.trace({ direction: 'received', kind: 'handshake', message: raw });
    return msg;
  }

  private deliverBufferedHandshake(): boolean {
    if (this.waiter === null) return false;
    const msg = this.takeHandshakeMessage();
    if (msg === null) return false;
    this.deliver(msg);
    return true;
  }

  private deliver(input: HandshakeInput): void {
    const w = this.waiter;
    if (w === null) throw alertError('unexpected_message', 'handshake input while no handshake step is waiting');
    this.waiter = null;
    if (input.type === HandshakeType.finished) this.peerFinished = new Uint8Array(input.body);
    const e = w.expect;
    if (e === 'change_cipher_spec') {
      if (input.type !== 'change_cipher_spec') return w.reject(alertError('unexpected_message', `expected ChangeCipherSpec, got handshake type ${input.type}`));
    } else if (e !== undefined) {
      if (input.type === 'change_cipher_spec') return w.reject(alertError('unexpected_message', `expected handshake type ${e}, got ChangeCipherSpec`));
      if (input.type !== e) return w.reject(alertError('unexpected_message', `expected handshake type ${e}, got ${input.type}`));
    }
    w.resolve(input);
  }

  private processPostHandshake(): void {
    while (!this.busy && !this.closed) {
      const msg = this.takeHandshakeMessage();
      if (msg === null) return;
      const handler = this.postHandshake;
      if (msg.type === HandshakeType.key_update && ++this.keyUpdatesWithoutData > MAX_KEY_UPDATES_WITHOUT_DATA) {
        throw alertError('unexpected_message', `more than ${MAX_KEY_UPDATES_WITHOUT_DATA} KeyUpdates without application data`);
      }
      if (handler === null) {
        const name = msg.type === HandshakeType.client_hello || msg.type === HandshakeType.hello_request ? 'renegotiation' : 'post-handshake message';
        if (msg.type === HandshakeType.client_hello || msg.type === HandshakeType.hello_request) {
          throw alertError('no_renegotiation', `${name} refused`);
        }
        throw alertError('unexpected_message', `unexpected ${name} of type ${msg.type}`);
      }
      const r = handler(msg);
      if (r instanceof Promise) {
        this.busy = true;
        r.then(
          () => {
            this.busy = false;
            this.flush();
            this.processPostHandshake();
            this.pump();
          },
          (e: unknown) => this.fail(e),
        );
      }
    }
  }

  private handleApplicationData(fragment: Uint8Array): void {
    // Before the handshake completes, application data is only ever accepted 0-RTT data, empty or not
    // (an empty record interleaved with the handshake used to be skipped, and the peer waited for us).
    if (!this.handshakeComplete && this.earlyDataLimit < 0) throw alertError('unexpected_message', 'application data before the handshake finished');
    if (fragment.length === 0) {
      if (++this.emptyRecords > MAX_CONSECUTIVE_EMPTY_RECORDS) {
        throw alertError('unexpected_message', `more than ${MAX_CONSECUTIVE_EMPTY_RECORDS} consecutive empty records`);
      }
      return;
    }
    this.emptyRecords = 0;
    this.keyUpdatesWithoutData = 0;
    if (this.hsbuf.length > 0) throw alertError('unexpected_message', 'application data inside a fragmented handshake message');
    if (!this.handshakeComplete) {
      if (this.earlyDataLimit >= 0) {
        this.earlyBytes += fragment.length;
        if (this.earlyBytes > this.earlyDataLimit) throw alertError('unexpected_message', 'early data exceeds max_early_data_size');
        this.sink.earlyData?.(fragment);
        return;
      }
      throw alertError('unexpected_message', 'application data before the handshake finished');
    }
    if (this.config.trace) this.trace({ direction: 'received', kind: 'application_data', length: fragment.length });
    this.sink.data?.(fragment);
  }

  // ---------------------------------------------------------------- handshake IO

  read(): Promise<HandshakeInput> {
    return this.wait(undefined);
  }

  /** The next handshake message, which must be of `type` (else unexpected_message). */
  expect(type: number): Promise<HandshakeMessage> {
    // One promise per message: the type is checked where the message is delivered.
    return this.wait(type) as Promise<HandshakeMessage>;
  }

  async expectChangeCipherSpec(): Promise<void> {
    await this.wait('change_cipher_spec');
  }

  private wait(expect: Waiter['expect']): Promise<HandshakeInput> {
    if (this.closed) return Promise.reject(this.error ?? alertError('internal_error', 'connection closed'));
    this.flush();
    return new Promise<HandshakeInput>((resolve, reject) => {
      this.waiter = { resolve, reject, expect };
      // Run the pump on a fresh stack so deep flows don't recurse.
      queueMicrotask(() => this.pump());
    });
  }

  sendHandshake(type: number, body: Uint8Array): Uint8Array {
    if (type === HandshakeType.finished) this.ourFinished = body;
    const raw = frameHandshake(type, body);
    if (this.config.trace) this.trace({ direction: 'sent', kind: 'handshake', message: raw });
    this.queueRecords(ContentType.handshake, raw);
    return raw;
  }

  sendChangeCipherSpec(): void {
    if (this.config.trace) this.trace({ direction: 'sent', kind: 'change_cipher_spec' });
    // In TLS 1.3 the (middlebox) CCS is always sent in the clear.
    const rec = plaintextRecord(ContentType.change_cipher_spec, Uint8Array.of(1));
    if (this.config.trace) this.trace({ direction: 'sent', kind: 'record', contentType: ContentType.change_cipher_spec, record: rec, encrypted: false, length: 1 });
    this.outQueue.push(rec);
  }

  private queueRecords(type: number, data: Uint8Array): void {
    const wp = this.writeProtector;
    const max = this.maxFragment;
    if (wp === null) {
      for (let off = 0; off < data.length || (off === 0 && data.length === 0); off += max) {
        const frag = data.subarray(off, Math.min(off + max, data.length));
        // RFC 8446 §5.1: the first ClientHello may carry 0x0301 for compatibility.
        const rec = plaintextRecord(type, frag, this.isClient && this.firstWrite ? 0x0301 : 0x0303);
        this.firstWrite = false;
        if (this.config.trace) this.trace({ direction: 'sent', kind: 'record', contentType: type, record: rec, encrypted: false, length: frag.length });
        this.outQueue.push(rec);
        if (data.length === 0) break;
      }
      return;
    }
    // Hot path: every record of `data` is sealed straight into one buffer sized for all of them
    // (header, nonce, ciphertext, tag in place), so the plaintext is copied once and the sink gets
    // one write. Not zero-filled: sealInto fills exactly sealedLength bytes or throws. Cut from a
    // shared slab (record/slab.ts), never reused while referenced.
    const count = data.length === 0 ? 1 : Math.ceil(data.length / max);
    let total = 0;
    for (let i = 0, off = 0; i < count; i++, off += max) {
      const n = Math.min(max, data.length - off);
      total += wp.sealedLength(n, this.paddingFor(n));
    }
    const out = this.recycleOutput && !this.config.trace ? reusableRecordBytes(total) : recordBytes(total);
    let at = 0;
    for (let i = 0, off = 0; i < count; i++, off += max) {
      const frag = data.subarray(off, Math.min(off + max, data.length));
      const n = wp.sealInto(type, frag, this.paddingFor(frag.length), out, at);
      if (this.config.trace) this.trace({ direction: 'sent', kind: 'record', contentType: type, record: out.subarray(at, at + n), encrypted: true, length: n - RECORD_HEADER_LENGTH });
      at += n;
    }
    if (at !== total) throw alertError('internal_error', `sealed ${at} bytes, expected ${total}`);
    this.firstWrite = false;
    this.outQueue.push(out);
  }
  private firstWrite = true;

  /** RFC 8446 §5.4: zero padding that brings a TLS 1.3 inner plaintext (content + type byte) to a multiple of config.padRecordsTo. */
  private paddingFor(length: number): number {
    const block = this.config.padRecordsTo;
    if (block === undefined || block <= 1 || this.writeProtector?.version !== 'TLSv1.3') return 0;
    const padded = Math.min(Math.ceil((length + 1) / block) * block, MAX_PLAINTEXT_LENGTH + 1);
    return Math.max(0, padded - (length + 1));
  }

  flush(): void {
    if (this.outQueue.length === 0) return;
    const queue = this.outQueue;
    this.outQueue = [];
    if (queue.length === 1) {
      this.sink.write(queue[0]!);
      return;
    }
    const out = concat(...queue);
    // The parts were copied: reusable ones can go back at once.
    if (this.recycleOutput) for (const part of queue) releaseRecordBytes(part);
    this.sink.write(out);
  }

  setReadProtector(p: RecordProtector | null): void {
    this.readProtector = p;
  }

  setWriteProtector(p: RecordProtector | null): void {
    this.writeProtector = p;
  }

  setVersion(v: VersionName): void {
    this.version = v;
  }

  get negotiatedVersion(): VersionName | undefined {
    return this.version;
  }

  hasBufferedHandshakeData(): boolean {
    return this.hsbuf.length > 0;
  }

  acceptEarlyData(maxBytes: number): void {
    this.earlyDataLimit = maxBytes;
  }

  endEarlyData(): void {
    this.earlyDataLimit = -1;
  }

  skipEarlyData(maxBytes: number): void {
    this.skipEarlyBudget = maxBytes;
  }

  sendEarlyData(data: Uint8Array): void {
    if (data.length === 0) return;
    if (this.config.trace) this.trace({ direction: 'sent', kind: 'application_data', length: data.length });
    this.queueRecords(ContentType.application_data, data);
  }

  enableApplicationData(): void {
    if (this.appDataEnabled) return;
    this.appDataEnabled = true;
    const pending = this.pendingAppData;
    this.pendingAppData = [];
    for (const d of pending) this.queueRecords(ContentType.application_data, d);
  }

  trace(event: TraceEvent): void {
    this.sink.trace?.(this.version && !event.version ? { ...event, version: this.version } : event);
  }

  // ---------------------------------------------------------------- output

  /** Send application data (queued until the handshake allows it). */
  send(data: Uint8Array): void {
    if (this.closed || this.sentCloseNotify) throw new TLSError('write after close', 'ERR_TLS_WRITE_AFTER_CLOSE');
    if (data.length === 0) return;
    if (!this.appDataEnabled) {
      this.pendingAppData.push(new Uint8Array(data)); // a copy, even of a Buffer (whose slice() is a view)
      return;
    }
    // RFC 8446 §5.5: change keys well before the AEAD's usage limit.
    const limit = this.config.keyUpdateAfterRecords ?? KEY_UPDATE_AFTER_RECORDS;
    if (this.keyUpdater !== null && this.writeProtector !== null && this.writeProtector.sequenceNumber >= limit) this.keyUpdater(false);
    if (this.config.trace) this.trace({ direction: 'sent', kind: 'application_data', length: data.length });
    this.queueRecords(ContentType.application_data, data);
    this.flush();
  }

  /**
   * Keying material (RFC 5705 for TLS 1.2, RFC 8446 §7.5 for TLS 1.3), like
   * node:tls's exportKeyingMaterial. Available once the handshake is complete.
   */
  exportKeyingMaterial(length: number, label: string, context?: Uint8Array): Uint8Array {
    if (!this.handshakeComplete || this.exporter === null) {
      throw new TLSError('keying material is available only after the handshake', 'ERR_TLS_INVALID_STATE');
    }
    return this.exporter(length, label, context);
  }

  /** TLS 1.3: send a KeyUpdate (asking the peer to update too when `requestPeer`) and switch write keys. */
  keyUpdate(requestPeer: boolean): void {
    if (this.closed || this.sentCloseNotify) throw new TLSError('key update after close', 'ERR_TLS_WRITE_AFTER_CLOSE');
    if (!this.handshakeComplete || this.keyUpdater === null) {
      throw new TLSError('KeyUpdate needs a completed TLS 1.3 handshake', 'ERR_TLS_INVALID_STATE');
    }
    this.keyUpdater(requestPeer);
    // The peer may answer each request (it should fold them, but need not): what we asked for is not a flood.
    if (requestPeer) this.keyUpdatesWithoutData = 0;
    this.flush();
  }

  /** Queue a handshake message after the handshake (NewSessionTicket, KeyUpdate). */
  sendPostHandshake(type: number, body: Uint8Array): void {
    this.sendHandshake(type, body);
    this.flush();
  }

  /** Send close_notify. The connection stays readable until the peer's close_notify. */
  close(): void {
    if (this.closed || this.sentCloseNotify) return;
    this.sentCloseNotify = true;
    this.sendAlert(AlertLevel.warning, AlertDescription.close_notify);
    this.flush();
    if (this.receivedCloseNotify) this.closed = true;
  }

  private sendAlert(level: number, description: number): void {
    if (this.config.trace) this.trace({ direction: 'sent', kind: 'alert', alert: { level, description } });
    this.queueRecords(ContentType.alert, Uint8Array.of(level, description));
  }

  private closedByPeer(): void {
    if (this.sentCloseNotify) this.closed = true;
    this.sink.end?.();
  }

  /** Fatal error: send our alert (if any), report once, close. */
  fail(e: unknown): void {
    if (this.closed) return;
    const err = toTLSError(e);
    this.error = err;
    this.closed = true;
    if (err.alert?.direction === 'sent') {
      try {
        this.outQueue = [];
        // TLS 1.3 servers may not yet have keys the client can read; we use whatever write keys are in place.
        // RFC 5246 §7.2.2: no_renegotiation "is always a warning"; we still close (as Go does), so the refusal ends the connection.
        const level = err.alert.number === AlertDescription.no_renegotiation && this.version !== 'TLSv1.3' ? AlertLevel.warning : AlertLevel.fatal;
        this.sendAlert(level, err.alert.number);
        this.flush();
      } catch {
        // nothing more we can do
      }
    }
    const w = this.waiter;
    this.waiter = null;
    w?.reject(err);
    this.inbuf = EMPTY;
    this.intail = EMPTY;
    this.partial = null;
    this.hsbuf.clear();
    this.sink.error?.(err);
  }

  /** Abort without sending anything (transport died). */
  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    const w = this.waiter;
    this.waiter = null;
    w?.reject(new TLSError('connection destroyed', 'ERR_TLS_DESTROYED'));
  }
}

function toTLSError(e: unknown): TLSError {
  if (e instanceof TLSError) return e;
  if (e instanceof DecodeError) return alertError('decode_error', e.message, undefined, e);
  const msg = e instanceof Error ? e.message : String(e);
  return alertError('internal_error', `internal error: ${msg}`, undefined, e);
}

/** For messages: "alert name (number)". */
export function describeAlert(n: number): string {
  return `${alertName(n)} (${n})`;
}
