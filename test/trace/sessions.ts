/**
 * The two reference sessions (test/trace/reference/tshark-*.txt) rebuilt as the
 * engine's trace events from the client's side: plaintext messages re-encoded
 * with the codecs from the values tshark shows, encrypted records as random
 * bytes of the lengths tshark shows. Values tshark truncates are random too.
 */
import { randomBytes } from 'node:crypto';
import type { TraceEvent } from '../../src/connection.js';
import {
  CertificateCodec,
  CertificateVerifyCodec,
  ClientHelloCodec,
  ClientKeyExchangeCodec,
  EncryptedExtensionsCodec,
  NewSessionTicket12Codec,
  NewSessionTicket13Codec,
  ServerHelloCodec,
  ServerKeyExchangeCodec,
  frameHandshake,
} from '../../src/messages/handshake.js';
import { alpn, ecPointFormats, keyShare, pskModes, renegotiationInfo, serverName, supportedVersions, u16List } from '../../src/messages/extensions.js';
import { ContentType, ExtensionType, HandshakeType, NamedGroup, SignatureScheme, type VersionName } from '../../src/registry.js';
import { fixture, pemToDer } from '../helpers/pair.js';

const h = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const rnd = (n: number): Uint8Array => new Uint8Array(randomBytes(n));
const E = new Uint8Array(0);

export function record(type: number, version: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + payload.length);
  out[0] = type;
  out[1] = version >> 8;
  out[2] = version & 0xff;
  out[3] = payload.length >> 8;
  out[4] = payload.length & 0xff;
  out.set(payload, 5);
  return out;
}

/** Builds a client-side event stream. */
class Events {
  readonly list: TraceEvent[] = [];
  version: VersionName | undefined;
  private ev(e: TraceEvent): void {
    this.list.push(this.version ? { ...e, version: this.version } : e);
  }
  sentHandshake(msg: Uint8Array, recordVersion = 0x0303, encryptedLength?: number): void {
    this.ev({ direction: 'sent', kind: 'handshake', message: msg });
    this.sentRecord(ContentType.handshake, msg, recordVersion, encryptedLength);
  }
  receivedHandshake(msg: Uint8Array, encryptedLength?: number): void {
    this.receivedRecord(ContentType.handshake, msg, encryptedLength);
    this.ev({ direction: 'received', kind: 'handshake', message: msg });
  }
  sentCcs(): void {
    this.ev({ direction: 'sent', kind: 'change_cipher_spec' });
    this.sentRecord(ContentType.change_cipher_spec, Uint8Array.of(1));
  }
  receivedCcs(): void {
    this.receivedRecord(ContentType.change_cipher_spec, Uint8Array.of(1));
    this.ev({ direction: 'received', kind: 'change_cipher_spec' });
  }
  sentAppData(plain: number, encryptedLength: number): void {
    this.ev({ direction: 'sent', kind: 'application_data', length: plain });
    this.sentRecord(ContentType.application_data, rnd(plain), 0x0303, encryptedLength);
  }
  receivedAppData(plain: number, encryptedLength: number): void {
    this.receivedRecord(ContentType.application_data, rnd(plain), encryptedLength);
    this.ev({ direction: 'received', kind: 'application_data', length: plain });
  }
  sentAlert(level: number, description: number, encryptedLength: number): void {
    this.ev({ direction: 'sent', kind: 'alert', alert: { level, description } });
    this.sentRecord(ContentType.alert, Uint8Array.of(level, description), 0x0303, encryptedLength);
  }
  receivedAlert(level: number, description: number, encryptedLength: number): void {
    this.receivedRecord(ContentType.alert, Uint8Array.of(level, description), encryptedLength);
    this.ev({ direction: 'received', kind: 'alert', alert: { level, description } });
  }
  private wire(type: number, plain: Uint8Array, recordVersion: number, encryptedLength: number | undefined): { rec: Uint8Array; encrypted: boolean } {
    if (encryptedLength === undefined) return { rec: record(type, recordVersion, plain), encrypted: false };
    const outer = this.version === 'TLSv1.3' ? ContentType.application_data : type;
    return { rec: record(outer, 0x0303, rnd(encryptedLength)), encrypted: true };
  }
  private sentRecord(type: number, plain: Uint8Array, recordVersion = 0x0303, encryptedLength?: number): void {
    const { rec, encrypted } = this.wire(type, plain, recordVersion, encryptedLength);
    this.ev({ direction: 'sent', kind: 'record', contentType: type, record: rec, encrypted, length: rec.length - 5 });
  }
  private receivedRecord(type: number, plain: Uint8Array, encryptedLength?: number): void {
    const { rec, encrypted } = this.wire(type, plain, 0x0303, encryptedLength);
    this.ev({ direction: 'received', kind: 'record', contentType: rec[0]!, record: rec, encrypted, length: rec.length - 5 });
  }
}

