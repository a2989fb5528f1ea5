/**
 * A small, exact DER codec (ITU-T X.690 §10, the subset X.509 uses).
 *
 * Why our own: certificates are attacker-supplied, and a BER-tolerant parser
 * gives two parties two readings of the same bytes (the root of several
 * signature-bypass bugs). This reader accepts exactly one encoding per value:
 *
 * - definite lengths only, in the shortest form (no 0x80, no 0x81 0x05,
 *   no leading zero length octets, at most 4 length octets);
 * - low tag numbers only (< 31; X.509 never needs more);
 * - INTEGERs in minimal two's complement, BOOLEANs 0x00/0xFF, BIT STRINGs
 *   with zeroed unused bits, OIDs with minimal base-128 arcs;
 * - UTCTime as YYMMDDHHMMSSZ and GeneralizedTime as YYYYMMDDHHMMSSZ (RFC 5280
 *   §4.1.2.5: seconds present, 'Z', no fractions);
 * - every container must be consumed exactly ({@link DerReader.end}).
 *
 * Values are views (subarray) into the input, never copies: parsing a chain
 * allocates little. The writer half ({@link der}) builds DER for issuance.
 */
import { DerError } from './errors.js';
import { concat } from '../wire/writer.js';

/** Universal tags and a few class/constructed helpers. */
export const Tag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  ENUMERATED: 0x0a,
  UTF8String: 0x0c,
  PrintableString: 0x13,
  T61String: 0x14,
  IA5String: 0x16,
  UTCTime: 0x17,
  GeneralizedTime: 0x18,
  VisibleString: 0x1a,
  UniversalString: 0x1c,
  BMPString: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** [n] constructed context-specific (EXPLICIT tagging, or IMPLICIT of a constructed type). */
export const contextConstructed = (n: number): number => 0xa0 | n;
/** [n] primitive context-specific (IMPLICIT of a primitive type). */
export const contextPrimitive = (n: number): number => 0x80 | n;

export const isConstructed = (tag: number): boolean => (tag & 0x20) !== 0;

/** One TLV: its tag byte, contents, and the whole encoding (for signatures and byte comparison). */
export interface Tlv {
  readonly tag: number;
  readonly value: Uint8Array;
  readonly raw: Uint8Array;
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

/** Read one TLV from `buf` at `pos`; returns it and the next position. */
function readTlvAt(buf: Uint8Array, pos: number): { tlv: Tlv; next: number } {
  const start = pos;
  if (pos >= buf.length) throw new DerError('DER_TRUNCATED', 'expected a tag, found end of data');
  const tag = buf[pos++]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError('DER_BAD_TAG', `high tag number form (tag byte 0x${hex2(tag)}) is not supported`);
  if (pos >= buf.length) throw new DerError('DER_TRUNCATED', 'expected a length, found end of data');
  const first = buf[pos++]!;
  let len: number;
  if (first < 0x80) {
    len = first;
  } else if (first === 0x80) {
    throw new DerError('DER_INDEFINITE_LENGTH', 'indefinite length is not DER');
  } else {
    const n = first & 0x7f;
    if (n > 4) throw new DerError('DER_BAD_LENGTH', `length of ${n} octets is too long`);
    if (pos + n > buf.length) throw new DerError('DER_TRUNCATED', 'truncated length');
    if (buf[pos] === 0) throw new DerError('DER_NON_MINIMAL_LENGTH', 'length has a leading zero octet');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[pos++]!;
    if (len < 0x80) throw new DerError('DER_NON_MINIMAL_LENGTH', `length ${len} must use the short form`);
  }
  if (pos + len > buf.length) throw new DerError('DER_TRUNCATED', `TLV claims ${len} bytes, only ${buf.length - pos} remain`);
  const value = buf.subarray(pos, pos + len);
  return { tlv: { tag, value, raw: buf.subarray(start, pos + len) }, next: pos + len };
}

const TAG_NAMES: Record<number, string> = {
  0x01: 'BOOLEAN',
  0x02: 'INTEGER',
  0x03: 'BIT STRING',
  0x04: 'OCTET STRING',
  0x05: 'NULL',
  0x06: 'OBJECT IDENTIFIER',
  0x0c: 'UTF8String',
  0x13: 'PrintableString',
  0x16: 'IA5String',
  0x17: 'UTCTime',
  0x18: 'GeneralizedTime',
  0x30: 'SEQUENCE',
  0x31: 'SET',
};

export function tagName(tag: number): string {
  const n = TAG_NAMES[tag];
  if (n) return n;
  const cls = tag >> 6;
  const num = tag & 0x1f;
  const c = tag & 0x20 ? ' constructed' : '';
  return cls === 2 ? `[${num}]${c}` : cls === 1 ? `APPLICATION ${num}${c}` : cls === 3 ? `PRIVATE ${num}${c}` : `tag 0x${hex2(tag)}`;
}

/** A cursor over the contents of one DER container. */
export class DerReader {
  private pos = 0;
  constructor(
    readonly data: Uint8Array,
    private readonly what = 'DER',
  ) {}

