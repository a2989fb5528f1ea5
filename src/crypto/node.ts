/**
 * The default crypto provider: node:crypto (OpenSSL) for every classical
 * primitive, @noble/post-quantum for ML-KEM-768 (node:crypto on Node 20 has none).
 *
 * Nothing here implements a cipher, a bignum or a curve: it adapts Node's
 * primitives to the {@link CryptoProvider} interface and checks the inputs
 * TLS needs checked (point formats, degenerate secrets, DH ranges).
 */
import * as nodeCrypto from 'node:crypto';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { NamedGroup, type AeadName } from '../registry.js';
import { FFDHE_GROUPS } from './ffdhe.js';
import { createNativeAead, nativeHmac, nativeX25519 } from './native.js';
import {
  KeyExchangeError,
  type Aead,
  type CryptoProvider,
  type HashAlgorithm,
  type HashContext,
  type KeyAgreement,
  type KeyExchangeResponse,
  type PrivateKey,
  type PublicKeyInfo,
  type PublicKeyKind,
  type SignatureAlgorithm,
} from './provider.js';

const { constants } = nodeCrypto;

const u8 = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

class NodeHash implements HashContext {
  constructor(private readonly h: nodeCrypto.Hash) {}
  update(data: Uint8Array): void {
    this.h.update(data);
  }
  digest(): Uint8Array {
    return u8(this.h.copy().digest());
  }
  clone(): HashContext {
    return new NodeHash(this.h.copy());
  }
  digestAndEnd(): Uint8Array {
    return u8(this.h.digest());
  }
}

/**
 * Small random strings (server randoms, session IDs, ticket nonces) come from
 * a block drawn from OpenSSL's CSPRNG once per RANDOM_BLOCK bytes, as Node's
 * own randomInt and randomUUID cache theirs: each call to randomBytes costs a
 * native job (~3 µs), 2-3 per handshake. Every slice is copied out and wiped
 * from the block, so no two callers ever see the same bytes and none stay
 * behind once handed out. Large requests go straight to OpenSSL.
 */
const RANDOM_BLOCK = 4096;
const RANDOM_POOLED_MAX = 256;
let randomBlock: Buffer | null = null;
let randomOffset = RANDOM_BLOCK;

function randomBytesPooled(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > RANDOM_POOLED_MAX) return u8(nodeCrypto.randomBytes(n));
  if (randomOffset + n > RANDOM_BLOCK) {
    randomBlock ??= Buffer.allocUnsafeSlow(RANDOM_BLOCK);
    nodeCrypto.randomFillSync(randomBlock);
    randomOffset = 0;
  }
  const block = randomBlock!;
  const out = new Uint8Array(n);
  out.set(block.subarray(randomOffset, randomOffset + n));
  block.fill(0, randomOffset, randomOffset + n);
  randomOffset += n;
  return out;
}

const AEAD_SPEC: Record<AeadName, { cipher: string; keyLength: number }> = {
  AES_128_GCM: { cipher: 'aes-128-gcm', keyLength: 16 },
  AES_256_GCM: { cipher: 'aes-256-gcm', keyLength: 32 },
  CHACHA20_POLY1305: { cipher: 'chacha20-poly1305', keyLength: 32 },
};

class NodeAead implements Aead {
  readonly keyLength: number;
  readonly nonceLength = 12;
  readonly tagLength = 16;
  private readonly cipher: nodeCrypto.CipherGCMTypes | 'chacha20-poly1305';
  private readonly key: nodeCrypto.KeyObject;

