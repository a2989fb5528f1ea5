/**
 * OpenSSL primitives on reusable contexts (native/crypto.c), when the addon
 * was built at install time: the record AEAD, HMAC and X25519.
 *
 * node:crypto builds a cipher context for every record (createCipheriv: cipher
 * fetch and key schedule) and allocates a fresh Buffer for every output: ~7.5
 * µs of fixed cost per record here, more than AES-GCM over a whole 16 KiB
 * record, and the main reason bulk transfer trailed node:tls (whose OpenSSL
 * keeps one context per direction). The addon keys one context per key and
 * direction, sets only the nonce per record and writes into buffers we own:
 * 16 KiB seal 10.7 → 5.5 µs, 1 KiB seal 8.2 → 0.6 µs (micro-benchmark).
 *
 * HMAC and X25519 pay the same toll in node:crypto: createHmac 2.6–5 µs
 * against 1.2 µs on a kept EVP_MAC_CTX, N-API call and output included (a
 * TLS 1.3 server makes ~21 per handshake); X25519 through KeyObjects and JWK
 * 110 µs per exchange (generate + agree) against 80 µs with raw EVP_PKEYs
 * (the two scalar multiplications alone are ~74 µs on the same CPU).
 *
 * It is optional: without a C compiler (or with TS_TLS_NATIVE=0 in the
 * environment) everything goes through node:crypto, with the same results.
 * Both paths run the Wycheproof vectors (test/crypto/).
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AeadName } from '../registry.js';
import type { Aead } from './provider.js';

/** The addon's calls (native/crypto.c); every one re-checks lengths and offsets. */
interface NativeAddon {
  /** A context keyed for one direction, or null for a bad algorithm/key. */
  create(algorithm: number, key: Uint8Array, encrypt: boolean): object | null;
  /** Bytes written (plaintext + suffix + tag), or -2 for a bad call. */
  seal(ctx: object, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, suffix: Uint8Array, out: Uint8Array, offset: number): number;
  /** Plaintext bytes written, -1 when the tag does not verify (output wiped), -2 for a bad call. */
  open(ctx: object, nonce: Uint8Array, aad: Uint8Array, ciphertextAndTag: Uint8Array, out: Uint8Array, offset: number): number;
  /** HMAC (0 SHA-256, 1 SHA-384) into out: bytes written, or -2. */
  hmac(digest: number, key: Uint8Array, data: Uint8Array, out: Uint8Array): number;
  /** A fresh X25519 private key (a handle; or one imported from privateRaw) with its public key written to publicOut, or null. */
  x25519Generate(publicOut: Uint8Array, privateRaw?: Uint8Array): object | null;
  /** X25519 into out: 32, -1 when OpenSSL refuses the peer or the result (all zero), -2 for a bad call. */
  x25519Derive(privateKey: object, peer: Uint8Array, out: Uint8Array): number;
}

const ALGORITHM: Record<AeadName, { id: number; keyLength: number }> = {
  AES_128_GCM: { id: 0, keyLength: 16 },
  AES_256_GCM: { id: 1, keyLength: 32 },
  CHACHA20_POLY1305: { id: 2, keyLength: 32 },
};

const TAG_LENGTH = 16;
const NONCE_LENGTH = 12;
const EMPTY = new Uint8Array(0);

/** build/Release/ts_tls_native.node above this file (src/crypto in the sources, dist/src/crypto when built). */
function findAddon(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'build', 'Release', 'ts_tls_native.node');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return null;
}

function load(): { addon: NativeAddon | null; reason: string } {
  if (process.env['TS_TLS_NATIVE'] === '0') return { addon: null, reason: 'disabled by TS_TLS_NATIVE=0' };
  const path = findAddon();
  if (path === null) return { addon: null, reason: 'not built (build/Release/ts_tls_native.node is missing: `npm rebuild` builds it)' };
  try {
    const addon = createRequire(import.meta.url)(path) as NativeAddon;
    // Smoke-test once: a context that cannot be made means an unusable build.
    if (addon.create(0, new Uint8Array(16), true) === null) return { addon: null, reason: 'built, but OpenSSL refused AES-128-GCM' };
    return { addon, reason: 'loaded' };
  } catch (e) {
    return { addon: null, reason: `failed to load: ${(e as Error).message}` };
  }
}

const loaded = load();

/** Whether the native addon is in use, and if not, why. */
export const nativeCrypto: { readonly available: boolean; readonly reason: string } = {
  available: loaded.addon !== null,
  reason: loaded.reason,
};

