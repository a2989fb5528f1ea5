/**
 * Certificate parsing (RFC 5280 §4.1, §4.2).
 *
 *   Certificate ::= SEQUENCE { tbsCertificate TBSCertificate,
 *                              signatureAlgorithm AlgorithmIdentifier,
 *                              signatureValue BIT STRING }
 *
 * {@link Certificate.fromDer} parses everything path validation needs up
 * front, strictly, and fails with one typed error naming the field: a
 * certificate that is half-understood is a certificate that will be
 * half-checked. What is deliberately *not* a parse error (so that path
 * validation can report it with the right verdict): an unknown or weak
 * signature algorithm, an unknown critical extension, an unsupported key type.
 *
 * Extensions understood: basicConstraints, keyUsage, extKeyUsage,
 * subjectAltName, nameConstraints, certificatePolicies, policyMappings,
 * policyConstraints, inhibitAnyPolicy, subject/authorityKeyIdentifier,
 * authorityInfoAccess, cRLDistributionPoints. A duplicated extension is an
 * error (§4.2: "MUST NOT include more than one instance").
 */
import { defaultProvider } from '../crypto/node.js';
import type { CryptoProvider } from '../crypto/provider.js';
import {
  DerReader,
  Tag,
  bitStringHas,
  contextConstructed,
  contextPrimitive,
  integerIsNegative,
  integerToSafeNumber,
  oidToString,
  parseBitString,
  parseBoolean,
  parseSingle,
  readTime,
  checkInteger,
  type BitString,
  type DerTime,
} from './der.js';
import { DerError, X509Error, type X509ErrorCode } from './errors.js';
import { addGeneralName, emptyGeneralNames, parseGeneralNames, type GeneralNames } from './general-names.js';
import { MAX_CERTIFICATE_BYTES } from './limits.js';
import { NameConstraints } from './name-constraints.js';
import { normalizeName, nameToString, parseRdnSequence } from './name.js';
import { OID } from './oids.js';
import { decodePem, looksLikePem } from './pem.js';
import { parseSignatureAlgorithm, type X509SignatureAlgorithm } from './algorithms.js';

export interface Extension {
  readonly oid: string;
  readonly critical: boolean;
  /** extnValue contents (the DER of the extension's own type). */
  readonly value: Uint8Array;
}

export interface BasicConstraints {
  readonly isCA: boolean;
  /** undefined when absent. */
  readonly pathLen?: number;
}

/** KeyUsage bit numbers (RFC 5280 §4.2.1.3). */
export const KeyUsageBit = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
  encipherOnly: 7,
  decipherOnly: 8,
} as const;
export type KeyUsageName = keyof typeof KeyUsageBit;

export interface PolicyConstraints {
  readonly requireExplicitPolicy?: number;
  readonly inhibitPolicyMapping?: number;
}

export interface PolicyMapping {
  readonly issuerDomainPolicy: string;
  readonly subjectDomainPolicy: string;
}

export interface AuthorityKeyIdentifier {
  readonly keyIdentifier?: Uint8Array;
  /** The [1] GeneralNames TLV (as in the certificate). */
  readonly authorityCertIssuer?: Uint8Array;
  readonly authorityCertSerialNumber?: Uint8Array;
}

export interface AccessDescription {
  readonly method: string;
  /** The GeneralName TLV. */
  readonly location: Uint8Array;
}

export interface DistributionPoint {
  readonly fullName?: GeneralNames;
  /** Contents of [1] nameRelativeToCRLIssuer (as Chromium, not re-interpreted). */
  readonly nameRelativeToCrlIssuer?: Uint8Array;
  /** ReasonFlags BIT STRING contents. */
  readonly reasons?: Uint8Array;
  /** cRLIssuer [2] TLV. */
  readonly crlIssuer?: Uint8Array;
}

export interface ParseOptions {
  /** Accept serial numbers longer than 20 octets (RFC 5280 §4.1.2.2 forbids them). */
  readonly allowInvalidSerialNumbers?: boolean;
}

