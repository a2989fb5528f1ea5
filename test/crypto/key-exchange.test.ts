/**
 * The provider's key exchanges, end to end: a client start and a server
 * respond agree on the secret, and bad peer shares are rejected with
 * KeyExchangeError.
 */
import assert from 'node:assert/strict';
import * as nodeCrypto from 'node:crypto';
import { describe, it } from 'node:test';
import { FFDHE_GROUPS } from '../../src/crypto/ffdhe.js';
import { defaultProvider as p, ecdhAgree, ecdhGenerate, x25519Agree, x25519Generate } from '../../src/crypto/node.js';
import { KeyExchangeError } from '../../src/crypto/provider.js';
import { NamedGroup } from '../../src/registry.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

const isKxError = (e: unknown): boolean => e instanceof KeyExchangeError;

async function roundTrip(group: number): Promise<void> {
  const client = await p.startKeyExchange(group);
  assert.equal(client.group, group);
  const server = await p.respondKeyExchange(group, client.publicShare);
  const clientSecret = await client.complete(server.publicShare);
  assert.equal(hex(clientSecret), hex(server.sharedSecret));
}

describe('key exchange: client start and server respond agree', () => {
  const cases: [string, number, number, number][] = [
    // name, group, client share length, server share length
    ['x25519', NamedGroup.x25519, 32, 32],
    ['secp256r1', NamedGroup.secp256r1, 65, 65],
    ['secp384r1', NamedGroup.secp384r1, 97, 97],
    ['secp521r1', NamedGroup.secp521r1, 133, 133],
    ['X25519MLKEM768', NamedGroup.X25519MLKEM768, 1184 + 32, 1088 + 32],
  ];
  for (const [name, group, clientLen, serverLen] of cases) {
    it(`${name} gives both sides the same secret`, async () => {
      assert.ok(p.supportsGroup(group));
      await roundTrip(group);
      const c = await p.startKeyExchange(group);
      assert.equal(c.publicShare.length, clientLen);
      const s = await p.respondKeyExchange(group, c.publicShare);
      assert.equal(s.publicShare.length, serverLen);
    });
  }

  it('X25519MLKEM768 secret is the ML-KEM secret followed by the X25519 secret (64 bytes)', async () => {
    const c = await p.startKeyExchange(NamedGroup.X25519MLKEM768);
    const s = await p.respondKeyExchange(NamedGroup.X25519MLKEM768, c.publicShare);
    assert.equal(s.sharedSecret.length, 64);
  });

  it('does not claim groups it cannot do', async () => {
    assert.equal(p.supportsGroup(NamedGroup.x448), false);
    assert.equal(p.supportsGroup(NamedGroup.ffdhe6144), false); // RFC 7919 groups beyond 4096 bits are not offered
    await assert.rejects(p.startKeyExchange(NamedGroup.x448), isKxError);
  });
});