  constructor(
    readonly name: AeadName,
    key: Uint8Array,
  ) {
    const spec = AEAD_SPEC[name];
    if (key.length !== spec.keyLength) throw new RangeError(`${name} needs a ${spec.keyLength}-byte key`);
    this.keyLength = spec.keyLength;
    this.cipher = spec.cipher as nodeCrypto.CipherGCMTypes;
    this.key = nodeCrypto.createSecretKey(key);
  }

  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    // GCM would accept other IV sizes (and hash them); TLS nonces are always 12 bytes.
    if (nonce.length !== 12) throw new RangeError(`${this.name} nonce must be 12 bytes, got ${nonce.length}`);
    const c = nodeCrypto.createCipheriv(this.cipher as nodeCrypto.CipherGCMTypes, this.key, nonce, { authTagLength: 16 });
    c.setAAD(aad, { plaintextLength: plaintext.length });
    const body = c.update(plaintext);
    c.final();
    const tag = c.getAuthTag();
    const out = new Uint8Array(body.length + 16);
    out.set(body, 0);
    out.set(tag, body.length);
    return out;
  }

  sealInto(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, suffix: Uint8Array, out: Uint8Array, offset: number): number {
    if (nonce.length !== 12) throw new RangeError(`${this.name} nonce must be 12 bytes, got ${nonce.length}`);
    const length = plaintext.length + suffix.length;
    if (offset < 0 || offset + length + 16 > out.length) throw new RangeError('sealInto: output buffer too small');
    const c = nodeCrypto.createCipheriv(this.cipher as nodeCrypto.CipherGCMTypes, this.key, nonce, { authTagLength: 16 });
    c.setAAD(aad, { plaintextLength: length });
    // GCM and ChaCha20-Poly1305 are stream modes: update() returns as many bytes as it is given.
    let o = offset;
    const body = c.update(plaintext);
    out.set(body, o);
    o += body.length;
    if (suffix.length > 0) {
      const tail = c.update(suffix);
      out.set(tail, o);
      o += tail.length;
    }
    const rest = c.final();
    if (rest.length > 0) {
      out.set(rest, o);
      o += rest.length;
    }
    out.set(c.getAuthTag(), o);
    o += 16;
    if (o - offset !== length + 16) throw new Error(`${this.name} sealed ${o - offset} bytes, expected ${length + 16}`);
    return o - offset;
  }

  open(nonce: Uint8Array, aad: Uint8Array, data: Uint8Array): Uint8Array | null {
    if (data.length < 16 || nonce.length !== 12) return null;
    const n = data.length - 16;
    try {
      const d = nodeCrypto.createDecipheriv(this.cipher as nodeCrypto.CipherGCMTypes, this.key, nonce, { authTagLength: 16 });
      d.setAAD(aad, { plaintextLength: n });
      d.setAuthTag(data.subarray(n));
      const body = d.update(data.subarray(0, n));
      d.final(); // throws when the tag does not verify
      return u8(body);
    } catch {
      return null;
    }
  }
}

// PKCS#8 prefix for a raw X25519 private key (RFC 8410 §7: OneAsymmetricKey, CurvePrivateKey OCTET STRING).
const X25519_PKCS8_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20,
]);

const b64url = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64url');

/**
 * The peer's raw u-coordinate as a KeyObject. Imported as a JWK, not as SPKI
 * DER: OpenSSL 3's DER decoders cost ~100 µs per import, the JWK path (a raw
 * key import) a fraction of that. Any 32 bytes are accepted (RFC 7748 §5).
 */
function x25519PublicKey(raw: Uint8Array): nodeCrypto.KeyObject {
  if (raw.length !== 32) throw new KeyExchangeError(`x25519 share must be 32 bytes, got ${raw.length}`);
  try {
    return nodeCrypto.createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: b64url(raw) }, format: 'jwk' });
  } catch (e) {
    throw new KeyExchangeError(`invalid x25519 share: ${(e as Error).message}`);
  }
}

/** Only for callers that hold a raw private scalar (tests, vectors); handshakes keep the generated KeyObject. */
function x25519PrivateKey(raw: Uint8Array): nodeCrypto.KeyObject {
  if (raw.length !== 32) throw new RangeError(`x25519 private key must be 32 bytes, got ${raw.length}`);
  const der = new Uint8Array(48);
  der.set(X25519_PKCS8_PREFIX);
  der.set(raw, 16);
  return nodeCrypto.createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
}

function isAllZero(b: Uint8Array): boolean {
  let acc = 0;
  for (let i = 0; i < b.length; i++) acc |= b[i]!;
  return acc === 0;
}

/** X25519 of our private KeyObject with the peer's raw share; see {@link x25519Agree}. */
function x25519Derive(privateKey: nodeCrypto.KeyObject, peerRaw: Uint8Array): Uint8Array {
  const publicKey = x25519PublicKey(peerRaw);
  let secret: Uint8Array;
  try {
    secret = u8(nodeCrypto.diffieHellman({ privateKey, publicKey }));
  } catch (e) {
    // OpenSSL itself refuses the all-zero output; report it the same way.
    throw new KeyExchangeError(`x25519 agreement failed (all-zero or invalid): ${(e as Error).message}`);
  }
  if (isAllZero(secret)) throw new KeyExchangeError('x25519 produced the all-zero shared secret');
  return secret;
}

