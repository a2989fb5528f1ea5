/**
 * Session resumption state, on both sides and for both versions:
 *
 * - {@link encodeSession} / {@link decodeSession}: one byte format for a
 *   {@link SessionState}. The client's Node adapter stores sessions with it
 *   (Node's `session` event gives a Buffer); the server seals the same bytes
 *   into its tickets.
 * - {@link TicketKeys}: the keys that seal tickets (TLS 1.2 RFC 5077 §4 and
 *   TLS 1.3 RFC 8446 §4.6.1 tickets are both self-encrypted state). 48 bytes
 *   per key, as node:tls's `ticketKeys`, laid out as
 *       key_name[16] || aes_256_gcm_key[32]
 *   A ticket is key_name[16] || nonce[12] || AES-256-GCM(state) with key_name
 *   as additional data, so every server holding the same keys can open it.
 *   Generated keys rotate by themselves; application keys rotate when the
 *   application calls {@link TicketKeys.setTicketKeys}. The previous key keeps
 *   opening tickets for one more rotation period.
 * - {@link MemorySessionCache}: the TLS 1.2 server's session-ID cache.
 * - {@link AntiReplay}: 0-RTT replay protection (RFC 8446 §8.1 single-use
 *   tickets): early data is accepted at most once per ticket, and only by
 *   the store's scope (see {@link AntiReplayStore}).
 * - {@link bindSession} / {@link sessionAllowed}: every session a server
 *   issues (ticket or cache entry) carries a digest of the client
 *   authentication policy it was established under; it resumes only under the
 *   same policy (a ticket from a server without client auth must not let a
 *   client skip the certificate on an mTLS server sharing the ticket keys).
 */
import type { ServerConfig, SessionState } from '../config.js';
import { timingSafeEqual } from '../crypto/constant-time.js';
import type { Aead, CryptoProvider } from '../crypto/provider.js';
import { DEFAULT_SESSION_CACHE_SIZE, MAX_ANTI_REPLAY_ENTRIES, MAX_TICKET_LIFETIME_SECONDS } from '../limits.js';
import { DecodeError, Reader } from '../wire/reader.js';
import { Writer } from '../wire/writer.js';
import { hex } from './common.js';

// ---------------------------------------------------------------- session codec

const SESSION_FORMAT = 1;
const F_SERVER_NAME = 1;
const F_ALPN = 2;
const F_SESSION_ID = 4;
const F_TICKET = 8;
const F_EMS = 16;
const F_TLS13 = 32;
/** Server-side binding: the policy digest and the 0-RTT scope (both vec8). */
const F_BINDING = 64;

const NONE = new Uint8Array(0);
const utf8 = new TextEncoder();
const utf8Fatal = new TextDecoder('utf-8', { fatal: true });

/**
 * Serialize a session (client: to store and resume later; server: the inside of a ticket).
 * Written straight into a buffer of the exact size (a server does this for every ticket it issues).
 */