const ext = (type: number, data: Uint8Array = E) => ({ type, data });
const hs = (type: number, body: Uint8Array): Uint8Array => frameHandshake(type, body);

/** The fixture chain standing in for the reference's certificate (whose bytes tshark does not show in full). */
export function fixtureChain(): Uint8Array[] {
  return pemToDer(fixture('server-rsa.pem'));
}

/** Reference session 1: TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256. */
export function tls12ReferenceEvents(): TraceEvent[] {
  const ev = new Events();
  const sigalgs12 = [0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0809, 0x080a, 0x080b, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0303, 0x0301, 0x0302, 0x0402, 0x0502, 0x0602];
  const ch = ClientHelloCodec.encode({
    legacyVersion: 0x0303,
    random: h('77f6afd1a062de58e20fca07c82b823788e262b372980fb98653f342a2abca3e'),
    legacySessionId: E,
    cipherSuites: [0xc02f, 0x00ff],
    legacyCompressionMethods: Uint8Array.of(0),
    extensions: [
      ext(ExtensionType.server_name, serverName.encode('localhost')),
      ext(ExtensionType.ec_point_formats, ecPointFormats.encode([0, 1, 2])),
      ext(ExtensionType.supported_groups, u16List.encode([NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.x448, NamedGroup.secp521r1, NamedGroup.secp384r1])),
      ext(ExtensionType.session_ticket),
      ext(ExtensionType.application_layer_protocol_negotiation, alpn.encode(['http/1.1'])),
      ext(ExtensionType.encrypt_then_mac),
      ext(ExtensionType.extended_master_secret),
      ext(ExtensionType.signature_algorithms, u16List.encode(sigalgs12)),
    ],
  });
  ev.sentHandshake(hs(HandshakeType.client_hello, ch), 0x0301);
  const sh = ServerHelloCodec.encode({
    legacyVersion: 0x0303,
    random: h('342e5cd174468710599b5fef525d3ed4d110083ecd811558444f574e47524401'),
    legacySessionIdEcho: E,
    cipherSuite: 0xc02f,
    legacyCompressionMethod: 0,
    extensions: [
      ext(ExtensionType.renegotiation_info, renegotiationInfo.encode(E)),
      ext(ExtensionType.ec_point_formats, ecPointFormats.encode([0, 1, 2])),
      ext(ExtensionType.session_ticket),
      ext(ExtensionType.extended_master_secret),
    ],
  });
  ev.receivedHandshake(hs(HandshakeType.server_hello, sh));
  ev.version = 'TLSv1.2';
  ev.receivedHandshake(hs(HandshakeType.certificate, CertificateCodec.encode({ certificateRequestContext: E, entries: fixtureChain().slice(0, 1).map((certData) => ({ certData, extensions: [] })) }, false)));
  const params = ServerKeyExchangeCodec.encodeParams({ kind: 'ECDHE', namedCurve: NamedGroup.x25519, publicKey: h('52bee0688fd95c41a7911d4e4678afc84bbe4f3d5310ed4321d3235c1fc5e942') });
  ev.receivedHandshake(hs(HandshakeType.server_key_exchange, ServerKeyExchangeCodec.encode(params, SignatureScheme.rsa_pss_rsae_sha256, rnd(256))));
  ev.receivedHandshake(hs(HandshakeType.server_hello_done, E));
  ev.sentHandshake(hs(HandshakeType.client_key_exchange, ClientKeyExchangeCodec.encode('ECDHE', h('c90ca9feac8b74d88940abc0ebbc72e6dae9f34cfc3676ae8d33a9dc635cb652'))));
  ev.sentCcs();
  ev.sentHandshake(hs(HandshakeType.finished, rnd(12)), 0x0303, 40);
  ev.receivedHandshake(hs(HandshakeType.new_session_ticket, NewSessionTicket12Codec.encode({ ticketLifetimeHint: 7200, ticket: rnd(176) })));
  ev.receivedCcs();
  ev.receivedHandshake(hs(HandshakeType.finished, rnd(12)), 40);
  ev.sentAppData(35, 59);
  ev.receivedAppData(4253, 4277);
  ev.sentAlert(1, 0, 26);
  ev.receivedAlert(1, 0, 26);
  return ev.list;
}

