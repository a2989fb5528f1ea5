/**
 * Wycheproof: signature verification (ECDSA, Ed25519, RSASSA-PKCS1-v1_5,
 * RSASSA-PSS) through CryptoProvider.verifySync / verify with the file's SPKI.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultProvider as p } from '../../src/crypto/node.js';
import type { SignatureAlgorithm } from '../../src/crypto/provider.js';
import { Tally, field, forEachCase, hashOf, hexField, label, loadWycheproof, numField, type WycheproofGroup, type WycheproofTest } from './wycheproof-support.js';

/**
 * Verify every case of a signature file. `algorithmFor` maps a group to the
 * provider's SignatureAlgorithm, or to a reason string when out of scope.
 */
function runVerify(
  name: string,
  algorithmFor: (g: WycheproofGroup) => SignatureAlgorithm | string,
  acceptableTreatment?: string,
  acceptablePolicy?: (t: WycheproofTest, accepted: boolean) => string | undefined,
): Promise<void> {
  const file = loadWycheproof(name);
  const tally = new Tally(name, file.numberOfTests);
  const pending: Promise<void>[] = [];
  forEachCase(file, (g, t) => {
    const alg = algorithmFor(g);
    if (typeof alg === 'string') {
      tally.skip(alg);
      return;
    }
    const spki = hexField(g, 'publicKeyDer');
    const msg = hexField(t, 'msg');
    const sig = hexField(t, 'sig');
    const ok = p.verifySync(spki, alg, msg, sig);
    tally.check(t, ok, acceptablePolicy);
    // The async twin must agree.
    pending.push(p.verify(spki, alg, msg, sig).then((a) => assert.equal(a, ok, `${name} ${label(t)}: verify != verifySync`)));
  });
  return Promise.all(pending).then(() => tally.finish(acceptableTreatment));
}

describe('Wycheproof ECDSA', () => {
  const ecdsa = (g: WycheproofGroup): SignatureAlgorithm => ({ kind: 'ecdsa', hash: hashOf(field(g, 'sha')) });
  it('P-256 / SHA-256 DER signatures verify exactly as the vectors say', () => runVerify('ecdsa_secp256r1_sha256_test.json', ecdsa));
  it('P-384 / SHA-384 DER signatures verify exactly as the vectors say', () => runVerify('ecdsa_secp384r1_sha384_test.json', ecdsa));
  it('P-521 / SHA-512 DER signatures verify exactly as the vectors say', () => runVerify('ecdsa_secp521r1_sha512_test.json', ecdsa));
});

describe('Wycheproof Ed25519', () => {
  it('Ed25519 signatures verify exactly as the vectors say', () => runVerify('ed25519_test.json', () => ({ kind: 'ed25519' })));
});

describe('Wycheproof RSASSA-PKCS1-v1_5', () => {
  const pkcs1 = (g: WycheproofGroup): SignatureAlgorithm => ({ kind: 'rsa-pkcs1', hash: hashOf(field(g, 'sha')) });
  // The one acceptable case per file is a DigestInfo without the NULL parameters
  // (RFC 8017 §9.2 note 2 lets verifiers accept it). OpenSSL 3 builds the expected
  // DigestInfo with NULL and compares, so it rejects; the Tally records which way it went.
  const missingNull = 'DigestInfo without NULL parameters (MissingNull): rejected, OpenSSL compares against the encoding with NULL';
  const rejectMissingNull = (t: WycheproofTest, accepted: boolean): string | undefined =>
    accepted ? `acceptable case accepted (${t.flags.join(',')}); documented treatment is rejection` : undefined;
  for (const f of [
    'rsa_signature_2048_sha256_test.json',
    'rsa_signature_2048_sha384_test.json',
    'rsa_signature_2048_sha512_test.json',
    'rsa_signature_3072_sha256_test.json',
    'rsa_signature_4096_sha512_test.json',
  ]) {
    it(`${f} verifies exactly as the vectors say`, () => runVerify(f, pkcs1, missingNull, rejectMissingNull));
  }
});

describe('Wycheproof RSASSA-PSS', () => {
  /**
   * The TLS rsa_pss_rsae_* / rsa_pss_pss_* schemes fix MGF1 with the message hash and
   * a salt as long as the hash (RFC 8446 §4.2.3); the provider's SignatureAlgorithm
   * has one hash for both. Files whose MGF hash differs cannot be expressed and are out of scope.
   */
  const pss = (g: WycheproofGroup): SignatureAlgorithm | string => {
    if (field(g, 'mgf') !== 'MGF1') return `${field(g, 'mgf')} groups (only MGF1 exists in TLS)`;
    if (field(g, 'mgfSha') !== field(g, 'sha')) return 'groups whose MGF1 hash differs from the message hash (SignatureAlgorithm has one hash)';
    return { kind: 'rsa-pss', hash: hashOf(field(g, 'sha')), saltLength: numField(g, 'sLen') };
  };
  for (const f of [
    'rsa_pss_2048_sha256_mgf1_32_test.json',
    'rsa_pss_2048_sha384_mgf1_48_test.json',
    'rsa_pss_3072_sha256_mgf1_32_test.json',
    'rsa_pss_4096_sha512_mgf1_64_test.json',
  ]) {
    it(`${f} verifies exactly as the vectors say`, () => runVerify(f, pss));
  }
});
