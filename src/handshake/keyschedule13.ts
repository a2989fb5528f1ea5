/**
 * The TLS 1.3 key schedule (RFC 8446 §7.1–7.5): pure functions over a
 * {@link CryptoProvider}'s HKDF and HMAC, one class per stage.
 *
 * RFC 8446 §7.1:
 *
 *              0
 *              |
 *              v
 *    PSK ->  HKDF-Extract = Early Secret                          (EarlySecret)
 *              |
 *              +-----> Derive-Secret(., "ext binder" | "res binder", "")
 *              |                     = binder_key
 *              |
 *              +-----> Derive-Secret(., "c e traffic", ClientHello)
 *              |                     = client_early_traffic_secret
 *              |
 *              +-----> Derive-Secret(., "e exp master", ClientHello)
 *              |                     = early_exporter_master_secret
 *              v
 *        Derive-Secret(., "derived", "")
 *              |
 *              v
 *    (EC)DHE -> HKDF-Extract = Handshake Secret                   (HandshakeSecret)
 *              |
 *              +-----> Derive-Secret(., "c hs traffic", ClientHello...ServerHello)
 *              |                     = client_handshake_traffic_secret
 *              |
 *              +-----> Derive-Secret(., "s hs traffic", ClientHello...ServerHello)
 *              |                     = server_handshake_traffic_secret
 *              v
 *        Derive-Secret(., "derived", "")
 *              |
 *              v
 *    0 -> HKDF-Extract = Master Secret                            (MasterSecret)
 *              |
 *              +-----> Derive-Secret(., "c ap traffic", ClientHello...server Finished)
 *              |                     = client_application_traffic_secret_0
 *              |
 *              +-----> Derive-Secret(., "s ap traffic", ClientHello...server Finished)
 *              |                     = server_application_traffic_secret_0
 *              |
 *              +-----> Derive-Secret(., "exp master", ClientHello...server Finished)
 *              |                     = exporter_master_secret
 *              |
 *              +-----> Derive-Secret(., "res master", ClientHello...client Finished)
 *                                    = resumption_master_secret
 *
 * The "th" arguments are transcript hashes (RFC 8446 §4.4.1), computed by the
 * caller with the cipher suite's hash over the messages the diagram names.
 * A missing PSK or (EC)DHE input is a string of Hash.length zero bytes.
 */
import type { CryptoProvider } from '../crypto/provider.js';
import type { AeadName, HashName } from '../registry.js';

const HASH_LENGTH: Record<HashName, number> = { sha256: 32, sha384: 48, sha512: 64 };

/** Hash.length for a cipher suite hash. */
export function hashLength(hash: HashName): number {
  return HASH_LENGTH[hash];
}

/** Key length of each AEAD (RFC 8446 §5.3: every IV is 12 bytes). */
const AEAD_KEY_LENGTH: Record<AeadName, number> = { AES_128_GCM: 16, AES_256_GCM: 32, CHACHA20_POLY1305: 32 };
export const AEAD_IV_LENGTH_13 = 12;

const utf8 = new TextEncoder();
const LABEL_PREFIX = utf8.encode('tls13 ');

/**
 * RFC 8446 §7.1 HKDF-Expand-Label(Secret, Label, Context, Length) =
 * HKDF-Expand(Secret, HkdfLabel, Length) with
 * struct { uint16 length; opaque label<7..255> = "tls13 " + Label; opaque context<0..255>; } HkdfLabel.
 */
