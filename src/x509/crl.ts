/**
 * Certificate revocation lists (RFC 5280 §5): one codec, decode and encode
 * side by side.
 *
 *   CertificateList ::= SEQUENCE { tbsCertList TBSCertList,
 *                                  signatureAlgorithm AlgorithmIdentifier,
 *                                  signatureValue BIT STRING }
 *   TBSCertList ::= SEQUENCE {
 *     version Version OPTIONAL,              -- if present, MUST be v2 (1)
 *     signature AlgorithmIdentifier,         -- MUST equal signatureAlgorithm
 *     issuer Name,
 *     thisUpdate Time,
 *     nextUpdate Time OPTIONAL,
 *     revokedCertificates SEQUENCE OF SEQUENCE {
 *       userCertificate CertificateSerialNumber,
 *       revocationDate Time,
 *       crlEntryExtensions Extensions OPTIONAL } OPTIONAL,
 *     crlExtensions [0] EXPLICIT Extensions OPTIONAL }
 *
 * {@link CertificateRevocationList.fromDer} is strict in the way the
 * certificate parser is (the same DerReader: one encoding per value, every
 * length bounds-checked, every container consumed) and fails with one typed
 * error, X509Error 'X509_BAD_CRL', for anything malformed. Size and entry
 * count are capped (MAX_CRL_BYTES, MAX_CRL_ENTRIES in limits.ts).
 *
 * Entries are not kept as objects: the list keeps a Map from the hex of each
 * serial's INTEGER content octets to the entry's offset in the DER, so a
 * lookup is O(1) and a CRL of a million entries costs ~100 MB rather than
 * several hundred. An entry is re-read from the DER when asked for
 * ({@link CertificateRevocationList.getEntry}, `entries()`); it was fully
 * checked once, at parse time.
 *
 * What parses but cannot be used for path validation (see revocation.ts) is
 * recorded, not refused: `unsupported` (a deltaCRLIndicator — delta CRLs are
 * not implemented — or a certificateIssuer entry in a CRL not marked
 * indirect) and `unhandledCriticalExtension` (a critical CRL
 * extension other than authorityKeyIdentifier / issuingDistributionPoint — a
 * critical cRLNumber included, §5.2.3 — or a critical entry extension other
 * than reasonCode / invalidityDate). `issuingDistributionPoint` holds a
 * partial CRL's scope (crl-scope.ts).
 *
 * An entry whose reasonCode is removeFromCRL does not revoke (as OpenSSL:
 * that reason only has meaning in a delta CRL).
 */
import {
  DerReader,
  Tag,
  bytesEqual,
  checkInteger,
  contextConstructed,
  der,
  integerToBigInt,
  integerToSafeNumber,
  parseGeneralizedTime,
  parseSingle,
  readTime,
  type DerTime,
} from './der.js';
import { DerError, X509Error } from './errors.js';
import { parseAuthorityKeyIdentifier, parseExtensions, type AuthorityKeyIdentifier, type Extension } from './certificate.js';
import { parseSignatureAlgorithm, type X509SignatureAlgorithm } from './algorithms.js';
import { MAX_CRL_BYTES, MAX_CRL_ENTRIES } from './limits.js';
import { nameToString, normalizeName } from './name.js';
import { OID } from './oids.js';
import { parseIssuingDistributionPoint, type IssuingDistributionPoint } from './crl-scope.js';
import { decodePem, encodePem, looksLikePem } from './pem.js';

/** CRLReason (RFC 5280 §5.3.1); 7 is unused. */
export const CrlReason = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  removeFromCRL: 8,
  privilegeWithdrawn: 9,
  aACompromise: 10,
} as const;
export type CrlReasonName = keyof typeof CrlReason;

const REASON_NAMES = new Map<number, CrlReasonName>(Object.entries(CrlReason).map(([k, v]) => [v, k as CrlReasonName]));

/** The PEM label of a CRL (RFC 7468 §5). */
export const CRL_PEM_LABEL = 'X509 CRL';

export interface RevokedCertificate {
  /** userCertificate: the INTEGER's content octets (as Certificate.serialNumber). */
  readonly serialNumber: Uint8Array;
  readonly revocationDate: Date;
  /** reasonCode entry extension; absent means unspecified. */
  readonly reason?: CrlReasonName;
  /** invalidityDate entry extension. */
  readonly invalidityDate?: Date;
  readonly extensions: ReadonlyMap<string, Extension>;
}