/**
 * X25519 (RFC 7748 §5) of our raw 32-byte private scalar with the peer's raw
 * 32-byte u-coordinate. The all-zero result (a low-order peer point) is
 * rejected (RFC 7748 §6.1, RFC 8446 §7.4.2). Non-canonical u values (>= p, or
 * the top bit set) are accepted and reduced as RFC 7748 §5 prescribes.
 * Throws {@link KeyExchangeError} for a bad peer share.
 */
export function x25519Agree(privateRaw: Uint8Array, peerRaw: Uint8Array): Uint8Array {
  if (peerRaw.length !== 32) throw new KeyExchangeError(`x25519 share must be 32 bytes, got ${peerRaw.length}`);
  return x25519Derive(x25519PrivateKey(privateRaw), peerRaw);
}

/** A fresh X25519 key pair as raw bytes (private scalar, public u-coordinate). */
export function x25519Generate(): { privateRaw: Uint8Array; publicRaw: Uint8Array } {
  const { privateKey, publicKey } = x25519KeyPair();
  return { privateRaw: u8(privateKey.export({ format: 'der', type: 'pkcs8' })).slice(16), publicRaw: publicKey };
}

/** generateKeyPairSync with a JWK public key (Node >= 16; @types/node does not declare this overload). */
const generateJwkPublic = nodeCrypto.generateKeyPairSync as unknown as (
  type: 'x25519',
  options: { publicKeyEncoding: { format: 'jwk' } },
) => { privateKey: nodeCrypto.KeyObject; publicKey: nodeCrypto.JsonWebKey };

/**
 * A fresh X25519 private KeyObject and its raw public u-coordinate.
 *
 * The public key comes out of generateKeyPairSync already JWK-encoded, not
 * from a later `publicKey.export({ format: 'jwk' })`: on Node 20 that export
 * holds the key's mutex while it allocates the JWK strings, and if the
 * allocation runs a GC that finalizes the (already dead) key-generation job
 * of the same key, the job's destructor takes the same mutex and the process
 * deadlocks (seen three times in micro-benchmarks; futex wait under
 * ExportJWKEdKey -> GC -> ~KeyGenJob). Encoding inside the job is as fast
 * (~41 µs for both) and the job is alive throughout. SPKI DER is safe too,
 * but OpenSSL 3's encoder makes it ~80 µs slower.
 */
function x25519KeyPair(): { privateKey: nodeCrypto.KeyObject; publicKey: Uint8Array } {
  const { privateKey, publicKey } = generateJwkPublic('x25519', { publicKeyEncoding: { format: 'jwk' } });
  const raw = u8(Buffer.from(publicKey.x ?? '', 'base64url'));
  if (raw.length !== 32) throw new Error('x25519 key generation returned no 32-byte public key');
  return { privateKey, publicKey: raw };
}

/**
 * X25519 for a handshake: generate, and agree with the generated private
 * KeyObject itself (no export and PKCS#8 re-import of the private key: OpenSSL
 * 3's DER decoder alone cost ~450 µs per handshake).
 */
/**
 * X25519 through the native addon (raw keys, no JWK): a fresh key pair, or
 * one from `privateRaw` (test vectors). Null without the addon. `agree`
 * throws {@link KeyExchangeError} as {@link x25519Agree} does.
 */
export function nativeX25519Exchange(privateRaw?: Uint8Array): { publicShare: Uint8Array; agree(peer: Uint8Array): Uint8Array } | null {
  const n = nativeX25519(privateRaw);
  if (n === null) return null;
  return {
    publicShare: n.publicShare,
    agree(peer) {
      if (peer.length !== 32) throw new KeyExchangeError(`x25519 share must be 32 bytes, got ${peer.length}`);
      const secret = n.agree(peer);
      // OpenSSL refuses the all-zero output (RFC 7748 §6.1); check it here too.
      if (secret === null || isAllZero(secret)) throw new KeyExchangeError('x25519 produced the all-zero shared secret');
      return secret;
    },
  };
}

function x25519Start(native = true): { publicShare: Uint8Array; agree(peer: Uint8Array): Uint8Array } {
  const n = native ? nativeX25519Exchange() : null;
  if (n !== null) return n;
  const { privateKey, publicKey } = x25519KeyPair();
  return { publicShare: publicKey, agree: (peer) => x25519Derive(privateKey, peer) };
}

const EC_CURVES: Record<number, { curve: string; coordinateBytes: number }> = {
  [NamedGroup.secp256r1]: { curve: 'prime256v1', coordinateBytes: 32 },
  [NamedGroup.secp384r1]: { curve: 'secp384r1', coordinateBytes: 48 },
  [NamedGroup.secp521r1]: { curve: 'secp521r1', coordinateBytes: 66 },
};