export function hkdfExpandLabel(
  p: CryptoProvider,
  hash: HashName,
  secret: Uint8Array,
  label: string,
  context: Uint8Array,
  length: number,
): Uint8Array {
  if (context.length > 255) throw new RangeError('HKDF-Expand-Label context longer than 255 bytes');
  if (!Number.isInteger(length) || length < 0 || length > 0xffff) throw new RangeError(`bad HKDF-Expand-Label length ${length}`);
  const hashLen = HASH_LENGTH[hash];
  if (length === 0 || length > hashLen) return p.hkdfExpand(hash, secret, hkdfLabel(label, context, length, 0), length);
  // One block (every expansion of the schedule itself): HKDF-Expand = T(1) = HMAC(Secret, HkdfLabel || 0x01),
  // truncated (RFC 5869 §2.3). The HMAC input is built once here, or taken from the cache when the
  // context is a constant (empty, or Hash("") for "derived" and the binder keys).
  let input: Uint8Array;
  const constant = context.length === 0 ? 0 : context === CONSTANTS[hash].emptyHash ? 1 : -1;
  const inputs = constant >= 0 ? CONSTANT_INPUTS.get(label) : undefined;
  if (inputs !== undefined) {
    // length < 2^16, hash index < 4, constant 0 or 1: one small integer key.
    const key = (length << 3) | (HASH_INDEX[hash] << 1) | constant;
    const cached = inputs.get(key);
    if (cached !== undefined) input = cached;
    else inputs.set(key, (input = hkdfLabel(label, context, length, 1)));
  } else {
    input = hkdfLabel(label, context, length, 1);
  }
  const t = p.hmac(hash, secret, input);
  // A copy, not a view, when shorter: a record IV is kept for the connection's lifetime, the rest of the block is not.
  return length === hashLen ? t : t.slice(0, length);
}

/** HkdfLabel for (label, context, length), followed by `counter` bytes of HKDF's block counter 0x01 (0 or 1). */
function hkdfLabel(label: string, context: Uint8Array, length: number, counter: 0 | 1): Uint8Array {
  const fullLabel = SCHEDULE_LABELS.get(label) ?? prefixedLabel(label);
  const labelLength = fullLabel.length;
  if (labelLength > 255) throw new RangeError(`HKDF label too long: ${label}`);
  const info = new Uint8Array(2 + 1 + labelLength + 1 + context.length + counter);
  let o = 0;
  info[o++] = length >> 8;
  info[o++] = length & 0xff;
  info[o++] = labelLength;
  info.set(fullLabel, o);
  o += labelLength;
  info[o++] = context.length;
  info.set(context, o);
  if (counter === 1) info[info.length - 1] = 1;
  return info;
}

const HASH_INDEX: Record<HashName, number> = { sha256: 0, sha384: 1, sha512: 2 };

/** "tls13 " + label, UTF-8. */
function prefixedLabel(label: string): Uint8Array {
  const l = utf8.encode(label);
  const out = new Uint8Array(LABEL_PREFIX.length + l.length);
  out.set(LABEL_PREFIX, 0);
  out.set(l, LABEL_PREFIX.length);
  return out;
}

/** The schedule's own labels, encoded once (exporter labels come from callers and are encoded per call). */
const SCHEDULE_LABELS: ReadonlyMap<string, Uint8Array> = new Map(
  [
    'ext binder', 'res binder', 'c e traffic', 'e exp master', 'derived', 'c hs traffic', 's hs traffic',
    'c ap traffic', 's ap traffic', 'exp master', 'res master', 'key', 'iv', 'finished', 'traffic upd',
    'resumption', 'exporter',
  ].map((l) => [l, prefixedLabel(l)]),
);

/**
 * HMAC inputs (HkdfLabel || 0x01) of one-block expansions with the schedule's own labels and a
 * constant context, per label, by length, hash and context kind (a bounded set). Read-only.
 */
const CONSTANT_INPUTS: ReadonlyMap<string, Map<number, Uint8Array>> = new Map([...SCHEDULE_LABELS.keys()].map((l) => [l, new Map()]));

/** RFC 8446 §7.1 Derive-Secret(Secret, Label, Messages) = HKDF-Expand-Label(Secret, Label, Transcript-Hash(Messages), Hash.length). */
export function deriveSecret(p: CryptoProvider, hash: HashName, secret: Uint8Array, label: string, transcriptHash: Uint8Array): Uint8Array {
  return hkdfExpandLabel(p, hash, secret, label, transcriptHash, hashLength(hash));
}

/**
 * Constants of the schedule, per hash, computed once per process (with the
 * first provider that asks; every correct provider computes the same bytes):
 * Hash(""), the Early Secret without a PSK, and its "derived" secret — the
 * salt of every full handshake's Handshake Secret. Read-only: never handed
 * to code that could modify them.
 */
