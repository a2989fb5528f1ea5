/**
 * TLS 1.3 between our client and our server, in memory: every suite × group
 * × server signature scheme, HelloRetryRequest, client certificates,
 * KeyUpdate (asked for, answered, automatic), exporters, middlebox
 * compatibility, version fallback and downgrade protection.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { certified, connectPair, handshakeBoth, settle, type Pair } from '../helpers/pair.js';
import type { HandshakeSummary } from '../../src/connection.js';
import { ContentType, HandshakeType, NamedGroup, SignatureScheme, cipherSuiteByName } from '../../src/registry.js';
import { ServerHelloCodec, HELLO_RETRY_REQUEST_RANDOM } from '../../src/messages/handshake.js';
import { Reader } from '../../src/wire/reader.js';
import { DOWNGRADE_TLS12 } from '../../src/handshake/common.js';
import { Tls13Mitm } from '../helpers/tls13-mitm.js';

const T = { timeout: 10_000 };
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);
const S = SignatureScheme;
const G = NamedGroup;

const SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];
const GROUPS: [string, number][] = [
  ['x25519', G.x25519],
  ['secp256r1', G.secp256r1],
  ['secp384r1', G.secp384r1],
  ['X25519MLKEM768', G.X25519MLKEM768],
];
/** Server certificate and the scheme the client insists on. */
const SCHEMES: [string, string, number][] = [
  ['server-rsa', 'rsa_pss_rsae_sha256', S.rsa_pss_rsae_sha256],
  ['server-rsa', 'rsa_pss_rsae_sha384', S.rsa_pss_rsae_sha384],
  ['server-rsa', 'rsa_pss_rsae_sha512', S.rsa_pss_rsae_sha512],
  ['server-p256', 'ecdsa_secp256r1_sha256', S.ecdsa_secp256r1_sha256],
  ['server-p384', 'ecdsa_secp384r1_sha384', S.ecdsa_secp384r1_sha384],
  ['server-ed25519', 'ed25519', S.ed25519],
];

/** Handshake, then move `n` bytes each way and compare them byte for byte. */
async function exchange(pair: Pair, n = 3000): Promise<[HandshakeSummary, HandshakeSummary]> {
  const [c, s] = await handshakeBoth(pair);
  const up = Uint8Array.from({ length: n }, (_, i) => (i * 7) & 0xff);
  const down = Uint8Array.from({ length: n }, (_, i) => (i * 13 + 1) & 0xff);
  pair.client.conn.send(up);
  pair.server.conn.send(down);
  for (let i = 0; i < 50 && (pair.server.received().length < n || pair.client.received().length < n); i++) await settle(1);
  assert.deepEqual(pair.server.received(), up);
  assert.deepEqual(pair.client.received(), down);
  return [c, s];
}

function handshakeTypes(pair: Pair, side: 'client' | 'server', direction: 'sent' | 'received'): number[] {
  return pair[side].trace.filter((e) => e.kind === 'handshake' && e.direction === direction).map((e) => e.message![0]!);
}

describe('TLS 1.3 in memory: suite × group × signature scheme', () => {
  for (const suiteName of SUITES) {
    for (const [groupLabel, group] of GROUPS) {
      for (const [cert, schemeName, scheme] of SCHEMES) {
        it(`completes ${suiteName} with ${groupLabel} and ${schemeName}`, T, async () => {
          const suite = cipherSuiteByName(suiteName)!.id;
          const groups = group === G.X25519MLKEM768 ? [G.X25519MLKEM768, G.x25519] : [group];
          const pair = connectPair(
            { cipherSuites: [suite], groups, signatureAlgorithms: [scheme] },
            { certificates: [certified(cert)], groups: [group, G.x25519] },
          );
          const [c, s] = await exchange(pair);
          for (const x of [c, s]) {
            assert.equal(x.version, 'TLSv1.3');
            assert.equal(x.cipherSuite.name, suiteName);
            assert.equal(x.group, group);
            assert.equal(x.resumed, false);
            assert.equal(x.roundTrips, 1);
          }
          assert.equal(c.peerSignatureScheme, scheme);
          assert.equal(c.peerCertificates.length, 1);
          assert.deepEqual(s.localCertificates, c.peerCertificates);
          assert.equal(c.authorized, true);
        });
      }
    }
  }
});

