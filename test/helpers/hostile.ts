/**
 * Tools for building hostile TLS 1.2 bytes in tests:
 * - split a flight (one sink.write) into records and plaintext handshake
 *   messages, rewrite or inject some, and join it back ({@link FlightEditor});
 * - recover the record keys of a pair from the client's key log so that
 *   encrypted records can be opened, changed and sealed again ({@link Tls12Keys});
 * - sign ServerKeyExchange params with a fixture key, so a hostile server
 *   passes the signature check and reaches the check under test ({@link signParams}).
 * - drive a lone Connection with scripted peer bytes ({@link lone}).
 */
import { createPrivateKey, constants, sign } from 'node:crypto';
import type { ClientConfig, ServerConfig } from '../../src/config.js';
import type { Connection } from '../../src/connection.js';
import { defaultProvider } from '../../src/crypto/node.js';
import { clientConfig, createClientConnection, createServerConnection, serverConfig } from '../../src/engine.js';
import type { TLSError } from '../../src/errors.js';
import { AEAD_KEY_LENGTH, fixedIvLength12, protector12 } from '../../src/handshake/common.js';
import { keyExpansion12 } from '../../src/handshake/prf.js';
import type { RecordProtector } from '../../src/record/protection.js';
import { ContentType, HandshakeType, cipherSuiteInfo, type CipherSuiteInfo } from '../../src/registry.js';
import { ClientHelloCodec, ServerHelloCodec, frameHandshake, type ClientHello, type ServerHello } from '../../src/messages/handshake.js';
import { Reader } from '../../src/wire/reader.js';
import { acceptAll, certified, fixture } from './pair.js';

export interface Rec {
  readonly type: number;
  readonly version: number;
  readonly body: Uint8Array;
}

/** Split bytes holding whole records. */
export function splitRecords(b: Uint8Array): Rec[] {
  const out: Rec[] = [];
  let o = 0;
  while (o + 5 <= b.length) {
    const len = (b[o + 3]! << 8) | b[o + 4]!;
    out.push({ type: b[o]!, version: (b[o + 1]! << 8) | b[o + 2]!, body: b.subarray(o + 5, o + 5 + len) });
    o += 5 + len;
  }
  if (o !== b.length) throw new Error('flight does not hold whole records');
  return out;
}

export function encodeRecord(r: Rec): Uint8Array {
  const out = new Uint8Array(5 + r.body.length);
  out[0] = r.type;
  out[1] = r.version >>> 8;
  out[2] = r.version & 0xff;
  out[3] = r.body.length >>> 8;
  out[4] = r.body.length & 0xff;
  out.set(r.body, 5);
  return out;
}

export function joinRecords(recs: readonly Rec[]): Uint8Array {
  return new Uint8Array(Buffer.concat(recs.map(encodeRecord)));
}

/** A record (default TLS 1.2 version field). */
export const rec = (type: number, body: Uint8Array | number[], version = 0x0303): Rec => ({
  type,
  version,
  body: body instanceof Uint8Array ? body : Uint8Array.from(body),
});

/** A plaintext handshake record holding one message. */
export const hsRec = (type: number, body: Uint8Array): Rec => rec(ContentType.handshake, frameHandshake(type, body));

/** A plaintext handshake message as seen in a flight. */
export interface Hs {
  readonly type: number;
  readonly body: Uint8Array;
}

/** What a rewrite returns: undefined keeps the message, otherwise the records to send in its place. */
export type HsRewrite = (m: Hs, from: 'client' | 'server') => Rec[] | undefined;
export type RecRewrite = (r: Rec, from: 'client' | 'server', encrypted: boolean) => Rec[] | undefined;

/**
 * Watches both directions of a pair: remembers the randoms and the suite,
 * knows which records are still plaintext (before that side's
 * ChangeCipherSpec), and applies rewrites. Install with `pair.tamper = ed.tamper`.
 */
export class FlightEditor {
  clientHello: ClientHello | undefined;
  serverHello: ServerHello | undefined;
  private readonly ccsSeen = { client: false, server: false };
  private readonly hsRewrites: HsRewrite[] = [];
  private readonly recRewrites: RecRewrite[] = [];
  /** Records seen after each side's ChangeCipherSpec (encrypted), in order. */
  readonly encrypted: { client: Rec[]; server: Rec[] } = { client: [], server: [] };

  onHandshake(fn: HsRewrite): this {
    this.hsRewrites.push(fn);
    return this;
  }

  onRecord(fn: RecRewrite): this {
    this.recRewrites.push(fn);
    return this;
  }

  get clientRandom(): Uint8Array {
    return this.clientHello!.random;
  }

  get serverRandom(): Uint8Array {
    return this.serverHello!.random;
  }

  get suite(): CipherSuiteInfo {
    return cipherSuiteInfo(this.serverHello!.cipherSuite)!;
  }

  readonly tamper = (from: 'client' | 'server', bytes: Uint8Array): Uint8Array | null => {
    const out: Rec[] = [];
    for (const r of splitRecords(bytes)) {
      const encrypted = this.ccsSeen[from];
      if (r.type === ContentType.change_cipher_spec) this.ccsSeen[from] = true;
      if (encrypted) this.encrypted[from].push(r);
      let replaced: Rec[] | undefined;
      for (const fn of this.recRewrites) {
        replaced = fn(r, from, encrypted);
        if (replaced) break;
      }
      if (!replaced && !encrypted && r.type === ContentType.handshake && r.body.length >= 4) {
        const m: Hs = { type: r.body[0]!, body: r.body.subarray(4) };
        this.observe(m);
        for (const fn of this.hsRewrites) {
          replaced = fn(m, from);
          if (replaced) break;
        }
      }
      out.push(...(replaced ?? [r]));
    }
    return joinRecords(out);
  };

