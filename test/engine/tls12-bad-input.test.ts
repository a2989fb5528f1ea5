/**
 * TLS 1.2 bad-input catalogue: hostile bytes at every layer, each case
 * asserting the exact alert the failing side sends (name, direction 'sent',
 * code) and, with an engine as peer, that the peer received that alert
 * (ERR_TLS_ALERT_RECEIVED with the same name). Never a throw, never a hang:
 * every case has a timeout.
 *
 * Hostile bytes come from three places (test/helpers/hostile.ts):
 * - a FlightEditor on an in-memory pair, rewriting plaintext handshake
 *   messages or whole records in flight;
 * - record keys recovered from the client's key log, to change encrypted
 *   records (Finished) and seal them again;
 * - a lone Connection fed hand-built records (a fake peer).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { certified, connectPair, handshakeBoth, settle, type Pair } from '../helpers/pair.js';
import { FlightEditor, Tls12Keys, hsRec, lone, rec, joinRecords, signParams, type Hs, type Rec } from '../helpers/hostile.js';
import type { ClientConfig, ServerConfig } from '../../src/config.js';
import type { TLSError } from '../../src/errors.js';
import { findExtension, type Extension } from '../../src/messages/extensions.js';
import {
  CertificateVerifyCodec,
  ClientHelloCodec,
  ServerHelloCodec,
  ServerKeyExchangeCodec,
  type ClientHello,
  type ServerHello,
} from '../../src/messages/handshake.js';
import { Reader } from '../../src/wire/reader.js';
import { AlertDescription, ContentType, ExtensionType, HandshakeType, NamedGroup, SignatureScheme, TLS_FALLBACK_SCSV } from '../../src/registry.js';
import { EVEN_RSA_MODULUS_FLIGHT, GENERATOR_ONE_DH_PARAMS } from './fuzz-found.js';

const T = { timeout: 10_000 };
const CT = ContentType;
const HT = HandshakeType;
const S = SignatureScheme;
const PSS256 = S.rsa_pss_rsae_sha256;

/** Client: TLS 1.2 only, one ECDHE-RSA suite, one group, one scheme (so hostile servers know what to sign). */
const client12: Partial<ClientConfig> = { maxVersion: 'TLSv1.2', cipherSuites: [0xc02f], groups: [NamedGroup.x25519], signatureAlgorithms: [PSS256] };
const server12: Partial<ServerConfig> = { maxVersion: 'TLSv1.2' };

function editedPair(ed: FlightEditor, client: Partial<ClientConfig> = {}, server: Partial<ServerConfig> = {}): Pair {
  return connectPair({ ...client12, ...client }, { ...server12, ...server }, { tamper: ed.tamper });
}

/**
 * The failing side sent `alert` (and failed with `code`); the peer received it.
 */
async function expectAlert(pair: Pair, failing: 'client' | 'server', alert: string, code = `ERR_TLS_ALERT_${alert.toUpperCase()}`): Promise<void> {
  const other = failing === 'client' ? 'server' : 'client';
  const [mine, theirs] = await Promise.all([pair[failing].closed, pair[other].closed]);
  assert.ok(mine, `${failing} should have failed`);
  assert.equal(mine.alert?.name, alert, `${failing} sent ${mine.alert?.name}: ${mine.message}`);
  assert.equal(mine.alert?.direction, 'sent');
  assert.equal(mine.code, code);
  assert.ok(theirs, `${other} should have failed`);
  assert.equal((theirs as TLSError).code, 'ERR_TLS_ALERT_RECEIVED', `${other}: ${theirs.message}`);
  assert.equal(theirs.alert?.name, alert);
  assert.equal(theirs.alert?.direction, 'received');
  assert.equal(pair[failing].conn.isClosed, true);
  assert.equal(pair[other].conn.isClosed, true);
}

/** A lone connection failed with `alert` and wrote exactly that fatal alert as its last record. */
function expectLoneAlert(err: TLSError | undefined, written: Rec[], alert: keyof typeof AlertDescription, code = `ERR_TLS_ALERT_${alert.toUpperCase()}`): void {
  assert.ok(err, 'should have failed');
  assert.equal(err.alert?.name, alert, err.message);
  assert.equal(err.alert?.direction, 'sent');
  assert.equal(err.code, code);
  const last = written[written.length - 1];
  assert.ok(last, 'wrote something');
  assert.equal(last.type, CT.alert);
  assert.deepEqual([...last.body], [2, AlertDescription[alert]]);
}

// --- message rewriting helpers ------------------------------------------------------------

const decodeCH = (b: Uint8Array): ClientHello => ClientHelloCodec.decode(new Reader(b));
const decodeSH = (b: Uint8Array): ServerHello => ServerHelloCodec.decode(new Reader(b));

