/**
 * Certificate issuance: key pairs, self-signed CAs, intermediates, leaves,
 * PKCS#10 CSRs, and a CA signing a CSR — the "CSR → CA signature" story, and
 * the test PKI that tests, demos and the CLI's mkcert-like command use.
 * Also CRLs ({@link createCrl}: v2, authorityKeyIdentifier + cRLNumber,
 * reasonCode per entry; the DER layout itself is crl.ts's encoder).
 *
 * Output is plain RFC 5280 DER/PEM that `openssl x509 -text` and
 * `openssl verify` accept (tests check both). Choices:
 * - serial numbers: 16 random octets, positive (CA/B BR §7.1: >= 64 bits of entropy);
 * - signature: SHA-256 for RSA (PKCS#1 v1.5) and P-256, SHA-384 for P-384,
 *   SHA-512 for P-521, Ed25519 as is;
 * - subjectKeyIdentifier = SHA-1 of the subjectPublicKey bits (RFC 5280
 *   §4.2.1.2 method 1), authorityKeyIdentifier = the issuer's SKI;
 * - CA certificates: basicConstraints critical cA=TRUE (+pathLen),
 *   keyUsage critical keyCertSign|cRLSign|digitalSignature;
 *   leaves: basicConstraints critical cA=FALSE, keyUsage critical
 *   digitalSignature (+keyEncipherment for RSA), EKU as asked.
 * Key generation uses node:crypto directly (the provider interface has no
 * key generation); signing goes through the CryptoProvider.
 */
import { generateKeyPairSync } from 'node:crypto';
import { domainToASCII } from 'node:url';
import { defaultProvider } from '../crypto/node.js';
import type { CryptoProvider, SignatureAlgorithm } from '../crypto/provider.js';
import { Certificate, KeyUsageBit, type Extension, type KeyUsageName } from './certificate.js';
import { DerReader, Tag, contextConstructed, der, parseSingle, concatBytes } from './der.js';
import { X509Error } from './errors.js';
import { parseIpAddress } from './hostname.js';
import { MIN_GENERATED_RSA_BITS } from './limits.js';
import { OID } from './oids.js';
import { encodePem, decodePem, looksLikePem } from './pem.js';
import { parseAlgorithmIdentifier, parseSignatureAlgorithm, parseSubjectPublicKeyInfo } from './algorithms.js';
import { parsePrivateKey } from './keys.js';
import { parseExtensions } from './certificate.js';
import { parseGeneralNames, type GeneralNames } from './general-names.js';
import {
  CertificateRevocationList,
  CRL_PEM_LABEL,
  encodeCertificateList,
  encodeInvalidityDate,
  encodeReasonCode,
  encodeTbsCertList,
  type CrlReasonName,
} from './crl.js';

// ------------------------------------------------------------------ keys

export type KeyPairOptions = { type: 'ec'; curve?: 'P-256' | 'P-384' | 'P-521' } | { type: 'rsa'; bits?: number } | { type: 'ed25519' };

export interface KeyPair {
  /** PKCS#8 PEM. */
  readonly privateKeyPem: string;
  /** SubjectPublicKeyInfo DER. */
  readonly publicKeySpki: Uint8Array;
  readonly publicKeyPem: string;
}

const NODE_CURVES = { 'P-256': 'prime256v1', 'P-384': 'secp384r1', 'P-521': 'secp521r1' } as const;

export function generateKeyPair(options: KeyPairOptions = { type: 'ec', curve: 'P-256' }): KeyPair {
  const publicKeyEncoding = { type: 'spki', format: 'der' } as const;
  const privateKeyEncoding = { type: 'pkcs8', format: 'pem' } as const;
  let r: { publicKey: Buffer; privateKey: string };
  switch (options.type) {
    case 'ec':
      r = generateKeyPairSync('ec', { namedCurve: NODE_CURVES[options.curve ?? 'P-256'], publicKeyEncoding, privateKeyEncoding });
      break;
    case 'rsa': {
      const bits = options.bits ?? 2048;
      if (bits < MIN_GENERATED_RSA_BITS || bits % 8 !== 0) throw new X509Error('X509_BAD_ARGUMENT', `RSA keys must be at least ${MIN_GENERATED_RSA_BITS} bits (got ${bits})`);
      r = generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 65537, publicKeyEncoding, privateKeyEncoding });
      break;
    }
    case 'ed25519':
      r = generateKeyPairSync('ed25519', { publicKeyEncoding, privateKeyEncoding });
      break;
    default:
      throw new X509Error('X509_BAD_ARGUMENT', 'unknown key type');
  }
  const spki = new Uint8Array(r.publicKey);
  return { privateKeyPem: r.privateKey, publicKeySpki: spki, publicKeyPem: encodePem('PUBLIC KEY', spki) };
}

