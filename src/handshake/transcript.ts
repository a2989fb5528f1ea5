/**
 * The handshake transcript: every handshake message, in order, hashed.
 *
 * A client does not know the hash until ServerHello names the suite, so the
 * transcript buffers raw messages until {@link Transcript.setHash} and feeds a
 * running hash from then on. TLS 1.3's HelloRetryRequest replaces ClientHello1
 * with a synthetic `message_hash` message (RFC 8446 §4.4.1).
 */
import type { CryptoProvider, HashContext } from '../crypto/provider.js';
import type { HashName } from '../registry.js';
import { HandshakeType } from '../registry.js';

export class Transcript {
  private pending: Uint8Array[] | null = [];
  private ctx: HashContext | null = null;
  private hashName: HashName | null = null;
  /**
   * Raw messages, kept for TLS 1.2 CertificateVerify, which signs the messages themselves (RFC 5246 §7.4.8).
   * A flow that will never need them passes `keepMessages = false`: nothing is held beyond the running hash.
   */
  private raw: Uint8Array[] | null;
  /** The digest of the messages so far, once computed, until the next message (callers only read digests). */
  private last: Uint8Array | null = null;

  constructor(
    private readonly provider: CryptoProvider,
    keepMessages = true,
  ) {
    this.raw = keepMessages ? [] : null;
  }

  get hash(): HashName {
    if (!this.hashName) throw new Error('transcript hash not chosen yet');
    return this.hashName;
  }

  add(raw: Uint8Array): void {
    this.last = null;
    this.raw?.push(raw);
    if (this.ctx) this.ctx.update(raw);
    else if (this.pending) this.pending.push(raw);
    else throw new Error('transcript ended (finalDigest)');
  }

  setHash(hash: HashName): void {
    if (this.ctx) throw new Error('transcript hash already chosen');
    this.hashName = hash;
    this.ctx = this.provider.createHash(hash);
    for (const m of this.pending!) this.ctx.update(m);
    this.pending = null;
  }

  /** All messages so far, concatenated (until {@link dropMessages}). */
  messages(): Uint8Array {
    if (!this.raw) throw new Error('transcript messages were dropped');
    const n = this.raw.reduce((a, m) => a + m.length, 0);
    const out = new Uint8Array(n);
    let o = 0;
    for (const m of this.raw) {
      out.set(m, o);
      o += m.length;
    }
    return out;
  }

  /** Stop keeping raw messages (TLS 1.3, or after the last CertificateVerify). */
  dropMessages(): void {
    this.raw = null;
  }

  /** Hash of all messages so far (the same bytes while no message is added: do not modify them). */
  digest(): Uint8Array {
    if (!this.ctx) throw new Error('transcript hash not chosen yet');
    return (this.last ??= this.ctx.digest());
  }

  /** Hash of all messages so far plus `extra` (without adding it). */
  digestWith(extra: Uint8Array): Uint8Array {
    if (!this.ctx) throw new Error('transcript hash not chosen yet');
    const c = this.ctx.clone();
    c.update(extra);
    return c.digestAndEnd !== undefined ? c.digestAndEnd() : c.digest();
  }

  /** Hash of all messages so far, for the last time: the transcript takes no more messages afterwards. */
  finalDigest(): Uint8Array {
    if (!this.ctx) throw new Error('transcript hash not chosen yet');
    const c = this.ctx;
    if (this.last !== null || c.digestAndEnd === undefined) return this.digest();
    this.ctx = null;
    this.hashName = null;
    return c.digestAndEnd();
  }

  /**
   * RFC 8446 §4.4.1: after a HelloRetryRequest, ClientHello1 is replaced by
   * message_hash(Hash(ClientHello1)). Call after setHash, before adding HRR.
   */
  replaceWithMessageHash(): void {
    const h = this.digest();
    const ctx = this.provider.createHash(this.hash);
    ctx.update(Uint8Array.of(HandshakeType.message_hash, 0, 0, h.length));
    ctx.update(h);
    this.ctx = ctx;
    this.last = null;
  }
}
