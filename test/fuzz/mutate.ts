/**
 * Mutators for TLS bytes. Every mutator takes the PRNG and the bytes and
 * returns new bytes (the input is never changed).
 *
 * - Byte level: bit flips, "interesting" byte values, truncation, inserted,
 *   deleted and duplicated runs.
 * - Structure aware (the productive ones): a record's length, type or
 *   version; a handshake message's type or 24-bit length; a 1/2/3-byte
 *   big-endian length prefix somewhere inside a plaintext handshake message
 *   nudged by a small delta; hello extensions dropped, duplicated, retyped or
 *   resized; records swapped, duplicated, dropped, split, merged or added empty.
 *
 * {@link mutateStream} works on a byte stream of records (what one side
 * wrote); {@link mutateMessage} on one handshake message (header + body)
 * before it is framed into records.
 */
import { concat } from '../../src/wire/writer.js';
import { fieldsOf, interestingValues, type Field, type FieldContext } from './fields.js';
import { Rng } from './prng.js';

export type Mutator = (rng: Rng, b: Uint8Array, ctx?: FieldContext) => Uint8Array;

interface Entry {
  readonly name: string;
  readonly weight: number;
  readonly fn: Mutator;
}

export const INTERESTING_BYTES = [0x00, 0xff, 0x7f, 0x80, 0x01, 0xfe, 0x40, 0x20];
const HANDSHAKE_TYPES = [0, 1, 2, 4, 5, 8, 11, 12, 13, 14, 15, 16, 20, 24, 254];
const CONTENT_TYPES = [20, 21, 22, 23, 24, 0, 19, 25, 0x80, 0xff];

/** A run of bytes: random, or one interesting value repeated. */
function run(rng: Rng, n: number): Uint8Array {
  if (rng.chance(0.5)) return rng.bytes(n);
  return new Uint8Array(n).fill(rng.pick(INTERESTING_BYTES));
}

/** A length for inserted/deleted runs: mostly small, sometimes large. */
function runLength(rng: Rng, max: number): number {
  const n = rng.weighted<number>([
    [6, rng.range(1, 4)],
    [3, rng.range(5, 32)],
    [1, rng.range(33, 600)],
  ]);
  return Math.max(1, Math.min(n, max));
}

/** A new value for a length field of `width` bytes holding `v`. */
export function nudgeLength(rng: Rng, v: number, width: number): number {
  const max = 2 ** (8 * width) - 1;
  const nv = rng.weighted<number>([
    [6, v + rng.pick([-1, 1])],
    [4, v + rng.pick([-4, -3, -2, 2, 3, 4])],
    [2, v + rng.pick([-32, -16, 16, 32, 255, 256, -256])],
    [2, 0],
    [1, max],
    [1, Math.floor(max / 2) + 1],
    [1, v * 2],
    [1, rng.int(max + 1)],
  ]);
  return ((nv % (max + 1)) + max + 1) % (max + 1);
}

function readBe(b: Uint8Array, off: number, width: number): number {
  let v = 0;
  for (let i = 0; i < width; i++) v = v * 256 + b[off + i]!;
  return v;
}

function writeBe(b: Uint8Array, off: number, width: number, v: number): void {
  for (let i = width - 1; i >= 0; i--, v = Math.floor(v / 256)) b[off + i] = v & 0xff;
}

// ---------------------------------------------------------------- byte-level

const flipBits: Mutator = (rng, b) => {
  if (b.length === 0) return b;
  const out = b.slice();
  for (let i = rng.range(1, 4); i > 0; i--) out[rng.int(out.length)]! ^= 1 << rng.int(8);
  return out;
};

const interestingBytes: Mutator = (rng, b) => {
  if (b.length === 0) return b;
  const out = b.slice();
  for (let i = rng.range(1, 3); i > 0; i--) out[rng.int(out.length)] = rng.chance(0.8) ? rng.pick(INTERESTING_BYTES) : rng.int(256);
  return out;
};

const truncate: Mutator = (rng, b) => (b.length === 0 ? b : b.slice(0, rng.int(b.length)));

const insertRun: Mutator = (rng, b) => {
  const at = rng.int(b.length + 1);
  return concat(b.subarray(0, at), run(rng, runLength(rng, 600)), b.subarray(at));
};

const deleteRun: Mutator = (rng, b) => {
  if (b.length === 0) return b;
  const at = rng.int(b.length);
  const n = runLength(rng, b.length - at);
  return concat(b.subarray(0, at), b.subarray(at + n));
};