  private observe(m: Hs): void {
    try {
      if (m.type === HandshakeType.client_hello && !this.clientHello) this.clientHello = ClientHelloCodec.decode(new Reader(m.body));
      if (m.type === HandshakeType.server_hello && !this.serverHello) this.serverHello = ServerHelloCodec.decode(new Reader(m.body));
    } catch {
      // hostile bytes of our own making; nothing to remember
    }
  }
}

/**
 * The record keys of a TLS 1.2 connection, from the client's key log line
 * (`CLIENT_RANDOM <client random> <master secret>`) and the server random.
 * Protectors start at sequence `seq` (a protector's seal and open share one counter).
 */
export class Tls12Keys {
  private readonly keys: ReturnType<typeof keyExpansion12>;

  constructor(
    readonly suite: CipherSuiteInfo,
    keylogLine: string,
    serverRandom: Uint8Array,
  ) {
    const [label, cr, ms] = keylogLine.split(' ');
    if (label !== 'CLIENT_RANDOM' || !cr || !ms) throw new Error(`not a TLS 1.2 key log line: ${keylogLine}`);
    const clientRandom = Uint8Array.from(Buffer.from(cr, 'hex'));
    const masterSecret = Uint8Array.from(Buffer.from(ms, 'hex'));
    this.keys = keyExpansion12(defaultProvider, suite.hash, masterSecret, clientRandom, serverRandom, AEAD_KEY_LENGTH[suite.aead], fixedIvLength12(suite));
  }

  protector(side: 'client' | 'server', seq = 0): RecordProtector {
    const k = this.keys;
    const p =
      side === 'client'
        ? protector12(defaultProvider, this.suite, k.clientWriteKey, k.clientWriteIv)
        : protector12(defaultProvider, this.suite, k.serverWriteKey, k.serverWriteIv);
    for (let i = 0; i < seq; i++) p.seal(ContentType.application_data, new Uint8Array(0));
    return p;
  }

  /** Open record number `seq` written by `side`. */
  open(side: 'client' | 'server', seq: number, r: Rec): { type: number; fragment: Uint8Array } {
    return this.protector(side, seq).open(r.type, r.body);
  }

  /** Seal `fragment` as `side`'s record number `seq`. */
  seal(side: 'client' | 'server', seq: number, type: number, fragment: Uint8Array): Rec {
    const [r] = splitRecords(this.protector(side, seq).seal(type, fragment));
    return r!;
  }
}

/**
 * RFC 5246 §7.4.3: sign client_random + server_random + params with a fixture
 * key, as rsa_pss_rsae_sha256 (RSA keys) or ECDSA with SHA-256 (EC keys).
 * Returns the whole ServerKeyExchange body.
 */
export function signParams(keyName: string, scheme: number, clientRandom: Uint8Array, serverRandom: Uint8Array, params: Uint8Array): Uint8Array {
  const key = createPrivateKey(fixture(`${keyName}.key`));
  const data = Buffer.concat([clientRandom, serverRandom, params]);
  const hash = scheme === 0x0805 || scheme === 0x0501 || scheme === 0x0503 ? 'sha384' : scheme === 0x0806 || scheme === 0x0601 ? 'sha512' : 'sha256';
  const pss = scheme >= 0x0804 && scheme <= 0x0806;
  const sig = sign(hash, data, pss ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: hash === 'sha256' ? 32 : hash === 'sha384' ? 48 : 64 } : key);
  const out = new Uint8Array(params.length + 4 + sig.length);
  out.set(params, 0);
  out[params.length] = scheme >>> 8;
  out[params.length + 1] = scheme & 0xff;
  out[params.length + 2] = sig.length >>> 8;
  out[params.length + 3] = sig.length & 0xff;
  out.set(sig, params.length + 4);
  return out;
}

/** One Connection driven by hand: feed it bytes, read what it wrote, see how it failed. */
export interface Lone {
  readonly conn: Connection;
  /** Everything it wrote so far, as records. */
  written(): Rec[];
  readonly closed: Promise<TLSError | undefined>;
  error: TLSError | undefined;
}

export function lone(side: 'client', cfg: Partial<ClientConfig>): Lone;
export function lone(side: 'server', cfg: Partial<ServerConfig>): Lone;
export function lone(side: 'client' | 'server', cfg: Partial<ClientConfig> | Partial<ServerConfig>): Lone {
  const chunks: Uint8Array[] = [];
  let resolveClosed!: (e: TLSError | undefined) => void;
  const closed = new Promise<TLSError | undefined>((r) => (resolveClosed = r));
  const l = {
    conn: undefined as unknown as Connection,
    written: () => splitRecords(new Uint8Array(Buffer.concat(chunks))),
    closed,
    error: undefined as TLSError | undefined,
  };
  const sink = {
    write: (b: Uint8Array) => chunks.push(b.slice()),
    error: (e: TLSError) => {
      l.error = e;
      resolveClosed(e);
    },
    end: () => resolveClosed(undefined),
  };
  l.conn =
    side === 'client'
      ? createClientConnection(clientConfig({ verifyPeer: acceptAll, serverName: 'localhost', maxVersion: 'TLSv1.2', ...(cfg as Partial<ClientConfig>) }), sink)
      : createServerConnection(
          serverConfig({ certificates: [certified('server-rsa'), certified('server-p256')], verifyPeer: acceptAll, maxVersion: 'TLSv1.2', ...(cfg as Partial<ServerConfig>) }),
          sink,
        );
  l.conn.start();
  return l;
}
