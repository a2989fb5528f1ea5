/**
 * Wycheproof: the provider's AEADs (AES-GCM, ChaCha20-Poly1305), HMAC and HKDF.
 * See test/vectors/wycheproof/README.md for scope.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NodeCryptoProvider, defaultProvider as p } from '../../src/crypto/node.js';
import { nativeCrypto } from '../../src/crypto/native.js';
import type { CryptoProvider, HashAlgorithm } from '../../src/crypto/provider.js';
import type { AeadName } from '../../src/registry.js';
import { Tally, field, forEachCase, hexField, label, loadWycheproof, numField, toHex } from './wycheproof-support.js';

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * One AEAD file. `aeadFor` maps a group's key size to the provider's AEAD or
 * returns a reason string when the group's shape (key, IV, tag size) is not one
 * the provider's Aead offers.
 */
function runAead(p: CryptoProvider, name: string, aeadFor: (keyBits: number, ivBits: number, tagBits: number) => AeadName | string): void {
  const file = loadWycheproof(name);
  const tally = new Tally(name, file.numberOfTests);
  forEachCase(file, (g, t) => {
    const keyBits = numField(g, 'keySize');
    const which = aeadFor(keyBits, numField(g, 'ivSize'), numField(g, 'tagSize'));
    const key = hexField(t, 'key');
    const iv = hexField(t, 'iv');
    const aad = hexField(t, 'aad');
    const msg = hexField(t, 'msg');
    const sealed = concat(hexField(t, 'ct'), hexField(t, 'tag'));
    if (which !== 'AES_128_GCM' && which !== 'AES_256_GCM' && which !== 'CHACHA20_POLY1305') {
      const fallback = aeadFor(keyBits, 96, 128);
      if (numField(g, 'ivSize') !== 96 && (fallback === 'AES_128_GCM' || fallback === 'AES_256_GCM' || fallback === 'CHACHA20_POLY1305')) {
        // The provider refuses other nonce sizes: open says null, seal throws. That is the
        // right answer for the invalid cases (e.g. InvalidNonceSize) and a refusal for valid ones.
        const aead = p.createAead(fallback, key);
        assert.equal(aead.open(iv, aad, sealed), null, `${name} ${label(t)}: non-12-byte nonce opened`);
        assert.throws(() => aead.seal(iv, aad, msg), RangeError);
        if (t.result === 'invalid') {
          tally.check(t, false);
          return;
        }
      }
      tally.skip(which);
      return;
    }
    const aead = p.createAead(which, key);
    const opened = aead.open(iv, aad, sealed);
    if (t.result === 'valid') {
      assert.equal(toHex(aead.seal(iv, aad, msg)), toHex(sealed), `${name} ${label(t)}: seal`);
      assert.ok(opened, `${name} ${label(t)}: open failed`);
      assert.equal(toHex(opened), toHex(msg), `${name} ${label(t)}: open`);
      if (aead.sealInto) {
        // The record layer's path: plaintext and suffix sealed apart, at an offset.
        const cut = msg.length >> 1;
        const out = new Uint8Array(3 + sealed.length);
        assert.equal(aead.sealInto(iv, aad, msg.subarray(0, cut), msg.subarray(cut), out, 3), sealed.length);
        assert.equal(toHex(out.subarray(3)), toHex(sealed), `${name} ${label(t)}: sealInto`);
      }
    }
    if (aead.openInto) {
      // In place, as the Node adapter decrypts socket chunks.
      const inPlace = sealed.slice();
      const n = aead.openInto(iv, aad, inPlace, inPlace, 0);
      assert.equal(n >= 0, opened !== null, `${name} ${label(t)}: openInto disagrees with open`);
      if (n >= 0) assert.equal(toHex(inPlace.subarray(0, n)), toHex(msg), `${name} ${label(t)}: openInto`);
    }
    tally.check(t, opened !== null);
  });
  tally.finish();
}

/** HMAC files: the provider computes the full tag; a truncated-tag group compares its prefix. */
function runHmac(p: CryptoProvider, name: string, hash: HashAlgorithm): void {
  const file = loadWycheproof(name);
  const tally = new Tally(name, file.numberOfTests);
  forEachCase(file, (g, t) => {
    const tagBytes = numField(g, 'tagSize') / 8;
    const full = p.hmac(hash, hexField(t, 'key'), hexField(t, 'msg'));
    const tag = hexField(t, 'tag');
    tally.check(t, tag.length === tagBytes && toHex(full.subarray(0, tagBytes)) === toHex(tag));
  });
  tally.finish();
}

