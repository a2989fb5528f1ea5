/**
 * The crypto provider: every primitive the engine uses, behind one interface.
 *
 * The protocol code never imports `node:crypto`; it calls a CryptoProvider.
 * The default ({@link ../crypto/node.ts}) wraps node:crypto. Another provider
 * (WebCrypto, an HSM for signing, a deterministic one for tests) replaces one
 * field or the whole record.
 *
 * Two speeds:
 * - Record protection (AEAD), hashing and HMAC are synchronous and cheap to
 *   call: they sit on the hot path of every record.
 * - Handshake operations (key agreement, signing, verifying, RSA decryption)
 *   return Promises, so a remote signer can plug in without touching the
 *   state machines.
 */
import type { AeadName, HashName } from '../registry.js';

export type HashAlgorithm = HashName | 'sha1';

/** An incremental hash (the handshake transcript). `digest()` does not end it. */
export interface HashContext {
  update(data: Uint8Array): void;
  /** The hash of everything so far; the context stays usable. */
  digest(): Uint8Array;
  clone(): HashContext;
  /** Optional: the hash of everything so far, ending the context (no copy kept); it must not be used afterwards. */
  digestAndEnd?(): Uint8Array;
}

/** An AEAD keyed once, used for every record of one direction and epoch. */
export interface Aead {
  readonly name: AeadName;
  readonly keyLength: number;
  /** 12 for every AEAD TLS uses here. */
  readonly nonceLength: number;
  readonly tagLength: number;
  /** ciphertext || tag. */
  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array;
  /**
   * Optional fast path for the record layer: seal `plaintext || suffix` (the
   * suffix is TLS 1.3's content type and padding; may be empty) and write
   * ciphertext || tag into `out` at `offset`, which must have room for
   * plaintext.length + suffix.length + tagLength bytes. Returns the bytes
   * written. Same output as `seal` over the concatenation, one copy fewer.
   */
  sealInto?(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, suffix: Uint8Array, out: Uint8Array, offset: number): number;
  /** The plaintext, or null when the tag does not verify. Never throws on bad input. */
  open(nonce: Uint8Array, aad: Uint8Array, ciphertextAndTag: Uint8Array): Uint8Array | null;
  /**
   * Optional fast path: decrypt into `out` at `offset` (room for
   * ciphertextAndTag.length - tagLength bytes; `out` may be the input itself,
   * for in-place decryption). Returns the plaintext length, or -1 when the tag
   * does not verify (whatever was written is wiped).
   */
  openInto?(nonce: Uint8Array, aad: Uint8Array, ciphertextAndTag: Uint8Array, out: Uint8Array, offset: number): number;
}

/**
 * One side's half of a key exchange that it started: its public share is on
 * the wire; `complete` combines it with the peer's share (ECDH: agree; KEM:
 * decapsulate). Rejects with a {@link KeyExchangeError} for an invalid share.
 */
export interface KeyAgreement {
  readonly group: number;
  readonly publicShare: Uint8Array;
  complete(peerShare: Uint8Array): Promise<Uint8Array>;
  /** Optional synchronous twin of `complete` (same result; throws what `complete` rejects with). */
  completeSync?(peerShare: Uint8Array): Uint8Array;
}

/** The answering side of a key exchange: ECDH generates and agrees; a KEM encapsulates. */
export interface KeyExchangeResponse {
  readonly publicShare: Uint8Array;
  readonly sharedSecret: Uint8Array;
}

/** Thrown (rejected) for a peer share that is malformed, off the curve, or gives a degenerate secret. */
export class KeyExchangeError extends Error {
  override readonly name = 'KeyExchangeError';
}

/** How to verify a signature, independent of where (TLS handshake or X.509) it came from. */
export type SignatureAlgorithm =
  | { readonly kind: 'rsa-pkcs1'; readonly hash: HashAlgorithm }
  | { readonly kind: 'rsa-pss'; readonly hash: HashAlgorithm; readonly saltLength: number }
  | { readonly kind: 'ecdsa'; readonly hash: HashAlgorithm }
  | { readonly kind: 'ed25519' }
  | { readonly kind: 'ed448' };

export type PublicKeyKind = 'rsa' | 'rsa-pss' | 'ec' | 'ed25519' | 'ed448' | 'unknown';

