import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CertificateCodec,
  CertificateRequest12Codec,
  CertificateRequest13Codec,
  CertificateVerifyCodec,
  ClientHelloCodec,
  ClientKeyExchangeCodec,
  EncryptedExtensionsCodec,
  HELLO_RETRY_REQUEST_RANDOM,
  KeyUpdateCodec,
  NewSessionTicket12Codec,
  NewSessionTicket13Codec,
  ServerHelloCodec,
  ServerKeyExchangeCodec,
  frameHandshake,
} from '../../src/messages/handshake.js';
import { alpn, cookie, earlyData, keyShare, preSharedKey, supportedVersions, u16List } from '../../src/messages/extensions.js';
import { ExtensionType, HandshakeType, NamedGroup, SignatureScheme } from '../../src/registry.js';
import { createTracer, decodeHandshakeMessage, formatHandshakeMessage, type MessageContext } from '../../src/trace/index.js';
import { fixtureChain } from './sessions.js';
import { FFDHE_GROUPS } from '../../src/crypto/ffdhe.js';
import { Certificate } from '../../src/x509/certificate.js';
import { fixture } from '../helpers/pair.js';

const E = new Uint8Array(0);
const fill = (n: number, v: number): Uint8Array => new Uint8Array(n).fill(v);
const fmt = (type: number, body: Uint8Array, ctx: MessageContext & { explain?: boolean } = {}): string =>
  formatHandshakeMessage(frameHandshake(type, body), { fullHex: true, ...ctx });
const lines = (s: string): string => s.replace(/^\n/, '').replace(/\n\s*$/, '');