/** Rewrite the ClientHello (once). */
function onClientHello(ed: FlightEditor, fn: (ch: ClientHello) => ClientHello | Rec[]): FlightEditor {
  let done = false;
  return ed.onHandshake((m, from) => {
    if (done || from !== 'client' || m.type !== HT.client_hello) return undefined;
    done = true;
    const r = fn(decodeCH(m.body));
    return Array.isArray(r) ? r : [hsRec(HT.client_hello, ClientHelloCodec.encode(r))];
  });
}

/** Rewrite the ServerHello (once). */
function onServerHello(ed: FlightEditor, fn: (sh: ServerHello) => ServerHello | Rec[]): FlightEditor {
  let done = false;
  return ed.onHandshake((m, from) => {
    if (done || from !== 'server' || m.type !== HT.server_hello) return undefined;
    done = true;
    const r = fn(decodeSH(m.body));
    return Array.isArray(r) ? r : [hsRec(HT.server_hello, ServerHelloCodec.encode(r))];
  });
}

/** Rewrite the first plaintext handshake message of `type` from `from`. */
function onMessage(ed: FlightEditor, from: 'client' | 'server', type: number, fn: (m: Hs) => Rec[]): FlightEditor {
  let done = false;
  return ed.onHandshake((m, f) => {
    if (done || f !== from || m.type !== type) return undefined;
    done = true;
    return fn(m);
  });
}

const withExtensions = <T extends { extensions: readonly Extension[] }>(m: T, extensions: Extension[]): T => ({ ...m, extensions });

const flipLast = (b: Uint8Array): Uint8Array => {
  const c = b.slice();
  c[c.length - 1]! ^= 0x01;
  return c;
};

/** A hostile ServerKeyExchange: `params` signed properly by server-rsa, so the client gets past the signature. */
function resignedSke(ed: FlightEditor, params: Uint8Array): Rec[] {
  return [hsRec(HT.server_key_exchange, signParams('server-rsa', PSS256, ed.clientRandom, ed.serverRandom, params))];
}

/** RFC 2409 §6.2 Oakley group 2: a 1024-bit MODP prime. */
const MODP1024 = Uint8Array.from(
  Buffer.from(
    'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
      'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED' +
      'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF',
    'hex',
  ),
);

// ============================================================================================

