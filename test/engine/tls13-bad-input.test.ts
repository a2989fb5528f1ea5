/**
 * TLS 1.3 bad-input catalogue: hostile hellos, hostile encrypted handshake
 * messages and hostile records, each case asserting the exact alert the
 * failing side sends (name, direction 'sent', code) and that the peer
 * received that same alert (ERR_TLS_ALERT_RECEIVED). Never a throw, never a
 * hang: every case has a timeout.
 *
 * Plaintext hellos are rewritten in flight; protected records are opened and
 * sealed again with keys from the sender's key log (test/helpers/tls13-mitm.ts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { acceptAll, certified, connectPair, handshakeBoth, settle, until, type Pair } from '../helpers/pair.js';
import type { Connection, ConnectionSink } from '../../src/connection.js';
import { clientConfig, createClientConnection, createServerConnection, serverConfig } from '../../src/engine.js';
import { BAD_NONCE_NEW_SESSION_TICKET } from './fuzz-found.js';
import { Tls13Mitm, type Inner, type RecordContext } from '../helpers/tls13-mitm.js';
import type { ClientConfig, ServerConfig, SessionState } from '../../src/config.js';
import type { TLSError } from '../../src/errors.js';
import { defaultProvider } from '../../src/crypto/node.js';
import { AntiReplay, TicketKeys } from '../../src/handshake/tickets.js';
import { findExtension, keyShare, preSharedKey, u16List, type Extension } from '../../src/messages/extensions.js';
import {
  CertificateCodec,
  CertificateVerifyCodec,
  ClientHelloCodec,
  EncryptedExtensionsCodec,
  ServerHelloCodec,
  frameHandshake,
  type ClientHello,
  type ServerHello,
} from '../../src/messages/handshake.js';
import { ContentType, ExtensionType, HandshakeType, NamedGroup, SignatureScheme } from '../../src/registry.js';
import { Reader } from '../../src/wire/reader.js';

const T = { timeout: 10_000 };
const CT = ContentType;
const HT = HandshakeType;
const X = ExtensionType;
const G = NamedGroup;
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** TLS 1.3 only, one suite (the mitm follows its keys), x25519 share up front, P-256 also supported. */
const client13: Partial<ClientConfig> = { minVersion: 'TLSv1.3', cipherSuites: [0x1301], groups: [G.x25519, G.secp256r1] };
const server13: Partial<ServerConfig> = { minVersion: 'TLSv1.3' };

function mitmPair(client: Partial<ClientConfig> = {}, server: Partial<ServerConfig> = {}): { pair: Pair; mitm: Tls13Mitm } {
  const mitm = new Tls13Mitm(0x1301);
  const pair = connectPair({ ...client13, ...client }, { ...server13, ...server }, { tamper: mitm.tamper });
  mitm.attach(pair);
  return { pair, mitm };
}

/** The failing side sent `alert` (and failed with `code`); the peer received it. */
async function expectAlert(pair: Pair, failing: 'client' | 'server', alert: string, code = `ERR_TLS_ALERT_${alert.toUpperCase()}`): Promise<TLSError> {
  const other = failing === 'client' ? 'server' : 'client';
  const [mine, theirs] = await Promise.all([pair[failing].closed, pair[other].closed]);
  assert.ok(mine, `${failing} should have failed`);
  assert.equal(mine.alert?.name, alert, `${failing} sent ${mine.alert?.name}: ${mine.message}`);
  assert.equal(mine.alert?.direction, 'sent');
  assert.equal(mine.code, code);
  assert.ok(theirs, `${other} should have failed`);
  assert.equal(theirs.code, 'ERR_TLS_ALERT_RECEIVED', `${other}: ${theirs.message}`);
  assert.equal(theirs.alert?.name, alert);
  assert.equal(theirs.alert?.direction, 'received');
  return mine;
}

// --- message surgery -------------------------------------------------------------------------------------------

const isHs = (r: Inner, type: number): boolean => r.type === CT.handshake && r.fragment[0] === type;

function setExt(exts: readonly Extension[], type: number, data: Uint8Array | undefined): Extension[] {
  const out = exts.filter((e) => e.type !== type);
  if (data === undefined) return out;
  const i = exts.findIndex((e) => e.type === type);
  out.splice(i < 0 ? out.length : i, 0, { type, data });
  return out;
}