describe('key exchange: bad shares are rejected with KeyExchangeError', () => {
  it('rejects x25519 shares of the wrong length', async () => {
    const c = await p.startKeyExchange(NamedGroup.x25519);
    for (const n of [0, 31, 33, 65]) await assert.rejects(c.complete(new Uint8Array(n).fill(9)), isKxError);
    await assert.rejects(p.respondKeyExchange(NamedGroup.x25519, new Uint8Array(31).fill(9)), isKxError);
  });

  it('rejects x25519 shares that give the all-zero secret (low-order points)', async () => {
    // u = 0 and u = 1 are of low order; so is this order-8 point (RFC 7748 §6.1 / Wycheproof).
    const lowOrder = [
      new Uint8Array(32),
      Uint8Array.from([1, ...new Array<number>(31).fill(0)]),
      Uint8Array.from(Buffer.from('e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800', 'hex')),
    ];
    for (const u of lowOrder) {
      const c = await p.startKeyExchange(NamedGroup.x25519);
      await assert.rejects(c.complete(u), isKxError);
      await assert.rejects(p.respondKeyExchange(NamedGroup.x25519, u), isKxError);
      assert.throws(() => x25519Agree(x25519Generate().privateRaw, u), isKxError);
    }
  });

  for (const [name, group, len] of [
    ['secp256r1', NamedGroup.secp256r1, 32],
    ['secp384r1', NamedGroup.secp384r1, 48],
  ] as const) {
    it(`rejects ${name} shares of the wrong length, compressed, at infinity or off the curve`, async () => {
      const c = await p.startKeyExchange(group);
      const good = (await p.startKeyExchange(group)).publicShare;
      const compressed = new Uint8Array(1 + len);
      compressed[0] = 2 + (good[2 * len]! & 1);
      compressed.set(good.subarray(1, 1 + len), 1);
      const offCurve = Uint8Array.from(good);
      offCurve[offCurve.length - 1]! ^= 1;
      const wrongPrefix = Uint8Array.from(good);
      wrongPrefix[0] = 6; // hybrid form
      for (const bad of [new Uint8Array(0), Uint8Array.of(0), good.subarray(0, good.length - 1), compressed, offCurve, wrongPrefix]) {
        await assert.rejects(c.complete(bad), isKxError, `share ${hex(bad).slice(0, 16)}...`);
        await assert.rejects(p.respondKeyExchange(group, bad), isKxError);
      }
      // Sanity: the untouched share still works.
      assert.equal((await c.complete(good)).length, len);
    });
  }

  it('rejects a P-256 point given for P-384', async () => {
    const c = await p.startKeyExchange(NamedGroup.secp384r1);
    const p256 = (await p.startKeyExchange(NamedGroup.secp256r1)).publicShare;
    await assert.rejects(c.complete(p256), isKxError);
  });

  it('rejects X25519MLKEM768 shares of the wrong length and a bad x25519 half', async () => {
    const c = await p.startKeyExchange(NamedGroup.X25519MLKEM768);
    await assert.rejects(c.complete(new Uint8Array(1088 + 31)), isKxError);
    await assert.rejects(c.complete(new Uint8Array(1088 + 33)), isKxError);
    await assert.rejects(p.respondKeyExchange(NamedGroup.X25519MLKEM768, new Uint8Array(1184 + 31)), isKxError);
    await assert.rejects(p.respondKeyExchange(NamedGroup.X25519MLKEM768, new Uint8Array(32)), isKxError);
    // Valid ML-KEM part, all-zero X25519 part.
    const share = Uint8Array.from(c.publicShare);
    share.fill(0, 1184);
    await assert.rejects(p.respondKeyExchange(NamedGroup.X25519MLKEM768, share), isKxError);
    // ML-KEM encapsulation key with a coefficient >= q (FIPS 203 §7.2 modulus check).
    const badEk = Uint8Array.from(c.publicShare);
    badEk.fill(0xff, 0, 384);
    await assert.rejects(p.respondKeyExchange(NamedGroup.X25519MLKEM768, badEk), isKxError);
  });
});

describe('key exchange: the exported agreement functions', () => {
  it('x25519Agree matches node:crypto diffieHellman', () => {
    const a = x25519Generate();
    const b = nodeCrypto.generateKeyPairSync('x25519');
    const bPub = Uint8Array.from(b.publicKey.export({ format: 'der', type: 'spki' }).subarray(12));
    const aPub = nodeCrypto.createPublicKey({
      key: Buffer.concat([Buffer.from('302a300506032b656e032100', 'hex'), a.publicRaw]),
      format: 'der',
      type: 'spki',
    });
    const expected = nodeCrypto.diffieHellman({ privateKey: b.privateKey, publicKey: aPub });
    assert.equal(hex(x25519Agree(a.privateRaw, bPub)), expected.toString('hex'));
  });

  it('ecdhAgree matches node:crypto ECDH and accepts a scalar with a leading zero byte', () => {
    const a = ecdhGenerate(NamedGroup.secp256r1);
    const b = nodeCrypto.createECDH('prime256v1');
    b.generateKeys();
    const expected = b.computeSecret(a.publicPoint).toString('hex');
    assert.equal(hex(ecdhAgree(NamedGroup.secp256r1, a.privateRaw, b.getPublicKey())), expected);
    const padded = new Uint8Array(a.privateRaw.length + 1);
    padded.set(a.privateRaw, 1);
    assert.equal(hex(ecdhAgree(NamedGroup.secp256r1, padded, b.getPublicKey())), expected);
  });

  it('ecdhAgree refuses groups that are not NIST curves', () => {
    assert.throws(() => ecdhAgree(NamedGroup.x25519, new Uint8Array(32), new Uint8Array(65)), isKxError);
  });
});