// ------------------------------------------------------------------ names

/** "CN=host, O=Org", "/CN=host/O=Org", { CN: 'host' }, or [['CN', 'host'], ...]; one attribute per RDN, in order. */
export type NameInput = string | Readonly<Record<string, string>> | readonly (readonly [string, string])[];

const NAME_OIDS: Record<string, string> = {
  CN: OID.commonName,
  C: OID.countryName,
  ST: OID.stateOrProvinceName,
  L: OID.localityName,
  O: OID.organizationName,
  OU: OID.organizationalUnitName,
  SN: OID.surname,
  GN: OID.givenName,
  serialNumber: OID.serialNumber,
  street: OID.streetAddress,
  title: OID.title,
  DC: OID.domainComponent,
  emailAddress: OID.emailAddress,
  E: OID.emailAddress,
};

function nameEntries(n: NameInput): (readonly [string, string])[] {
  if (Array.isArray(n)) return [...(n as readonly (readonly [string, string])[])];
  if (typeof n !== 'string') return Object.entries(n as Record<string, string>);
  const s = n.trim();
  const parts = s.startsWith('/') ? s.slice(1).split('/') : s.split(/\s*,\s*/);
  return parts
    .filter((p) => p.length > 0)
    .map((p) => {
      const eq = p.indexOf('=');
      if (eq <= 0) throw new X509Error('X509_BAD_ARGUMENT', `bad name component "${p}"`);
      return [p.slice(0, eq).trim(), p.slice(eq + 1).trim()] as const;
    });
}

/** Encode a Name (the full SEQUENCE TLV). */
export function encodeName(n: NameInput): Uint8Array {
  const rdns = nameEntries(n).map(([k, v]) => {
    const oid = NAME_OIDS[k] ?? (/^\d+(\.\d+)+$/.test(k) ? k : undefined);
    if (!oid) throw new X509Error('X509_BAD_ARGUMENT', `unknown name attribute "${k}"`);
    const value = oid === OID.countryName ? der.printable(v) : oid === OID.emailAddress || oid === OID.domainComponent ? der.ia5(v) : der.utf8(v);
    return der.setOf(der.seq(der.oid(oid), value));
  });
  return der.seq(...rdns);
}

// ------------------------------------------------------------------ extensions

export interface SubjectAltNamesInput {
  readonly dns?: readonly string[];
  readonly ip?: readonly string[];
  readonly email?: readonly string[];
  readonly uri?: readonly string[];
}

export interface NameSubtreesInput {
  readonly dns?: readonly string[];
  /** CIDR, e.g. "10.0.0.0/8", "2001:db8::/32". */
  readonly ip?: readonly string[];
  readonly email?: readonly string[];
  readonly directoryNames?: readonly NameInput[];
}

export interface NameConstraintsInput {
  readonly permitted?: NameSubtreesInput;
  readonly excluded?: NameSubtreesInput;
  /** Default true. */
  readonly critical?: boolean;
}

const EKU_OIDS: Record<string, string> = {
  serverAuth: OID.serverAuth,
  clientAuth: OID.clientAuth,
  codeSigning: OID.codeSigning,
  emailProtection: OID.emailProtection,
  timeStamping: OID.timeStamping,
  ocspSigning: OID.ocspSigning,
  any: OID.anyExtendedKeyUsage,
};

function dnsToAscii(d: string): string {
  if (/^[\x21-\x7e]*$/.test(d)) return d;
  const a = domainToASCII(d);
  if (!a) throw new X509Error('X509_BAD_ARGUMENT', `invalid DNS name "${d}"`);
  return a;
}

function encodeGeneralNamesItems(s: SubjectAltNamesInput): Uint8Array[] {
  const items: Uint8Array[] = [];
  for (const e of s.email ?? []) items.push(der.implicit(1, Buffer.from(e, 'ascii')));
  for (const d of s.dns ?? []) items.push(der.implicit(2, Buffer.from(dnsToAscii(d), 'ascii')));
  for (const u of s.uri ?? []) items.push(der.implicit(6, Buffer.from(u, 'ascii')));
  for (const i of s.ip ?? []) {
    const b = parseIpAddress(i);
    if (!b) throw new X509Error('X509_BAD_ARGUMENT', `invalid IP address "${i}"`);
    items.push(der.implicit(7, b));
  }
  return items;
}

