/**
 * Record protection: one object per direction and epoch (Go's halfConn).
 *
 * TLS 1.2 AEAD (RFC 5246 §6.2.3.3):
 *   AES-GCM (RFC 5288): nonce = salt[4] || explicit[8]; the explicit part is
 *     sent in front of the ciphertext. We use the sequence number for it, so a
 *     nonce never repeats under one key.
 *   ChaCha20-Poly1305 (RFC 7905 §2): nonce = iv[12] XOR (0^32 || seq_num); no explicit part.
 *   additional_data = seq_num[8] || type || version || plaintext length[2].
 * TLS 1.3 (RFC 8446 §5.2–5.3): nonce = iv XOR seq_num; the inner plaintext is
 *   content || real type || zero padding; additional_data is the record header.
 *
 * Sealing and opening are synchronous and allocate one buffer per record.
 */
import { alertError } from '../errors.js';
import type { Aead } from '../crypto/provider.js';
import { ContentType } from '../registry.js';
import { MAX_PLAINTEXT_LENGTH, RECORD_HEADER_LENGTH } from '../limits.js';

export interface OpenedRecord {
  readonly type: number;
  readonly fragment: Uint8Array;
}

export interface RecordProtector {
  /** TLS 1.2 or 1.3 framing. */
  readonly version: 'TLSv1.2' | 'TLSv1.3';
  /** Records sealed or opened so far (the next sequence number). */
  readonly sequenceNumber: number;
  /** Seal `fragment` of content `type` into a complete record, header included. */
  seal(type: number, fragment: Uint8Array, padding?: number): Uint8Array;
  /** Open a record's body; throws a bad_record_mac TLSError when it does not authenticate. */
  open(type: number, body: Uint8Array): OpenedRecord;
}

/** RFC 8446 §5.5: a 2^64 sequence must never wrap; we stop far earlier (2^48) in either version. */
const MAX_SEQUENCE = 2 ** 48;

function writeSeq(out: Uint8Array, at: number, seq: number): void {
  const hi = Math.floor(seq / 0x100000000);
  const lo = seq >>> 0;
  out[at] = hi >>> 24;
  out[at + 1] = (hi >>> 16) & 0xff;
  out[at + 2] = (hi >>> 8) & 0xff;
  out[at + 3] = hi & 0xff;
  out[at + 4] = lo >>> 24;
  out[at + 5] = (lo >>> 16) & 0xff;
  out[at + 6] = (lo >>> 8) & 0xff;
  out[at + 7] = lo & 0xff;
}

/** iv XOR (0-padded seq): the per-record nonce of ChaCha20 in 1.2 and of everything in 1.3. */
function xorNonce(iv: Uint8Array, seq: number, out: Uint8Array): Uint8Array {
  out.set(iv);
  const s = new Uint8Array(8);
  writeSeq(s, 0, seq);
  for (let i = 0; i < 8; i++) out[4 + i]! ^= s[i]!;
  return out;
}

function header(type: number, length: number, out: Uint8Array): void {
  out[0] = type;
  out[1] = 0x03;
  out[2] = 0x03;
  out[3] = length >>> 8;
  out[4] = length & 0xff;
}

export class Tls12AeadProtector implements RecordProtector {
  readonly version = 'TLSv1.2' as const;
  private seq = 0;
  private readonly explicitNonce: boolean;
  private readonly nonce = new Uint8Array(12);
  private readonly aad = new Uint8Array(13);

  /** `iv` is the 4-byte salt for GCM or the 12-byte IV for ChaCha20-Poly1305. */
  constructor(
    private readonly aead: Aead,
    private readonly iv: Uint8Array,
  ) {
    this.explicitNonce = aead.name !== 'CHACHA20_POLY1305';
    if (iv.length !== (this.explicitNonce ? 4 : 12)) throw new RangeError('bad fixed IV length');
  }

  get sequenceNumber(): number {
    return this.seq;
  }

  private prepare(type: number, length: number): void {
    if (this.seq >= MAX_SEQUENCE) throw alertError('internal_error', 'record sequence number exhausted');
    if (this.explicitNonce) {
      this.nonce.set(this.iv, 0);
      writeSeq(this.nonce, 4, this.seq);
    } else {
      xorNonce(this.iv, this.seq, this.nonce);
    }
    writeSeq(this.aad, 0, this.seq);
    this.aad[8] = type;
    this.aad[9] = 0x03;
    this.aad[10] = 0x03;
    this.aad[11] = length >>> 8;
    this.aad[12] = length & 0xff;
  }

