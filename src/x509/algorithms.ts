/**
 * AlgorithmIdentifier → signature algorithm, and SubjectPublicKeyInfo parsing
 * (RFC 5280 §4.1.1.2, RFC 3279, RFC 4055, RFC 5480, RFC 5758, RFC 8410).
 *
 * The verifier accepts a closed list: RSASSA-PKCS1-v1_5 and RSASSA-PSS with
 * SHA-256/384/512, ECDSA with SHA-256/384/512, Ed25519. SHA-1 (and MD5) are
 * recognised so they can be reported by name, then refused by policy.
 * RSASSA-PSS parameters must use MGF1 with the same hash and a salt as long
 * as the hash (the only profile Web PKI issues).
 *
 * Public keys: RSA (modulus >= 1024 bits accepted), EC on P-256/P-384/P-521,
 * Ed25519. Anything else is "unsupported", not "invalid", so the caller can
 * tell the two apart.
 */
import type { HashAlgorithm, SignatureAlgorithm, CryptoProvider } from '../crypto/provider.js';
import { DerReader, Tag, bytesEqual, integerIsNegative, parseSingle, checkInteger } from './der.js';
import { X509Error } from './errors.js';
import { OID } from './oids.js';
import { MIN_RSA_MODULUS_BITS } from './limits.js';

export interface AlgorithmIdentifier {
  readonly oid: string;
  /** The parameters TLV, if present. */
  readonly params?: Uint8Array;
  readonly raw: Uint8Array;
}

export function parseAlgorithmIdentifier(raw: Uint8Array): AlgorithmIdentifier {
  const r = new DerReader(parseSingle(raw, Tag.SEQUENCE, 'AlgorithmIdentifier').value, 'AlgorithmIdentifier');
  const oid = r.readOid();
  const params = r.hasMore() ? r.readAny().raw : undefined;
  r.end();
  return params === undefined ? { oid, raw } : { oid, params, raw };
}

/** A signature algorithm we can name; `weak` ones are parsed but refused by policy. */
export interface X509SignatureAlgorithm {
  /** e.g. 'sha256WithRSAEncryption', 'ecdsa-with-SHA384', 'rsassa-pss-sha256', 'ed25519'. */
  readonly name: string;
  readonly algorithm: SignatureAlgorithm;
  /** SHA-1 or MD5: never accepted for certificate signatures. */
  readonly weak: boolean;
}

const NULL_TLV = Uint8Array.of(0x05, 0x00);

function isNullOrAbsent(p: Uint8Array | undefined): boolean {
  return p === undefined || bytesEqual(p, NULL_TLV);
}

const HASH_BY_OID: Record<string, { hash: HashAlgorithm; len: number }> = {
  [OID.sha256]: { hash: 'sha256', len: 32 },
  [OID.sha384]: { hash: 'sha384', len: 48 },
  [OID.sha512]: { hash: 'sha512', len: 64 },
};

function parseHashAlgorithm(raw: Uint8Array): { hash: HashAlgorithm; len: number } | undefined {
  const a = parseAlgorithmIdentifier(raw);
  if (!isNullOrAbsent(a.params)) return undefined;
  return HASH_BY_OID[a.oid];
}

/**
 * RSASSA-PSS-params ::= SEQUENCE {
 *   hashAlgorithm [0] HashAlgorithm DEFAULT sha1, maskGenAlgorithm [1] MaskGenAlgorithm DEFAULT mgf1SHA1,
 *   saltLength [2] INTEGER DEFAULT 20, trailerField [3] TrailerField DEFAULT trailerFieldBC }
 */
function parsePssParams(params: Uint8Array): X509SignatureAlgorithm | undefined {
  const r = new DerReader(parseSingle(params, Tag.SEQUENCE, 'RSASSA-PSS-params').value, 'RSASSA-PSS-params');
  const h = r.readOptional(0xa0);
  const m = r.readOptional(0xa1);
  const s = r.readOptional(0xa2);
  const t = r.readOptional(0xa3);
  r.end();
  if (!h || !m || !s || t) return undefined; // SHA-1 defaults are not accepted; trailerField must be default
  const hash = parseHashAlgorithm(parseSingle(h.value, Tag.SEQUENCE).raw);
  if (!hash) return undefined;
  const mgf = parseAlgorithmIdentifier(parseSingle(m.value, Tag.SEQUENCE).raw);
  if (mgf.oid !== OID.mgf1 || !mgf.params) return undefined;
  const mgfHash = parseHashAlgorithm(mgf.params);
  if (!mgfHash || mgfHash.hash !== hash.hash) return undefined;
  const salt = new DerReader(s.value, 'saltLength').readInteger('saltLength');
  if (salt.length !== 1 || salt[0] !== hash.len) return undefined;
  return { name: `rsassa-pss-${hash.hash}`, algorithm: { kind: 'rsa-pss', hash: hash.hash, saltLength: hash.len }, weak: false };
}