const duplicateChunk: Mutator = (rng, b) => {
  if (b.length === 0) return b;
  const from = rng.int(b.length);
  const n = runLength(rng, b.length - from);
  const chunk = b.subarray(from, from + n);
  const at = rng.chance(0.5) ? from + n : rng.int(b.length + 1);
  return concat(b.subarray(0, at), chunk, b.subarray(at));
};

/** A 1/2/3-byte big-endian value at offset `at` nudged by a small delta. */
function nudgeAt(rng: Rng, b: Uint8Array, at: number): Uint8Array {
  const width = rng.pick([1, 2, 2, 3]);
  if (at + width > b.length) return b;
  const out = b.slice();
  writeBe(out, at, width, nudgeLength(rng, readBe(b, at, width), width));
  return out;
}

const vectorLengthAnywhere: Mutator = (rng, b) => (b.length === 0 ? b : nudgeAt(rng, b, rng.int(b.length)));

// ---------------------------------------------------------------- records

export interface RecordSpan {
  readonly offset: number;
  readonly type: number;
  readonly length: number;
  /** Offset just past the record (may exceed the stream for a cut record). */
  readonly end: number;
}

/** The records of a stream, as far as their headers go (the last may be cut). */
export function recordSpans(b: Uint8Array): RecordSpan[] {
  const out: RecordSpan[] = [];
  for (let o = 0; o + 5 <= b.length; ) {
    const length = (b[o + 3]! << 8) | b[o + 4]!;
    out.push({ offset: o, type: b[o]!, length, end: o + 5 + length });
    o += 5 + length;
  }
  return out;
}

/** Whether a handshake record's body starts like a plaintext handshake message (not a TLS 1.2 encrypted Finished). */
function plainHandshake(b: Uint8Array, r: RecordSpan): boolean {
  if (r.type !== 22 || r.length < 4 || r.end > b.length) return false;
  const t = b[r.offset + 5]!;
  const len = readBe(b, r.offset + 6, 3);
  return t !== 0 && HANDSHAKE_TYPES.includes(t) && len <= 0x10000;
}

/** Offsets of handshake message headers inside plaintext handshake records (messages that start in a record). */
function messageStarts(b: Uint8Array): number[] {
  const out: number[] = [];
  for (const r of recordSpans(b)) {
    if (!plainHandshake(b, r)) continue;
    for (let o = r.offset + 5; o + 4 <= r.end; ) {
      out.push(o);
      o += 4 + readBe(b, o + 1, 3);
    }
  }
  return out;
}

function pickRecord(rng: Rng, b: Uint8Array, preferPlain = true): RecordSpan | undefined {
  const recs = recordSpans(b).filter((r) => r.end <= b.length);
  if (recs.length === 0) return undefined;
  const plain = recs.filter((r) => plainHandshake(b, r));
  return preferPlain && plain.length > 0 && rng.chance(0.6) ? rng.pick(plain) : rng.pick(recs);
}

const recordLength: Mutator = (rng, b) => {
  const r = pickRecord(rng, b, false);
  if (r === undefined) return vectorLengthAnywhere(rng, b);
  const out = b.slice();
  const v = rng.weighted<number>([
    [8, nudgeLength(rng, r.length, 2)],
    [1, (1 << 14) + 1],
    [1, (1 << 14) + 256],
    [1, (1 << 14) + 257],
    [1, 0],
  ]);
  writeBe(out, r.offset + 3, 2, v);
  return out;
};

const recordType: Mutator = (rng, b) => {
  const r = pickRecord(rng, b, false);
  if (r === undefined) return interestingBytes(rng, b);
  const out = b.slice();
  out[r.offset] = rng.pick(CONTENT_TYPES);
  return out;
};

const recordVersion: Mutator = (rng, b) => {
  const r = pickRecord(rng, b, false);
  if (r === undefined) return interestingBytes(rng, b);
  const out = b.slice();
  const [maj, min] = rng.pick([[3, 0], [3, 1], [3, 4], [2, 0], [0, 0], [0xff, 0xff], [3, 0xff], [0x7f, 0x1c]] as const);
  out[r.offset + 1] = maj;
  out[r.offset + 2] = min;
  return out;
};

function spliceRecords(b: Uint8Array, spans: readonly { offset: number; end: number }[]): Uint8Array {
  return concat(...spans.map((s) => b.subarray(s.offset, s.end)));
}

const swapRecords: Mutator = (rng, b) => {
  const recs = recordSpans(b).filter((r) => r.end <= b.length);
  if (recs.length < 2) return duplicateChunk(rng, b);
  const i = rng.int(recs.length);
  const j = rng.chance(0.6) ? (i + 1) % recs.length : rng.int(recs.length);
  const order = recs.slice();
  [order[i], order[j]] = [order[j]!, order[i]!];
  const tail = recs[recs.length - 1]!.end;
  return concat(spliceRecords(b, order), b.subarray(tail));
};

