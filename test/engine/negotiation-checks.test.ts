/**
 * Negotiation checks, each shown to be the one that fires: version downgrade
 * (the RFC 8446 §4.1.3 sentinel, TLS_FALLBACK_SCSV, a TLS 1.3-only client),
 * ALPN (a protocol the client never offered, no protocol in common), an
 * ECDHE group the client never offered, client certificates a server
 * requires. Where a hostile peer rewrites a message, it forges the Finished
 * messages over the rewritten transcript (test/helpers/finished-forger.ts), so
 * no later check would stop the handshake.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ClientConfig, PeerVerifier, ServerConfig } from '../../src/config.js';
import { alpn, findExtension, u16List, type Extension } from '../../src/messages/extensions.js';
import { ClientHelloCodec, EncryptedExtensionsCodec, ServerHelloCodec, frameHandshake } from '../../src/messages/handshake.js';
import { ExtensionType, HandshakeType, NamedGroup, TLS_FALLBACK_SCSV, cipherSuiteInfo, groupName } from '../../src/registry.js';
import { Reader } from '../../src/wire/reader.js';
import { Finished12Forger, Finished13Forger, type MessageRewrite } from '../helpers/finished-forger.js';
import { FlightEditor } from '../helpers/hostile.js';
import { certified, connectPair, handshakeBoth, type Pair } from '../helpers/pair.js';
import { expectRefusal } from '../helpers/refusal.js';
import { Tls13Mitm } from '../helpers/tls13-mitm.js';

const T = { timeout: 10_000 };
const HT = HandshakeType;
const X = ExtensionType;

function forged12(rewrite: MessageRewrite, client: Partial<ClientConfig> = {}, server: Partial<ServerConfig> = {}): Pair {
  const editor = new FlightEditor();
  let pair: Pair | undefined;
  new Finished12Forger(() => pair!, editor, rewrite);
  pair = connectPair({ cipherSuites: [0x1301, 0xc02f], ...client }, server, { tamper: editor.tamper });
  return pair;
}

function forged13(rewrite: MessageRewrite, client: Partial<ClientConfig> = {}, server: Partial<ServerConfig> = {}): Pair {
  const mitm = new Tls13Mitm(0x1301);
  let pair: Pair | undefined;
  new Finished13Forger(() => pair!, cipherSuiteInfo(0x1301)!, mitm, rewrite);
  pair = connectPair({ minVersion: 'TLSv1.3', cipherSuites: [0x1301], ...client }, { minVersion: 'TLSv1.3', ...server }, { tamper: mitm.tamper });
  mitm.attach(pair);
  return pair;
}

const withExt = (exts: readonly Extension[], type: number, data: Uint8Array | undefined): Extension[] => {
  const out = exts.filter((e) => e.type !== type);
  if (data !== undefined) out.push({ type, data });
  return out;
};

/** Rewrite the (first) ClientHello. */
const editClientHello =
  (fn: (h: ReturnType<typeof ClientHelloCodec.decode>) => ReturnType<typeof ClientHelloCodec.decode>): MessageRewrite =>
  (m, from) =>
    from === 'client' && m[0] === HT.client_hello ? frameHandshake(HT.client_hello, ClientHelloCodec.encode(fn(ClientHelloCodec.decode(new Reader(m.subarray(4)))))) : undefined;

/** Rewrite the ServerHello. */
const editServerHello =
  (fn: (h: ReturnType<typeof ServerHelloCodec.decode>) => ReturnType<typeof ServerHelloCodec.decode>): MessageRewrite =>
  (m, from) =>
    from === 'server' && m[0] === HT.server_hello ? frameHandshake(HT.server_hello, ServerHelloCodec.encode(fn(ServerHelloCodec.decode(new Reader(m.subarray(4)))))) : undefined;

describe('version downgrade', () => {
  it('a client that offered TLS 1.3 refuses a TLS 1.2 ServerHello carrying the downgrade sentinel', T, async () => {
    // An attacker strips supported_versions: the 1.3-capable server answers TLS 1.2 and marks its random.
    const pair = forged12(editClientHello((h) => ({ ...h, extensions: withExt(h.extensions, X.supported_versions, undefined) })));
    await expectRefusal(pair, 'client', 'illegal_parameter', 'downgrade sentinel in ServerHello.random: TLS 1.3 was stripped');
  });

  it('a server limited to TLS 1.2 sends no sentinel, and a 1.3-capable client completes TLS 1.2 with it', T, async () => {
    const pair = connectPair({}, { maxVersion: 'TLSv1.2' });
    const [c] = await handshakeBoth(pair);
    assert.equal(c.version, 'TLSv1.2');
  });

  it('a 1.3-capable server refuses TLS_FALLBACK_SCSV with inappropriate_fallback', T, async () => {
    const pair = forged12(editClientHello((h) => ({ ...h, cipherSuites: [...h.cipherSuites, TLS_FALLBACK_SCSV] })), { maxVersion: 'TLSv1.2' });
    await expectRefusal(pair, 'server', 'inappropriate_fallback', 'TLS_FALLBACK_SCSV received, but TLS 1.3 is supported');
  });

  it('a TLS 1.2-only server accepts TLS_FALLBACK_SCSV', T, async () => {
    const pair = forged12(editClientHello((h) => ({ ...h, cipherSuites: [...h.cipherSuites, TLS_FALLBACK_SCSV] })), { maxVersion: 'TLSv1.2' }, { maxVersion: 'TLSv1.2' });
    const [c] = await handshakeBoth(pair);
    assert.equal(c.version, 'TLSv1.2');
  });

  it('a TLS 1.3-only client refuses a TLS 1.2 ServerHello with protocol_version', T, async () => {
    // The attacker makes the 1.3-only ClientHello look like a TLS 1.2 one (no supported_versions, a 1.2 suite).
    const pair = forged12(
      editClientHello((h) => ({ ...h, cipherSuites: [...h.cipherSuites, 0xc02f], extensions: withExt(h.extensions, X.supported_versions, undefined) })),
      { minVersion: 'TLSv1.3', cipherSuites: [0x1301] },
      { maxVersion: 'TLSv1.2' },
    );
    await expectRefusal(pair, 'client', 'protocol_version', 'server chose TLS 1.2, which is disabled');
  });
});

