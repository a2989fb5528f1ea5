import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { rootCertificates } from 'node:tls';
import { createCertificate, generateKeyPair, toCertificates, verifyCertificateChain, type CertificateOptions, type IssuedCertificate, type KeyPair } from '../../src/x509/index.js';
import { CHECKED_ANCHOR } from '../../src/x509/path-builder.js';
import { validatePath } from '../../src/x509/validate.js';
import { defaultProvider } from '../../src/crypto/node.js';
import { der } from '../../src/x509/der.js';

interface Ca {
  cert: IssuedCertificate;
  key: KeyPair;
}

const DAY = 86_400_000;

async function root(extra: Partial<CertificateOptions> = {}): Promise<Ca> {
  const key = generateKeyPair();
  const cert = await createCertificate({ subject: 'CN=Anchor Test Root', privateKeyPem: key.privateKeyPem, isCA: true, ...extra });
  return { cert, key };
}

async function leafOf(issuer: Ca, dns: string, extra: Partial<CertificateOptions> = {}): Promise<IssuedCertificate> {
  const key = generateKeyPair();
  return createCertificate({
    subject: `CN=${dns}`,
    publicKey: key.publicKeySpki,
    issuer: { certificate: issuer.cert.certificate, privateKeyPem: issuer.key.privateKeyPem },
    subjectAltNames: { dns: [dns] },
    extKeyUsage: ['serverAuth'],
    ...extra,
  });
}