const duplicateRecord: Mutator = (rng, b) => {
  const recs = recordSpans(b).filter((r) => r.end <= b.length);
  if (recs.length === 0) return duplicateChunk(rng, b);
  const i = rng.int(recs.length);
  const order = [...recs.slice(0, i + 1), recs[i]!, ...recs.slice(i + 1)];
  return concat(spliceRecords(b, order), b.subarray(recs[recs.length - 1]!.end));
};

const dropRecord: Mutator = (rng, b) => {
  const recs = recordSpans(b).filter((r) => r.end <= b.length);
  if (recs.length === 0) return truncate(rng, b);
  const i = rng.int(recs.length);
  return concat(spliceRecords(b, recs.filter((_, k) => k !== i)), b.subarray(recs[recs.length - 1]!.end));
};

/** A plaintext handshake record cut into two records (the message split across them). */
const splitRecord: Mutator = (rng, b) => {
  const recs = recordSpans(b).filter((r) => r.end <= b.length && r.length >= 2 && (r.type === 22 || rng.chance(0.2)));
  if (recs.length === 0) return recordLength(rng, b);
  const r = rng.pick(recs);
  const cut = rng.range(rng.chance(0.2) ? 0 : 1, r.length - 1);
  const head = Uint8Array.of(b[r.offset]!, b[r.offset + 1]!, b[r.offset + 2]!);
  const rec = (body: Uint8Array): Uint8Array => concat(head, Uint8Array.of(body.length >> 8, body.length & 0xff), body);
  const body = b.subarray(r.offset + 5, r.end);
  return concat(b.subarray(0, r.offset), rec(body.subarray(0, cut)), rec(body.subarray(cut)), b.subarray(r.end));
};

/** Two adjacent records of one type joined into one. */
const mergeRecords: Mutator = (rng, b) => {
  const recs = recordSpans(b).filter((r) => r.end <= b.length);
  const pairs: number[] = [];
  for (let i = 0; i + 1 < recs.length; i++) if (recs[i]!.type === recs[i + 1]!.type) pairs.push(i);
  if (pairs.length === 0) return splitRecord(rng, b);
  const i = rng.pick(pairs);
  const a = recs[i]!;
  const c = recs[i + 1]!;
  const body = concat(b.subarray(a.offset + 5, a.end), b.subarray(c.offset + 5, c.end));
  const out = concat(b.subarray(0, a.offset), Uint8Array.of(b[a.offset]!, b[a.offset + 1]!, b[a.offset + 2]!, body.length >> 8, body.length & 0xff), body, b.subarray(c.end));
  return out;
};

/** An empty (or tiny) record of some type inserted between records. */
const insertRecord: Mutator = (rng, b) => {
  const recs = recordSpans(b).filter((r) => r.end <= b.length);
  const at = recs.length === 0 ? 0 : rng.pick([0, ...recs.map((r) => r.end)]);
  const type = rng.pick(CONTENT_TYPES.slice(0, 5));
  const body = rng.weighted<Uint8Array>([
    [3, new Uint8Array(0)],
    [2, type === 21 ? Uint8Array.of(rng.pick([1, 2, 3]), rng.pick([0, 10, 40, 47, 90, 100, 255])) : Uint8Array.of(1)],
    [2, rng.bytes(rng.range(1, 40))],
    [1, Uint8Array.of(rng.pick(HANDSHAKE_TYPES), 0, 0, rng.int(8))],
  ]);
  const rec = concat(Uint8Array.of(type, 3, 3, body.length >> 8, body.length & 0xff), body);
  return concat(b.subarray(0, at), rec, b.subarray(at));
};

// ---------------------------------------------------------------- handshake messages inside a stream

const handshakeLengthInStream: Mutator = (rng, b) => {
  const starts = messageStarts(b);
  if (starts.length === 0) return recordLength(rng, b);
  const o = rng.pick(starts);
  const out = b.slice();
  writeBe(out, o + 1, 3, nudgeLength(rng, readBe(b, o + 1, 3), 3));
  return out;
};

const handshakeTypeInStream: Mutator = (rng, b) => {
  const starts = messageStarts(b);
  if (starts.length === 0) return recordType(rng, b);
  const out = b.slice();
  out[rng.pick(starts)] = rng.chance(0.9) ? rng.pick(HANDSHAKE_TYPES) : rng.int(256);
  return out;
};