/**
 * The signature algorithm of an AlgorithmIdentifier TLV, or undefined when it
 * is unknown or its parameters are not the exact allowed form.
 */
export function parseSignatureAlgorithm(raw: Uint8Array): X509SignatureAlgorithm | undefined {
  let a: AlgorithmIdentifier;
  try {
    a = parseAlgorithmIdentifier(raw);
  } catch {
    return undefined;
  }
  const rsa = (name: string, hash: HashAlgorithm, weak = false): X509SignatureAlgorithm | undefined =>
    isNullOrAbsent(a.params) ? { name, algorithm: { kind: 'rsa-pkcs1', hash }, weak } : undefined;
  const ec = (name: string, hash: HashAlgorithm, weak = false): X509SignatureAlgorithm | undefined =>
    a.params === undefined ? { name, algorithm: { kind: 'ecdsa', hash }, weak } : undefined;
  switch (a.oid) {
    case OID.sha256WithRSAEncryption:
      return rsa('sha256WithRSAEncryption', 'sha256');
    case OID.sha384WithRSAEncryption:
      return rsa('sha384WithRSAEncryption', 'sha384');
    case OID.sha512WithRSAEncryption:
      return rsa('sha512WithRSAEncryption', 'sha512');
    case OID.sha1WithRSAEncryption:
    case OID.sha1WithRSASignatureObsolete:
      return rsa('sha1WithRSAEncryption', 'sha1', true);
    case OID.ecdsaWithSHA256:
      return ec('ecdsa-with-SHA256', 'sha256');
    case OID.ecdsaWithSHA384:
      return ec('ecdsa-with-SHA384', 'sha384');
    case OID.ecdsaWithSHA512:
      return ec('ecdsa-with-SHA512', 'sha512');
    case OID.ecdsaWithSHA1:
      return ec('ecdsa-with-SHA1', 'sha1', true);
    case OID.ed25519:
      return a.params === undefined ? { name: 'ed25519', algorithm: { kind: 'ed25519' }, weak: false } : undefined;
    case OID.rsassaPss:
      if (!a.params) return undefined;
      try {
        return parsePssParams(a.params);
      } catch {
        return undefined;
      }
    default:
      return undefined;
  }
}

// ------------------------------------------------------------------ SPKI

export type PublicKeyDetails =
  | { readonly type: 'rsa'; readonly bits: number; readonly modulus: Uint8Array; readonly exponent: Uint8Array }
  | { readonly type: 'ec'; readonly bits: number; readonly curve: 'P-256' | 'P-384' | 'P-521'; readonly curveOid: string; readonly point: Uint8Array }
  | { readonly type: 'ed25519'; readonly bits: 256; readonly key: Uint8Array }
  | { readonly type: 'unsupported'; readonly algorithm: string };

const CURVES: Record<string, { name: 'P-256' | 'P-384' | 'P-521'; bits: number; coord: number }> = {
  [OID.prime256v1]: { name: 'P-256', bits: 256, coord: 32 },
  [OID.secp384r1]: { name: 'P-384', bits: 384, coord: 48 },
  [OID.secp521r1]: { name: 'P-521', bits: 521, coord: 66 },
};

function bitLength(unsigned: Uint8Array): number {
  let i = 0;
  while (i < unsigned.length && unsigned[i] === 0) i++;
  if (i === unsigned.length) return 0;
  return (unsigned.length - i - 1) * 8 + (32 - Math.clz32(unsigned[i]!));
}

function stripZero(v: Uint8Array): Uint8Array {
  return v.length > 1 && v[0] === 0 ? v.subarray(1) : v;
}

/**
 * Parse SubjectPublicKeyInfo (whole TLV). Throws X509Error for a malformed
 * key of a known type; returns `unsupported` for an unknown algorithm.
 */
