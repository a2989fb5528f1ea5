/**
 * Issue 11 item 2: a pile of certificates with the same subject and key
 * (re-issued copies of one CA, each padded to 6 KiB) made path building
 * explore permutations of them and re-encode every candidate at every step:
 * 256 of them cost 9.8 s in verifyCertificateChain, 10 in a handshake
 * ~350 ms. Now each certificate is indexed once, a path never holds two
 * certificates with the same subject and key, and the verdict comes in
 * bounded work.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { createCertificate, createTestPki, generateKeyPair, type IssuedCertificate, type TestPki } from '../../src/x509/issue.js';
import { verifyCertificateChain } from '../../src/x509/verify.js';
import { buildAndValidatePath } from '../../src/x509/path-builder.js';
import { TrustStore } from '../../src/x509/trust-store.js';
import { MAX_CANDIDATE_CERTIFICATES, MAX_ISSUERS_PER_CERTIFICATE } from '../../src/x509/limits.js';
import { defaultProvider } from '../../src/crypto/node.js';
import { makeVerifier } from '../../src/node/trust.js';
import { connectPair } from '../helpers/pair.js';
import { MAX_CERTIFICATE_CHAIN_LENGTH } from '../../src/limits.js';

/** A generous ceiling: the attack took 9.8 s (256 copies) and ~350 ms per handshake (10 copies). */
const CEILING_MS = 3000;

interface DupPki {
  readonly copies: IssuedCertificate[];
  readonly leaf: IssuedCertificate;
  readonly leafKeyPem: string;
}

/** `n` self-signed CA certificates with one subject and one key, 6 KiB each, and a leaf that key signed. */
async function duplicates(n: number): Promise<DupPki> {
  const key = generateKeyPair();
  const pad = { oid: '1.3.6.1.4.1.55555.11.2', critical: false, value: new Uint8Array(6000).fill(0x41) };
  const copies: IssuedCertificate[] = [];
  for (let i = 0; i < n; i++) copies.push(await createCertificate({ subject: { CN: 'Duplicated CA' }, privateKeyPem: key.privateKeyPem, isCA: true, extensions: [pad] }));
  const leafKey = generateKeyPair();
  const leaf = await createCertificate({
    subject: { CN: 'localhost' },
    publicKey: leafKey.publicKeySpki,
    issuer: { certificate: copies[0]!.certificate, privateKeyPem: key.privateKeyPem },
    subjectAltNames: { dns: ['localhost'] },
    extKeyUsage: ['serverAuth', 'clientAuth'],
  });
  return { copies, leaf, leafKeyPem: leafKey.privateKeyPem };
}

describe('path building over duplicated certificates', () => {
  let pki: TestPki;
  let dup: DupPki;
  before(async () => {
    pki = await createTestPki();
    dup = await duplicates(MAX_CANDIDATE_CERTIFICATES - 1);
  });

  it('refuses 255 same-subject, same-key copies of an untrusted CA in bounded work', async () => {
    const t0 = performance.now();
    const r = await verifyCertificateChain({ chain: [dup.leaf.der, ...dup.copies.map((c) => c.der)], trustAnchors: pki.rootPem });
    const ms = performance.now() - t0;
    assert.equal(r.valid, false);
    assert.equal(r.code, 'SELF_SIGNED_CERT_IN_CHAIN');
    assert.ok(ms < CEILING_MS, `${ms.toFixed(0)} ms`);
  });

  it('spends a signature check per tried issuer, not per permutation', () => {
    const res = buildAndValidatePath(dup.leaf.certificate, dup.copies.map((c) => c.certificate), new TrustStore([pki.root.certificate]), {
      time: Date.now(),
      purpose: 'serverAuth',
      provider: defaultProvider,
    });
    assert.equal(res.failure, 'SELF_SIGNED_IN_CHAIN');
    // One check of the leaf (cached per key), then each tried copy's self-signature.
    assert.ok(res.signatureChecks <= MAX_ISSUERS_PER_CERTIFICATE + 1, `${res.signatureChecks} checks`);
    assert.equal(res.path?.length, 2);
  });

  it('accepts the chain in bounded work when one copy is the trust anchor', async () => {
    const t0 = performance.now();
    const r = await verifyCertificateChain({ chain: [dup.leaf.der, ...dup.copies.map((c) => c.der)], trustAnchors: dup.copies.at(-1)!.pem });
    const ms = performance.now() - t0;
    assert.equal(r.valid, true, r.message);
    assert.equal(r.path?.length, 2);
    assert.ok(ms < CEILING_MS, `${ms.toFixed(0)} ms`);
  });

  it('collapses byte-identical copies into one candidate', () => {
    const same = Array.from({ length: 200 }, () => pki.intermediate.certificate);
    const res = buildAndValidatePath(pki.leaf.certificate, same, new TrustStore([pki.root.certificate]), { time: Date.now(), purpose: 'serverAuth', provider: defaultProvider });
    assert.equal(res.validation?.valid, true);
    assert.ok(res.signatureChecks <= 4, `${res.signatureChecks} checks`);
  });

  for (const from of ['client', 'server'] as const) {
    it(`ends a handshake whose ${from} sends ${MAX_CERTIFICATE_CHAIN_LENGTH} such certificates with unknown_ca in bounded time`, { timeout: 20_000 }, async () => {
      const small = await duplicates(MAX_CERTIFICATE_CHAIN_LENGTH - 1);
      const chain = [small.leaf.der, ...small.copies.map((c) => c.der)];
      const hostile = { chain, key: defaultProvider.loadPrivateKey(small.leafKeyPem) };
      const verifyPeer = makeVerifier({ ca: pki.rootPem });
      const t0 = performance.now();
      const pair =
        from === 'client'
          ? connectPair({ certificates: [hostile] }, { verifyPeer, requestClientCertificate: true, requireClientCertificate: true })
          : connectPair({ verifyPeer }, { certificates: [hostile] });
      const victim = from === 'client' ? pair.server : pair.client;
      const err = await victim.closed;
      const ms = performance.now() - t0;
      assert.equal(err?.alert?.name, 'unknown_ca');
      assert.equal(err?.alert?.direction, 'sent');
      assert.ok(ms < CEILING_MS, `${ms.toFixed(0)} ms`);
    });
  }
});