/** The body span [start, end) of a random plaintext handshake message in `b`; undefined if none, or it is empty. */
function pickMessageBody(rng: Rng, b: Uint8Array): { start: number; end: number } | undefined {
  const starts = messageStarts(b);
  if (starts.length === 0) return undefined;
  const o = rng.pick(starts);
  const end = Math.min(b.length, o + 4 + readBe(b, o + 1, 3));
  return end <= o + 4 ? undefined : { start: o + 4, end };
}

/** A length-prefix-like value inside a plaintext handshake message nudged (the vector-length mutator). */
const vectorLengthInMessage: Mutator = (rng, b) => {
  const body = pickMessageBody(rng, b);
  if (body === undefined) return vectorLengthAnywhere(rng, b);
  return nudgeAt(rng, b, rng.range(body.start, body.end - 1));
};

/** A byte inside a plaintext handshake message body replaced (fields, not framing). */
const byteInMessage: Mutator = (rng, b) => {
  const body = pickMessageBody(rng, b);
  if (body === undefined) return interestingBytes(rng, b);
  const out = b.slice();
  const at = rng.range(body.start, body.end - 1);
  out[at] = rng.chance(0.7) ? rng.pick(INTERESTING_BYTES) : out[at]! ^ (1 << rng.int(8));
  return out;
};

/**
 * One plaintext handshake message of the stream (wholly inside one record)
 * rewritten by `fn`; the record's length follows the message's new size.
 * Undefined when the stream has no such message or `fn` declines.
 */
function messageInStream(rng: Rng, b: Uint8Array, fn: (raw: Uint8Array) => Uint8Array | undefined): Uint8Array | undefined {
  const spots: { r: RecordSpan; o: number; end: number }[] = [];
  for (const r of recordSpans(b)) {
    if (!plainHandshake(b, r)) continue;
    for (let o = r.offset + 5; o + 4 <= r.end; ) {
      const end = o + 4 + readBe(b, o + 1, 3);
      if (end > r.end) break;
      spots.push({ r, o, end });
      o = end;
    }
  }
  if (spots.length === 0) return undefined;
  const { r, o, end } = rng.pick(spots);
  const mutated = fn(b.subarray(o, end));
  if (mutated === undefined) return undefined;
  const body = concat(b.subarray(r.offset + 5, o), mutated, b.subarray(end, r.end));
  if (body.length > 0xffff) return undefined;
  const rec = concat(Uint8Array.of(b[r.offset]!, b[r.offset + 1]!, b[r.offset + 2]!, body.length >> 8, body.length & 0xff), body);
  return concat(b.subarray(0, r.offset), rec, b.subarray(r.end));
}

const extensionsInStream: Mutator = (rng, b, ctx) => messageInStream(rng, b, (m) => mutateExtensions(rng, m)) ?? vectorLengthInMessage(rng, b, ctx);
const fieldLengthInStream: Mutator = (rng, b, ctx) => messageInStream(rng, b, (m) => fieldLength(rng, m, ctx)) ?? vectorLengthInMessage(rng, b, ctx);
const fieldValueInStream: Mutator = (rng, b, ctx) => messageInStream(rng, b, (m) => fieldValue(rng, m, ctx)) ?? byteInMessage(rng, b, ctx);
const fieldContentInStream: Mutator = (rng, b, ctx) => messageInStream(rng, b, (m) => fieldContent(rng, m, ctx)) ?? byteInMessage(rng, b, ctx);
const certificateInStream: Mutator = (rng, b, ctx) => messageInStream(rng, b, (m) => certificateDer(rng, m, ctx)) ?? fieldLengthInStream(rng, b, ctx);

// ---------------------------------------------------------------- fields (fields.ts)

/** What the last field mutator touched (for the case's description). */
let note: string | undefined;

/** A length prefix found by walking the message (fields.ts) nudged by a small delta. */
function fieldLength(rng: Rng, raw: Uint8Array, ctx: FieldContext = {}): Uint8Array | undefined {
  const fs = fieldsOf(raw, ctx).filter((f) => f.kind === 'length' && f.offset >= 1);
  if (fs.length === 0) return undefined;
  // The message's own 24-bit length is left to the framing mutators most of the time.
  const inner = fs.filter((f) => f.offset !== 1);
  // Fields inside extensions and vectors are where parsers differ; the framing ones get less weight.
  const framing = (x: Field): boolean => x.what === 'extension_data' || x.what === 'extensions';
  const f = inner.length > 0 && rng.chance(0.9) ? rng.weighted(inner.map((x) => [framing(x) ? 1 : 3, x] as const)) : rng.pick(fs);
  note = `${raw[0]}.${f.what}`;
  const out = raw.slice();
  writeBe(out, f.offset, f.width, nudgeLength(rng, readBe(raw, f.offset, f.width), f.width));
  return out;
}