function fail(code: X509ErrorCode, message: string, cause?: unknown): never {
  throw new X509Error(code, message, cause === undefined ? undefined : { cause });
}

/** Run `f`, re-labelling DER errors as `code` with `what` (so messages name the field). */
function field<T>(code: X509ErrorCode, what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof X509Error) throw e;
    if (e instanceof DerError) fail(code, `${what}: ${e.message}`, e);
    fail(code, `${what}: ${(e as Error).message}`, e);
  }
}

// ------------------------------------------------------------ extension parsers

export function parseBasicConstraints(v: Uint8Array): BasicConstraints {
  return field('X509_BAD_EXTENSION', 'failed parsing basic constraints', () => {
    const r = new DerReader(parseSingle(v, Tag.SEQUENCE, 'BasicConstraints').value, 'BasicConstraints');
    // cA DEFAULT FALSE: an explicit FALSE is not DER but common, so accepted (as Chromium does).
    const ca = r.readOptional(Tag.BOOLEAN);
    const isCA = ca ? parseBoolean(ca.value) : false;
    const pl = r.readOptional(Tag.INTEGER);
    r.end();
    if (!pl) return { isCA };
    const n = checkInteger(pl.value);
    if (integerIsNegative(n) || n.length > 2 || (n.length === 2 && n[0] !== 0)) fail('X509_BAD_EXTENSION', 'failed parsing basic constraints: pathLenConstraint out of range (0..255)');
    return { isCA, pathLen: integerToSafeNumber(n) };
  });
}

export function parseKeyUsage(v: Uint8Array): BitString {
  return field('X509_BAD_EXTENSION', 'failed parsing key usage', () => {
    const b = parseBitString(parseSingle(v, Tag.BIT_STRING).value);
    // §4.2.1.3: at least one bit MUST be set.
    if (!b.bytes.some((x) => x !== 0)) fail('X509_BAD_EXTENSION', 'failed parsing key usage: no bit set');
    return b;
  });
}

export function parseExtKeyUsage(v: Uint8Array): string[] {
  return field('X509_BAD_EXTENSION', 'failed parsing extended key usage', () => {
    const r = new DerReader(parseSingle(v, Tag.SEQUENCE, 'ExtKeyUsageSyntax').value, 'ExtKeyUsageSyntax');
    if (!r.hasMore()) fail('X509_BAD_EXTENSION', 'failed parsing extended key usage: empty');
    const out: string[] = [];
    while (r.hasMore()) out.push(r.readOid());
    return out;
  });
}

export interface PolicyInformation {
  readonly policy: string;
  readonly qualifiers: readonly { readonly id: string; readonly raw: Uint8Array }[];
}

/**
 * certificatePolicies. `failOnUnknownQualifier`: a critical extension must only
 * carry the CPS / user-notice qualifiers we know how to skip (§4.2.1.4).
 */
export function parseCertificatePolicies(v: Uint8Array, failOnUnknownQualifier = false): PolicyInformation[] {
  return field('X509_BAD_EXTENSION', 'failed parsing certificate policies', () => {
    const r = new DerReader(parseSingle(v, Tag.SEQUENCE, 'certificatePolicies').value, 'certificatePolicies');
    if (!r.hasMore()) fail('X509_BAD_EXTENSION', 'failed parsing certificate policies: empty');
    const out: PolicyInformation[] = [];
    const seen = new Set<string>();
    while (r.hasMore()) {
      const pi = r.enter(Tag.SEQUENCE, 'PolicyInformation');
      const policy = pi.readOid();
      if (seen.has(policy)) fail('X509_BAD_EXTENSION', `failed parsing certificate policies: policy ${policy} repeated`);
      seen.add(policy);
      const qualifiers: { id: string; raw: Uint8Array }[] = [];
      const q = pi.readOptional(Tag.SEQUENCE);
      pi.end();
      if (q) {
        const qr = new DerReader(q.value, 'policyQualifiers');
        if (!qr.hasMore()) fail('X509_BAD_EXTENSION', 'failed parsing certificate policies: the policy qualifiers SEQUENCE is empty');
        while (qr.hasMore()) {
          const pq = qr.enter(Tag.SEQUENCE, 'PolicyQualifierInfo');
          const id = pq.readOid();
          if (!pq.hasMore()) fail('X509_BAD_EXTENSION', 'failed parsing certificate policies: PolicyQualifierInfo is missing qualifier');
          const raw = pq.readAny().raw;
          pq.end();
          if (failOnUnknownQualifier && id !== OID.cps && id !== OID.userNotice) fail('X509_BAD_EXTENSION', `unknown policy qualifier ${id}`);
          qualifiers.push({ id, raw });
        }
      }
      out.push({ policy, qualifiers });
    }
    return out;
  });
}