describe('HelloRetryRequest', () => {
  it('a TLS 1.3 server refuses a second ClientHello that changes more than the HelloRetryRequest asked', T, async () => {
    // The client sends an X25519 share; the server wants P-256 and asks again. The second hello also reorders the suites.
    const mitm = new Tls13Mitm(0x1301);
    let hellos = 0;
    mitm.onRecord((r, ctx) => {
      if (ctx.from !== 'client' || ctx.epoch !== 'plaintext' || r.type !== 22 || r.fragment[0] !== HT.client_hello || hellos++ !== 1) return undefined;
      const h = ClientHelloCodec.decode(new Reader(r.fragment.subarray(4)));
      return [{ type: 22, fragment: frameHandshake(HT.client_hello, ClientHelloCodec.encode({ ...h, cipherSuites: [...h.cipherSuites].reverse() })) }];
    });
    const pair = connectPair(
      { minVersion: 'TLSv1.3', cipherSuites: [0x1301, 0x1302], groups: [NamedGroup.x25519, NamedGroup.secp256r1] },
      { minVersion: 'TLSv1.3', groups: [NamedGroup.secp256r1] },
      { tamper: mitm.tamper },
    );
    mitm.attach(pair);
    await expectRefusal(pair, 'server', 'illegal_parameter', 'second ClientHello differs from the first beyond what HelloRetryRequest allows');
    assert.equal(hellos, 2);
  });
});

describe('ALPN', () => {
  const notOffered = 'server selected an ALPN protocol that was not offered';

  it('a TLS 1.3 client refuses an ALPN protocol it never offered (EncryptedExtensions rewritten, Finished forged)', T, async () => {
    const pair = forged13(
      (m, from) => {
        if (from !== 'server' || m[0] !== HT.encrypted_extensions) return undefined;
        const ee = EncryptedExtensionsCodec.decode(new Reader(m.subarray(4)));
        assert.deepEqual(alpn.decode(findExtension(ee, X.application_layer_protocol_negotiation)!), ['h2']);
        return frameHandshake(HT.encrypted_extensions, EncryptedExtensionsCodec.encode(withExt(ee, X.application_layer_protocol_negotiation, alpn.encode(['x-never-offered']))));
      },
      { alpnProtocols: ['h2'] },
      { alpnProtocols: ['h2'] },
    );
    await expectRefusal(pair, 'client', 'illegal_parameter', notOffered);
  });

  it('a TLS 1.2 client refuses an ALPN protocol it never offered (ServerHello rewritten, Finished forged)', T, async () => {
    const pair = forged12(
      editServerHello((h) => ({ ...h, extensions: withExt(h.extensions, X.application_layer_protocol_negotiation, alpn.encode(['x-never-offered'])) })),
      { maxVersion: 'TLSv1.2', alpnProtocols: ['h2'] },
      { alpnProtocols: ['h2'] },
    );
    await expectRefusal(pair, 'client', 'illegal_parameter', notOffered);
  });

  for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
    it(`a ${version} server with no protocol in common refuses with no_application_protocol`, T, async () => {
      const pair = connectPair({ maxVersion: version, alpnProtocols: ['h2'] }, { alpnProtocols: ['http/1.1'] });
      await expectRefusal(pair, 'server', 'no_application_protocol', 'no ALPN protocol in common (client offered h2)');
    });
  }
});

describe('key exchange group', () => {
  it('a TLS 1.2 client refuses an ECDHE curve it never offered', T, async () => {
    // The client offers X25519 only; the attacker rewrites supported_groups to P-256, which the server signs for.
    const pair = forged12(
      editClientHello((h) => ({ ...h, extensions: withExt(h.extensions, X.supported_groups, u16List.encode([NamedGroup.secp256r1])) })),
      { maxVersion: 'TLSv1.2', groups: [NamedGroup.x25519] },
    );
    await expectRefusal(pair, 'client', 'illegal_parameter', `server chose group ${groupName(NamedGroup.secp256r1)}, which was not offered`);
  });
});

describe('client certificates a server requires', () => {
  const refuses: PeerVerifier = async () => ({ valid: false, code: 'TEST_UNTRUSTED', message: 'the test verifier refuses this chain', alert: 'unknown_ca' });

  it('a TLS 1.3 server refuses a client without a certificate with certificate_required', T, async () => {
    const pair = connectPair({ minVersion: 'TLSv1.3' }, { requestClientCertificate: true, requireClientCertificate: true });
    await expectRefusal(pair, 'server', 'certificate_required', 'client did not send a certificate', 'ERR_TLS_PEER_CERTIFICATE_REQUIRED');
  });

  for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
    it(`a ${version} server refuses a client certificate its verifier rejects`, T, async () => {
      const pair = connectPair({ maxVersion: version, certificates: [certified('client-p256')] }, { requestClientCertificate: true, requireClientCertificate: true, verifyPeer: refuses });
      await expectRefusal(pair, 'server', 'unknown_ca', 'the test verifier refuses this chain', 'TEST_UNTRUSTED');
    });
  }
});

