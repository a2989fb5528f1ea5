/**
 * Reader: a cursor over bytes received from the peer.
 *
 * Every read is bounds-checked. A short read throws a {@link DecodeError}; the
 * engine turns that into a fatal `decode_error` alert (RFC 8446 §6.2: "a message
 * could not be decoded because some field was out of the specified range or the
 * length of the message was incorrect"). Length-prefixed vectors are read as
 * sub-readers confined to their own bytes, so a field can never run into the
 * next one, and `end()` insists that a structure consumed its input exactly.
 */

/** Thrown by {@link Reader} on any short, long or out-of-range read. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
}

export class Reader {
  private pos: number;
  private readonly limit: number;

  private readonly buf: Uint8Array;

  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    if (start < 0 || end > buf.length || start > end) throw new DecodeError('reader bounds out of range');
    // A plain Uint8Array view even of a Buffer: what we read out is then a Uint8Array whose
    // slice() copies (a Buffer's slice() is a view of the caller's memory).
    this.buf = buf instanceof Buffer ? new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength) : buf;
    this.pos = start;
    this.limit = end;
  }

  /** Bytes not yet read. */
  get remaining(): number {
    return this.limit - this.pos;
  }

  get offset(): number {
    return this.pos;
  }

  atEnd(): boolean {
    return this.pos === this.limit;
  }

  private need(n: number, what: string): void {
    if (n > this.limit - this.pos) {
      throw new DecodeError(`truncated ${what}: need ${n} bytes, have ${this.limit - this.pos}`);
    }
  }

  u8(what = 'uint8'): number {
    this.need(1, what);
    return this.buf[this.pos++]!;
  }

  u16(what = 'uint16'): number {
    this.need(2, what);
    const v = (this.buf[this.pos]! << 8) | this.buf[this.pos + 1]!;
    this.pos += 2;
    return v;
  }

  u24(what = 'uint24'): number {
    this.need(3, what);
    const b = this.buf;
    const p = this.pos;
    this.pos += 3;
    return (b[p]! << 16) | (b[p + 1]! << 8) | b[p + 2]!;
  }

  u32(what = 'uint32'): number {
    this.need(4, what);
    const b = this.buf;
    const p = this.pos;
    this.pos += 4;
    return ((b[p]! << 24) >>> 0) + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
  }

  u64(what = 'uint64'): bigint {
    const hi = this.u32(what);
    const lo = this.u32(what);
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** `n` raw bytes, as a view into the underlying buffer (no copy). */
  bytes(n: number, what = 'bytes'): Uint8Array {
    this.need(n, what);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** The bytes consumed since offset `start` (a view, no copy). */
  consumedSince(start: number): Uint8Array {
    return this.buf.subarray(start, this.pos);
  }

  /** Everything that is left. */
  rest(): Uint8Array {
    const out = this.buf.subarray(this.pos, this.limit);
    this.pos = this.limit;
    return out;
  }

  /** `opaque x<0..2^8-1>` (and friends): a length-prefixed byte string. */
  vec8(what = 'vector<8>', min = 0): Uint8Array {
    return this.checkedMin(this.bytes(this.u8(what), what), min, what);
  }

  vec16(what = 'vector<16>', min = 0): Uint8Array {
    return this.checkedMin(this.bytes(this.u16(what), what), min, what);
  }

  vec24(what = 'vector<24>', min = 0): Uint8Array {
    return this.checkedMin(this.bytes(this.u24(what), what), min, what);
  }

  /** A sub-reader confined to the next `u8`-prefixed vector. */
  sub8(what = 'vector<8>'): Reader {
    return this.subOf(this.u8(what), what);
  }

  sub16(what = 'vector<16>'): Reader {
    return this.subOf(this.u16(what), what);
  }

  sub24(what = 'vector<24>'): Reader {
    return this.subOf(this.u24(what), what);
  }

  private subOf(n: number, what: string): Reader {
    this.need(n, what);
    const r = new Reader(this.buf, this.pos, this.pos + n);
    this.pos += n;
    return r;
  }

  private checkedMin(v: Uint8Array, min: number, what: string): Uint8Array {
    if (v.length < min) throw new DecodeError(`${what}: length ${v.length} below minimum ${min}`);
    return v;
  }

  /** A list of uint16 values in a u16-prefixed vector (cipher suites, groups, schemes). */
  list16of16(what: string, minItems = 0): number[] {
    const r = this.sub16(what);
    if (r.remaining % 2 !== 0) throw new DecodeError(`${what}: odd length ${r.remaining}`);
    const out: number[] = [];
    while (!r.atEnd()) out.push(r.u16(what));
    if (out.length < minItems) throw new DecodeError(`${what}: fewer than ${minItems} entries`);
    return out;
  }

  /** Assert the structure consumed its input exactly. */
  end(what = 'structure'): void {
    if (this.pos !== this.limit) {
      throw new DecodeError(`${what}: ${this.limit - this.pos} trailing bytes`);
    }
  }
}