/** What a parsed revokedCertificates entry says (internal: shared by parse and getEntry). */
interface ParsedEntry {
  readonly serial: Uint8Array;
  readonly date: DerTime;
  readonly extensions?: Map<string, Extension>;
  readonly reason?: CrlReasonName;
  readonly invalidityDate?: DerTime;
}

function fail(message: string, cause?: unknown): never {
  throw new X509Error('X509_BAD_CRL', message, cause === undefined ? undefined : { cause });
}

/** Run `f`, turning any error into X509Error 'X509_BAD_CRL' naming `what`. */
function field<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof X509Error && e.code === 'X509_BAD_CRL') throw e;
    fail(`invalid CRL: ${what}: ${(e as Error)?.message ?? String(e)}`, e);
  }
}

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/** CRLReason ::= ENUMERATED (the extnValue contents). */
export function parseReasonCode(v: Uint8Array): CrlReasonName {
  const t = parseSingle(v, Tag.ENUMERATED, 'CRLReason');
  const n = integerToSafeNumber(checkInteger(t.value, 'CRLReason'), 'CRLReason');
  const name = REASON_NAMES.get(n);
  if (name === undefined) throw new DerError('DER_BAD_VALUE', `unknown CRLReason ${n}`);
  return name;
}

/** One revokedCertificates entry (its SEQUENCE contents), checked completely. `v2`: extensions are allowed. */
function parseEntry(contents: Uint8Array, v2: boolean): ParsedEntry {
  const e = new DerReader(contents, 'revokedCertificate');
  const serial = e.readInteger('userCertificate');
  const date = readTime(e);
  const extT = e.readOptional(Tag.SEQUENCE);
  e.end();
  if (!extT) return { serial, date };
  if (!v2) fail('invalid CRL: crlEntryExtensions in a v1 CRL (the version must be v2)');
  const extensions = parseExtensions(extT.raw);
  let reason: CrlReasonName | undefined;
  let invalidityDate: DerTime | undefined;
  let x = extensions.get(OID.reasonCode);
  if (x) reason = parseReasonCode(x.value);
  if ((x = extensions.get(OID.invalidityDate))) invalidityDate = parseGeneralizedTime(parseSingle(x.value, Tag.GeneralizedTime, 'invalidityDate').value);
  return { serial, date, extensions, ...(reason !== undefined ? { reason } : {}), ...(invalidityDate ? { invalidityDate } : {}) };
}

// cRLNumber is not here: §5.2.3 says it is non-critical, so a critical one makes the CRL unusable.
const HANDLED_CRITICAL_CRL_EXTENSIONS = new Set<string>([OID.authorityKeyIdentifier, OID.issuingDistributionPoint]);
const HANDLED_CRITICAL_ENTRY_EXTENSIONS = new Set<string>([OID.reasonCode, OID.invalidityDate, OID.certificateIssuer]);

/** certificateIssuer (GeneralNames) → the hex of its directoryName's normalized form (other name forms never match a certificate issuer). */
function certificateIssuerKey(value: Uint8Array): string {
  const g = new DerReader(parseSingle(value, Tag.SEQUENCE, 'CertificateIssuer').value, 'GeneralNames');
  while (g.hasMore()) {
    const t = g.readAny();
    if (t.tag === contextConstructed(4)) return hex(normalizeName(new DerReader(t.value, 'directoryName').read(Tag.SEQUENCE, 'Name').value));
  }
  return 'none';
}

/** Inputs accepted wherever CRLs are: PEM text (one or more "X509 CRL" blocks), DER bytes, or parsed lists. */
export type CrlInput = string | Uint8Array | CertificateRevocationList;