/**
 * ECDH on a NIST curve (`group` is the NamedGroup code point) with our
 * big-endian private scalar (leading zero bytes allowed) and the peer's point.
 * Only the uncompressed form 04 || x || y of exactly 1 + 2 * coordinate bytes
 * is accepted (RFC 8422 §5.1.2, RFC 8446 §4.2.8.2): compressed points, the
 * point at infinity and hybrid encodings are rejected; OpenSSL rejects points
 * that are not on the curve. Returns the x-coordinate of the shared point,
 * left-padded to the field size (RFC 8446 §7.4.2). Throws
 * {@link KeyExchangeError} for a bad peer point.
 */
export function ecdhAgree(group: number, privateRaw: Uint8Array, peerPoint: Uint8Array): Uint8Array {
  const spec = ecSpec(group);
  checkPoint(spec, peerPoint);
  const ecdh = nodeCrypto.createECDH(spec.curve);
  try {
    ecdh.setPrivateKey(Buffer.from(privateRaw));
  } catch (e) {
    throw new RangeError(`invalid ${spec.curve} private key: ${(e as Error).message}`);
  }
  return ecdhCompute(spec, ecdh, peerPoint);
}

function ecSpec(group: number): { curve: string; coordinateBytes: number } {
  const spec = EC_CURVES[group];
  if (!spec) throw new KeyExchangeError(`not an ECDH group: 0x${group.toString(16)}`);
  return spec;
}

/** Only the uncompressed form of the right length (see {@link ecdhAgree}). */
function checkPoint(spec: { curve: string; coordinateBytes: number }, peerPoint: Uint8Array): void {
  if (peerPoint.length !== 1 + 2 * spec.coordinateBytes || peerPoint[0] !== 4) {
    throw new KeyExchangeError(`${spec.curve} share must be an uncompressed point of ${1 + 2 * spec.coordinateBytes} bytes`);
  }
}

function ecdhCompute(spec: { curve: string; coordinateBytes: number }, ecdh: nodeCrypto.ECDH, peerPoint: Uint8Array): Uint8Array {
  try {
    return leftPad(u8(ecdh.computeSecret(peerPoint)), spec.coordinateBytes);
  } catch (e) {
    throw new KeyExchangeError(`point not on ${spec.curve}: ${(e as Error).message}`);
  }
}

/** A fresh key pair on a NIST curve: big-endian private scalar and uncompressed public point. */
export function ecdhGenerate(group: number): { privateRaw: Uint8Array; publicPoint: Uint8Array } {
  const ecdh = nodeCrypto.createECDH(ecSpec(group).curve);
  const publicPoint = u8(ecdh.generateKeys());
  return { privateRaw: u8(ecdh.getPrivateKey()), publicPoint };
}

/**
 * NIST curves for a handshake: generate, and agree with the same ECDH object
 * (no private-key export and setPrivateKey, which recomputes the public point).
 * createECDH measured faster than KeyObjects + JWK import + diffieHellman here
 * (P-256: ~170 µs against ~350 µs per exchange).
 */
function ecdhStart(group: number): { publicShare: Uint8Array; agree(peer: Uint8Array): Uint8Array } {
  const spec = ecSpec(group);
  const ecdh = nodeCrypto.createECDH(spec.curve);
  const publicShare = u8(ecdh.generateKeys());
  return {
    publicShare,
    agree: (peer) => {
      checkPoint(spec, peer);
      return ecdhCompute(spec, ecdh, peer);
    },
  };
}

/** Is 1 < y < p - 1 (as big-endian byte strings)? No bignum needed: compare bytes. */
function dhPublicInRange(y: Uint8Array, p: Uint8Array): boolean {
  let i = 0;
  while (i < y.length && y[i] === 0) i++;
  const ys = y.subarray(i);
  if (ys.length === 0 || (ys.length === 1 && ys[0] === 1)) return false; // 0 or 1
  // p - 1 differs from p only in the last byte for odd p.
  const pm1 = Uint8Array.from(p);
  pm1[pm1.length - 1]! -= 1;
  if (ys.length !== pm1.length) return ys.length < pm1.length;
  for (let j = 0; j < ys.length; j++) {
    if (ys[j] !== pm1[j]) return ys[j]! < pm1[j]!;
  }
  return false; // equal to p - 1
}

function leftPad(b: Uint8Array, n: number): Uint8Array {
  if (b.length >= n) return b;
  const out = new Uint8Array(n);
  out.set(b, n - b.length);
  return out;
}