function encodeSubtrees(s: NameSubtreesInput): Uint8Array[] {
  const out: Uint8Array[] = [];
  const wrap = (gn: Uint8Array): void => void out.push(der.seq(gn));
  for (const d of s.dns ?? []) wrap(der.implicit(2, Buffer.from(dnsToAscii(d), 'ascii')));
  for (const e of s.email ?? []) wrap(der.implicit(1, Buffer.from(e, 'ascii')));
  for (const n of s.directoryNames ?? []) wrap(der.explicit(4, encodeName(n)));
  for (const c of s.ip ?? []) {
    const [addr, len] = c.split('/');
    const a = parseIpAddress(addr ?? '');
    const bits = Number(len);
    if (!a || !Number.isInteger(bits) || bits < 0 || bits > a.length * 8) throw new X509Error('X509_BAD_ARGUMENT', `invalid CIDR "${c}"`);
    const mask = new Uint8Array(a.length);
    for (let i = 0; i < bits; i++) mask[i >> 3]! |= 0x80 >> (i & 7);
    wrap(der.implicit(7, concatBytes([a.map((b, i) => b & mask[i]!), mask])));
  }
  return out;
}

function extension(oid: string, critical: boolean, value: Uint8Array): Uint8Array {
  return critical ? der.seq(der.oid(oid), der.bool(true), der.octets(value)) : der.seq(der.oid(oid), der.octets(value));
}

// ------------------------------------------------------------------ signing

interface Signer {
  readonly algorithm: SignatureAlgorithm;
  /** AlgorithmIdentifier TLV. */
  readonly algorithmId: Uint8Array;
  sign(data: Uint8Array): Promise<Uint8Array>;
  readonly spki: Uint8Array;
}

function signerFor(privateKeyPem: string, provider: CryptoProvider): Signer {
  const key = parsePrivateKey(privateKeyPem, { provider });
  let algorithm: SignatureAlgorithm;
  let algorithmId: Uint8Array;
  if (key.type === 'rsa') {
    algorithm = { kind: 'rsa-pkcs1', hash: 'sha256' };
    algorithmId = der.seq(der.oid(OID.sha256WithRSAEncryption), der.null());
  } else if (key.type === 'ec') {
    const [hash, oid] = key.curve === 'P-384' ? (['sha384', OID.ecdsaWithSHA384] as const) : key.curve === 'P-521' ? (['sha512', OID.ecdsaWithSHA512] as const) : (['sha256', OID.ecdsaWithSHA256] as const);
    algorithm = { kind: 'ecdsa', hash };
    algorithmId = der.seq(der.oid(oid));
  } else {
    algorithm = { kind: 'ed25519' };
    algorithmId = der.seq(der.oid(OID.ed25519));
  }
  return { algorithm, algorithmId, spki: key.spki, sign: (d) => key.handle.sign(algorithm, d) };
}

function keyIdentifier(spki: Uint8Array, provider: CryptoProvider): Uint8Array {
  const r = new DerReader(parseSingle(spki, Tag.SEQUENCE).value);
  r.read(Tag.SEQUENCE);
  return provider.hash('sha1', r.readBitString().bytes);
}

function randomSerial(provider: CryptoProvider): Uint8Array {
  const s = provider.randomBytes(16);
  s[0] = (s[0]! & 0x7f) | 0x01;
  return s;
}

function toSpki(publicKey: Uint8Array | string): Uint8Array {
  if (typeof publicKey !== 'string') return publicKey;
  const d = decodePem(publicKey, 'PUBLIC KEY');
  if (d.length === 0) throw new X509Error('X509_BAD_ARGUMENT', 'publicKey PEM has no PUBLIC KEY block');
  return d[0]!;
}

// ------------------------------------------------------------------ certificates

export interface IssuerInput {
  readonly certificate: Certificate | string | Uint8Array;
  readonly privateKeyPem: string;
}

export interface CertificateOptions {
  readonly subject: NameInput;
  /** The subject's public key (SPKI DER or PEM). Defaults to the self-signing key's. */
  readonly publicKey?: Uint8Array | string;
  /** The signing CA. Absent: self-signed with `privateKeyPem`. */
  readonly issuer?: IssuerInput;
  /** Self-signed certificates: the subject's own private key. */
  readonly privateKeyPem?: string;
  readonly serialNumber?: Uint8Array | bigint;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  readonly isCA?: boolean;
  readonly pathLen?: number;
  readonly keyUsage?: readonly KeyUsageName[];
  /** Names (serverAuth, clientAuth, codeSigning, emailProtection, timeStamping, ocspSigning, any) or dotted OIDs. */
  readonly extKeyUsage?: readonly string[];
  readonly subjectAltNames?: SubjectAltNamesInput;
  readonly nameConstraints?: NameConstraintsInput;
  /** Authority Information Access caIssuers URLs (RFC 5280 §4.2.2.1): where the issuer's certificate can be fetched. */
  readonly caIssuers?: readonly string[];
  /** Authority Information Access OCSP responder URLs. */
  readonly ocspUrls?: readonly string[];
  /** Extra extensions, appended as given. */
  readonly extensions?: readonly Extension[];
  readonly provider?: CryptoProvider;
}

