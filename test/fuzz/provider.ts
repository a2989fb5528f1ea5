/**
 * A repeatable crypto provider for the fuzzers.
 *
 * Replaying what a client sent into a fresh server only gets past the
 * ServerHello if that server picks the same random and key share as the one
 * the client talked to (and the same for a fresh client: the server echoes its
 * random session ID and answers its key share). So every engine of a
 * scenario stage gets a {@link FuzzProvider}:
 *
 * - `randomBytes` comes from a PRNG seeded by the scenario, stage and side;
 * - key exchanges (and RSA encryption, and signatures through
 *   {@link FuzzProvider.wrapKey}) are done by the real provider the first time
 *   (while the corpus is recorded) and answered from a memo afterwards when
 *   the inputs are the same (call number, group, peer share...). Inputs that
 *   differ (a mutated share) get a real, unmemoised answer.
 *
 * Everything that checks peer input (share validation, signature
 * verification, AEAD) still runs in the real provider.
 */
import { createHash } from 'node:crypto';
import type {
  Aead,
  CryptoProvider,
  HashAlgorithm,
  HashContext,
  KeyAgreement,
  KeyExchangeResponse,
  PrivateKey,
  PublicKeyInfo,
  SignatureAlgorithm,
} from '../../src/crypto/provider.js';
import type { AeadName } from '../../src/registry.js';
import { Rng } from './prng.js';
import { toHex } from './mutate.js';

/** Results shared by the engines of one scenario: filled while recording, read afterwards. */
export class Memo {
  readonly map = new Map<string, unknown>();
  recording = true;

  get<T>(key: string, make: () => T): T {
    if (this.map.has(key)) return this.map.get(key) as T;
    const v = make();
    if (this.recording) this.map.set(key, v);
    return v;
  }

  async getAsync<T>(key: string, make: () => Promise<T>): Promise<T> {
    if (this.map.has(key)) return this.map.get(key) as T;
    const v = await make();
    if (this.recording) this.map.set(key, v);
    return v;
  }
}

/** Inputs as memo keys: small ones in hex, long ones by their SHA-256. */
function keyOf(b: Uint8Array): string {
  return b.length <= 64 ? toHex(b) : `${b.length}#${createHash('sha256').update(b).digest('hex')}`;
}

export class FuzzProvider implements CryptoProvider {
  readonly name: string;
  private readonly rng: Rng;
  private readonly calls = new Map<string, number>();
  startKeyExchangeSync?: (group: number) => KeyAgreement;
  respondKeyExchangeSync?: (group: number, peerShare: Uint8Array) => KeyExchangeResponse;

  /**
   * `slow`: no synchronous twins, and every asynchronous answer comes a
   * macrotask later, like a remote signer or an HSM: the engine then buffers
   * input while its handshake flow waits.
   */
  constructor(
    private readonly base: CryptoProvider,
    private readonly memo: Memo,
    private readonly tag: string,
    seed: number,
    private readonly slow = false,
  ) {
    this.name = `fuzz(${base.name})`;
    this.rng = new Rng(seed);
    if (slow) return;
    const startSync = base.startKeyExchangeSync?.bind(base);
    if (startSync) this.startKeyExchangeSync = (group) => this.memo.get(this.key('start', String(group)), () => startSync(group));
    const respondSync = base.respondKeyExchangeSync?.bind(base);
    if (respondSync) {
      this.respondKeyExchangeSync = (group, peer) => this.memo.get(this.key('respond', `${group}:${keyOf(peer)}`), () => respondSync(group, peer));
    }
  }

  /** The memo key of this engine's `n`th call of `op` with `inputs`. */
  private key(op: string, inputs: string): string {
    const n = this.calls.get(op) ?? 0;
    this.calls.set(op, n + 1);
    return `${this.tag}:${op}:${n}:${inputs}`;
  }

  randomBytes(n: number): Uint8Array {
    return this.rng.bytes(n);
  }