export class CertificateRevocationList {
  /** The whole CertificateList DER. */
  readonly der: Uint8Array;
  /** The TBSCertList TLV (what the issuer signed). */
  readonly tbsRaw: Uint8Array;
  /** CertificateList.signatureAlgorithm TLV (byte-equal to TBSCertList.signature). */
  readonly signatureAlgorithmRaw: Uint8Array;
  /** undefined: unknown algorithm or bad parameters (the CRL is then unusable, not malformed). */
  readonly signatureAlgorithm: X509SignatureAlgorithm | undefined;
  readonly signature: Uint8Array;
  readonly version: 1 | 2;
  /** issuer Name TLV and its RDNSequence contents. */
  readonly issuerRaw: Uint8Array;
  readonly issuer: Uint8Array;
  /** RFC 5280 §7.1 canonical form of the issuer (compared with Certificate.normalizedIssuer). */
  readonly normalizedIssuer: Uint8Array;
  readonly thisUpdateTime: DerTime;
  readonly nextUpdateTime?: DerTime;
  /** crlExtensions (empty map when absent). */
  readonly extensions: ReadonlyMap<string, Extension>;
  readonly crlNumber?: bigint;
  readonly authorityKeyIdentifier?: AuthorityKeyIdentifier;
  /** Its scope (RFC 5280 §5.2.5), when it has an issuingDistributionPoint (a partial CRL). */
  readonly issuingDistributionPoint?: IssuingDistributionPoint;
  /** Why this CRL cannot be used for path validation (delta or indirect CRL); undefined when it can. */
  readonly unsupported?: string;
  /** The OID of the first critical CRL or entry extension this code does not process. */
  readonly unhandledCriticalExtension?: string;

  /** hex(serial content octets) → offset of the entry's TLV in `der`. */
  private readonly entryOffsets = new Map<string, number>();
  /** Indirect CRLs: serial → normalized names (hex) of the CAs whose certificate with that serial is listed. */
  private readonly issuersBySerial = new Map<string, Set<string>>();
  /** Serials whose (first) entry has reason removeFromCRL. */
  private readonly removed = new Set<string>();