export interface IssuedCertificate {
  readonly pem: string;
  readonly der: Uint8Array;
  readonly certificate: Certificate;
}

/** An IA5String's bytes (URIs are ASCII, RFC 5280 §4.2.1.6). */
function ia5(s: string): Uint8Array {
  if (!/^[\x20-\x7e]*$/.test(s)) throw new X509Error('X509_BAD_ARGUMENT', `"${s}" is not an ASCII URI`);
  return new TextEncoder().encode(s);
}

function asCertificate(c: Certificate | string | Uint8Array): Certificate {
  return c instanceof Certificate ? c : typeof c === 'string' || looksLikePem(c) ? Certificate.fromPem(typeof c === 'string' ? c : Buffer.from(c).toString('latin1')) : Certificate.fromDer(c);
}

/** Build, sign and re-parse a certificate. */
export async function createCertificate(o: CertificateOptions): Promise<IssuedCertificate> {
  const provider = o.provider ?? defaultProvider;
  const issuerCert = o.issuer ? asCertificate(o.issuer.certificate) : undefined;
  const signingKey = o.issuer?.privateKeyPem ?? o.privateKeyPem;
  if (!signingKey) throw new X509Error('X509_BAD_ARGUMENT', 'createCertificate needs issuer.privateKeyPem or privateKeyPem (self-signed)');
  const signer = signerFor(signingKey, provider);
  if (issuerCert && Buffer.compare(Buffer.from(issuerCert.spki), Buffer.from(signer.spki)) !== 0) {
    throw new X509Error('X509_BAD_ARGUMENT', "the issuer's private key does not match the issuer certificate");
  }
  const spki = o.publicKey !== undefined ? toSpki(o.publicKey) : signer.spki;
  const pub = parseSubjectPublicKeyInfo(spki);
  if (pub.type === 'unsupported') throw new X509Error('X509_UNSUPPORTED', `unsupported subject key ${pub.algorithm}`);
  const notBefore = o.notBefore ?? new Date(Date.now() - 5 * 60_000);
  const notAfter = o.notAfter ?? new Date(notBefore.getTime() + 365 * 86_400_000);
  if (notAfter.getTime() < notBefore.getTime()) throw new X509Error('X509_BAD_ARGUMENT', 'notAfter is before notBefore');
  const isCA = o.isCA === true;
  const exts: Uint8Array[] = [];
  const bc = isCA ? der.seq(der.bool(true), ...(o.pathLen !== undefined ? [der.int(o.pathLen)] : [])) : der.seq();
  exts.push(extension(OID.basicConstraints, true, bc));
  const ku = o.keyUsage ?? (isCA ? ['keyCertSign', 'cRLSign', 'digitalSignature'] : pub.type === 'rsa' ? ['digitalSignature', 'keyEncipherment'] : ['digitalSignature']);
  if (ku.length > 0) exts.push(extension(OID.keyUsage, true, der.namedBits(ku.map((k) => KeyUsageBit[k]))));
  if (o.extKeyUsage && o.extKeyUsage.length > 0) {
    exts.push(
      extension(
        OID.extKeyUsage,
        false,
        der.seq(
          ...o.extKeyUsage.map((e) => {
            const oid = EKU_OIDS[e] ?? (/^\d+(\.\d+)+$/.test(e) ? e : undefined);
            if (!oid) throw new X509Error('X509_BAD_ARGUMENT', `unknown extended key usage "${e}"`);
            return der.oid(oid);
          }),
        ),
      ),
    );
  }
  exts.push(extension(OID.subjectKeyIdentifier, false, der.octets(keyIdentifier(spki, provider))));
  const aki = issuerCert?.subjectKeyIdentifier ?? keyIdentifier(signer.spki, provider);
  exts.push(extension(OID.authorityKeyIdentifier, false, der.seq(der.implicit(0, aki))));
  const subjectName = encodeName(o.subject);
  if (o.subjectAltNames) {
    const items = encodeGeneralNamesItems(o.subjectAltNames);
    // §4.2.1.6: with an empty subject the SAN must be critical.
    if (items.length > 0) exts.push(extension(OID.subjectAltName, subjectName.length === 2, der.seq(...items)));
  }
  if (o.nameConstraints) {
    const p = o.nameConstraints.permitted ? encodeSubtrees(o.nameConstraints.permitted) : [];
    const x = o.nameConstraints.excluded ? encodeSubtrees(o.nameConstraints.excluded) : [];
    const parts = [...(p.length ? [der.tlv(contextConstructed(0), ...p)] : []), ...(x.length ? [der.tlv(contextConstructed(1), ...x)] : [])];
    if (parts.length) exts.push(extension(OID.nameConstraints, o.nameConstraints.critical ?? true, der.seq(...parts)));
  }
  const access = [
    ...(o.ocspUrls ?? []).map((u) => der.seq(der.oid('1.3.6.1.5.5.7.48.1'), der.tlv(0x86, ia5(u)))),
    ...(o.caIssuers ?? []).map((u) => der.seq(der.oid('1.3.6.1.5.5.7.48.2'), der.tlv(0x86, ia5(u)))),
  ];
  if (access.length > 0) exts.push(extension(OID.authorityInfoAccess, false, der.seq(...access)));
  for (const e of o.extensions ?? []) exts.push(extension(e.oid, e.critical, e.value));

  const serial = o.serialNumber === undefined ? randomSerial(provider) : o.serialNumber;
  const tbs = der.seq(
    der.explicit(0, der.int(2)),
    der.int(serial),
    signer.algorithmId,
    issuerCert ? issuerCert.tbs.subjectRaw : subjectName,
    der.seq(der.time(notBefore), der.time(notAfter)),
    subjectName,
    spki,
    der.explicit(3, der.seq(...exts)),
  );
  const signature = await signer.sign(tbs);
  const certDer = der.seq(tbs, signer.algorithmId, der.bits(signature));
  return { der: certDer, pem: encodePem('CERTIFICATE', certDer), certificate: Certificate.fromDer(certDer) };
}

