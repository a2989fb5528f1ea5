/**
 * PKCS#1 v1.5 unpadding and the RFC 5246 §7.4.7.1 pre-master selection, on
 * blocks built by hand and on real RSA decryptions.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultProvider as p } from '../../src/crypto/node.js';
import { pkcs1v15Unpad, tlsPreMasterFromRsa } from '../../src/crypto/rsa-pkcs1.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** 00 02 PS 00 M for a k-byte modulus, PS of non-zero bytes. */
function block(k: number, m: Uint8Array): Uint8Array {
  const em = new Uint8Array(k);
  em[1] = 2;
  for (let i = 2; i < k - m.length - 1; i++) em[i] = 1 + ((i * 37) % 255);
  em.set(m, k - m.length);
  return em;
}

function premaster(version: number): Uint8Array {
  const pm = p.randomBytes(48);
  pm[0] = version >> 8;
  pm[1] = version & 0xff;
  return pm;
}

describe('pkcs1v15Unpad', () => {
  it('returns the message of a well-formed block, including an empty one', () => {
    assert.equal(hex(pkcs1v15Unpad(block(256, Uint8Array.of(1, 2, 3)))!), '010203');
    assert.equal(pkcs1v15Unpad(block(256, new Uint8Array(0)))!.length, 0);
    assert.equal(hex(pkcs1v15Unpad(block(256, new Uint8Array(245).fill(7)))!), '07'.repeat(245));
  });

  it('rejects a wrong first byte, a wrong block type, a short PS and a missing separator', () => {
    const m = Uint8Array.of(1, 2, 3);
    const first = block(256, m);
    first[0] = 1;
    const type1 = block(256, m);
    type1[1] = 1;
    const shortPs = block(256, new Uint8Array(246)); // PS = 7 bytes
    shortPs.fill(0, 9); // separator at 9, then zero message
    const noSep = block(256, m);
    noSep[256 - 4] = 0xaa;
    const zeroInPs = block(256, m);
    zeroInPs[5] = 0; // separator now at 5: PS only 3 bytes
    for (const em of [first, type1, shortPs, noSep, zeroInPs, new Uint8Array(10), new Uint8Array(256)]) {
      assert.equal(pkcs1v15Unpad(em), null, hex(em).slice(0, 24));
    }
  });

  it('accepts exactly 8 padding bytes', () => {
    const em = new Uint8Array(64);
    em[1] = 2;
    em.fill(0x55, 2, 10);
    em[10] = 0;
    em.fill(9, 11);
    assert.equal(pkcs1v15Unpad(em)!.length, 53);
  });
});

describe('tlsPreMasterFromRsa (RFC 5246 §7.4.7.1)', () => {
  const random = p.randomBytes(48);

  it('returns the pre-master for a good block with the right version', () => {
    const pm = premaster(0x0303);
    assert.equal(hex(tlsPreMasterFromRsa(block(256, pm), 0x0303, random)), hex(pm));
  });

  it('returns the random bytes (a copy) when anything is wrong', () => {
    const pm = premaster(0x0303);
    const wrongType = block(256, pm);
    wrongType[1] = 1;
    const wrongFirst = block(256, pm);
    wrongFirst[0] = 0x80;
    const zeroInPs = block(256, pm);
    zeroInPs[100] = 0;
    const noSep = block(256, pm);
    noSep[256 - 49] = 1;
    const cases: [string, Uint8Array, number][] = [
      ['wrong version', block(256, pm), 0x0302],
      ['wrong minor version only', block(256, premaster(0x0301)), 0x0303],
      ['47-byte message', block(256, pm.subarray(1)), 0x0303],
      ['49-byte message', block(256, Uint8Array.of(3, 3, ...pm)), 0x0303],
      ['block type 1', wrongType, 0x0303],
      ['first byte not zero', wrongFirst, 0x0303],
      ['zero inside PS', zeroInPs, 0x0303],
      ['no separator', noSep, 0x0303],
      ['all zero', new Uint8Array(256), 0x0303],
      ['too short to hold 48 bytes', block(58, pm.subarray(0, 40)), 0x0303],
    ];
    for (const [what, em, version] of cases) {
      const out = tlsPreMasterFromRsa(em, version, random);
      assert.equal(hex(out), hex(random), what);
      assert.notEqual(out, random, 'a copy, not the caller array');
    }
  });

  it('works on real RSA-encrypted pre-masters through rsaDecryptRaw', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const key = p.loadPrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' }) as string);
    for (const version of [0x0303, 0x0302]) {
      const pm = premaster(version);
      const ct = await p.rsaEncryptPkcs1(key.spki, pm);
      const em = await key.rsaDecryptRaw!(ct);
      assert.equal(hex(tlsPreMasterFromRsa(em, version, random)), hex(pm));
      assert.equal(hex(tlsPreMasterFromRsa(em, 0x0303 ^ 0x0302 ^ version, random)), hex(random));
    }
    // A message of the wrong length decrypts fine but is not a pre-master.
    const em = await key.rsaDecryptRaw!(await p.rsaEncryptPkcs1(key.spki, new Uint8Array(47).fill(3)));
    assert.equal(hex(tlsPreMasterFromRsa(em, 0x0303, random)), hex(random));
  });

  it('rejects a random value that is not 48 bytes', () => {
    assert.throws(() => tlsPreMasterFromRsa(new Uint8Array(256), 0x0303, new Uint8Array(47)), RangeError);
  });
});