describe('formatHandshakeMessage, one message type at a time', () => {
  it('recognises a HelloRetryRequest by its random and decodes its selected group and cookie', () => {
    const body = ServerHelloCodec.encode({
      legacyVersion: 0x0303,
      random: HELLO_RETRY_REQUEST_RANDOM,
      legacySessionIdEcho: fill(4, 1),
      cipherSuite: 0x1301,
      legacyCompressionMethod: 0,
      extensions: [
        { type: ExtensionType.supported_versions, data: supportedVersions.encodeServer(0x0304) },
        { type: ExtensionType.key_share, data: keyShare.encodeRetry(NamedGroup.secp256r1) },
        { type: ExtensionType.cookie, data: cookie.encode(fill(3, 7)) },
      ],
    });
    assert.equal(
      fmt(HandshakeType.server_hello, body),
      lines(`
Handshake Protocol: Hello Retry Request
    Handshake Type: Server Hello (2)
    Length: 65
    Version: TLS 1.2 (0x0303)
    Random: cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c (HelloRetryRequest magic)
    Session ID Length: 4
    Session ID: 01010101
    Cipher Suite: TLS_AES_128_GCM_SHA256 (0x1301)
    Compression Method: null (0)
    Extensions Length: 21
    Extension: supported_versions (len=2)
        Type: supported_versions (43)
        Length: 2
        Supported Version: TLS 1.3 (0x0304)
    Extension: key_share (len=2)
        Type: key_share (51)
        Length: 2
        Key Share extension
            Selected Group: secp256r1 (23)
    Extension: cookie (len=5)
        Type: cookie (44)
        Length: 5
        Cookie Length: 3
        Cookie: 070707
`),
    );
    const d = decodeHandshakeMessage(frameHandshake(HandshakeType.server_hello, body));
    assert.equal(d.name, 'hello_retry_request');
    assert.deepEqual(d.selected, { version: 'TLSv1.3', cipherSuite: 0x1301, helloRetry: true });
  });

  it('decodes a TLS 1.2 CertificateRequest', () => {
    const body = CertificateRequest12Codec.encode({
      certificateTypes: Uint8Array.of(1, 64),
      signatureSchemes: [SignatureScheme.rsa_pss_rsae_sha256, SignatureScheme.ecdsa_secp256r1_sha256],
      certificateAuthorities: [fill(5, 0x30)],
    });
    assert.equal(
      fmt(HandshakeType.certificate_request, body, { version: 'TLSv1.2' }),
      lines(`
Handshake Protocol: Certificate Request
    Handshake Type: Certificate Request (13)
    Length: 18
    Certificate types count: 2
    Certificate types (2 types)
        Certificate type: RSA Sign (1)
        Certificate type: ECDSA Sign (64)
    Signature Hash Algorithms Length: 4
    Signature Hash Algorithms (2 algorithms)
        Signature Algorithm: rsa_pss_rsae_sha256 (0x0804)
        Signature Algorithm: ecdsa_secp256r1_sha256 (0x0403)
    Distinguished Names Length: 7
    Distinguished Names (7 bytes)
        Distinguished Name Length: 5
        Distinguished Name: 3030303030
`),
    );
  });

  it('names the certificate authorities a TLS 1.2 CertificateRequest lists', () => {
    const ca = Certificate.fromPem(fixture('ca.pem'));
    const body = CertificateRequest12Codec.encode({ certificateTypes: Uint8Array.of(64), signatureSchemes: [SignatureScheme.ecdsa_secp256r1_sha256], certificateAuthorities: [ca.tbs.subjectRaw] });
    const text = fmt(HandshakeType.certificate_request, body, { version: 'TLSv1.2' });
    assert.match(text, new RegExp(`Distinguished Name Length: ${ca.tbs.subjectRaw.length}\n {8}Distinguished Name: \\(CN=ts-tls Test Root CA\\)$`));
  });

  it('decodes a TLS 1.3 CertificateRequest', () => {
    const body = CertificateRequest13Codec.encode({
      certificateRequestContext: E,
      extensions: [{ type: ExtensionType.signature_algorithms, data: u16List.encode([SignatureScheme.rsa_pss_rsae_sha256]) }],
    });
    assert.equal(
      fmt(HandshakeType.certificate_request, body, { version: 'TLSv1.3' }),
      lines(`
Handshake Protocol: Certificate Request
    Handshake Type: Certificate Request (13)
    Length: 11
    Certificate Request Context Length: 0
    Extensions Length: 8
    Extension: signature_algorithms (len=4)
        Type: signature_algorithms (13)
        Length: 4
        Signature Hash Algorithms Length: 2
        Signature Hash Algorithms (1 algorithm)
            Signature Algorithm: rsa_pss_rsae_sha256 (0x0804)
`),
    );
  });

  it('decodes DHE ServerKeyExchange and RSA / DHE ClientKeyExchange by the negotiated key exchange', () => {
    const params = ServerKeyExchangeCodec.encodeParams({ kind: 'DHE', p: fill(4, 0xff), g: Uint8Array.of(2), publicKey: fill(4, 0x11) });
    assert.equal(
      fmt(HandshakeType.server_key_exchange, ServerKeyExchangeCodec.encode(params, SignatureScheme.rsa_pkcs1_sha256, fill(4, 0x22)), { kx: 'DHE' }),
      lines(`
Handshake Protocol: Server Key Exchange
    Handshake Type: Server Key Exchange (12)
    Length: 23
    Diffie-Hellman Server Params
        p Length: 4
        p: ffffffff
        g Length: 1
        g: 02
        Pubkey Length: 4
        Pubkey: 11111111
        Signature Algorithm: rsa_pkcs1_sha256 (0x0401)
        Signature Length: 4
        Signature: 22222222
`),
    );
    assert.equal(
      fmt(HandshakeType.client_key_exchange, ClientKeyExchangeCodec.encode('RSA', fill(6, 0x33)), { kx: 'RSA' }),
      lines(`
Handshake Protocol: Client Key Exchange
    Handshake Type: Client Key Exchange (16)
    Length: 8
    RSA Encrypted PreMaster Secret
        Encrypted PreMaster length: 6
        Encrypted PreMaster: 333333333333
`),
    );
    assert.match(fmt(HandshakeType.client_key_exchange, ClientKeyExchangeCodec.encode('DHE', fill(6, 0x33)), { kx: 'DHE' }), /Diffie-Hellman Client Params\n {8}Pubkey Length: 6\n {8}Pubkey: 333333333333$/);
    // RFC 7919 groups are named (a generated field: Wireshark does not).
    const ffdhe = FFDHE_GROUPS.get(NamedGroup.ffdhe2048)!;
    const named = ServerKeyExchangeCodec.encodeParams({ kind: 'DHE', p: ffdhe.p, g: ffdhe.g, publicKey: fill(256, 0x11) });
    assert.match(
      fmt(HandshakeType.server_key_exchange, ServerKeyExchangeCodec.encode(named, SignatureScheme.rsa_pss_rsae_sha256, fill(4, 0x22)), { kx: 'DHE' }),
      /\n {8}g: 02\n {8}\[Named Group: ffdhe2048 \(0x0100\)\]\n {8}Pubkey Length: 256\n/,
    );
    // Without a negotiated suite, the shape decides.
    assert.match(fmt(HandshakeType.client_key_exchange, ClientKeyExchangeCodec.encode('ECDHE', fill(32, 1))), /EC Diffie-Hellman Client Params/);
  });

  it('decodes both NewSessionTicket layouts', () => {
    const t13 = NewSessionTicket13Codec.encode({
      ticketLifetime: 90061,
      ticketAgeAdd: 1,
      ticketNonce: Uint8Array.of(0),
      ticket: fill(4, 0x44),
      extensions: [{ type: ExtensionType.early_data, data: earlyData.encodeTicket(16384) }],
    });
    assert.equal(
      fmt(HandshakeType.new_session_ticket, t13, { version: 'TLSv1.3' }),
      lines(`
Handshake Protocol: New Session Ticket
    Handshake Type: New Session Ticket (4)
    Length: 26
    TLS Session Ticket
        Session Ticket Lifetime Hint: 90061 seconds (1 day, 1 hour, 1 minute, 1 second)
        Session Ticket Age Add: 1
        Session Ticket Nonce Length: 1
        Session Ticket Nonce: 00
        Session Ticket Length: 4
        Session Ticket: 44444444
        Extensions Length: 8
        Extension: early_data (len=4)
            Type: early_data (42)
            Length: 4
            Maximum Early Data Size: 16384
`),
    );
    const t12 = NewSessionTicket12Codec.encode({ ticketLifetimeHint: 300, ticket: fill(3, 1) });
    assert.match(fmt(HandshakeType.new_session_ticket, t12, { version: 'TLSv1.2' }), /Session Ticket Lifetime Hint: 300 seconds \(5 minutes\)\n {8}Session Ticket Length: 3\n {8}Session Ticket: 010101$/);
    // Version unknown: whichever layout parses.
    assert.match(fmt(HandshakeType.new_session_ticket, t13), /Session Ticket Age Add: 1/);
    assert.doesNotMatch(fmt(HandshakeType.new_session_ticket, t12), /Malformed/);
  });

  it('decodes KeyUpdate, EndOfEarlyData, EncryptedExtensions, CertificateVerify and Finished', () => {
    assert.match(fmt(HandshakeType.key_update, KeyUpdateCodec.encode(1)), /Handshake Protocol: Key Update\n {4}Handshake Type: Key Update \(24\)\n {4}Length: 1\n {4}Key Update Request: update_requested \(1\)$/);
    assert.equal(fmt(HandshakeType.end_of_early_data, E), 'Handshake Protocol: End of Early Data\n    Handshake Type: End of Early Data (5)\n    Length: 0');
    const ee = fmt(
      HandshakeType.encrypted_extensions,
      EncryptedExtensionsCodec.encode([
        { type: ExtensionType.server_name, data: E },
        { type: ExtensionType.application_layer_protocol_negotiation, data: alpn.encode(['h2']) },
      ]),
      { version: 'TLSv1.3' },
    );
    assert.match(ee, /Extensions Length: 13\n {4}Extension: server_name \(len=0\)\n {8}Type: server_name \(0\)\n {8}Length: 0\n {4}Extension: application_layer_protocol_negotiation \(len=5\)/);
    assert.match(ee, /ALPN Next Protocol: h2$/);
    assert.match(
      fmt(HandshakeType.certificate_verify, CertificateVerifyCodec.encode({ signatureScheme: SignatureScheme.ed25519, signature: fill(4, 0x55) })),
      /Signature Algorithm: ed25519 \(0x0807\)\n {4}Signature length: 4\n {4}Signature: 55555555$/,
    );
    assert.match(fmt(HandshakeType.finished, fill(12, 0x66)), /Verify Data: 666666666666666666666666$/);
    assert.match(formatHandshakeMessage(frameHandshake(HandshakeType.finished, fill(12, 0x66))), /Verify Data: 6666…6666$/);
  });

  it('shows certificates by subject, with the TLS 1.3 per-entry extensions', () => {
    const chain = fixtureChain();
    const entries = chain.map((certData) => ({ certData, extensions: [] }));
    const t13 = fmt(HandshakeType.certificate, CertificateCodec.encode({ certificateRequestContext: E, entries }, true), { version: 'TLSv1.3' });
    assert.match(t13, /Certificate Request Context Length: 0\n {4}Certificates Length: \d+\n {4}Certificates \(\d+ bytes\)\n {8}Certificate Length: \d+\n {8}Certificate: CN=server-rsa \(\d+ bytes\)\n {12}Subject: CN=server-rsa\n {12}Issuer: CN=ts-tls Test Root CA/);
    assert.match(t13, /Extensions Length: 0/);
    const bad = fmt(HandshakeType.certificate, CertificateCodec.encode({ certificateRequestContext: E, entries: [{ certData: fill(5, 0x30), extensions: [] }] }, false), { version: 'TLSv1.2' });
    assert.match(bad, /Certificate: \(unparsable certificate\) \(5 bytes\)$/);
  });

  it('names GREASE, unknown extensions and PSK offers as Wireshark does', () => {
    const body = ClientHelloCodec.encode({
      legacyVersion: 0x0303,
      random: fill(32, 1),
      legacySessionId: E,
      cipherSuites: [0x0a0a, 0x1301],
      legacyCompressionMethods: Uint8Array.of(0),
      extensions: [
        { type: 0x1a1a, data: E },
        { type: ExtensionType.supported_groups, data: u16List.encode([0x2a2a, NamedGroup.x25519]) },
        { type: ExtensionType.supported_versions, data: supportedVersions.encodeClient([0x3a3a, 0x0304]) },
        { type: 0x1234, data: Uint8Array.of(1, 2, 3) },
        { type: ExtensionType.record_size_limit, data: Uint8Array.of(0x40, 0x01) },
        { type: ExtensionType.padding, data: fill(3, 0) },
        { type: ExtensionType.pre_shared_key, data: preSharedKey.encodeClient({ identities: [{ identity: fill(3, 5), obfuscatedTicketAge: 77 }], binders: [fill(32, 6)] }) },
      ],
    });
    const text = fmt(HandshakeType.client_hello, body);
    for (const line of [
      '        Cipher Suite: Reserved (GREASE) (0x0a0a)',
      '    Extension: Reserved (GREASE) (len=0)',
      '        Type: Reserved (GREASE) (6682)',
      '            Supported Group: Reserved (GREASE) (0x2a2a)',
      '        Supported Version: Reserved (GREASE) (0x3a3a)',
      '    Extension: Unknown type 4660 (len=3)',
      '        Type: Unknown (4660)',
      '        Data: 010203',
      '        Record Size Limit: 16385',
      '        Padding Data: 000000',
      '            PSK Identity (length: 3)',
      '                Obfuscated Ticket Age: 77',
      '            PSK Binders length: 33',
    ]) {
      assert.ok(text.split('\n').includes(line), `missing line ${JSON.stringify(line)} in\n${text}`);
    }
  });

  it('shows a malformed message as such and never throws', () => {
    assert.equal(
      formatHandshakeMessage(Uint8Array.of(1, 0, 0, 10, 3, 3, 0)),
      'Handshake Protocol: Client Hello\n    Handshake Type: Client Hello (1)\n    Length: 10\n    [Malformed Handshake Message: length 10 but 3 bytes of body]\n    Data: 030300',
    );
    const badExt = ClientHelloCodec.encode({
      legacyVersion: 0x0303,
      random: fill(32, 1),
      legacySessionId: E,
      cipherSuites: [0x1301],
      legacyCompressionMethods: Uint8Array.of(0),
      extensions: [{ type: ExtensionType.supported_groups, data: Uint8Array.of(0, 3, 0) }],
    });
    assert.match(fmt(HandshakeType.client_hello, badExt), /Extension: supported_groups \(len=3\)\n {8}Type: supported_groups \(10\)\n {8}Length: 3\n {8}\[Malformed extension: [^\]]+\]\n {8}Data: 000300/);
    assert.match(formatHandshakeMessage(Uint8Array.of(99, 0, 0, 1, 7)), /Handshake Type: Unknown \(99\)\n {4}Length: 1\n {4}Handshake Data: 07/);
    assert.match(formatHandshakeMessage(Uint8Array.of(2)), /Malformed Handshake Message/);
    // Random bytes never make it throw.
    for (let i = 0; i < 500; i++) {
      const junk = new Uint8Array(1 + (i % 60)).map(() => Math.floor(Math.random() * 256));
      junk[0] = i % 26;
      if (junk.length >= 4) {
        junk[1] = 0;
        junk[2] = 0;
        junk[3] = junk.length - 4;
      }
      assert.doesNotThrow(() => formatHandshakeMessage(junk, { version: i % 2 ? 'TLSv1.3' : 'TLSv1.2' }));
    }
  });

  it('adds the explanation under the message with explain', () => {
    const text = fmt(HandshakeType.finished, fill(12, 1), { explain: true });
    assert.match(text, /^Handshake Protocol: Finished\n {4}» A MAC over the whole handshake/);
  });
});