export function parseSubjectPublicKeyInfo(spki: Uint8Array): PublicKeyDetails {
  try {
    const r = new DerReader(parseSingle(spki, Tag.SEQUENCE, 'SubjectPublicKeyInfo').value, 'SubjectPublicKeyInfo');
    const alg = parseAlgorithmIdentifier(r.read(Tag.SEQUENCE, 'AlgorithmIdentifier').raw);
    const key = r.readBitString();
    r.end();
    if (key.unusedBits !== 0) throw new X509Error('X509_BAD_PUBLIC_KEY', 'subjectPublicKey has unused bits');
    switch (alg.oid) {
      case OID.rsaEncryption: {
        if (!isNullOrAbsent(alg.params)) throw new X509Error('X509_BAD_PUBLIC_KEY', 'rsaEncryption parameters must be NULL');
        const k = new DerReader(parseSingle(key.bytes, Tag.SEQUENCE, 'RSAPublicKey').value, 'RSAPublicKey');
        const n = checkInteger(k.readInteger('modulus'));
        const e = checkInteger(k.readInteger('publicExponent'));
        k.end();
        if (integerIsNegative(n) || integerIsNegative(e)) throw new X509Error('X509_BAD_PUBLIC_KEY', 'negative RSA modulus or exponent');
        const modulus = stripZero(n);
        const exponent = stripZero(e);
        const expBits = bitLength(exponent);
        if (bitLength(modulus) < 2 || expBits < 2 || (exponent[exponent.length - 1]! & 1) === 0 || expBits > 33) {
          throw new X509Error('X509_BAD_PUBLIC_KEY', 'RSA public exponent or modulus out of range');
        }
        return { type: 'rsa', bits: bitLength(modulus), modulus, exponent };
      }
      case OID.ecPublicKey: {
        if (!alg.params) throw new X509Error('X509_BAD_PUBLIC_KEY', 'EC key without namedCurve');
        const curveOid = new DerReader(alg.params).readOid();
        const c = CURVES[curveOid];
        if (!c) return { type: 'unsupported', algorithm: `EC curve ${curveOid}` };
        const p = key.bytes;
        const ok = (p[0] === 4 && p.length === 1 + 2 * c.coord) || ((p[0] === 2 || p[0] === 3) && p.length === 1 + c.coord);
        if (!ok) throw new X509Error('X509_BAD_PUBLIC_KEY', `invalid ${c.name} point encoding`);
        return { type: 'ec', bits: c.bits, curve: c.name, curveOid, point: p };
      }
      case OID.ed25519:
        if (alg.params !== undefined) throw new X509Error('X509_BAD_PUBLIC_KEY', 'Ed25519 key must not have parameters');
        if (key.bytes.length !== 32) throw new X509Error('X509_BAD_PUBLIC_KEY', 'Ed25519 key must be 32 octets');
        return { type: 'ed25519', bits: 256, key: key.bytes };
      default:
        return { type: 'unsupported', algorithm: alg.oid };
    }
  } catch (e) {
    if (e instanceof X509Error) throw e;
    throw new X509Error('X509_BAD_PUBLIC_KEY', `invalid SubjectPublicKeyInfo: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Parse and check a key the way path validation needs: a parse problem is
 * "Couldn't parse SubjectPublicKeyInfo"; a weak/unsupported key is
 * "Unacceptable public key". The provider confirms EC points lie on the curve.
 */
export function checkPublicKey(
  spki: Uint8Array,
  provider: CryptoProvider,
): { ok: true; details: PublicKeyDetails } | { ok: false; reason: 'parse' | 'unacceptable'; message: string } {
  let d: PublicKeyDetails;
  try {
    d = parseSubjectPublicKeyInfo(spki);
  } catch (e) {
    return { ok: false, reason: 'parse', message: (e as Error).message };
  }
  if (d.type === 'unsupported') return { ok: false, reason: 'parse', message: `unsupported public key algorithm ${d.algorithm}` };
  if (d.type === 'ec' && provider.describePublicKey(spki).kind !== 'ec') return { ok: false, reason: 'parse', message: 'EC point is not on the curve' };
  if (d.type === 'rsa' && d.bits < MIN_RSA_MODULUS_BITS) {
    return { ok: false, reason: 'unacceptable', message: `RSA modulus too small (${d.bits} < ${MIN_RSA_MODULUS_BITS} bits)` };
  }
  return { ok: true, details: d };
}

/** Does the key type fit the signature algorithm? */
export function keyFitsAlgorithm(d: PublicKeyDetails, alg: SignatureAlgorithm): boolean {
  switch (alg.kind) {
    case 'rsa-pkcs1':
    case 'rsa-pss':
      return d.type === 'rsa';
    case 'ecdsa':
      return d.type === 'ec';
    case 'ed25519':
      return d.type === 'ed25519';
    default:
      return false;
  }
}