/** Rewrite the `nth` ClientHello (0: first, 1: after HelloRetryRequest). */
function editClientHello(mitm: Tls13Mitm, fn: (h: ClientHello) => ClientHello, nth = 0): void {
  let seen = 0;
  mitm.onRecord((r, ctx) => {
    if (ctx.from !== 'client' || ctx.epoch !== 'plaintext' || !isHs(r, HT.client_hello) || seen++ !== nth) return undefined;
    const h = ClientHelloCodec.decode(new Reader(r.fragment.subarray(4)));
    return [{ type: CT.handshake, fragment: frameHandshake(HT.client_hello, ClientHelloCodec.encode(fn(h))) }];
  });
}

/** Rewrite the `nth` ServerHello-shaped message (a HelloRetryRequest counts). */
function editServerHello(mitm: Tls13Mitm, fn: (h: ServerHello) => ServerHello, nth = 0): void {
  let seen = 0;
  mitm.onRecord((r, ctx) => {
    if (ctx.from !== 'server' || ctx.epoch !== 'plaintext' || !isHs(r, HT.server_hello) || seen++ !== nth) return undefined;
    const h = ServerHelloCodec.decode(new Reader(r.fragment.subarray(4)));
    return [{ type: CT.handshake, fragment: frameHandshake(HT.server_hello, ServerHelloCodec.encode(fn(h))) }];
  });
}

/** Rewrite the first protected handshake message of `type` sent by `from`. */
function editEncrypted(mitm: Tls13Mitm, from: 'client' | 'server', type: number, fn: (body: Uint8Array) => Uint8Array | Inner[]): void {
  let done = false;
  mitm.onRecord((r, ctx: RecordContext) => {
    if (done || ctx.from !== from || ctx.epoch === 'plaintext' || !isHs(r, type)) return undefined;
    done = true;
    const out = fn(r.fragment.subarray(4));
    return out instanceof Uint8Array ? [{ type: CT.handshake, fragment: frameHandshake(type, out) }] : out;
  });
}

/** A resumable TLS 1.3 session from a first handshake with `server`. */
async function ticketFrom(server: Partial<ServerConfig>): Promise<SessionState> {
  const pair = connectPair(client13, { ...server13, ...server });
  let session: SessionState | undefined;
  pair.client.conn.sink.session = (s) => (session ??= s);
  await handshakeBoth(pair);
  for (let i = 0; i < 50 && !session; i++) await settle(1);
  assert.ok(session, 'a ticket arrives');
  return session;
}

const resumingServer = (): Partial<ServerConfig> => ({ ticketKeys: new TicketKeys(defaultProvider), antiReplay: new AntiReplay(defaultProvider), maxEarlyData: 100 });

// --- the catalogue ------------------------------------------------------------------------------------------------

