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
 * Sealing and opening are synchronous. Sealing writes the whole record
 * (header, explicit nonce, ciphertext, tag) into one buffer, which the caller
 * may size for several records (see Connection.queueRecords): with an AEAD
 * that has `sealInto`, the ciphertext is copied once, straight into place.
 */
import { alertError } from '../errors.js';
import type { Aead } from '../crypto/provider.js';
import { ContentType } from '../registry.js';
import { MAX_PLAINTEXT_LENGTH, RECORD_HEADER_LENGTH } from '../limits.js';
import { recordBytes } from './slab.js';

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
  /** Length of the complete record (header included) that sealing `fragmentLength` bytes makes. */
  sealedLength(fragmentLength: number, padding?: number): number;
  /**
   * Seal into `out` at `offset` (room for {@link sealedLength} bytes needed);
   * returns the bytes written, always exactly sealedLength.
   */
  sealInto(type: number, fragment: Uint8Array, padding: number, out: Uint8Array, offset: number): number;
  /**
   * Open a record's body; throws a bad_record_mac TLSError when it does not
   * authenticate. With `inPlace` the plaintext may be written over the body
   * (the caller owns it and will not read it again): no allocation per record.
   */
  open(type: number, body: Uint8Array, inPlace?: boolean): OpenedRecord;
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
  writeSeq(out, 4, seq);
  out[0] = iv[0]!;
  out[1] = iv[1]!;
  out[2] = iv[2]!;
  out[3] = iv[3]!;
  for (let i = 4; i < 12; i++) out[i]! ^= iv[i]!;
  return out;
}

const NO_SUFFIX = new Uint8Array(0);

/** ciphertext || tag of `plaintext || suffix` into out[at..]; one copy when the AEAD can seal in place. */
function sealBody(aead: Aead, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, suffix: Uint8Array, out: Uint8Array, at: number): number {
  if (aead.sealInto) return aead.sealInto(nonce, aad, plaintext, suffix, out, at);
  let input = plaintext;
  if (suffix.length > 0) {
    input = new Uint8Array(plaintext.length + suffix.length);
    input.set(plaintext, 0);
    input.set(suffix, plaintext.length);
  }
  const sealed = aead.seal(nonce, aad, input);
  out.set(sealed, at);
  return sealed.length;
}

/**
 * The plaintext of ciphertext || tag, or null. With an AEAD that can open into
 * a buffer: over the input itself when the caller allows it, else into a
 * region of a shared slab (record/slab.ts).
 */
function openBody(aead: Aead, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array, inPlace: boolean): Uint8Array | null {
  if (!aead.openInto) return aead.open(nonce, aad, sealed);
  if (sealed.length < aead.tagLength) return null;
  const out = inPlace ? sealed : recordBytes(sealed.length - aead.tagLength);
  const n = aead.openInto(nonce, aad, sealed, out, 0);
  if (n < 0) return null;
  return n === out.length ? out : out.subarray(0, n);
}

function checkWritten(written: number, expected: number): void {
  // Never hand out a record with bytes we did not write (callers may allocate without zeroing).
  if (written !== expected) throw alertError('internal_error', `AEAD wrote ${written} bytes, expected ${expected}`);
}

function header(type: number, length: number, out: Uint8Array, at = 0): void {
  out[at] = type;
  out[at + 1] = 0x03;
  out[at + 2] = 0x03;
  out[at + 3] = length >>> 8;
  out[at + 4] = length & 0xff;
}

/**
 * A copy of the fixed IV, the per-record nonce and the AAD in one allocation
 * (a protector lives as long as its connection; no view of the key schedule's buffer kept).
 */
function protectorState(iv: Uint8Array, aadLength: number): { iv: Uint8Array; nonce: Uint8Array; aad: Uint8Array } {
  const state = new Uint8Array(iv.length + 12 + aadLength);
  state.set(iv);
  return { iv: state.subarray(0, iv.length), nonce: state.subarray(iv.length, iv.length + 12), aad: state.subarray(iv.length + 12) };
}

export class Tls12AeadProtector implements RecordProtector {
  readonly version = 'TLSv1.2' as const;
  private seq = 0;
  private readonly explicitNonce: boolean;
  private readonly iv: Uint8Array;
  private readonly nonce: Uint8Array;
  private readonly aad: Uint8Array;

  /** `iv` is the 4-byte salt for GCM or the 12-byte IV for ChaCha20-Poly1305. */
  constructor(
    private readonly aead: Aead,
    iv: Uint8Array,
  ) {
    this.explicitNonce = aead.name !== 'CHACHA20_POLY1305';
    if (iv.length !== (this.explicitNonce ? 4 : 12)) throw new RangeError('bad fixed IV length');
    ({ iv: this.iv, nonce: this.nonce, aad: this.aad } = protectorState(iv, 13));
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
    const out = new Uint8Array(this.sealedLength(fragment.length));
    this.sealInto(type, fragment, 0, out, 0);
    return out;
  }

  sealedLength(fragmentLength: number): number {
    return RECORD_HEADER_LENGTH + (this.explicitNonce ? 8 : 0) + fragmentLength + this.aead.tagLength;
  }