describe('TLS 1.2 bad input: record layer', () => {
  it('refuses a record longer than 2^14 + 256 with record_overflow', T, async () => {
    const ed = onClientHello(new FlightEditor(), () => [rec(CT.handshake, new Uint8Array((1 << 14) + 257))]);
    await expectAlert(editedPair(ed), 'server', 'record_overflow');
  });

  it('refuses a plaintext record longer than 2^14 with record_overflow', T, async () => {
    const ed = onClientHello(new FlightEditor(), () => [rec(CT.handshake, new Uint8Array((1 << 14) + 1))]);
    await expectAlert(editedPair(ed), 'server', 'record_overflow');
  });

  it('refuses an encrypted record that opens to more than 2^14 bytes with record_overflow', T, async () => {
    // A client Finished record padded past 2^14 + tag + nonce: rejected before decryption is even tried.
    const ed = new FlightEditor().onRecord((r, from, encrypted) =>
      from === 'client' && encrypted && r.type === CT.handshake ? [rec(CT.handshake, new Uint8Array((1 << 14) + 8 + 16 + 1))] : undefined,
    );
    await expectAlert(editedPair(ed), 'server', 'record_overflow');
  });

  it('refuses an unknown content type with unexpected_message', T, async () => {
    const ed = onClientHello(new FlightEditor(), (ch) => [rec(25, [1, 2, 3]), hsRec(HT.client_hello, ClientHelloCodec.encode(ch))]);
    await expectAlert(editedPair(ed), 'server', 'unexpected_message');
  });

  it('refuses an unnegotiated heartbeat record with unexpected_message', T, async () => {
    const ed = onClientHello(new FlightEditor(), (ch) => [hsRec(HT.client_hello, ClientHelloCodec.encode(ch)), rec(CT.heartbeat, [1, 0, 16])]);
    await expectAlert(editedPair(ed), 'server', 'unexpected_message');
  });

  it('refuses a record whose version is not 3.x with protocol_version', T, async () => {
    const ed = onClientHello(new FlightEditor(), (ch) => [rec(CT.handshake, [1, 0, 0, 0], 0x0200), hsRec(HT.client_hello, ClientHelloCodec.encode(ch))]);
    // The bad record goes first; the server never sees a hello.
    await expectAlert(editedPair(ed), 'server', 'protocol_version');
  });

  it('refuses an SSLv2-format ClientHello with protocol_version', T, async () => {
    const l = lone('server', {});
    // SSLv2 CLIENT-HELLO (RFC 5246 Appendix E.2): 2-byte header with the high bit set, msg_type 1, version 3.1.
    const v2 = Uint8Array.from([0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15, 0x00, 0x00, 0x00, 0x10, ...new Array(0x2e - 9).fill(0x11)]);
    l.conn.receive(v2);
    expectLoneAlert(await l.closed, l.written(), 'protocol_version');
  });

  it('refuses a truncated encrypted record (shorter than nonce + tag) with bad_record_mac', T, async () => {
    const ed = new FlightEditor().onRecord((r, from, encrypted) =>
      from === 'client' && encrypted && r.type === CT.handshake ? [rec(CT.handshake, r.body.subarray(0, 10))] : undefined,
    );
    await expectAlert(editedPair(ed), 'server', 'bad_record_mac');
  });

  it('refuses tampered ciphertext with bad_record_mac', T, async () => {
    const ed = new FlightEditor().onRecord((r, from, encrypted) =>
      from === 'client' && encrypted && r.type === CT.handshake ? [rec(CT.handshake, flipLast(r.body))] : undefined,
    );
    await expectAlert(editedPair(ed), 'server', 'bad_record_mac');
  });

  it('refuses tampered server ciphertext at the client with bad_record_mac', T, async () => {
    const ed = new FlightEditor().onRecord((r, from, encrypted) => {
      if (from !== 'server' || !encrypted || r.type !== CT.handshake) return undefined;
      const b = r.body.slice();
      b[10]! ^= 0x80;
      return [rec(CT.handshake, b)];
    });
    await expectAlert(editedPair(ed), 'client', 'bad_record_mac');
  });

  it('refuses an empty handshake record with unexpected_message', T, async () => {
    const ed = onClientHello(new FlightEditor(), (ch) => [rec(CT.handshake, []), hsRec(HT.client_hello, ClientHelloCodec.encode(ch))]);
    await expectAlert(editedPair(ed), 'server', 'unexpected_message');
  });

  it('refuses an alert record of three bytes with decode_error', T, async () => {
    const ed = onMessage(new FlightEditor(), 'server', HT.server_hello_done, (m) => [hsRec(m.type, m.body), rec(CT.alert, [1, 0, 0])]);
    await expectAlert(editedPair(ed), 'client', 'decode_error');
  });

  it('refuses a ChangeCipherSpec whose payload is not 1 with unexpected_message', T, async () => {
    const ed = new FlightEditor().onRecord((r, from) => (from === 'client' && r.type === CT.change_cipher_spec ? [rec(CT.change_cipher_spec, [2])] : undefined));
    await expectAlert(editedPair(ed), 'server', 'unexpected_message');
  });

  it('refuses a flood of warning alerts with unexpected_message', T, async () => {
    const warning = rec(CT.alert, [1, AlertDescription.user_canceled]);
    const ed = onClientHello(new FlightEditor(), (ch) => [hsRec(HT.client_hello, ClientHelloCodec.encode(ch)), warning, warning, warning, warning, warning]);
    await expectAlert(editedPair(ed), 'server', 'unexpected_message');
  });

  it('refuses a flood of empty encrypted application data records with unexpected_message', T, async () => {
    const ed = new FlightEditor();
    const pair = editedPair(ed);
    await handshakeBoth(pair);
    const keys = new Tls12Keys(ed.suite, pair.client.keylog[0]!, ed.serverRandom);
    // The client's Finished was its record 0; the flood continues its sequence.
    const flood: Rec[] = [];
    for (let seq = 1; seq <= 40; seq++) flood.push(keys.seal('client', seq, CT.application_data, new Uint8Array(0)));
    pair.server.conn.receive(joinRecords(flood));
    await expectAlert(pair, 'server', 'unexpected_message');
  });

  it('accepts a few empty encrypted records (below the flood limit) and keeps going', T, async () => {
    const ed = new FlightEditor();
    const pair = editedPair(ed);
    await handshakeBoth(pair);
    const keys = new Tls12Keys(ed.suite, pair.client.keylog[0]!, ed.serverRandom);
    const recs: Rec[] = [];
    for (let seq = 1; seq <= 3; seq++) recs.push(keys.seal('client', seq, CT.application_data, new Uint8Array(0)));
    recs.push(keys.seal('client', 4, CT.application_data, new TextEncoder().encode('still here')));
    pair.server.conn.receive(joinRecords(recs));
    await settle(5);
    assert.equal(pair.server.error, undefined);
    assert.equal(new TextDecoder().decode(pair.server.received()), 'still here');
  });
});