// ------------------------------------------------------------------ CRLs (RFC 5280 §5)

export interface RevokedInput {
  /** bigint, or the INTEGER's content octets (e.g. `certificate.serialNumber`). */
  readonly serial: Uint8Array | bigint;
  /** Default: thisUpdate. */
  readonly revocationDate?: Date;
  /** reasonCode entry extension; omitted for unspecified (§5.3.1: "SHOULD be absent"). */
  readonly reason?: CrlReasonName;
  /** invalidityDate entry extension. */
  readonly invalidityDate?: Date;
  /** Extra entry extensions, appended as given. */
  readonly extensions?: readonly Extension[];
}

export interface CrlOptions {
  /** The CA: its certificate and private key (a createTestPki entity fits). */
  readonly issuer: IssuerInput;
  /** Default: now minus 5 minutes. */
  readonly thisUpdate?: Date;
  /** Default: thisUpdate + 7 days; null leaves nextUpdate out (RFC 5280 requires it of conforming CAs). */
  readonly nextUpdate?: Date | null;
  readonly revoked?: readonly RevokedInput[];
  /** cRLNumber (§5.2.3), default 1. */
  readonly crlNumber?: bigint | number;
  /** Write authorityKeyIdentifier (the issuer's subjectKeyIdentifier); default true. */
  readonly authorityKeyIdentifier?: boolean;
  /** Extra CRL extensions, appended as given. */
  readonly extensions?: readonly Extension[];
  readonly provider?: CryptoProvider;
}

export interface IssuedCrl {
  readonly der: Uint8Array;
  readonly pem: string;
  readonly crl: CertificateRevocationList;
}

