import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createHash } from 'node:crypto';
import type { DetailedPeerCertificate } from 'node:tls';
import { createTestPki, toPeerCertificate, formatNodeTime, type TestPki } from '../../src/x509/index.js';

describe('toPeerCertificate (Node tls.PeerCertificate shape)', () => {
  let ec: TestPki;
  let rsa: TestPki;
  before(async () => {
    ec = await createTestPki({ hostnames: ['a.example', '127.0.0.1', '::1'] });
    rsa = await createTestPki({ hostnames: ['b.example'], keyType: 'rsa' });
  });

  it('has the leaf fields Node users expect, in Node’s formats', () => {
    const leaf = ec.leaf.certificate;
    const p = toPeerCertificate([leaf, ec.intermediate.certificate, ec.root.certificate], false);
    const x = new X509Certificate(Buffer.from(leaf.der));
    assert.deepEqual({ ...p.subject }, { CN: 'a.example' });
    assert.equal(Object.getPrototypeOf(p.subject), null);
    assert.deepEqual({ ...p.issuer }, { O: 'ts-tls test PKI', CN: 'ts-tls Test Intermediate CA' });
    assert.equal(p.subjectaltname, 'DNS:a.example, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    assert.equal(p.subjectaltname, x.subjectAltName);
    assert.equal(p.valid_from, x.validFrom);
    assert.equal(p.valid_to, x.validTo);
    assert.match(p.valid_from, /^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4} GMT$/);
    assert.equal(p.fingerprint256, x.fingerprint256);
    assert.equal(p.fingerprint, x.fingerprint);
    assert.equal(p.fingerprint512, x.fingerprint512);
    assert.equal(p.serialNumber, x.serialNumber);
    assert.match(p.serialNumber, /^[0-9A-F]+$/);
    assert.ok(Buffer.isBuffer(p.raw));
    assert.deepEqual(p.raw, x.raw);
    assert.deepEqual(p.ext_key_usage, ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    assert.equal(p.ca, false);
    assert.equal(p.bits, 256);
    assert.equal(p.asn1Curve, 'prime256v1');
    assert.equal(p.nistCurve, 'P-256');
    // As node:tls: an EC key is the raw point (0x04 || X || Y), the SPKI's last 65 bytes for P-256.
    assert.deepEqual(p.pubkey, Buffer.from(leaf.spki).subarray(-65));
    assert.equal(p.pubkey[0], 4);
    assert.equal('issuerCertificate' in p, false);
  });

  it('gives modulus, exponent and bits for RSA keys', () => {
    const p = toPeerCertificate([rsa.leaf.certificate], false);
    const jwk = new X509Certificate(Buffer.from(rsa.leaf.der)).publicKey.export({ format: 'jwk' });
    assert.equal(p.bits, 2048);
    assert.equal(p.exponent, '0x10001');
    assert.equal(p.modulus, Buffer.from(jwk.n!, 'base64url').toString('hex').toUpperCase());
  });

  it('links issuerCertificate through the chain, a self-signed root to itself', () => {
    const d = toPeerCertificate([ec.leaf.certificate, ec.intermediate.certificate, ec.root.certificate], true) as DetailedPeerCertificate;
    assert.equal(d.issuerCertificate.subject.CN, 'ts-tls Test Intermediate CA');
    const rootObj = d.issuerCertificate.issuerCertificate;
    assert.equal(rootObj.subject.CN, 'ts-tls Test Root CA');
    assert.equal(rootObj.issuerCertificate, rootObj);
    assert.equal(rootObj.ca, true);
    assert.equal(rootObj.fingerprint256, createHash('sha256').update(ec.root.der).digest('hex').toUpperCase().match(/../g)!.join(':'));
  });

  it('formats times as OpenSSL does (space-padded day)', () => {
    assert.equal(formatNodeTime({ year: 2026, month: 11, day: 3, hours: 1, minutes: 2, seconds: 3, ms: 0 }), 'Nov  3 01:02:03 2026 GMT');
    assert.equal(formatNodeTime({ year: 2026, month: 11, day: 23, hours: 11, minutes: 9, seconds: 0, ms: 0 }), 'Nov 23 11:09:00 2026 GMT');
  });

  it('returns an empty object for an empty chain', () => {
    assert.deepEqual(toPeerCertificate([], true), {});
  });
});
