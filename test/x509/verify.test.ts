import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  alertForVerifyCode,
  buildAndValidatePath,
  Certificate,
  createCertificate,
  createTestPki,
  generateKeyPair,
  getDefaultTrustStore,
  TrustStore,
  verifyCertificateChain,
  type CertificateOptions,
  type IssuedCertificate,
  type KeyPair,
  type TestPki,
} from '../../src/x509/index.js';
import { MAX_PATH_SIGNATURE_CHECKS } from '../../src/limits.js';
import { defaultProvider } from '../../src/crypto/node.js';

interface Ca {
  cert: IssuedCertificate;
  key: KeyPair;
}

async function ca(name: string, issuer?: Ca, extra: Partial<CertificateOptions> = {}, key = generateKeyPair()): Promise<Ca> {
  const cert = await createCertificate({
    subject: `CN=${name}`,
    publicKey: key.publicKeySpki,
    ...(issuer ? { issuer: { certificate: issuer.cert.certificate, privateKeyPem: issuer.key.privateKeyPem } } : { privateKeyPem: key.privateKeyPem }),
    isCA: true,
    ...extra,
  });
  return { cert, key };
}

async function leaf(issuer: Ca, extra: Partial<CertificateOptions> = {}): Promise<IssuedCertificate> {
  const key = generateKeyPair();
  return createCertificate({
    subject: 'CN=leaf.example',
    publicKey: key.publicKeySpki,
    issuer: { certificate: issuer.cert.certificate, privateKeyPem: issuer.key.privateKeyPem },
    subjectAltNames: { dns: ['leaf.example'] },
    extKeyUsage: ['serverAuth'],
    ...extra,
  });
}