/** Build, sign (through the provider) and re-parse a v2 CRL. */
export async function createCrl(o: CrlOptions): Promise<IssuedCrl> {
  const provider = o.provider ?? defaultProvider;
  const issuerCert = asCertificate(o.issuer.certificate);
  const signer = signerFor(o.issuer.privateKeyPem, provider);
  if (Buffer.compare(Buffer.from(issuerCert.spki), Buffer.from(signer.spki)) !== 0) {
    throw new X509Error('X509_BAD_ARGUMENT', "the issuer's private key does not match the issuer certificate");
  }
  const thisUpdate = o.thisUpdate ?? new Date(Date.now() - 5 * 60_000);
  const nextUpdate = o.nextUpdate === null ? undefined : (o.nextUpdate ?? new Date(thisUpdate.getTime() + 7 * 86_400_000));
  if (nextUpdate && nextUpdate.getTime() < thisUpdate.getTime()) throw new X509Error('X509_BAD_ARGUMENT', 'nextUpdate is before thisUpdate');
  const crlNumber = BigInt(o.crlNumber ?? 1);
  if (crlNumber < 0n || crlNumber >= 1n << 160n) throw new X509Error('X509_BAD_ARGUMENT', 'crlNumber must be in 0..2^160-1');
  const extensions: Extension[] = [];
  if (o.authorityKeyIdentifier !== false) {
    const aki = issuerCert.subjectKeyIdentifier ?? keyIdentifier(signer.spki, provider);
    extensions.push({ oid: OID.authorityKeyIdentifier, critical: false, value: der.seq(der.implicit(0, aki)) });
  }
  extensions.push({ oid: OID.cRLNumber, critical: false, value: der.int(crlNumber) });
  extensions.push(...(o.extensions ?? []));
  const revoked = (o.revoked ?? []).map((r) => {
    const exts: Extension[] = [];
    if (r.reason !== undefined && r.reason !== 'unspecified') exts.push({ oid: OID.reasonCode, critical: false, value: encodeReasonCode(r.reason) });
    if (r.invalidityDate) exts.push({ oid: OID.invalidityDate, critical: false, value: encodeInvalidityDate(r.invalidityDate) });
    exts.push(...(r.extensions ?? []));
    return { serialNumber: r.serial, revocationDate: r.revocationDate ?? thisUpdate, extensions: exts };
  });
  const tbs = encodeTbsCertList({
    signatureAlgorithm: signer.algorithmId,
    issuer: issuerCert.tbs.subjectRaw,
    thisUpdate,
    ...(nextUpdate ? { nextUpdate } : {}),
    revoked,
    extensions,
  });
  const signature = await signer.sign(tbs);
  const crlDer = encodeCertificateList(tbs, signer.algorithmId, signature);
  return { der: crlDer, pem: encodePem(CRL_PEM_LABEL, crlDer), crl: CertificateRevocationList.fromDer(crlDer) };
}

// ------------------------------------------------------------------ CSR (PKCS#10, RFC 2986)

export interface CsrOptions {
  readonly subject: NameInput;
  readonly privateKeyPem: string;
  readonly subjectAltNames?: SubjectAltNamesInput;
  readonly extKeyUsage?: readonly string[];
  readonly provider?: CryptoProvider;
}

export interface Csr {
  readonly der: Uint8Array;
  /** Subject Name TLV. */
  readonly subject: Uint8Array;
  readonly spki: Uint8Array;
  readonly extensions: ReadonlyMap<string, Extension>;
  readonly subjectAltNames?: GeneralNames;
  /** The self-signature verified with the enclosed key. */
  readonly signatureValid: boolean;
}

export async function createCsr(o: CsrOptions): Promise<{ pem: string; der: Uint8Array }> {
  const provider = o.provider ?? defaultProvider;
  const signer = signerFor(o.privateKeyPem, provider);
  const exts: Uint8Array[] = [];
  if (o.subjectAltNames) {
    const items = encodeGeneralNamesItems(o.subjectAltNames);
    if (items.length) exts.push(extension(OID.subjectAltName, false, der.seq(...items)));
  }
  if (o.extKeyUsage?.length) exts.push(extension(OID.extKeyUsage, false, der.seq(...o.extKeyUsage.map((e) => der.oid(EKU_OIDS[e] ?? e)))));
  const attributes = exts.length ? [der.seq(der.oid(OID.extensionRequest), der.setOf(der.seq(...exts)))] : [];
  const info = der.seq(der.int(0), encodeName(o.subject), signer.spki, der.tlv(contextConstructed(0), ...attributes));
  const sig = await signer.sign(info);
  const csr = der.seq(info, signer.algorithmId, der.bits(sig));
  return { der: csr, pem: encodePem('CERTIFICATE REQUEST', csr) };
}