interface HashConstants {
  readonly zeros: Uint8Array;
  emptyHash?: Uint8Array;
  noPskEarlySecret?: Uint8Array;
  noPskDerived?: Uint8Array;
}
const CONSTANTS: Record<HashName, HashConstants> = {
  sha256: { zeros: new Uint8Array(32) },
  sha384: { zeros: new Uint8Array(48) },
  sha512: { zeros: new Uint8Array(64) },
};

/** Transcript-Hash("") = Hash(""), used by the "derived" and binder steps. */
function emptyHash(p: CryptoProvider, hash: HashName): Uint8Array {
  const c = CONSTANTS[hash];
  return (c.emptyHash ??= p.hash(hash, new Uint8Array(0)));
}

/** Early Secret = HKDF-Extract(salt = 0, IKM = PSK or 0). */
export class EarlySecret {
  readonly secret: Uint8Array;

  private readonly withPsk: boolean;

  constructor(
    private readonly p: CryptoProvider,
    private readonly hash: HashName,
    psk?: Uint8Array,
  ) {
    const c = CONSTANTS[hash];
    this.withPsk = psk !== undefined;
    this.secret = psk !== undefined ? p.hkdfExtract(hash, c.zeros, psk) : (c.noPskEarlySecret ??= p.hkdfExtract(hash, c.zeros, c.zeros));
  }

  /** binder_key: "ext binder" for external PSKs, "res binder" for resumption PSKs (§4.2.11.2 keys the binder with it). */
  binderKey(kind: 'ext' | 'res'): Uint8Array {
    return deriveSecret(this.p, this.hash, this.secret, `${kind} binder`, emptyHash(this.p, this.hash));
  }

  /** client_early_traffic_secret; th = Transcript-Hash(ClientHello). */
  clientEarlyTrafficSecret(th: Uint8Array): Uint8Array {
    return deriveSecret(this.p, this.hash, this.secret, 'c e traffic', th);
  }

  /** early_exporter_master_secret; th = Transcript-Hash(ClientHello). */
  earlyExporterMasterSecret(th: Uint8Array): Uint8Array {
    return deriveSecret(this.p, this.hash, this.secret, 'e exp master', th);
  }

  /** Handshake Secret = HKDF-Extract(Derive-Secret(early, "derived", ""), (EC)DHE or 0 for psk_ke). */
  handshakeSecret(sharedSecret?: Uint8Array): HandshakeSecret {
    const c = CONSTANTS[this.hash];
    const salt = this.withPsk
      ? deriveSecret(this.p, this.hash, this.secret, 'derived', emptyHash(this.p, this.hash))
      : (c.noPskDerived ??= deriveSecret(this.p, this.hash, this.secret, 'derived', emptyHash(this.p, this.hash)));
    const ikm = sharedSecret ?? c.zeros;
    return new HandshakeSecret(this.p, this.hash, this.p.hkdfExtract(this.hash, salt, ikm));
  }
}

/** Handshake Secret and the handshake traffic secrets. */
export class HandshakeSecret {
  constructor(
    private readonly p: CryptoProvider,
    private readonly hash: HashName,
    readonly secret: Uint8Array,
  ) {}

  /** client_handshake_traffic_secret; th = Transcript-Hash(ClientHello...ServerHello). */
  clientHandshakeTrafficSecret(th: Uint8Array): Uint8Array {
    return deriveSecret(this.p, this.hash, this.secret, 'c hs traffic', th);
  }

  /** server_handshake_traffic_secret; th = Transcript-Hash(ClientHello...ServerHello). */
  serverHandshakeTrafficSecret(th: Uint8Array): Uint8Array {
    return deriveSecret(this.p, this.hash, this.secret, 's hs traffic', th);
  }

  /** Master Secret = HKDF-Extract(Derive-Secret(handshake, "derived", ""), 0). */
  masterSecret(): MasterSecret {
    const salt = deriveSecret(this.p, this.hash, this.secret, 'derived', emptyHash(this.p, this.hash));
    return new MasterSecret(this.p, this.hash, this.p.hkdfExtract(this.hash, salt, CONSTANTS[this.hash].zeros));
  }
}

/** Master Secret and what comes from it. */
export class MasterSecret {
  constructor(
    private readonly p: CryptoProvider,
    private readonly hash: HashName,
    readonly secret: Uint8Array,
  ) {}