describe('TLS 1.3 bad input: ClientHello', () => {
  it('refuses a ClientHello without key_share (but with supported_groups) with missing_extension', T, async () => {
    const { pair, mitm } = mitmPair();
    editClientHello(mitm, (h) => ({ ...h, extensions: setExt(h.extensions, X.key_share, undefined) }));
    await expectAlert(pair, 'server', 'missing_extension');
  });

  it('refuses a ClientHello with two key_share extensions with decode_error (duplicate extension, as BoringSSL)', T, async () => {
    const { pair, mitm } = mitmPair();
    editClientHello(mitm, (h) => {
      const ks = h.extensions.find((e) => e.type === X.key_share)!;
      return { ...h, extensions: [ks, ...h.extensions] };
    });
    await expectAlert(pair, 'server', 'decode_error');
  });

  it('refuses two key shares for one group with illegal_parameter', T, async () => {
    const { pair, mitm } = mitmPair();
    editClientHello(mitm, (h) => {
      const [share] = keyShare.decodeClient(findExtension(h.extensions, X.key_share)!);
      return { ...h, extensions: setExt(h.extensions, X.key_share, keyShare.encodeClient([share!, share!])) };
    });
    await expectAlert(pair, 'server', 'illegal_parameter');
  });

  it('refuses a key share for a group not in supported_groups with illegal_parameter', T, async () => {
    const { pair, mitm } = mitmPair();
    editClientHello(mitm, (h) => ({ ...h, extensions: setExt(h.extensions, X.supported_groups, u16List.encode([G.secp256r1])) }));
    await expectAlert(pair, 'server', 'illegal_parameter');
  });

  it('refuses a TLS 1.3 ClientHello whose legacy_version is below 0x0303 with protocol_version (as OpenSSL)', T, async () => {
    for (const legacyVersion of [0x0301, 0x0302, 0x0300]) {
      const { pair, mitm } = mitmPair();
      editClientHello(mitm, (h) => ({ ...h, legacyVersion }));
      await expectAlert(pair, 'server', 'protocol_version');
    }
  });

  it('refuses a TLS 1.3 ClientHello whose legacy_version is above 0x0303 with illegal_parameter', T, async () => {
    const { pair, mitm } = mitmPair();
    editClientHello(mitm, (h) => ({ ...h, legacyVersion: 0x0304 }));
    await expectAlert(pair, 'server', 'illegal_parameter');
  });

  it('refuses a TLS 1.3 ClientHello offering a compression method with illegal_parameter', T, async () => {
    const { pair, mitm } = mitmPair();
    editClientHello(mitm, (h) => ({ ...h, legacyCompressionMethods: Uint8Array.of(1, 0) }));
    await expectAlert(pair, 'server', 'illegal_parameter');
  });

  it('refuses a ClientHello with neither key_share nor pre_shared_key with missing_extension', T, async () => {
    const { pair, mitm } = mitmPair();
    editClientHello(mitm, (h) => ({ ...h, extensions: setExt(setExt(h.extensions, X.key_share, undefined), X.supported_groups, undefined) }));
    await expectAlert(pair, 'server', 'missing_extension');
  });

  it('refuses a ClientHello without signature_algorithms (certificate authentication) with missing_extension', T, async () => {
    const { pair, mitm } = mitmPair();
    editClientHello(mitm, (h) => ({ ...h, extensions: setExt(h.extensions, X.signature_algorithms, undefined) }));
    await expectAlert(pair, 'server', 'missing_extension');
  });

  it('refuses a pre_shared_key that is not the last extension with illegal_parameter', T, async () => {
    const server = resumingServer();
    const session = await ticketFrom(server);
    const { pair, mitm } = mitmPair({ session }, server);
    editClientHello(mitm, (h) => {
      const psk = h.extensions.find((e) => e.type === X.pre_shared_key)!;
      return { ...h, extensions: [psk, ...h.extensions.filter((e) => e !== psk)] };
    });
    await expectAlert(pair, 'server', 'illegal_parameter');
  });

  it('refuses pre_shared_key without psk_key_exchange_modes with missing_extension', T, async () => {
    const server = resumingServer();
    const session = await ticketFrom(server);
    const { pair, mitm } = mitmPair({ session }, server);
    editClientHello(mitm, (h) => ({ ...h, extensions: setExt(h.extensions, X.psk_key_exchange_modes, undefined) }));
    await expectAlert(pair, 'server', 'missing_extension');
  });

  it('refuses a PSK binder that does not verify with decrypt_error', T, async () => {
    const server = resumingServer();
    const session = await ticketFrom(server);
    const wrongSecret = session.secret.map((b) => b ^ 1);
    const pair = connectPair({ ...client13, session: { ...session, secret: wrongSecret } }, { ...server13, ...server });
    await expectAlert(pair, 'server', 'decrypt_error');
  });

  it('refuses a binder list that differs from the identities in number with illegal_parameter', T, async () => {
    const server = resumingServer();
    const session = await ticketFrom(server);
    const { pair, mitm } = mitmPair({ session }, server);
    editClientHello(mitm, (h) => {
      const offer = preSharedKey.decodeClient(findExtension(h.extensions, X.pre_shared_key)!);
      return { ...h, extensions: setExt(h.extensions, X.pre_shared_key, preSharedKey.encodeClient({ identities: offer.identities, binders: [...offer.binders, offer.binders[0]!] })) };
    });
    await expectAlert(pair, 'server', 'illegal_parameter');
  });

  it('falls back to a full handshake for a PSK with an unknown identity (RFC 8446 §4.2.11)', T, async () => {
    const server = resumingServer();
    const session = await ticketFrom(server);
    const unknown = { ...session, ticket: defaultProvider.randomBytes(session.ticket!.length) };
    const pair = connectPair({ ...client13, session: unknown }, { ...server13, ...server });
    const [c, s] = await handshakeBoth(pair);
    assert.equal(c.resumed, false);
    assert.equal(s.resumed, false);
    assert.equal(c.peerCertificates.length, 1, 'the server authenticated with its certificate');
  });

  it('refuses early data beyond max_early_data_size with unexpected_message', T, async () => {
    const server = resumingServer();
    const session = await ticketFrom(server);
    assert.equal(session.maxEarlyData, 100);
    // The client claims the ticket allows more than the server said.
    const pair = connectPair({ ...client13, session: { ...session, maxEarlyData: 10_000 }, earlyData: new Uint8Array(5000) }, { ...server13, ...server });
    await expectAlert(pair, 'server', 'unexpected_message');
  });
});