describe('TLS 1.2 bad input: handshake framing', () => {
  it('refuses a handshake header shorter than its body (inner length mismatch) with decode_error', T, async () => {
    const ed = onClientHello(new FlightEditor(), (ch) => {
      const body = ClientHelloCodec.encode(ch);
      const r = hsRec(HT.client_hello, body);
      const b = r.body.slice();
      b[3]! -= 1; // header says one byte less than the record carries
      return [rec(CT.handshake, b)];
    });
    await expectAlert(editedPair(ed), 'server', 'decode_error');
  });

  it('refuses a truncated ClientHello body with decode_error', T, async () => {
    const ed = onClientHello(new FlightEditor(), (ch) => [hsRec(HT.client_hello, ClientHelloCodec.encode(ch).subarray(0, 60))]);
    await expectAlert(editedPair(ed), 'server', 'decode_error');
  });

  it('refuses a ChangeCipherSpec in the middle of a fragmented handshake message with unexpected_message', T, async () => {
    const ed = onClientHello(new FlightEditor(), (ch) => {
      const full = hsRec(HT.client_hello, ClientHelloCodec.encode(ch)).body;
      return [rec(CT.handshake, full.subarray(0, 20)), rec(CT.change_cipher_spec, [1]), rec(CT.handshake, full.subarray(20))];
    });
    await expectAlert(editedPair(ed), 'server', 'unexpected_message');
  });

  it('refuses a handshake message longer than the limit with decode_error', T, async () => {
    // Header announces 192 KiB (over MAX_HANDSHAKE_MESSAGE_LENGTH); refused as soon as the header is in.
    const ed = onClientHello(new FlightEditor(), () => [rec(CT.handshake, [HT.client_hello, 0x03, 0x00, 0x00, 3, 3])]);
    await expectAlert(editedPair(ed), 'server', 'decode_error');
  });

  it('refuses a ServerHelloDone with a body with decode_error', T, async () => {
    const ed = onMessage(new FlightEditor(), 'server', HT.server_hello_done, () => [hsRec(HT.server_hello_done, Uint8Array.of(0))]);
    await expectAlert(editedPair(ed), 'client', 'decode_error');
  });

  it('refuses a message out of order (ServerKeyExchange instead of Certificate) with unexpected_message', T, async () => {
    const ed = onMessage(new FlightEditor(), 'server', HT.certificate, () => []);
    await expectAlert(editedPair(ed), 'client', 'unexpected_message');
  });

  it('refuses ChangeCipherSpec before keys exist (server side) with unexpected_message', T, async () => {
    const ed = onClientHello(new FlightEditor(), (ch) => [hsRec(HT.client_hello, ClientHelloCodec.encode(ch)), rec(CT.change_cipher_spec, [1])]);
    await expectAlert(editedPair(ed), 'server', 'unexpected_message');
  });

  it('refuses ChangeCipherSpec before keys exist (client side) with unexpected_message', T, async () => {
    const ed = onMessage(new FlightEditor(), 'server', HT.server_hello, (m) => [hsRec(m.type, m.body), rec(CT.change_cipher_spec, [1])]);
    await expectAlert(editedPair(ed), 'client', 'unexpected_message');
  });

  it('refuses application data before Finished (server side) with unexpected_message', T, async () => {
    const ed = onClientHello(new FlightEditor(), (ch) => [hsRec(HT.client_hello, ClientHelloCodec.encode(ch)), rec(CT.application_data, [0x47, 0x45, 0x54])]);
    await expectAlert(editedPair(ed), 'server', 'unexpected_message');
  });

  it('refuses application data before Finished (client side) with unexpected_message', T, async () => {
    const ed = onMessage(new FlightEditor(), 'server', HT.server_hello_done, (m) => [hsRec(m.type, m.body), rec(CT.application_data, [1, 2, 3])]);
    await expectAlert(editedPair(ed), 'client', 'unexpected_message');
  });
});