describe('TLS 1.3 in memory: negotiation', () => {
  it('prefers TLS 1.3 and reports TLSv1.3 on both sides', T, async () => {
    const pair = connectPair({}, {});
    const [c, s] = await exchange(pair);
    assert.equal(c.version, 'TLSv1.3');
    assert.equal(s.version, 'TLSv1.3');
  });

  it('falls back to TLS 1.2 on the same connection when the server stops at 1.2', T, async () => {
    const pair = connectPair({}, { maxVersion: 'TLSv1.2' });
    const [c, s] = await exchange(pair);
    assert.equal(c.version, 'TLSv1.2');
    assert.equal(s.version, 'TLSv1.2');
  });

  it('falls back to TLS 1.2 when the client stops at 1.2', T, async () => {
    const pair = connectPair({ maxVersion: 'TLSv1.2' }, {});
    const [c] = await exchange(pair);
    assert.equal(c.version, 'TLSv1.2');
  });

  it('does a TLS 1.3-only handshake with a TLS 1.3-only server', T, async () => {
    const pair = connectPair({ minVersion: 'TLSv1.3' }, { minVersion: 'TLSv1.3' });
    const [c] = await exchange(pair);
    assert.equal(c.version, 'TLSv1.3');
  });

  it('refuses a TLS 1.2-only client at a TLS 1.3-only server with protocol_version', T, async () => {
    const pair = connectPair({ maxVersion: 'TLSv1.2' }, { minVersion: 'TLSv1.3' });
    const err = await pair.server.closed;
    assert.equal(err?.alert?.name, 'protocol_version');
    assert.equal((await pair.client.closed)?.alert?.name, 'protocol_version');
  });

  it('puts the downgrade sentinel in ServerHello.random when a 1.3-capable server negotiates 1.2', T, async () => {
    const pair = connectPair({ maxVersion: 'TLSv1.2', trace: true }, {});
    await exchange(pair);
    const sh = pair.client.trace.find((e) => e.kind === 'handshake' && e.direction === 'received' && e.message![0] === HandshakeType.server_hello)!;
    const hello = ServerHelloCodec.decode(new Reader(sh.message!.subarray(4)));
    assert.deepEqual(hello.random.subarray(24), DOWNGRADE_TLS12);
  });

  it('aborts with illegal_parameter when a 1.3 client sees the downgrade sentinel in a 1.2 ServerHello', T, async () => {
    // The server only does 1.2 (as if an attacker stripped 1.3 from the ClientHello) but is 1.3-capable, so it marks its random.
    let stripped = false;
    const pair = connectPair({}, { maxVersion: 'TLSv1.3' }, {
      tamper: (from, bytes) => {
        if (from !== 'client' || stripped) return bytes;
        stripped = true;
        // Remove supported_versions from the ClientHello: the server then negotiates 1.2 and sets the sentinel.
        return stripSupportedVersions(bytes);
      },
    });
    const err = await pair.client.closed;
    assert.equal(err?.alert?.name, 'illegal_parameter');
    assert.match(err!.message, /downgrade/);
    assert.equal((await pair.server.closed)?.alert?.name, 'illegal_parameter');
  });

  it('sends a HelloRetryRequest with a cookie when the client has no share for the server\'s group', T, async () => {
    const pair = connectPair({ groups: [G.x25519, G.secp384r1], trace: true }, { groups: [G.secp384r1], trace: true });
    const [c, s] = await exchange(pair);
    assert.equal(c.group, G.secp384r1);
    assert.equal(s.group, G.secp384r1);
    assert.equal(c.roundTrips, 2);
    const hellos = handshakeTypes(pair, 'server', 'received').filter((t) => t === HandshakeType.client_hello);
    assert.equal(hellos.length, 2);
    const hrr = pair.client.trace.find((e) => e.kind === 'handshake' && e.direction === 'received' && e.message![0] === HandshakeType.server_hello)!;
    const msg = ServerHelloCodec.decode(new Reader(hrr.message!.subarray(4)));
    assert.deepEqual(msg.random, HELLO_RETRY_REQUEST_RANDOM);
    assert.ok(msg.extensions.some((e) => e.type === 44), 'HelloRetryRequest carries a cookie');
  });

  it('negotiates X25519MLKEM768 between our client and our server', T, async () => {
    const pair = connectPair({ groups: [G.X25519MLKEM768, G.x25519] }, { groups: [G.X25519MLKEM768, G.x25519] });
    const [c, s] = await exchange(pair);
    assert.equal(c.group, G.X25519MLKEM768);
    assert.equal(s.group, G.X25519MLKEM768);
  });

  it('uses the classical share when the server does not do X25519MLKEM768', T, async () => {
    const pair = connectPair({ groups: [G.X25519MLKEM768, G.x25519] }, { groups: [G.x25519] });
    const [c] = await exchange(pair);
    assert.equal(c.group, G.x25519);
    assert.equal(c.roundTrips, 1);
  });

  it('negotiates ALPN in EncryptedExtensions', T, async () => {
    const pair = connectPair({ alpnProtocols: ['h2', 'http/1.1'] }, { alpnProtocols: ['http/1.1'] });
    const [c, s] = await exchange(pair);
    assert.equal(c.alpnProtocol, 'http/1.1');
    assert.equal(s.alpnProtocol, 'http/1.1');
  });

  it('runs in middlebox-compatibility mode: a 32-byte session ID echoed and one dummy ChangeCipherSpec each way', T, async () => {
    const pair = connectPair({ trace: true }, { trace: true });
    await exchange(pair);
    for (const side of ['client', 'server'] as const) {
      const ccs = pair[side].trace.filter((e) => e.kind === 'change_cipher_spec' && e.direction === 'sent');
      assert.equal(ccs.length, 1, `${side} sends one ChangeCipherSpec`);
    }
    const sh = pair.client.trace.find((e) => e.kind === 'handshake' && e.direction === 'received' && e.message![0] === HandshakeType.server_hello)!;
    assert.equal(ServerHelloCodec.decode(new Reader(sh.message!.subarray(4))).legacySessionIdEcho.length, 32);
  });

  it('hides the handshake after ServerHello: every later record has outer type application_data', T, async () => {
    const mitm = new Tls13Mitm();
    const pair = connectPair({ cipherSuites: [0x1301] }, {}, { tamper: mitm.tamper });
    mitm.attach(pair);
    await exchange(pair);
    const server = mitm.seen.server;
    assert.deepEqual(
      server.filter((r) => r.epoch === 'handshake').map((r) => r.fragment[0]),
      [HandshakeType.encrypted_extensions, HandshakeType.certificate, HandshakeType.certificate_verify, HandshakeType.finished],
    );
    assert.ok(server.filter((r) => r.epoch === 'plaintext').every((r) => r.type === ContentType.handshake || r.type === ContentType.change_cipher_spec));
  });

  it('reads padded records and hands over only the content (RFC 8446 §5.4)', T, async () => {
    const mitm = new Tls13Mitm();
    const pair = connectPair({ cipherSuites: [0x1301] }, {}, { tamper: mitm.tamper });
    mitm.attach(pair);
    mitm.onRecord((r, ctx) => (ctx.from === 'client' && ctx.epoch === 'application' && r.type === ContentType.application_data ? [{ ...r, padding: 500 }] : undefined));
    await handshakeBoth(pair);
    pair.client.conn.send(enc('padded'));
    await settle(5);
    assert.equal(dec(pair.server.received()), 'padded');
  });
});