describe('verifyCertificateChain', () => {
  let pki: TestPki;
  let root: Ca;
  let inter: Ca;
  before(async () => {
    pki = await createTestPki({ hostnames: ['leaf.example', '192.0.2.7'] });
    root = { cert: pki.root, key: { privateKeyPem: pki.root.privateKeyPem, publicKeySpki: pki.root.certificate.spki, publicKeyPem: '' } };
    inter = { cert: pki.intermediate, key: { privateKeyPem: pki.intermediate.privateKeyPem, publicKeySpki: pki.intermediate.certificate.spki, publicKeyPem: '' } };
  });

  it('accepts a good chain and returns the path leaf → intermediate → root', async () => {
    const r = await verifyCertificateChain({ chain: pki.chainPem, trustAnchors: pki.rootPem, hostname: 'leaf.example' });
    assert.equal(r.valid, true, r.message);
    assert.deepEqual(r.path?.map((c) => c.subjectString), ['CN=leaf.example', 'O=ts-tls test PKI, CN=ts-tls Test Intermediate CA', 'O=ts-tls test PKI, CN=ts-tls Test Root CA']);
  });

  it('accepts DER inputs and parsed certificates, not only PEM', async () => {
    const r = await verifyCertificateChain({ chain: [pki.leaf.der, pki.intermediate.certificate], trustAnchors: [pki.root.der] });
    assert.equal(r.valid, true, r.message);
  });

  it('reports CERT_HAS_EXPIRED and CERT_NOT_YET_VALID at the given time', async () => {
    const late = await verifyCertificateChain({ chain: pki.chainPem, trustAnchors: pki.rootPem, time: new Date(Date.now() + 3000 * 86_400_000) });
    assert.equal(late.code, 'CERT_HAS_EXPIRED');
    const early = await verifyCertificateChain({ chain: pki.chainPem, trustAnchors: pki.rootPem, time: new Date(Date.now() - 2 * 86_400_000) });
    assert.equal(early.code, 'CERT_NOT_YET_VALID');
    assert.equal(alertForVerifyCode(late.code), 'certificate_expired');
    assert.equal(alertForVerifyCode(early.code), 'certificate_expired');
  });

  it('reports UNABLE_TO_VERIFY_LEAF_SIGNATURE when the intermediate is missing', async () => {
    const r = await verifyCertificateChain({ chain: pki.leaf.pem, trustAnchors: pki.rootPem });
    assert.equal(r.code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    assert.equal(alertForVerifyCode(r.code), 'unknown_ca');
  });

  it('reports UNABLE_TO_GET_ISSUER_CERT_LOCALLY when the root is not trusted', async () => {
    const other = await createTestPki();
    const r = await verifyCertificateChain({ chain: pki.chainPem, trustAnchors: other.rootPem });
    assert.equal(r.code, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
  });

  it('uses Node’s Mozilla roots by default (a private root is unknown there)', async () => {
    assert.ok(getDefaultTrustStore().size > 100);
    const r = await verifyCertificateChain({ chain: pki.chainPem });
    assert.equal(r.code, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
  });

  it('reports SELF_SIGNED_CERT_IN_CHAIN when the chain ends in an untrusted root', async () => {
    const other = await createTestPki();
    const r = await verifyCertificateChain({ chain: pki.chainPem + pki.rootPem, trustAnchors: other.rootPem });
    assert.equal(r.code, 'SELF_SIGNED_CERT_IN_CHAIN');
  });

  it('reports DEPTH_ZERO_SELF_SIGNED_CERT for an untrusted self-signed leaf, and accepts it when it is the anchor', async () => {
    const key = generateKeyPair();
    const self = await createCertificate({ subject: 'CN=self.example', privateKeyPem: key.privateKeyPem, subjectAltNames: { dns: ['self.example'] }, extKeyUsage: ['serverAuth'] });
    const r = await verifyCertificateChain({ chain: self.pem, trustAnchors: pki.rootPem });
    assert.equal(r.code, 'DEPTH_ZERO_SELF_SIGNED_CERT');
    const ok = await verifyCertificateChain({ chain: self.pem, trustAnchors: self.pem, hostname: 'self.example' });
    assert.equal(ok.valid, true, ok.message);
  });

  it('reports CERT_SIGNATURE_FAILURE for a tampered signature, and a key-id name clash as an unknown issuer', async () => {
    const tampered = Uint8Array.from(pki.leaf.der);
    tampered[tampered.length - 3]! ^= 0x01;
    const r = await verifyCertificateChain({ chain: [tampered, pki.intermediate.pem], trustAnchors: pki.rootPem });
    assert.equal(r.code, 'CERT_SIGNATURE_FAILURE');
    assert.equal(alertForVerifyCode(r.code), 'bad_certificate');
    // Same issuer name, different key (its SKI differs from the leaf's AKI): OpenSSL's "not the issuer".
    const impostor = await ca('x', root, { subject: { O: 'ts-tls test PKI', CN: 'ts-tls Test Intermediate CA' } });
    const l = await leaf(impostor);
    assert.equal((await verifyCertificateChain({ chain: [l.pem, pki.intermediate.pem], trustAnchors: pki.rootPem })).code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });

  it('reports INVALID_CA for an issuer without cA=TRUE', async () => {
    const notCa = await ca('Not A CA', root, { isCA: false, keyUsage: ['digitalSignature', 'keyCertSign'] });
    const l = await leaf(notCa);
    const r = await verifyCertificateChain({ chain: [l.pem, notCa.cert.pem], trustAnchors: pki.rootPem });
    assert.equal(r.code, 'INVALID_CA');
  });

  it('reports INVALID_CA for an issuer whose keyUsage lacks keyCertSign', async () => {
    const noSign = await ca('No keyCertSign', root, { keyUsage: ['digitalSignature', 'cRLSign'] });
    const r = await verifyCertificateChain({ chain: [(await leaf(noSign)).pem, noSign.cert.pem], trustAnchors: pki.rootPem });
    assert.equal(r.code, 'INVALID_CA');
  });

  it('reports PATH_LENGTH_EXCEEDED when pathLenConstraint is violated', async () => {
    const i2 = await ca('Sub-intermediate', inter); // inter has pathLen 0
    const r = await verifyCertificateChain({ chain: [(await leaf(i2)).pem, i2.cert.pem, pki.intermediate.pem], trustAnchors: pki.rootPem });
    assert.equal(r.code, 'PATH_LENGTH_EXCEEDED');
  });

  it('reports INVALID_PURPOSE for a clientAuth-only leaf used for serverAuth, and the reverse', async () => {
    const c = await leaf(inter, { extKeyUsage: ['clientAuth'] });
    const r = await verifyCertificateChain({ chain: [c.pem, pki.intermediate.pem], trustAnchors: pki.rootPem });
    assert.equal(r.code, 'INVALID_PURPOSE');
    const s = await leaf(inter, { extKeyUsage: ['serverAuth'] });
    assert.equal((await verifyCertificateChain({ chain: [s.pem, pki.intermediate.pem], trustAnchors: pki.rootPem, purpose: 'clientAuth' })).code, 'INVALID_PURPOSE');
    assert.equal((await verifyCertificateChain({ chain: [s.pem, pki.intermediate.pem], trustAnchors: pki.rootPem, purpose: 'any' })).valid, true);
  });

  it('chains EKU through intermediates: a clientAuth-only CA cannot vouch for a server', async () => {
    const clientCa = await ca('Client CA', root, { extKeyUsage: ['clientAuth'] });
    const l = await leaf(clientCa, { extKeyUsage: ['serverAuth', 'clientAuth'] });
    const r = await verifyCertificateChain({ chain: [l.pem, clientCa.cert.pem], trustAnchors: pki.rootPem });
    assert.equal(r.code, 'INVALID_PURPOSE');
    assert.equal((await verifyCertificateChain({ chain: [l.pem, clientCa.cert.pem], trustAnchors: pki.rootPem, purpose: 'clientAuth' })).valid, true);
  });

  it('reports ERR_TLS_CERT_ALTNAME_INVALID after a valid chain when the host does not match', async () => {
    const r = await verifyCertificateChain({ chain: pki.chainPem, trustAnchors: pki.rootPem, hostname: 'other.example' });
    assert.equal(r.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
    assert.match(r.message!, /other\.example/);
    assert.equal((await verifyCertificateChain({ chain: pki.chainPem, trustAnchors: pki.rootPem, hostname: '192.0.2.7' })).valid, true);
  });

  it('reports UNHANDLED_CRITICAL_EXTENSION for an unknown critical extension', async () => {
    const l = await leaf(inter, { extensions: [{ oid: '1.2.3.4.5', critical: true, value: Uint8Array.of(5, 0) }] });
    const r = await verifyCertificateChain({ chain: [l.pem, pki.intermediate.pem], trustAnchors: pki.rootPem });
    assert.equal(r.code, 'UNHANDLED_CRITICAL_EXTENSION');
    const ok = await leaf(inter, { extensions: [{ oid: '1.2.3.4.5', critical: false, value: Uint8Array.of(5, 0) }] });
    assert.equal((await verifyCertificateChain({ chain: [ok.pem, pki.intermediate.pem], trustAnchors: pki.rootPem })).valid, true);
  });

  it('refuses SHA-1 signatures (CA_MD_TOO_WEAK) even though they verify', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'x509-sha1-'));
    try {
      const run = (...a: string[]): void => {
        const r = spawnSync('openssl', a, { cwd: dir, encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
      };
      run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/CN=SHA1 CA', '-days', '30', '-sha256', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign');
      run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'l.key', '-out', 'l.csr', '-subj', '/CN=sha1.example');
      writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=DNS:sha1.example\nextendedKeyUsage=serverAuth\n');
      run('x509', '-req', '-in', 'l.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'l.pem', '-days', '10', '-sha1', '-extfile', 'ext.cnf');
      const leafPem = readFileSync(join(dir, 'l.pem'), 'utf8');
      const caPem = readFileSync(join(dir, 'ca.pem'), 'utf8');
      assert.equal(Certificate.fromPem(leafPem).signatureAlgorithm?.name, 'sha1WithRSAEncryption');
      const r = await verifyCertificateChain({ chain: leafPem, trustAnchors: caPem });
      assert.equal(r.code, 'CA_MD_TOO_WEAK');
      assert.equal(alertForVerifyCode(r.code), 'unsupported_certificate');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('builds a path from an out-of-order chain with superfluous certificates', async () => {
    const stray = await createTestPki();
    const r = await verifyCertificateChain({ chain: [pki.leaf.pem, stray.leaf.pem, stray.intermediate.pem, pki.rootPem, pki.intermediate.pem], trustAnchors: pki.rootPem });
    assert.equal(r.valid, true, r.message);
    assert.equal(r.path?.length, 3);
  });

  it('picks the right issuer among several candidates with the same name', async () => {
    const wrong = await ca('Same Name', root);
    const right = await ca('Same Name', root);
    const expired = await ca('Same Name', root, { notBefore: new Date(Date.now() - 10 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) }, right.key);
    const l = await leaf(right);
    const r = await verifyCertificateChain({ chain: [l.pem, wrong.cert.pem, expired.cert.pem, right.cert.pem], trustAnchors: pki.rootPem });
    assert.equal(r.valid, true, r.message);
    assert.deepEqual(Buffer.from(r.path![1]!.der), Buffer.from(right.cert.der));
  });

  it('terminates on issuer loops (two CAs that cross-sign each other, no anchor)', async () => {
    const kA = generateKeyPair();
    const kB = generateKeyPair();
    const a0 = await createCertificate({ subject: 'CN=A', privateKeyPem: kA.privateKeyPem, isCA: true });
    const b = await createCertificate({ subject: 'CN=B', publicKey: kB.publicKeySpki, issuer: { certificate: a0.certificate, privateKeyPem: kA.privateKeyPem }, isCA: true });
    const a = await createCertificate({ subject: 'CN=A', publicKey: kA.publicKeySpki, issuer: { certificate: b.certificate, privateKeyPem: kB.privateKeyPem }, isCA: true });
    const l = await leaf({ cert: a, key: kA });
    const r = await verifyCertificateChain({ chain: [l.pem, a.pem, b.pem], trustAnchors: pki.rootPem });
    assert.equal(r.valid, false);
    assert.equal(r.code, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
  });

  it('refuses a chain longer than the depth limit', async () => {
    let cur = root;
    const cas: Ca[] = [];
    for (let i = 0; i < 11; i++) {
      cur = await ca(`Level ${i}`, cur);
      cas.push(cur);
    }
    const l = await leaf(cur);
    const r = await verifyCertificateChain({ chain: [l.pem, ...cas.reverse().map((c) => c.cert.pem)], trustAnchors: pki.rootPem });
    assert.equal(r.valid, false);
  });

  it('bounds the work for a hostile chain of many same-name, same-key issuers', async () => {
    const key = generateKeyPair();
    const first = await createCertificate({ subject: 'CN=Mesh', privateKeyPem: key.privateKeyPem, isCA: true });
    const mesh: IssuedCertificate[] = [first];
    for (let i = 0; i < 60; i++) {
      mesh.push(await createCertificate({ subject: 'CN=Mesh', publicKey: key.publicKeySpki, issuer: { certificate: first.certificate, privateKeyPem: key.privateKeyPem }, isCA: true }));
    }
    const l = await leaf({ cert: first, key });
    const t0 = Date.now();
    const res = buildAndValidatePath(l.certificate, mesh.map((m) => m.certificate), new TrustStore([pki.root.certificate]), {
      time: Date.now(),
      purpose: 'serverAuth',
      provider: defaultProvider,
    });
    assert.ok(res.signatureChecks <= MAX_PATH_SIGNATURE_CHECKS, `${res.signatureChecks} checks`);
    assert.ok(Date.now() - t0 < 5000);
    const r = await verifyCertificateChain({ chain: [l.pem, ...mesh.map((m) => m.pem)], trustAnchors: pki.rootPem });
    assert.equal(r.valid, false);
    assert.ok(r.code === 'PATH_BUILDING_LIMIT_EXCEEDED' || r.code === 'SELF_SIGNED_CERT_IN_CHAIN', r.code);
  });

  it('refuses hundreds of certificates outright', async () => {
    const many = Array.from({ length: 300 }, () => pki.intermediate.der);
    const r = await verifyCertificateChain({ chain: [pki.leaf.der, ...many], trustAnchors: pki.rootPem });
    assert.equal(r.code, 'PATH_BUILDING_LIMIT_EXCEEDED');
  });

  it('turns malformed input into CERT_MALFORMED, never an exception', async () => {
    const bad = Uint8Array.from(pki.leaf.der);
    bad[1] = 0x80; // indefinite length
    for (const chain of [bad, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', new Uint8Array(0), Uint8Array.of(0x30, 0x81, 0x01, 0x00)]) {
      const r = await verifyCertificateChain({ chain, trustAnchors: pki.rootPem });
      assert.equal(r.valid, false);
      assert.equal(r.code, 'CERT_MALFORMED');
      assert.equal(alertForVerifyCode(r.code), 'bad_certificate');
    }
    assert.equal((await verifyCertificateChain({ chain: [], trustAnchors: pki.rootPem })).code, 'NO_CERTIFICATE');
  });

  it('maps codes to the alert Go/BoringSSL would send', () => {
    assert.equal(alertForVerifyCode('UNABLE_TO_GET_ISSUER_CERT_LOCALLY'), 'unknown_ca');
    assert.equal(alertForVerifyCode('SELF_SIGNED_CERT_IN_CHAIN'), 'unknown_ca');
    assert.equal(alertForVerifyCode('DEPTH_ZERO_SELF_SIGNED_CERT'), 'unknown_ca');
    assert.equal(alertForVerifyCode('CERT_REJECTED'), 'unknown_ca');
    assert.equal(alertForVerifyCode('CERT_SIGNATURE_FAILURE'), 'bad_certificate');
    assert.equal(alertForVerifyCode('UNSUPPORTED_PUBLIC_KEY'), 'unsupported_certificate');
    assert.equal(alertForVerifyCode('INVALID_CA'), 'certificate_unknown');
    assert.equal(alertForVerifyCode('PATH_LENGTH_EXCEEDED'), 'certificate_unknown');
    assert.equal(alertForVerifyCode('INVALID_PURPOSE'), 'certificate_unknown');
    assert.equal(alertForVerifyCode('NAME_CONSTRAINTS_VIOLATION'), 'certificate_unknown');
  });
});
