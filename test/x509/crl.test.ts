import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { sign as nodeSign } from 'node:crypto';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { opensslIn } from '../helpers/openssl.js';
import {
  alertForVerifyCode,
  CertificateRevocationList,
  createCertificate,
  createCrl,
  createTestPki,
  der,
  encodeCertificateList,
  encodeTbsCertList,
  generateKeyPair,
  limits,
  toCrls,
  verifyCertificateChain,
  verifyCertificateChainSync,
  X509Error,
  type CrlOptions,
  type IssuedCertificate,
  type IssuedCrl,
  type TestPki,
  type VerifyChainOptions,
  type VerifyChainResult,
} from '../../src/x509/index.js';
import { OID } from '../../src/x509/oids.js';
import { defaultProvider } from '../../src/crypto/node.js';
import type { CryptoProvider } from '../../src/crypto/provider.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const opensslMissing = spawnSync('openssl', ['version'], { encoding: 'utf8' }).status === 0 ? undefined : 'the openssl CLI is not installed';


/** OpenSSL's X509_V_ERR numbers for the verdicts compared below. */
const OPENSSL_ERRORS: Record<number, string> = {
  3: 'UNABLE_TO_GET_CRL',
  8: 'CRL_SIGNATURE_FAILURE',
  11: 'CRL_NOT_YET_VALID',
  12: 'CRL_HAS_EXPIRED',
  23: 'CERT_REVOKED',
  35: 'KEYUSAGE_NO_CRL_SIGN',
  36: 'UNHANDLED_CRITICAL_CRL_EXTENSION',
};

/** `openssl verify -crl_check_all` (Node's flags with a `crl` option): 'OK' or our name for its error, with the depth. */
function opensslVerdict(root: string, inter: string | undefined, leaf: string, crls: readonly IssuedCrl[]): string {
  const args = ['verify', '-crl_check_all', '-CAfile', 'root.pem', ...(inter ? ['-untrusted', 'inter.pem'] : []), '-CRLfile', 'crls.pem', 'leaf.pem'];
  const r = opensslIn(args, { 'root.pem': root, 'inter.pem': inter ?? '', 'leaf.pem': leaf, 'crls.pem': crls.map((c) => c.pem).join('') });
  if (r.ok && /leaf\.pem: OK/.test(r.out)) return 'OK';
  const m = /error (\d+) at (\d+) depth/.exec(r.out);
  if (!m) return `unparsed: ${r.out}`;
  return `${OPENSSL_ERRORS[Number(m[1])] ?? `X509_V_ERR ${m[1]}`}@${m[2]}`;
}

const ext = (oid: string, critical: boolean, value: Uint8Array): { oid: string; critical: boolean; value: Uint8Array } => ({ oid, critical, value });

/** Flip one bit of the last signature octet: the structure stays valid, the signature does not. */
function tamperSignature(d: Uint8Array): Uint8Array {
  const out = Uint8Array.from(d);
  out[out.length - 1]! ^= 0x01;
  return out;
}

