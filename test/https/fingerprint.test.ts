/**
 * JA3 and JA4 against published values:
 * - FoxIO's JA4 specification (technical_details/JA4.md): its worked example.
 * - A Chrome ClientHello as reported by a fingerprinting service (ja3_text,
 *   ja3_hash and ja4 of the same hello).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { alpn, serverName, supportedVersions, u16List, ecPointFormats, type Extension } from '../../src/messages/extensions.js';
import { ClientHelloCodec, frameHandshake, type ClientHello } from '../../src/messages/handshake.js';
import { analyzeClientHello } from '../../src/inspector/hello.js';
import { ja3, ja4 } from '../../src/inspector/fingerprint.js';

const SIGALGS = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601];

function ext(type: number): Extension {
  switch (type) {
    case 0x0000:
      return { type, data: serverName.encode('example.com') };
    case 0x0010:
      return { type, data: alpn.encode(['h2', 'http/1.1']) };
    case 0x000d:
      return { type, data: u16List.encode(SIGALGS) };
    case 0x002b:
      return { type, data: supportedVersions.encodeClient([0x7a7a, 0x0304, 0x0303]) };
    case 0x000a:
      return { type, data: u16List.encode([0x7a7a, 4588, 29, 23, 24]) };
    case 0x000b:
      return { type, data: ecPointFormats.encode([0]) };
    default:
      return { type, data: new Uint8Array(0) };
  }
}

function hello(suites: number[], extTypes: number[]): ClientHello {
  return {
    legacyVersion: 0x0303,
    random: new Uint8Array(32).fill(7),
    legacySessionId: new Uint8Array(32).fill(1),
    cipherSuites: suites,
    legacyCompressionMethods: Uint8Array.of(0),
    extensions: extTypes.map(ext),
  };
}

describe('TLS client fingerprints', () => {
  it('computes the JA4 of the specification example, GREASE ignored', () => {
    const suites = [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035];
    const exts = [0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015];
    const plain = ja4(hello(suites, exts));
    assert.equal(plain.ja4, 't13d1516h2_8daaf6152771_e5627efa2ab1');
    assert.equal(plain.original, 't13d1516h2_acb858a92679_18f69afefd3d');
    assert.equal(
      plain.raw,
      't13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_0403,0804,0401,0503,0805,0501,0806,0601',
    );
    assert.equal(
      plain.rawOriginal,
      't13d1516h2_1301,1302,1303,c02b,c02f,c02c,c030,cca9,cca8,c013,c014,009c,009d,002f,0035_001b,0000,0033,0010,4469,0017,002d,000d,0005,0023,0012,002b,ff01,000b,000a,0015_0403,0804,0401,0503,0805,0501,0806,0601',
    );
    const greased = ja4(hello([0x0a0a, ...suites], [0x1a1a, ...exts, 0xfafa]));
    assert.equal(greased.ja4, plain.ja4);
  });

  it('matches JA3 and JA4 reported for a Chrome hello', () => {
    const suites = [0xdada, 4865, 4866, 4867, 49195, 49199, 49196, 49200, 52393, 52392, 49171, 49172, 156, 157, 47, 53];
    const exts = [0x2a2a, 45, 51, 16, 65037, 23, 17613, 0, 11, 10, 43, 65281, 35, 18, 5, 13, 27, 0x3a3a];
    const h = hello(suites, exts);
    const j3 = ja3(h);
    assert.equal(j3.text, '771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,45-51-16-65037-23-17613-0-11-10-43-65281-35-18-5-13-27,4588-29-23-24,0');
    assert.equal(j3.hash, '98487aa16281980e7d1120d399efb6a4');
    assert.equal(ja4(h).ja4, 't13d1516h2_8daaf6152771_d8a2da3f94cd');
  });

  it('spells out the JA4 edge cases: no SNI, no ALPN, non-alphanumeric ALPN, TLS 1.2 only', () => {
    const h = hello([0x1301], [0x000d]);
    assert.equal(ja4(h).ja4.slice(0, 10), 't12i010100');
    const odd: ClientHello = { ...h, extensions: [{ type: 0x0010, data: alpn.encode(['\u00ab\u00cd']) }] };
    // "«Í" is UTF-8 c2 ab c3 8d: first and last hex characters of the first value
    assert.equal(ja4(odd).ja4.slice(8, 10), 'cd');
    const empty: ClientHello = { ...h, cipherSuites: [0x0a0a], extensions: [] };
    assert.equal(ja4(empty).ja4, 't12i000000_000000000000_000000000000');
  });

  it('takes a ClientHello apart with names, in order, marking GREASE', () => {
    const h = hello([0x0a0a, 0x1301, 0xc02f], [0x2a2a, 0x0000, 0x0010, 0x002b, 0x000a, 0x000d]);
    const a = analyzeClientHello(frameHandshake(1, ClientHelloCodec.encode(h)));
    assert.deepEqual(a.suites.map((s) => s.name), ['GREASE', 'TLS_AES_128_GCM_SHA256', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256']);
    assert.deepEqual(a.extensions.map((e) => e.name), ['GREASE', 'server_name', 'application_layer_protocol_negotiation', 'supported_versions', 'supported_groups', 'signature_algorithms']);
    assert.equal(a.serverName, 'example.com');
    assert.deepEqual(a.alpn, ['h2', 'http/1.1']);
    assert.deepEqual(a.versions.map((v) => v.name), ['GREASE', 'TLS 1.3', 'TLS 1.2']);
    assert.deepEqual(a.groups.map((g) => g.name), ['GREASE', 'X25519MLKEM768', 'x25519', 'secp256r1', 'secp384r1']);
  });
});