describe('TLS 1.3 in memory: record padding', () => {
  it('pads every protected record to a multiple of padRecordsTo and the peer reads the content only', T, async () => {
    const mitm = new Tls13Mitm();
    const pair = connectPair({ cipherSuites: [0x1301], padRecordsTo: 256 }, { padRecordsTo: 256 }, { tamper: mitm.tamper });
    mitm.attach(pair);
    await exchange(pair, 1000);
    pair.client.conn.send(enc('x'));
    await settle(5);
    for (const side of ['client', 'server'] as const) {
      const prot = mitm.seen[side].filter((r) => r.epoch !== 'plaintext');
      assert.ok(prot.length > 0);
      // The mitm hands over the content without padding, so check the sealed sizes instead: all multiples of 256 (+ 16-byte tag).
      assert.ok(mitm.sizes[side].every((n) => (n - 16) % 256 === 0), `${side}: ${mitm.sizes[side].join(',')}`);
    }
    assert.equal(dec(pair.server.received().subarray(1000)), 'x');
  });
});

describe('TLS 1.3 in memory: client certificates', () => {
  for (const name of ['client-rsa', 'client-p256']) {
    it(`authenticates ${name} with CertificateRequest`, T, async () => {
      const pair = connectPair({ certificates: [certified(name)], trace: true }, { requestClientCertificate: true, requireClientCertificate: true });
      const [c, s] = await exchange(pair);
      assert.equal(s.peerCertificates.length, 1);
      assert.deepEqual(s.peerCertificates, c.localCertificates);
      assert.equal(s.authorized, true);
      assert.ok(s.peerSignatureScheme !== undefined);
      assert.ok(handshakeTypes(pair, 'client', 'received').includes(HandshakeType.certificate_request));
    });
  }

  it('lets a client without a certificate in when the certificate is only requested', T, async () => {
    const pair = connectPair({}, { requestClientCertificate: true });
    const [, s] = await exchange(pair);
    assert.equal(s.peerCertificates.length, 0);
    assert.equal(s.authorized, false);
  });

  it('refuses a client without a certificate with certificate_required when one is required', T, async () => {
    const pair = connectPair({}, { requestClientCertificate: true, requireClientCertificate: true });
    const err = await pair.server.closed;
    assert.equal(err?.alert?.name, 'certificate_required');
    assert.equal(err?.code, 'ERR_TLS_PEER_CERTIFICATE_REQUIRED');
    const peer = await pair.client.closed;
    assert.equal(peer?.alert?.name, 'certificate_required');
    assert.equal(peer?.code, 'ERR_TLS_ALERT_RECEIVED');
  });

  it('refuses a client certificate the verifier rejects with its alert', T, async () => {
    const pair = connectPair(
      { certificates: [certified('client-p256')] },
      { requestClientCertificate: true, requireClientCertificate: true, verifyPeer: async () => ({ valid: false, code: 'UNABLE_TO_GET_ISSUER_CERT', alert: 'unknown_ca' }) },
    );
    assert.equal((await pair.server.closed)?.alert?.name, 'unknown_ca');
    assert.equal((await pair.client.closed)?.alert?.name, 'unknown_ca');
  });
});