function skipCerts(v: Uint8Array, what: string): number {
  const n = checkInteger(v, what);
  if (integerIsNegative(n) || n.length > 2 || (n.length === 2 && n[0] !== 0)) fail('X509_BAD_EXTENSION', `${what} out of range`);
  return integerToSafeNumber(n);
}

export function parsePolicyConstraints(v: Uint8Array): PolicyConstraints {
  return field('X509_BAD_EXTENSION', 'failed parsing policy constraints', () => {
    const r = new DerReader(parseSingle(v, Tag.SEQUENCE, 'PolicyConstraints').value, 'PolicyConstraints');
    const req = r.readOptional(contextPrimitive(0));
    const inh = r.readOptional(contextPrimitive(1));
    r.end();
    if (!req && !inh) fail('X509_BAD_EXTENSION', 'failed parsing policy constraints: empty');
    const out: { requireExplicitPolicy?: number; inhibitPolicyMapping?: number } = {};
    if (req) out.requireExplicitPolicy = skipCerts(req.value, 'requireExplicitPolicy');
    if (inh) out.inhibitPolicyMapping = skipCerts(inh.value, 'inhibitPolicyMapping');
    return out;
  });
}

export function parsePolicyMappings(v: Uint8Array): PolicyMapping[] {
  return field('X509_BAD_EXTENSION', 'failed parsing policy mappings', () => {
    const r = new DerReader(parseSingle(v, Tag.SEQUENCE, 'PolicyMappings').value, 'PolicyMappings');
    if (!r.hasMore()) fail('X509_BAD_EXTENSION', 'failed parsing policy mappings: empty');
    const out: PolicyMapping[] = [];
    while (r.hasMore()) {
      const m = r.enter(Tag.SEQUENCE, 'PolicyMapping');
      out.push({ issuerDomainPolicy: m.readOid(), subjectDomainPolicy: m.readOid() });
      m.end();
    }
    return out;
  });
}

export function parseInhibitAnyPolicy(v: Uint8Array): number {
  return field('X509_BAD_EXTENSION', 'failed parsing inhibit any policy', () => skipCerts(parseSingle(v, Tag.INTEGER).value, 'inhibitAnyPolicy'));
}

export function parseSubjectKeyIdentifier(v: Uint8Array): Uint8Array {
  return field('X509_BAD_EXTENSION', 'failed parsing subject key identifier', () => parseSingle(v, Tag.OCTET_STRING).value);
}

export function parseAuthorityKeyIdentifier(v: Uint8Array): AuthorityKeyIdentifier {
  return field('X509_BAD_EXTENSION', 'failed parsing authority key identifier', () => {
    const r = new DerReader(parseSingle(v, Tag.SEQUENCE, 'AuthorityKeyIdentifier').value, 'AuthorityKeyIdentifier');
    const kid = r.readOptional(contextPrimitive(0));
    const issuer = r.readOptional(contextConstructed(1));
    const serial = r.readOptional(contextPrimitive(2));
    r.end();
    if (!!issuer !== !!serial) fail('X509_BAD_EXTENSION', 'authorityCertIssuer and authorityCertSerialNumber must both be present or both absent');
    const out: { keyIdentifier?: Uint8Array; authorityCertIssuer?: Uint8Array; authorityCertSerialNumber?: Uint8Array } = {};
    if (kid) out.keyIdentifier = kid.value;
    if (issuer) {
      // GeneralNames, IMPLICIT [1]: re-tag to parse.
      const gn = new DerReader(issuer.value, 'authorityCertIssuer');
      if (!gn.hasMore()) fail('X509_BAD_EXTENSION', 'authorityCertIssuer is empty');
      const names = emptyGeneralNames();
      while (gn.hasMore()) {
        const t = gn.readAny();
        addGeneralName(t.tag, t.value, t.raw, false, names);
      }
      out.authorityCertIssuer = issuer.raw;
    }
    if (serial) out.authorityCertSerialNumber = checkInteger(serial.value, 'authorityCertSerialNumber');
    return out;
  });
}