function dhStart(p: Uint8Array, g: Uint8Array): { publicShare: Uint8Array; agree(peer: Uint8Array): Uint8Array } {
  let dh: nodeCrypto.DiffieHellman;
  let pub: Uint8Array;
  try {
    dh = nodeCrypto.createDiffieHellman(Buffer.from(p), Buffer.from(g));
    pub = leftPad(u8(dh.generateKeys()), p.length);
  } catch (e) {
    // p and g are the peer's (TLS 1.2 ServerKeyExchange): parameters OpenSSL refuses (a generator of 0
    // or 1, an even p) are bad peer input, not an internal failure.
    throw new KeyExchangeError(`DH parameters rejected: ${(e as Error).message}`);
  }
  return {
    publicShare: pub,
    agree(peer) {
      if (!dhPublicInRange(peer, p)) throw new KeyExchangeError('DH public value out of range (must be 1 < y < p-1)');
      let secret: Uint8Array;
      try {
        secret = leftPad(u8(dh.computeSecret(Buffer.from(peer))), p.length);
      } catch (e) {
        throw new KeyExchangeError(`DH agreement failed: ${(e as Error).message}`);
      }
      if (isAllZero(secret)) throw new KeyExchangeError('DH produced a zero secret');
      return secret;
    },
  };
}

/**
 * RFC 8446 §4.2.8.1: a TLS 1.3 key share in an RFC 7919 group is Y = g^X mod p, big-endian, left-padded
 * to the length of p; the peer's must be that long and 1 < Y < p-1 (dhStart checks the range). The
 * shared secret is likewise padded to the length of p (§7.4.1).
 */
function ffdheStart(group: number): { publicShare: Uint8Array; agree(peer: Uint8Array): Uint8Array } {
  const ff = FFDHE_GROUPS.get(group)!;
  const kx = dhStart(ff.p, ff.g);
  return {
    publicShare: kx.publicShare,
    agree(peer) {
      if (peer.length !== ff.p.length) throw new KeyExchangeError(`FFDHE key share of ${peer.length} bytes, not ${ff.p.length}`);
      return kx.agree(peer);
    },
  };
}

// draft-ietf-tls-ecdhe-mlkem: X25519MLKEM768 shares are ML-KEM first, then X25519.
const MLKEM768_EK = 1184;
const MLKEM768_CT = 1088;

/** Digest length per hash (hkdfExpand used to hash an empty input per call to learn it). */
const HASH_LENGTHS: Record<HashAlgorithm, number> = { sha1: 20, sha256: 32, sha384: 48, sha512: 64 };

function hashName(h: HashAlgorithm): string {
  return h === 'sha1' ? 'sha1' : h;
}

interface KeyWithOptions {
  key: nodeCrypto.KeyObject;
  padding?: number;
  saltLength?: number;
  dsaEncoding?: 'der';
}

function signOptions(key: nodeCrypto.KeyObject, alg: SignatureAlgorithm): { hash: string | null; key: KeyWithOptions } {
  switch (alg.kind) {
    case 'rsa-pkcs1':
      return { hash: hashName(alg.hash), key: { key, padding: constants.RSA_PKCS1_PADDING } };
    case 'rsa-pss':
      return {
        hash: hashName(alg.hash),
        key: { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: alg.saltLength },
      };
    case 'ecdsa':
      return { hash: hashName(alg.hash), key: { key, dsaEncoding: 'der' } };
    case 'ed25519':
    case 'ed448':
      return { hash: null, key: { key } };
  }
}

function keyKind(k: nodeCrypto.KeyObject): PublicKeyKind {
  switch (k.asymmetricKeyType) {
    case 'rsa':
      return 'rsa';
    case 'rsa-pss':
      return 'rsa-pss';
    case 'ec':
      return 'ec';
    case 'ed25519':
      return 'ed25519';
    case 'ed448':
      return 'ed448';
    default:
      return 'unknown';
  }
}

const CURVE_NAMES: Record<string, { name: string; bits: number }> = {
  prime256v1: { name: 'P-256', bits: 256 },
  secp384r1: { name: 'P-384', bits: 384 },
  secp521r1: { name: 'P-521', bits: 521 },
};