describe('CertificateRevocationList: the codec', () => {
  let pki: TestPki;
  before(async () => {
    pki = await createTestPki();
  });

  it('encodes and parses back every field, and re-encoding the parsed fields gives the same bytes', async () => {
    const thisUpdate = new Date(Date.UTC(2025, 0, 2, 3, 4, 5));
    const nextUpdate = new Date(Date.UTC(2051, 0, 9, 3, 4, 5)); // GeneralizedTime from 2050
    const revokedAt = new Date(Date.UTC(2024, 11, 31, 23, 59, 59));
    const invalid = new Date(Date.UTC(2024, 11, 30, 12, 0, 0));
    const c = await createCrl({
      issuer: pki.intermediate,
      thisUpdate,
      nextUpdate,
      crlNumber: 0x0102030405060708090an,
      revoked: [
        { serial: pki.leaf.certificate.serialNumber, revocationDate: revokedAt, reason: 'keyCompromise', invalidityDate: invalid },
        { serial: 0x7fn },
        { serial: 0x80n, reason: 'certificateHold' },
        { serial: Uint8Array.of(0xff, 0x01), reason: 'unspecified' }, // a negative serial, as content octets
      ],
    });
    const crl = CertificateRevocationList.fromDer(c.der);
    assert.equal(crl.version, 2);
    assert.deepEqual(crl.issuerRaw, pki.intermediate.certificate.tbs.subjectRaw);
    assert.equal(crl.issuerString, pki.intermediate.certificate.subjectString);
    assert.deepEqual(crl.thisUpdate, thisUpdate);
    assert.deepEqual(crl.nextUpdate, nextUpdate);
    assert.equal(crl.crlNumber, 0x0102030405060708090an);
    assert.deepEqual(crl.authorityKeyIdentifier?.keyIdentifier, pki.intermediate.certificate.subjectKeyIdentifier);
    assert.equal(crl.signatureAlgorithm?.name, 'ecdsa-with-SHA256');
    assert.equal(crl.size, 4);
    assert.equal(crl.unsupported, undefined);
    assert.equal(crl.unhandledCriticalExtension, undefined);
    const leafEntry = crl.getEntry(pki.leaf.certificate.serialNumber);
    assert.ok(leafEntry);
    assert.deepEqual(leafEntry.revocationDate, revokedAt);
    assert.equal(leafEntry.reason, 'keyCompromise');
    assert.deepEqual(leafEntry.invalidityDate, invalid);
    assert.equal(crl.getEntry(Uint8Array.of(0x00, 0x80))?.reason, 'certificateHold');
    assert.equal(crl.getEntry(Uint8Array.of(0x7f))?.reason, undefined);
    assert.ok(crl.isRevoked(Uint8Array.of(0xff, 0x01)));
    assert.ok(!crl.isRevoked(Uint8Array.of(0x01, 0xff)));
    assert.ok(!crl.isRevoked(pki.intermediate.certificate.serialNumber));
    assert.equal([...crl.entries()].length, 4);

    const again = encodeCertificateList(
      encodeTbsCertList({
        signatureAlgorithm: crl.signatureAlgorithmRaw,
        issuer: crl.issuerRaw,
        thisUpdate: crl.thisUpdate,
        ...(crl.nextUpdate ? { nextUpdate: crl.nextUpdate } : {}),
        revoked: [...crl.entries()].map((e) => ({ serialNumber: e.serialNumber, revocationDate: e.revocationDate, extensions: [...e.extensions.values()] })),
        extensions: [...crl.extensions.values()],
      }),
      crl.signatureAlgorithmRaw,
      crl.signature,
    );
    assert.deepEqual(again, c.der);
  });

  it('writes a v1 CRL (no version, no extensions) when nothing needs v2, and parses it', async () => {
    const c = await createCrl({ issuer: pki.root, authorityKeyIdentifier: false, crlNumber: 1 });
    const v2 = CertificateRevocationList.fromDer(c.der);
    assert.equal(v2.version, 2); // cRLNumber is always written
    const tbs = encodeTbsCertList({ signatureAlgorithm: v2.signatureAlgorithmRaw, issuer: v2.issuerRaw, thisUpdate: v2.thisUpdate, revoked: [{ serialNumber: 5n, revocationDate: v2.thisUpdate }] });
    const v1 = CertificateRevocationList.fromDer(encodeCertificateList(tbs, v2.signatureAlgorithmRaw, v2.signature));
    assert.equal(v1.version, 1);
    assert.equal(v1.nextUpdate, undefined);
    assert.equal(v1.crlNumber, undefined);
    assert.ok(v1.isRevoked(Uint8Array.of(5)));
  });

  it('reads every CRL of a PEM string, PEM bytes, DER bytes and parsed lists (toCrls)', async () => {
    const a = await createCrl({ issuer: pki.root });
    const b = await createCrl({ issuer: pki.intermediate });
    const text = `junk before\n${a.pem}between\n${b.pem}`;
    assert.equal(CertificateRevocationList.parseAll(text).length, 2);
    assert.equal(CertificateRevocationList.parseAll(new TextEncoder().encode(text)).length, 2);
    assert.deepEqual(CertificateRevocationList.fromPem(text).der, a.der);
    assert.equal(a.crl.toPem(), a.pem);
    const all = toCrls([text, b.der, a.crl]);
    assert.equal(all.length, 4);
    assert.equal(all[3], a.crl);
    assert.deepEqual(toCrls([]), []);
  });

  it('refuses malformed CRLs with X509Error X509_BAD_CRL', async () => {
    const c = await createCrl({ issuer: pki.intermediate, revoked: [{ serial: 9n }] });
    const crl = c.crl;
    const bad = (d: Uint8Array, re: RegExp): void => {
      assert.throws(
        () => CertificateRevocationList.fromDer(d),
        (e: unknown) => e instanceof X509Error && e.code === 'X509_BAD_CRL' && re.test(e.message),
      );
    };
    const otherAlg = der.seq(der.oid(OID.ecdsaWithSHA384));
    const tbsWith = (f: Partial<Parameters<typeof encodeTbsCertList>[0]>): Uint8Array =>
      encodeTbsCertList({ signatureAlgorithm: crl.signatureAlgorithmRaw, issuer: crl.issuerRaw, thisUpdate: crl.thisUpdate, ...f });
    bad(encodeCertificateList(tbsWith({}), otherAlg, crl.signature), /differs from CertificateList\.signatureAlgorithm/);
    bad(encodeCertificateList(tbsWith({ nextUpdate: new Date(crl.thisUpdate.getTime() - 1000) }), crl.signatureAlgorithmRaw, crl.signature), /nextUpdate is before thisUpdate/);
    // version present but v1 (0): "if present, MUST be v2".
    const explicitV1 = der.seq(der.int(0), crl.signatureAlgorithmRaw, crl.issuerRaw, der.time(crl.thisUpdate));
    bad(encodeCertificateList(explicitV1, crl.signatureAlgorithmRaw, crl.signature), /version/);
    // Extensions in a v1 CRL.
    const v1WithExt = der.seq(crl.signatureAlgorithmRaw, crl.issuerRaw, der.time(crl.thisUpdate), der.explicit(0, der.seq(der.seq(der.oid(OID.cRLNumber), der.octets(der.int(1))))));
    bad(encodeCertificateList(v1WithExt, crl.signatureAlgorithmRaw, crl.signature), /v1 CRL/);
    const v1WithEntryExt = der.seq(
      crl.signatureAlgorithmRaw,
      crl.issuerRaw,
      der.time(crl.thisUpdate),
      der.seq(der.seq(der.int(1), der.time(crl.thisUpdate), der.seq(der.seq(der.oid(OID.reasonCode), der.octets(der.tlv(0x0a, Uint8Array.of(1))))))),
    );
    bad(encodeCertificateList(v1WithEntryExt, crl.signatureAlgorithmRaw, crl.signature), /v1 CRL/);
    // An unknown CRLReason (7 is unassigned).
    const reason7 = tbsWith({ revoked: [{ serialNumber: 1n, revocationDate: crl.thisUpdate, extensions: [ext(OID.reasonCode, false, der.tlv(0x0a, Uint8Array.of(7)))] }] });
    bad(encodeCertificateList(reason7, crl.signatureAlgorithmRaw, crl.signature), /CRLReason 7/);
    // A non-minimal serial: the encoder refuses it, and so does the parser.
    assert.throws(() => tbsWith({ revoked: [{ serialNumber: Uint8Array.of(0x00, 0x01), revocationDate: crl.thisUpdate }] }), X509Error);
    const fatSerial = der.seq(der.int(1), crl.signatureAlgorithmRaw, crl.issuerRaw, der.time(crl.thisUpdate), der.seq(der.seq(der.tlv(0x02, Uint8Array.of(0, 1)), der.time(crl.thisUpdate))));
    bad(encodeCertificateList(fatSerial, crl.signatureAlgorithmRaw, crl.signature), /leading 0x00/);
    // Duplicate CRL extensions.
    const dup = tbsWith({ extensions: [ext(OID.cRLNumber, false, der.int(1)), ext(OID.cRLNumber, false, der.int(2))] });
    bad(encodeCertificateList(dup, crl.signatureAlgorithmRaw, crl.signature), /appears twice/);
    // Trailing bytes after the CertificateList, and a non-minimal (BER) length.
    bad(Uint8Array.from([...c.der, 0]), /trailing/);
    const hdr = c.der[1]! < 0x80 ? 2 : 2 + (c.der[1]! & 0x7f);
    const body = c.der.subarray(hdr);
    const ber = Uint8Array.from([0x30, 0x84, body.length >>> 24, (body.length >> 16) & 0xff, (body.length >> 8) & 0xff, body.length & 0xff, ...body]);
    bad(ber, /length/);
    bad(new Uint8Array(0), /./);
    bad(new TextEncoder().encode('not a CRL at all'), /./);
  });

  it('never throws anything but X509Error for any truncation or any single-byte change', async () => {
    const c = await createCrl({ issuer: pki.intermediate, revoked: [{ serial: 1n, reason: 'superseded', invalidityDate: new Date() }, { serial: 2n }] });
    for (let n = 0; n < c.der.length; n++) {
      assert.throws(
        () => CertificateRevocationList.fromDer(c.der.subarray(0, n)),
        (e: unknown) => e instanceof X509Error && e.code === 'X509_BAD_CRL',
        `prefix of ${n} bytes`,
      );
    }
    for (let i = 0; i < c.der.length; i++) {
      for (const x of [0x01, 0x80, 0xff]) {
        const d = Uint8Array.from(c.der);
        d[i]! ^= x;
        try {
          CertificateRevocationList.fromDer(d);
        } catch (e) {
          assert.ok(e instanceof X509Error && e.code === 'X509_BAD_CRL', `byte ${i} ^ 0x${x.toString(16)}: ${String(e)}`);
        }
      }
    }
  });

  it('refuses a CRL over MAX_CRL_BYTES before reading it', () => {
    const big = new Uint8Array(limits.MAX_CRL_BYTES + 1);
    assert.throws(
      () => CertificateRevocationList.fromDer(big),
      (e: unknown) => e instanceof X509Error && e.code === 'X509_BAD_CRL' && /MAX_CRL_BYTES/.test(e.message),
    );
  });

  it('refuses a CRL with more than MAX_CRL_ENTRIES entries', () => {
    const d = crlWithEntries(limits.MAX_CRL_ENTRIES + 1);
    assert.ok(d.length <= limits.MAX_CRL_BYTES);
    assert.throws(
      () => CertificateRevocationList.fromDer(d),
      (e: unknown) => e instanceof X509Error && e.code === 'X509_BAD_CRL' && /MAX_CRL_ENTRIES/.test(e.message),
    );
    // The same layout with a few entries parses (the refusal is the count, not the shape).
    assert.equal(CertificateRevocationList.fromDer(crlWithEntries(3)).size, 3);
  });

  it('records what it parses but cannot honour: indirect CRLs, deltaCRLIndicator, certificateIssuer, unknown critical extensions, a critical cRLNumber', async () => {
    const idp = await createCrl({ issuer: pki.root, extensions: [ext(OID.issuingDistributionPoint, true, der.seq(der.implicit(1, Uint8Array.of(0xff))))] });
    assert.equal(idp.crl.unsupported, undefined);
    assert.equal(idp.crl.issuingDistributionPoint?.onlyContainsUserCerts, true);
    const indirectIdp = await createCrl({ issuer: pki.root, extensions: [ext(OID.issuingDistributionPoint, true, der.seq(der.implicit(4, Uint8Array.of(0xff))))] });
    assert.equal(indirectIdp.crl.unsupported, undefined);
    assert.equal(indirectIdp.crl.issuingDistributionPoint?.indirectCRL, true);
    // §5.2.3: cRLNumber is non-critical; a critical one makes the CRL unusable.
    const critNumber = CertificateRevocationList.fromDer(
      encodeCertificateList(
        encodeTbsCertList({ signatureAlgorithm: idp.crl.signatureAlgorithmRaw, issuer: idp.crl.issuerRaw, thisUpdate: new Date(), extensions: [ext(OID.cRLNumber, true, der.int(1))] }),
        idp.crl.signatureAlgorithmRaw,
        idp.crl.signature,
      ),
    );
    assert.equal(critNumber.unhandledCriticalExtension, OID.cRLNumber);
    const delta = await createCrl({ issuer: pki.root, extensions: [ext(OID.deltaCRLIndicator, true, der.int(1))] });
    assert.match(delta.crl.unsupported ?? '', /delta/);
    const indirect = await createCrl({ issuer: pki.root, revoked: [{ serial: 3n, extensions: [ext(OID.certificateIssuer, true, der.seq(der.explicit(4, pki.intermediate.certificate.tbs.subjectRaw)))] }] });
    assert.match(indirect.crl.unsupported ?? '', /certificateIssuer/);
    const crit = await createCrl({ issuer: pki.root, extensions: [ext('1.3.6.1.4.1.99999.1', true, der.null())] });
    assert.equal(crit.crl.unhandledCriticalExtension, '1.3.6.1.4.1.99999.1');
    const nonCrit = await createCrl({ issuer: pki.root, extensions: [ext('1.3.6.1.4.1.99999.1', false, der.null())] });
    assert.equal(nonCrit.crl.unhandledCriticalExtension, undefined);
    const critEntry = await createCrl({ issuer: pki.root, revoked: [{ serial: 3n, extensions: [ext('1.3.6.1.4.1.99999.2', true, der.null())] }] });
    assert.equal(critEntry.crl.unhandledCriticalExtension, '1.3.6.1.4.1.99999.2');
    const critReason = await createCrl({ issuer: pki.root, revoked: [{ serial: 3n, extensions: [ext(OID.reasonCode, true, der.tlv(0x0a, Uint8Array.of(1)))] }] });
    assert.equal(critReason.crl.unhandledCriticalExtension, undefined);
    assert.equal(critReason.crl.getEntry(Uint8Array.of(3))?.reason, 'keyCompromise');
  });

  it('refuses to sign with a key that is not the issuer certificate’s', async () => {
    const other = generateKeyPair();
    await assert.rejects(createCrl({ issuer: { certificate: pki.root.certificate, privateKeyPem: other.privateKeyPem } }), X509Error);
  });
});