/** Parse a CSR (PEM "CERTIFICATE REQUEST" or DER) and check its self-signature. */
export function parseCsr(input: string | Uint8Array, provider: CryptoProvider = defaultProvider): Csr {
  try {
    let d: Uint8Array;
    if (typeof input === 'string' || looksLikePem(input)) {
      const text = typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
      const blocks = [...decodePem(text, 'CERTIFICATE REQUEST'), ...decodePem(text, 'NEW CERTIFICATE REQUEST')];
      if (blocks.length === 0) throw new X509Error('X509_BAD_CSR', 'no CERTIFICATE REQUEST block');
      d = blocks[0]!;
    } else d = input;
    const outer = new DerReader(parseSingle(d, Tag.SEQUENCE, 'CertificationRequest').value, 'CertificationRequest');
    const infoT = outer.read(Tag.SEQUENCE, 'CertificationRequestInfo');
    const algRaw = outer.read(Tag.SEQUENCE, 'signatureAlgorithm').raw;
    const sig = outer.readBitString();
    outer.end();
    const info = new DerReader(infoT.value, 'CertificationRequestInfo');
    const version = info.readInteger('version');
    if (version.length !== 1 || version[0] !== 0) throw new X509Error('X509_BAD_CSR', 'CSR version must be v1 (0)');
    const subject = info.read(Tag.SEQUENCE, 'subject').raw;
    const spki = info.read(Tag.SEQUENCE, 'subjectPKInfo').raw;
    const attrs = new DerReader(info.read(contextConstructed(0), 'attributes').value, 'attributes');
    info.end();
    let extensions: Map<string, Extension> = new Map();
    while (attrs.hasMore()) {
      const a = attrs.enter(Tag.SEQUENCE, 'Attribute');
      const type = a.readOid();
      const values = a.enter(Tag.SET, 'values');
      a.end();
      if (type === OID.extensionRequest) {
        extensions = parseExtensions(values.read(Tag.SEQUENCE, 'Extensions').raw);
        values.end();
      }
    }
    parseAlgorithmIdentifier(algRaw);
    const alg = parseSignatureAlgorithm(algRaw);
    const signatureValid = !!alg && !alg.weak && sig.unusedBits === 0 && provider.verifySync(spki, alg.algorithm, infoT.raw, sig.bytes);
    const sanExt = extensions.get(OID.subjectAltName);
    const san = sanExt ? parseGeneralNames(sanExt.value) : undefined;
    return { der: d, subject, spki, extensions, ...(san ? { subjectAltNames: san } : {}), signatureValid };
  } catch (e) {
    if (e instanceof X509Error && e.code === 'X509_BAD_CSR') throw e;
    throw new X509Error('X509_BAD_CSR', `invalid certificate request: ${(e as Error)?.message ?? String(e)}`, { cause: e });
  }
}

export interface SignCsrOptions extends Omit<CertificateOptions, 'subject' | 'publicKey' | 'issuer' | 'privateKeyPem' | 'subjectAltNames'> {
  readonly csr: string | Uint8Array;
  readonly issuer: IssuerInput;
  /** Override the names requested in the CSR (default: copy the CSR's requested SANs). */
  readonly subjectAltNames?: SubjectAltNamesInput;
}

/** A CA signs a CSR: the CSR's signature must verify; subject, key and requested SANs are carried over. */
export async function signCsr(o: SignCsrOptions): Promise<IssuedCertificate> {
  const provider = o.provider ?? defaultProvider;
  const csr = parseCsr(o.csr, provider);
  if (!csr.signatureValid) throw new X509Error('X509_BAD_CSR', 'the CSR signature does not verify');
  return issueFromCsr(csr, o, provider);
}

async function issueFromCsr(csr: Csr, o: SignCsrOptions, provider: CryptoProvider): Promise<IssuedCertificate> {
  const issuerCert = asCertificate(o.issuer.certificate);
  const signer = signerFor(o.issuer.privateKeyPem, provider);
  const pub = parseSubjectPublicKeyInfo(csr.spki);
  const isCA = o.isCA === true;
  const exts: Uint8Array[] = [];
  exts.push(extension(OID.basicConstraints, true, isCA ? der.seq(der.bool(true), ...(o.pathLen !== undefined ? [der.int(o.pathLen)] : [])) : der.seq()));
  const ku = o.keyUsage ?? (isCA ? ['keyCertSign', 'cRLSign', 'digitalSignature'] : pub.type === 'rsa' ? ['digitalSignature', 'keyEncipherment'] : ['digitalSignature']);
  if (ku.length) exts.push(extension(OID.keyUsage, true, der.namedBits(ku.map((k) => KeyUsageBit[k]))));
  const eku = o.extKeyUsage ?? (csr.extensions.get(OID.extKeyUsage) ? undefined : []);
  if (eku && eku.length) exts.push(extension(OID.extKeyUsage, false, der.seq(...eku.map((e) => der.oid(EKU_OIDS[e] ?? e)))));
  else if (eku === undefined) exts.push(extension(OID.extKeyUsage, false, csr.extensions.get(OID.extKeyUsage)!.value));
  exts.push(extension(OID.subjectKeyIdentifier, false, der.octets(keyIdentifier(csr.spki, provider))));
  exts.push(extension(OID.authorityKeyIdentifier, false, der.seq(der.implicit(0, issuerCert.subjectKeyIdentifier ?? keyIdentifier(signer.spki, provider)))));
  const emptySubject = csr.subject.length === 2;
  if (o.subjectAltNames) {
    const items = encodeGeneralNamesItems(o.subjectAltNames);
    if (items.length) exts.push(extension(OID.subjectAltName, emptySubject, der.seq(...items)));
  } else {
    const san = csr.extensions.get(OID.subjectAltName);
    if (san) exts.push(extension(OID.subjectAltName, emptySubject, san.value));
  }
  for (const e of o.extensions ?? []) exts.push(extension(e.oid, e.critical, e.value));
  const notBefore = o.notBefore ?? new Date(Date.now() - 5 * 60_000);
  const notAfter = o.notAfter ?? new Date(notBefore.getTime() + 365 * 86_400_000);
  const tbs = der.seq(
    der.explicit(0, der.int(2)),
    der.int(o.serialNumber ?? randomSerial(provider)),
    signer.algorithmId,
    issuerCert.tbs.subjectRaw,
    der.seq(der.time(notBefore), der.time(notAfter)),
    csr.subject,
    csr.spki,
    der.explicit(3, der.seq(...exts)),
  );
  const sig = await signer.sign(tbs);
  const certDer = der.seq(tbs, signer.algorithmId, der.bits(sig));
  return { der: certDer, pem: encodePem('CERTIFICATE', certDer), certificate: Certificate.fromDer(certDer) };
}