describe('TLS 1.3 in memory: KeyUpdate', () => {
  it('updates the client\'s write keys and data keeps flowing', T, async () => {
    const pair = connectPair({}, {});
    await exchange(pair, 100);
    pair.client.conn.keyUpdate(false);
    pair.client.conn.send(enc('after update'));
    await settle(5);
    assert.equal(dec(pair.server.received().subarray(100)), 'after update');
    pair.server.conn.send(enc('server still old keys'));
    await settle(5);
    assert.equal(dec(pair.client.received().subarray(100)), 'server still old keys');
  });

  it('answers update_requested with a KeyUpdate of its own', T, async () => {
    const pair = connectPair({ trace: true }, { trace: true });
    await exchange(pair, 10);
    pair.server.conn.keyUpdate(true);
    await settle(5);
    const clientSent = handshakeTypes(pair, 'client', 'sent').filter((t) => t === HandshakeType.key_update);
    assert.equal(clientSent.length, 1, 'client answered');
    const answer = pair.client.trace.filter((e) => e.kind === 'handshake' && e.direction === 'sent' && e.message![0] === HandshakeType.key_update)[0]!;
    assert.equal(answer.message![4], 0, 'the answer does not request an update back');
    pair.client.conn.send(enc('c'));
    pair.server.conn.send(enc('s'));
    await settle(5);
    assert.equal(dec(pair.server.received().subarray(10)), 'c');
    assert.equal(dec(pair.client.received().subarray(10)), 's');
  });

  it('updates keys many times in both directions', T, async () => {
    const pair = connectPair({}, {});
    await exchange(pair, 1);
    for (let i = 0; i < 5; i++) {
      pair.client.conn.keyUpdate(i % 2 === 0);
      pair.server.conn.keyUpdate(false);
      pair.client.conn.send(enc(`c${i}`));
      pair.server.conn.send(enc(`s${i}`));
      await settle(2);
    }
    assert.equal(dec(pair.server.received().subarray(1)), 'c0c1c2c3c4');
    assert.equal(dec(pair.client.received().subarray(1)), 's0s1s2s3s4');
  });

  it('sends a KeyUpdate by itself before the write key reaches its record limit (RFC 8446 §5.5)', T, async () => {
    const pair = connectPair({ keyUpdateAfterRecords: 4, trace: true }, {});
    await handshakeBoth(pair);
    for (let i = 0; i < 10; i++) pair.client.conn.send(enc(String(i)));
    await settle(5);
    assert.equal(dec(pair.server.received()), '0123456789');
    const updates = handshakeTypes(pair, 'client', 'sent').filter((t) => t === HandshakeType.key_update);
    assert.ok(updates.length >= 2, `expected automatic KeyUpdates, got ${updates.length}`);
  });

  it('refuses keyUpdate() on a TLS 1.2 connection', T, async () => {
    const pair = connectPair({ maxVersion: 'TLSv1.2' }, {});
    await handshakeBoth(pair);
    assert.throws(() => pair.client.conn.keyUpdate(false), { code: 'ERR_TLS_INVALID_STATE' });
  });
});

