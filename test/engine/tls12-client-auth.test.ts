/**
 * TLS 1.2 client certificates in memory (RFC 5246 §7.4.4, §7.4.6, §7.4.8):
 * CertificateRequest → Certificate → CertificateVerify, with both fixture
 * client keys, every key exchange, every RSA scheme; and the refusals — a
 * missing or untrusted certificate where one is required.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { certified, connectPair, handshakeBoth, settle, type Pair } from '../helpers/pair.js';
import { caVerifier } from '../helpers/verify.js';
import { fixture } from '../helpers/pair.js';
import type { ClientConfig, ServerConfig } from '../../src/config.js';
import type { TLSError } from '../../src/errors.js';
import { SignatureScheme, cipherSuiteInfo, signatureSchemeName } from '../../src/registry.js';
import { makeVerifier } from '../../src/node/trust.js';

const S = SignatureScheme;
const ALL_12 = [0xc02b, 0xc02c, 0xc02f, 0xc030, 0xcca8, 0xcca9, 0x009e, 0x009f, 0xccaa, 0x009c, 0x009d];
const serverCertificates = [certified('server-rsa'), certified('server-p256'), certified('server-p384')];
const verifier = caVerifier();

function mtlsPair(client: Partial<ClientConfig>, server: Partial<ServerConfig>): Pair {
  return connectPair(
    { maxVersion: 'TLSv1.2', verifyPeer: verifier, ...client },
    {
      maxVersion: 'TLSv1.2',
      cipherSuites: ALL_12,
      certificates: serverCertificates,
      verifyPeer: verifier,
      requestClientCertificate: true,
      requireClientCertificate: true,
      ...server,
    },
  );
}

async function roundTrip(pair: Pair): Promise<void> {
  pair.client.conn.send(new TextEncoder().encode('ping'));
  pair.server.conn.send(new TextEncoder().encode('pong'));
  const deadline = Date.now() + 5000;
  while (pair.server.received().length < 4 || pair.client.received().length < 4) {
    if (Date.now() > deadline) throw new Error('timed out waiting for data');
    await settle(1);
  }
  assert.equal(new TextDecoder().decode(pair.server.received()), 'ping');
  assert.equal(new TextDecoder().decode(pair.client.received()), 'pong');
}

/** The failing side sent `alert`; the other side received it. */
async function assertRefused(pair: Pair, failing: 'client' | 'server', alert: string, code?: string): Promise<void> {
  const other = failing === 'client' ? 'server' : 'client';
  const [mine, theirs] = await Promise.all([pair[failing].closed, pair[other].closed]);
  assert.ok(mine, `${failing} failed`);
  assert.equal(mine.alert?.name, alert);
  assert.equal(mine.alert?.direction, 'sent');
  assert.equal(mine.code, code ?? `ERR_TLS_ALERT_${alert.toUpperCase()}`);
  assert.ok(theirs, `${other} failed`);
  assert.equal((theirs as TLSError).code, 'ERR_TLS_ALERT_RECEIVED');
  assert.equal(theirs.alert?.name, alert);
  assert.equal(theirs.alert?.direction, 'received');
}