  hasMore(): boolean {
    return this.pos < this.data.length;
  }

  /** The next tag byte, or undefined at the end. */
  peekTag(): number | undefined {
    return this.pos < this.data.length ? this.data[this.pos] : undefined;
  }

  /** Any TLV. */
  readAny(): Tlv {
    const { tlv, next } = readTlvAt(this.data, this.pos);
    this.pos = next;
    return tlv;
  }

  /** A TLV with exactly `tag`. */
  read(tag: number, what?: string): Tlv {
    const t = this.peekTag();
    if (t === undefined) throw new DerError('DER_TRUNCATED', `expected ${what ?? tagName(tag)} in ${this.what}, found end of data`);
    if (t !== tag) throw new DerError('DER_UNEXPECTED_TAG', `expected ${what ?? tagName(tag)} in ${this.what}, found ${tagName(t)}`);
    return this.readAny();
  }

  /** A TLV with `tag` if it is next, else undefined. */
  readOptional(tag: number): Tlv | undefined {
    return this.peekTag() === tag ? this.readAny() : undefined;
  }

  /** Enter a SEQUENCE (or another constructed `tag`). */
  enter(tag: number = Tag.SEQUENCE, what?: string): DerReader {
    return new DerReader(this.read(tag, what).value, what ?? tagName(tag));
  }

  /** Throw unless everything was consumed. */
  end(): void {
    if (this.pos !== this.data.length) {
      throw new DerError('DER_TRAILING_DATA', `${this.data.length - this.pos} unexpected trailing byte(s) in ${this.what}`);
    }
  }