  /** client_application_traffic_secret_0; th = Transcript-Hash(ClientHello...server Finished). */
  clientApplicationTrafficSecret0(th: Uint8Array): Uint8Array {
    return deriveSecret(this.p, this.hash, this.secret, 'c ap traffic', th);
  }

  /** server_application_traffic_secret_0; th = Transcript-Hash(ClientHello...server Finished). */
  serverApplicationTrafficSecret0(th: Uint8Array): Uint8Array {
    return deriveSecret(this.p, this.hash, this.secret, 's ap traffic', th);
  }

  /** exporter_master_secret; th = Transcript-Hash(ClientHello...server Finished). */
  exporterMasterSecret(th: Uint8Array): Uint8Array {
    return deriveSecret(this.p, this.hash, this.secret, 'exp master', th);
  }

  /** resumption_master_secret; th = Transcript-Hash(ClientHello...client Finished). */
  resumptionMasterSecret(th: Uint8Array): Uint8Array {
    return deriveSecret(this.p, this.hash, this.secret, 'res master', th);
  }
}

/**
 * RFC 8446 §7.3: write_key = HKDF-Expand-Label(Secret, "key", "", key_length),
 * write_iv = HKDF-Expand-Label(Secret, "iv", "", iv_length = 12).
 */
export function trafficKeys13(p: CryptoProvider, hash: HashName, aead: AeadName, trafficSecret: Uint8Array): { key: Uint8Array; iv: Uint8Array } {
  const empty = new Uint8Array(0);
  return {
    key: hkdfExpandLabel(p, hash, trafficSecret, 'key', empty, AEAD_KEY_LENGTH[aead]),
    iv: hkdfExpandLabel(p, hash, trafficSecret, 'iv', empty, AEAD_IV_LENGTH_13),
  };
}

/**
 * RFC 8446 §4.4.4: finished_key = HKDF-Expand-Label(BaseKey, "finished", "", Hash.length);
 * verify_data = HMAC(finished_key, Transcript-Hash(Handshake Context, Certificate*, CertificateVerify*)).
 * BaseKey is the sender's handshake traffic secret (or, for PSK binders, the binder_key).
 * Compare received values with timingSafeEqual (src/crypto/constant-time.ts).
 */
export function finishedVerifyData13(p: CryptoProvider, hash: HashName, baseKey: Uint8Array, transcriptHash: Uint8Array): Uint8Array {
  const finishedKey = hkdfExpandLabel(p, hash, baseKey, 'finished', new Uint8Array(0), hashLength(hash));
  return p.hmac(hash, finishedKey, transcriptHash);
}

/** RFC 8446 §7.2: application_traffic_secret_N+1 = HKDF-Expand-Label(application_traffic_secret_N, "traffic upd", "", Hash.length). */
export function nextApplicationTrafficSecret(p: CryptoProvider, hash: HashName, secret: Uint8Array): Uint8Array {
  return hkdfExpandLabel(p, hash, secret, 'traffic upd', new Uint8Array(0), hashLength(hash));
}

/** RFC 8446 §4.6.1: PSK = HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce, Hash.length). */
export function resumptionPsk(p: CryptoProvider, hash: HashName, resumptionMasterSecret: Uint8Array, ticketNonce: Uint8Array): Uint8Array {
  return hkdfExpandLabel(p, hash, resumptionMasterSecret, 'resumption', ticketNonce, hashLength(hash));
}

/**
 * RFC 8446 §7.5: TLS-Exporter(label, context_value, key_length) =
 * HKDF-Expand-Label(Derive-Secret(Secret, label, ""), "exporter", Hash(context_value), key_length),
 * Secret being the exporter_master_secret (or early_exporter_master_secret).
 * In TLS 1.3 an absent context is the same as an empty one.
 */
export function exportKeyingMaterial13(
  p: CryptoProvider,
  hash: HashName,
  exporterMasterSecret: Uint8Array,
  label: string,
  context: Uint8Array | undefined,
  length: number,
): Uint8Array {
  const derived = deriveSecret(p, hash, exporterMasterSecret, label, emptyHash(p, hash));
  return hkdfExpandLabel(p, hash, derived, 'exporter', p.hash(hash, context ?? new Uint8Array(0)), length);
}