/** An (unsigned) CRL of `n` entries, written straight into one buffer. */
function crlWithEntries(n: number): Uint8Array {
  const time = new TextEncoder().encode('250101000000Z');
  const entry = (i: number, out: Uint8Array, at: number): void => {
    // SEQUENCE { INTEGER (4 octets, positive), UTCTime }
    out.set([0x30, 6 + 15, 0x02, 0x04, 0x40 | ((i >>> 24) & 0x3f), (i >>> 16) & 0xff, (i >>> 8) & 0xff, i & 0xff, 0x17, 13], at);
    out.set(time, at + 10);
  };
  const entryLen = 23;
  const listLen = n * entryLen;
  const head = [der.seq(der.oid(OID.ecdsaWithSHA256)), der.seq(der.setOf(der.seq(der.oid(OID.commonName), der.utf8('Big CA')))), der.tlv(0x17, time)];
  const lenBytes = (l: number): number[] => (l < 0x80 ? [l] : l < 0x100 ? [0x81, l] : l < 0x10000 ? [0x82, l >> 8, l & 0xff] : l < 0x1000000 ? [0x83, l >> 16, (l >> 8) & 0xff, l & 0xff] : [0x84, l >>> 24, (l >> 16) & 0xff, (l >> 8) & 0xff, l & 0xff]);
  const listHeader = [0x30, ...lenBytes(listLen)];
  const headLen = head.reduce((a, h) => a + h.length, 0);
  const tbsLen = headLen + listHeader.length + listLen;
  const tbsHeader = [0x30, ...lenBytes(tbsLen)];
  const alg = head[0]!;
  const sig = der.bits(new Uint8Array(8));
  const outerLen = tbsHeader.length + tbsLen + alg.length + sig.length;
  const outerHeader = [0x30, ...lenBytes(outerLen)];
  const out = new Uint8Array(outerHeader.length + outerLen);
  let at = 0;
  const put = (b: ArrayLike<number>): void => {
    out.set(b, at);
    at += b.length;
  };
  put(outerHeader);
  put(tbsHeader);
  for (const h of head) put(h);
  put(listHeader);
  for (let i = 0; i < n; i++, at += entryLen) entry(i, out, at);
  put(alg);
  put(sig);
  return out;
}