/** A code point (version, suite, group, scheme, extension type, enum, u32) replaced. */
function fieldValue(rng: Rng, raw: Uint8Array, ctx: FieldContext = {}): Uint8Array | undefined {
  const fs = fieldsOf(raw, ctx).filter((f) => f.kind !== 'length' && f.kind !== 'certificate' && f.kind !== 'opaque' && f.offset > 0);
  if (fs.length === 0) return undefined;
  const f: Field = rng.pick(fs);
  note = `${raw[0]}.${f.what}`;
  const out = raw.slice();
  const old = readBe(raw, f.offset, f.width);
  const max = 2 ** (8 * f.width) - 1;
  const v = rng.weighted<number>([
    [6, rng.pick(interestingValues(f.kind))],
    [2, old + rng.pick([-1, 1])],
    [1, rng.int(max + 1)],
  ]);
  writeBe(out, f.offset, f.width, ((v % (max + 1)) + max + 1) % (max + 1));
  return out;
}

/**
 * The content of a vector (a key share, DH p/g/Ys, an EC point, a ticket, a
 * signature, a host name...) replaced by a value of the same length that
 * checks must catch: all zeros, all ones, 0...01, p-1 style ends, another
 * point format, or a copy of a neighbouring vector's bytes.
 */
function fieldContent(rng: Rng, raw: Uint8Array, ctx: FieldContext = {}): Uint8Array | undefined {
  const fs = fieldsOf(raw, ctx).filter((f) => f.kind === 'opaque' && f.offset + f.width <= raw.length);
  if (fs.length === 0) return undefined;
  const f = rng.pick(fs);
  note = `${raw[0]}.${f.what}`;
  const out = raw.slice();
  const at = f.offset;
  const n = f.width;
  const region = out.subarray(at, at + n);
  switch (rng.int(8)) {
    case 0:
      region.fill(0);
      break;
    case 1:
      region.fill(0xff);
      break;
    case 2:
      region.fill(0);
      region[n - 1] = 1;
      break;
    case 3:
      region[n - 1] = (region[n - 1]! + rng.pick([-2, -1, 1, 2])) & 0xff;
      break;
    case 4:
      region[0] = rng.pick([0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x80, 0xff]);
      break;
    case 5: {
      // another vector's bytes, as much as fits (g := p, Ys := p, share := another share)
      const other = rng.pick(fs);
      region.set(raw.subarray(other.offset, other.offset + Math.min(n, other.width)));
      break;
    }
    case 6:
      region.set(rng.bytes(n));
      break;
    default:
      region[rng.int(n)] ^= 1 << rng.int(8);
  }
  return out;
}

/** A certificate inside a Certificate message mutated as DER; the cert, list and message lengths follow. */
function certificateDer(rng: Rng, raw: Uint8Array, ctx: FieldContext = {}): Uint8Array | undefined {
  const fs = fieldsOf(raw, ctx);
  const certs = fs.filter((f) => f.kind === 'certificate' && f.offset + f.width <= raw.length);
  const list = fs.find((f) => f.what === 'certificate_list');
  if (certs.length === 0 || list === undefined) return undefined;
  const c = rng.pick(certs);
  const der = rng.chance(0.7) ? mutateDer(rng, raw.subarray(c.offset, c.offset + c.width)).bytes : mutateStream(rng, raw.subarray(c.offset, c.offset + c.width), 1).bytes;
  const delta = der.length - c.width;
  const out = concat(raw.subarray(0, c.offset), der, raw.subarray(c.offset + c.width));
  const adjust = (off: number, width: number): void => writeBe(out, off, width, Math.max(0, readBe(out, off, width) + delta));
  adjust(c.offset - 3, 3);
  adjust(list.offset, 3);
  adjust(1, 3);
  return out;
}

