/**
 * Writer: builds wire structures with length prefixes filled in for us.
 *
 * `w.vec16(() => { ... })` writes a placeholder length, runs the callback and
 * then patches the length in; nobody computes `len >> 8` by hand (the idea of
 * Go's cryptobyte builders). A body that does not fit its prefix is a
 * programming error and throws a RangeError.
 */
export class Writer {
  private buf: Uint8Array;
  private pos = 0;

  constructor(initialCapacity = 256) {
    this.buf = new Uint8Array(initialCapacity);
  }

  get length(): number {
    return this.pos;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  u16(v: number): this {
    this.ensure(2);
    this.buf[this.pos++] = (v >>> 8) & 0xff;
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  u24(v: number): this {
    this.ensure(3);
    this.buf[this.pos++] = (v >>> 16) & 0xff;
    this.buf[this.pos++] = (v >>> 8) & 0xff;
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  u32(v: number): this {
    this.ensure(4);
    this.buf[this.pos++] = (v >>> 24) & 0xff;
    this.buf[this.pos++] = (v >>> 16) & 0xff;
    this.buf[this.pos++] = (v >>> 8) & 0xff;
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  u64(v: bigint): this {
    this.u32(Number((v >> 32n) & 0xffffffffn));
    return this.u32(Number(v & 0xffffffffn));
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  /** A `u8`-length-prefixed block whose body the callback writes. */
  vec8(body: (w: this) => void): this {
    return this.prefixed(1, 0xff, body);
  }

  vec16(body: (w: this) => void): this {
    return this.prefixed(2, 0xffff, body);
  }

  vec24(body: (w: this) => void): this {
    return this.prefixed(3, 0xffffff, body);
  }

  /** Shorthands: a length-prefixed byte string. */
  opaque8(b: Uint8Array): this {
    return this.vec8((w) => w.bytes(b));
  }

  opaque16(b: Uint8Array): this {
    return this.vec16((w) => w.bytes(b));
  }

  opaque24(b: Uint8Array): this {
    return this.vec24((w) => w.bytes(b));
  }

  private prefixed(width: 1 | 2 | 3, max: number, body: (w: this) => void): this {
    this.ensure(width);
    const at = this.pos;
    this.pos += width;
    body(this);
    const len = this.pos - at - width;
    if (len > max) throw new RangeError(`vector of ${len} bytes does not fit a ${width}-byte length`);
    for (let i = width - 1, v = len; i >= 0; i--, v >>>= 8) this.buf[at + i] = v & 0xff;
    return this;
  }

  /** The bytes written so far (a copy, safe to keep). */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

/** Concatenate byte strings. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
