/**
 * The peer leaf's keyUsage in the handshake (RFC 8446 §4.4.2.2, RFC 5246
 * §7.4.2, RFC 5280 §4.2.1.3), as BoringSSL's KeyUsage tests: a key that
 * signs needs digitalSignature, a key RSA key exchange encrypts to needs
 * keyEncipherment; no keyUsage extension allows both. Enforced whatever
 * the verifier says (these pairs accept every chain).
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import type { CertifiedKey } from '../../src/config.js';
import { defaultProvider } from '../../src/crypto/node.js';
import type { TLSError } from '../../src/errors.js';
import { createCertificate, generateKeyPair, type KeyPair, type KeyUsageName } from '../../src/x509/index.js';
import { acceptAll, connectPair, handshakeBoth, type Pair } from '../helpers/pair.js';

const ECDHE_RSA = 0xc02f;
const RSA_KX = 0x009c;
const TLS13 = 0x1301;

let rsa: KeyPair;
let ec: KeyPair;

async function certifiedWith(key: KeyPair, keyUsage: readonly KeyUsageName[]): Promise<CertifiedKey> {
  const c = await createCertificate({ subject: 'CN=ku.example', privateKeyPem: key.privateKeyPem, subjectAltNames: { dns: ['ku.example'] }, keyUsage });
  return { chain: [c.der], key: defaultProvider.loadPrivateKey(key.privateKeyPem) };
}

function pair(version: 'TLSv1.2' | 'TLSv1.3', suite: number, server: CertifiedKey, client?: CertifiedKey): Pair {
  return connectPair(
    { minVersion: version, maxVersion: version, cipherSuites: [suite], verifyPeer: acceptAll, rejectUnauthorized: false, serverName: 'ku.example', ...(client ? { certificates: [client] } : {}) },
    {
      minVersion: version,
      maxVersion: version,
      cipherSuites: [suite],
      certificates: [server],
      verifyPeer: acceptAll,
      ...(client ? { requestClientCertificate: true, requireClientCertificate: true } : {}),
    },
  );
}

async function refusedBy(p: Pair, side: 'client' | 'server', alert: string): Promise<void> {
  const err = (await p[side].closed) as TLSError | undefined;
  assert.ok(err, `${side} failed`);
  assert.equal(err.alert?.name, alert);
  assert.equal(err.alert?.direction, 'sent');
  assert.equal(err.code, 'KEY_USAGE_BIT_INCORRECT');
  assert.match(err.message, /keyUsage does not allow/);
}

describe('the peer leaf keyUsage in the handshake', () => {
  before(() => {
    rsa = generateKeyPair({ type: 'rsa', bits: 2048 });
    ec = generateKeyPair({ type: 'ec', curve: 'P-256' });
  });

  it('TLS 1.3: a server certificate without digitalSignature is illegal_parameter (even with rejectUnauthorized false)', async () => {
    await refusedBy(pair('TLSv1.3', TLS13, await certifiedWith(rsa, ['keyEncipherment'])), 'client', 'illegal_parameter');
  });

  it('TLS 1.3: an ECDSA server certificate for key agreement only is refused', async () => {
    await refusedBy(pair('TLSv1.3', TLS13, await certifiedWith(ec, ['keyAgreement'])), 'client', 'illegal_parameter');
  });

  it('TLS 1.3: a client certificate without digitalSignature is illegal_parameter', async () => {
    const p = pair('TLSv1.3', TLS13, await certifiedWith(ec, ['digitalSignature']), await certifiedWith(rsa, ['keyEncipherment']));
    await refusedBy(p, 'server', 'illegal_parameter');
  });

  it('TLS 1.3: digitalSignature, or no keyUsage at all, is accepted', async () => {
    await handshakeBoth(pair('TLSv1.3', TLS13, await certifiedWith(rsa, ['digitalSignature'])));
    await handshakeBoth(pair('TLSv1.3', TLS13, await certifiedWith(ec, [])));
  });

  it('TLS 1.2 ECDHE-RSA: the server key must sign (unsupported_certificate otherwise)', async () => {
    await refusedBy(pair('TLSv1.2', ECDHE_RSA, await certifiedWith(rsa, ['keyEncipherment'])), 'client', 'unsupported_certificate');
    await handshakeBoth(pair('TLSv1.2', ECDHE_RSA, await certifiedWith(rsa, ['digitalSignature'])));
  });

  it('TLS 1.2 RSA key exchange: the server key must allow keyEncipherment', async () => {
    await refusedBy(pair('TLSv1.2', RSA_KX, await certifiedWith(rsa, ['digitalSignature'])), 'client', 'unsupported_certificate');
    await handshakeBoth(pair('TLSv1.2', RSA_KX, await certifiedWith(rsa, ['keyEncipherment'])));
  });

  it('TLS 1.2: a client certificate without digitalSignature is refused by the server', async () => {
    const p = pair('TLSv1.2', ECDHE_RSA, await certifiedWith(rsa, ['digitalSignature', 'keyEncipherment']), await certifiedWith(rsa, ['keyEncipherment']));
    await refusedBy(p, 'server', 'unsupported_certificate');
  });
});