describe('TLS 1.2 bad input: ClientHello', () => {
  it('refuses a TLS 1.0 ClientHello with protocol_version', T, async () => {
    const ed = onClientHello(new FlightEditor(), (ch) => ({ ...ch, legacyVersion: 0x0301 }));
    await expectAlert(editedPair(ed), 'server', 'protocol_version');
  });

  it('refuses a ClientHello with no cipher suite in common with handshake_failure', T, async () => {
    // The client wants ECDSA; the server only holds an RSA certificate.
    const pair = connectPair({ ...client12, cipherSuites: [0xc02b, 0xcca9] }, { ...server12, certificates: [certified('server-rsa')] });
    await expectAlert(pair, 'server', 'handshake_failure');
  });

  it('refuses a ClientHello with no group in common with handshake_failure', T, async () => {
    const pair = connectPair({ ...client12, groups: [NamedGroup.secp384r1] }, { ...server12, groups: [NamedGroup.x25519] });
    await expectAlert(pair, 'server', 'handshake_failure');
  });

  it('refuses a ClientHello with no FFDHE group in common (DHE only) with handshake_failure', T, async () => {
    const pair = connectPair({ ...client12, cipherSuites: [0x009e], groups: [NamedGroup.ffdhe4096] }, { ...server12, groups: [NamedGroup.ffdhe2048] });
    await expectAlert(pair, 'server', 'handshake_failure');
  });

  it('refuses a ClientHello with a signature scheme the server cannot use with handshake_failure', T, async () => {
    const pair = connectPair({ ...client12, signatureAlgorithms: [S.ecdsa_secp384r1_sha384] }, { ...server12 });
    await expectAlert(pair, 'server', 'handshake_failure');
  });

  it('refuses duplicate extensions in ClientHello with decode_error (as BoringSSL; BoGo DuplicateExtensionServer)', T, async () => {
    const ed = onClientHello(new FlightEditor(), (ch) => {
      const groups = ch.extensions.find((e) => e.type === ExtensionType.supported_groups)!;
      return withExtensions(ch, [...ch.extensions, groups]);
    });
    await expectAlert(editedPair(ed), 'server', 'decode_error');
  });

  it('refuses a ClientHello offering only a non-null compression method with illegal_parameter', T, async () => {
    const ed = onClientHello(new FlightEditor(), (ch) => ({ ...ch, legacyCompressionMethods: Uint8Array.of(1) }));
    await expectAlert(editedPair(ed), 'server', 'illegal_parameter');
  });

  it('refuses TLS_FALLBACK_SCSV at a TLS 1.3-capable server with inappropriate_fallback', T, async () => {
    const ed = onClientHello(new FlightEditor(), (ch) => ({ ...ch, cipherSuites: [...ch.cipherSuites, TLS_FALLBACK_SCSV] }));
    const pair = connectPair(client12, { maxVersion: 'TLSv1.3' }, { tamper: ed.tamper });
    await expectAlert(pair, 'server', 'inappropriate_fallback');
  });

  it('refuses a non-empty renegotiation_info on the initial handshake with handshake_failure', T, async () => {
    const ed = onClientHello(new FlightEditor(), (ch) =>
      withExtensions(
        ch,
        ch.extensions.map((e) => (e.type === ExtensionType.renegotiation_info ? { type: e.type, data: Uint8Array.of(12, ...new Array<number>(12).fill(7)) } : e)),
      ),
    );
    await expectAlert(editedPair(ed), 'server', 'handshake_failure');
  });

  it('refuses an ALPN mismatch with no_application_protocol', T, async () => {
    const pair = connectPair({ ...client12, alpnProtocols: ['h2'] }, { ...server12, alpnProtocols: ['http/1.1'] });
    await expectAlert(pair, 'server', 'no_application_protocol');
  });
});

describe('TLS 1.2 bad input: ServerHello', () => {
  it('refuses a ServerHello picking a suite the client did not offer with illegal_parameter', T, async () => {
    const ed = onServerHello(new FlightEditor(), (sh) => ({ ...sh, cipherSuite: 0xc030 }));
    await expectAlert(editedPair(ed), 'client', 'illegal_parameter');
  });

  it('refuses duplicate extensions in ServerHello with decode_error (as BoringSSL; BoGo DuplicateExtensionClient)', T, async () => {
    const ed = onServerHello(new FlightEditor(), (sh) => withExtensions(sh, [...sh.extensions, sh.extensions[0]!]));
    await expectAlert(editedPair(ed), 'client', 'decode_error');
  });

  it('refuses an unsolicited extension in ServerHello with unsupported_extension', T, async () => {
    const ed = onServerHello(new FlightEditor(), (sh) => withExtensions(sh, [...sh.extensions, { type: ExtensionType.status_request, data: new Uint8Array(0) }]));
    await expectAlert(editedPair(ed), 'client', 'unsupported_extension');
  });

  it('refuses a ServerHello choosing a non-null compression method with illegal_parameter', T, async () => {
    const ed = onServerHello(new FlightEditor(), (sh) => ({ ...sh, legacyCompressionMethod: 1 }));
    await expectAlert(editedPair(ed), 'client', 'illegal_parameter');
  });

  it('refuses a TLS 1.0 ServerHello with protocol_version', T, async () => {
    const ed = onServerHello(new FlightEditor(), (sh) => ({ ...sh, legacyVersion: 0x0301 }));
    await expectAlert(editedPair(ed), 'client', 'protocol_version');
  });

  it('refuses the TLS 1.2 downgrade sentinel at a TLS 1.3-capable client with illegal_parameter', T, async () => {
    // An attacker strips supported_versions; the 1.3-capable server answers 1.2 and marks its random.
    const ed = onClientHello(new FlightEditor(), (ch) => withExtensions(ch, ch.extensions.filter((e) => e.type !== ExtensionType.supported_versions)));
    const pair = connectPair({ cipherSuites: [0x1301, 0xc02f], signatureAlgorithms: [PSS256] }, { maxVersion: 'TLSv1.3' }, { tamper: ed.tamper });
    await expectAlert(pair, 'client', 'illegal_parameter');
    assert.ok(findExtension(ed.clientHello!.extensions, ExtensionType.supported_versions), 'the client did offer TLS 1.3');
  });
});

