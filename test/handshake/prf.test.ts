/**
 * The TLS 1.2 PRF and the key material built on it: published vectors,
 * OpenSSL's TLS1-PRF KDF, and node:tls (RFC 5705 exporter from the key log).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { defaultProvider as p } from '../../src/crypto/node.js';
import {
  exportKeyingMaterial12,
  extendedMasterSecret12,
  finishedVerifyData12,
  keyExpansion12,
  masterSecret12,
  prf12,
} from '../../src/handshake/prf.js';
import type { HashName } from '../../src/registry.js';
import { opensslAvailable, withLoopback } from '../crypto/tls-loopback.js';
import { vectorPath } from '../helpers/paths.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const unhex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const ascii = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'));
const cat = (...b: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(b));

interface PrfVector {
  hash: HashName;
  secret: string;
  label: string;
  seed: string;
  output: string;
}

const vectors = (JSON.parse(readFileSync(vectorPath('tls12-prf', 'vectors.json'), 'utf8')) as { vectors: PrfVector[] }).vectors;

/** OpenSSL's TLS1-PRF KDF: PRF(secret, seed) where the seed already holds label + seed. */
function opensslPrf(hash: HashName, secret: Uint8Array, labelAndSeed: Uint8Array, length: number): string {
  const out = execFileSync('openssl', [
    'kdf', '-keylen', String(length), '-kdfopt', `digest:${hash.toUpperCase()}`,
    '-kdfopt', `hexsecret:${hex(secret)}`, '-kdfopt', `hexseed:${hex(labelAndSeed)}`, 'TLS1-PRF',
  ]);
  return out.toString('latin1').replace(/[:\s]/g, '').toLowerCase();
}

const hasOpenssl = opensslAvailable();

describe('prf12', () => {
  for (const v of vectors) {
    it(`matches the published ${v.hash} vector (${v.output.length / 2} bytes)`, () => {
      assert.equal(hex(prf12(p, v.hash, unhex(v.secret), v.label, unhex(v.seed), v.output.length / 2)), v.output);
    });
  }

  it('gives prefixes of the same stream for shorter lengths, and nothing for length 0', () => {
    const v = vectors[0]!;
    for (const n of [0, 1, 31, 32, 33, 64, 99]) {
      assert.equal(hex(prf12(p, v.hash, unhex(v.secret), v.label, unhex(v.seed), n)), v.output.slice(0, 2 * n));
    }
  });

  it('agrees with OpenSSL TLS1-PRF for random inputs, both hashes, many lengths', { skip: !hasOpenssl && 'no openssl CLI' }, () => {
    for (const hash of ['sha256', 'sha384'] as const) {
      for (const [secretLen, seedLen, length] of [[48, 64, 48], [0, 13, 1], [1, 0, 200], [200, 77, 104], [48, 32, 72]] as const) {
        const secret = p.randomBytes(secretLen);
        const seed = p.randomBytes(seedLen);
        assert.equal(hex(prf12(p, hash, secret, 'some label', seed, length)), opensslPrf(hash, secret, cat(ascii('some label'), seed), length), `${hash} ${secretLen}/${seedLen}/${length}`);
      }
    }
  });
});