  private constructor(input: Uint8Array) {
    if (input.length > MAX_CRL_BYTES) fail(`CRL of ${input.length} bytes exceeds ${MAX_CRL_BYTES} (MAX_CRL_BYTES)`);
    this.der = input;
    const outer = field('CertificateList', () => {
      const top = new DerReader(input, 'CertificateList');
      const t = top.read(Tag.SEQUENCE, 'CertificateList');
      top.end();
      return t;
    });
    const r = new DerReader(outer.value, 'CertificateList');
    const tbs = field('tbsCertList', () => r.read(Tag.SEQUENCE, 'tbsCertList'));
    this.tbsRaw = tbs.raw;
    this.signatureAlgorithmRaw = field('signatureAlgorithm', () => r.read(Tag.SEQUENCE, 'signatureAlgorithm').raw);
    const sig = field('signatureValue', () => r.readBitString());
    field('CertificateList', () => r.end());
    if (sig.unusedBits !== 0) fail('invalid CRL: signatureValue has unused bits');
    this.signature = sig.bytes;
    this.signatureAlgorithm = parseSignatureAlgorithm(this.signatureAlgorithmRaw);

    const t = new DerReader(tbs.value, 'TBSCertList');
    this.version = field('version', () => {
      if (t.peekTag() !== Tag.INTEGER) return 1;
      const v = t.readInteger('version');
      if (v.length !== 1 || v[0] !== 1) fail(`invalid CRL: version must be absent (v1) or v2 (1), got ${integerToBigInt(v)}`);
      return 2;
    });
    const innerAlg = field('signature', () => t.read(Tag.SEQUENCE, 'signature').raw);
    if (!bytesEqual(innerAlg, this.signatureAlgorithmRaw)) fail('invalid CRL: TBSCertList.signature differs from CertificateList.signatureAlgorithm');
    const issuerT = field('issuer', () => t.read(Tag.SEQUENCE, 'issuer'));
    this.issuerRaw = issuerT.raw;
    this.issuer = issuerT.value;
    this.normalizedIssuer = field('issuer', () => normalizeName(issuerT.value));
    this.thisUpdateTime = field('thisUpdate', () => readTime(t));
    const next = field('nextUpdate', () => (t.peekTag() === Tag.UTCTime || t.peekTag() === Tag.GeneralizedTime ? readTime(t) : undefined));
    if (next) {
      if (next.ms < this.thisUpdateTime.ms) fail('invalid CRL: nextUpdate is before thisUpdate');
      this.nextUpdateTime = next;
    }

    let unsupported: string | undefined;
    let unhandled: string | undefined;
    const revokedT = field('revokedCertificates', () => t.readOptional(Tag.SEQUENCE));
    const extT = field('crlExtensions', () => t.readOptional(contextConstructed(0)));
    field('TBSCertList', () => t.end());
    if (extT && this.version !== 2) fail('invalid CRL: crlExtensions in a v1 CRL (the version must be v2)');

    // CRL extensions first: what they say does not depend on the entries.
    this.extensions = extT ? field('crlExtensions', () => parseExtensions(parseSingle(extT.value, Tag.SEQUENCE, 'Extensions').raw)) : new Map();
    for (const e of this.extensions.values()) {
      if (e.oid === OID.issuingDistributionPoint) {
        const idp = field('issuingDistributionPoint', () => parseIssuingDistributionPoint(e.value, this.issuer));
        this.issuingDistributionPoint = idp;
      } else if (e.oid === OID.deltaCRLIndicator) unsupported ??= 'it is a delta CRL (deltaCRLIndicator)';
      else if (e.critical && !HANDLED_CRITICAL_CRL_EXTENSIONS.has(e.oid)) unhandled ??= e.oid;
    }
    const aki = this.extensions.get(OID.authorityKeyIdentifier);
    if (aki) this.authorityKeyIdentifier = field('authorityKeyIdentifier', () => parseAuthorityKeyIdentifier(aki.value));
    const num = this.extensions.get(OID.cRLNumber);
    if (num) {
      this.crlNumber = field('cRLNumber', () => {
        const n = checkInteger(parseSingle(num.value, Tag.INTEGER, 'CRLNumber').value, 'CRLNumber');
        // §5.2.3: 0..MAX, at most 20 octets.
        if ((n[0]! & 0x80) !== 0) fail('invalid CRL: cRLNumber is negative');
        if (n.length > 21 || (n.length === 21 && n[0] !== 0)) fail('invalid CRL: cRLNumber is longer than 20 octets');
        return integerToBigInt(n);
      });
    }

    if (revokedT) {
      // Count first (one cheap TLV walk), so an oversized list is refused before the costly part.
      field('revokedCertificates', () => {
        const counter = new DerReader(revokedT.value, 'revokedCertificates');
        for (let n = 1; counter.hasMore(); n++) {
          counter.readAny();
          if (n > MAX_CRL_ENTRIES) fail(`invalid CRL: more than ${MAX_CRL_ENTRIES} revoked certificates (MAX_CRL_ENTRIES)`);
        }
      });
      const base = input.byteOffset;
      const entries = new DerReader(revokedT.value, 'revokedCertificates');
      const v2 = this.version === 2;
      const indirect = this.issuingDistributionPoint?.indirectCRL === true;
      // §5.3.3: in an indirect CRL each entry's certificate issuer is the last certificateIssuer seen, the CRL issuer before any.
      let entryIssuer = hex(this.normalizedIssuer);
      field('revokedCertificates', () => {
        while (entries.hasMore()) {
          const tlv = entries.read(Tag.SEQUENCE, 'revokedCertificate');
          const p = parseEntry(tlv.value, v2);
          const key = hex(p.serial);
          if (indirect) {
            const ci = p.extensions?.get(OID.certificateIssuer);
            if (ci) entryIssuer = certificateIssuerKey(ci.value);
            const set = this.issuersBySerial.get(key) ?? new Set<string>();
            set.add(entryIssuer);
            this.issuersBySerial.set(key, set);
          }
          if (this.entryOffsets.has(key)) continue;
          this.entryOffsets.set(key, tlv.raw.byteOffset - base);
          if (p.reason === 'removeFromCRL') this.removed.add(key);
          if (p.extensions) {
            for (const e of p.extensions.values()) {
              if (e.oid === OID.certificateIssuer) {
                if (!indirect) unsupported ??= 'an entry has a certificateIssuer extension but the CRL is not marked indirect';
              }
              else if (e.critical && !HANDLED_CRITICAL_ENTRY_EXTENSIONS.has(e.oid)) unhandled ??= e.oid;
            }
          }
        }
      });
    }
    if (unsupported !== undefined) this.unsupported = unsupported;
    if (unhandled !== undefined) this.unhandledCriticalExtension = unhandled;
  }

