/**
 * Handshake messages (RFC 5246 §7.4, RFC 8446 §4): one codec each, encode and
 * decode side by side. A decode consumes its body exactly or fails with
 * decode_error. Bodies exclude the 4-byte handshake header, which
 * {@link frameHandshake} adds.
 */
import { Reader, DecodeError } from '../wire/reader.js';
import { Writer } from '../wire/writer.js';
import { alertError } from '../errors.js';
import { handshakeTypeName } from '../registry.js';
import { readExtensions, writeExtensions, type Extension } from './extensions.js';

/** One handshake message as received: type, body, and the exact bytes (for the transcript). */
export interface HandshakeMessage {
  readonly type: number;
  readonly body: Uint8Array;
  /** header + body, as on the wire. */
  readonly raw: Uint8Array;
}

export function frameHandshake(type: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + body.length);
  out[0] = type;
  out[1] = body.length >>> 16;
  out[2] = (body.length >>> 8) & 0xff;
  out[3] = body.length & 0xff;
  out.set(body, 4);
  return out;
}

/** Decode a body with `fn`, requiring it to be consumed exactly; short or long is decode_error. */
export function decodeMessage<T>(msg: { type: number; body: Uint8Array }, fn: (r: Reader) => T): T {
  const r = new Reader(msg.body);
  try {
    const v = fn(r);
    r.end(handshakeTypeName(msg.type));
    return v;
  } catch (e) {
    if (e instanceof DecodeError) throw alertError('decode_error', `malformed ${handshakeTypeName(msg.type)}: ${e.message}`);
    throw e;
  }
}

const build = (fn: (w: Writer) => void, size = 256): Uint8Array => {
  const w = new Writer(size);
  fn(w);
  return w.finish();
};

/** Bytes writeExtensions writes for `exts` (a Writer sized with it never grows). */
function extensionsSize(exts: readonly Extension[]): number {
  let n = 2;
  for (const e of exts) n += 4 + e.data.length;
  return n;
}

// --- ClientHello (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2) --------------------------
export interface ClientHello {
  readonly legacyVersion: number;
  readonly random: Uint8Array;
  readonly legacySessionId: Uint8Array;
  readonly cipherSuites: readonly number[];
  readonly legacyCompressionMethods: Uint8Array;
  readonly extensions: readonly Extension[];
}

export const ClientHelloCodec = {
  encode(m: ClientHello): Uint8Array {
    return build((w) => {
      w.u16(m.legacyVersion).bytes(m.random).opaque8(m.legacySessionId);
      w.vec16(() => m.cipherSuites.forEach((s) => w.u16(s)));
      w.opaque8(m.legacyCompressionMethods);
      writeExtensions(w, m.extensions);
    }, 512);
  },
  decode(r: Reader): ClientHello {
    const legacyVersion = r.u16('legacy_version');
    const random = r.bytes(32, 'random');
    const legacySessionId = r.vec8('legacy_session_id');
    if (legacySessionId.length > 32) throw new DecodeError('legacy_session_id longer than 32');
    const cipherSuites = r.list16of16('cipher_suites', 1);
    const legacyCompressionMethods = r.vec8('legacy_compression_methods', 1);
    const extensions = readExtensions(r);
    return { legacyVersion, random, legacySessionId, cipherSuites, legacyCompressionMethods, extensions };
  },
};

// --- ServerHello (and HelloRetryRequest) ----------------------------------------
export interface ServerHello {
  readonly legacyVersion: number;
  readonly random: Uint8Array;
  readonly legacySessionIdEcho: Uint8Array;
  readonly cipherSuite: number;
  readonly legacyCompressionMethod: number;
  readonly extensions: readonly Extension[];
}

/** RFC 8446 §4.1.3: a ServerHello with this random is a HelloRetryRequest (SHA-256 of "HelloRetryRequest"). */
export const HELLO_RETRY_REQUEST_RANDOM = Uint8Array.from(
  Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex'),
);

export const ServerHelloCodec = {
  encode(m: ServerHello): Uint8Array {
    return build((w) => {
      w.u16(m.legacyVersion).bytes(m.random).opaque8(m.legacySessionIdEcho);
      w.u16(m.cipherSuite).u8(m.legacyCompressionMethod);
      if (m.extensions.length > 0) writeExtensions(w, m.extensions);
    }, 6 + m.random.length + m.legacySessionIdEcho.length + extensionsSize(m.extensions));
  },
  decode(r: Reader): ServerHello {
    const legacyVersion = r.u16('legacy_version');
    const random = r.bytes(32, 'random');
    const legacySessionIdEcho = r.vec8('legacy_session_id_echo');
    if (legacySessionIdEcho.length > 32) throw new DecodeError('legacy_session_id_echo longer than 32');
    const cipherSuite = r.u16('cipher_suite');
    const legacyCompressionMethod = r.u8('legacy_compression_method');
    const extensions = readExtensions(r);
    return { legacyVersion, random, legacySessionIdEcho, cipherSuite, legacyCompressionMethod, extensions };
  },
};

