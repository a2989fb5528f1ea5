/**
 * The Bleichenbacher countermeasure at the engine level (RFC 5246 §7.4.7.1):
 * whatever is wrong with an RSA-encrypted premaster secret (bad PKCS#1
 * padding, no separator, a wrong version, a ciphertext the key cannot
 * decrypt), the server goes on with a random premaster and the handshake
 * fails at the client Finished — whose record does not even open under the
 * server's keys (bad_record_mac) — exactly as with a well-formed premaster
 * under another secret. No distinct alert, no early
 * failure: nothing an attacker could use as a padding oracle.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { ClientKeyExchangeCodec } from '../../src/messages/handshake.js';
import type { TLSError } from '../../src/errors.js';
import { HandshakeType } from '../../src/registry.js';
import { FlightEditor, hsRec } from '../helpers/hostile.js';
import { connectPair, fixture, handshakeBoth } from '../helpers/pair.js';

const T = { timeout: 10_000 };
const RSA_SUITE = 0x009c; // TLS_RSA_WITH_AES_128_GCM_SHA256
const serverKey = createPublicKey(fixture('server-rsa.pem'));
const k = (serverKey.asymmetricKeyDetails!.modulusLength! + 7) >> 3;

/** RSA without padding over a block we build ourselves (k bytes, below the modulus: it starts with 00). */
const raw = (em: Uint8Array): Uint8Array => new Uint8Array(publicEncrypt({ key: serverKey, padding: constants.RSA_NO_PADDING }, em));

/** 00 02 PS 00 M, with PS and M as given (PS must be non-zero for a valid block). */
function block(head: number[], ps: Uint8Array, sep: number[], m: Uint8Array): Uint8Array {
  const em = new Uint8Array([...head, ...ps, ...sep, ...m]);
  assert.equal(em.length, k, 'block of modulus length');
  return em;
}

const nonZero = (n: number): Uint8Array => Uint8Array.from(randomBytes(n), (b) => b | 1);
const premaster = (version = 0x0303): Uint8Array => Uint8Array.from([version >> 8, version & 0xff, ...randomBytes(46)]);
const psLength = k - 3 - 48;

const CASES: Record<string, () => Uint8Array> = {
  'a well-formed premaster under another secret': () => new Uint8Array(publicEncrypt({ key: serverKey, padding: constants.RSA_PKCS1_PADDING }, premaster())),
  'block type 01 instead of 02': () => raw(block([0, 1], nonZero(psLength), [0], premaster())),
  'block type 12 instead of 02': () => raw(block([0, 0x12], nonZero(psLength), [0], premaster())),
  'no zero separator': () => raw(block([0, 2], nonZero(psLength), [1], premaster())),
  'a separator too early (a 47-byte premaster)': () => raw(block([0, 2], nonZero(psLength + 1), [0], premaster().subarray(1))),
  'a premaster with the wrong version (TLS 1.0)': () => raw(block([0, 2], nonZero(psLength), [0], premaster(0x0301))),
  'a zero byte inside the padding string': () => raw(block([0, 2], Uint8Array.from(nonZero(psLength), (b, i) => (i === 3 ? 0 : b)), [0], premaster())),
  'a ciphertext at or above the modulus': () => new Uint8Array(k).fill(0xff),
};

/** Run a TLS_RSA handshake whose ClientKeyExchange carries `encrypted`; the server's error. */
async function serverErrorWith(encrypted: Uint8Array): Promise<{ server: TLSError | undefined; client: TLSError | undefined }> {
  const ed = new FlightEditor().onHandshake((m, from) =>
    from === 'client' && m.type === HandshakeType.client_key_exchange ? [hsRec(HandshakeType.client_key_exchange, ClientKeyExchangeCodec.encode('RSA', encrypted))] : undefined,
  );
  const pair = connectPair({ maxVersion: 'TLSv1.2', cipherSuites: [RSA_SUITE] }, { maxVersion: 'TLSv1.2', cipherSuites: [RSA_SUITE] }, { tamper: ed.tamper });
  const [server, client] = await Promise.all([pair.server.closed, pair.client.closed]);
  return { server, client };
}

describe('RSA key exchange: no padding oracle in the engine', () => {
  it('control: a TLS_RSA handshake completes untouched', T, async () => {
    const pair = connectPair({ maxVersion: 'TLSv1.2', cipherSuites: [RSA_SUITE] }, { maxVersion: 'TLSv1.2', cipherSuites: [RSA_SUITE] });
    const [c] = await handshakeBoth(pair);
    assert.equal(c.cipherSuite.id, RSA_SUITE);
  });

  const seen = new Map<string, string>();
  for (const [name, make] of Object.entries(CASES)) {
    it(`${name}: the server fails at the client Finished record (bad_record_mac), like any wrong key`, T, async () => {
      const { server, client } = await serverErrorWith(make());
      assert.ok(server, 'the server fails');
      // What fired is the record check on the encrypted Finished: the premaster was taken (a random
      // one), keys were derived from it, and the handshake went on past ChangeCipherSpec.
      assert.equal(server.message, 'record authentication failed (sent alert bad_record_mac)');
      assert.equal(server.code, 'ERR_TLS_ALERT_BAD_RECORD_MAC');
      assert.equal(server.alert?.name, 'bad_record_mac');
      assert.equal(client?.alert?.name, 'bad_record_mac', 'the client receives bad_record_mac, nothing else');
      seen.set(name, `${server.code}|${server.message}|${client?.message}`);
    });
  }

  it('every malformed premaster looks exactly like a wrong one from outside', () => {
    assert.equal(seen.size, Object.keys(CASES).length, 'every case ran');
    assert.equal(new Set(seen.values()).size, 1, [...seen].map(([n, v]) => `${n}: ${v}`).join('\n'));
  });
});