describe('TLS 1.2 bad input: server Certificate and ServerKeyExchange', () => {
  it('refuses an empty server Certificate with bad_certificate', T, async () => {
    const ed = onMessage(new FlightEditor(), 'server', HT.certificate, () => [hsRec(HT.certificate, Uint8Array.of(0, 0, 0))]);
    await expectAlert(editedPair(ed), 'client', 'bad_certificate');
  });

  it('refuses a server certificate that is not DER with bad_certificate', T, async () => {
    const ed = onMessage(new FlightEditor(), 'server', HT.certificate, () => [hsRec(HT.certificate, Uint8Array.of(0, 0, 7, 0, 0, 4, 0x30, 0x02, 0x05, 0x00))]);
    await expectAlert(editedPair(ed), 'client', 'bad_certificate');
  });

  it('refuses a bad ServerKeyExchange signature with decrypt_error', T, async () => {
    const ed = onMessage(new FlightEditor(), 'server', HT.server_key_exchange, (m) => [hsRec(m.type, flipLast(m.body))]);
    await expectAlert(editedPair(ed), 'client', 'decrypt_error');
  });

  it('refuses a ServerKeyExchange signed with a scheme the client did not offer with illegal_parameter', T, async () => {
    const ed = onMessage(new FlightEditor(), 'server', HT.server_key_exchange, (m) => {
      const ske = ServerKeyExchangeCodec.decode(new Reader(m.body), 'ECDHE');
      return [hsRec(m.type, ServerKeyExchangeCodec.encode(ske.rawParams, S.rsa_pkcs1_sha256, ske.signature))];
    });
    await expectAlert(editedPair(ed), 'client', 'illegal_parameter');
  });

  it('refuses an ECDHE point not on the curve (ServerKeyExchange) with illegal_parameter', T, async () => {
    const ed = new FlightEditor();
    onMessage(ed, 'server', HT.server_key_exchange, (m) => {
      const ske = ServerKeyExchangeCodec.decode(new Reader(m.body), 'ECDHE');
      if (ske.params.kind !== 'ECDHE') throw new Error('expected ECDHE');
      const bad = flipLast(ske.params.publicKey); // y no longer matches x
      return resignedSke(ed, ServerKeyExchangeCodec.encodeParams({ ...ske.params, publicKey: bad }));
    });
    await expectAlert(editedPair(ed, { groups: [NamedGroup.secp256r1] }), 'client', 'illegal_parameter');
  });

  it('refuses an all-zero x25519 result (small-order ServerKeyExchange point) with illegal_parameter', T, async () => {
    const ed = new FlightEditor();
    onMessage(ed, 'server', HT.server_key_exchange, () =>
      resignedSke(ed, ServerKeyExchangeCodec.encodeParams({ kind: 'ECDHE', namedCurve: NamedGroup.x25519, publicKey: new Uint8Array(32) })),
    );
    await expectAlert(editedPair(ed), 'client', 'illegal_parameter');
  });

  it('refuses a ServerKeyExchange group the client did not offer with illegal_parameter', T, async () => {
    const ed = new FlightEditor();
    onMessage(ed, 'server', HT.server_key_exchange, (m) => {
      const ske = ServerKeyExchangeCodec.decode(new Reader(m.body), 'ECDHE');
      if (ske.params.kind !== 'ECDHE') throw new Error('expected ECDHE');
      return resignedSke(ed, ServerKeyExchangeCodec.encodeParams({ ...ske.params, namedCurve: NamedGroup.secp256r1 }));
    });
    await expectAlert(editedPair(ed), 'client', 'illegal_parameter');
  });

  it('refuses a DH prime under 2048 bits with insufficient_security', T, async () => {
    const ed = new FlightEditor();
    onMessage(ed, 'server', HT.server_key_exchange, () =>
      resignedSke(ed, ServerKeyExchangeCodec.encodeParams({ kind: 'DHE', p: MODP1024, g: Uint8Array.of(2), publicKey: Uint8Array.of(4) })),
    );
    await expectAlert(editedPair(ed, { cipherSuites: [0x009e], groups: [NamedGroup.ffdhe2048] }), 'client', 'insufficient_security');
  });

  it('refuses a DHE server public value of 1 with handshake_failure (RFC 7919 §3)', T, async () => {
    const ed = new FlightEditor();
    onMessage(ed, 'server', HT.server_key_exchange, (m) => {
      const ske = ServerKeyExchangeCodec.decode(new Reader(m.body), 'DHE');
      if (ske.params.kind !== 'DHE') throw new Error('expected DHE');
      return resignedSke(ed, ServerKeyExchangeCodec.encodeParams({ ...ske.params, publicKey: Uint8Array.of(1) }));
    });
    await expectAlert(editedPair(ed, { cipherSuites: [0x009e], groups: [NamedGroup.ffdhe2048] }), 'client', 'handshake_failure');
  });
});