describe('TLS 1.3 bad input: HelloRetryRequest', () => {
  /** Server wants P-256; the client's first share is x25519, so it retries. */
  const hrrServer: Partial<ServerConfig> = { groups: [G.secp256r1] };

  it('refuses a second HelloRetryRequest with unexpected_message', T, async () => {
    const { pair, mitm } = mitmPair({}, hrrServer);
    let hrr: Inner | undefined;
    let hellos = 0;
    mitm.onRecord((r, ctx) => {
      if (ctx.from !== 'server' || ctx.epoch !== 'plaintext' || !isHs(r, HT.server_hello)) return undefined;
      if (hellos++ === 0) {
        hrr = r;
        return undefined;
      }
      return [hrr!];
    });
    await expectAlert(pair, 'client', 'unexpected_message');
  });

  it('refuses a HelloRetryRequest for a group the client already sent a share for with illegal_parameter', T, async () => {
    const { pair, mitm } = mitmPair({}, hrrServer);
    editServerHello(mitm, (h) => ({ ...h, extensions: setExt(h.extensions, X.key_share, keyShare.encodeRetry(G.x25519)) }));
    await expectAlert(pair, 'client', 'illegal_parameter');
  });

  it('refuses a HelloRetryRequest that would change nothing (no key_share, no cookie) with illegal_parameter', T, async () => {
    const { pair, mitm } = mitmPair({}, hrrServer);
    editServerHello(mitm, (h) => ({ ...h, extensions: setExt(setExt(h.extensions, X.key_share, undefined), X.cookie, undefined) }));
    await expectAlert(pair, 'client', 'illegal_parameter');
  });

  it('refuses a HelloRetryRequest for a group that was not offered with illegal_parameter', T, async () => {
    const { pair, mitm } = mitmPair({}, hrrServer);
    editServerHello(mitm, (h) => ({ ...h, extensions: setExt(h.extensions, X.key_share, keyShare.encodeRetry(G.secp384r1)) }));
    await expectAlert(pair, 'client', 'illegal_parameter');
  });

  it('refuses a second ClientHello that does not return the cookie with missing_extension', T, async () => {
    const { pair, mitm } = mitmPair({}, hrrServer);
    editClientHello(mitm, (h) => ({ ...h, extensions: setExt(h.extensions, X.cookie, undefined) }), 1);
    await expectAlert(pair, 'server', 'missing_extension');
  });

  it('refuses a second ClientHello with a different cookie with illegal_parameter', T, async () => {
    const { pair, mitm } = mitmPair({}, hrrServer);
    editClientHello(mitm, (h) => ({ ...h, extensions: setExt(h.extensions, X.cookie, Uint8Array.of(0, 3, 1, 2, 3)) }), 1);
    await expectAlert(pair, 'server', 'illegal_parameter');
  });

  it('refuses a second ClientHello whose share is not for the requested group with illegal_parameter', T, async () => {
    const { pair, mitm } = mitmPair({}, hrrServer);
    editClientHello(mitm, (h) => ({ ...h, extensions: setExt(h.extensions, X.key_share, keyShare.encodeClient([{ group: G.x25519, keyExchange: new Uint8Array(32).fill(9) }])) }), 1);
    await expectAlert(pair, 'server', 'illegal_parameter');
  });

  it('refuses a second ClientHello that still offers early_data with illegal_parameter', T, async () => {
    const { pair, mitm } = mitmPair({}, hrrServer);
    editClientHello(mitm, (h) => ({ ...h, extensions: [{ type: X.early_data, data: new Uint8Array(0) }, ...h.extensions] }), 1);
    await expectAlert(pair, 'server', 'illegal_parameter');
  });
});