describe('verifyCertificateChain with crls (root → intermediate → leaf)', () => {
  let pki: TestPki;
  let rootCrl: IssuedCrl;
  let interCrl: IssuedCrl;
  let base: VerifyChainOptions;
  const verify = (crls: VerifyChainOptions['crls'], extra: Partial<VerifyChainOptions> = {}): Promise<VerifyChainResult> => verifyCertificateChain({ ...base, ...(crls !== undefined ? { crls } : {}), ...extra });
  const crlBy = (issuer: CrlOptions['issuer'], o: Partial<CrlOptions> = {}): Promise<IssuedCrl> => createCrl({ issuer, ...o });

  before(async () => {
    pki = await createTestPki({ hostnames: ['leaf.example'] });
    rootCrl = await crlBy(pki.root);
    interCrl = await crlBy(pki.intermediate);
    base = { chain: pki.chainPem, trustAnchors: pki.rootPem, hostname: 'leaf.example' };
  });

  it('verifies as before without crls, and an empty list checks nothing', async () => {
    const r = await verify(undefined);
    assert.equal(r.valid, true, r.message);
    assert.equal(r.path?.length, 3);
    assert.equal((await verify([])).valid, true);
  });

  it('accepts a chain covered by a CRL at every level with nothing revoked (PEM, DER, parsed, one PEM string)', async () => {
    for (const crls of [[rootCrl.pem, interCrl.pem], [rootCrl.der, interCrl.der], [rootCrl.crl, interCrl.crl], interCrl.pem + rootCrl.pem]) {
      const r = await verify(crls);
      assert.equal(r.valid, true, r.message);
      assert.equal(r.code, undefined);
    }
  });

  it('fails a revoked leaf with CERT_REVOKED naming the certificate (alert certificate_revoked)', async () => {
    const c = await crlBy(pki.intermediate, { revoked: [{ serial: 0x1234n }, { serial: pki.leaf.certificate.serialNumber, reason: 'keyCompromise' }], crlNumber: 2 });
    const r = await verify([rootCrl.pem, c.pem]);
    assert.equal(r.valid, false);
    assert.equal(r.code, 'CERT_REVOKED');
    assert.match(r.message ?? '', /^certificate revoked: .*keyCompromise.*\(certificate 0: CN=leaf\.example\)$/);
    assert.equal(alertForVerifyCode(r.code), 'certificate_revoked');
    assert.equal(r.path?.length, 3);
  });

  it('fails a revoked intermediate with CERT_REVOKED (certificate 1)', async () => {
    const c = await crlBy(pki.root, { revoked: [{ serial: pki.intermediate.certificate.serialNumber }] });
    const r = await verify([c.pem, interCrl.pem]);
    assert.equal(r.code, 'CERT_REVOKED');
    assert.match(r.message ?? '', /\(certificate 1: .*Intermediate CA\)$/);
  });

  it('fails a root its own CRL revokes (certificate 2), as node:tls and openssl verify -crl_check_all do', async () => {
    const c = await crlBy(pki.root, { revoked: [{ serial: pki.root.certificate.serialNumber }] });
    const r = await verify([c.pem, interCrl.pem]);
    assert.equal(r.code, 'CERT_REVOKED');
    assert.match(r.message ?? '', /\(certificate 2: .*Root CA\)$/);
  });

  it('reports the leaf first when several certificates fail', async () => {
    const ri = await crlBy(pki.root, { revoked: [{ serial: pki.intermediate.certificate.serialNumber }] });
    const rl = await crlBy(pki.intermediate, { revoked: [{ serial: pki.leaf.certificate.serialNumber }] });
    const r = await verify([ri.pem, rl.pem]);
    assert.equal(r.code, 'CERT_REVOKED');
    assert.match(r.message ?? '', /certificate 0/);
  });

  it('fails with UNABLE_TO_GET_CRL for the intermediate when only the leaf’s issuer has a CRL (alert unknown_ca)', async () => {
    const r = await verify([interCrl.pem]);
    assert.equal(r.code, 'UNABLE_TO_GET_CRL');
    assert.match(r.message ?? '', /^unable to get certificate CRL: .*\(certificate 1: /);
    assert.equal(alertForVerifyCode(r.code), 'unknown_ca');
  });

  it('fails with UNABLE_TO_GET_CRL for the leaf when only the root has a CRL', async () => {
    const r = await verify([rootCrl.pem]);
    assert.equal(r.code, 'UNABLE_TO_GET_CRL');
    assert.match(r.message ?? '', /certificate 0: CN=leaf\.example/);
  });

  it('fails with CRL_HAS_EXPIRED for an expired CRL (alert certificate_expired), unless a current one also covers', async () => {
    const old = await crlBy(pki.intermediate, { thisUpdate: new Date(Date.now() - 10 * DAY), nextUpdate: new Date(Date.now() - DAY) });
    const r = await verify([rootCrl.pem, old.pem]);
    assert.equal(r.code, 'CRL_HAS_EXPIRED');
    assert.match(r.message ?? '', /^CRL has expired: /);
    assert.equal(alertForVerifyCode(r.code), 'certificate_expired');
    assert.equal((await verify([rootCrl.pem, old.pem, interCrl.pem])).valid, true);
    // The verification time decides, not the clock.
    const short = await crlBy(pki.intermediate, { nextUpdate: new Date(Date.now() + HOUR) });
    assert.equal((await verify([rootCrl.pem, short.pem])).valid, true);
    assert.equal((await verify([rootCrl.pem, short.pem], { time: Date.now() + 2 * HOUR })).code, 'CRL_HAS_EXPIRED');
  });

  it('fails with CRL_NOT_YET_VALID for a CRL from the future (alert bad_certificate)', async () => {
    const future = await crlBy(pki.intermediate, { thisUpdate: new Date(Date.now() + DAY) });
    const r = await verify([rootCrl.pem, future.pem]);
    assert.equal(r.code, 'CRL_NOT_YET_VALID');
    assert.match(r.message ?? '', /^CRL is not yet valid: /);
    assert.equal(alertForVerifyCode(r.code), 'bad_certificate');
  });

  it('accepts a CRL without nextUpdate while thisUpdate has passed', async () => {
    const open = await crlBy(pki.intermediate, { nextUpdate: null });
    assert.equal((await verify([rootCrl.pem, open.pem])).valid, true);
  });

  it('fails with CRL_SIGNATURE_FAILURE for a CRL signed by another key (no authorityKeyIdentifier) (alert decrypt_error)', async () => {
    const k = generateKeyPair();
    const impostor = await createCertificate({ subject: nameOf(pki.intermediate), privateKeyPem: k.privateKeyPem, isCA: true });
    const forged = await crlBy({ certificate: impostor.certificate, privateKeyPem: k.privateKeyPem }, { authorityKeyIdentifier: false });
    assert.deepEqual(forged.crl.normalizedIssuer, pki.intermediate.certificate.normalizedSubject);
    const r = await verify([rootCrl.pem, forged.pem]);
    assert.equal(r.code, 'CRL_SIGNATURE_FAILURE');
    assert.match(r.message ?? '', /^CRL signature failure: .*does not verify/);
    assert.equal(alertForVerifyCode(r.code), 'decrypt_error');
  });

  it('fails with CRL_SIGNATURE_FAILURE for a CRL whose signature was altered', async () => {
    const r = await verify([rootCrl.pem, tamperSignature(interCrl.der)]);
    assert.equal(r.code, 'CRL_SIGNATURE_FAILURE');
  });

  it('ignores a CRL whose authorityKeyIdentifier names another key of a same-name CA (UNABLE_TO_GET_CRL, as OpenSSL)', async () => {
    const k = generateKeyPair();
    const impostor = await createCertificate({ subject: nameOf(pki.intermediate), privateKeyPem: k.privateKeyPem, isCA: true });
    const other = await crlBy({ certificate: impostor.certificate, privateKeyPem: k.privateKeyPem });
    const r = await verify([rootCrl.pem, other.pem]);
    assert.equal(r.code, 'UNABLE_TO_GET_CRL');
  });

  it('refuses SHA-1 CRL signatures (CRL_SIGNATURE_FAILURE)', async () => {
    const alg = der.seq(der.oid(OID.ecdsaWithSHA1));
    const tbs = encodeTbsCertList({ signatureAlgorithm: alg, issuer: pki.intermediate.certificate.tbs.subjectRaw, thisUpdate: new Date(Date.now() - HOUR), nextUpdate: new Date(Date.now() + DAY) });
    const sha1 = encodeCertificateList(tbs, alg, nodeSign('sha1', tbs, pki.intermediate.privateKeyPem));
    const r = await verify([rootCrl.pem, sha1]);
    assert.equal(r.code, 'CRL_SIGNATURE_FAILURE');
    assert.match(r.message ?? '', /SHA1 signatures are not accepted/);
  });

  it('fails with UNABLE_TO_GET_CRL when the only CRL is from a different issuer name', async () => {
    const k = generateKeyPair();
    const stranger = await createCertificate({ subject: 'CN=Some Other CA', privateKeyPem: k.privateKeyPem, isCA: true });
    const c = await crlBy({ certificate: stranger.certificate, privateKeyPem: k.privateKeyPem });
    const r = await verify([rootCrl.pem, c.pem]);
    assert.equal(r.code, 'UNABLE_TO_GET_CRL');
    assert.match(r.message ?? '', /certificate 0/);
  });

  it("honours an issuingDistributionPoint's scope (RFC 5280 §6.3.3 (b)(2)): user certificates only, CA certificates only, a distribution point name", async () => {
    const userOnly = await crlBy(pki.intermediate, { extensions: [ext(OID.issuingDistributionPoint, true, der.seq(der.implicit(1, Uint8Array.of(0xff))))] });
    assert.equal((await verify([rootCrl.pem, userOnly.pem])).valid, true);
    const caOnly = await crlBy(pki.intermediate, { extensions: [ext(OID.issuingDistributionPoint, true, der.seq(der.implicit(2, Uint8Array.of(0xff))))] });
    const r = await verify([rootCrl.pem, caOnly.pem]);
    assert.equal(r.code, 'UNABLE_TO_GET_CRL');
    assert.match(r.message ?? '', /onlyContainsCACerts/);
    // A named distribution point the leaf (which has no cRLDistributionPoints) does not list.
    const uri = der.tlv(0x86, new TextEncoder().encode('http://crl.example/inter.crl'));
    const named = await crlBy(pki.intermediate, { extensions: [ext(OID.issuingDistributionPoint, true, der.seq(der.explicit(0, der.tlv(0xa0, uri))))] });
    const n = await verify([rootCrl.pem, named.pem]);
    assert.equal(n.code, 'UNABLE_TO_GET_CRL');
    assert.match(n.message ?? '', /distribution point/);
  });

  it('does not use a delta CRL or an indirect one (certificateIssuer entry)', async () => {
    const delta = await crlBy(pki.intermediate, { extensions: [ext(OID.deltaCRLIndicator, true, der.int(1))] });
    assert.equal((await verify([rootCrl.pem, delta.pem])).code, 'UNABLE_TO_GET_CRL');
    const indirect = await crlBy(pki.intermediate, { revoked: [{ serial: 3n, extensions: [ext(OID.certificateIssuer, true, der.seq(der.explicit(4, pki.root.certificate.tbs.subjectRaw)))] }] });
    assert.equal((await verify([rootCrl.pem, indirect.pem])).code, 'UNABLE_TO_GET_CRL');
  });

  it('does not use a CRL with an unknown critical extension (UNHANDLED_CRITICAL_CRL_EXTENSION); non-critical ones are fine', async () => {
    const crit = await crlBy(pki.intermediate, { extensions: [ext('1.3.6.1.4.1.99999.1', true, der.null())] });
    const r = await verify([rootCrl.pem, crit.pem]);
    assert.equal(r.code, 'UNHANDLED_CRITICAL_CRL_EXTENSION');
    assert.match(r.message ?? '', /1\.3\.6\.1\.4\.1\.99999\.1/);
    const entry = await crlBy(pki.intermediate, { revoked: [{ serial: 3n, extensions: [ext('1.3.6.1.4.1.99999.2', true, der.null())] }] });
    assert.equal((await verify([rootCrl.pem, entry.pem])).code, 'UNHANDLED_CRITICAL_CRL_EXTENSION');
    const soft = await crlBy(pki.intermediate, { extensions: [ext('1.3.6.1.4.1.99999.1', false, der.null())], revoked: [{ serial: 3n, extensions: [ext('1.3.6.1.4.1.99999.2', false, der.null())] }] });
    assert.equal((await verify([rootCrl.pem, soft.pem])).valid, true);
    const critReason = await crlBy(pki.intermediate, { revoked: [{ serial: pki.leaf.certificate.serialNumber, extensions: [ext(OID.reasonCode, true, der.tlv(0x0a, Uint8Array.of(1)))] }] });
    assert.equal((await verify([rootCrl.pem, critReason.pem])).code, 'CERT_REVOKED');
  });

  it('does not count an entry whose reason is removeFromCRL (as OpenSSL)', async () => {
    const c = await crlBy(pki.intermediate, { revoked: [{ serial: pki.leaf.certificate.serialNumber, reason: 'removeFromCRL' }] });
    assert.equal((await verify([rootCrl.pem, c.pem])).valid, true);
  });

  it('fails with KEYUSAGE_NO_CRL_SIGN when the issuer’s keyUsage lacks cRLSign', async () => {
    const k = generateKeyPair();
    const inter = await createCertificate({
      subject: 'CN=No CRL Sign CA',
      publicKey: k.publicKeySpki,
      issuer: { certificate: pki.root.certificate, privateKeyPem: pki.root.privateKeyPem },
      isCA: true,
      keyUsage: ['keyCertSign', 'digitalSignature'],
    });
    const leaf = await leafUnder({ ...inter, privateKeyPem: k.privateKeyPem });
    const c = await crlBy({ certificate: inter.certificate, privateKeyPem: k.privateKeyPem });
    const r = await verifyCertificateChain({ chain: [leaf.pem, inter.pem], trustAnchors: pki.rootPem, crls: [rootCrl.pem, c.pem] });
    assert.equal(r.code, 'KEYUSAGE_NO_CRL_SIGN');
  });

  it('turns a malformed, truncated or missing CRL into CRL_MALFORMED, never a throw', async () => {
    for (const crls of [interCrl.der.subarray(0, interCrl.der.length - 1), new Uint8Array([0x30, 0x80, 0, 0]), 'no PEM here', interCrl.pem.replace('X509 CRL', 'CERTIFICATE'), [rootCrl.pem, new Uint8Array(0)]]) {
      const r = await verify(crls);
      assert.equal(r.valid, false);
      assert.equal(r.code, 'CRL_MALFORMED');
      assert.match(r.message ?? '', /^malformed CRL: /);
      assert.equal(alertForVerifyCode(r.code), 'bad_certificate');
    }
    const sync = verifyCertificateChainSync({ ...base, crls: [rootCrl.der.subarray(0, 10)] });
    assert.equal(sync.code, 'CRL_MALFORMED');
  });

  it('turns a CRL over the size or entry limits into CRL_MALFORMED', async () => {
    const big = await verify([rootCrl.pem, new Uint8Array(limits.MAX_CRL_BYTES + 1)]);
    assert.equal(big.code, 'CRL_MALFORMED');
    assert.match(big.message ?? '', /MAX_CRL_BYTES/);
    const many = await verify([rootCrl.pem, crlWithEntries(limits.MAX_CRL_ENTRIES + 1)]);
    assert.equal(many.code, 'CRL_MALFORMED');
    assert.match(many.message ?? '', /MAX_CRL_ENTRIES/);
  });

  it('checks revocation after path validation and before the host name', async () => {
    const revoked = await crlBy(pki.intermediate, { revoked: [{ serial: pki.leaf.certificate.serialNumber }] });
    assert.equal((await verify([rootCrl.pem, revoked.pem], { hostname: 'other.example' })).code, 'CERT_REVOKED');
    assert.equal((await verify([rootCrl.pem, interCrl.pem], { hostname: 'other.example' })).code, 'ERR_TLS_CERT_ALTNAME_INVALID');
    assert.equal((await verify([rootCrl.pem, revoked.pem], { time: Date.now() + 3 * 365 * DAY })).code, 'CERT_HAS_EXPIRED');
  });

  it('checks a self-signed certificate trusted directly against its own CRL, as node:tls does', async () => {
    const k = generateKeyPair();
    const self = await createCertificate({ subject: 'CN=self.example', privateKeyPem: k.privateKeyPem, isCA: true, subjectAltNames: { dns: ['self.example'] } });
    const opts = { chain: self.pem, trustAnchors: self.pem, purpose: 'any' as const };
    assert.equal((await verifyCertificateChain({ ...opts, crls: [rootCrl.pem] })).code, 'UNABLE_TO_GET_CRL');
    const own = await crlBy({ certificate: self.certificate, privateKeyPem: k.privateKeyPem });
    assert.equal((await verifyCertificateChain({ ...opts, crls: [own.pem] })).valid, true);
    const revoked = await crlBy({ certificate: self.certificate, privateKeyPem: k.privateKeyPem }, { revoked: [{ serial: self.certificate.serialNumber }] });
    assert.equal((await verifyCertificateChain({ ...opts, crls: [revoked.pem] })).code, 'CERT_REVOKED');
  });

  it('maps the revocation verdicts to the alerts OpenSSL sends (ssl_x509err2alert)', () => {
    const expected: Record<string, string> = {
      CERT_REVOKED: 'certificate_revoked',
      CRL_HAS_EXPIRED: 'certificate_expired',
      CRL_NOT_YET_VALID: 'bad_certificate',
      CRL_SIGNATURE_FAILURE: 'decrypt_error',
      UNABLE_TO_GET_CRL: 'unknown_ca',
      CRL_MALFORMED: 'bad_certificate',
      UNHANDLED_CRITICAL_CRL_EXTENSION: 'certificate_unknown',
      KEYUSAGE_NO_CRL_SIGN: 'certificate_unknown',
    };
    for (const [code, alert] of Object.entries(expected)) assert.equal(alertForVerifyCode(code), alert, code);
  });

  it('gives the same verdicts synchronously', () => {
    assert.equal(verifyCertificateChainSync({ ...base, crls: [rootCrl.pem, interCrl.pem] }).valid, true);
    assert.equal(verifyCertificateChainSync({ ...base, crls: [interCrl.pem] }).code, 'UNABLE_TO_GET_CRL');
  });

  it('checks a parsed CRL’s signature once per issuer key across verifications', async () => {
    const crls = toCrls([rootCrl.pem, interCrl.pem]);
    const tbs = new Set(crls.map((c) => c.tbsRaw));
    let checks = 0;
    const counting: CryptoProvider = Object.create(defaultProvider, {
      verifySync: {
        value: (spki: Uint8Array, alg: Parameters<CryptoProvider['verifySync']>[1], data: Uint8Array, sig: Uint8Array): boolean => {
          if (tbs.has(data)) checks++;
          return defaultProvider.verifySync(spki, alg, data, sig);
        },
      },
    }) as CryptoProvider;
    assert.equal((await verify(crls, { provider: counting })).valid, true);
    // The root CRL covers the intermediate and the root itself: one key, one check.
    assert.equal(checks, 2);
    assert.equal((await verify(crls, { provider: counting })).valid, true);
    assert.equal(checks, 2);
  });

  describe('agrees with openssl verify -crl_check_all', { skip: opensslMissing }, () => {
    const cases: [string, () => Promise<IssuedCrl[]>][] = [
      ['both levels, nothing revoked', async () => [rootCrl, interCrl]],
      ['leaf revoked', async () => [rootCrl, await crlBy(pki.intermediate, { revoked: [{ serial: pki.leaf.certificate.serialNumber }] })]],
      ['intermediate revoked', async () => [await crlBy(pki.root, { revoked: [{ serial: pki.intermediate.certificate.serialNumber }] }), interCrl]],
      ['root revoked by its own CRL', async () => [await crlBy(pki.root, { revoked: [{ serial: pki.root.certificate.serialNumber }] }), interCrl]],
      ['only the leaf issuer’s CRL', async () => [interCrl]],
      ['expired CRL', async () => [rootCrl, await crlBy(pki.intermediate, { thisUpdate: new Date(Date.now() - 10 * DAY), nextUpdate: new Date(Date.now() - DAY) })]],
      ['CRL not yet valid', async () => [rootCrl, await crlBy(pki.intermediate, { thisUpdate: new Date(Date.now() + DAY) })]],
      ['altered signature', async () => [rootCrl, tampered(interCrl)]],
      ['unknown critical CRL extension', async () => [rootCrl, await crlBy(pki.intermediate, { extensions: [ext('1.3.6.1.4.1.99999.1', true, der.null())] })]],
      [
        'same-name CA, other key',
        async () => {
          const k = generateKeyPair();
          const impostor = await createCertificate({ subject: nameOf(pki.intermediate), privateKeyPem: k.privateKeyPem, isCA: true });
          return [rootCrl, await crlBy({ certificate: impostor.certificate, privateKeyPem: k.privateKeyPem })];
        },
      ],
    ];
    for (const [name, make] of cases) {
      it(name, async () => {
        const crls = await make();
        const ours = await verify(crls.map((c) => c.der));
        const theirs = opensslVerdict(pki.rootPem, pki.intermediate.pem, pki.leaf.pem, crls);
        const ourDepth = /\(certificate (\d+):/.exec(ours.message ?? '')?.[1];
        assert.equal(ours.valid ? 'OK' : `${ours.code}@${ourDepth}`, theirs, ours.message);
      });
    }
  });
});

/** The subject of `c` as a NameInput (one attribute per RDN, dotted OIDs), to make a same-name CA. */
function nameOf(c: IssuedCertificate): [string, string][] {
  return c.certificate.subjectRdns().map((rdn): [string, string] => [rdn[0]!.type, new TextDecoder().decode(rdn[0]!.value)]);
}

function tampered(c: IssuedCrl): IssuedCrl {
  const d = tamperSignature(c.der);
  const crl = CertificateRevocationList.fromDer(d);
  return { der: d, pem: crl.toPem(), crl };
}

async function leafUnder(ca: IssuedCertificate & { privateKeyPem: string }): Promise<IssuedCertificate> {
  const k = generateKeyPair();
  return createCertificate({
    subject: 'CN=leaf.example',
    publicKey: k.publicKeySpki,
    issuer: { certificate: ca.certificate, privateKeyPem: ca.privateKeyPem },
    subjectAltNames: { dns: ['leaf.example'] },
    extKeyUsage: ['serverAuth'],
  });
}

describe('a CRL made by openssl ca -gencrl', { skip: opensslMissing }, () => {
  let dir: string;
  let rootPem: string;
  let revokedPem: string;
  let goodPem: string;
  let crlPem: string;
  let crlDer: Uint8Array;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'crl-openssl-ca-'));
    const run = (args: string[]): void => {
      const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
    };
    writeFileSync(
      join(dir, 'ca.cnf'),
      [
        '[ ca ]',
        'default_ca = CA_default',
        '[ CA_default ]',
        'database = ./index.txt',
        'crlnumber = ./crlnumber',
        'default_md = sha256',
        'default_crl_days = 30',
        'crl_extensions = crl_ext',
        '[ crl_ext ]',
        'authorityKeyIdentifier = keyid:always',
        '[ v3_ca ]',
        'basicConstraints = critical,CA:true',
        'keyUsage = critical,keyCertSign,cRLSign',
        'subjectKeyIdentifier = hash',
        '[ leaf ]',
        'basicConstraints = critical,CA:false',
        'keyUsage = critical,digitalSignature',
        'extendedKeyUsage = serverAuth',
        'subjectAltName = DNS:leaf.example',
        'subjectKeyIdentifier = hash',
        'authorityKeyIdentifier = keyid',
        '',
      ].join('\n'),
    );
    writeFileSync(join(dir, 'index.txt'), '');
    writeFileSync(join(dir, 'crlnumber'), '1000\n');
    run(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'root.key', '-out', 'root.pem', '-subj', '/O=openssl ca test/CN=OpenSSL Test Root', '-days', '30', '-config', 'ca.cnf', '-extensions', 'v3_ca']);
    for (const [name, serial] of [
      ['revoked', '0x1001'],
      ['good', '0x1002'],
    ] as const) {
      run(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', '/CN=leaf.example']);
      run(['x509', '-req', '-in', `${name}.csr`, '-CA', 'root.pem', '-CAkey', 'root.key', '-set_serial', serial, '-days', '10', '-out', `${name}.pem`, '-extfile', 'ca.cnf', '-extensions', 'leaf']);
    }
    run(['ca', '-config', 'ca.cnf', '-keyfile', 'root.key', '-cert', 'root.pem', '-revoke', 'revoked.pem', '-crl_reason', 'keyCompromise']);
    run(['ca', '-config', 'ca.cnf', '-keyfile', 'root.key', '-cert', 'root.pem', '-gencrl', '-out', 'crl.pem']);
    run(['crl', '-in', 'crl.pem', '-outform', 'DER', '-out', 'crl.der']);
    rootPem = readFileSync(join(dir, 'root.pem'), 'latin1');
    revokedPem = readFileSync(join(dir, 'revoked.pem'), 'latin1');
    goodPem = readFileSync(join(dir, 'good.pem'), 'latin1');
    crlPem = readFileSync(join(dir, 'crl.pem'), 'latin1');
    crlDer = new Uint8Array(readFileSync(join(dir, 'crl.der')));
    rmSync(dir, { recursive: true, force: true });
  });

  it('parses it: issuer, number, the one entry and its reason', () => {
    const crl = CertificateRevocationList.fromPem(crlPem);
    assert.deepEqual(crl.der, crlDer);
    assert.equal(crl.version, 2);
    assert.equal(crl.issuerString, 'O=openssl ca test, CN=OpenSSL Test Root');
    assert.equal(crl.crlNumber, 0x1000n);
    assert.equal(crl.size, 1);
    const e = crl.getEntry(Uint8Array.of(0x10, 0x01));
    assert.equal(e?.reason, 'keyCompromise');
    assert.ok(crl.nextUpdate && crl.nextUpdate.getTime() - crl.thisUpdate.getTime() === 30 * DAY);
  });

  it('honours it: the revoked leaf fails with CERT_REVOKED, the other verifies', async () => {
    const revoked = await verifyCertificateChain({ chain: revokedPem, trustAnchors: rootPem, hostname: 'leaf.example', crls: crlPem });
    assert.equal(revoked.code, 'CERT_REVOKED', revoked.message);
    assert.match(revoked.message ?? '', /serial 0x1001 .*keyCompromise.*certificate 0/);
    const good = await verifyCertificateChain({ chain: goodPem, trustAnchors: rootPem, hostname: 'leaf.example', crls: crlDer });
    assert.equal(good.valid, true, good.message);
  });

  it('writes it back as PEM that openssl reads', () => {
    const crl = CertificateRevocationList.fromDer(crlDer);
    const r = opensslIn(['crl', '-in', 'crl.pem', '-noout', '-text'], { 'crl.pem': crl.toPem() });
    assert.ok(r.ok, r.out);
    assert.match(r.out, /Serial Number: 1001/);
  });
});