/** DER-aware mutations: a TLV's length, tag or first content byte, or a non-minimal length form (walking the DER as far as it goes). */
export function mutateDer(rng: Rng, der: Uint8Array): { bytes: Uint8Array; applied: string[] } {
  const tlvs: { at: number; lenAt: number; lenBytes: number }[] = [];
  const walk = (start: number, end: number, depth: number): void => {
    for (let o = start; o + 2 <= end && depth < 12 && tlvs.length < 400; ) {
      const tag = der[o]!;
      let len = der[o + 1]!;
      let lenBytes = 1;
      if (len & 0x80) {
        lenBytes = 1 + (len & 0x7f);
        if (lenBytes > 4 || o + 1 + lenBytes > end) return;
        len = 0;
        for (let i = 1; i < lenBytes; i++) len = len * 256 + der[o + 1 + i]!;
      }
      const bodyAt = o + 1 + lenBytes;
      if (bodyAt + len > end) return;
      tlvs.push({ at: o, lenAt: o + 1, lenBytes });
      if (tag & 0x20) walk(bodyAt, bodyAt + len, depth + 1);
      else if (tag === 0x04 || tag === 0x03) walk(bodyAt + (tag === 0x03 ? 1 : 0), bodyAt + len, depth + 1); // extensions inside OCTET/BIT STRINGs
      o = bodyAt + len;
    }
  };
  walk(0, der.length, 0);
  if (tlvs.length === 0) return mutateStream(rng, der, 1);
  const t = rng.pick(tlvs);
  const out = der.slice();
  const op = rng.int(4);
  if (op === 0) {
    const p = t.lenAt + t.lenBytes - 1;
    out[p] = (out[p]! + rng.pick([-2, -1, 1, 2, 0x80])) & 0xff;
    return { bytes: out, applied: [`der-length@${t.at}`] };
  }
  if (op === 1) {
    out[t.at] = rng.pick([0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0c, 0x13, 0x16, 0x17, 0x18, 0x1e, 0x30, 0x31, 0xa0, 0xa3, 0x80, 0x1f, 0xff]);
    return { bytes: out, applied: [`der-tag@${t.at}`] };
  }
  if (op === 2) {
    const p = t.lenAt + t.lenBytes;
    if (p < out.length) out[p] = rng.chance(0.7) ? rng.pick(INTERESTING_BYTES) : rng.int(256);
    return { bytes: out, applied: [`der-content@${p}`] };
  }
  const forms = [Uint8Array.of(0x80), Uint8Array.of(0x81, der[t.lenAt]! & 0x7f), Uint8Array.of(0x84, 0xff, 0xff, 0xff, 0xff), Uint8Array.of(0x82, 0x00, 0x05)];
  const bytes = concat(der.subarray(0, t.lenAt), rng.pick(forms), der.subarray(t.lenAt + t.lenBytes));
  return { bytes, applied: [`der-length-form@${t.at}`] };
}

// ---------------------------------------------------------------- extensions (hello-shaped messages)

/** Where the extensions block of a handshake message starts (offset of its u16 length), if the type has one. */
function extensionsOffset(msg: Uint8Array): number | undefined {
  const t = msg[0];
  let o = 4;
  const need = (n: number): boolean => o + n <= msg.length;
  if (t === 1 || t === 2) {
    o += 2 + 32;
    if (!need(1)) return undefined;
    o += 1 + msg[o]!;
    if (t === 1) {
      if (!need(2)) return undefined;
      o += 2 + readBe(msg, o, 2);
      if (!need(1)) return undefined;
      o += 1 + msg[o]!;
    } else {
      o += 3;
    }
    return need(2) ? o : undefined;
  }
  if (t === 8) return need(2) ? 4 : undefined;
  if (t === 13) return need(1) && msg[4]! + 5 + 2 <= msg.length ? 5 + msg[4]! : undefined; // TLS 1.3 CertificateRequest
  if (t === 4 && msg.length >= 13) {
    // TLS 1.3 NewSessionTicket: lifetime, age_add, nonce<0..255>, ticket<1..2^16-1>, extensions
    o = 12;
    if (!need(1)) return undefined;
    o += 1 + msg[o]!;
    if (!need(2)) return undefined;
    o += 2 + readBe(msg, o, 2);
    return need(2) ? o : undefined;
  }
  return undefined;
}

interface Ext {
  type: number;
  data: Uint8Array;
}

const EXTENSION_TYPES = [0, 10, 11, 13, 16, 23, 35, 41, 42, 43, 44, 45, 50, 51, 65281, 0x0a0a, 0xffff, 5, 18, 21];

/**
 * Drop, duplicate, retype, resize or reorder one extension of a hello-shaped
 * message (header + body); the message and block lengths are kept consistent
 * so the mutation reaches the extension's own parser. Undefined when the
 * message has no extensions block we can find.
 */
