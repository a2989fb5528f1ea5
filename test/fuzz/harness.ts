/**
 * The fuzzers' view of an engine: an {@link Endpoint} wraps one Connection,
 * feeds it bytes (in chunks, through receive, receiveTransient or with
 * adoptInput), watches every sink call, and {@link checkEndpoint} is the
 * oracle: once the input is in and the engine has settled, it must be
 *
 *   - still waiting for more input (no error, and nothing complete left unparsed), or
 *   - done with the handshake (and not stuck in a post-handshake step), or
 *   - failed exactly once through sink.error with a TLSError that carries an
 *     alert, having written that alert (when it was ours to send),
 *
 * and never: an exception out of receive(), an unhandled rejection, an error
 * that is not a TLSError, an internal_error caused by a stray exception (a
 * TypeError or RangeError from a parser), events after the error, or input
 * buffered beyond src/limits.ts.
 */
import type { ClientConfig, ServerConfig, SessionState } from '../../src/config.js';
import type { Connection, TraceEvent } from '../../src/connection.js';
import { clientConfig, createClientConnection, createServerConnection, serverConfig } from '../../src/engine.js';
import { TLSError } from '../../src/errors.js';
import type { HandshakeReassembler } from '../../src/record/reassembly.js';
import { MAX_BUFFERED_INPUT, MAX_CIPHERTEXT_LENGTH, MAX_HANDSHAKE_MESSAGE_LENGTH, MAX_PLAINTEXT_LENGTH } from '../../src/limits.js';
import { createTracer, type Tracer } from '../../src/trace/index.js';
import { Rng } from './prng.js';
import { chunkSizes } from './mutate.js';

export type SideName = 'client' | 'server';

/** The engine's private state the oracle looks at (a cast: these are private fields). */
interface Internals {
  inbuf: Uint8Array;
  intail: Uint8Array;
  hsbuf: HandshakeReassembler;
  waiter: unknown;
  busy: boolean;
  queueRecords(type: number, data: Uint8Array): void;
}

export function internals(conn: Connection): Internals {
  return conn as unknown as Internals;
}

/** How input reaches the engine. */
export type InputMode = 'receive' | 'transient' | 'adopt';

export interface EndpointOptions {
  /** Attach a text or JSON tracer (the engine then runs with trace: true). */
  readonly tracer?: 'text' | 'json' | undefined;
  readonly inputMode?: InputMode;
  /** Keep the plaintext handshake messages this side sends (needs a tracer or trace: true). */
  readonly keepMessages?: boolean;
  /** Keep the application data received (for content checks). */
  readonly keepData?: boolean;
  /**
   * Act like an application from inside the sink callbacks (re-entering the
   * engine): on handshake, data, session or end, sometimes send, update keys
   * or close. Bounded, so two reactive ends cannot ping-pong for ever.
   */
  readonly reactive?: Rng | undefined;
}


const SCRATCH_SIZE = 1 << 17;

export class Endpoint {
  conn!: Connection;
  readonly writes: Uint8Array[] = [];
  readonly errors: unknown[] = [];
  readonly violations: string[] = [];
  readonly sessions: SessionState[] = [];
  readonly sentMessages: Uint8Array[] = [];
  readonly traceEvents: TraceEvent[] = [];
  readonly traceLines: string[] = [];
  /** Application data received, when options.keepData. */
  readonly received: Uint8Array[] = [];
  handshakes = 0;
  dataBytes = 0;
  earlyBytes = 0;
  ended = false;
  eof = false;
  /** writes.length when fail() began (first time), and when sink.error came. */
  writesAtFail = -1;
  writesAtError = -1;
  /** Where the bytes this endpoint writes go (set by whoever wires it). */
  onWrite: (bytes: Uint8Array) => void = () => {};
  tracer: Tracer | undefined;
  readonly inputMode: InputMode;
  /** This end's transport read buffer for 'transient' input, overwritten after every receiveTransient call. */
  private scratch: Uint8Array | undefined;