  /** Parse a DER CertificateList. Throws X509Error 'X509_BAD_CRL' for anything malformed or over the limits. */
  static fromDer(input: Uint8Array): CertificateRevocationList {
    try {
      return new CertificateRevocationList(input instanceof Uint8Array ? input : new Uint8Array(input));
    } catch (e) {
      if (e instanceof X509Error && e.code === 'X509_BAD_CRL') throw e;
      fail(`invalid CRL: ${(e as Error)?.message ?? String(e)}`, e);
    }
  }

  /** Parse the first "X509 CRL" block of a PEM string. */
  static fromPem(pem: string): CertificateRevocationList {
    const ders = field('PEM', () => decodePem(pem, CRL_PEM_LABEL));
    if (ders.length === 0) fail(`no ${CRL_PEM_LABEL} block in PEM input`);
    return CertificateRevocationList.fromDer(ders[0]!);
  }

  /** Every CRL of a PEM string (or of PEM bytes), or the one CRL of DER bytes. */
  static parseAll(input: string | Uint8Array): CertificateRevocationList[] {
    if (typeof input === 'string' || looksLikePem(input)) {
      const text = typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
      const ders = field('PEM', () => decodePem(text, CRL_PEM_LABEL));
      if (ders.length === 0) fail(`no ${CRL_PEM_LABEL} block in PEM input`);
      return ders.map((d) => CertificateRevocationList.fromDer(d));
    }
    return [CertificateRevocationList.fromDer(input)];
  }

  get thisUpdate(): Date {
    return new Date(this.thisUpdateTime.ms);
  }
  get nextUpdate(): Date | undefined {
    return this.nextUpdateTime ? new Date(this.nextUpdateTime.ms) : undefined;
  }
  /** "C=US, O=Example, CN=CA" (for messages). */
  get issuerString(): string {
    return nameToString(this.issuer);
  }
  /** Number of distinct serials listed. */
  get size(): number {
    return this.entryOffsets.size;
  }

  /**
   * Does this CRL revoke the certificate with this serial issued by the CA
   * with this normalized name? In an indirect CRL the entry's certificate
   * issuer must match; otherwise the CRL issuer is every entry's issuer.
   */
  isRevokedFor(serialNumber: Uint8Array, normalizedIssuer: Uint8Array): boolean {
    if (this.issuingDistributionPoint?.indirectCRL !== true) return bytesEqual(normalizedIssuer, this.normalizedIssuer) && this.isRevoked(serialNumber);
    const key = hex(serialNumber);
    return this.issuersBySerial.get(key)?.has(hex(normalizedIssuer)) === true && !this.removed.has(key);
  }

  /** Does this CRL revoke the certificate with this serial (INTEGER content octets)? O(1). */
  isRevoked(serialNumber: Uint8Array): boolean {
    if (this.entryOffsets.size === 0) return false;
    const key = hex(serialNumber);
    return this.entryOffsets.has(key) && !this.removed.has(key);
  }

  /** The entry listing this serial, re-read from the DER; undefined when not listed. */
  getEntry(serialNumber: Uint8Array): RevokedCertificate | undefined {
    const off = this.entryOffsets.get(hex(serialNumber));
    return off === undefined ? undefined : this.entryAt(off);
  }

  /** Every entry, in CRL order (the first of duplicated serials only). */
  *entries(): IterableIterator<RevokedCertificate> {
    for (const off of this.entryOffsets.values()) yield this.entryAt(off);
  }

  private entryAt(off: number): RevokedCertificate {
    const p = parseEntry(new DerReader(this.der.subarray(off), 'revokedCertificates').read(Tag.SEQUENCE).value, this.version === 2);
    return {
      serialNumber: p.serial,
      revocationDate: new Date(p.date.ms),
      ...(p.reason !== undefined ? { reason: p.reason } : {}),
      ...(p.invalidityDate ? { invalidityDate: new Date(p.invalidityDate.ms) } : {}),
      extensions: p.extensions ?? new Map(),
    };
  }

  toPem(): string {
    return encodePem(CRL_PEM_LABEL, this.der);
  }
}