export function parseAuthorityInfoAccess(v: Uint8Array): AccessDescription[] {
  return field('X509_BAD_EXTENSION', 'failed parsing authority information access', () => {
    const r = new DerReader(parseSingle(v, Tag.SEQUENCE, 'AuthorityInfoAccessSyntax').value, 'AuthorityInfoAccessSyntax');
    if (!r.hasMore()) fail('X509_BAD_EXTENSION', 'failed parsing authority information access: empty');
    const out: AccessDescription[] = [];
    while (r.hasMore()) {
      const ad = r.enter(Tag.SEQUENCE, 'AccessDescription');
      const method = ad.readOid();
      const location = ad.readAny().raw;
      ad.end();
      out.push({ method, location });
    }
    return out;
  });
}

export function parseCrlDistributionPoints(v: Uint8Array): DistributionPoint[] {
  return field('X509_BAD_EXTENSION', 'failed parsing CRL distribution points', () => {
    const r = new DerReader(parseSingle(v, Tag.SEQUENCE, 'CRLDistributionPoints').value, 'CRLDistributionPoints');
    if (!r.hasMore()) fail('X509_BAD_EXTENSION', 'CRLDistributionPoints is empty');
    const out: DistributionPoint[] = [];
    while (r.hasMore()) {
      const dp = r.enter(Tag.SEQUENCE, 'DistributionPoint');
      const name = dp.readOptional(contextConstructed(0));
      const reasons = dp.readOptional(contextPrimitive(1));
      const issuer = dp.readOptional(contextConstructed(2));
      dp.end();
      if (!name && !issuer) fail('X509_BAD_EXTENSION', 'DistributionPoint has neither distributionPoint nor cRLIssuer');
      const p: { fullName?: GeneralNames; nameRelativeToCrlIssuer?: Uint8Array; reasons?: Uint8Array; crlIssuer?: Uint8Array } = {};
      if (name) {
        const nr = new DerReader(name.value, 'DistributionPointName');
        const choice = nr.readAny();
        nr.end();
        if (choice.tag === contextConstructed(0)) {
          const gn = new DerReader(choice.value, 'fullName');
          if (!gn.hasMore()) fail('X509_BAD_EXTENSION', 'fullName is empty');
          const names = emptyGeneralNames();
          while (gn.hasMore()) {
            const t = gn.readAny();
            addGeneralName(t.tag, t.value, t.raw, false, names);
          }
          p.fullName = names;
        } else if (choice.tag === contextConstructed(1)) {
          if (choice.value.length === 0) fail('X509_BAD_EXTENSION', 'nameRelativeToCRLIssuer is empty');
          p.nameRelativeToCrlIssuer = choice.value;
        } else {
          fail('X509_BAD_EXTENSION', 'invalid DistributionPointName');
        }
      }
      if (reasons) p.reasons = reasons.value;
      if (issuer) p.crlIssuer = issuer.value;
      out.push(p);
    }
    return out;
  });
}

// ------------------------------------------------------------ TBSCertificate

