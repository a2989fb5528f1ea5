/**
 * Handshake message reassembly (RFC 8446 §5.1, RFC 5246 §6.2.1): handshake
 * messages may be split across records and records may carry several
 * messages; this turns a stream of handshake fragments into whole messages.
 *
 * Every byte is copied once. A message's buffer is allocated once, at the
 * size its 4-byte header announces (checked against the limit first), and
 * each fragment is copied into place: a peer that sends a 64 KiB ClientHello
 * as 65,000 one-byte records costs 65,000 small copies, not the 2 GB of
 * re-concatenation that growing one buffer per record cost (issue 11, item 5).
 *
 * Whole messages are handed out as views of their own buffer, which is never
 * written again: the handshake flow may keep them (transcript, certificates).
 */
import { alertError } from '../errors.js';

const HEADER_LENGTH = 4;

export class HandshakeReassembler {
  /** Complete messages (header + body) not taken yet, oldest first, from `head`. */
  private readonly ready: Uint8Array[] = [];
  private head = 0;
  private readyBytes = 0;
  /** The message being assembled: its header so far, then its buffer. */
  private readonly header = new Uint8Array(HEADER_LENGTH);
  private headerFill = 0;
  private current: Uint8Array | null = null;
  private currentFill = 0;

  /** `maxMessageLength`: the largest body accepted; a header announcing more is decode_error. */
  constructor(private readonly maxMessageLength: number) {}

  /** Bytes buffered: complete messages not taken plus the one being assembled. */
  get length(): number {
    return this.readyBytes + this.headerFill + this.currentFill;
  }

  /** Whether a complete message waits to be taken. */
  get hasMessage(): boolean {
    return this.head < this.ready.length;
  }

  /** Add one record's handshake fragment (copied; the caller may reuse it). */
  push(fragment: Uint8Array): void {
    let i = 0;
    while (i < fragment.length) {
      if (this.current === null) {
        const take = Math.min(HEADER_LENGTH - this.headerFill, fragment.length - i);
        this.header.set(fragment.subarray(i, i + take), this.headerFill);
        this.headerFill += take;
        i += take;
        if (this.headerFill < HEADER_LENGTH) return;
        const h = this.header;
        const len = (h[1]! << 16) | (h[2]! << 8) | h[3]!;
        if (len > this.maxMessageLength) throw alertError('decode_error', `handshake message of ${len} bytes exceeds ${this.maxMessageLength}`);
        this.current = new Uint8Array(HEADER_LENGTH + len);
        this.current.set(h, 0);
        this.currentFill = HEADER_LENGTH;
        this.headerFill = 0;
      }
      const m = this.current;
      const take = Math.min(m.length - this.currentFill, fragment.length - i);
      if (take > 0) {
        m.set(fragment.subarray(i, i + take), this.currentFill);
        this.currentFill += take;
        i += take;
      }
      if (this.currentFill === m.length) {
        this.ready.push(m);
        this.readyBytes += m.length;
        this.current = null;
        this.currentFill = 0;
      }
    }
  }

  /** The oldest complete message (header + body), or null. */
  take(): Uint8Array | null {
    if (this.head === this.ready.length) return null;
    const m = this.ready[this.head]!;
    this.ready[this.head++] = EMPTY;
    this.readyBytes -= m.length;
    if (this.head === this.ready.length) {
      this.ready.length = 0;
      this.head = 0;
    }
    return m;
  }

  /** Drop everything (the connection failed). */
  clear(): void {
    this.ready.length = 0;
    this.head = 0;
    this.readyBytes = 0;
    this.headerFill = 0;
    this.current = null;
    this.currentFill = 0;
  }
}

const EMPTY = new Uint8Array(0);