describe('TLS 1.2 bad input: client key exchange and authentication', () => {
  it('refuses an ECDHE point not on the curve (ClientKeyExchange) with illegal_parameter', T, async () => {
    const ed = onMessage(new FlightEditor(), 'client', HT.client_key_exchange, (m) => [hsRec(m.type, flipLast(m.body))]);
    await expectAlert(editedPair(ed, { groups: [NamedGroup.secp256r1] }), 'server', 'illegal_parameter');
  });

  it('refuses an all-zero x25519 result (small-order ClientKeyExchange point) with illegal_parameter', T, async () => {
    const ed = onMessage(new FlightEditor(), 'client', HT.client_key_exchange, () => [hsRec(HT.client_key_exchange, Uint8Array.of(32, ...new Array<number>(32).fill(0)))]);
    await expectAlert(editedPair(ed), 'server', 'illegal_parameter');
  });

  it('refuses a DHE client public value of p-1 with handshake_failure (RFC 7919 §4)', T, async () => {
    const ed = new FlightEditor();
    let p: Uint8Array | undefined;
    onMessage(ed, 'server', HT.server_key_exchange, (m) => {
      const ske = ServerKeyExchangeCodec.decode(new Reader(m.body), 'DHE');
      if (ske.params.kind === 'DHE') p = ske.params.p;
      return [hsRec(m.type, m.body)];
    });
    onMessage(ed, 'client', HT.client_key_exchange, () => {
      const y = p!.slice();
      y[y.length - 1]! -= 1; // p - 1: a small-subgroup element
      return [hsRec(HT.client_key_exchange, Uint8Array.of(y.length >> 8, y.length & 0xff, ...y))];
    });
    await expectAlert(editedPair(ed, { cipherSuites: [0x009e], groups: [NamedGroup.ffdhe2048] }), 'server', 'handshake_failure');
  });

  it('refuses a ClientKeyExchange with an empty point with decode_error', T, async () => {
    const ed = onMessage(new FlightEditor(), 'client', HT.client_key_exchange, () => [hsRec(HT.client_key_exchange, Uint8Array.of(0))]);
    await expectAlert(editedPair(ed), 'server', 'decode_error');
  });

  it('refuses a bad CertificateVerify signature with decrypt_error', T, async () => {
    const ed = onMessage(new FlightEditor(), 'client', HT.certificate_verify, (m) => [hsRec(m.type, flipLast(m.body))]);
    const pair = editedPair(ed, { certificates: [certified('client-rsa')] }, { requestClientCertificate: true, requireClientCertificate: true });
    await expectAlert(pair, 'server', 'decrypt_error');
  });

  it('refuses a CertificateVerify with a scheme that was not requested with illegal_parameter', T, async () => {
    const ed = onMessage(new FlightEditor(), 'client', HT.certificate_verify, (m) => {
      const cv = CertificateVerifyCodec.decode(new Reader(m.body));
      return [hsRec(m.type, CertificateVerifyCodec.encode({ ...cv, signatureScheme: 0x0201 /* rsa_pkcs1_sha1 */ }))];
    });
    const pair = editedPair(ed, { certificates: [certified('client-rsa')] }, { requestClientCertificate: true, requireClientCertificate: true });
    await expectAlert(pair, 'server', 'illegal_parameter');
  });

  it('refuses a missing client certificate with handshake_failure when one is required', T, async () => {
    const pair = editedPair(new FlightEditor(), {}, { requestClientCertificate: true, requireClientCertificate: true });
    await expectAlert(pair, 'server', 'handshake_failure', 'ERR_TLS_PEER_CERTIFICATE_REQUIRED');
  });
});

