/**
 * Record protection checked against an independent implementation: every
 * protected record a pair sends is opened with node:crypto directly (our
 * derivation of the keys, but the nonce, the additional data and the AEAD
 * from the RFCs by hand), so a wrong nonce, a reused explicit nonce or a
 * sequence number left out of the AAD fails here even though both ends,
 * sharing our code, would agree. Also: the record boundary at a TLS 1.2 key
 * change, and EOF in the middle of a record is not a clean close.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createDecipheriv, type CipherGCMTypes } from 'node:crypto';
import type { ClientConfig } from '../../src/config.js';
import { defaultProvider } from '../../src/crypto/node.js';
import { AEAD_KEY_LENGTH, fixedIvLength12 } from '../../src/handshake/common.js';
import { trafficKeys13 } from '../../src/handshake/keyschedule13.js';
import { keyExpansion12 } from '../../src/handshake/prf.js';
import { ContentType, cipherSuiteInfo, type CipherSuiteInfo } from '../../src/registry.js';
import { FlightEditor, rec, splitRecords, type Rec } from '../helpers/hostile.js';
import { closeBoth, connectPair, handshakeBoth, settle, until, type Pair } from '../helpers/pair.js';

const T = { timeout: 10_000 };
const CT = ContentType;
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
type Side = 'client' | 'server';

/** A pair whose every record (as sent) is kept, per direction. */
function recordedPair(client: Partial<ClientConfig>): { pair: Pair; wire: Record<Side, Rec[]> } {
  const wire: Record<Side, Rec[]> = { client: [], server: [] };
  const pair = connectPair(client, {}, {
    tamper: (from, bytes) => {
      for (const r of splitRecords(bytes)) wire[from].push({ ...r, body: r.body.slice() });
      return bytes;
    },
  });
  return { pair, wire };
}

async function exchange(pair: Pair, rounds: number): Promise<void> {
  await handshakeBoth(pair);
  for (let i = 0; i < rounds; i++) {
    pair.client.conn.send(enc(`client record ${i}`));
    pair.server.conn.send(enc(`server record ${i}`));
    await settle(1);
  }
  await closeBoth(pair);
}

const u64 = (n: number): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
};

/** iv XOR the sequence number, left-padded to the IV length (RFC 8446 §5.3, RFC 7905 §2). */
const xorSeq = (iv: Uint8Array, seq: number): Buffer => {
  const n = Buffer.from(iv);
  const s = u64(seq);
  for (let i = 0; i < 8; i++) n[n.length - 8 + i]! ^= s[i]!;
  return n;
};

function nodeOpen(suite: CipherSuiteInfo, key: Uint8Array, nonce: Buffer, aad: Buffer, sealed: Uint8Array): Buffer {
  const algo = suite.aead === 'CHACHA20_POLY1305' ? 'chacha20-poly1305' : suite.aead === 'AES_256_GCM' ? 'aes-256-gcm' : 'aes-128-gcm';
  const d = createDecipheriv(algo as CipherGCMTypes, key, nonce, { authTagLength: 16 });
  d.setAAD(aad, { plaintextLength: sealed.length - 16 });
  d.setAuthTag(sealed.subarray(sealed.length - 16));
  return Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()]);
}

describe('TLS 1.2 record protection, checked with node:crypto', () => {
  for (const suiteId of [0xc02f, 0xc030, 0xcca8]) {
    const suite = cipherSuiteInfo(suiteId)!;
    it(`${suite.name}: every record opens under its own nonce and its sequence number`, T, async () => {
      const { pair, wire } = recordedPair({ maxVersion: 'TLSv1.2', cipherSuites: [suiteId] });
      await exchange(pair, 6);
      const [, cr, ms] = pair.client.keylog.find((l) => l.startsWith('CLIENT_RANDOM '))!.split(' ');
      const serverHello = wire.server.find((r) => r.type === CT.handshake && r.body[0] === 2)!;
      const serverRandom = serverHello.body.subarray(6, 38);
      const keys = keyExpansion12(defaultProvider, suite.hash, Buffer.from(ms!, 'hex'), Buffer.from(cr!, 'hex'), serverRandom, AEAD_KEY_LENGTH[suite.aead], fixedIvLength12(suite));
      const explicit = suite.aead !== 'CHACHA20_POLY1305';
      for (const side of ['client', 'server'] as const) {
        const key = side === 'client' ? keys.clientWriteKey : keys.serverWriteKey;
        const iv = side === 'client' ? keys.clientWriteIv : keys.serverWriteIv;
        const ccs = wire[side].findIndex((r) => r.type === CT.change_cipher_spec);
        const protectedRecords = wire[side].slice(ccs + 1);
        assert.ok(protectedRecords.length >= 8, `${side}: Finished, 6 records of data, close_notify`);
        const nonces = new Set<string>();
        const texts: string[] = [];
        protectedRecords.forEach((r, seq) => {
          const nonce = explicit ? Buffer.concat([iv, r.body.subarray(0, 8)]) : xorSeq(iv, seq);
          const sealed = explicit ? r.body.subarray(8) : r.body;
          // RFC 5246 §6.2.3.3: additional_data = seq_num + type + version + length (of the plaintext).
          const aad = Buffer.concat([u64(seq), Buffer.from([r.type, 3, 3]), Buffer.from([(sealed.length - 16) >> 8, (sealed.length - 16) & 255])]);
          const plain = nodeOpen(suite, key, nonce, aad, sealed);
          nonces.add(nonce.toString('hex'));
          if (r.type === CT.application_data) texts.push(plain.toString());
        });
        // RFC 5288 §3: each value of the nonce_explicit MUST be distinct for each distinct invocation.
        assert.equal(nonces.size, protectedRecords.length, `${side}: a nonce was used twice`);
        assert.deepEqual(texts, [0, 1, 2, 3, 4, 5].map((i) => `${side} record ${i}`));
      }
    });
  }
});

