/**
 * `getPeerCertificate()` objects in exactly Node's shape and string formats
 * (node:tls PeerCertificate / DetailedPeerCertificate, Node 20):
 *
 *   subject/issuer: null-prototype objects keyed by OpenSSL short names
 *     (CN, O, OU, C, ST, L, emailAddress, ...; repeated names become arrays)
 *   subjectaltname: 'DNS:a.example, IP Address:127.0.0.1, email:x@y, URI:...'
 *   infoAccess: { 'OCSP - URI': [...], 'CA Issuers - URI': [...] }
 *   ca, bits, pubkey (SPKI DER for RSA, the raw point for EC, as node), modulus (uppercase hex) and
 *     exponent ('0x10001') for RSA, asn1Curve/nistCurve for EC
 *   valid_from/valid_to: 'Nov 23 11:09:00 2026 GMT' (day space-padded, as OpenSSL)
 *   fingerprint / fingerprint256 / fingerprint512: 'AB:CD:...'
 *   ext_key_usage: OIDs; serialNumber: uppercase hex; raw: DER Buffer
 *   issuerCertificate (detailed only): the next certificate of the chain;
 *     a self-signed root refers to itself, as in Node.
 */
import type { DetailedPeerCertificate, PeerCertificate } from 'node:tls';
import { defaultProvider } from '../crypto/node.js';
import type { CryptoProvider } from '../crypto/provider.js';
import type { Certificate } from './certificate.js';
import { parseSubjectPublicKeyInfo } from './algorithms.js';
import { generalNamesToNodeString } from './general-names.js';
import { nameToNodeObject } from './name.js';
import type { DerTime } from './der.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');

/** OpenSSL's ASN1_TIME_print format: "Nov  3 11:09:00 2026 GMT". */
export function formatNodeTime(t: DerTime): string {
  return `${MONTHS[t.month - 1]} ${String(t.day).padStart(2, ' ')} ${two(t.hours)}:${two(t.minutes)}:${two(t.seconds)} ${t.year} GMT`;
}

export function colonHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).toUpperCase().padStart(2, '0')).join(':');
}

/** BN_bn2hex of a DER INTEGER: uppercase, no leading zero octets, "0" for zero. */
function bnHex(v: Uint8Array): string {
  let i = 0;
  while (i < v.length - 1 && v[i] === 0) i++;
  const h = Buffer.from(v.subarray(i)).toString('hex').toUpperCase();
  return h === '00' || h === '' ? '0' : h;
}

const ACCESS_METHODS: Record<string, string> = { '1.3.6.1.5.5.7.48.1': 'OCSP', '1.3.6.1.5.5.7.48.2': 'CA Issuers' };
const CURVES: Record<string, string> = { 'P-256': 'prime256v1', 'P-384': 'secp384r1', 'P-521': 'secp521r1' };

function infoAccess(cert: Certificate): Record<string, string[]> | undefined {
  const aia = cert.authorityInfoAccess;
  if (!aia) return undefined;
  const out = Object.create(null) as Record<string, string[]>;
  for (const ad of aia) {
    const method = ACCESS_METHODS[ad.method] ?? ad.method;
    // Only URI locations have a text form worth exposing ([6] IA5String).
    if (ad.location[0] !== 0x86) continue;
    const k = `${method} - URI`;
    const uri = Buffer.from(ad.location.subarray(ad.location[1]! < 0x80 ? 2 : 2 + (ad.location[1]! & 0x7f))).toString('latin1');
    (out[k] ??= []).push(uri);
  }
  return out;
}

function one(cert: Certificate, provider: CryptoProvider): PeerCertificate {
  const out: Record<string, unknown> = {
    subject: nameToNodeObject(cert.tbs.subject),
    issuer: nameToNodeObject(cert.tbs.issuer),
  };
  if (cert.subjectAltNames) out['subjectaltname'] = generalNamesToNodeString(cert.subjectAltNames);
  const ia = infoAccess(cert);
  if (ia) out['infoAccess'] = ia;
  out['ca'] = cert.basicConstraints ? cert.basicConstraints.isCA : cert.version === 1 && cert.isSelfIssued;
  try {
    const pk = parseSubjectPublicKeyInfo(cert.spki);
    if (pk.type === 'rsa') {
      out['modulus'] = bnHex(pk.modulus);
      out['bits'] = pk.bits;
      out['exponent'] = '0x' + BigInt('0x' + Buffer.from(pk.exponent).toString('hex')).toString(16);
      out['pubkey'] = Buffer.from(cert.spki);
    } else if (pk.type === 'ec') {
      out['bits'] = pk.bits;
      // Node gives an EC key as the raw point (0x04 || X || Y), not the SPKI.
      out['pubkey'] = Buffer.from(pk.point);
      out['asn1Curve'] = CURVES[pk.curve];
      out['nistCurve'] = pk.curve;
    }
  } catch {
    // An unparsable key simply has no key fields, as in Node.
  }
  out['valid_from'] = formatNodeTime(cert.tbs.notBefore);
  out['valid_to'] = formatNodeTime(cert.tbs.notAfter);
  out['fingerprint'] = colonHex(provider.hash('sha1', cert.der));
  out['fingerprint256'] = colonHex(provider.hash('sha256', cert.der));
  out['fingerprint512'] = colonHex(provider.hash('sha512', cert.der));
  if (cert.extKeyUsage) out['ext_key_usage'] = [...cert.extKeyUsage];
  out['serialNumber'] = bnHex(cert.serialNumber);
  out['raw'] = Buffer.from(cert.der);
  return out as unknown as PeerCertificate;
}

function issues(child: Certificate, parent: Certificate): boolean {
  return Buffer.compare(Buffer.from(child.normalizedIssuer), Buffer.from(parent.normalizedSubject)) === 0;
}

/**
 * Node's getPeerCertificate(detailed) for a chain (leaf first). Not detailed:
 * the leaf's fields only. Detailed: each certificate links to the next
 * (its issuer) through `issuerCertificate`; a self-signed root links to itself.
 * An empty chain gives Node's empty object.
 */
export function toPeerCertificate(chain: readonly Certificate[], detailed: true, provider?: CryptoProvider): DetailedPeerCertificate;
export function toPeerCertificate(chain: readonly Certificate[], detailed?: false, provider?: CryptoProvider): PeerCertificate;
export function toPeerCertificate(chain: readonly Certificate[], detailed: boolean, provider?: CryptoProvider): PeerCertificate | DetailedPeerCertificate;
export function toPeerCertificate(chain: readonly Certificate[], detailed = false, provider: CryptoProvider = defaultProvider): PeerCertificate | DetailedPeerCertificate {
  if (chain.length === 0) return {} as PeerCertificate;
  if (!detailed) return one(chain[0]!, provider);
  const objs = chain.map((c) => one(c, provider) as DetailedPeerCertificate);
  for (let i = 0; i < chain.length; i++) {
    const c = chain[i]!;
    if (c.isSelfIssued && (i === chain.length - 1 || !issues(c, chain[i + 1]!))) {
      objs[i]!.issuerCertificate = objs[i]!;
      break;
    }
    if (i + 1 < chain.length) objs[i]!.issuerCertificate = objs[i + 1]!;
  }
  return objs[0]!;
}