  sealInto(type: number, fragment: Uint8Array, _padding: number, out: Uint8Array, offset: number): number {
    this.prepare(type, fragment.length);
    const explicit = this.explicitNonce ? 8 : 0;
    const bodyLength = explicit + fragment.length + this.aead.tagLength;
    header(type, bodyLength, out, offset);
    if (explicit) out.set(this.nonce.subarray(4), offset + RECORD_HEADER_LENGTH);
    const written = sealBody(this.aead, this.nonce, this.aad, fragment, NO_SUFFIX, out, offset + RECORD_HEADER_LENGTH + explicit);
    checkWritten(written, fragment.length + this.aead.tagLength);
    this.seq++;
    return RECORD_HEADER_LENGTH + bodyLength;
  }

  open(type: number, body: Uint8Array, inPlace = false): OpenedRecord {
    const explicit = this.explicitNonce ? 8 : 0;
    const plaintextLength = body.length - explicit - this.aead.tagLength;
    if (plaintextLength < 0) throw alertError('bad_record_mac', 'record too short to hold a nonce and a tag');
    if (plaintextLength > MAX_PLAINTEXT_LENGTH) throw alertError('record_overflow', 'decrypted record longer than 2^14');
    this.prepare(type, plaintextLength);
    if (explicit) this.nonce.set(body.subarray(0, 8), 4);
    const fragment = openBody(this.aead, this.nonce, this.aad, explicit ? body.subarray(explicit) : body, inPlace);
    if (fragment === null) throw alertError('bad_record_mac', 'record authentication failed');
    this.seq++;
    return { type, fragment };
  }
}

export class Tls13Protector implements RecordProtector {
  readonly version = 'TLSv1.3' as const;
  private seq = 0;
  private readonly iv: Uint8Array;
  private readonly nonce: Uint8Array;
  private readonly aad: Uint8Array;

  constructor(
    private readonly aead: Aead,
    iv: Uint8Array,
  ) {
    if (iv.length !== 12) throw new RangeError('TLS 1.3 IV must be 12 bytes');
    ({ iv: this.iv, nonce: this.nonce, aad: this.aad } = protectorState(iv, 5));
  }

  get sequenceNumber(): number {
    return this.seq;
  }

  seal(type: number, fragment: Uint8Array, padding = 0): Uint8Array {
    const out = new Uint8Array(this.sealedLength(fragment.length, padding));
    this.sealInto(type, fragment, padding, out, 0);
    return out;
  }

  sealedLength(fragmentLength: number, padding = 0): number {
    return RECORD_HEADER_LENGTH + fragmentLength + 1 + padding + this.aead.tagLength;
  }

  /** The inner plaintext is fragment || type || zeros: the fragment is sealed where it lies, the rest as a suffix. */
  sealInto(type: number, fragment: Uint8Array, padding: number, out: Uint8Array, offset: number): number {
    if (this.seq >= MAX_SEQUENCE) throw alertError('internal_error', 'record sequence number exhausted');
    const suffix = padding === 0 ? (TYPE_BYTE[type] ?? Uint8Array.of(type)) : typeAndPadding(type, padding);
    const bodyLength = fragment.length + suffix.length + this.aead.tagLength;
    header(ContentType.application_data, bodyLength, this.aad);
    out.set(this.aad, offset);
    const written = sealBody(this.aead, xorNonce(this.iv, this.seq, this.nonce), this.aad, fragment, suffix, out, offset + RECORD_HEADER_LENGTH);
    checkWritten(written, bodyLength);
    this.seq++;
    return RECORD_HEADER_LENGTH + bodyLength;
  }

  open(type: number, body: Uint8Array, inPlace = false): OpenedRecord {
    if (type !== ContentType.application_data) {
      throw alertError('unexpected_message', `protected TLS 1.3 record has outer type ${type}, not application_data`);
    }
    if (body.length < this.aead.tagLength + 1) throw alertError('bad_record_mac', 'record too short');
    header(type, body.length, this.aad);
    const inner = openBody(this.aead, xorNonce(this.iv, this.seq, this.nonce), this.aad, body, inPlace);
    if (inner === null) throw alertError('bad_record_mac', 'record authentication failed');
    this.seq++;
    // RFC 8446 §5.4: padding does not lift the size limit: the whole TLSInnerPlaintext (content, type, padding)
    // is at most 2^14 + 1 bytes, else record_overflow.
    if (inner.length > MAX_PLAINTEXT_LENGTH + 1) throw alertError('record_overflow', `inner plaintext of ${inner.length} bytes (with padding) exceeds 2^14 + 1`);
    // The real type is the last non-zero byte; all zeros is unexpected_message.
    let end = inner.length - 1;
    while (end >= 0 && inner[end] === 0) end--;
    if (end < 0) throw alertError('unexpected_message', 'inner plaintext has no content type (all padding)');
    return { type: inner[end]!, fragment: inner.subarray(0, end) };
  }
}

/** The one-byte TLS 1.3 inner content types, preallocated (read-only: only ever sealed). */
const TYPE_BYTE: Readonly<Record<number, Uint8Array>> = {
  [ContentType.change_cipher_spec]: Uint8Array.of(ContentType.change_cipher_spec),
  [ContentType.alert]: Uint8Array.of(ContentType.alert),
  [ContentType.handshake]: Uint8Array.of(ContentType.handshake),
  [ContentType.application_data]: Uint8Array.of(ContentType.application_data),
};

function typeAndPadding(type: number, padding: number): Uint8Array {
  const s = new Uint8Array(1 + padding);
  s[0] = type;
  return s;
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