export function mutateExtensions(rng: Rng, msg: Uint8Array): Uint8Array | undefined {
  const at = extensionsOffset(msg);
  if (at === undefined) return undefined;
  const blockLen = readBe(msg, at, 2);
  if (at + 2 + blockLen > msg.length) return undefined;
  const exts: Ext[] = [];
  for (let o = at + 2; o + 4 <= at + 2 + blockLen; ) {
    const len = readBe(msg, o + 2, 2);
    exts.push({ type: readBe(msg, o, 2), data: msg.subarray(o + 4, Math.min(o + 4 + len, at + 2 + blockLen)) });
    o += 4 + len;
  }
  const i = rng.int(Math.max(1, exts.length));
  const op = rng.int(exts.length === 0 ? 1 : 8);
  if (op === 0) exts.splice(rng.int(exts.length + 1), 0, { type: rng.pick(EXTENSION_TYPES), data: rng.chance(0.5) ? new Uint8Array(0) : run(rng, runLength(rng, 64)) });
  else if (op === 1) exts.splice(i, 1);
  else if (op === 2) exts.splice(rng.int(exts.length + 1), 0, { ...exts[i]! });
  else if (op === 3) exts[i] = { ...exts[i]!, type: rng.pick(EXTENSION_TYPES) };
  else if (op === 4) exts[i] = { ...exts[i]!, data: exts[i]!.data.subarray(0, rng.int(exts[i]!.data.length + 1)) };
  else if (op === 5) exts[i] = { ...exts[i]!, data: new Uint8Array(0) };
  else if (op === 6) exts[i] = { ...exts[i]!, data: nudgeAt(rng, exts[i]!.data, exts[i]!.data.length === 0 ? 0 : rng.int(Math.min(exts[i]!.data.length, 4))) };
  else {
    const j = rng.int(exts.length);
    [exts[i], exts[j]] = [exts[j]!, exts[i]!];
  }
  const parts: Uint8Array[] = [];
  for (const e of exts) parts.push(Uint8Array.of(e.type >> 8, e.type & 0xff, e.data.length >> 8, e.data.length & 0xff), e.data);
  const block = concat(...parts);
  if (block.length > 0xffff) return undefined;
  const body = concat(msg.subarray(4, at), Uint8Array.of(block.length >> 8, block.length & 0xff), block, msg.subarray(at + 2 + blockLen));
  const out = new Uint8Array(4 + body.length);
  out[0] = msg[0]!;
  writeBe(out, 1, 3, body.length);
  out.set(body, 4);
  return out;
}

// ---------------------------------------------------------------- tables

const STREAM: readonly Entry[] = [
  { name: 'flip-bits', weight: 5, fn: flipBits },
  { name: 'interesting-bytes', weight: 5, fn: interestingBytes },
  { name: 'truncate', weight: 3, fn: truncate },
  { name: 'insert-run', weight: 3, fn: insertRun },
  { name: 'delete-run', weight: 3, fn: deleteRun },
  { name: 'duplicate-chunk', weight: 2, fn: duplicateChunk },
  { name: 'length-anywhere', weight: 3, fn: vectorLengthAnywhere },
  { name: 'record-length', weight: 6, fn: recordLength },
  { name: 'record-type', weight: 4, fn: recordType },
  { name: 'record-version', weight: 2, fn: recordVersion },
  { name: 'swap-records', weight: 3, fn: swapRecords },
  { name: 'duplicate-record', weight: 3, fn: duplicateRecord },
  { name: 'drop-record', weight: 3, fn: dropRecord },
  { name: 'split-record', weight: 3, fn: splitRecord },
  { name: 'merge-records', weight: 2, fn: mergeRecords },
  { name: 'insert-record', weight: 3, fn: insertRecord },
  { name: 'handshake-length', weight: 6, fn: handshakeLengthInStream },
  { name: 'handshake-type', weight: 3, fn: handshakeTypeInStream },
  { name: 'vector-length', weight: 8, fn: vectorLengthInMessage },
  { name: 'message-byte', weight: 6, fn: byteInMessage },
  { name: 'extensions', weight: 10, fn: extensionsInStream },
  { name: 'field-length', weight: 30, fn: fieldLengthInStream },
  { name: 'field-value', weight: 12, fn: fieldValueInStream },
  { name: 'field-content', weight: 10, fn: fieldContentInStream },
  { name: 'certificate-der', weight: 4, fn: certificateInStream },
];