function describe(k: nodeCrypto.KeyObject): PublicKeyInfo {
  const kind = keyKind(k);
  const d = k.asymmetricKeyDetails ?? {};
  if (kind === 'ec') {
    const c = CURVE_NAMES[d.namedCurve ?? ''];
    return c ? { kind, bits: c.bits, curve: c.name } : { kind: 'unknown', bits: 0 };
  }
  if (kind === 'rsa' || kind === 'rsa-pss') return { kind, bits: d.modulusLength ?? 0 };
  if (kind === 'ed25519') return { kind, bits: 256 };
  if (kind === 'ed448') return { kind, bits: 456 };
  return { kind: 'unknown', bits: 0 };
}

/** Does this key type fit this algorithm? (node would happily verify ECDSA params against RSA keys' errors.) */
function keyFits(info: PublicKeyInfo, alg: SignatureAlgorithm): boolean {
  switch (alg.kind) {
    case 'rsa-pkcs1':
      return info.kind === 'rsa';
    case 'rsa-pss':
      return info.kind === 'rsa' || info.kind === 'rsa-pss';
    case 'ecdsa':
      return info.kind === 'ec';
    case 'ed25519':
      return info.kind === 'ed25519';
    case 'ed448':
      return info.kind === 'ed448';
  }
}

class NodePrivateKey implements PrivateKey {
  readonly kind: PublicKeyKind;
  readonly bits: number;
  readonly curve?: string;
  readonly spki: Uint8Array;

  constructor(private readonly key: nodeCrypto.KeyObject) {
    const info = describe(key);
    this.kind = info.kind;
    this.bits = info.bits;
    if (info.curve !== undefined) this.curve = info.curve;
    this.spki = u8(nodeCrypto.createPublicKey(key).export({ format: 'der', type: 'spki' }));
  }

  async sign(alg: SignatureAlgorithm, data: Uint8Array): Promise<Uint8Array> {
    return this.signSync(alg, data);
  }

  signSync(alg: SignatureAlgorithm, data: Uint8Array): Uint8Array {
    if (!keyFits(this, alg)) throw new Error(`a ${this.kind} key cannot sign with ${alg.kind}`);
    const o = signOptions(this.key, alg);
    return u8(nodeCrypto.sign(o.hash, data, o.key as nodeCrypto.SignKeyObjectInput));
  }

  async rsaDecryptRaw(ciphertext: Uint8Array): Promise<Uint8Array> {
    if (this.kind !== 'rsa') throw new Error('raw RSA decryption needs an RSA key');
    const n = (this.bits + 7) >> 3;
    // Both checks depend only on public values (the length and the modulus).
    if (ciphertext.length !== n) throw new KeyExchangeError(`RSA ciphertext must be ${n} bytes, got ${ciphertext.length}`);
    let m: Buffer;
    try {
      m = nodeCrypto.privateDecrypt({ key: this.key, padding: constants.RSA_NO_PADDING }, ciphertext);
    } catch (e) {
      throw new KeyExchangeError(`RSA ciphertext out of range: ${(e as Error).message}`);
    }
    return leftPad(u8(m), n);
  }
}

const spkiCache = new Map<string, nodeCrypto.KeyObject>();
const SPKI_CACHE_MAX = 256;

function publicKeyOf(spki: Uint8Array): nodeCrypto.KeyObject {
  const id = Buffer.from(spki).toString('base64');
  let k = spkiCache.get(id);
  if (!k) {
    k = nodeCrypto.createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
    if (spkiCache.size >= SPKI_CACHE_MAX) spkiCache.delete(spkiCache.keys().next().value!);
    spkiCache.set(id, k);
  }
  return k;
}

/** A KeyAgreement over a synchronous `agree` (complete rejects with what agree throws). */
function agreement(group: number, publicShare: Uint8Array, agree: (peer: Uint8Array) => Uint8Array): KeyAgreement {
  return {
    group,
    publicShare,
    complete: async (peer) => agree(peer),
    completeSync: agree,
  };
}

export class NodeCryptoProvider implements CryptoProvider {
  readonly name = 'node:crypto';
  private readonly native: boolean;

  /** `native: false` keeps every primitive on node:crypto even when the addon (native.ts) is built. */
  constructor(options: { native?: boolean } = {}) {
    this.native = options.native ?? true;
  }

  randomBytes(n: number): Uint8Array {
    return randomBytesPooled(n);
  }

  hash(alg: HashAlgorithm, data: Uint8Array): Uint8Array {
    return u8(nodeCrypto.createHash(hashName(alg)).update(data).digest());
  }

  createHash(alg: HashAlgorithm): HashContext {
    return new NodeHash(nodeCrypto.createHash(hashName(alg)));
  }

