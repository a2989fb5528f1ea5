/**
 * The native addon (native/crypto.c) beyond the Wycheproof vectors: it agrees
 * with node:crypto, leaves OpenSSL's error queue clean for node:crypto, works
 * in worker threads, and refuses bad calls without touching memory it was not
 * given. Skipped, with the reason, when the addon is not built.
 */
import assert from 'node:assert/strict';
import * as nodeCrypto from 'node:crypto';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { NodeCryptoProvider, defaultProvider, nativeX25519Exchange } from '../../src/crypto/node.js';
import { KeyExchangeError } from '../../src/crypto/provider.js';
import { nativeCrypto } from '../../src/crypto/native.js';
import { NamedGroup, type AeadName } from '../../src/registry.js';

const skip = nativeCrypto.available ? false : `native addon ${nativeCrypto.reason}`;
const plain = new NodeCryptoProvider({ native: false });
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('native addon', { skip }, () => {
  it('seals and opens exactly as node:crypto does, for every AEAD and many lengths', () => {
    const lengths = [0, 1, 15, 16, 17, 255, 1024, 16384];
    for (const [name, keyLength] of [['AES_128_GCM', 16], ['AES_256_GCM', 32], ['CHACHA20_POLY1305', 32]] as [AeadName, number][]) {
      const key = nodeCrypto.randomBytes(keyLength);
      const fast = defaultProvider.createAead(name, key);
      const slow = plain.createAead(name, key);
      for (const n of lengths) {
        const nonce = nodeCrypto.randomBytes(12);
        const aad = nodeCrypto.randomBytes(13);
        const msg = nodeCrypto.randomBytes(n);
        const sealed = fast.seal(nonce, aad, msg);
        assert.equal(hex(sealed), hex(slow.seal(nonce, aad, msg)), `${name} ${n}: seal`);
        assert.equal(hex(slow.open(nonce, aad, sealed)!), hex(msg), `${name} ${n}: node opens ours`);
        assert.equal(hex(fast.open(nonce, aad, sealed)!), hex(msg), `${name} ${n}: we open ours`);
        // Every single-bit change of ciphertext, tag, nonce or AAD is refused.
        const flipped = Uint8Array.from(sealed);
        flipped[flipped.length - 1]! ^= 1;
        assert.equal(fast.open(nonce, aad, flipped), null, `${name} ${n}: tag flip`);
        const badAad = Uint8Array.from(aad);
        badAad[0]! ^= 0x80;
        assert.equal(fast.open(nonce, badAad, sealed), null, `${name} ${n}: aad flip`);
      }
    }
  });

  it('wipes what it decrypted when the tag does not verify (in place)', () => {
    const aead = defaultProvider.createAead('AES_128_GCM', new Uint8Array(16).fill(1));
    const nonce = new Uint8Array(12);
    const sealed = aead.seal(nonce, new Uint8Array(0), new Uint8Array(64).fill(0x41));
    sealed[sealed.length - 1]! ^= 1;
    assert.equal(aead.openInto!(nonce, new Uint8Array(0), sealed, sealed, 0), -1);
    assert.ok(sealed.subarray(0, 64).every((b) => b === 0), 'the unauthenticated plaintext is gone');
  });

  it('refuses outputs too small and offsets out of range instead of writing past them', () => {
    const aead = defaultProvider.createAead('AES_128_GCM', new Uint8Array(16));
    const nonce = new Uint8Array(12);
    const none = new Uint8Array(0);
    assert.throws(() => aead.sealInto!(nonce, none, new Uint8Array(10), none, new Uint8Array(25), 0), RangeError);
    assert.throws(() => aead.sealInto!(nonce, none, new Uint8Array(10), none, new Uint8Array(64), 40), RangeError);
    assert.throws(() => aead.sealInto!(nonce, none, new Uint8Array(10), none, new Uint8Array(64), -1), RangeError);
    const sealed = aead.seal(nonce, none, new Uint8Array(10));
    assert.throws(() => aead.openInto!(nonce, none, sealed, new Uint8Array(9), 0), RangeError);
    assert.equal(aead.open(nonce, none, sealed.subarray(0, 15)), null);
  });

  it('HMAC matches node:crypto for empty, short, block-sized and long keys', () => {
    for (const hash of ['sha256', 'sha384'] as const) {
      for (const keyLength of [0, 1, 32, 64, 128, 200]) {
        const key = nodeCrypto.randomBytes(keyLength);
        const data = nodeCrypto.randomBytes(100);
        assert.equal(hex(defaultProvider.hmac(hash, key, data)), nodeCrypto.createHmac(hash, key).update(data).digest('hex'), `${hash} key ${keyLength}`);
      }
      // An empty key right after a non-empty one must not reuse the previous key.
      defaultProvider.hmac(hash, new Uint8Array(32).fill(9), new Uint8Array(1));
      assert.equal(hex(defaultProvider.hmac(hash, new Uint8Array(0), new Uint8Array(1))), nodeCrypto.createHmac(hash, Buffer.alloc(0)).update(Buffer.alloc(1)).digest('hex'));
    }
  });

  it('X25519 agrees with node:crypto both ways, and a refused share leaves node:crypto working', async () => {
    const ours = nativeX25519Exchange()!;
    const theirs = await plain.startKeyExchange(NamedGroup.x25519);
    assert.equal(hex(ours.agree(theirs.publicShare)), hex(await theirs.complete(ours.publicShare)));
    // A low-order point: OpenSSL refuses the all-zero result and queues an error...
    assert.throws(() => ours.agree(new Uint8Array(32)), KeyExchangeError);
    // ...which must not surface in the next node:crypto call.
    assert.equal(nodeCrypto.createHash('sha256').update('x').digest().length, 32);
    nodeCrypto.generateKeyPairSync('x25519');
  });

  it('refuses a handle of the wrong kind (or no handle) instead of reinterpreting it', () => {
    // The raw addon, as native.ts loads it (dist/test/crypto → the project root's build/).
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    type Raw = {
      create(a: number, key: Uint8Array, encrypt: boolean): object | null;
      seal(ctx: unknown, n: Uint8Array, aad: Uint8Array, p: Uint8Array, s: Uint8Array, out: Uint8Array, o: number): number;
      x25519Generate(out: Uint8Array): object | null;
      x25519Derive(key: unknown, peer: Uint8Array, out: Uint8Array): number;
    };
    const raw = createRequire(import.meta.url)(`${root}build/Release/ts_tls_native.node`) as Raw;
    const ctx = raw.create(0, new Uint8Array(16), true)!;
    const pub = new Uint8Array(32);
    const key = raw.x25519Generate(pub)!;
    const none = new Uint8Array(0);
    assert.equal(raw.seal(key, new Uint8Array(12), none, none, none, new Uint8Array(16), 0), -2, 'a key handle is not a cipher context');
    assert.equal(raw.seal({}, new Uint8Array(12), none, none, none, new Uint8Array(16), 0), -2);
    assert.equal(raw.seal(ctx, new Uint8Array(12), none, none, none, new Uint8Array(16), 0), 16, 'the right handle works');
    assert.equal(raw.x25519Derive(ctx, pub, new Uint8Array(32)), -2, 'a cipher context is not a key');
    assert.equal(raw.x25519Derive(key, pub, new Uint8Array(32)), 32);
  });

  it('works in a worker thread (its own OpenSSL contexts) with the same results', async () => {
    const key = nodeCrypto.randomBytes(16);
    const nonce = nodeCrypto.randomBytes(12);
    const msg = nodeCrypto.randomBytes(300);
    const expected = hex(defaultProvider.createAead('AES_128_GCM', key).seal(nonce, new Uint8Array(0), msg));
    const expectedMac = hex(defaultProvider.hmac('sha256', key, msg));
    const url = new URL('../../src/crypto/node.js', import.meta.url).href;
    const source = `
      const { parentPort, workerData } = require('node:worker_threads');
      import(${JSON.stringify(url)}).then(({ defaultProvider: p }) => {
        const { key, nonce, msg } = workerData;
        const sealed = p.createAead('AES_128_GCM', key).seal(nonce, new Uint8Array(0), msg);
        const mac = p.hmac('sha256', key, msg);
        parentPort.postMessage({ sealed: Buffer.from(sealed).toString('hex'), mac: Buffer.from(mac).toString('hex') });
      });`;
    const result = await new Promise<{ sealed: string; mac: string }>((resolve, reject) => {
      const w = new Worker(source, { eval: true, workerData: { key, nonce, msg } });
      w.once('message', (m: { sealed: string; mac: string }) => {
        resolve(m);
        void w.terminate();
      });
      w.once('error', reject);
    });
    assert.equal(result.sealed, expected);
    assert.equal(result.mac, expectedMac);
  });
});
