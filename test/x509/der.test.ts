import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { DerReader, Tag, der, oidToBytes, oidToString, parseSingle, parseUtcTime, parseGeneralizedTime, checkInteger } from '../../src/x509/der.js';
import { Certificate, DerError, X509Error, createTestPki, parsePrivateKey } from '../../src/x509/index.js';

const h = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s/g, ''), 'hex'));
const derCode = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof DerError, `expected DerError, got ${(e as Error).name}: ${(e as Error).message}`);
    return e.code;
  }
  assert.fail('did not throw');
};

describe('strict DER', () => {
  it('rejects indefinite lengths', () => assert.equal(derCode(() => parseSingle(h('3080 0500 0000'), Tag.SEQUENCE)), 'DER_INDEFINITE_LENGTH'));
  it('rejects non-minimal lengths', () => {
    assert.equal(derCode(() => parseSingle(h('30 81 02 0500'), Tag.SEQUENCE)), 'DER_NON_MINIMAL_LENGTH');
    assert.equal(derCode(() => parseSingle(h('30 82 0002 0500'), Tag.SEQUENCE)), 'DER_NON_MINIMAL_LENGTH');
  });
  it('rejects over-long length fields', () => assert.equal(derCode(() => parseSingle(h('30 85 0000000002 0500'), Tag.SEQUENCE)), 'DER_BAD_LENGTH'));
  it('rejects truncated data', () => assert.equal(derCode(() => parseSingle(h('30 05 0500'), Tag.SEQUENCE)), 'DER_TRUNCATED'));
  it('rejects trailing bytes', () => assert.equal(derCode(() => parseSingle(h('3000 00'), Tag.SEQUENCE)), 'DER_TRAILING_DATA'));
  it('rejects wrong tags', () => assert.equal(derCode(() => parseSingle(h('3100'), Tag.SEQUENCE)), 'DER_UNEXPECTED_TAG'));
  it('rejects high tag numbers', () => assert.equal(derCode(() => new DerReader(h('1f2200')).readAny()), 'DER_BAD_TAG'));
  it('rejects non-minimal integers', () => {
    assert.equal(derCode(() => checkInteger(h('0001'))), 'DER_BAD_INTEGER');
    assert.equal(derCode(() => checkInteger(h('ff80'))), 'DER_BAD_INTEGER');
    assert.equal(derCode(() => checkInteger(new Uint8Array(0))), 'DER_BAD_INTEGER');
    checkInteger(h('0080'));
    checkInteger(h('ff7f'));
  });
  it('rejects BER booleans and bit strings with set unused bits', () => {
    assert.equal(derCode(() => new DerReader(h('010101')).readBoolean()), 'DER_BAD_BOOLEAN');
    assert.equal(derCode(() => new DerReader(h('03020101')).readBitString()), 'DER_BAD_BIT_STRING');
  });
  it('rejects non-minimal OID arcs and round-trips OIDs', () => {
    assert.equal(derCode(() => oidToString(h('2a8001'))), 'DER_BAD_OID');
    for (const o of ['1.2.840.113549.1.1.11', '2.5.29.17', '2.999.1', '0.9.2342.19200300.100.1.25']) assert.equal(oidToString(oidToBytes(o)), o);
  });
  it('parses times strictly', () => {
    const t = parseUtcTime(Buffer.from('491231235959Z'));
    assert.equal(t.year, 2049);
    assert.equal(parseUtcTime(Buffer.from('500101000000Z')).year, 1950);
    assert.equal(derCode(() => parseUtcTime(Buffer.from('4912312359Z'))), 'DER_BAD_TIME');
    assert.equal(derCode(() => parseUtcTime(Buffer.from('491231235959+0000'))), 'DER_BAD_TIME');
    assert.equal(derCode(() => parseGeneralizedTime(Buffer.from('20500101000000.5Z'))), 'DER_BAD_TIME');
    assert.equal(derCode(() => parseUtcTime(Buffer.from('490230000000Z'))), 'DER_BAD_TIME');
    assert.equal(parseGeneralizedTime(Buffer.from('20240229120000Z')).day, 29);
  });
  it('writes what it reads (integers, sets sorted, named bits, times)', () => {
    assert.deepEqual(der.int(0), h('020100'));
    assert.deepEqual(der.int(128), h('02020080'));
    assert.deepEqual(der.int(-129), h('0202ff7f'));
    assert.deepEqual(der.setOf(h('0401ff'), h('040100')), h('3106 040100 0401ff'));
    assert.deepEqual(der.namedBits([0, 5]), h('03020284'));
    assert.deepEqual(der.time(new Date(Date.UTC(2050, 0, 1))), new Uint8Array(Buffer.concat([Buffer.from([0x18, 15]), Buffer.from('20500101000000Z')])));
    const big = der.octets(new Uint8Array(300));
    assert.equal(parseSingle(big, Tag.OCTET_STRING).value.length, 300);
  });
});