describe('TLS 1.3 bad input: ServerHello', () => {
  it('refuses a server key share for a group the client sent no share for with illegal_parameter', T, async () => {
    const { pair, mitm } = mitmPair();
    editServerHello(mitm, (h) => {
      const share = keyShare.decodeServer(findExtension(h.extensions, X.key_share)!);
      return { ...h, extensions: setExt(h.extensions, X.key_share, keyShare.encodeServer({ ...share, group: G.secp256r1 })) };
    });
    await expectAlert(pair, 'client', 'illegal_parameter');
  });

  it('refuses a ServerHello without key_share (and no PSK) with missing_extension', T, async () => {
    const { pair, mitm } = mitmPair();
    editServerHello(mitm, (h) => ({ ...h, extensions: setExt(h.extensions, X.key_share, undefined) }));
    await expectAlert(pair, 'client', 'missing_extension');
  });

  it('refuses a TLS 1.3 ServerHello whose legacy_version is not 0x0303 with illegal_parameter', T, async () => {
    const { pair, mitm } = mitmPair();
    editServerHello(mitm, (h) => ({ ...h, legacyVersion: 0x0304 }));
    await expectAlert(pair, 'client', 'illegal_parameter');
  });

  it('refuses a ServerHello that does not echo legacy_session_id with illegal_parameter', T, async () => {
    const { pair, mitm } = mitmPair();
    editServerHello(mitm, (h) => ({ ...h, legacySessionIdEcho: new Uint8Array(0) }));
    await expectAlert(pair, 'client', 'illegal_parameter');
  });

  it('refuses a ServerHello selecting a cipher suite that was not offered with illegal_parameter', T, async () => {
    const { pair, mitm } = mitmPair();
    editServerHello(mitm, (h) => ({ ...h, cipherSuite: 0x1302 }));
    await expectAlert(pair, 'client', 'illegal_parameter');
  });

  it('refuses an extension in ServerHello that was never offered with unsupported_extension', T, async () => {
    const { pair, mitm } = mitmPair();
    editServerHello(mitm, (h) => ({ ...h, extensions: [...h.extensions, { type: X.status_request, data: new Uint8Array(0) }] }));
    await expectAlert(pair, 'client', 'unsupported_extension');
  });

  it('refuses a ServerHello selecting a PSK identity that was not offered with illegal_parameter', T, async () => {
    const server = resumingServer();
    const session = await ticketFrom(server);
    const { pair, mitm } = mitmPair({ session }, server);
    editServerHello(mitm, (h) => ({ ...h, extensions: setExt(h.extensions, X.pre_shared_key, preSharedKey.encodeServer(1)) }));
    await expectAlert(pair, 'client', 'illegal_parameter');
  });

  it('refuses ServerHello and EncryptedExtensions in one record (a message spanning a key change) with unexpected_message', T, async () => {
    const { pair, mitm } = mitmPair();
    mitm.onRecord((r, ctx) => {
      if (ctx.from !== 'server' || ctx.epoch !== 'plaintext' || !isHs(r, HT.server_hello)) return undefined;
      const ee = frameHandshake(HT.encrypted_extensions, EncryptedExtensionsCodec.encode([]));
      return [{ type: CT.handshake, fragment: new Uint8Array(Buffer.concat([r.fragment, ee])) }];
    });
    await expectAlert(pair, 'client', 'unexpected_message');
  });
});