  seal(type: number, fragment: Uint8Array): Uint8Array {
    this.prepare(type, fragment.length);
    const sealed = this.aead.seal(this.nonce, this.aad, fragment);
    const explicit = this.explicitNonce ? 8 : 0;
    const out = new Uint8Array(RECORD_HEADER_LENGTH + explicit + sealed.length);
    header(type, explicit + sealed.length, out);
    if (explicit) out.set(this.nonce.subarray(4), RECORD_HEADER_LENGTH);
    out.set(sealed, RECORD_HEADER_LENGTH + explicit);
    this.seq++;
    return out;
  }

  open(type: number, body: Uint8Array): OpenedRecord {
    const explicit = this.explicitNonce ? 8 : 0;
    const plaintextLength = body.length - explicit - this.aead.tagLength;
    if (plaintextLength < 0) throw alertError('bad_record_mac', 'record too short to hold a nonce and a tag');
    if (plaintextLength > MAX_PLAINTEXT_LENGTH) throw alertError('record_overflow', 'decrypted record longer than 2^14');
    this.prepare(type, plaintextLength);
    if (explicit) this.nonce.set(body.subarray(0, 8), 4);
    const fragment = this.aead.open(this.nonce, this.aad, body.subarray(explicit));
    if (fragment === null) throw alertError('bad_record_mac', 'record authentication failed');
    this.seq++;
    return { type, fragment };
  }
}

export class Tls13Protector implements RecordProtector {
  readonly version = 'TLSv1.3' as const;
  private seq = 0;
  private readonly nonce = new Uint8Array(12);
  private readonly aad = new Uint8Array(5);

  constructor(
    private readonly aead: Aead,
    private readonly iv: Uint8Array,
  ) {
    if (iv.length !== 12) throw new RangeError('TLS 1.3 IV must be 12 bytes');
  }

  get sequenceNumber(): number {
    return this.seq;
  }

  seal(type: number, fragment: Uint8Array, padding = 0): Uint8Array {
    if (this.seq >= MAX_SEQUENCE) throw alertError('internal_error', 'record sequence number exhausted');
    const inner = new Uint8Array(fragment.length + 1 + padding);
    inner.set(fragment, 0);
    inner[fragment.length] = type;
    const length = inner.length + this.aead.tagLength;
    header(ContentType.application_data, length, this.aad);
    const sealed = this.aead.seal(xorNonce(this.iv, this.seq, this.nonce), this.aad, inner);
    const out = new Uint8Array(RECORD_HEADER_LENGTH + sealed.length);
    out.set(this.aad, 0);
    out.set(sealed, RECORD_HEADER_LENGTH);
    this.seq++;
    return out;
  }

  open(type: number, body: Uint8Array): OpenedRecord {
    if (type !== ContentType.application_data) {
      throw alertError('unexpected_message', `protected TLS 1.3 record has outer type ${type}, not application_data`);
    }
    if (body.length < this.aead.tagLength + 1) throw alertError('bad_record_mac', 'record too short');
    header(type, body.length, this.aad);
    const inner = this.aead.open(xorNonce(this.iv, this.seq, this.nonce), this.aad, body);
    if (inner === null) throw alertError('bad_record_mac', 'record authentication failed');
    this.seq++;
    // RFC 8446 §5.4: the real type is the last non-zero byte; all zeros is unexpected_message.
    let end = inner.length - 1;
    while (end >= 0 && inner[end] === 0) end--;
    if (end < 0) throw alertError('unexpected_message', 'inner plaintext has no content type (all padding)');
    if (end > MAX_PLAINTEXT_LENGTH) throw alertError('record_overflow', 'inner plaintext longer than 2^14');
    return { type: inner[end]!, fragment: inner.subarray(0, end) };
  }
}

/** An unprotected record (before keys are in place). */
export function plaintextRecord(type: number, fragment: Uint8Array, legacyVersion = 0x0303): Uint8Array {
  const out = new Uint8Array(RECORD_HEADER_LENGTH + fragment.length);
  header(type, fragment.length, out);
  out[1] = legacyVersion >>> 8;
  out[2] = legacyVersion & 0xff;
  out.set(fragment, RECORD_HEADER_LENGTH);
  return out;
}