describe('TLS 1.3 record protection, checked with node:crypto', () => {
  for (const suiteId of [0x1301, 0x1302, 0x1303]) {
    const suite = cipherSuiteInfo(suiteId)!;
    it(`${suite.name}: every record opens under iv XOR its sequence number, with the record header as AAD`, T, async () => {
      const { pair, wire } = recordedPair({ minVersion: 'TLSv1.3', cipherSuites: [suiteId] });
      await exchange(pair, 6);
      for (const side of ['client', 'server'] as const) {
        const label = side === 'client' ? 'CLIENT' : 'SERVER';
        const secret = (name: string): Uint8Array => Buffer.from(pair[side].keylog.find((l) => l.startsWith(`${name} `))!.split(' ')[2]!, 'hex');
        const epochs = [trafficKeys13(defaultProvider, suite.hash, suite.aead, secret(`${label}_HANDSHAKE_TRAFFIC_SECRET`)), trafficKeys13(defaultProvider, suite.hash, suite.aead, secret(`${label}_TRAFFIC_SECRET_0`))];
        let epoch = 0;
        let seq = 0;
        const texts: string[] = [];
        for (const r of wire[side].filter((x) => x.type === CT.application_data)) {
          const aad = Buffer.from([r.type, 3, 3, r.body.length >> 8, r.body.length & 255]);
          let plain: Buffer;
          try {
            plain = nodeOpen(suite, epochs[epoch]!.key, xorSeq(epochs[epoch]!.iv, seq), aad, r.body);
          } catch {
            // The first record under the application keys: the key changes and the sequence restarts at 0.
            assert.equal(epoch, 0, `${side}: record ${seq} of the application epoch does not open`);
            epoch = 1;
            seq = 0;
            plain = nodeOpen(suite, epochs[epoch]!.key, xorSeq(epochs[epoch]!.iv, seq), aad, r.body);
          }
          seq++;
          let end = plain.length - 1;
          while (plain[end] === 0) end--;
          if (plain[end] === CT.application_data) texts.push(plain.subarray(0, end).toString());
        }
        assert.equal(epoch, 1, `${side}: application records seen`);
        assert.deepEqual(texts, [0, 1, 2, 3, 4, 5].map((i) => `${side} record ${i}`));
      }
    });
  }
});

describe('record boundaries and truncation', () => {
  it('a TLS 1.2 client refuses a handshake message cut across the server ChangeCipherSpec', T, async () => {
    // The first bytes of a handshake message in the clear just before ChangeCipherSpec.
    const ed = new FlightEditor().onRecord((r, from, encrypted) =>
      from === 'server' && !encrypted && r.type === CT.change_cipher_spec ? [rec(CT.handshake, [HT_FINISHED, 0, 0]), r] : undefined,
    );
    const pair = connectPair({ maxVersion: 'TLSv1.2' }, {}, { tamper: ed.tamper });
    const err = await pair.client.closed;
    assert.equal(err?.alert?.name, 'unexpected_message', err?.message);
    assert.match(err!.message, /ChangeCipherSpec inside a fragmented handshake message|handshake data before ChangeCipherSpec was not a whole message/);
  });

  it('a TLS 1.2 server refuses a handshake message cut across the client ChangeCipherSpec', T, async () => {
    const ed = new FlightEditor().onRecord((r, from, encrypted) =>
      from === 'client' && !encrypted && r.type === CT.change_cipher_spec ? [rec(CT.handshake, [HT_FINISHED, 0, 0]), r] : undefined,
    );
    const pair = connectPair({ maxVersion: 'TLSv1.2' }, {}, { tamper: ed.tamper });
    const err = await pair.server.closed;
    assert.equal(err?.alert?.name, 'unexpected_message', err?.message);
    assert.match(err!.message, /ChangeCipherSpec inside a fragmented handshake message|handshake data before ChangeCipherSpec was not a whole message/);
  });

  // (In TLS 1.3 an application_data record after the ClientHello is read as protected: it fails as bad_record_mac.)
  it('TLS 1.2: an application data record, even empty, before the handshake finished is unexpected_message', T, async () => {
    let first = true;
    const pair = connectPair({ maxVersion: 'TLSv1.2' }, {}, {
      tamper: (from, bytes) => {
        if (from !== 'client' || !first) return bytes;
        first = false;
        return new Uint8Array(Buffer.concat([bytes, Buffer.from([CT.application_data, 3, 3, 0, 0])]));
      },
    });
    const err = await pair.server.closed;
    assert.equal(err?.message, 'application data before the handshake finished (sent alert unexpected_message)');
  });

  for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
    it(`${version}: EOF in the middle of a record is a truncation error, not a clean close`, T, async () => {
      const wire: Uint8Array[] = [];
      const pair = connectPair({ maxVersion: version }, {}, {
        tamper: (from, bytes) => {
          if (from === 'server') wire.push(bytes.slice());
          return bytes;
        },
      });
      await handshakeBoth(pair);
      await settle(5);
      wire.length = 0;
      pair.server.conn.send(enc('a record the client sees only half of'));
      await until(() => wire.length > 0, 'the server record');
      // Hold the record back: the client gets its first half, then EOF.
      const record = wire[0]!;
      pair.client.conn.receive(record.subarray(0, 10));
      pair.client.conn.receiveEof();
      const err = await pair.client.closed;
      assert.ok(err, 'EOF mid-record must not end the connection cleanly');
      assert.equal(err.code, 'ERR_TLS_TRUNCATED');
      assert.equal(pair.client.ended, false);
    });
  }
});

const HT_FINISHED = 20;