describe('TLS 1.3 bad input: encrypted handshake messages', () => {
  it('refuses an extension in EncryptedExtensions that belongs elsewhere (key_share) with illegal_parameter', T, async () => {
    const { pair, mitm } = mitmPair();
    editEncrypted(mitm, 'server', HT.encrypted_extensions, () => EncryptedExtensionsCodec.encode([{ type: X.key_share, data: Uint8Array.of(0, 29, 0, 1, 1) }]));
    await expectAlert(pair, 'client', 'illegal_parameter');
  });

  it('refuses early_data in EncryptedExtensions when none was offered with unsupported_extension', T, async () => {
    const { pair, mitm } = mitmPair();
    editEncrypted(mitm, 'server', HT.encrypted_extensions, () => EncryptedExtensionsCodec.encode([{ type: X.early_data, data: new Uint8Array(0) }]));
    await expectAlert(pair, 'client', 'unsupported_extension');
  });

  it('refuses a server CertificateVerify with a scheme the client did not offer with illegal_parameter', T, async () => {
    const { pair, mitm } = mitmPair(
      { signatureAlgorithms: [SignatureScheme.ecdsa_secp256r1_sha256, SignatureScheme.rsa_pss_rsae_sha256] },
      { certificates: [certified('server-p256')] },
    );
    editEncrypted(mitm, 'server', HT.certificate_verify, (body) => {
      const cv = CertificateVerifyCodec.decode(new Reader(body));
      return CertificateVerifyCodec.encode({ ...cv, signatureScheme: SignatureScheme.ed25519 });
    });
    await expectAlert(pair, 'client', 'illegal_parameter');
  });

  it('refuses a server CertificateVerify whose signature does not verify with decrypt_error', T, async () => {
    const { pair, mitm } = mitmPair({}, { certificates: [certified('server-p256')] });
    editEncrypted(mitm, 'server', HT.certificate_verify, (body) => {
      const cv = CertificateVerifyCodec.decode(new Reader(body));
      const sig = cv.signature.slice();
      sig[sig.length - 1]! ^= 1;
      return CertificateVerifyCodec.encode({ ...cv, signature: sig });
    });
    await expectAlert(pair, 'client', 'decrypt_error');
  });

  it('refuses an empty server Certificate with decode_error', T, async () => {
    const { pair, mitm } = mitmPair();
    editEncrypted(mitm, 'server', HT.certificate, () => CertificateCodec.encode({ certificateRequestContext: new Uint8Array(0), entries: [] }, true));
    await expectAlert(pair, 'client', 'decode_error');
  });

  it('refuses a server Finished that does not verify with decrypt_error', T, async () => {
    const { pair, mitm } = mitmPair();
    editEncrypted(mitm, 'server', HT.finished, (body) => body.map((b, i) => (i === 0 ? b ^ 0x80 : b)));
    await expectAlert(pair, 'client', 'decrypt_error');
  });

  it('refuses a KeyUpdate before Finished with unexpected_message', T, async () => {
    const { pair, mitm } = mitmPair();
    editEncrypted(mitm, 'server', HT.finished, (body) => [
      { type: CT.handshake, fragment: frameHandshake(HT.key_update, Uint8Array.of(0)) },
      { type: CT.handshake, fragment: frameHandshake(HT.finished, body) },
    ]);
    await expectAlert(pair, 'client', 'unexpected_message');
  });

  it('refuses a client CertificateVerify with a scheme that was not requested with illegal_parameter', T, async () => {
    const { pair, mitm } = mitmPair(
      { certificates: [certified('client-p256')] },
      { requestClientCertificate: true, signatureAlgorithms: [SignatureScheme.ecdsa_secp256r1_sha256, SignatureScheme.rsa_pss_rsae_sha256] },
    );
    editEncrypted(mitm, 'client', HT.certificate_verify, (body) => {
      const cv = CertificateVerifyCodec.decode(new Reader(body));
      return CertificateVerifyCodec.encode({ ...cv, signatureScheme: SignatureScheme.ecdsa_secp384r1_sha384 });
    });
    await expectAlert(pair, 'server', 'illegal_parameter');
  });

  it('refuses a client Finished that does not verify with decrypt_error', T, async () => {
    const { pair, mitm } = mitmPair();
    editEncrypted(mitm, 'client', HT.finished, (body) => body.map((b, i) => (i === 3 ? b ^ 1 : b)));
    await expectAlert(pair, 'server', 'decrypt_error');
  });
});