/** Parse PEM (one or more CRLs), DER, or pass parsed lists through. Throws X509Error 'X509_BAD_CRL'. */
export function toCrls(input: CrlInput | readonly CrlInput[]): CertificateRevocationList[] {
  if (Array.isArray(input)) return (input as readonly CrlInput[]).flatMap((x) => toCrls(x));
  if (input instanceof CertificateRevocationList) return [input];
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) fail('a CRL must be PEM text, DER bytes or a CertificateRevocationList');
  return CertificateRevocationList.parseAll(input as string | Uint8Array);
}

// ------------------------------------------------------------------ encoding

export interface RevokedCertificateFields {
  /** The INTEGER's content octets (e.g. Certificate.serialNumber), or a value. */
  readonly serialNumber: Uint8Array | bigint;
  readonly revocationDate: Date;
  /** Entry extensions, in order (reasonCode, invalidityDate, ...). */
  readonly extensions?: readonly Extension[];
}

export interface TbsCertListFields {
  /** AlgorithmIdentifier TLV (written twice: TBSCertList.signature and CertificateList.signatureAlgorithm). */
  readonly signatureAlgorithm: Uint8Array;
  /** issuer Name TLV (the issuing CA's subject, byte for byte). */
  readonly issuer: Uint8Array;
  readonly thisUpdate: Date;
  readonly nextUpdate?: Date;
  readonly revoked?: readonly RevokedCertificateFields[];
  readonly extensions?: readonly Extension[];
}

/** Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING } */
export function encodeExtension(e: Extension): Uint8Array {
  return e.critical ? der.seq(der.oid(e.oid), der.bool(true), der.octets(e.value)) : der.seq(der.oid(e.oid), der.octets(e.value));
}

function serialTlv(s: Uint8Array | bigint): Uint8Array {
  if (typeof s === 'bigint') return der.int(s);
  try {
    return der.tlv(Tag.INTEGER, checkInteger(s, 'serialNumber'));
  } catch (e) {
    throw new X509Error('X509_BAD_ARGUMENT', `serial number: ${(e as Error).message}`, { cause: e });
  }
}

/** reasonCode extnValue: CRLReason ENUMERATED. */
export function encodeReasonCode(reason: CrlReasonName): Uint8Array {
  const v = CrlReason[reason];
  if (v === undefined) throw new X509Error('X509_BAD_ARGUMENT', `unknown CRL reason "${String(reason)}"`);
  return der.tlv(Tag.ENUMERATED, Uint8Array.of(v));
}

/** invalidityDate extnValue: GeneralizedTime (§5.3.2, always GeneralizedTime). */
export function encodeInvalidityDate(d: Date): Uint8Array {
  const two = (n: number): string => String(n).padStart(2, '0');
  const s = `${String(d.getUTCFullYear()).padStart(4, '0')}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}Z`;
  return der.tlv(Tag.GeneralizedTime, new TextEncoder().encode(s));
}

/** The TBSCertList TLV; v2 (version present) whenever there is an extension, v1 otherwise (§5.1.2.1). */
export function encodeTbsCertList(f: TbsCertListFields): Uint8Array {
  const revoked = f.revoked ?? [];
  const v2 = (f.extensions?.length ?? 0) > 0 || revoked.some((r) => (r.extensions?.length ?? 0) > 0);
  const parts: Uint8Array[] = [];
  if (v2) parts.push(der.int(1));
  parts.push(f.signatureAlgorithm, f.issuer, der.time(f.thisUpdate));
  if (f.nextUpdate) parts.push(der.time(f.nextUpdate));
  // §5.1.2.6: when nothing is revoked the list MUST be absent.
  if (revoked.length > 0) {
    parts.push(
      der.seq(
        ...revoked.map((r) =>
          der.seq(serialTlv(r.serialNumber), der.time(r.revocationDate), ...(r.extensions?.length ? [der.seq(...r.extensions.map(encodeExtension))] : [])),
        ),
      ),
    );
  }
  if (f.extensions?.length) parts.push(der.explicit(0, der.seq(...f.extensions.map(encodeExtension))));
  return der.seq(...parts);
}

/** CertificateList from a TBSCertList TLV, the AlgorithmIdentifier TLV and the signature. */
export function encodeCertificateList(tbs: Uint8Array, signatureAlgorithm: Uint8Array, signature: Uint8Array): Uint8Array {
  return der.seq(tbs, signatureAlgorithm, der.bits(signature));
}