  hmac(alg: HashAlgorithm, key: Uint8Array, data: Uint8Array): Uint8Array {
    return (this.native ? nativeHmac(alg, key, data) : null) ?? u8(nodeCrypto.createHmac(hashName(alg), key).update(data).digest());
  }

  hkdfExtract(alg: HashAlgorithm, salt: Uint8Array, ikm: Uint8Array): Uint8Array {
    // RFC 5869 §2.2: an absent salt is HashLen zeros; HMAC pads short keys with zeros anyway.
    return this.hmac(alg, salt, ikm);
  }

  hkdfExpand(alg: HashAlgorithm, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
    // RFC 5869 §2.3: T(i) = HMAC(PRK, T(i-1) | info | i). Each block is one HMAC over one
    // buffer (every update() crosses into C++); TLS 1.3's expansions are all a single block.
    const hashLen = HASH_LENGTHS[alg];
    if (!Number.isInteger(length) || length < 0) throw new RangeError(`bad HKDF-Expand length ${length}`);
    if (length > 255 * hashLen) throw new RangeError('HKDF-Expand length too large');
    if (length === 0) return new Uint8Array(0);
    const name = hashName(alg);
    const input = Buffer.allocUnsafe(hashLen + info.length + 1);
    input.set(info, hashLen);
    // T(1) has no T(0) in front: hash input[hashLen..] first, then reuse the buffer with T(i-1) in front.
    input[hashLen + info.length] = 1;
    const mac = (data: Uint8Array): Uint8Array => (this.native ? nativeHmac(alg, prk, data) : null) ?? u8(nodeCrypto.createHmac(name, prk).update(data).digest());
    let t = mac(input.subarray(hashLen));
    if (length === hashLen) return t;
    const out = new Uint8Array(length);
    out.set(length < hashLen ? t.subarray(0, length) : t, 0);
    for (let i = 2, o = hashLen; o < length; i++, o += hashLen) {
      input.set(t, 0);
      input[hashLen + info.length] = i;
      t = mac(input);
      out.set(length - o < hashLen ? t.subarray(0, length - o) : t, o);
    }
    return out;
  }

  /** The native addon's AEAD (reusable OpenSSL contexts, see native.ts) when built, else node:crypto's. */
  createAead(name: AeadName, key: Uint8Array): Aead {
    return (this.native ? createNativeAead(name, key) : null) ?? new NodeAead(name, key);
  }

  supportsGroup(group: number): boolean {
    return group === NamedGroup.x25519 || group === NamedGroup.X25519MLKEM768 || group in EC_CURVES || FFDHE_GROUPS.has(group);
  }

  async startKeyExchange(group: number): Promise<KeyAgreement> {
    return this.startKeyExchangeSync(group);
  }

  startKeyExchangeSync(group: number): KeyAgreement {
    if (group === NamedGroup.x25519) {
      const kx = x25519Start(this.native);
      return agreement(group, kx.publicShare, kx.agree);
    }
    if (group in EC_CURVES) {
      const kx = ecdhStart(group);
      return agreement(group, kx.publicShare, kx.agree);
    }
    if (FFDHE_GROUPS.has(group)) {
      const kx = ffdheStart(group);
      return agreement(group, kx.publicShare, kx.agree);
    }
    if (group === NamedGroup.X25519MLKEM768) {
      const { publicKey, secretKey } = ml_kem768.keygen();
      const x = x25519Start(this.native);
      const share = new Uint8Array(MLKEM768_EK + 32);
      share.set(publicKey, 0);
      share.set(x.publicShare, MLKEM768_EK);
      return agreement(group, share, (peer) => {
        if (peer.length !== MLKEM768_CT + 32) throw new KeyExchangeError(`X25519MLKEM768 server share must be ${MLKEM768_CT + 32} bytes`);
        const kemSecret = ml_kem768.decapsulate(peer.subarray(0, MLKEM768_CT), secretKey);
        const ecdhSecret = x.agree(peer.subarray(MLKEM768_CT));
        const out = new Uint8Array(64);
        out.set(kemSecret, 0);
        out.set(ecdhSecret, 32);
        return out;
      });
    }
    throw new KeyExchangeError(`unsupported group 0x${group.toString(16)}`);
  }

  async respondKeyExchange(group: number, peerShare: Uint8Array): Promise<KeyExchangeResponse> {
    return this.respondKeyExchangeSync(group, peerShare);
  }