describe('TLS 1.3 bad input: records and post-handshake messages', () => {
  async function established(): Promise<{ pair: Pair; mitm: Tls13Mitm }> {
    const r = mitmPair();
    await handshakeBoth(r.pair);
    await settle(2);
    return r;
  }

  it('refuses a ChangeCipherSpec after the handshake with unexpected_message', T, async () => {
    const { pair, mitm } = await established();
    mitm.inject('client', 'plaintext', [{ type: CT.change_cipher_spec, fragment: Uint8Array.of(1) }]);
    await expectAlert(pair, 'server', 'unexpected_message');
  });

  it('refuses a protected ChangeCipherSpec with unexpected_message', T, async () => {
    const { pair, mitm } = await established();
    mitm.inject('client', 'application', [{ type: CT.change_cipher_spec, fragment: Uint8Array.of(1) }]);
    await expectAlert(pair, 'server', 'unexpected_message');
  });

  it('refuses a flood of zero-length application data records with unexpected_message', T, async () => {
    const { pair, mitm } = await established();
    mitm.inject('client', 'application', Array.from({ length: 40 }, () => ({ type: CT.application_data, fragment: new Uint8Array(0) })));
    await expectAlert(pair, 'server', 'unexpected_message');
  });

  it('accepts a few zero-length application data records', T, async () => {
    const { pair, mitm } = await established();
    mitm.inject('client', 'application', [
      { type: CT.application_data, fragment: new Uint8Array(0) },
      { type: CT.application_data, fragment: new Uint8Array(0) },
      { type: CT.application_data, fragment: enc('ok') },
    ]);
    await settle(2);
    assert.equal(new TextDecoder().decode(pair.server.received()), 'ok');
    assert.equal(pair.server.error, undefined);
  });

  it('refuses a record whose inner plaintext is all padding with unexpected_message', T, async () => {
    const { pair, mitm } = await established();
    mitm.inject('client', 'application', [{ type: 0, fragment: new Uint8Array(0), padding: 20 }]);
    await expectAlert(pair, 'server', 'unexpected_message');
  });

  it('refuses a record longer than 2^14 + 256 with record_overflow', T, async () => {
    const { pair, mitm } = await established();
    mitm.inject('client', 'plaintext', [{ raw: { type: CT.application_data, version: 0x0303, body: new Uint8Array(2 ** 14 + 257) } }]);
    await expectAlert(pair, 'server', 'record_overflow');
  });

  it('refuses an inner plaintext longer than 2^14 with record_overflow', T, async () => {
    const { pair, mitm } = await established();
    mitm.inject('client', 'application', [{ type: CT.application_data, fragment: new Uint8Array(2 ** 14 + 1) }]);
    await expectAlert(pair, 'server', 'record_overflow');
  });

  it('refuses an inner plaintext whose padding takes it past 2^14 + 1 bytes with record_overflow (BoGo LargePlaintext-TLS13-Padded)', T, async () => {
    const { pair, mitm } = await established();
    // 8192 bytes of data + the type byte + 8193 bytes of padding = 2^14 + 2 bytes of TLSInnerPlaintext (RFC 8446 §5.4).
    mitm.inject('client', 'application', [{ type: CT.application_data, fragment: new Uint8Array(8192).fill(1), padding: 8193 }]);
    await expectAlert(pair, 'server', 'record_overflow');
  });

  it('accepts an inner plaintext padded to exactly 2^14 + 1 bytes', T, async () => {
    const { pair, mitm } = await established();
    mitm.inject('client', 'application', [{ type: CT.application_data, fragment: new Uint8Array(8192).fill(1), padding: 8192 }]);
    await until(() => pair.server.received().length === 8192, 'the padded record');
    assert.equal(pair.server.error, undefined);
  });

  it('refuses a record that does not authenticate with bad_record_mac', T, async () => {
    const { pair, mitm } = await established();
    mitm.onRecord((r, ctx) => {
      if (ctx.from !== 'client' || ctx.epoch !== 'application') return undefined;
      const body = mitm.sealRaw('client', r);
      body.body[body.body.length - 1]! ^= 1;
      return [{ raw: body }];
    });
    pair.client.conn.send(enc('tampered'));
    await expectAlert(pair, 'server', 'bad_record_mac');
  });

  it('refuses a NewSessionTicket from the client with unexpected_message', T, async () => {
    const { pair, mitm } = await established();
    const nst = frameHandshake(HT.new_session_ticket, Uint8Array.of(0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 7, 0, 0));
    mitm.inject('client', 'application', [{ type: CT.handshake, fragment: nst }]);
    await expectAlert(pair, 'server', 'unexpected_message');
  });

  it('refuses a KeyUpdate with request_update 2 with illegal_parameter', T, async () => {
    const { pair, mitm } = await established();
    mitm.inject('client', 'application', [{ type: CT.handshake, fragment: frameHandshake(HT.key_update, Uint8Array.of(2)) }]);
    await expectAlert(pair, 'server', 'illegal_parameter');
  });

  it('refuses a KeyUpdate followed by more handshake data in the same record (spanning a key change) with unexpected_message', T, async () => {
    const { pair, mitm } = await established();
    const ku = frameHandshake(HT.key_update, Uint8Array.of(0));
    mitm.inject('client', 'application', [{ type: CT.handshake, fragment: new Uint8Array(Buffer.concat([ku, ku])) }]);
    await expectAlert(pair, 'server', 'unexpected_message');
  });

  it('refuses a ClientHello after the handshake (renegotiation) with unexpected_message', T, async () => {
    const { pair, mitm } = await established();
    mitm.inject('client', 'application', [{ type: CT.handshake, fragment: frameHandshake(HT.client_hello, new Uint8Array(40)) }]);
    await expectAlert(pair, 'server', 'unexpected_message');
  });

  it('refuses a warning alert other than close_notify as fatal in TLS 1.3', T, async () => {
    const { pair, mitm } = await established();
    mitm.inject('client', 'application', [{ type: CT.alert, fragment: Uint8Array.of(1, 42) }]);
    const err = await pair.server.closed;
    assert.equal(err?.code, 'ERR_TLS_ALERT_RECEIVED');
    assert.equal(err?.alert?.name, 'bad_certificate');
  });
});