export interface TbsCertificate {
  readonly version: 1 | 2 | 3;
  readonly serialNumber: Uint8Array;
  /** TBSCertificate.signature AlgorithmIdentifier TLV. */
  readonly signatureAlgorithmRaw: Uint8Array;
  /** Name TLVs and their RDNSequence contents. */
  readonly issuerRaw: Uint8Array;
  readonly issuer: Uint8Array;
  readonly subjectRaw: Uint8Array;
  readonly subject: Uint8Array;
  readonly notBefore: DerTime;
  readonly notAfter: DerTime;
  /** SubjectPublicKeyInfo TLV. */
  readonly spki: Uint8Array;
  readonly issuerUniqueId?: Uint8Array;
  readonly subjectUniqueId?: Uint8Array;
  /** The Extensions SEQUENCE TLV (inside [3]). */
  readonly extensionsRaw?: Uint8Array;
  readonly warnings: readonly string[];
}

/** Parse a TBSCertificate TLV (RFC 5280 §4.1.2). */
export function parseTbsCertificate(tbs: Uint8Array, options: ParseOptions = {}): TbsCertificate {
  const warnings: string[] = [];
  const r = field('X509_BAD_TBS_CERTIFICATE', "couldn't read tbsCertificate as SEQUENCE", () => new DerReader(parseSingle(tbs, Tag.SEQUENCE).value, 'TBSCertificate'));
  let version: 1 | 2 | 3 = 1;
  const vt = field('X509_BAD_VERSION', 'failed parsing version', () => r.readOptional(contextConstructed(0)));
  if (vt) {
    const n = field('X509_BAD_VERSION', 'failed parsing version', () => {
      const vr = new DerReader(vt.value, 'version');
      const x = vr.readInteger('version');
      vr.end();
      return x;
    });
    if (n.length !== 1 || n[0]! > 2) fail('X509_BAD_VERSION', 'failed parsing version: unknown version');
    if (n[0] === 0) fail('X509_BAD_VERSION', 'version explicitly V1 (should be omitted)');
    version = n[0] === 1 ? 2 : 3;
  }
  const serialNumber = field('X509_BAD_SERIAL', 'failed reading serialNumber', () => r.read(Tag.INTEGER, 'serialNumber').value);
  field('X509_BAD_SERIAL', 'serial number is not a valid INTEGER', () => checkInteger(serialNumber));
  if (integerIsNegative(serialNumber)) warnings.push('Serial number is negative');
  if (serialNumber.length === 1 && serialNumber[0] === 0) warnings.push('Serial number is zero');
  if (serialNumber.length > 20) {
    if (!options.allowInvalidSerialNumbers) fail('X509_BAD_SERIAL', `serial number is longer than 20 octets (${serialNumber.length})`);
    warnings.push('Serial number is longer than 20 octets');
  }
  const signatureAlgorithmRaw = field('X509_BAD_TBS_CERTIFICATE', 'failed reading signature', () => r.read(Tag.SEQUENCE, 'signature').raw);
  const issuerT = field('X509_BAD_NAME', 'failed reading issuer', () => r.read(Tag.SEQUENCE, 'issuer'));
  const validity = field('X509_BAD_VALIDITY', 'failed parsing validity', () => {
    const v = r.enter(Tag.SEQUENCE, 'Validity');
    const nb = readTime(v);
    const na = readTime(v);
    v.end();
    return { nb, na };
  });
  const subjectT = field('X509_BAD_NAME', 'failed reading subject', () => r.read(Tag.SEQUENCE, 'subject'));
  const spki = field('X509_BAD_PUBLIC_KEY', 'failed reading subjectPublicKeyInfo', () => r.read(Tag.SEQUENCE, 'subjectPublicKeyInfo').raw);
  const iuid = field('X509_BAD_TBS_CERTIFICATE', 'failed reading issuerUniqueID', () => r.readOptional(contextPrimitive(1)));
  const suid = field('X509_BAD_TBS_CERTIFICATE', 'failed reading subjectUniqueID', () => r.readOptional(contextPrimitive(2)));
  if ((iuid || suid) && version === 1) fail('X509_BAD_TBS_CERTIFICATE', 'unique identifiers need a v2 or v3 certificate');
  const ext = field('X509_BAD_EXTENSION', 'failed reading extensions', () => r.readOptional(contextConstructed(3)));
  let extensionsRaw: Uint8Array | undefined;
  if (ext) {
    if (version !== 3) fail('X509_BAD_TBS_CERTIFICATE', 'unexpected extensions (must be V3 certificate)');
    extensionsRaw = field('X509_BAD_EXTENSION', 'failed reading extensions SEQUENCE', () => parseSingle(ext.value, Tag.SEQUENCE, 'Extensions').raw);
  }
  field('X509_BAD_TBS_CERTIFICATE', 'unconsumed data inside TBSCertificate', () => r.end());
  const uid = (t: { value: Uint8Array } | undefined): Uint8Array | undefined =>
    t === undefined ? undefined : field('X509_BAD_TBS_CERTIFICATE', 'bad unique identifier', () => parseBitString(t.value).bytes);
  const out: TbsCertificate = {
    version,
    serialNumber,
    signatureAlgorithmRaw,
    issuerRaw: issuerT.raw,
    issuer: issuerT.value,
    subjectRaw: subjectT.raw,
    subject: subjectT.value,
    notBefore: validity.nb,
    notAfter: validity.na,
    spki,
    ...(iuid ? { issuerUniqueId: uid(iuid)! } : {}),
    ...(suid ? { subjectUniqueId: uid(suid)! } : {}),
    ...(extensionsRaw ? { extensionsRaw } : {}),
    warnings,
  };
  return out;
}

/** Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension (TLV). Duplicates are an error. */
export function parseExtensions(raw: Uint8Array): Map<string, Extension> {
  return field('X509_BAD_EXTENSION', 'failed parsing extensions', () => {
    const r = new DerReader(parseSingle(raw, Tag.SEQUENCE, 'Extensions').value, 'Extensions');
    if (!r.hasMore()) fail('X509_BAD_EXTENSION', 'failed parsing extensions: empty Extensions');
    const out = new Map<string, Extension>();
    while (r.hasMore()) {
      const e = r.enter(Tag.SEQUENCE, 'Extension');
      const oid = e.readOid();
      const c = e.readOptional(Tag.BOOLEAN);
      let critical = false;
      if (c) {
        critical = parseBoolean(c.value);
        if (!critical) fail('X509_BAD_EXTENSION', `failed parsing extensions: critical FALSE must be omitted (extension ${oid})`);
      }
      const value = e.readOctetString();
      e.end();
      if (out.has(oid)) fail('X509_DUPLICATE_EXTENSION', `failed parsing extensions: extension ${oid} appears twice`);
      out.set(oid, { oid, critical, value });
    }
    return out;
  });
}

// ------------------------------------------------------------ Certificate

/** The outer Certificate SEQUENCE, split into its three parts (no inner parsing). */
export function parseCertificateOuter(der: Uint8Array): { tbs: Uint8Array; signatureAlgorithm: Uint8Array; signature: Uint8Array } {
  const outer = field('X509_BAD_CERTIFICATE', 'failed parsing Certificate SEQUENCE', () => {
    const top = new DerReader(der, 'Certificate');
    const t = top.read(Tag.SEQUENCE, 'Certificate');
    top.end();
    return t;
  });
  const r = new DerReader(outer.value, 'Certificate');
  const tbs = field('X509_BAD_CERTIFICATE', "couldn't read tbsCertificate as SEQUENCE", () => r.read(Tag.SEQUENCE, 'tbsCertificate').raw);
  const signatureAlgorithm = field('X509_BAD_CERTIFICATE', "couldn't read Certificate.signatureAlgorithm as SEQUENCE", () => r.read(Tag.SEQUENCE, 'signatureAlgorithm').raw);
  const sig = field('X509_BAD_CERTIFICATE', "couldn't read Certificate.signatureValue as BIT STRING", () => r.readBitString());
  field('X509_BAD_CERTIFICATE', 'unconsumed data inside Certificate SEQUENCE', () => r.end());
  if (sig.unusedBits !== 0) fail('X509_BAD_CERTIFICATE', 'signatureValue has unused bits');
  return { tbs, signatureAlgorithm, signature: sig.bytes };
}