  readInteger(what = 'INTEGER'): Uint8Array {
    return checkInteger(this.read(Tag.INTEGER, what).value, what);
  }
  readBoolean(): boolean {
    return parseBoolean(this.read(Tag.BOOLEAN).value);
  }
  readOid(): string {
    return oidToString(this.read(Tag.OID).value);
  }
  readOctetString(): Uint8Array {
    return this.read(Tag.OCTET_STRING).value;
  }
  readBitString(): BitString {
    return parseBitString(this.read(Tag.BIT_STRING).value);
  }
  readNull(): void {
    if (this.read(Tag.NULL).value.length !== 0) throw new DerError('DER_BAD_VALUE', 'NULL must be empty');
  }
}

/** Parse `data` as exactly one TLV with `tag` (nothing before or after). */
export function parseSingle(data: Uint8Array, tag: number, what?: string): Tlv {
  const r = new DerReader(data, what ?? tagName(tag));
  const t = r.read(tag, what);
  r.end();
  return t;
}

/** Parse exactly one SEQUENCE and return a reader over its contents. */
export function parseSequence(data: Uint8Array, what = 'SEQUENCE'): DerReader {
  return new DerReader(parseSingle(data, Tag.SEQUENCE, what).value, what);
}

// ---------------------------------------------------------------- primitives

/** Checks minimal two's complement encoding; returns the contents unchanged. */
export function checkInteger(v: Uint8Array, what = 'INTEGER'): Uint8Array {
  if (v.length === 0) throw new DerError('DER_BAD_INTEGER', `${what} is empty`);
  if (v.length > 1) {
    if (v[0] === 0x00 && (v[1]! & 0x80) === 0) throw new DerError('DER_BAD_INTEGER', `${what} has a redundant leading 0x00`);
    if (v[0] === 0xff && (v[1]! & 0x80) !== 0) throw new DerError('DER_BAD_INTEGER', `${what} has a redundant leading 0xFF`);
  }
  return v;
}

export function integerIsNegative(v: Uint8Array): boolean {
  return v.length > 0 && (v[0]! & 0x80) !== 0;
}

/** A non-negative INTEGER that fits in 2^53; throws otherwise. */
export function integerToSafeNumber(v: Uint8Array, what = 'INTEGER'): number {
  checkInteger(v, what);
  if (integerIsNegative(v)) throw new DerError('DER_BAD_INTEGER', `${what} must not be negative`);
  if (v.length > 7) throw new DerError('DER_BAD_INTEGER', `${what} is too large`);
  let n = 0;
  for (const b of v) n = n * 256 + b;
  return n;
}

export function integerToBigInt(v: Uint8Array): bigint {
  let n = 0n;
  for (const b of v) n = (n << 8n) | BigInt(b);
  if (integerIsNegative(v)) n -= 1n << BigInt(8 * v.length);
  return n;
}

export function parseBoolean(v: Uint8Array): boolean {
  if (v.length !== 1) throw new DerError('DER_BAD_BOOLEAN', 'BOOLEAN must be one octet');
  if (v[0] === 0xff) return true;
  if (v[0] === 0x00) return false;
  throw new DerError('DER_BAD_BOOLEAN', `BOOLEAN must be 0x00 or 0xFF, got 0x${hex2(v[0]!)}`);
}

export interface BitString {
  /** The octets, with the unused low bits of the last one zero. */
  readonly bytes: Uint8Array;
  readonly unusedBits: number;
}

export function parseBitString(v: Uint8Array): BitString {
  if (v.length === 0) throw new DerError('DER_BAD_BIT_STRING', 'BIT STRING has no unused-bits octet');
  const unused = v[0]!;
  if (unused > 7) throw new DerError('DER_BAD_BIT_STRING', `BIT STRING unused-bits ${unused} > 7`);
  const bytes = v.subarray(1);
  if (bytes.length === 0 && unused !== 0) throw new DerError('DER_BAD_BIT_STRING', 'empty BIT STRING with unused bits');
  if (unused > 0 && (bytes[bytes.length - 1]! & ((1 << unused) - 1)) !== 0) {
    throw new DerError('DER_BAD_BIT_STRING', 'BIT STRING unused bits are not zero');
  }
  return { bytes, unusedBits: unused };
}

/** Is bit `i` (0 = most significant bit of the first octet) set? */
export function bitStringHas(b: BitString, i: number): boolean {
  const byte = i >> 3;
  if (byte >= b.bytes.length) return false;
  if (byte === b.bytes.length - 1 && (i & 7) >= 8 - b.unusedBits) return false;
  return (b.bytes[byte]! & (0x80 >> (i & 7))) !== 0;
}

export function oidToString(v: Uint8Array): string {
  if (v.length === 0) throw new DerError('DER_BAD_OID', 'OBJECT IDENTIFIER is empty');
  if ((v[v.length - 1]! & 0x80) !== 0) throw new DerError('DER_BAD_OID', 'OBJECT IDENTIFIER ends inside an arc');
  const arcs: string[] = [];
  let acc = 0n;
  let startOfArc = true;
  for (const b of v) {
    if (startOfArc && b === 0x80) throw new DerError('DER_BAD_OID', 'OBJECT IDENTIFIER arc is not minimally encoded');
    acc = (acc << 7n) | BigInt(b & 0x7f);
    startOfArc = (b & 0x80) === 0;
    if (startOfArc) {
      if (arcs.length === 0) {
        if (acc < 40n) arcs.push('0', acc.toString());
        else if (acc < 80n) arcs.push('1', (acc - 40n).toString());
        else arcs.push('2', (acc - 80n).toString());
      } else {
        arcs.push(acc.toString());
      }
      acc = 0n;
    }
  }
  return arcs.join('.');
}

export function oidToBytes(oid: string): Uint8Array {
  const parts = oid.split('.');
  if (parts.length < 2 || parts.some((p) => !/^\d+$/.test(p))) throw new DerError('DER_BAD_OID', `not a dotted OID: ${oid}`);
  const arcs = parts.map((p) => BigInt(p));
  if (arcs[0]! > 2n || (arcs[0]! < 2n && arcs[1]! >= 40n)) throw new DerError('DER_BAD_OID', `invalid first arcs: ${oid}`);
  const out: number[] = [];
  const push = (n: bigint): void => {
    const tmp = [Number(n & 0x7fn)];
    n >>= 7n;
    while (n > 0n) {
      tmp.unshift(Number(n & 0x7fn) | 0x80);
      n >>= 7n;
    }
    out.push(...tmp);
  };
  push(arcs[0]! * 40n + arcs[1]!);
  for (let i = 2; i < arcs.length; i++) push(arcs[i]!);
  return Uint8Array.from(out);
}

// ---------------------------------------------------------------- time

/** A parsed UTCTime/GeneralizedTime; `ms` is milliseconds since the epoch (UTC) for comparisons. */
export interface DerTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hours: number;
  readonly minutes: number;
  readonly seconds: number;
  readonly ms: number;
}