describe('TLS 1.3 in memory: exporters', () => {
  for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
    it(`gives both sides the same keying material in ${version}`, T, async () => {
      const pair = connectPair({ maxVersion: version }, {});
      await handshakeBoth(pair);
      const a = pair.client.conn.exportKeyingMaterial(32, 'EXPERIMENTAL-test', enc('ctx'));
      const b = pair.server.conn.exportKeyingMaterial(32, 'EXPERIMENTAL-test', enc('ctx'));
      assert.equal(a.length, 32);
      assert.deepEqual(a, b);
      assert.notDeepEqual(pair.client.conn.exportKeyingMaterial(32, 'EXPERIMENTAL-other', enc('ctx')), a);
      assert.notDeepEqual(pair.client.conn.exportKeyingMaterial(32, 'EXPERIMENTAL-test', enc('ctx2')), a);
      assert.deepEqual(pair.client.conn.exportKeyingMaterial(16, 'EXPERIMENTAL-test'), pair.server.conn.exportKeyingMaterial(16, 'EXPERIMENTAL-test'));
    });
  }

  it('refuses to export before the handshake', T, () => {
    const pair = connectPair({}, {});
    assert.throws(() => pair.client.conn.exportKeyingMaterial(16, 'x'), { code: 'ERR_TLS_INVALID_STATE' });
  });
});

/** Remove supported_versions from a ClientHello record (test helper for the downgrade case). */
function stripSupportedVersions(bytes: Uint8Array): Uint8Array {
  const rec = bytes.subarray(5);
  const body = rec.subarray(4);
  const r = new Reader(body);
  r.u16();
  r.bytes(32);
  r.vec8();
  r.vec16();
  r.vec8();
  const extStart = r.offset;
  const exts = r.sub16();
  const kept: Uint8Array[] = [];
  while (!exts.atEnd()) {
    const start = exts.offset;
    const type = exts.u16();
    exts.vec16();
    if (type !== 43 && type !== 51 && type !== 45) kept.push(body.subarray(start, exts.offset));
  }
  const extBytes = Buffer.concat(kept);
  const newBody = Buffer.concat([body.subarray(0, extStart), Buffer.from([extBytes.length >> 8, extBytes.length & 0xff]), extBytes]);
  const hs = Buffer.concat([Buffer.from([1, 0, newBody.length >> 8, newBody.length & 0xff]), newBody]);
  return new Uint8Array(Buffer.concat([Buffer.from([22, 3, 1, hs.length >> 8, hs.length & 0xff]), hs]));
}
