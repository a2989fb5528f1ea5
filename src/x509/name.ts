/**
 * X.501 Names (RFC 5280 §4.1.2.4): parsing, comparison (§7.1), normalization.
 *
 *   Name ::= RDNSequence
 *   RDNSequence ::= SEQUENCE OF RelativeDistinguishedName
 *   RelativeDistinguishedName ::= SET SIZE (1..MAX) OF AttributeTypeAndValue
 *   AttributeTypeAndValue ::= SEQUENCE { type OBJECT IDENTIFIER, value ANY }
 *
 * Comparison follows Chromium's verifier, which the test vectors pin down:
 * the directory string types (PrintableString, UTF8String, BMPString,
 * UniversalString, IA5String) are converted to UTF-8 and compared after
 * folding ASCII case and collapsing ASCII spaces (a deliberate ASCII-only
 * subset of RFC 4518 StringPrep, which no deployed CA needs more than);
 * TeletexString and unknown types compare as bytes. PrintableString is held
 * to its alphabet (plus '*', which real certificates contain), IA5String to
 * ASCII, BMP/Universal strings must not contain surrogates.
 *
 * {@link normalizeName} produces a canonical byte form (values as normalized
 * UTF8String, each RDN's SET sorted) so that issuer/subject chaining during
 * path building is a byte comparison.
 */
import { DerReader, Tag, der, oidToString, bytesEqual } from './der.js';
import { DerError, X509Error } from './errors.js';
import { ATTRIBUTE_SHORT_NAMES, OID } from './oids.js';

export interface AttributeTypeAndValue {
  /** Dotted OID, or "invalid:<hex>" for an undecodable one. */
  readonly type: string;
  /** The OID's content octets. */
  readonly typeBytes: Uint8Array;
  readonly valueTag: number;
  readonly value: Uint8Array;
}

export type RelativeDistinguishedName = readonly AttributeTypeAndValue[];

/** Reads one RDN from the contents of its SET. */
function readRdn(r: DerReader): AttributeTypeAndValue[] {
  const out: AttributeTypeAndValue[] = [];
  if (!r.hasMore()) throw new DerError('DER_BAD_VALUE', 'RelativeDistinguishedName is empty');
  while (r.hasMore()) {
    const atv = r.enter(Tag.SEQUENCE, 'AttributeTypeAndValue');
    const typeBytes = atv.read(Tag.OID, 'AttributeType').value;
    const v = atv.readAny();
    atv.end();
    let type: string;
    try {
      type = oidToString(typeBytes);
    } catch {
      type = 'invalid:' + Buffer.from(typeBytes).toString('hex');
    }
    out.push({ type, typeBytes, valueTag: v.tag, value: v.value });
  }
  return out;
}

/** Parse the contents of a Name (the RDNSequence value, without its SEQUENCE header). */
export function parseRdnSequence(value: Uint8Array): RelativeDistinguishedName[] {
  const r = new DerReader(value, 'Name');
  const out: RelativeDistinguishedName[] = [];
  while (r.hasMore()) out.push(readRdn(r.enter(Tag.SET, 'RelativeDistinguishedName')));
  return out;
}

// ------------------------------------------------------------ string values

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

function isPrintableChar(c: number): boolean {
  // PrintableString alphabet (X.680 §41.4) plus '*' (Chromium accepts it for compatibility).
  return (
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x27 && c <= 0x3a) || // ' ( ) * + , - . / 0-9 :
    c === 0x20 ||
    c === 0x3d ||
    c === 0x3f
  );
}

/**
 * The value as UTF-8 bytes, for the string types we understand; undefined for
 * other types or invalid contents. `strict` also enforces the PrintableString
 * and IA5String alphabets (the "safe" conversion used for display and email).
 */