/** Mutators for one handshake message (header + body) before it is framed into records. */
const MESSAGE: readonly Entry[] = [
  { name: 'flip-bits', weight: 4, fn: flipBits },
  { name: 'interesting-bytes', weight: 5, fn: interestingBytes },
  { name: 'truncate', weight: 3, fn: truncate },
  { name: 'insert-run', weight: 2, fn: insertRun },
  { name: 'delete-run', weight: 2, fn: deleteRun },
  { name: 'duplicate-chunk', weight: 2, fn: duplicateChunk },
  { name: 'message-type', weight: 3, fn: (rng, b) => (b.length === 0 ? b : Uint8Array.from(b, (x, i) => (i === 0 ? rng.pick(HANDSHAKE_TYPES) : x))) },
  {
    name: 'message-length',
    weight: 4,
    fn: (rng, b) => {
      if (b.length < 4) return b;
      const out = b.slice();
      writeBe(out, 1, 3, nudgeLength(rng, readBe(b, 1, 3), 3));
      return out;
    },
  },
  // Body edits that keep the 24-bit length right, so the message's own parser sees them.
  { name: 'body-vector-length', weight: 8, fn: (rng, b) => reframe(b, b.length <= 4 ? b : nudgeAt(rng, b, rng.range(4, b.length - 1))) },
  { name: 'body-byte', weight: 6, fn: (rng, b) => reframe(b, b.length <= 4 ? b : interestingBytes(rng, b.subarray(4)), true) },
  { name: 'body-truncate', weight: 4, fn: (rng, b) => reframe(b, b.subarray(0, rng.range(Math.min(4, b.length), b.length))) },
  { name: 'body-append', weight: 2, fn: (rng, b) => reframe(b, concat(b, run(rng, runLength(rng, 64)))) },
  { name: 'extensions', weight: 10, fn: (rng, b) => mutateExtensions(rng, b) ?? reframe(b, nudgeAt(rng, b, rng.range(Math.min(4, b.length - 1), b.length - 1))) },
  { name: 'field-length', weight: 30, fn: (rng, b, ctx) => fieldLength(rng, b, ctx) ?? reframe(b, nudgeAt(rng, b, rng.range(Math.min(4, b.length - 1), b.length - 1))) },
  { name: 'field-value', weight: 12, fn: (rng, b, ctx) => fieldValue(rng, b, ctx) ?? interestingBytes(rng, b, ctx) },
  { name: 'field-content', weight: 10, fn: (rng, b, ctx) => fieldContent(rng, b, ctx) ?? interestingBytes(rng, b, ctx) },
  { name: 'certificate-der', weight: 5, fn: (rng, b, ctx) => certificateDer(rng, b, ctx) ?? fieldLength(rng, b, ctx) ?? b },
];

/** Bytes with the 24-bit length at [1..3] set to fit (`bodyOnly`: `x` is just a new body). */
function reframe(orig: Uint8Array, x: Uint8Array, bodyOnly = false): Uint8Array {
  if (orig.length < 4) return x;
  const body = bodyOnly ? x : x.subarray(4);
  const out = new Uint8Array(4 + body.length);
  out[0] = bodyOnly ? orig[0]! : x[0]!;
  writeBe(out, 1, 3, body.length);
  out.set(body, 4);
  return out;
}

function applyFrom(table: readonly Entry[], rng: Rng, b: Uint8Array, count: number, ctx: FieldContext): { bytes: Uint8Array; applied: string[] } {
  const applied: string[] = [];
  let out = b;
  for (let i = 0; i < count; i++) {
    const e = rng.weighted(table.map((t) => [t.weight, t] as const));
    note = undefined;
    out = e.fn(rng, out, ctx);
    applied.push(note === undefined ? e.name : `${e.name}(${note})`);
  }
  return { bytes: out, applied };
}

/** How many mutations to stack: mostly one. */
export function mutationCount(rng: Rng): number {
  return rng.weighted<number>([
    [10, 1],
    [4, 2],
    [2, 3],
    [1, rng.range(4, 8)],
  ]);
}

export function mutateStream(rng: Rng, b: Uint8Array, count = mutationCount(rng), ctx: FieldContext = {}): { bytes: Uint8Array; applied: string[] } {
  return applyFrom(STREAM, rng, b, count, ctx);
}

export function mutateMessage(rng: Rng, raw: Uint8Array, count = mutationCount(rng), ctx: FieldContext = {}): { bytes: Uint8Array; applied: string[] } {
  return applyFrom(MESSAGE, rng, raw, count, ctx);
}

/** Random chunk sizes for feeding `n` bytes: mostly tiny (cut headers), sometimes whole. */
export function chunkSizes(rng: Rng, n: number): number[] {
  const style = rng.int(4);
  const out: number[] = [];
  for (let left = n; left > 0; ) {
    let k: number;
    if (style === 0) k = left; // all at once
    else if (style === 1) k = rng.range(1, 7);
    else if (style === 2) k = rng.range(1, 400);
    else k = rng.chance(0.5) ? rng.range(1, 6) : rng.range(1, 20000);
    k = Math.min(k, left);
    out.push(k);
    left -= k;
  }
  return out;
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

export function fromHex(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
}