/** Reference session 2: TLS 1.3 (TLS_AES_256_GCM_SHA384, x25519). */
export function tls13ReferenceEvents(): TraceEvent[] {
  const ev = new Events();
  const sigalgs = [0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0809, 0x080a, 0x080b, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601];
  const sid = h('b34ccc8abc31ff9649e278fc2e5f40a3cabe4ad4db5faf549892dc0d0616c228');
  const ch = ClientHelloCodec.encode({
    legacyVersion: 0x0303,
    random: h('eb4b83f8f62641785275b6c109b8076d18f6200d7c3575c3611cc42ce88a74dc'),
    legacySessionId: sid,
    cipherSuites: [0x1302, 0x1303, 0x1301, 0x00ff],
    legacyCompressionMethods: Uint8Array.of(0),
    extensions: [
      ext(ExtensionType.server_name, serverName.encode('localhost')),
      ext(ExtensionType.ec_point_formats, ecPointFormats.encode([0, 1, 2])),
      ext(
        ExtensionType.supported_groups,
        u16List.encode([0x001d, 0x0017, 0x001e, 0x0019, 0x0018, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104]),
      ),
      ext(ExtensionType.session_ticket),
      ext(ExtensionType.application_layer_protocol_negotiation, alpn.encode(['http/1.1'])),
      ext(ExtensionType.encrypt_then_mac),
      ext(ExtensionType.extended_master_secret),
      ext(ExtensionType.signature_algorithms, u16List.encode(sigalgs)),
      ext(ExtensionType.supported_versions, supportedVersions.encodeClient([0x0304])),
      ext(ExtensionType.psk_key_exchange_modes, pskModes.encode([1])),
      ext(ExtensionType.key_share, keyShare.encodeClient([{ group: NamedGroup.x25519, keyExchange: h('6e26359b3e04906fd3ad6c4817a06404efe3ae2c777359f1ae06e667ad0d8a5b') }])),
    ],
  });
  ev.sentHandshake(hs(HandshakeType.client_hello, ch), 0x0301);
  const sh = ServerHelloCodec.encode({
    legacyVersion: 0x0303,
    random: h('3151e483589d09eac69676fc2e862aee70ad7c9d21d827b114e84bae2004cca3'),
    legacySessionIdEcho: sid,
    cipherSuite: 0x1302,
    legacyCompressionMethod: 0,
    extensions: [
      ext(ExtensionType.supported_versions, supportedVersions.encodeServer(0x0304)),
      ext(ExtensionType.key_share, keyShare.encodeServer({ group: NamedGroup.x25519, keyExchange: h('90970bc3359f5c334173c1ab51daa729d05b0316082be3f74140126ba21bfe2f') })),
    ],
  });
  ev.receivedHandshake(hs(HandshakeType.server_hello, sh));
  ev.version = 'TLSv1.3';
  ev.receivedCcs();
  ev.receivedHandshake(hs(HandshakeType.encrypted_extensions, EncryptedExtensionsCodec.encode([])), 23);
  const cert = CertificateCodec.encode({ certificateRequestContext: E, entries: fixtureChain().slice(0, 1).map((certData) => ({ certData, extensions: [] })) }, true);
  ev.receivedHandshake(hs(HandshakeType.certificate, cert), cert.length + 4 + 17);
  ev.receivedHandshake(hs(HandshakeType.certificate_verify, CertificateVerifyCodec.encode({ signatureScheme: SignatureScheme.rsa_pss_rsae_sha256, signature: rnd(256) })), 281);
  ev.receivedHandshake(hs(HandshakeType.finished, rnd(48)), 69);
  ev.sentCcs();
  ev.sentHandshake(hs(HandshakeType.finished, rnd(48)), 0x0303, 69);
  ev.sentAppData(35, 52);
  for (const [ageAdd, nonce] of [
    [2522712173, '0000000000000000'],
    [4292702465, '0000000000000001'],
  ] as const) {
    const nst = NewSessionTicket13Codec.encode({ ticketLifetime: 7200, ticketAgeAdd: ageAdd, ticketNonce: h(nonce), ticket: rnd(208), extensions: [] });
    ev.receivedHandshake(hs(HandshakeType.new_session_ticket, nst), 250);
  }
  ev.receivedAppData(4347, 4364);
  ev.sentAlert(1, 0, 19);
  ev.receivedAlert(1, 0, 19);
  return ev.list;
}