  hash(alg: HashAlgorithm, data: Uint8Array): Uint8Array {
    return this.base.hash(alg, data);
  }

  createHash(alg: HashAlgorithm): HashContext {
    return this.base.createHash(alg);
  }

  hmac(alg: HashAlgorithm, key: Uint8Array, data: Uint8Array): Uint8Array {
    return this.base.hmac(alg, key, data);
  }

  hkdfExtract(alg: HashAlgorithm, salt: Uint8Array, ikm: Uint8Array): Uint8Array {
    return this.base.hkdfExtract(alg, salt, ikm);
  }

  hkdfExpand(alg: HashAlgorithm, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
    return this.base.hkdfExpand(alg, prk, info, length);
  }

  createAead(name: AeadName, key: Uint8Array): Aead {
    return this.base.createAead(name, key);
  }

  supportsGroup(group: number): boolean {
    return this.base.supportsGroup(group);
  }

  /** A macrotask's delay when slow. */
  private async later<T>(v: Promise<T>): Promise<T> {
    const r = await v;
    if (this.slow) await new Promise<void>((res) => setImmediate(res));
    return r;
  }

  startKeyExchange(group: number): Promise<KeyAgreement> {
    return this.later(this.memo.getAsync(this.key('start', String(group)), () => this.base.startKeyExchange(group)));
  }

  respondKeyExchange(group: number, peerShare: Uint8Array): Promise<KeyExchangeResponse> {
    return this.later(this.memo.getAsync(this.key('respond', `${group}:${keyOf(peerShare)}`), () => this.base.respondKeyExchange(group, peerShare)));
  }

  startDh(p: Uint8Array, g: Uint8Array): Promise<KeyAgreement> {
    return this.later(this.memo.getAsync(this.key('dh', `${keyOf(p)}:${keyOf(g)}`), () => this.base.startDh(p, g)));
  }

  loadPrivateKey(key: string | Uint8Array, passphrase?: string): PrivateKey {
    return this.wrapKey(this.base.loadPrivateKey(key, passphrase));
  }

  describePublicKey(spki: Uint8Array): PublicKeyInfo {
    return this.base.describePublicKey(spki);
  }

  verify(spki: Uint8Array, algorithm: SignatureAlgorithm, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
    return this.later(this.base.verify(spki, algorithm, data, signature));
  }

  verifySync(spki: Uint8Array, algorithm: SignatureAlgorithm, data: Uint8Array, signature: Uint8Array): boolean {
    return this.base.verifySync(spki, algorithm, data, signature);
  }

  rsaEncryptPkcs1(spki: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
    return this.later(this.memo.getAsync(`${this.tag}:rsa-encrypt:${keyOf(spki)}:${keyOf(data)}`, () => this.base.rsaEncryptPkcs1(spki, data)));
  }

  /** A private key whose signatures over the same data are the same bytes (ECDSA and RSA-PSS are randomised). */
  wrapKey(key: PrivateKey): PrivateKey {
    const memo = this.memo;
    const k = (alg: SignatureAlgorithm, data: Uint8Array): string => `sign:${keyOf(key.spki)}:${JSON.stringify(alg)}:${keyOf(data)}`;
    const wrapped: PrivateKey = {
      kind: key.kind,
      bits: key.bits,
      spki: key.spki,
      ...(key.curve !== undefined ? { curve: key.curve } : {}),
      sign: (alg, data) => this.later(memo.getAsync(k(alg, data), () => key.sign(alg, data))),
      ...(key.signSync && !this.slow ? { signSync: (alg: SignatureAlgorithm, data: Uint8Array) => memo.get(k(alg, data), () => key.signSync!(alg, data)) } : {}),
      ...(key.rsaDecryptRaw ? { rsaDecryptRaw: (c: Uint8Array) => this.later(key.rsaDecryptRaw!(c)) } : {}),
    };
    return wrapped;
  }
}