describe('openssl reads the CRLs createCrl writes', { skip: opensslMissing }, () => {
  for (const keyType of ['ec', 'rsa', 'ed25519'] as const) {
    it(`${keyType}: openssl crl -text prints every field, and openssl crl -CAfile says verify OK`, async () => {
      const pki = await createTestPki({ keyType });
      const c = await createCrl({
        issuer: pki.intermediate,
        crlNumber: 42,
        revoked: [
          { serial: pki.leaf.certificate.serialNumber, reason: 'keyCompromise', invalidityDate: new Date(Date.UTC(2024, 5, 1, 12, 0, 0)) },
          { serial: 0xabcdefn, reason: 'superseded' },
        ],
      });
      const text = opensslIn(['crl', '-inform', 'DER', '-in', 'crl.der', '-noout', '-text'], { 'crl.der': c.der });
      assert.ok(text.ok, text.out);
      assert.match(text.out, /Version 2 \(0x1\)/);
      assert.match(text.out, /Issuer: O = ts-tls test PKI, CN = ts-tls Test Intermediate CA/);
      assert.match(text.out, /X509v3 CRL Number: \s*42/);
      assert.match(text.out, /X509v3 Authority Key Identifier/);
      assert.match(text.out, new RegExp(`Serial Number: ${Buffer.from(pki.leaf.certificate.serialNumber).toString('hex').toUpperCase()}`));
      assert.match(text.out, /Key Compromise/);
      assert.match(text.out, /Invalidity Date: \s*Jun  1 12:00:00 2024 GMT/);
      assert.match(text.out, /Serial Number: ABCDEF/);
      assert.match(text.out, /Superseded/);
      const v = opensslIn(['crl', '-in', 'crl.pem', '-CAfile', 'inter.pem', '-noout'], { 'crl.pem': c.pem, 'inter.pem': pki.intermediate.pem });
      assert.ok(v.ok, v.out);
      assert.match(v.out, /verify OK/);
    });
  }
});