describe('the tracer with odd event streams', () => {
  it('never throws, and says so when an event is unusable', () => {
    const out: string[] = [];
    const t = createTracer({ write: (l) => out.push(l) });
    assert.doesNotThrow(() => {
      t.onEvent({ direction: 'received', kind: 'handshake' });
      t.onEvent({ direction: 'received', kind: 'record' });
      t.onEvent({ direction: 'sent', kind: 'record', record: Uint8Array.of(22) });
      t.onEvent({ direction: 'sent', kind: 'handshake', message: Uint8Array.of(20, 0, 0, 0) });
      t.onEvent({ direction: 'received', kind: 'note', note: 'something happened' });
      t.onEvent({ direction: 'sent', kind: 'alert', alert: { level: 2, description: 250 } });
      t.flush();
    });
    assert.ok(out.some((l) => l.includes('[something happened]')));
    assert.ok(out.some((l) => l.includes('Description: Unknown (250)')));
  });

  it('emits nothing while it waits for a sent message\'s record, and everything on flush', () => {
    const out: string[] = [];
    const t = createTracer({ write: (l) => out.push(l) });
    t.onEvent({ direction: 'sent', kind: 'handshake', message: frameHandshake(HandshakeType.finished, fill(12, 1)) });
    assert.equal(out.length, 0);
    t.flush();
    assert.deepEqual(out.slice(0, 2), ['→ Flight 1 (RTT 1): Finished', '  Handshake Protocol: Finished']);
  });
});
