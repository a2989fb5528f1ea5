/**
 * TLS 1.2 in memory, every suite × group × ServerKeyExchange signature scheme:
 * a client engine wired to a server engine (test/helpers/pair.ts), the
 * summary checked on both sides, data moved both ways, closed with close_notify.
 *
 * The scheme is chosen by restricting the client's signature_algorithms to it;
 * the group by restricting the client's supported_groups.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { certified, closeBoth, connectPair, handshakeBoth, until, type Pair } from '../helpers/pair.js';
import { payload } from '../helpers/openssl.js';
import { NamedGroup, SignatureScheme, cipherSuiteInfo, groupName, signatureSchemeName } from '../../src/registry.js';

const ECDHE_RSA = [0xc02f, 0xc030, 0xcca8];
const ECDHE_ECDSA = [0xc02b, 0xc02c, 0xcca9];
const DHE_RSA = [0x009e, 0x009f, 0xccaa];
const RSA_KX = [0x009c, 0x009d];

const EC_GROUPS = [NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1];
const FF_GROUPS = [NamedGroup.ffdhe2048, NamedGroup.ffdhe3072, NamedGroup.ffdhe4096];

const RSA_SCHEMES = [
  SignatureScheme.rsa_pkcs1_sha256,
  SignatureScheme.rsa_pkcs1_sha384,
  SignatureScheme.rsa_pkcs1_sha512,
  SignatureScheme.rsa_pss_rsae_sha256,
  SignatureScheme.rsa_pss_rsae_sha384,
  SignatureScheme.rsa_pss_rsae_sha512,
];
const ECDSA_SCHEMES = [SignatureScheme.ecdsa_secp256r1_sha256, SignatureScheme.ecdsa_secp384r1_sha384];

/** Which fixture certificate a scheme needs. */
const certFor = (scheme: number | undefined): string =>
  scheme === SignatureScheme.ed25519
    ? 'server-ed25519'
    : scheme === SignatureScheme.ecdsa_secp256r1_sha256 ? 'server-p256' : scheme === SignatureScheme.ecdsa_secp384r1_sha384 ? 'server-p384' : 'server-rsa';

interface Case {
  readonly suite: number;
  readonly group: number | undefined;
  readonly scheme: number | undefined;
}

const cases: Case[] = [];
for (const suite of ECDHE_RSA) for (const group of EC_GROUPS) for (const scheme of RSA_SCHEMES) cases.push({ suite, group, scheme });
for (const suite of ECDHE_ECDSA) for (const group of EC_GROUPS) for (const scheme of ECDSA_SCHEMES) cases.push({ suite, group, scheme });
// RFC 8422 §5.1.1: the ECDHE_ECDSA suites carry Ed25519 certificates too (found by BoGo's Basic-Server-Ed25519).
for (const suite of ECDHE_ECDSA) cases.push({ suite, group: NamedGroup.x25519, scheme: SignatureScheme.ed25519 });
for (const suite of DHE_RSA) for (const group of FF_GROUPS) for (const scheme of RSA_SCHEMES) cases.push({ suite, group, scheme });
for (const suite of RSA_KX) cases.push({ suite, group: undefined, scheme: undefined });

// All server certificates are offered every time: the server must pick the one that fits.
const serverCertificates = [certified('server-rsa'), certified('server-p256'), certified('server-p384'), certified('server-ed25519')];

function caseName(c: Case): string {
  const s = cipherSuiteInfo(c.suite)!.name;
  if (c.group === undefined) return `${s} (RSA key exchange)`;
  return `${s} with ${groupName(c.group)} and ${signatureSchemeName(c.scheme!)}`;
}


async function exchange(pair: Pair, n: number): Promise<void> {
  const up = payload(n, 7);
  const down = payload(n, 11);
  pair.client.conn.send(up);
  pair.server.conn.send(down);
  await until(() => pair.server.received().length >= n && pair.client.received().length >= n, 'application data');
  assert.ok(Buffer.from(pair.server.received()).equals(up), 'server received the client data byte-exact');
  assert.ok(Buffer.from(pair.client.received()).equals(down), 'client received the server data byte-exact');
  await closeBoth(pair);
  assert.ok(pair.client.conn.isClosed && pair.server.conn.isClosed);
}

describe('TLS 1.2 suites × groups × signature schemes in memory', () => {
  it(`covers ${cases.length} combinations`, () => {
    // 3 ECDHE-RSA × 3 groups × 6 RSA schemes + 3 ECDHE-ECDSA × 3 groups × 2 ECDSA schemes
    // + 3 ECDHE-ECDSA with Ed25519 + 3 DHE × 3 FFDHE groups × 6 RSA schemes + 2 RSA key exchange suites.
    assert.equal(cases.length, 54 + 18 + 3 + 54 + 2);
  });

  for (const c of cases) {
    it(`negotiates ${caseName(c)}`, { timeout: 15_000 }, async () => {
      const pair = connectPair(
        {
          maxVersion: 'TLSv1.2',
          cipherSuites: [c.suite],
          groups: c.group === undefined ? [NamedGroup.x25519] : [c.group],
          signatureAlgorithms: c.scheme === undefined ? [SignatureScheme.rsa_pss_rsae_sha256] : [c.scheme],
        },
        {
          maxVersion: 'TLSv1.2',
          // RSA key exchange is only on when enabled explicitly; list every suite under test.
          cipherSuites: [...ECDHE_ECDSA, ...ECDHE_RSA, ...DHE_RSA, ...RSA_KX],
          groups: [...EC_GROUPS, ...FF_GROUPS],
          certificates: serverCertificates,
        },
      );
      const [cs, ss] = await handshakeBoth(pair);
      for (const s of [cs, ss]) {
        assert.equal(s.version, 'TLSv1.2');
        assert.equal(s.cipherSuite.id, c.suite);
        assert.equal(s.group, c.group);
        assert.equal(s.resumed, false);
        assert.equal(s.extendedMasterSecret, true);
      }
      assert.equal(cs.peerSignatureScheme, c.scheme, 'client saw the ServerKeyExchange scheme');
      assert.equal(ss.peerSignatureScheme, undefined, 'no client authentication');
      assert.deepEqual(cs.peerCertificates, certified(certFor(c.scheme)).chain);
      assert.deepEqual(ss.localCertificates, cs.peerCertificates);
      assert.equal(cs.authorized, true);
      await exchange(pair, 20_000);
    });
  }

  it('refuses RSA key exchange unless the server enables it explicitly', { timeout: 5000 }, async () => {
    const pair = connectPair({ maxVersion: 'TLSv1.2', cipherSuites: [0x009c] }, { maxVersion: 'TLSv1.2' });
    await assert.rejects(pair.client.handshake, (e: Error & { alert?: { name: string } }) => e.alert?.name === 'handshake_failure');
    assert.equal(pair.server.error?.alert?.name, 'handshake_failure');
    assert.equal(pair.server.error?.alert?.direction, 'sent');
  });
});