export class Certificate {
  /** The whole certificate DER. */
  readonly der: Uint8Array;
  readonly tbs: TbsCertificate;
  /** The TBSCertificate TLV (what the issuer signed). */
  readonly tbsRaw: Uint8Array;
  /** Certificate.signatureAlgorithm TLV. */
  readonly signatureAlgorithmRaw: Uint8Array;
  /** undefined: unknown algorithm or bad parameters (a validation error, not a parse error). */
  readonly signatureAlgorithm: X509SignatureAlgorithm | undefined;
  readonly signature: Uint8Array;
  readonly extensions: ReadonlyMap<string, Extension>;
  readonly normalizedIssuer: Uint8Array;
  readonly normalizedSubject: Uint8Array;

  readonly basicConstraints?: BasicConstraints;
  readonly keyUsage?: BitString;
  readonly extKeyUsage?: readonly string[];
  readonly subjectAltNames?: GeneralNames;
  readonly nameConstraints?: NameConstraints;
  readonly policies?: readonly PolicyInformation[];
  readonly policyMappings?: readonly PolicyMapping[];
  readonly policyConstraints?: PolicyConstraints;
  readonly inhibitAnyPolicy?: number;
  readonly subjectKeyIdentifier?: Uint8Array;
  readonly authorityKeyIdentifier?: AuthorityKeyIdentifier;
  readonly authorityInfoAccess?: readonly AccessDescription[];
  readonly warnings: readonly string[];

  private constructor(der: Uint8Array, options: ParseOptions) {
    if (der.length > MAX_CERTIFICATE_BYTES) fail('X509_BAD_CERTIFICATE', `certificate of ${der.length} bytes exceeds ${MAX_CERTIFICATE_BYTES}`);
    this.der = der;
    const outer = parseCertificateOuter(der);
    this.tbsRaw = outer.tbs;
    this.signatureAlgorithmRaw = outer.signatureAlgorithm;
    this.signature = outer.signature;
    this.signatureAlgorithm = parseSignatureAlgorithm(outer.signatureAlgorithm);
    this.tbs = parseTbsCertificate(outer.tbs, options);
    const warnings = [...this.tbs.warnings];
    this.normalizedIssuer = field('X509_BAD_NAME', 'failed normalizing issuer', () => normalizeName(this.tbs.issuer));
    this.normalizedSubject = field('X509_BAD_NAME', 'failed normalizing subject', () => normalizeName(this.tbs.subject));
    this.extensions = this.tbs.extensionsRaw ? parseExtensions(this.tbs.extensionsRaw) : new Map();
    const ext = (oid: string): Extension | undefined => this.extensions.get(oid);
    let e: Extension | undefined;
    if ((e = ext(OID.basicConstraints))) this.basicConstraints = parseBasicConstraints(e.value);
    if ((e = ext(OID.keyUsage))) this.keyUsage = parseKeyUsage(e.value);
    if ((e = ext(OID.extKeyUsage))) this.extKeyUsage = parseExtKeyUsage(e.value);
    if ((e = ext(OID.subjectAltName))) {
      const v = e.value;
      this.subjectAltNames = field('X509_BAD_EXTENSION', 'failed parsing subjectAltName', () => parseGeneralNames(v));
      // §4.1.2.6: with an empty subject the SAN MUST be critical.
      if (this.tbs.subject.length === 0 && !e.critical) fail('X509_BAD_EXTENSION', 'empty subject and subjectAltName is not critical');
    }
    if ((e = ext(OID.nameConstraints))) this.nameConstraints = NameConstraints.parse(e.value, e.critical);
    if ((e = ext(OID.certificatePolicies))) this.policies = parseCertificatePolicies(e.value);
    if ((e = ext(OID.policyMappings))) this.policyMappings = parsePolicyMappings(e.value);
    if ((e = ext(OID.policyConstraints))) this.policyConstraints = parsePolicyConstraints(e.value);
    if ((e = ext(OID.inhibitAnyPolicy))) this.inhibitAnyPolicy = parseInhibitAnyPolicy(e.value);
    if ((e = ext(OID.subjectKeyIdentifier))) this.subjectKeyIdentifier = parseSubjectKeyIdentifier(e.value);
    if ((e = ext(OID.authorityKeyIdentifier))) this.authorityKeyIdentifier = parseAuthorityKeyIdentifier(e.value);
    if ((e = ext(OID.authorityInfoAccess))) this.authorityInfoAccess = parseAuthorityInfoAccess(e.value);
    this.warnings = warnings;
  }