/** HKDF files through hkdfExtract + hkdfExpand; the invalid cases ask for more than 255 * HashLen bytes. */
function runHkdf(p: CryptoProvider, name: string, hash: HashAlgorithm): void {
  const file = loadWycheproof(name);
  const tally = new Tally(name, file.numberOfTests);
  forEachCase(file, (_g, t) => {
    const prk = p.hkdfExtract(hash, hexField(t, 'salt'), hexField(t, 'ikm'));
    let okm: Uint8Array | undefined;
    try {
      okm = p.hkdfExpand(hash, prk, hexField(t, 'info'), numField(t, 'size'));
    } catch (e) {
      assert.ok(e instanceof RangeError, `${name} ${label(t)}: threw ${String(e)}`);
    }
    if (t.result === 'valid') assert.equal(okm && toHex(okm), field(t, 'okm'), `${name} ${label(t)}`);
    tally.check(t, okm !== undefined);
  });
  tally.finish();
}

const PROVIDERS: { name: string; provider: CryptoProvider; skip: string | false }[] = [
  { name: 'native addon (reusable OpenSSL contexts)', provider: p, skip: nativeCrypto.available ? false : `native addon ${nativeCrypto.reason}` },
  { name: 'node:crypto', provider: new NodeCryptoProvider({ native: false }), skip: false },
];

for (const { name: providerName, provider, skip } of PROVIDERS) {
  describe(`Wycheproof AEAD: ${providerName}`, { skip }, () => {
    it('AES-GCM with 128/256-bit keys, 96-bit IVs and 128-bit tags matches every vector', () => {
      runAead(provider, 'aes_gcm_test.json', (k, iv, tag) => {
        if (k === 192) return 'AES-192-GCM cases (no TLS suite uses AES-192; createAead has no such AEAD)';
        if (iv !== 96) return 'valid cases with a non-96-bit IV (TLS always uses a 12-byte nonce; the Aead refuses others)';
        if (tag !== 128) return 'truncated-tag groups (TLS GCM tags are 16 bytes)';
        return k === 128 ? 'AES_128_GCM' : 'AES_256_GCM';
      });
    });

    it('ChaCha20-Poly1305 with 96-bit nonces matches every vector', () => {
      runAead(provider, 'chacha20_poly1305_test.json', (k, iv, tag) => {
        if (iv !== 96) return 'valid cases with a non-96-bit nonce (RFC 8439 and TLS use 12-byte nonces; the Aead refuses others)';
        if (k !== 256 || tag !== 128) return 'non-standard key or tag size';
        return 'CHACHA20_POLY1305';
      });
    });

    it('Aead.open rejects nonces that are not 12 bytes instead of throwing; seal refuses them', () => {
      const aead = provider.createAead('AES_128_GCM', new Uint8Array(16));
      const sealed = aead.seal(new Uint8Array(12), new Uint8Array(0), Uint8Array.of(1, 2, 3));
      assert.equal(aead.open(new Uint8Array(8), new Uint8Array(0), sealed), null);
      assert.equal(aead.open(new Uint8Array(12), new Uint8Array(0), sealed.subarray(0, 15)), null);
      assert.throws(() => aead.seal(new Uint8Array(16), new Uint8Array(0), sealed), RangeError);
    });
  });
}

for (const { name: providerName, provider, skip } of PROVIDERS) {
  describe(`Wycheproof HMAC: ${providerName}`, { skip }, () => {
    it('HMAC-SHA256 matches every vector', () => runHmac(provider, 'hmac_sha256_test.json', 'sha256'));
    it('HMAC-SHA384 matches every vector', () => runHmac(provider, 'hmac_sha384_test.json', 'sha384'));
  });

  describe(`Wycheproof HKDF: ${providerName}`, { skip }, () => {
    it('HKDF-SHA256 (extract then expand) matches every vector', () => runHkdf(provider, 'hkdf_sha256_test.json', 'sha256'));
    it('HKDF-SHA384 (extract then expand) matches every vector', () => runHkdf(provider, 'hkdf_sha384_test.json', 'sha384'));
  });
}