export function encodeSession(s: SessionState): Uint8Array {
  const name = s.serverName !== undefined ? utf8.encode(s.serverName) : undefined;
  const alpn = s.alpnProtocol !== undefined ? utf8.encode(s.alpnProtocol) : undefined;
  let flags = 0;
  if (name !== undefined) flags |= F_SERVER_NAME;
  if (alpn !== undefined) flags |= F_ALPN;
  if (s.sessionId !== undefined) flags |= F_SESSION_ID;
  if (s.ticket !== undefined) flags |= F_TICKET;
  if (s.extendedMasterSecret) flags |= F_EMS;
  if (s.version === 'TLSv1.3') flags |= F_TLS13;
  const binding = s.context !== undefined || s.earlyDataScope !== undefined;
  if (binding) flags |= F_BINDING;
  const context = s.context ?? NONE;
  const scope = s.earlyDataScope ?? NONE;
  let certs = 0;
  for (const c of s.peerCertificates) certs += 3 + fits(c.length, 0xffffff);
  if (certs > 0xffffff) throw new RangeError(`vector of ${certs} bytes does not fit a 3-byte length`);
  const out = new Uint8Array(
    4 + 1 + fits(s.secret.length, 0xff) + 8 + 12 +
      (name === undefined ? 0 : 1 + fits(name.length, 0xff)) +
      (alpn === undefined ? 0 : 1 + fits(alpn.length, 0xff)) +
      (s.sessionId === undefined ? 0 : 1 + fits(s.sessionId.length, 0xff)) +
      (s.ticket === undefined ? 0 : 2 + fits(s.ticket.length, 0xffff)) +
      (binding ? 2 + fits(context.length, 0xff) + fits(scope.length, 0xff) : 0) +
      3 + certs,
  );
  let o = 0;
  const uint = (v: number, bytes: number): void => {
    for (let i = bytes - 1; i >= 0; i--, v = Math.floor(v / 256)) out[o + i] = v & 0xff;
    o += bytes;
  };
  const opaque = (b: Uint8Array, lengthBytes: number): void => {
    uint(b.length, lengthBytes);
    out.set(b, o);
    o += b.length;
  };
  out[o++] = SESSION_FORMAT;
  out[o++] = flags;
  uint(s.cipherSuite, 2);
  opaque(s.secret, 1);
  // created_at: uint64 milliseconds (below 2^53, so two exact uint32 halves).
  const createdAt = Math.max(0, Math.floor(s.createdAt));
  uint(Math.floor(createdAt / 0x100000000), 4);
  uint(createdAt % 0x100000000, 4);
  uint(s.ticketAgeAdd ?? 0, 4);
  uint(s.ticketLifetime ?? 0, 4);
  uint(s.maxEarlyData ?? 0, 4);
  if (name !== undefined) opaque(name, 1);
  if (alpn !== undefined) opaque(alpn, 1);
  if (s.sessionId !== undefined) opaque(s.sessionId, 1);
  if (s.ticket !== undefined) opaque(s.ticket, 2);
  if (binding) {
    opaque(context, 1);
    opaque(scope, 1);
  }
  uint(certs, 3);
  for (const c of s.peerCertificates) opaque(c, 3);
  if (o !== out.length) throw new Error(`encodeSession wrote ${o} of ${out.length} bytes`);
  return out;
}

function fits(length: number, max: number): number {
  if (length > max) throw new RangeError(`vector of ${length} bytes does not fit a ${max === 0xff ? 1 : max === 0xffff ? 2 : 3}-byte length`);
  return length;
}

/** Parse {@link encodeSession}'s bytes; a DecodeError for anything else. */
export function decodeSession(bytes: Uint8Array): SessionState {
  const r = new Reader(bytes);
  const text = utf8Fatal;
  const str = (what: string): string => {
    try {
      return text.decode(r.vec8(what));
    } catch (e) {
      if (e instanceof DecodeError) throw e;
      throw new DecodeError(`${what} is not UTF-8`);
    }
  };
  const format = r.u8('session format');
  if (format !== SESSION_FORMAT) throw new DecodeError(`unknown session format ${format}`);
  const flags = r.u8('flags');
  const cipherSuite = r.u16('cipher_suite');
  const secret = r.vec8('secret', 1);
  const createdAt = Number(r.u64('created_at'));
  const ticketAgeAdd = r.u32('ticket_age_add');
  const ticketLifetime = r.u32('ticket_lifetime');
  const maxEarlyData = r.u32('max_early_data');
  const serverName = flags & F_SERVER_NAME ? str('server_name') : undefined;
  const alpnProtocol = flags & F_ALPN ? str('alpn') : undefined;
  const sessionId = flags & F_SESSION_ID ? r.vec8('session_id') : undefined;
  const ticket = flags & F_TICKET ? r.vec16('ticket') : undefined;
  const context = flags & F_BINDING ? r.vec8('context') : undefined;
  const scope = flags & F_BINDING ? r.vec8('early_data_scope') : undefined;
  const certs = r.sub24('peer_certificates');
  const peerCertificates: Uint8Array[] = [];
  while (!certs.atEnd()) peerCertificates.push(certs.vec24('certificate', 1).slice());
  r.end('session');
  const tls13 = (flags & F_TLS13) !== 0;
  return {
    version: tls13 ? 'TLSv1.3' : 'TLSv1.2',
    cipherSuite,
    secret: secret.slice(),
    serverName,
    alpnProtocol,
    peerCertificates,
    ...(sessionId ? { sessionId: sessionId.slice() } : {}),
    ...(ticket ? { ticket: ticket.slice() } : {}),
    ...(context !== undefined && context.length > 0 ? { context: context.slice() } : {}),
    ...(scope !== undefined && scope.length > 0 ? { earlyDataScope: scope.slice() } : {}),
    ...(tls13 ? {} : { extendedMasterSecret: (flags & F_EMS) !== 0 }),
    ...(tls13 ? { ticketAgeAdd, maxEarlyData } : {}),
    ticketLifetime,
    createdAt,
  };
}