  constructor(
    readonly side: SideName,
    config: ClientConfig | ServerConfig,
    options: EndpointOptions = {},
  ) {
    this.inputMode = options.inputMode ?? 'receive';
    this.reactive = options.reactive;
    if (options.tracer) {
      this.tracer = createTracer({ format: options.tracer, side, write: (l) => this.traceLines.push(l), explain: true });
    }
    const keep = options.keepMessages === true;
    const keepData = options.keepData === true;
    const sink = {
      write: (b: Uint8Array) => {
        if (this.errors.length > 0) this.violation(`wrote bytes after sink.error ${where()}`);
        this.writes.push(b.slice());
        this.onWrite(b.slice());
      },
      data: (b: Uint8Array) => {
        if (this.errors.length > 0) this.violation(`sink.data after sink.error ${where()}`);
        if (this.handshakes === 0) this.violation(`sink.data before the handshake completed ${where()}`);
        this.dataBytes += b.length;
        if (keepData) this.received.push(b.slice());
        this.react('data');
      },
      earlyData: (b: Uint8Array) => {
        if (this.errors.length > 0) this.violation('sink.earlyData after sink.error');
        this.earlyBytes += b.length;
      },
      handshake: () => {
        if (this.errors.length > 0) this.violation(`sink.handshake after sink.error ${where()}`);
        if (++this.handshakes > 1) this.violation('sink.handshake called twice');
        this.react('handshake');
      },
      end: () => {
        this.ended = true;
        this.react('end');
      },
      error: (e: TLSError) => {
        this.errors.push(e);
        if (this.writesAtError < 0) this.writesAtError = this.writes.length;
      },
      session: (s: SessionState) => {
        this.sessions.push(s);
        this.react('session');
      },
      trace: (e: TraceEvent) => {
        if (keep) {
          this.traceEvents.push(e);
          if (e.direction === 'sent' && e.kind === 'handshake' && e.message) this.sentMessages.push(e.message.slice());
        }
        this.tracer?.onEvent(e);
      },
    };
    const traced = options.tracer !== undefined || keep;
    this.conn =
      side === 'client'
        ? createClientConnection({ ...(config as ClientConfig), trace: traced }, sink)
        : createServerConnection({ ...(config as ServerConfig), trace: traced }, sink);
    if (this.inputMode === 'adopt') this.conn.adoptInput = true;
    const conn = this.conn;
    const fail = conn.fail.bind(conn);
    conn.fail = (e: unknown) => {
      if (!conn.isClosed && this.writesAtFail < 0) this.writesAtFail = this.writes.length;
      fail(e);
    };
  }

  private readonly reactive: Rng | undefined;
  private reactions = 0;
  /** What the application did from inside sink callbacks (see EndpointOptions.reactive). */
  readonly reactionLog: string[] = [];

  private react(on: string): void {
    const rng = this.reactive;
    const conn = this.conn;
    if (rng === undefined || this.reactions >= 6 || !rng.chance(0.4) || conn.isClosed || conn.closeNotifySent) return;
    this.reactions++;
    const act = rng.weighted<'send' | 'keyUpdate' | 'close'>([
      [6, 'send'],
      [2, 'keyUpdate'],
      [on === 'end' ? 6 : 1, 'close'],
    ]);
    this.reactionLog.push(`${on}->${act}`);
    try {
      if (act === 'send') conn.send(new Uint8Array(rng.range(1, 3000)).fill(0x61));
      else if (act === 'keyUpdate' && conn.negotiatedVersion === 'TLSv1.3') conn.keyUpdate(rng.chance(0.5));
      else if (act === 'close') conn.close();
    } catch (e) {
      // An application may call into a connection that just closed under it: that is a TLSError for the caller.
      if (!(e instanceof TLSError)) this.violation(`${act} from inside sink.${on} threw ${describeError(e)}`);
    }
  }

  violation(what: string): void {
    if (!this.violations.includes(what)) this.violations.push(what);
  }

  start(): void {
    try {
      this.conn.start();
    } catch (e) {
      this.violation(`start() threw ${describeError(e)}`);
    }
  }

  /** One chunk into the engine, the way inputMode says. */
  feed(bytes: Uint8Array): void {
    try {
      if (this.inputMode === 'transient' && bytes.length <= SCRATCH_SIZE) {
        const scratch = (this.scratch ??= new Uint8Array(SCRATCH_SIZE));
        scratch.set(bytes, 0);
        this.conn.receiveTransient(scratch.subarray(0, bytes.length));
        scratch.fill(0xa5, 0, bytes.length); // the transport reuses its buffer at once
      } else {
        this.conn.receive(this.inputMode === 'adopt' ? bytes.slice() : bytes);
      }
    } catch (e) {
      this.violation(`receive() threw ${describeError(e)}`);
    }
    this.checkBuffers();
  }

  feedEof(): void {
    this.eof = true;
    try {
      this.conn.receiveEof();
    } catch (e) {
      this.violation(`receiveEof() threw ${describeError(e)}`);
    }
  }