  /** Parse DER. Throws X509Error (with a code naming the bad part) for anything invalid. */
  static fromDer(der: Uint8Array, options: ParseOptions = {}): Certificate {
    try {
      return new Certificate(der instanceof Uint8Array ? der : new Uint8Array(der), options);
    } catch (e) {
      if (e instanceof X509Error || e instanceof DerError) throw e;
      fail('X509_BAD_CERTIFICATE', `invalid certificate: ${(e as Error)?.message ?? String(e)}`, e);
    }
  }

  /** Parse the first CERTIFICATE block of a PEM string. */
  static fromPem(pem: string, options: ParseOptions = {}): Certificate {
    const ders = decodePem(pem, 'CERTIFICATE');
    if (ders.length === 0) fail('X509_BAD_PEM', 'no CERTIFICATE block in PEM input');
    return Certificate.fromDer(ders[0]!, options);
  }

  /** Every certificate in a PEM string, or a single DER certificate. */
  static parseAll(input: string | Uint8Array, options: ParseOptions = {}): Certificate[] {
    if (typeof input === 'string' || looksLikePem(input)) {
      const text = typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
      return decodePem(text, 'CERTIFICATE').map((d) => Certificate.fromDer(d, options));
    }
    return [Certificate.fromDer(input, options)];
  }

  get version(): 1 | 2 | 3 {
    return this.tbs.version;
  }
  get serialNumber(): Uint8Array {
    return this.tbs.serialNumber;
  }
  get spki(): Uint8Array {
    return this.tbs.spki;
  }
  get notBefore(): Date {
    return new Date(this.tbs.notBefore.ms);
  }
  get notAfter(): Date {
    return new Date(this.tbs.notAfter.ms);
  }
  /** "C=US, O=Example, CN=host" (for messages). */
  get subjectString(): string {
    return nameToString(this.tbs.subject);
  }
  get issuerString(): string {
    return nameToString(this.tbs.issuer);
  }
  /** Subject and issuer normalize to the same name (RFC 5280 §6.1 "self-issued"). */
  get isSelfIssued(): boolean {
    return bytesEq(this.normalizedSubject, this.normalizedIssuer);
  }
  hasKeyUsage(bit: KeyUsageName): boolean {
    return this.keyUsage !== undefined && bitStringHas(this.keyUsage, KeyUsageBit[bit]);
  }
  /** SHA-256 (default) fingerprint of the DER. */
  fingerprint(alg: 'sha1' | 'sha256' | 'sha512' = 'sha256', provider: CryptoProvider = defaultProvider): Uint8Array {
    return provider.hash(alg, this.der);
  }
  /** The RDNs of the subject (for callers that want attribute access). */
  subjectRdns(): ReturnType<typeof parseRdnSequence> {
    return parseRdnSequence(this.tbs.subject);
  }
  toPem(): string {
    const b64 = Buffer.from(this.der).toString('base64').match(/.{1,64}/g) ?? [];
    return `-----BEGIN CERTIFICATE-----\n${b64.join('\n')}\n-----END CERTIFICATE-----\n`;
  }
}

function bytesEq(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** OID text for an extension/EKU value in messages. */
export function describeOid(bytes: Uint8Array): string {
  try {
    return oidToString(bytes);
  } catch {
    return 'invalid';
  }
}