/** Whether a session is still within its lifetime at `now` (ms). */
export function sessionFresh(s: SessionState, now: number, defaultLifetimeSeconds: number): boolean {
  const lifetime = Math.min(s.ticketLifetime || defaultLifetimeSeconds, MAX_TICKET_LIFETIME_SECONDS) * 1000;
  return now >= s.createdAt - 1000 && now - s.createdAt <= lifetime;
}

// ---------------------------------------------------------------- session binding

const SESSION_CONTEXT_LABEL = utf8.encode('ts-tls session context v1');
const contexts = new WeakMap<ServerConfig, Uint8Array>();

/**
 * The digest a server binds its sessions to: whether it requests and requires
 * a client certificate, the CA names it sends, and the application's
 * `sessionIdContext` (the Node adapter folds its `ca` and `crl` into
 * that). A change to any of them makes every
 * earlier session unresumable, as a changed sid_ctx does in OpenSSL. SHA-256
 * over a length-prefixed encoding, computed once per config object.
 */
export function sessionContext(cfg: ServerConfig): Uint8Array {
  let digest = contexts.get(cfg);
  if (digest === undefined) {
    const w = new Writer(256);
    w.opaque8(SESSION_CONTEXT_LABEL);
    w.u8((cfg.requestClientCertificate ? 1 : 0) | (cfg.requireClientCertificate ? 2 : 0));
    w.vec24(() => cfg.clientCertificateAuthorities.forEach((n) => w.opaque16(n)));
    w.vec24(() => w.bytes(cfg.sessionIdContext ?? NONE));
    digest = cfg.provider.hash('sha256', w.finish());
    contexts.set(cfg, digest);
  }
  return digest;
}

/** A session as the server stores it: bound to the current policy (and, for 0-RTT, to the anti-replay scope). */
export function bindSession(cfg: ServerConfig, s: SessionState): SessionState {
  const scope = cfg.antiReplay?.scope;
  return { ...s, context: sessionContext(cfg), ...(scope !== undefined && s.version === 'TLSv1.3' ? { earlyDataScope: scope } : {}) };
}

/**
 * Whether a session (from a ticket, the cache or an external store) may be
 * resumed under the current policy: it was bound to the same policy digest,
 * and it carries a verified client certificate if one is required now.
 * Anything else gets a full handshake.
 */
export function sessionAllowed(cfg: ServerConfig, s: SessionState): boolean {
  if (s.context === undefined || !timingSafeEqual(s.context, sessionContext(cfg))) return false;
  if (cfg.requireClientCertificate && s.peerCertificates.length === 0) return false;
  return true;
}

// ---------------------------------------------------------------- ticket keys

const KEY_NAME_LENGTH = 16;
const NONCE_LENGTH = 12;
const TAG_LENGTH = 16;

interface TicketKey {
  readonly bytes: Uint8Array;
  readonly name: Uint8Array;
  readonly aead: Aead;
  readonly since: number;
}

export interface TicketKeysOptions {
  /** Application keys: one or more 48-byte keys; the first seals, all open. No automatic rotation. */
  readonly keys?: Uint8Array;
  /** Generated keys rotate after this many ms (default: 12 hours). */
  readonly rotateAfterMs?: number;
}

/** Ticket sealing keys (see the file comment for the layout). */
export class TicketKeys {
  /** Length of one key: name[16] || AES-256-GCM key[32]. */
  static readonly KEY_LENGTH = 48;
  private current: TicketKey;
  private previous: TicketKey[] = [];
  private readonly rotateAfterMs: number | undefined;

  constructor(
    private readonly provider: CryptoProvider,
    options: TicketKeysOptions = {},
  ) {
    if (options.keys !== undefined) {
      const keys = options.keys;
      if (keys.length === 0 || keys.length % TicketKeys.KEY_LENGTH !== 0) {
        throw new RangeError(`ticket keys must be a multiple of ${TicketKeys.KEY_LENGTH} bytes`);
      }
      this.current = this.makeKey(keys.subarray(0, TicketKeys.KEY_LENGTH), 0);
      for (let o = TicketKeys.KEY_LENGTH; o < keys.length; o += TicketKeys.KEY_LENGTH) {
        this.previous.push(this.makeKey(keys.subarray(o, o + TicketKeys.KEY_LENGTH), 0));
      }
      this.rotateAfterMs = undefined;
    } else {
      this.current = this.makeKey(provider.randomBytes(TicketKeys.KEY_LENGTH), -1);
      this.rotateAfterMs = options.rotateAfterMs ?? 12 * 3600 * 1000;
    }
  }