  /** Input kept inside the engine stays within src/limits.ts. */
  checkBuffers(): void {
    const c = internals(this.conn);
    const held = c.inbuf.length + c.intail.length;
    // A single chunk is the caller's own buffer and may be large; growth beyond the limit is the bug.
    if (held > MAX_BUFFERED_INPUT + 64 * 1024) this.violation(`${held} input bytes buffered (limit ${MAX_BUFFERED_INPUT})`);
    if (c.hsbuf.length > MAX_HANDSHAKE_MESSAGE_LENGTH + 4 + MAX_PLAINTEXT_LENGTH) {
      this.violation(`${c.hsbuf.length} handshake bytes buffered (limit ${MAX_HANDSHAKE_MESSAGE_LENGTH})`);
    }
  }

  get error(): unknown {
    return this.errors[0];
  }

  /** Nothing more will happen without more input. */
  get quiescent(): boolean {
    const c = internals(this.conn);
    if (this.conn.isClosed) return true;
    if (this.handshakes === 0) return c.waiter !== null;
    return !c.busy;
  }
}

/** Where in the engine a sink call came from (a few frames of src/, for violations found inside sink callbacks). */
function where(): string {
  const frames = (new Error().stack ?? '').split('\n').filter((l) => l.includes('/src/')).slice(0, 4);
  return `@ ${frames.map((l) => l.trim().replace(/^at /, '').replace(/\(?file:\/\/\S*\/(src\/[^:]+):(\d+):\d+\)?/, '$1:$2')).join(' < ')}`;
}

export function describeError(e: unknown): string {
  if (e instanceof Error) {
    const cause = (e as { cause?: unknown }).cause;
    const where = strayCause(e) ?? e;
    const stack = where.stack?.split('\n').slice(1, 4).map((l) => l.trim()).join(' | ') ?? '';
    return `${e.name}: ${e.message}${cause instanceof Error ? ` [cause ${cause.name}: ${cause.message}]` : ''} @ ${stack}`;
  }
  return String(e);
}

/** Let microtasks, immediates and the engine's async steps run until both ends are quiet. */
export async function settle(eps: readonly Endpoint[], rounds = 40): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await new Promise<void>((r) => setImmediate(r));
    if (i >= 2 && eps.every((e) => e.quiescent)) break;
  }
  // One more turn so unhandled rejections of this case surface now.
  await new Promise<void>((r) => setImmediate(r));
}

/** A complete record (or handshake message) left unparsed while the engine could take it. */
function completeRecordBuffered(c: Internals): boolean {
  const b = c.inbuf.length > 0 ? c.inbuf : c.intail;
  if (b.length < 5) return false;
  const len = (b[3]! << 8) | b[4]!;
  return len <= MAX_CIPHERTEXT_LENGTH && c.inbuf.length + c.intail.length >= 5 + len;
}

function completeMessageBuffered(c: Internals): boolean {
  return c.hsbuf.hasMessage;
}

/** A TypeError, RangeError... somewhere in an error's cause chain: a parser bug dressed as a typed error. */
export function strayCause(e: unknown): Error | undefined {
  for (let x = e, depth = 0; x instanceof Error && depth < 8; x = (x as { cause?: unknown }).cause, depth++) {
    if (x instanceof TypeError || x instanceof RangeError || x instanceof ReferenceError || x instanceof SyntaxError || x instanceof EvalError) return x;
  }
  return undefined;
}

/** Codes an error may carry without an alert: the transport's end of input, judged by the engine. */
const EOF_CODES = ['ECONNRESET', 'ERR_TLS_TRUNCATED'];

/** The oracle (see the file comment). Returns the violations found (also kept on the endpoint). */
export function checkEndpoint(ep: Endpoint): string[] {
  const c = internals(ep.conn);
  if (ep.errors.length > 1) ep.violation(`sink.error called ${ep.errors.length} times`);
  const err = ep.error;
  if (err !== undefined) {
    if (!(err instanceof TLSError)) {
      ep.violation(`sink.error got a ${describeError(err)}, not a TLSError`);
    } else if (err.alert === undefined) {
      if (!(ep.eof && EOF_CODES.includes(err.code))) ep.violation(`TLSError without an alert: ${err.code} ${err.message}`);
    } else {
      const cause = (err as { cause?: unknown }).cause;
      const stray = strayCause(err);
      if (err.alert.name === 'internal_error' && cause !== undefined && !(cause instanceof TLSError)) {
        ep.violation(`internal_error from a stray exception: ${describeError(cause)}`);
      } else if (stray !== undefined) {
        ep.violation(`${err.alert.name} caused by a stray ${describeError(stray)}`);
      }
      if (err.alert.direction === 'sent') checkAlertWritten(ep, err);
    }
    if (!ep.conn.isClosed) ep.violation('sink.error came but the connection is not closed');
  } else if (!ep.conn.isClosed || ep.handshakes === 0) {
    if (ep.handshakes === 0) {
      if (c.waiter === null) ep.violation('handshake stuck: neither waiting for input nor finished nor failed');
      else if (completeRecordBuffered(c)) ep.violation('stalled: waiting for input with a complete record buffered');
      else if (completeMessageBuffered(c)) ep.violation('stalled: waiting for input with a complete handshake message buffered');
    } else if (!ep.conn.isClosed) {
      if (c.busy) ep.violation('stuck in a post-handshake step');
      else if (completeRecordBuffered(c) && !ep.conn.closeNotifyReceived) ep.violation('stalled after the handshake with a complete record buffered');
    }
  }
  if (ep.tracer) {
    ep.tracer.flush();
    const bad = ep.traceLines.find((l) => l.includes('[trace error'));
    if (bad) ep.violation(`tracer threw: ${bad}`);
  }
  return ep.violations;
}