// --- Certificate (RFC 5246 §7.4.2 and RFC 8446 §4.4.2) ----------------------------
export interface CertificateEntry {
  readonly certData: Uint8Array;
  readonly extensions: readonly Extension[];
}
export interface CertificateMessage {
  /** TLS 1.3 only (empty in 1.2). */
  readonly certificateRequestContext: Uint8Array;
  readonly entries: readonly CertificateEntry[];
}

export const CertificateCodec = {
  encode(m: CertificateMessage, tls13: boolean): Uint8Array {
    return build((w) => {
      if (tls13) w.opaque8(m.certificateRequestContext);
      w.vec24(() => {
        for (const e of m.entries) {
          w.opaque24(e.certData);
          if (tls13) writeExtensions(w, e.extensions);
        }
      });
    }, 4096);
  },
  decode(r: Reader, tls13: boolean, maxEntries: number): CertificateMessage {
    const certificateRequestContext = tls13 ? r.vec8('certificate_request_context') : new Uint8Array(0);
    const list = r.sub24('certificate_list');
    const entries: CertificateEntry[] = [];
    while (!list.atEnd()) {
      if (entries.length >= maxEntries) throw alertError('bad_certificate', `certificate chain longer than ${maxEntries}`);
      const certData = list.vec24('cert_data', 1);
      const extensions = tls13 ? readExtensions(list) : [];
      entries.push({ certData, extensions });
    }
    return { certificateRequestContext, entries };
  },
};

// --- ServerKeyExchange (RFC 8422 §5.4, RFC 5246 §7.4.3) ------------------------------
export type ServerKeyExchangeParams =
  | { readonly kind: 'ECDHE'; readonly namedCurve: number; readonly publicKey: Uint8Array }
  | { readonly kind: 'DHE'; readonly p: Uint8Array; readonly g: Uint8Array; readonly publicKey: Uint8Array };

export interface ServerKeyExchange {
  readonly params: ServerKeyExchangeParams;
  /** The params exactly as on the wire: they are what the signature covers. */
  readonly rawParams: Uint8Array;
  readonly signatureScheme: number;
  readonly signature: Uint8Array;
}

export const ServerKeyExchangeCodec = {
  encodeParams(p: ServerKeyExchangeParams): Uint8Array {
    return build((w) => {
      if (p.kind === 'ECDHE') w.u8(3 /* named_curve */).u16(p.namedCurve).opaque8(p.publicKey);
      else w.opaque16(p.p).opaque16(p.g).opaque16(p.publicKey);
    }, p.kind === 'ECDHE' ? 4 + p.publicKey.length : 6 + p.p.length + p.g.length + p.publicKey.length);
  },
  encode(rawParams: Uint8Array, signatureScheme: number, signature: Uint8Array): Uint8Array {
    return build((w) => w.bytes(rawParams).u16(signatureScheme).opaque16(signature), rawParams.length + 4 + signature.length);
  },
  decode(r: Reader, kind: 'ECDHE' | 'DHE'): ServerKeyExchange {
    const start = r.offset;
    let params: ServerKeyExchangeParams;
    if (kind === 'ECDHE') {
      const curveType = r.u8('curve_type');
      // RFC 8422 §5.4: only named_curve (3); explicit curves are deprecated.
      if (curveType !== 3) throw alertError('illegal_parameter', `ECParameters curve_type ${curveType} is not named_curve`);
      params = { kind, namedCurve: r.u16('namedcurve'), publicKey: r.vec8('ECPoint', 1) };
    } else {
      params = { kind, p: r.vec16('dh_p', 1), g: r.vec16('dh_g', 1), publicKey: r.vec16('dh_Ys', 1) };
    }
    const rawParams = r.consumedSince(start);
    const signatureScheme = r.u16('signature algorithm');
    const signature = r.vec16('signature', 1);
    return { params, rawParams, signatureScheme, signature };
  },
};

// --- CertificateRequest (RFC 5246 §7.4.4, RFC 8446 §4.3.2) ------------------------------
export interface CertificateRequest12 {
  readonly certificateTypes: Uint8Array;
  readonly signatureSchemes: readonly number[];
  readonly certificateAuthorities: readonly Uint8Array[];
}

export const CertificateRequest12Codec = {
  encode(m: CertificateRequest12): Uint8Array {
    return build((w) => {
      w.opaque8(m.certificateTypes);
      w.vec16(() => m.signatureSchemes.forEach((s) => w.u16(s)));
      w.vec16(() => m.certificateAuthorities.forEach((dn) => w.opaque16(dn)));
    });
  },
  decode(r: Reader): CertificateRequest12 {
    const certificateTypes = r.vec8('certificate_types', 1);
    const signatureSchemes = r.list16of16('supported_signature_algorithms', 1);
    const cas = r.sub16('certificate_authorities');
    const certificateAuthorities: Uint8Array[] = [];
    while (!cas.atEnd()) certificateAuthorities.push(cas.vec16('DistinguishedName', 1));
    return { certificateTypes, signatureSchemes, certificateAuthorities };
  },
};

export interface CertificateRequest13 {
  readonly certificateRequestContext: Uint8Array;
  readonly extensions: readonly Extension[];
}