// ------------------------------------------------------------------ test PKI

export interface PkiEntity extends IssuedCertificate {
  readonly privateKeyPem: string;
}

export interface TestPki {
  readonly root: PkiEntity;
  readonly intermediate: PkiEntity;
  readonly leaf: PkiEntity;
  readonly leafKeyPem: string;
  /** Leaf then intermediate (what a server sends). */
  readonly chainPem: string;
  /** The root alone (what a client trusts). */
  readonly rootPem: string;
}

export interface TestPkiOptions {
  /** DNS names and IP literals for the leaf; default ['localhost', '127.0.0.1', '::1']. */
  readonly hostnames?: readonly string[];
  /** Default P-256. */
  readonly keyType?: 'ec' | 'rsa' | 'ed25519' | KeyPairOptions;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  /** Default ['serverAuth', 'clientAuth']. */
  readonly extKeyUsage?: readonly string[];
  readonly provider?: CryptoProvider;
}

/** A 3-level PKI: root CA → intermediate CA (pathLen 0) → leaf with the given names. */
export async function createTestPki(o: TestPkiOptions = {}): Promise<TestPki> {
  const kt: KeyPairOptions = typeof o.keyType === 'object' ? o.keyType : o.keyType === 'rsa' ? { type: 'rsa', bits: 2048 } : o.keyType === 'ed25519' ? { type: 'ed25519' } : { type: 'ec', curve: 'P-256' };
  const names = o.hostnames ?? ['localhost', '127.0.0.1', '::1'];
  const dns = names.filter((n) => !parseIpAddress(n));
  const ip = names.filter((n) => parseIpAddress(n));
  const notBefore = o.notBefore ?? new Date(Date.now() - 60 * 60_000);
  const notAfter = o.notAfter ?? new Date(notBefore.getTime() + 825 * 86_400_000);
  const common = { notBefore, notAfter, ...(o.provider ? { provider: o.provider } : {}) };
  const rootKey = generateKeyPair(kt);
  const root = await createCertificate({ ...common, subject: { O: 'ts-tls test PKI', CN: 'ts-tls Test Root CA' }, privateKeyPem: rootKey.privateKeyPem, isCA: true });
  const interKey = generateKeyPair(kt);
  const intermediate = await createCertificate({
    ...common,
    subject: { O: 'ts-tls test PKI', CN: 'ts-tls Test Intermediate CA' },
    publicKey: interKey.publicKeySpki,
    issuer: { certificate: root.certificate, privateKeyPem: rootKey.privateKeyPem },
    isCA: true,
    pathLen: 0,
  });
  const leafKey = generateKeyPair(kt);
  const leaf = await createCertificate({
    ...common,
    subject: { CN: dns[0] ?? ip[0] ?? 'ts-tls test leaf' },
    publicKey: leafKey.publicKeySpki,
    issuer: { certificate: intermediate.certificate, privateKeyPem: interKey.privateKeyPem },
    extKeyUsage: o.extKeyUsage ?? ['serverAuth', 'clientAuth'],
    subjectAltNames: { dns, ip },
  });
  return {
    root: { ...root, privateKeyPem: rootKey.privateKeyPem },
    intermediate: { ...intermediate, privateKeyPem: interKey.privateKeyPem },
    leaf: { ...leaf, privateKeyPem: leafKey.privateKeyPem },
    leafKeyPem: leafKey.privateKeyPem,
    chainPem: leaf.pem + intermediate.pem,
    rootPem: root.pem,
  };
}