  respondKeyExchangeSync(group: number, peerShare: Uint8Array): KeyExchangeResponse {
    if (group === NamedGroup.X25519MLKEM768) {
      if (peerShare.length !== MLKEM768_EK + 32) throw new KeyExchangeError(`X25519MLKEM768 client share must be ${MLKEM768_EK + 32} bytes`);
      let enc: { cipherText: Uint8Array; sharedSecret: Uint8Array };
      try {
        enc = ml_kem768.encapsulate(peerShare.subarray(0, MLKEM768_EK));
      } catch (e) {
        throw new KeyExchangeError(`invalid ML-KEM-768 encapsulation key: ${(e as Error).message}`);
      }
      const x = x25519Start(this.native);
      const ecdhSecret = x.agree(peerShare.subarray(MLKEM768_EK));
      const share = new Uint8Array(MLKEM768_CT + 32);
      share.set(enc.cipherText, 0);
      share.set(x.publicShare, MLKEM768_CT);
      const secret = new Uint8Array(64);
      secret.set(enc.sharedSecret, 0);
      secret.set(ecdhSecret, 32);
      return { publicShare: share, sharedSecret: secret };
    }
    if (group === NamedGroup.x25519) {
      const kx = x25519Start(this.native);
      return { publicShare: kx.publicShare, sharedSecret: kx.agree(peerShare) };
    }
    if (group in EC_CURVES) {
      const kx = ecdhStart(group);
      return { publicShare: kx.publicShare, sharedSecret: kx.agree(peerShare) };
    }
    if (FFDHE_GROUPS.has(group)) {
      const ff = FFDHE_GROUPS.get(group)!;
      // Check the share before spending an exponentiation on our own.
      if (peerShare.length !== ff.p.length) throw new KeyExchangeError(`FFDHE key share of ${peerShare.length} bytes, not ${ff.p.length}`);
      if (!dhPublicInRange(peerShare, ff.p)) throw new KeyExchangeError('DH public value out of range (must be 1 < y < p-1)');
      const kx = ffdheStart(group);
      return { publicShare: kx.publicShare, sharedSecret: kx.agree(peerShare) };
    }
    throw new KeyExchangeError(`unsupported group 0x${group.toString(16)}`);
  }

  async startDh(p: Uint8Array, g: Uint8Array): Promise<KeyAgreement> {
    const kx = dhStart(p, g);
    return agreement(0, kx.publicShare, kx.agree);
  }

  loadPrivateKey(key: string | Uint8Array, passphrase?: string): PrivateKey {
    const input: nodeCrypto.PrivateKeyInput =
      typeof key === 'string' || looksLikePem(key)
        ? { key: typeof key === 'string' ? key : Buffer.from(key).toString('latin1'), format: 'pem' }
        : { key: Buffer.from(key), format: 'der', type: 'pkcs8' };
    if (passphrase !== undefined) input.passphrase = passphrase;
    return new NodePrivateKey(nodeCrypto.createPrivateKey(input));
  }

  describePublicKey(spki: Uint8Array): PublicKeyInfo {
    try {
      return describe(publicKeyOf(spki));
    } catch {
      return { kind: 'unknown', bits: 0 };
    }
  }

  async verify(spki: Uint8Array, alg: SignatureAlgorithm, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
    return this.verifySync(spki, alg, data, signature);
  }

  verifySync(spki: Uint8Array, alg: SignatureAlgorithm, data: Uint8Array, signature: Uint8Array): boolean {
    let key: nodeCrypto.KeyObject;
    try {
      key = publicKeyOf(spki);
    } catch {
      return false;
    }
    if (!keyFits(describe(key), alg)) return false;
    const o = signOptions(key, alg);
    try {
      return nodeCrypto.verify(o.hash, data, o.key as nodeCrypto.VerifyKeyObjectInput, signature);
    } catch {
      return false;
    }
  }

  async rsaEncryptPkcs1(spki: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
    try {
      return u8(nodeCrypto.publicEncrypt({ key: publicKeyOf(spki), padding: constants.RSA_PKCS1_PADDING }, data));
    } catch (e) {
      // The key is the peer's (its certificate's): one OpenSSL cannot use (an even modulus, a modulus
      // too short for the data) is bad peer input, not an internal failure.
      throw new KeyExchangeError(`RSA key cannot encrypt: ${(e as Error).message}`);
    }
  }
}

function looksLikePem(b: Uint8Array): boolean {
  return b.length > 10 && b[0] === 0x2d && b[1] === 0x2d; // "--"
}

/** The provider used when none is configured. */
export const defaultProvider: CryptoProvider = new NodeCryptoProvider();