describe('finite-field DH (startDh) with the RFC 7919 groups', () => {
  for (const [group, { p: prime, g }] of FFDHE_GROUPS) {
    const bits = prime.length * 8;
    it(`ffdhe${bits}: two sides agree on a secret as long as p`, async () => {
      const a = await p.startDh(prime, g);
      const b = await p.startDh(prime, g);
      assert.equal(a.publicShare.length, prime.length);
      const s1 = await a.complete(b.publicShare);
      const s2 = await b.complete(a.publicShare);
      assert.equal(s1.length, prime.length);
      assert.equal(hex(s1), hex(s2));
      // node:crypto's own DH with the same group agrees too.
      const other = nodeCrypto.createDiffieHellman(Buffer.from(prime), Buffer.from(g));
      const otherPub = other.generateKeys();
      const c = await p.startDh(prime, g);
      const theirs = other.computeSecret(Buffer.from(c.publicShare)).toString('hex').padStart(2 * prime.length, '0');
      assert.equal(hex(await c.complete(otherPub)), theirs);
      assert.ok(group > 0);
    });

    it(`ffdhe${bits}: rejects y outside 1 < y < p-1`, async () => {
      const a = await p.startDh(prime, g);
      const P = BigInt('0x' + hex(prime));
      const be = (v: bigint, len = prime.length): Uint8Array => Uint8Array.from(Buffer.from(v.toString(16).padStart(2 * len, '0'), 'hex'));
      const bad = [
        new Uint8Array(prime.length), // 0
        Uint8Array.of(0),
        Uint8Array.of(1),
        Uint8Array.of(0, 0, 1),
        be(P - 1n),
        be(P),
        be(P + 1n, prime.length + 1),
        be((1n << BigInt(bits)) - 1n), // all ff: above p, same length
        be(P + 5n, prime.length + 1),
      ];
      for (const y of bad) await assert.rejects(a.complete(y), isKxError, `y = ${hex(y).slice(0, 12)}...`);
      // 2 and p - 2 are in range.
      assert.equal((await (await p.startDh(prime, g)).complete(Uint8Array.of(2))).length, prime.length);
      assert.equal((await (await p.startDh(prime, g)).complete(be(P - 2n))).length, prime.length);
    });
  }
});

describe('RFC 7919 groups as TLS 1.3 named groups (RFC 8446 §4.2.8.1)', () => {
  for (const [group, { p: prime }] of FFDHE_GROUPS) {
    const bits = prime.length * 8;
    it(`ffdhe${bits}: shares and secrets are as long as p, and both sides agree`, async () => {
      assert.ok(p.supportsGroup(group));
      const c = await p.startKeyExchange(group);
      assert.equal(c.publicShare.length, prime.length);
      const s = await p.respondKeyExchange(group, c.publicShare);
      assert.equal(s.publicShare.length, prime.length);
      assert.equal(s.sharedSecret.length, prime.length);
      assert.equal(hex(await c.complete(s.publicShare)), hex(s.sharedSecret));
    });

    it(`ffdhe${bits}: refuses a share that is not padded to the length of p, or out of range`, async () => {
      const c = await p.startKeyExchange(group);
      const P = BigInt('0x' + hex(prime));
      const be = (v: bigint, len = prime.length): Uint8Array => Uint8Array.from(Buffer.from(v.toString(16).padStart(2 * len, '0'), 'hex'));
      for (const y of [Uint8Array.of(2), be(2n, prime.length - 1), be(2n, prime.length + 1), be(1n), be(P - 1n), be(P)]) {
        await assert.rejects(c.complete(y), isKxError, `client: y = ${hex(y).slice(0, 12)}... (${y.length} bytes)`);
        await assert.rejects(p.respondKeyExchange(group, y), isKxError, `server: y = ${hex(y).slice(0, 12)}... (${y.length} bytes)`);
      }
    });
  }
});