describe('certificate parsing never throws anything but typed errors', () => {
  it('turns every single-byte corruption of a certificate into a DerError/X509Error or a parse', async () => {
    const pki = await createTestPki();
    const good = pki.leaf.der;
    for (let i = 0; i < good.length; i += 3) {
      for (const x of [0x00, 0xff, 0x80]) {
        const b = Uint8Array.from(good);
        b[i] = x;
        try {
          Certificate.fromDer(b);
        } catch (e) {
          assert.ok(e instanceof DerError || e instanceof X509Error, `byte ${i}: ${(e as Error).name} ${(e as Error).message}`);
        }
      }
    }
    for (let n = 0; n < good.length; n += 7) {
      assert.throws(() => Certificate.fromDer(good.subarray(0, n)), (e: unknown) => e instanceof DerError || e instanceof X509Error);
    }
  });

  it('parses v1 certificates and refuses them as CAs', () => {
    // A v1 certificate is fine as a leaf or trust anchor but cannot carry basicConstraints.
    const c = Certificate.fromPem(
      `-----BEGIN CERTIFICATE-----\n${Buffer.from(der.seq(der.seq(der.int(1), der.seq(der.oid('1.2.840.10045.4.3.2')), der.seq(), der.seq(der.time(new Date(0 + 1e12)), der.time(new Date(2e12))), der.seq(), der.seq(der.seq(der.oid('1.3.101.112')), der.bits(new Uint8Array(32)))), der.seq(der.oid('1.2.840.10045.4.3.2')), der.bits(Uint8Array.of(0)))).toString('base64')}\n-----END CERTIFICATE-----\n`,
    );
    assert.equal(c.version, 1);
    assert.equal(c.basicConstraints, undefined);
  });
});

describe('private keys', () => {
  const pems = {
    pkcs8ec: generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    sec1: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'sec1', format: 'pem' }) as string,
    pkcs1: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }) as string,
    pkcs8rsa: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    ed25519: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  };
  it('parses PKCS#8, PKCS#1 and SEC1 PEM', () => {
    assert.deepEqual([parsePrivateKey(pems.pkcs8ec).format, parsePrivateKey(pems.pkcs8ec).curve], ['pkcs8', 'P-384']);
    assert.deepEqual([parsePrivateKey(pems.sec1).format, parsePrivateKey(pems.sec1).curve], ['sec1', 'P-256']);
    assert.deepEqual([parsePrivateKey(pems.pkcs1).format, parsePrivateKey(pems.pkcs1).type], ['pkcs1', 'rsa']);
    assert.equal(parsePrivateKey(pems.pkcs8rsa).publicKey.type, 'rsa');
    assert.equal(parsePrivateKey(pems.ed25519).type, 'ed25519');
  });
  it('names what is wrong with a malformed key', () => {
    const broken = pems.sec1.replace(/\n[A-Za-z0-9+/]{8}/, '\nAAAAAAAA');
    assert.throws(() => parsePrivateKey(broken), X509Error);
    assert.throws(() => parsePrivateKey('no key here'), { name: 'X509Error', code: 'X509_BAD_PRIVATE_KEY' });
    const enc = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-128-cbc', passphrase: 'pw' }) as string;
    assert.throws(() => parsePrivateKey(enc), { name: 'X509Error', code: 'X509_BAD_PRIVATE_KEY' });
    assert.equal(parsePrivateKey(enc, { passphrase: 'pw' }).curve, 'P-256');
  });
});