describe('trust anchors are checked by default', () => {
  let constrained: Ca;
  before(async () => {
    constrained = await root({ nameConstraints: { permitted: { dns: ['corp.example'] } } });
  });

  it('a name-constrained anchor accepts a leaf inside its constraints', async () => {
    const leaf = await leafOf(constrained, 'www.corp.example');
    const r = await verifyCertificateChain({ chain: [leaf.der], trustAnchors: constrained.cert.pem, hostname: 'www.corp.example' });
    assert.equal(r.valid, true, r.message);
  });

  it('a name-constrained anchor rejects a leaf outside its constraints', async () => {
    const leaf = await leafOf(constrained, 'bank.example');
    const r = await verifyCertificateChain({ chain: [leaf.der], trustAnchors: constrained.cert.pem, hostname: 'bank.example' });
    assert.equal(r.valid, false);
    assert.equal(r.code, 'NAME_CONSTRAINTS_VIOLATION');
  });

  it('a name-constrained anchor also constrains through an intermediate', async () => {
    const ikey = generateKeyPair();
    const inter = await createCertificate({
      subject: 'CN=Anchor Test Intermediate',
      publicKey: ikey.publicKeySpki,
      issuer: { certificate: constrained.cert.certificate, privateKeyPem: constrained.key.privateKeyPem },
      isCA: true,
    });
    const leaf = await leafOf({ cert: inter, key: ikey }, 'evil.example');
    const r = await verifyCertificateChain({ chain: [leaf.der, inter.der], trustAnchors: constrained.cert.pem });
    assert.equal(r.code, 'NAME_CONSTRAINTS_VIOLATION');
  });

  it('relaxTrustAnchors: the anchor is only a name and a key again', async () => {
    const leaf = await leafOf(constrained, 'bank.example');
    const r = await verifyCertificateChain({ chain: [leaf.der], trustAnchors: constrained.cert.pem, hostname: 'bank.example', relaxTrustAnchors: true });
    assert.equal(r.valid, true, r.message);
  });

  it('an expired anchor no longer anchors', async () => {
    const now = Date.now();
    const expired = await root({ notBefore: new Date(now - 400 * DAY), notAfter: new Date(now - DAY) });
    const leaf = await leafOf(expired, 'leaf.example', { notBefore: new Date(now - 10 * DAY), notAfter: new Date(now + 10 * DAY) });
    const r = await verifyCertificateChain({ chain: [leaf.der], trustAnchors: expired.cert.pem });
    assert.equal(r.code, 'CERT_HAS_EXPIRED');
    assert.match(r.message ?? '', /Anchor Test Root/);
    const relaxed = await verifyCertificateChain({ chain: [leaf.der], trustAnchors: expired.cert.pem, relaxTrustAnchors: true });
    assert.equal(relaxed.valid, true, relaxed.message);
  });

  it('an anchor that is not yet valid does not anchor', async () => {
    const now = Date.now();
    const future = await root({ notBefore: new Date(now + DAY), notAfter: new Date(now + 400 * DAY) });
    const leaf = await leafOf(future, 'leaf.example', { notBefore: new Date(now - DAY), notAfter: new Date(now + 10 * DAY) });
    const r = await verifyCertificateChain({ chain: [leaf.der], trustAnchors: future.cert.pem });
    assert.equal(r.code, 'CERT_NOT_YET_VALID');
  });

  it('an anchor whose basicConstraints say it is not a CA does not anchor', async () => {
    const notCa = await root({ isCA: false, keyUsage: ['keyCertSign', 'digitalSignature'] });
    const leaf = await leafOf(notCa, 'leaf.example');
    const r = await verifyCertificateChain({ chain: [leaf.der], trustAnchors: notCa.cert.pem });
    assert.equal(r.code, 'INVALID_CA');
  });

  it('an anchor without keyCertSign in its keyUsage does not anchor', async () => {
    const noSign = await root({ keyUsage: ['digitalSignature', 'cRLSign'] });
    const leaf = await leafOf(noSign, 'leaf.example');
    const r = await verifyCertificateChain({ chain: [leaf.der], trustAnchors: noSign.cert.pem });
    assert.equal(r.code, 'INVALID_CA');
  });

  it('an anchor with an unknown critical extension does not anchor', async () => {
    const odd = await root({ extensions: [{ oid: '1.3.6.1.4.1.99999.1', critical: true, value: der.null() }] });
    const leaf = await leafOf(odd, 'leaf.example');
    const r = await verifyCertificateChain({ chain: [leaf.der], trustAnchors: odd.cert.pem });
    assert.equal(r.code, 'UNHANDLED_CRITICAL_EXTENSION');
  });

  it("an anchor's EKU constrains the leaf", async () => {
    const emailOnly = await root({ extKeyUsage: ['emailProtection'] });
    const leaf = await leafOf(emailOnly, 'leaf.example');
    const r = await verifyCertificateChain({ chain: [leaf.der], trustAnchors: emailOnly.cert.pem });
    assert.equal(r.code, 'INVALID_PURPOSE');
  });

  it('a self-signed leaf trusted directly (ca = the server certificate) still verifies', async () => {
    const key = generateKeyPair();
    const self = await createCertificate({ subject: 'CN=self.example', privateKeyPem: key.privateKeyPem, subjectAltNames: { dns: ['self.example'] }, extKeyUsage: ['serverAuth'] });
    const r = await verifyCertificateChain({ chain: [self.der], trustAnchors: self.pem, hostname: 'self.example' });
    assert.equal(r.valid, true, r.message);
  });

  it('every root Node bundles passes the anchor checks (only the ones past notAfter fail, on time)', () => {
    const now = Date.now();
    let expired = 0;
    for (const pem of rootCertificates) {
      const [anchor] = toCertificates(pem);
      assert.ok(anchor);
      // The root as its own target, anchored by itself: the anchor's issues are the ones at index 1.
      const v = validatePath([anchor, anchor], CHECKED_ANCHOR, { time: now, purpose: 'serverAuth', provider: defaultProvider });
      const problems = v.issues.filter((i) => i.index === 1 && i.severity === 'error');
      if (problems.length > 0 && problems.every((i) => i.id === 'NOT_AFTER')) {
        expired++;
        continue;
      }
      assert.deepEqual(problems, [], anchor.subjectString);
    }
    // Node's bundle is refreshed with each release; a few roots may reach notAfter before it is (OpenSSL refuses those too).
    assert.ok(expired <= 5, `${expired} bundled roots expired`);
  });
});

describe('verification time', () => {
  it('is truncated to whole seconds: a certificate is valid through the last second of notAfter', async () => {
    const r0 = await root();
    const notAfter = new Date(Math.floor(Date.now() / 1000) * 1000 + 30 * DAY);
    const leaf = await leafOf(r0, 'leaf.example', { notAfter });
    const at = (ms: number): Promise<{ valid: boolean; code?: string }> => verifyCertificateChain({ chain: [leaf.der], trustAnchors: r0.cert.pem, time: ms });
    assert.equal((await at(notAfter.getTime() + 999)).valid, true);
    assert.equal((await at(notAfter.getTime() + 1000)).code, 'CERT_HAS_EXPIRED');
  });
});