function digits(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = s.charCodeAt(i + k) - 48;
    if (c < 0 || c > 9) throw new DerError('DER_BAD_TIME', `non-digit in time "${s}"`);
    v = v * 10 + c;
  }
  return v;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(m) ? 30 : 31;
}

export function makeTime(year: number, month: number, day: number, hours: number, minutes: number, seconds: number): DerTime {
  if (month < 1 || month > 12) throw new DerError('DER_BAD_TIME', `month ${month} out of range`);
  if (day < 1 || day > daysInMonth(year, month)) throw new DerError('DER_BAD_TIME', `day ${day} out of range`);
  if (hours > 23 || minutes > 59 || seconds > 60) throw new DerError('DER_BAD_TIME', 'time of day out of range');
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hours, minutes, seconds, 0);
  return { year, month, day, hours, minutes, seconds, ms: d.getTime() };
}

function latin1(v: Uint8Array): string {
  let s = '';
  for (const b of v) s += String.fromCharCode(b);
  return s;
}

/** UTCTime: YYMMDDHHMMSSZ; YY < 50 is 20YY (RFC 5280 §4.1.2.5.1). */
export function parseUtcTime(v: Uint8Array): DerTime {
  const s = latin1(v);
  if (s.length !== 13 || s[12] !== 'Z') throw new DerError('DER_BAD_TIME', `UTCTime must be YYMMDDHHMMSSZ, got "${s}"`);
  const yy = digits(s, 0, 2);
  return makeTime(yy < 50 ? 2000 + yy : 1900 + yy, digits(s, 2, 2), digits(s, 4, 2), digits(s, 6, 2), digits(s, 8, 2), digits(s, 10, 2));
}

/** GeneralizedTime: YYYYMMDDHHMMSSZ (RFC 5280 §4.1.2.5.2: no fractional seconds). */
export function parseGeneralizedTime(v: Uint8Array): DerTime {
  const s = latin1(v);
  if (s.length !== 15 || s[14] !== 'Z') throw new DerError('DER_BAD_TIME', `GeneralizedTime must be YYYYMMDDHHMMSSZ, got "${s}"`);
  return makeTime(digits(s, 0, 4), digits(s, 4, 2), digits(s, 6, 2), digits(s, 8, 2), digits(s, 10, 2), digits(s, 12, 2));
}

/** Time ::= CHOICE { utcTime UTCTime, generalTime GeneralizedTime } */
export function readTime(r: DerReader): DerTime {
  const t = r.peekTag();
  if (t === Tag.UTCTime) return parseUtcTime(r.readAny().value);
  if (t === Tag.GeneralizedTime) return parseGeneralizedTime(r.readAny().value);
  throw new DerError('DER_UNEXPECTED_TAG', `expected UTCTime or GeneralizedTime, found ${t === undefined ? 'end of data' : tagName(t)}`);
}

export function timeFromDate(d: Date): DerTime {
  return makeTime(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds());
}

// ---------------------------------------------------------------- bytes helpers

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** DER SET OF order: byte-wise, a proper prefix first (X.690 §11.6). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  return concat(...parts);
}

export function toHex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += hex2(x);
  return s;
}

// ---------------------------------------------------------------- writer

function encodeLength(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const bytes: number[] = [];
  while (n > 0) {
    bytes.unshift(n & 0xff);
    n = Math.floor(n / 256);
  }
  return Uint8Array.from([0x80 | bytes.length, ...bytes]);
}