  private makeKey(bytes: Uint8Array, since: number): TicketKey {
    const copy = new Uint8Array(bytes); // a copy even of a caller's Buffer (whose slice() is a view)
    return { bytes: copy, name: copy.subarray(0, KEY_NAME_LENGTH), aead: this.provider.createAead('AES_256_GCM', copy.subarray(KEY_NAME_LENGTH)), since };
  }

  /** The key that seals new tickets (48 bytes), like node:tls server.getTicketKeys(). */
  getTicketKeys(): Uint8Array {
    return new Uint8Array(this.current.bytes);
  }

  /**
   * Install a new sealing key (48 bytes), like server.setTicketKeys(). The
   * previous key keeps opening tickets until the next change.
   */
  setTicketKeys(keys: Uint8Array): void {
    if (keys.length !== TicketKeys.KEY_LENGTH) throw new RangeError(`ticket keys must be ${TicketKeys.KEY_LENGTH} bytes`);
    this.previous = [this.current];
    this.current = this.makeKey(keys, this.current.since);
  }

  /** Rotate generated keys once they are older than the rotation period. */
  private rotate(now: number): void {
    if (this.rotateAfterMs === undefined) return;
    if (this.current.since < 0) {
      this.current = { ...this.current, since: now };
      return;
    }
    if (now - this.current.since >= this.rotateAfterMs) {
      this.previous = [this.current];
      this.current = this.makeKey(this.provider.randomBytes(TicketKeys.KEY_LENGTH), now);
    }
  }

  /** Seal `state` into a ticket (under a fresh random nonce). */
  seal(state: Uint8Array, now: number): Uint8Array {
    this.rotate(now);
    const k = this.current;
    const nonce = this.provider.randomBytes(NONCE_LENGTH);
    const sealed = k.aead.seal(nonce, k.name, state);
    const out = new Uint8Array(KEY_NAME_LENGTH + NONCE_LENGTH + sealed.length);
    out.set(k.name, 0);
    out.set(nonce, KEY_NAME_LENGTH);
    out.set(sealed, KEY_NAME_LENGTH + NONCE_LENGTH);
    return out;
  }