/**
 * Peers wired synchronously (sink.write straight into the other's receive(),
 * as in the README): the answer to our last flight arrives while we are still
 * sending it. Found by the engine fuzzer's synchronous wiring (test/fuzz).
 */
describe('TLS 1.3: a synchronously wired peer (found by fuzzing)', () => {
  /** Client and server wired synchronously; every sink call recorded in order per side. */
  function syncPair(): { client: Connection; server: Connection; events: { client: string[]; server: string[] } } {
    const events = { client: [] as string[], server: [] as string[] };
    const ends = {} as { client: Connection; server: Connection };
    const sink = (side: 'client' | 'server'): ConnectionSink => ({
      write: (b) => ends[side === 'client' ? 'server' : 'client'].receive(b.slice()),
      handshake: () => events[side].push('handshake'),
      data: () => events[side].push('data'),
      error: (e) => events[side].push(`error ${e.alert?.direction} ${e.alert?.name}`),
      end: () => events[side].push('end'),
    });
    ends.client = createClientConnection(clientConfig({ ...client13, serverName: 'localhost', verifyPeer: acceptAll }), sink('client'));
    ends.server = createServerConnection(serverConfig({ ...server13, certificates: [certified('server-rsa')], verifyPeer: acceptAll }), sink('server'));
    return { ...ends, events };
  }

  it('reports the handshake before data the peer sends while our NewSessionTicket is leaving', T, async () => {
    const p = syncPair();
    // The client answers its session (the server's ticket) with data at once: it reaches the server inside the server's flush.
    p.client.sink.session = () => p.client.send(enc('hello'));
    p.server.start();
    p.client.start();
    for (let i = 0; i < 20 && !p.events.server.includes('data'); i++) await settle(1);
    assert.deepEqual(p.events.server, ['handshake', 'data']);
  });

  it('reports nothing after the error when the peer refuses our NewSessionTicket while it is leaving (bytes: fuzz seed 12, case 1408)', T, async () => {
    const p = syncPair();
    const send = p.server.sendHandshake.bind(p.server);
    p.server.sendHandshake = (type: number, body: Uint8Array): Uint8Array =>
      type === HT.new_session_ticket ? send(type, BAD_NONCE_NEW_SESSION_TICKET.subarray(4)) : send(type, body);
    p.server.start();
    p.client.start();
    for (let i = 0; i < 20 && !p.server.isClosed; i++) await settle(1);
    assert.deepEqual(p.events.client, ['handshake', 'error sent decode_error']);
    assert.deepEqual(p.events.server, ['handshake', 'error received decode_error']);
  });
});