describe('TLS 1.2 bad input: Finished and after', () => {
  /** Open `side`'s encrypted Finished (its record 0), change verify_data, seal it again. */
  function tamperFinished(ed: FlightEditor, pairRef: { pair?: Pair }, side: 'client' | 'server'): FlightEditor {
    let done = false;
    return ed.onRecord((r, from, encrypted) => {
      if (done || from !== side || !encrypted || r.type !== CT.handshake) return undefined;
      done = true;
      const keys = new Tls12Keys(ed.suite, pairRef.pair!.client.keylog[0]!, ed.serverRandom);
      const opened = keys.open(side, 0, r);
      assert.equal(opened.fragment[0], HT.finished);
      return [keys.seal(side, 0, CT.handshake, flipLast(opened.fragment))];
    });
  }

  it('refuses a tampered client Finished (correctly encrypted) with decrypt_error', T, async () => {
    const ref: { pair?: Pair } = {};
    const ed = tamperFinished(new FlightEditor(), ref, 'client');
    ref.pair = editedPair(ed);
    await expectAlert(ref.pair, 'server', 'decrypt_error');
  });

  it('refuses a tampered server Finished (correctly encrypted) with decrypt_error', T, async () => {
    const ref: { pair?: Pair } = {};
    const ed = tamperFinished(new FlightEditor(), ref, 'server');
    ref.pair = editedPair(ed);
    await expectAlert(ref.pair, 'client', 'decrypt_error');
  });

  it('refuses a transcript changed in flight (extended_master_secret stripped) at Finished with decrypt_error', T, async () => {
    // Without EMS both sides still derive the same keys, but their transcripts differ.
    const ed = onClientHello(new FlightEditor(), (ch) => withExtensions(ch, ch.extensions.filter((e) => e.type !== ExtensionType.extended_master_secret)));
    await expectAlert(editedPair(ed), 'server', 'decrypt_error');
  });

  it('refuses a renegotiation ClientHello after the handshake with no_renegotiation', T, async () => {
    const pair = editedPair(new FlightEditor(), { trace: true }, { trace: true });
    await handshakeBoth(pair);
    pair.client.conn.sendPostHandshake(HT.client_hello, ClientHelloCodec.encode({
      legacyVersion: 0x0303,
      random: new Uint8Array(32),
      legacySessionId: new Uint8Array(0),
      cipherSuites: [0xc02f],
      legacyCompressionMethods: Uint8Array.of(0),
      extensions: [],
    }));
    await expectRenegotiationRefused(pair, 'server');
  });

  it('refuses a HelloRequest after the handshake with no_renegotiation', T, async () => {
    const pair = editedPair(new FlightEditor(), { trace: true }, { trace: true });
    await handshakeBoth(pair);
    pair.server.conn.sendPostHandshake(HT.hello_request, new Uint8Array(0));
    await expectRenegotiationRefused(pair, 'client');
  });
});

/**
 * RFC 5246 §7.2.2: no_renegotiation "is always a warning". The refusing side
 * sends it at warning level and closes; the peer sees the warning alert.
 */
async function expectRenegotiationRefused(pair: Pair, refusing: 'client' | 'server'): Promise<void> {
  const err = await pair[refusing].closed;
  assert.ok(err);
  assert.equal(err.alert?.name, 'no_renegotiation');
  assert.equal(err.alert?.direction, 'sent');
  assert.equal(err.code, 'ERR_TLS_ALERT_NO_RENEGOTIATION');
  assert.equal(pair[refusing].conn.isClosed, true);
  const peer = pair[refusing === 'client' ? 'server' : 'client'];
  const deadline = Date.now() + 2000;
  const sawAlert = (): boolean =>
    peer.trace.some((e) => e.direction === 'received' && e.kind === 'alert' && e.alert?.description === AlertDescription.no_renegotiation && e.alert.level === 1);
  while (!sawAlert()) {
    if (Date.now() > deadline) assert.fail('peer never received the no_renegotiation warning');
    await settle(1);
  }
}

/**
 * Exact bytes from the engine fuzzer (test/fuzz, bytes in ./fuzz-found.ts):
 * each was a stray exception (internal_error) before the fix it guards.
 */
describe('TLS 1.2 bad input: found by fuzzing', () => {
  it('refuses a server certificate with an even RSA modulus (RSA key exchange) with bad_certificate, not internal_error', T, async () => {
    const l = lone('client', { cipherSuites: [0x009c, 0x009d] });
    l.conn.receive(EVEN_RSA_MODULUS_FLIGHT);
    expectLoneAlert(await l.closed, l.written(), 'bad_certificate');
  });

  it('refuses signed DHE parameters with a generator of 1 with illegal_parameter, not internal_error', T, async () => {
    const ed = new FlightEditor();
    onMessage(ed, 'server', HT.server_key_exchange, () => resignedSke(ed, GENERATOR_ONE_DH_PARAMS));
    await expectAlert(editedPair(ed, { cipherSuites: [0x009e], groups: [NamedGroup.ffdhe2048] }), 'client', 'illegal_parameter');
  });

  it('refuses a DHE generator equal to p with illegal_parameter before any exponentiation (OpenSSL would spend ~0.3 s on it)', T, async () => {
    // The fuzz case's p (ffdhe2048), then g = p, then Ys = 2.
    const pLen = (GENERATOR_ONE_DH_PARAMS[0]! << 8) | GENERATOR_ONE_DH_PARAMS[1]!;
    const prime = GENERATOR_ONE_DH_PARAMS.subarray(0, 2 + pLen);
    const params = Uint8Array.from([...prime, ...prime, 0x00, 0x01, 0x02]);
    const ed = new FlightEditor();
    onMessage(ed, 'server', HT.server_key_exchange, () => resignedSke(ed, params));
    const pair = editedPair(ed, { cipherSuites: [0x009e], groups: [NamedGroup.ffdhe2048] });
    await expectAlert(pair, 'client', 'illegal_parameter');
    // Our range check, not OpenSSL's own refusal after its slow work.
    assert.match(pair.client.error?.message ?? '', /generator is not in \(1, p - 1\)/);
  });
});