export class NativeAead implements Aead {
  readonly keyLength: number;
  readonly nonceLength = NONCE_LENGTH;
  readonly tagLength = TAG_LENGTH;
  private sealer: object | null = null;
  private opener: object | null = null;
  private key: Uint8Array | null;

  constructor(
    readonly name: AeadName,
    key: Uint8Array,
    private readonly addon: NativeAddon,
  ) {
    const spec = ALGORITHM[name];
    if (key.length !== spec.keyLength) throw new RangeError(`${name} needs a ${spec.keyLength}-byte key`);
    this.keyLength = spec.keyLength;
    // Each direction's context is made on first use (a record protector only ever seals or opens),
    // so the key is kept until both exist.
    this.key = new Uint8Array(key); // a copy (a Buffer's slice() would be a view, and it is wiped below)
  }

  private context(encrypt: boolean): object {
    let ctx = encrypt ? this.sealer : this.opener;
    if (ctx !== null) return ctx;
    ctx = this.addon.create(ALGORITHM[this.name].id, this.key!, encrypt);
    if (ctx === null) throw new Error(`native ${this.name} context could not be created`);
    if (encrypt) this.sealer = ctx;
    else this.opener = ctx;
    if (this.sealer !== null && this.opener !== null) {
      this.key!.fill(0);
      this.key = null;
    }
    return ctx;
  }

  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    const out = new Uint8Array(plaintext.length + TAG_LENGTH);
    this.sealInto(nonce, aad, plaintext, EMPTY, out, 0);
    return out;
  }

  sealInto(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, suffix: Uint8Array, out: Uint8Array, offset: number): number {
    if (nonce.length !== NONCE_LENGTH) throw new RangeError(`${this.name} nonce must be 12 bytes, got ${nonce.length}`);
    const length = plaintext.length + suffix.length + TAG_LENGTH;
    if (offset < 0 || offset + length > out.length) throw new RangeError('sealInto: output buffer too small');
    const n = this.addon.seal(this.context(true), nonce, aad, plaintext, suffix, out, offset);
    if (n !== length) throw new Error(`native ${this.name} seal failed (${n})`);
    return n;
  }

  open(nonce: Uint8Array, aad: Uint8Array, data: Uint8Array): Uint8Array | null {
    if (data.length < TAG_LENGTH || nonce.length !== NONCE_LENGTH) return null;
    const out = new Uint8Array(data.length - TAG_LENGTH);
    return this.openInto(nonce, aad, data, out, 0) < 0 ? null : out;
  }

  openInto(nonce: Uint8Array, aad: Uint8Array, data: Uint8Array, out: Uint8Array, offset: number): number {
    if (data.length < TAG_LENGTH || nonce.length !== NONCE_LENGTH) return -1;
    const n = this.addon.open(this.context(false), nonce, aad, data, out, offset);
    if (n === -2) throw new RangeError(`native ${this.name} open: bad call`);
    return n;
  }
}

/** A native AEAD when the addon is loaded, else null (the caller falls back to node:crypto). */
export function createNativeAead(name: AeadName, key: Uint8Array): Aead | null {
  return loaded.addon === null ? null : new NativeAead(name, key, loaded.addon);
}

/** HMAC-SHA256/384 on a kept context, or null without the addon. */
export function nativeHmac(hash: string, key: Uint8Array, data: Uint8Array): Uint8Array | null {
  const addon = loaded.addon;
  if (addon === null) return null;
  const digest = hash === 'sha256' ? 0 : hash === 'sha384' ? 1 : -1;
  if (digest < 0) return null;
  const out = new Uint8Array(digest === 0 ? 32 : 48);
  if (addon.hmac(digest, key, data, out) !== out.length) throw new Error(`native HMAC-${hash} failed`);
  return out;
}

/**
 * An X25519 key pair for one exchange: the raw public key, and `agree` with
 * the peer's raw 32 bytes (null when OpenSSL refuses them or the result is
 * all zero: the caller reports that). Null without the addon.
 */
export function nativeX25519(privateRaw?: Uint8Array): { publicShare: Uint8Array; agree(peer: Uint8Array): Uint8Array | null } | null {
  const addon = loaded.addon;
  if (addon === null) return null;
  const publicShare = new Uint8Array(32);
  const key = privateRaw === undefined ? addon.x25519Generate(publicShare) : addon.x25519Generate(publicShare, privateRaw);
  if (key === null) throw new Error('native X25519 key generation failed');
  return {
    publicShare,
    agree(peer: Uint8Array): Uint8Array | null {
      if (peer.length !== 32) return null;
      const secret = new Uint8Array(32);
      return addon.x25519Derive(key, peer, secret) === 32 ? secret : null;
    },
  };
}