describe('TLS 1.2 client certificates in memory', () => {
  const clients: [string, number][] = [
    ['client-rsa', S.rsa_pss_rsae_sha256],
    ['client-p256', S.ecdsa_secp256r1_sha256],
  ];
  const suites = [0xc02f, 0xc02b, 0xcca8, 0x009e, 0x009c];
  for (const [name, expectedScheme] of clients) {
    for (const suite of suites) {
      it(`authenticates ${name} with ${cipherSuiteInfo(suite)!.name}`, { timeout: 10_000 }, async () => {
        const cert = certified(name);
        const pair = mtlsPair({ cipherSuites: [suite], certificates: [cert] }, {});
        const [cs, ss] = await handshakeBoth(pair);
        assert.equal(ss.cipherSuite.id, suite);
        assert.deepEqual(ss.peerCertificates, cert.chain);
        assert.deepEqual(cs.localCertificates, cert.chain);
        assert.equal(ss.peerSignatureScheme, expectedScheme, 'server saw the CertificateVerify scheme');
        assert.equal(ss.authorized, true);
        assert.equal(ss.authorizationError, undefined);
        assert.equal(cs.authorized, true, 'client verified the server against the CA');
        await roundTrip(pair);
      });
    }
  }

  for (const scheme of [S.rsa_pkcs1_sha256, S.rsa_pkcs1_sha384, S.rsa_pkcs1_sha512, S.rsa_pss_rsae_sha256, S.rsa_pss_rsae_sha384, S.rsa_pss_rsae_sha512]) {
    it(`signs CertificateVerify with ${signatureSchemeName(scheme)} when that is all the server asks for`, { timeout: 10_000 }, async () => {
      const pair = mtlsPair(
        { cipherSuites: [0xc02f], certificates: [certified('client-rsa')], signatureAlgorithms: [scheme] },
        { signatureAlgorithms: [scheme] },
      );
      const [cs, ss] = await handshakeBoth(pair);
      assert.equal(ss.peerSignatureScheme, scheme);
      assert.equal(cs.peerSignatureScheme, scheme);
      assert.equal(ss.authorized, true);
      await roundTrip(pair);
    });
  }

  it('picks the certificate that fits the requested schemes', { timeout: 10_000 }, async () => {
    const pair = mtlsPair(
      { cipherSuites: [0xc02f], certificates: [certified('client-p256'), certified('client-rsa')] },
      { signatureAlgorithms: [S.rsa_pss_rsae_sha256] },
    );
    const [, ss] = await handshakeBoth(pair);
    assert.deepEqual(ss.peerCertificates, certified('client-rsa').chain);
    assert.equal(ss.peerSignatureScheme, S.rsa_pss_rsae_sha256);
  });

  it('refuses a missing client certificate with handshake_failure when one is required', { timeout: 10_000 }, async () => {
    const pair = mtlsPair({ cipherSuites: [0xc02f] }, {});
    await assertRefused(pair, 'server', 'handshake_failure', 'ERR_TLS_PEER_CERTIFICATE_REQUIRED');
    assert.equal(pair.client.conn.isHandshakeComplete, false);
  });

  it('refuses with handshake_failure when no client certificate fits the requested schemes', { timeout: 10_000 }, async () => {
    // The client holds only a P-256 key; the server asks for RSA signatures: an empty Certificate goes out.
    const pair = mtlsPair(
      { cipherSuites: [0xc02f], certificates: [certified('client-p256')] },
      { signatureAlgorithms: [S.rsa_pss_rsae_sha256, S.rsa_pkcs1_sha256] },
    );
    await assertRefused(pair, 'server', 'handshake_failure', 'ERR_TLS_PEER_CERTIFICATE_REQUIRED');
  });

  it('accepts a missing client certificate when one is only requested, unauthorized', { timeout: 10_000 }, async () => {
    const pair = mtlsPair({ cipherSuites: [0xc02f] }, { requireClientCertificate: false });
    const [cs, ss] = await handshakeBoth(pair);
    assert.deepEqual(ss.peerCertificates, []);
    assert.equal(ss.authorized, false);
    assert.equal(typeof ss.authorizationError, 'string');
    assert.equal(ss.peerSignatureScheme, undefined);
    assert.deepEqual(cs.localCertificates, []);
    await roundTrip(pair);
  });

  it('refuses an untrusted client certificate with the verifier alert (unknown_ca) when one is required', { timeout: 10_000 }, async () => {
    // A "CA" that did not issue client-rsa.
    const pair = mtlsPair({ cipherSuites: [0xc02f], certificates: [certified('client-rsa')] }, { verifyPeer: caVerifier(fixture('server-rsa.pem')) });
    await assertRefused(pair, 'server', 'unknown_ca', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
  });

  it('accepts an untrusted client certificate when one is only requested, unauthorized with the reason', { timeout: 10_000 }, async () => {
    const pair = mtlsPair(
      { cipherSuites: [0xc02f], certificates: [certified('client-rsa')] },
      { verifyPeer: caVerifier(fixture('server-rsa.pem')), requireClientCertificate: false },
    );
    const [, ss] = await handshakeBoth(pair);
    assert.equal(ss.authorized, false);
    assert.equal(ss.authorizationError, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
    assert.deepEqual(ss.peerCertificates, certified('client-rsa').chain);
    assert.equal(ss.peerSignatureScheme, S.rsa_pss_rsae_sha256, 'CertificateVerify is still checked');
    await roundTrip(pair);
  });

  it('authorizes both sides with the X.509 verifier (src/node/trust.ts) and the test CA', { timeout: 10_000 }, async () => {
    const x509 = makeVerifier({ ca: fixture('ca.pem') });
    const pair = mtlsPair({ cipherSuites: [0xc02b], certificates: [certified('client-p256')], verifyPeer: x509 }, { verifyPeer: x509 });
    const [cs, ss] = await handshakeBoth(pair);
    assert.equal(cs.authorized, true, cs.authorizationError);
    assert.equal(ss.authorized, true, ss.authorizationError);
    await roundTrip(pair);
  });

  it('refuses a client certificate the X.509 verifier rejects (wrong CA)', { timeout: 10_000 }, async () => {
    // Trusting only server-rsa as an anchor: client-rsa does not chain to it.
    const pair = mtlsPair({ cipherSuites: [0xc02f], certificates: [certified('client-rsa')] }, { verifyPeer: makeVerifier({ ca: fixture('server-rsa.pem') }) });
    const err = await pair.server.closed;
    assert.ok(err);
    assert.equal(err.alert?.direction, 'sent');
    assert.equal(err.alert?.name, 'unknown_ca', err.message);
    assert.equal((await pair.client.closed)?.alert?.name, 'unknown_ca');
  });

  it('does not send a certificate when none was requested', { timeout: 10_000 }, async () => {
    const pair = mtlsPair({ cipherSuites: [0xc02f], certificates: [certified('client-rsa')] }, { requestClientCertificate: false, requireClientCertificate: false });
    const [cs, ss] = await handshakeBoth(pair);
    assert.deepEqual(ss.peerCertificates, []);
    assert.deepEqual(cs.localCertificates, []);
    assert.equal(ss.authorized, false);
  });
});