const utf8 = new TextEncoder();

function integerBytes(n: bigint): Uint8Array {
  if (n === 0n) return Uint8Array.of(0);
  const neg = n < 0n;
  let hex = (neg ? -n - 1n : n).toString(16);
  if (hex.length % 2) hex = '0' + hex;
  let bytes: Uint8Array = Uint8Array.from(Buffer.from(hex, 'hex'));
  if (neg) bytes = bytes.map((b) => b ^ 0xff);
  if (!neg && bytes[0]! & 0x80) bytes = concatBytes([Uint8Array.of(0), bytes]);
  if (neg && !(bytes[0]! & 0x80)) bytes = concatBytes([Uint8Array.of(0xff), bytes]);
  return bytes;
}

function two(n: number): string {
  return String(n).padStart(2, '0');
}

/** DER builders. Each returns a complete TLV. */
export const der = {
  tlv(tag: number, ...contents: Uint8Array[]): Uint8Array {
    const body = concatBytes(contents);
    return concatBytes([Uint8Array.of(tag), encodeLength(body.length), body]);
  },
  seq(...items: Uint8Array[]): Uint8Array {
    return der.tlv(Tag.SEQUENCE, ...items);
  },
  /** SET OF, sorted as DER requires. */
  setOf(...items: Uint8Array[]): Uint8Array {
    return der.tlv(Tag.SET, ...[...items].sort(compareBytes));
  },
  /** INTEGER from a number, bigint, or unsigned big-endian bytes. */
  int(v: number | bigint | Uint8Array): Uint8Array {
    if (v instanceof Uint8Array) {
      let i = 0;
      while (i < v.length - 1 && v[i] === 0) i++;
      const t = v.subarray(i);
      return der.tlv(Tag.INTEGER, t.length && t[0]! & 0x80 ? concatBytes([Uint8Array.of(0), t]) : t.length ? t : Uint8Array.of(0));
    }
    return der.tlv(Tag.INTEGER, integerBytes(BigInt(v)));
  },
  bool(b: boolean): Uint8Array {
    return der.tlv(Tag.BOOLEAN, Uint8Array.of(b ? 0xff : 0));
  },
  null(): Uint8Array {
    return Uint8Array.of(Tag.NULL, 0);
  },
  oid(oid: string): Uint8Array {
    return der.tlv(Tag.OID, oidToBytes(oid));
  },
  octets(b: Uint8Array): Uint8Array {
    return der.tlv(Tag.OCTET_STRING, b);
  },
  bits(b: Uint8Array, unusedBits = 0): Uint8Array {
    return der.tlv(Tag.BIT_STRING, Uint8Array.of(unusedBits), b);
  },
  /** A BIT STRING of named bits (bit 0 = MSB of the first octet), trailing zero bits removed (X.690 §11.2.2). */
  namedBits(bits: readonly number[]): Uint8Array {
    if (bits.length === 0) return der.bits(new Uint8Array(0));
    const max = Math.max(...bits);
    const out = new Uint8Array((max >> 3) + 1);
    for (const i of bits) out[i >> 3]! |= 0x80 >> (i & 7);
    return der.bits(out, 7 - (max & 7));
  },
  utf8(s: string): Uint8Array {
    return der.tlv(Tag.UTF8String, utf8.encode(s));
  },
  printable(s: string): Uint8Array {
    return der.tlv(Tag.PrintableString, utf8.encode(s));
  },
  ia5(s: string): Uint8Array {
    return der.tlv(Tag.IA5String, utf8.encode(s));
  },
  /** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
  time(d: Date): Uint8Array {
    const y = d.getUTCFullYear();
    const rest = `${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}Z`;
    if (y >= 1950 && y < 2050) return der.tlv(Tag.UTCTime, utf8.encode(two(y % 100) + rest));
    return der.tlv(Tag.GeneralizedTime, utf8.encode(String(y).padStart(4, '0') + rest));
  },
  /** [n] EXPLICIT. */
  explicit(n: number, inner: Uint8Array): Uint8Array {
    return der.tlv(contextConstructed(n), inner);
  },
  /** [n] IMPLICIT primitive with raw contents. */
  implicit(n: number, contents: Uint8Array): Uint8Array {
    return der.tlv(contextPrimitive(n), contents);
  },
};