  /** Open a ticket: its state and its unique id (the nonce), or undefined for a ticket not ours. */
  open(ticket: Uint8Array, now: number): { state: Uint8Array; id: Uint8Array } | undefined {
    this.rotate(now);
    if (ticket.length < KEY_NAME_LENGTH + NONCE_LENGTH + TAG_LENGTH) return undefined;
    const name = ticket.subarray(0, KEY_NAME_LENGTH);
    for (const k of [this.current, ...this.previous]) {
      if (!equal(k.name, name)) continue;
      const id = ticket.subarray(KEY_NAME_LENGTH, KEY_NAME_LENGTH + NONCE_LENGTH);
      const state = k.aead.open(id, k.name, ticket.subarray(KEY_NAME_LENGTH + NONCE_LENGTH));
      return state === null ? undefined : { state, id: id.slice() };
    }
    return undefined;
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Seal a server-side session into a ticket (the ticket field itself is not stored inside). */
export function sealTicket(cfg: ServerConfig, keys: TicketKeys, s: SessionState): Uint8Array {
  const inner = s.ticket === undefined ? s : (({ ticket: _omit, ...rest }) => rest)(s);
  return keys.seal(encodeSession(bindSession(cfg, inner)), cfg.now());
}

/** Open one of our tickets and check its lifetime and binding ({@link sessionAllowed}); undefined for anything else. */
export function openTicket(cfg: ServerConfig, ticket: Uint8Array): { session: SessionState; id: Uint8Array } | undefined {
  const keys = cfg.ticketKeys;
  if (keys === undefined) return undefined;
  const opened = keys.open(ticket, cfg.now());
  if (opened === undefined) return undefined;
  let session: SessionState;
  try {
    session = decodeSession(opened.state);
  } catch {
    return undefined;
  }
  if (!sessionFresh(session, cfg.now(), cfg.sessionTimeout ?? 7200) || !sessionAllowed(cfg, session)) return undefined;
  return { session, id: opened.id };
}

// ---------------------------------------------------------------- TLS 1.2 session cache

/**
 * Where a TLS 1.2 server keeps sessions by ID. An external store (a database,
 * Node's 'newSession'/'resumeSession' events) may answer asynchronously: the
 * handshake waits for `get` before choosing between resumption and a full
 * handshake, and for `set` before it reports completion.
 */
export interface SessionStore {
  get(id: Uint8Array): SessionState | undefined | PromiseLike<SessionState | undefined>;
  set(id: Uint8Array, session: SessionState): void | PromiseLike<void>;
  delete(id: Uint8Array): void;
}

/** Whether a store's answer has to be awaited (the in-memory cache answers at once, without a promise hop). */
export function isThenable<T>(v: T | PromiseLike<T>): v is PromiseLike<T> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/** An in-memory session cache that forgets its oldest entries beyond `maxEntries`. */
export class MemorySessionCache implements SessionStore {
  private readonly map = new Map<string, SessionState>();

  constructor(private readonly maxEntries = DEFAULT_SESSION_CACHE_SIZE) {}

  get size(): number {
    return this.map.size;
  }

  get(id: Uint8Array): SessionState | undefined {
    return this.map.get(hex(id));
  }

  set(id: Uint8Array, session: SessionState): void {
    const key = hex(id);
    this.map.delete(key);
    this.map.set(key, session);
    while (this.map.size > this.maxEntries) {
      const oldest = this.map.keys().next().value;
      if (oldest === undefined) break;
      this.map.delete(oldest);
    }
  }

  delete(id: Uint8Array): void {
    this.map.delete(hex(id));
  }
}

// ---------------------------------------------------------------- 0-RTT anti-replay

/**
 * Where a TLS 1.3 server records the tickets that carried accepted 0-RTT data
 * (RFC 8446 §8.1, single-use tickets). Every server that may accept early
 * data under a ticket must consult the same store, or a first flight replayed
 * to a second server is accepted again there. So each ticket carries the
 * `scope` of the issuing server's store, and early data is accepted only by a
 * server whose store has that scope; any other server holding the ticket keys
 * still resumes, with 1-RTT data only.
 *
 * The default {@link AntiReplay} has a random scope: 0-RTT is accepted only
 * by the instance that issued the ticket, even across a fleet sharing ticket
 * keys. A fleet that wants 0-RTT on every server implements this interface
 * over a shared store (an atomic insert-if-absent with expiry: a database,
 * Redis SET NX PX) and gives every server the same scope.
 */
export interface AntiReplayStore {
  /** Names the store (1 to 255 bytes); tickets record it. */
  readonly scope: Uint8Array;
  /**
   * True exactly once for `id` before `expiresAt` (ms), atomically across
   * every server sharing the store; false for a replay, or when the store
   * cannot tell (full, unreachable): early data is then refused, not lost
   * (the client sends it again after the handshake).
   */
  firstUse(id: Uint8Array, expiresAt: number, now: number): boolean | PromiseLike<boolean>;
}

export interface AntiReplayOptions {
  /** The store's scope (default: 16 random bytes, i.e. this instance only). */
  readonly scope?: Uint8Array;
  /** Most ticket ids remembered (default MAX_ANTI_REPLAY_ENTRIES); beyond it, early data is refused. */
  readonly maxEntries?: number;
}

/**
 * The in-memory {@link AntiReplayStore}: keeps each ticket's id until the
 * ticket expires; when full, refuses early data (the handshake still
 * completes, with 1-RTT data).
 */
export class AntiReplay implements AntiReplayStore {
  readonly scope: Uint8Array;
  private readonly seen = new Map<string, number>();
  private readonly maxEntries: number;

  constructor(provider: CryptoProvider, options: AntiReplayOptions = {}) {
    const scope = options.scope ?? provider.randomBytes(16);
    if (scope.length === 0 || scope.length > 255) throw new RangeError('an anti-replay scope is 1 to 255 bytes');
    this.scope = new Uint8Array(scope);
    this.maxEntries = options.maxEntries ?? MAX_ANTI_REPLAY_ENTRIES;
  }

  /** True the first time `id` is presented before `expiresAt`; false for a replay or when full. */
  firstUse(id: Uint8Array, expiresAt: number, now: number): boolean {
    const key = hex(id);
    const known = this.seen.get(key);
    if (known !== undefined && known >= now) return false;
    if (this.seen.size >= this.maxEntries) {
      for (const [k, exp] of this.seen) if (exp < now) this.seen.delete(k);
      if (this.seen.size >= this.maxEntries) return false;
    }
    this.seen.set(key, expiresAt);
    return true;
  }
}
