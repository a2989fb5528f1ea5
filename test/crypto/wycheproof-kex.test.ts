/**
 * Wycheproof: key agreement (X25519, ECDH on P-256 / P-384) through the
 * provider's own agreement functions with the file's private key injected.
 */
import assert from 'node:assert/strict';
import * as nodeCrypto from 'node:crypto';
import { describe, it } from 'node:test';
import { ecdhAgree, nativeX25519Exchange, x25519Agree } from '../../src/crypto/node.js';
import { nativeCrypto } from '../../src/crypto/native.js';
import { KeyExchangeError } from '../../src/crypto/provider.js';
import { NamedGroup } from '../../src/registry.js';
import { Tally, field, forEachCase, hexField, label, loadWycheproof, toHex, type WycheproofTest } from './wycheproof-support.js';

/** Run an agreement; a KeyExchangeError is a rejection, anything else fails the test. */
function agree(f: () => Uint8Array, what: string): Uint8Array | undefined {
  try {
    return f();
  } catch (e) {
    assert.ok(e instanceof KeyExchangeError, `${what}: threw ${String(e)} instead of KeyExchangeError`);
    return undefined;
  }
}

const isCompressed = (t: WycheproofTest): boolean => t.flags.includes('CompressedPublic') || t.flags.includes('CompressedPoint');

/** TLS accepts uncompressed points only (RFC 8446 §4.2.8.2, RFC 8422 §5.1.2): compressed ones must fail. */
function ecAcceptable(t: WycheproofTest, accepted: boolean): string | undefined {
  if (isCompressed(t) && accepted) return 'a compressed point was accepted; TLS allows uncompressed points only';
  return undefined;
}

/**
 * The BIT STRING of a DER SubjectPublicKeyInfo (SEQUENCE { SEQUENCE alg, BIT STRING key })
 * with its unused-bits byte removed: the EC point exactly as encoded. Undefined if the
 * outer structure is not strict DER of that shape or the curve is not given by a
 * namedCurve OID (RFC 5480 §2.1.1; node:crypto maps explicit parameters that
 * match P-256 to prime256v1, so its namedCurve alone cannot tell).
 */
function spkiKeyBits(der: Uint8Array): Uint8Array | undefined {
  const tlv = (b: Uint8Array, at: number): { tag: number; start: number; end: number } | undefined => {
    if (at + 2 > b.length) return undefined;
    const tag = b[at]!;
    let len = b[at + 1]!;
    let start = at + 2;
    if (len >= 0x80) {
      const n = len & 0x7f;
      if (n === 0 || n > 2 || start + n > b.length) return undefined;
      len = 0;
      for (let i = 0; i < n; i++) len = (len << 8) | b[start + i]!;
      start += n;
    }
    return start + len <= b.length ? { tag, start, end: start + len } : undefined;
  };
  const outer = tlv(der, 0);
  if (!outer || outer.tag !== 0x30 || outer.end !== der.length) return undefined;
  const alg = tlv(der, outer.start);
  if (!alg || alg.tag !== 0x30) return undefined;
  // AlgorithmIdentifier { id-ecPublicKey, namedCurve OID }: explicit parameters (a SEQUENCE) are refused.
  const algOid = tlv(der, alg.start);
  const params = algOid && algOid.tag === 0x06 ? tlv(der, algOid.end) : undefined;
  if (!params || params.tag !== 0x06 || params.end !== alg.end) return undefined;
  const bits = tlv(der, alg.end);
  if (!bits || bits.tag !== 0x03 || bits.end !== outer.end || bits.end - bits.start < 1 || der[bits.start] !== 0) return undefined;
  return der.subarray(bits.start + 1, bits.end);
}

/**
 * ECDH files with SPKI public keys. TLS never carries an SPKI for ECDHE, so the
 * mapping is the test's: node:crypto must parse the SPKI as an EC key on the
 * expected named curve, the parameters must be a namedCurve OID (explicit curve
 * parameters are refused: TLS negotiates named groups only), then the point
 * bytes go to ecdhAgree unchanged.
 */