export function attributeValueUtf8(tag: number, v: Uint8Array, strict: boolean): Uint8Array | undefined {
  switch (tag) {
    case Tag.PrintableString:
      if (strict) for (const c of v) if (!isPrintableChar(c)) return undefined;
      return v;
    case Tag.IA5String:
      if (strict) for (const c of v) if (c > 0x7f) return undefined;
      return v;
    case Tag.UTF8String:
      try {
        utf8Decoder.decode(v);
      } catch {
        return undefined;
      }
      return v;
    case Tag.T61String: {
      // Treated as Latin-1, as Chromium and most verifiers do.
      let s = '';
      for (const b of v) s += String.fromCharCode(b);
      return utf8Encoder.encode(s);
    }
    case Tag.BMPString: {
      if (v.length % 2) return undefined;
      let s = '';
      for (let i = 0; i < v.length; i += 2) {
        const u = (v[i]! << 8) | v[i + 1]!;
        if (u >= 0xd800 && u <= 0xdfff) return undefined;
        s += String.fromCharCode(u);
      }
      return utf8Encoder.encode(s);
    }
    case Tag.UniversalString: {
      if (v.length % 4) return undefined;
      let s = '';
      for (let i = 0; i < v.length; i += 4) {
        const u = ((v[i]! << 24) >>> 0) + (v[i + 1]! << 16) + (v[i + 2]! << 8) + v[i + 3]!;
        if (u > 0x10ffff || (u >= 0xd800 && u <= 0xdfff)) return undefined;
        s += String.fromCodePoint(u);
      }
      return utf8Encoder.encode(s);
    }
    default:
      return undefined;
  }
}

/** The attribute value as a JS string (for display and email addresses), or undefined. */
export function attributeValueString(atv: AttributeTypeAndValue): string | undefined {
  const b = attributeValueUtf8(atv.valueTag, atv.value, true);
  return b === undefined ? undefined : Buffer.from(b).toString('utf8');
}

function isNormalizable(tag: number): boolean {
  return (
    tag === Tag.PrintableString || tag === Tag.UTF8String || tag === Tag.IA5String || tag === Tag.UniversalString || tag === Tag.BMPString
  );
}

/** Fold ASCII case, drop leading/trailing spaces, collapse runs; enforce the alphabet of `tag`. */
function normalizeDirectoryString(tag: number, input: Uint8Array): Uint8Array | undefined {
  const out: number[] = [];
  let i = 0;
  while (i < input.length && input[i] === 0x20) i++;
  for (; i < input.length; i++) {
    const c = input[i]!;
    if (c === 0x20) {
      if (i + 1 < input.length && input[i + 1] !== 0x20) out.push(0x20);
    } else if (c >= 0x41 && c <= 0x5a) {
      out.push(c + 0x20);
    } else {
      if (tag === Tag.PrintableString && !((c >= 0x61 && c <= 0x7a) || (c >= 0x27 && c <= 0x3a) || c === 0x3d || c === 0x3f)) return undefined;
      if (tag === Tag.IA5String && c > 0x7f) return undefined;
      out.push(c);
    }
  }
  return Uint8Array.from(out);
}

function normalizeValue(atv: AttributeTypeAndValue): Uint8Array | undefined {
  const u = attributeValueUtf8(atv.valueTag, atv.value, false);
  return u === undefined ? undefined : normalizeDirectoryString(atv.valueTag, u);
}

function valueMatch(a: AttributeTypeAndValue, b: AttributeTypeAndValue): boolean {
  if (isNormalizable(a.valueTag) && isNormalizable(b.valueTag)) {
    const na = normalizeValue(a);
    const nb = normalizeValue(b);
    return na !== undefined && nb !== undefined && bytesEqual(na, nb);
  }
  return a.valueTag === b.valueTag && bytesEqual(a.value, b.value);
}

function rdnMatch(a: RelativeDistinguishedName, b: RelativeDistinguishedName): boolean {
  if (a.length !== b.length) return false;
  const rest = [...b];
  for (const x of a) {
    const k = rest.findIndex((y) => bytesEqual(x.typeBytes, y.typeBytes) && valueMatch(x, y));
    if (k < 0) return false;
    rest.splice(k, 1);
  }
  return true;
}