describe('TLS 1.2 key material', () => {
  const pms = p.randomBytes(48);
  const cr = p.randomBytes(32);
  const sr = p.randomBytes(32);

  it('masterSecret12 is PRF(pms, "master secret", client_random + server_random)[0..47] (OpenSSL)', { skip: !hasOpenssl && 'no openssl CLI' }, () => {
    for (const hash of ['sha256', 'sha384'] as const) {
      const ms = masterSecret12(p, hash, pms, cr, sr);
      assert.equal(ms.length, 48);
      assert.equal(hex(ms), opensslPrf(hash, pms, cat(ascii('master secret'), cr, sr), 48));
    }
  });

  it('extendedMasterSecret12 is PRF(pms, "extended master secret", session_hash) (OpenSSL)', { skip: !hasOpenssl && 'no openssl CLI' }, () => {
    const sessionHash = p.randomBytes(48);
    const ems = extendedMasterSecret12(p, 'sha384', pms, sessionHash);
    assert.equal(hex(ems), opensslPrf('sha384', pms, cat(ascii('extended master secret'), sessionHash), 48));
  });

  it('keyExpansion12 cuts PRF(ms, "key expansion", server_random + client_random) into keys then IVs', { skip: !hasOpenssl && 'no openssl CLI' }, () => {
    const ms = masterSecret12(p, 'sha256', pms, cr, sr);
    for (const [keyLength, ivLength] of [[16, 4], [32, 4], [32, 12]] as const) {
      const kb = keyExpansion12(p, 'sha256', ms, cr, sr, keyLength, ivLength);
      const block = opensslPrf('sha256', ms, cat(ascii('key expansion'), sr, cr), 2 * keyLength + 2 * ivLength);
      assert.equal(hex(kb.clientWriteKey) + hex(kb.serverWriteKey) + hex(kb.clientWriteIv) + hex(kb.serverWriteIv), block);
      assert.equal(kb.clientWriteKey.length, keyLength);
      assert.equal(kb.serverWriteIv.length, ivLength);
    }
  });

  it('finishedVerifyData12 is 12 bytes of PRF(ms, "<sender> finished", transcript hash)', () => {
    const ms = masterSecret12(p, 'sha256', pms, cr, sr);
    const th = p.hash('sha256', ascii('handshake messages'));
    const c = finishedVerifyData12(p, 'sha256', ms, 'client', th);
    const s = finishedVerifyData12(p, 'sha256', ms, 'server', th);
    assert.equal(c.length, 12);
    assert.equal(hex(c), hex(prf12(p, 'sha256', ms, 'client finished', th, 12)));
    assert.equal(hex(s), hex(prf12(p, 'sha256', ms, 'server finished', th, 12)));
    assert.notEqual(hex(c), hex(s));
  });

  it('exportKeyingMaterial12 tells an absent context from an empty one', () => {
    const ms = masterSecret12(p, 'sha256', pms, cr, sr);
    const none = exportKeyingMaterial12(p, 'sha256', ms, cr, sr, 'EXPERIMENTAL x', undefined, 20);
    const empty = exportKeyingMaterial12(p, 'sha256', ms, cr, sr, 'EXPERIMENTAL x', new Uint8Array(0), 20);
    assert.notEqual(hex(none), hex(empty));
    assert.equal(hex(empty), hex(prf12(p, 'sha256', ms, 'EXPERIMENTAL x', cat(cr, sr, Uint8Array.of(0, 0)), 20)));
    assert.throws(() => exportKeyingMaterial12(p, 'sha256', ms, cr, sr, 'x', new Uint8Array(65536), 20), RangeError);
  });
});

describe('TLS 1.2 exporter against node:tls', { skip: !hasOpenssl && 'no openssl CLI (needed for the test certificate)' }, () => {
  for (const [cipher, hash] of [
    ['ECDHE-ECDSA-AES128-GCM-SHA256', 'sha256'],
    ['ECDHE-ECDSA-AES256-GCM-SHA384', 'sha384'],
  ] as const) {
    it(`exportKeyingMaterial12 from the key log's master secret equals tlsSocket.exportKeyingMaterial (${cipher})`, async () => {
      await withLoopback({ version: 'TLSv1.2', ciphers: cipher }, (s) => {
        assert.equal(s.client.getCipher().name, cipher);
        const ms = unhex(s.keylog.get('CLIENT_RANDOM') ?? '');
        assert.equal(ms.length, 48);
        for (const context of [undefined, new Uint8Array(0), ascii('some context')]) {
          // @types/node declares context as required; node treats it as optional (no context at all).
          const ekm = s.client.exportKeyingMaterial as (length: number, label: string, context?: Buffer) => Buffer;
          const theirs = ekm.call(s.client, 42, 'EXPERIMENTAL-ts-tls', context && Buffer.from(context));
          const ours = exportKeyingMaterial12(p, hash, ms, s.clientRandom, s.serverRandom, 'EXPERIMENTAL-ts-tls', context, 42);
          assert.equal(hex(ours), theirs.toString('hex'), `context ${context ? hex(context) || '(empty)' : '(none)'}`);
        }
      });
    });
  }
});