/** What the provider tells about a SubjectPublicKeyInfo. */
export interface PublicKeyInfo {
  readonly kind: PublicKeyKind;
  /** Modulus bits for RSA, field bits for EC. */
  readonly bits: number;
  /** 'P-256' | 'P-384' | 'P-521' for EC keys. */
  readonly curve?: string;
}

/**
 * A private key handle. It may live in memory or in an HSM: the engine only
 * asks it to sign (and, for RSA key exchange, to decrypt raw).
 */
export interface PrivateKey {
  readonly kind: PublicKeyKind;
  readonly bits: number;
  readonly curve?: string;
  /** The matching public key as SubjectPublicKeyInfo DER. */
  readonly spki: Uint8Array;
  sign(algorithm: SignatureAlgorithm, data: Uint8Array): Promise<Uint8Array>;
  /**
   * Optional synchronous twin of `sign`, for keys held in memory (same result;
   * throws what `sign` rejects with). The handshake uses it when present.
   */
  signSync?(algorithm: SignatureAlgorithm, data: Uint8Array): Uint8Array;
  /**
   * RSA only: m = c^d mod n with no padding removed, left-padded to the
   * modulus length. Unpadding is the engine's job, done without branches on
   * secret data (RFC 5246 §7.4.7.1; see `tlsPreMasterFromRsa` in rsa-pkcs1.ts).
   * Rejects with a {@link KeyExchangeError} when the ciphertext is not exactly
   * the modulus length or is not below the modulus (both public facts).
   */
  rsaDecryptRaw?(ciphertext: Uint8Array): Promise<Uint8Array>;
}

export interface CryptoProvider {
  readonly name: string;
  randomBytes(n: number): Uint8Array;

  hash(alg: HashAlgorithm, data: Uint8Array): Uint8Array;
  createHash(alg: HashAlgorithm): HashContext;
  hmac(alg: HashAlgorithm, key: Uint8Array, data: Uint8Array): Uint8Array;
  /** RFC 5869 HKDF-Extract. */
  hkdfExtract(alg: HashAlgorithm, salt: Uint8Array, ikm: Uint8Array): Uint8Array;
  /** RFC 5869 HKDF-Expand. */
  hkdfExpand(alg: HashAlgorithm, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array;

  createAead(name: AeadName, key: Uint8Array): Aead;

  /** Named groups (registry NamedGroup code points) this provider can do. */
  supportsGroup(group: number): boolean;
  /** Start a key exchange in `group`: generate our share. */
  startKeyExchange(group: number): Promise<KeyAgreement>;
  /** Answer a peer's share in `group` (ECDH: generate and agree; KEM: encapsulate). */
  respondKeyExchange(group: number, peerShare: Uint8Array): Promise<KeyExchangeResponse>;
  /**
   * Optional synchronous twins of startKeyExchange and respondKeyExchange, for
   * providers whose key exchange is local (same results; they throw what the
   * asynchronous ones reject with). The handshake uses them when present: a
   * handshake step then costs no extra Promise round.
   */
  startKeyExchangeSync?(group: number): KeyAgreement;
  respondKeyExchangeSync?(group: number, peerShare: Uint8Array): KeyExchangeResponse;
  /**
   * Finite-field DH with explicit parameters (TLS 1.2 DHE, where the server
   * chooses p and g). The secret is left-padded to the length of p. Rejects
   * with a {@link KeyExchangeError} for parameters it cannot use.
   */
  startDh(p: Uint8Array, g: Uint8Array): Promise<KeyAgreement>;

  /** Load a private key from PEM (PKCS#8, PKCS#1, SEC1) or PKCS#8 DER. */
  loadPrivateKey(key: string | Uint8Array, passphrase?: string): PrivateKey;
  describePublicKey(spki: Uint8Array): PublicKeyInfo;
  /** False for a bad signature or a key that does not fit the algorithm; never throws for those. */
  verify(spki: Uint8Array, algorithm: SignatureAlgorithm, data: Uint8Array, signature: Uint8Array): Promise<boolean>;
  /** Synchronous twin of verify, for certificate path validation. */
  verifySync(spki: Uint8Array, algorithm: SignatureAlgorithm, data: Uint8Array, signature: Uint8Array): boolean;
  /**
   * RSAES-PKCS1-v1_5 encryption (the client's side of RSA key exchange) to the
   * peer's key. Rejects with a {@link KeyExchangeError} when that key cannot
   * encrypt (malformed, or too short for the data).
   */
  rsaEncryptPkcs1(spki: Uint8Array, data: Uint8Array): Promise<Uint8Array>;
}