function nameMatch(a: Uint8Array, b: Uint8Array, subtree: boolean): boolean {
  let ra: RelativeDistinguishedName[];
  let rb: RelativeDistinguishedName[];
  try {
    ra = parseRdnSequence(a);
    rb = parseRdnSequence(b);
  } catch {
    return false;
  }
  if (rb.length > ra.length || (!subtree && ra.length !== rb.length)) return false;
  for (let i = 0; i < rb.length; i++) if (!rdnMatch(ra[i]!, rb[i]!)) return false;
  return true;
}

/** RFC 5280 §7.1 name equality. Arguments are RDNSequence contents. */
export function verifyNameMatch(a: Uint8Array, b: Uint8Array): boolean {
  return nameMatch(a, b, false);
}

/** Is `name` within the subtree rooted at `parent` (parent's RDNs are a prefix of name's)? */
export function verifyNameInSubtree(name: Uint8Array, parent: Uint8Array): boolean {
  return nameMatch(name, parent, true);
}

/**
 * Canonical form of an RDNSequence (contents, no outer header): directory
 * strings become normalized UTF8String, each RDN's SET OF is sorted.
 * Throws X509Error for an invalid name or a value that violates its type.
 */
export function normalizeName(value: Uint8Array): Uint8Array {
  let rdns: RelativeDistinguishedName[];
  try {
    rdns = parseRdnSequence(value);
  } catch (e) {
    throw new X509Error('X509_BAD_NAME', `invalid Name: ${(e as Error).message}`, { cause: e });
  }
  const parts: Uint8Array[] = [];
  for (const rdn of rdns) {
    const atvs = rdn.map((atv) => {
      let v: Uint8Array;
      if (isNormalizable(atv.valueTag)) {
        const n = normalizeValue(atv);
        if (n === undefined) throw new X509Error('X509_BAD_NAME', `failed normalizing string (tag ${atv.valueTag}) of attribute ${atv.type}`);
        v = der.tlv(Tag.UTF8String, n);
      } else {
        v = der.tlv(atv.valueTag, atv.value);
      }
      return der.seq(der.tlv(Tag.OID, atv.typeBytes), v);
    });
    parts.push(der.setOf(...atvs));
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Email addresses in emailAddress attributes (for rfc822Name constraints on subjects without SANs). Undefined if one cannot be read. */
export function findEmailAddressesInName(value: Uint8Array): string[] | undefined {
  try {
    const out: string[] = [];
    for (const rdn of parseRdnSequence(value)) {
      for (const atv of rdn) {
        if (atv.type !== OID.emailAddress) continue;
        const s = attributeValueString(atv);
        if (s === undefined) return undefined;
        out.push(s);
      }
    }
    return out;
  } catch {
    return undefined;
  }
}

/** Node's shape for subject/issuer: short name → value, repeated names → arrays. */
export function nameToNodeObject(value: Uint8Array): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const rdn of parseRdnSequence(value)) {
    for (const atv of rdn) {
      const key = ATTRIBUTE_SHORT_NAMES[atv.type] ?? atv.type;
      const v = attributeValueString(atv) ?? Buffer.from(atv.value).toString('latin1');
      const prev = out[key];
      if (prev === undefined) out[key] = v;
      else if (Array.isArray(prev)) prev.push(v);
      else out[key] = [prev, v];
    }
  }
  return out;
}

/** A one-line RFC 4514-like rendering, most significant RDN first ("C=US, O=Example, CN=host"), for messages. */
export function nameToString(value: Uint8Array): string {
  try {
    return parseRdnSequence(value)
      .map((rdn) => rdn.map((atv) => `${ATTRIBUTE_SHORT_NAMES[atv.type] ?? atv.type}=${attributeValueString(atv) ?? '#' + Buffer.from(atv.value).toString('hex')}`).join('+'))
      .join(', ');
  } catch {
    return '<invalid name>';
  }
}

/** The commonName values of a name (for display only; never used for host matching). */
export function commonNames(value: Uint8Array): string[] {
  const out: string[] = [];
  for (const rdn of parseRdnSequence(value)) for (const atv of rdn) if (atv.type === OID.commonName) out.push(attributeValueString(atv) ?? '');
  return out;
}