/** The alert we say we sent is the last thing written: a plaintext alert with that number, or one protected record. */
function checkAlertWritten(ep: Endpoint, err: TLSError): void {
  if (ep.writesAtFail < 0 || ep.writes.length <= ep.writesAtFail) {
    ep.violation(`sent alert ${err.alert!.name} but wrote no alert record (${err.message})`);
    return;
  }
  const w = ep.writes[ep.writesAtFail]!;
  const len = w.length >= 5 ? (w[3]! << 8) | w[4]! : -1;
  if (w.length !== 5 + len) {
    ep.violation(`alert write is not exactly one record (${w.length} bytes)`);
    return;
  }
  if (w[0] === 21 && len === 2) {
    if (w[6] !== err.alert!.number) ep.violation(`wrote alert ${w[6]} but reported ${err.alert!.name}`);
    return;
  }
  if ((w[0] !== 21 && w[0] !== 23) || len > 2 + 1 + 16 + 8 + 256) ep.violation(`alert write is a type ${w[0]} record of ${len} bytes`);
}

// ---------------------------------------------------------------- two endpoints wired together

export interface Wiring {
  /** Rewrite (or drop: null) the `index`th write of `from`. */
  readonly tamper?: ((from: SideName, index: number, bytes: Uint8Array) => Uint8Array | null) | undefined;
  /** Chunking of each write on its way; undefined: whole writes. */
  readonly chunkRng?: Rng | undefined;
  /**
   * Deliver inside sink.write, synchronously, as the README's in-memory wiring
   * does: the peer's answer then re-enters the writer while it is still in
   * receive() or flush().
   */
  readonly synchronous?: boolean | undefined;
}

/**
 * Bytes one endpoint writes go to the other in chunks, each chunk on its own
 * microtask (like a network: neither side re-enters the other).
 */
export function wire(client: Endpoint, server: Endpoint, w: Wiring = {}): void {
  const link = (from: Endpoint, to: Endpoint): void => {
    let index = 0;
    from.onWrite = (bytes) => {
      const b = w.tamper ? w.tamper(from.side, index++, bytes) : bytes;
      if (b === null || b.length === 0) return;
      const sizes = w.chunkRng ? chunkSizes(w.chunkRng, b.length) : [b.length];
      let off = 0;
      for (const n of sizes) {
        const part = b.subarray(off, off + n);
        off += n;
        if (w.synchronous) to.feed(part);
        else queueMicrotask(() => to.feed(part));
      }
    };
  };
  link(client, server);
  link(server, client);
}

export function newEndpoint(side: 'client', cfg: Partial<ClientConfig>, o?: EndpointOptions): Endpoint;
export function newEndpoint(side: 'server', cfg: Partial<ServerConfig>, o?: EndpointOptions): Endpoint;
export function newEndpoint(side: SideName, cfg: Partial<ClientConfig> | Partial<ServerConfig>, o?: EndpointOptions): Endpoint {
  return side === 'client'
    ? new Endpoint('client', clientConfig(cfg as Partial<ClientConfig>), o)
    : new Endpoint('server', serverConfig(cfg as Partial<ServerConfig>), o);
}

/** Unhandled rejections, collected while a case runs. */
export class RejectionTrap {
  readonly seen: string[] = [];
  private readonly listener = (reason: unknown): void => {
    this.seen.push(describeError(reason));
  };

  install(): this {
    process.on('unhandledRejection', this.listener);
    return this;
  }

  uninstall(): void {
    process.off('unhandledRejection', this.listener);
  }

  take(): string[] {
    return this.seen.splice(0);
  }
}