export const CertificateRequest13Codec = {
  encode(m: CertificateRequest13): Uint8Array {
    return build((w) => {
      w.opaque8(m.certificateRequestContext);
      writeExtensions(w, m.extensions);
    });
  },
  decode(r: Reader): CertificateRequest13 {
    const certificateRequestContext = r.vec8('certificate_request_context');
    if (r.atEnd()) throw new DecodeError('missing extensions');
    return { certificateRequestContext, extensions: readExtensions(r) };
  },
};

// --- ClientKeyExchange (RFC 5246 §7.4.7, RFC 8422 §5.7) --------------------------------
export const ClientKeyExchangeCodec = {
  /** ECDHE: opaque point <1..2^8-1>; DHE: opaque dh_Yc<1..2^16-1>; RSA: EncryptedPreMasterSecret <0..2^16-1>. */
  encode(kind: 'ECDHE' | 'DHE' | 'RSA', exchangeKeys: Uint8Array): Uint8Array {
    return build((w) => (kind === 'ECDHE' ? w.opaque8(exchangeKeys) : w.opaque16(exchangeKeys)), 2 + exchangeKeys.length);
  },
  decode(r: Reader, kind: 'ECDHE' | 'DHE' | 'RSA'): Uint8Array {
    return kind === 'ECDHE' ? r.vec8('ecdh_Yc', 1) : r.vec16(kind === 'DHE' ? 'dh_Yc' : 'EncryptedPreMasterSecret', 1);
  },
};

// --- CertificateVerify (RFC 5246 §7.4.8 with §7.4.1.4.1 algorithms, RFC 8446 §4.4.3) ---
export interface CertificateVerify {
  readonly signatureScheme: number;
  readonly signature: Uint8Array;
}

export const CertificateVerifyCodec = {
  encode(m: CertificateVerify): Uint8Array {
    return build((w) => w.u16(m.signatureScheme).opaque16(m.signature), 4 + m.signature.length);
  },
  decode(r: Reader): CertificateVerify {
    return { signatureScheme: r.u16('algorithm'), signature: r.vec16('signature', 1) };
  },
};

// --- Finished: verify_data fills the body -------------------------------------------------
export const FinishedCodec = {
  encode(verifyData: Uint8Array): Uint8Array {
    return verifyData;
  },
  decode(r: Reader): Uint8Array {
    return r.rest();
  },
};

// --- NewSessionTicket (RFC 5077 §3.3 for 1.2, RFC 8446 §4.6.1 for 1.3) ----------------------
export interface NewSessionTicket12 {
  readonly ticketLifetimeHint: number;
  readonly ticket: Uint8Array;
}
export const NewSessionTicket12Codec = {
  encode(m: NewSessionTicket12): Uint8Array {
    return build((w) => w.u32(m.ticketLifetimeHint).opaque16(m.ticket), 6 + m.ticket.length);
  },
  decode(r: Reader): NewSessionTicket12 {
    return { ticketLifetimeHint: r.u32('ticket_lifetime_hint'), ticket: r.vec16('ticket') };
  },
};

export interface NewSessionTicket13 {
  readonly ticketLifetime: number;
  readonly ticketAgeAdd: number;
  readonly ticketNonce: Uint8Array;
  readonly ticket: Uint8Array;
  readonly extensions: readonly Extension[];
}
export const NewSessionTicket13Codec = {
  encode(m: NewSessionTicket13): Uint8Array {
    return build((w) => {
      w.u32(m.ticketLifetime).u32(m.ticketAgeAdd).opaque8(m.ticketNonce).opaque16(m.ticket);
      writeExtensions(w, m.extensions);
    }, 11 + m.ticketNonce.length + m.ticket.length + extensionsSize(m.extensions));
  },
  decode(r: Reader): NewSessionTicket13 {
    const ticketLifetime = r.u32('ticket_lifetime');
    const ticketAgeAdd = r.u32('ticket_age_add');
    const ticketNonce = r.vec8('ticket_nonce');
    const ticket = r.vec16('ticket', 1);
    if (r.atEnd()) throw new DecodeError('missing extensions');
    return { ticketLifetime, ticketAgeAdd, ticketNonce, ticket, extensions: readExtensions(r) };
  },
};

// --- EncryptedExtensions (RFC 8446 §4.3.1) ----------------------------------------------------
export const EncryptedExtensionsCodec = {
  encode(exts: readonly Extension[]): Uint8Array {
    return build((w) => writeExtensions(w, exts), extensionsSize(exts));
  },
  decode(r: Reader): Extension[] {
    if (r.atEnd()) throw new DecodeError('missing extensions');
    return readExtensions(r);
  },
};

// --- KeyUpdate (RFC 8446 §4.6.3) --------------------------------------------------------------
export const KeyUpdateCodec = {
  encode(requestUpdate: number): Uint8Array {
    return Uint8Array.of(requestUpdate);
  },
  decode(r: Reader): number {
    const v = r.u8('request_update');
    if (v > 1) throw alertError('illegal_parameter', `KeyUpdateRequest ${v} is not 0 or 1`);
    return v;
  },
};