function runEcdhAsn(name: string, group: number, nodeCurve: string): void {
  const file = loadWycheproof(name);
  const tally = new Tally(name, file.numberOfTests);
  let spkiRejected = 0;
  forEachCase(file, (_g, t) => {
    const spki = hexField(t, 'public');
    let point: Uint8Array | undefined;
    try {
      const key = nodeCrypto.createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
      if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === nodeCurve) point = spkiKeyBits(spki);
    } catch {
      point = undefined;
    }
    let shared: Uint8Array | undefined;
    if (point) {
      const pt = point;
      shared = agree(() => ecdhAgree(group, hexField(t, 'private'), pt), `${name} ${label(t)}`);
    } else {
      spkiRejected++;
    }
    if (shared && t.result !== 'invalid') assert.equal(toHex(shared), field(t, 'shared'), `${name} ${label(t)}`);
    tally.check(t, shared !== undefined, ecAcceptable);
  });
  tally.finish(
    "compressed points rejected (TLS); InvalidAsn, UnnamedCurve, Modified* as node:crypto's SPKI parser plus the namedCurve-OID check decide, with the correct secret when accepted",
  );
  console.log(`  (${name}: ${spkiRejected} SPKIs refused by the test's SPKI-to-point mapping, the rest went to ecdhAgree)`);
}

/** ECDH files with raw X9.62 points: the TLS wire format, straight into ecdhAgree. */
function runEcdhPoint(name: string, group: number): void {
  const file = loadWycheproof(name);
  const tally = new Tally(name, file.numberOfTests);
  forEachCase(file, (_g, t) => {
    const shared = agree(() => ecdhAgree(group, hexField(t, 'private'), hexField(t, 'public')), `${name} ${label(t)}`);
    if (shared && t.result !== 'invalid') assert.equal(toHex(shared), field(t, 'shared'), `${name} ${label(t)}`);
    tally.check(t, shared !== undefined, ecAcceptable);
  });
  tally.finish('rejected: compressed points are not allowed in TLS');
}

const X25519_PATHS: { name: string; agree: (privateRaw: Uint8Array, peer: Uint8Array) => Uint8Array; skip: string | false }[] = [
  { name: 'x25519Agree (node:crypto KeyObjects)', agree: x25519Agree, skip: false },
  {
    name: 'native addon (raw EVP_PKEY)',
    agree: (privateRaw, peer) => nativeX25519Exchange(privateRaw)!.agree(peer),
    skip: nativeCrypto.available ? false : `native addon ${nativeCrypto.reason}`,
  },
];

for (const path of X25519_PATHS) describe(`Wycheproof X25519: ${path.name}`, { skip: path.skip }, () => {
  const x25519Agree = path.agree;
  it('matches every vector and rejects all-zero secrets', () => {
    const name = 'x25519_test.json';
    const file = loadWycheproof(name);
    const tally = new Tally(name, file.numberOfTests);
    forEachCase(file, (_g, t) => {
      const shared = agree(() => x25519Agree(hexField(t, 'private'), hexField(t, 'public')), `${name} ${label(t)}`);
      if (shared) assert.equal(toHex(shared), field(t, 'shared'), `${name} ${label(t)}`);
      tally.check(t, shared !== undefined, (tc, accepted) => {
        const zero = /^0+$/.test(field(tc, 'shared'));
        if (zero && accepted) return 'the all-zero shared secret must be rejected (RFC 7748 §6.1, RFC 8446 §7.4.2)';
        if (!zero && !accepted) return 'a non-degenerate public value (twist, non-canonical, ...) was rejected';
        return undefined;
      });
    });
    tally.finish('all-zero shared secret rejected; twist, low-order with a non-zero result and non-canonical u accepted with the RFC 7748 result');
  });
});

describe('Wycheproof ECDH', () => {
  it('P-256 raw points (TLS wire format) match every vector', () => runEcdhPoint('ecdh_secp256r1_ecpoint_test.json', NamedGroup.secp256r1));
  it('P-384 raw points (TLS wire format) match every vector', () => runEcdhPoint('ecdh_secp384r1_ecpoint_test.json', NamedGroup.secp384r1));
  it('P-256 SPKI-encoded public keys match every vector', () => runEcdhAsn('ecdh_secp256r1_test.json', NamedGroup.secp256r1, 'prime256v1'));
  it('P-384 SPKI-encoded public keys match every vector', () => runEcdhAsn('ecdh_secp384r1_test.json', NamedGroup.secp384r1, 'secp384r1'));
});
