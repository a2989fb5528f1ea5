/**
 * Wycheproof: RSAES-PKCS1-v1_5 decryption, done the way the engine does it:
 * PrivateKey.rsaDecryptRaw (no padding) then pkcs1v15Unpad, and the TLS
 * pre-master selection tlsPreMasterFromRsa on every decrypted block.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultProvider as p } from '../../src/crypto/node.js';
import { KeyExchangeError } from '../../src/crypto/provider.js';
import { pkcs1v15Unpad, tlsPreMasterFromRsa } from '../../src/crypto/rsa-pkcs1.js';
import { Tally, field, hexField, label, loadWycheproof, toHex } from './wycheproof-support.js';

async function runPkcs1Decrypt(name: string): Promise<void> {
  const file = loadWycheproof(name);
  const tally = new Tally(name, file.numberOfTests);
  let rejectedAtDecrypt = 0;
  for (const g of file.testGroups) {
    // The files carry the key as PKCS#8 DER (also PEM and JWK); loadPrivateKey takes PKCS#8 DER.
    const key = p.loadPrivateKey(hexField(g, 'privateKeyPkcs8'));
    assert.equal(key.kind, 'rsa');
    assert.ok(key.rsaDecryptRaw, 'the node provider offers rsaDecryptRaw');
    for (const t of g.tests) {
      let em: Uint8Array | undefined;
      try {
        em = await key.rsaDecryptRaw(hexField(t, 'ct'));
      } catch (e) {
        // Only public facts may cause this: a ciphertext of the wrong length or not below n.
        assert.ok(e instanceof KeyExchangeError, `${name} ${label(t)}: threw ${String(e)}`);
        assert.ok(t.flags.includes('InvalidCiphertextFormat'), `${name} ${label(t)}: decrypt refused a well-formed ciphertext`);
        rejectedAtDecrypt++;
      }
      const msg: Uint8Array | null = em ? pkcs1v15Unpad(em) : null;
      if (t.result === 'valid') assert.equal(msg && toHex(msg), field(t, 'msg'), `${name} ${label(t)}`);
      tally.check(t, msg !== null);

      if (em) {
        // The TLS countermeasure agrees with the generic unpadding on every block.
        const random = p.randomBytes(48);
        const version: number = msg && msg.length === 48 ? (msg[0]! << 8) | msg[1]! : 0x0303;
        const expected: Uint8Array = msg && msg.length === 48 ? msg : random;
        assert.equal(toHex(tlsPreMasterFromRsa(em, version, random)), toHex(expected), `${name} ${label(t)}: tlsPreMasterFromRsa`);
      }
    }
  }
  tally.finish();
  console.log(`  (${name}: ${rejectedAtDecrypt} malformed ciphertexts refused by rsaDecryptRaw, the other invalid ones by the unpadding)`);
}

describe('Wycheproof RSAES-PKCS1-v1_5 decryption', () => {
  it('rsaDecryptRaw + pkcs1v15Unpad decrypt rsa_pkcs1_2048 exactly as the vectors say', () => runPkcs1Decrypt('rsa_pkcs1_2048_test.json'));
  it('rsaDecryptRaw + pkcs1v15Unpad decrypt rsa_pkcs1_3072 exactly as the vectors say', () => runPkcs1Decrypt('rsa_pkcs1_3072_test.json'));
});
