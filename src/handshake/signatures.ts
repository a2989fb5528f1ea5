/**
 * Signature schemes: what each TLS SignatureScheme means for the provider,
 * which ones a key can make, and which one to use with a given peer.
 */
import type { CryptoProvider, PrivateKey, PublicKeyInfo, SignatureAlgorithm } from '../crypto/provider.js';
import { alertError } from '../errors.js';
import { SignatureScheme, signatureSchemeName, type VersionName } from '../registry.js';

const S = SignatureScheme;

/** RFC 8446 §4.2.3 (and RFC 5246 §7.4.1.4.1 for the PKCS#1 ones). SHA-1 and MD5 are absent on purpose. */
export function signatureAlgorithmOf(scheme: number): SignatureAlgorithm | undefined {
  switch (scheme) {
    case S.rsa_pkcs1_sha256:
      return { kind: 'rsa-pkcs1', hash: 'sha256' };
    case S.rsa_pkcs1_sha384:
      return { kind: 'rsa-pkcs1', hash: 'sha384' };
    case S.rsa_pkcs1_sha512:
      return { kind: 'rsa-pkcs1', hash: 'sha512' };
    case S.rsa_pss_rsae_sha256:
    case S.rsa_pss_pss_sha256:
      return { kind: 'rsa-pss', hash: 'sha256', saltLength: 32 };
    case S.rsa_pss_rsae_sha384:
    case S.rsa_pss_pss_sha384:
      return { kind: 'rsa-pss', hash: 'sha384', saltLength: 48 };
    case S.rsa_pss_rsae_sha512:
    case S.rsa_pss_pss_sha512:
      return { kind: 'rsa-pss', hash: 'sha512', saltLength: 64 };
    case S.ecdsa_secp256r1_sha256:
      return { kind: 'ecdsa', hash: 'sha256' };
    case S.ecdsa_secp384r1_sha384:
      return { kind: 'ecdsa', hash: 'sha384' };
    case S.ecdsa_secp521r1_sha512:
      return { kind: 'ecdsa', hash: 'sha512' };
    case S.ed25519:
      return { kind: 'ed25519' };
    default:
      return undefined;
  }
}

/**
 * Can a key of this shape make (or verify) `scheme` in `version`?
 * TLS 1.3 (§4.2.3): no PKCS#1 v1.5 in handshake signatures, and ECDSA schemes
 * are bound to their curve. TLS 1.2 ECDSA schemes only name the hash, but we
 * hold ourselves to the curve-matched pairs too.
 */
export function keyFitsScheme(key: PublicKeyInfo, scheme: number, version: VersionName): boolean {
  switch (scheme) {
    case S.rsa_pkcs1_sha256:
    case S.rsa_pkcs1_sha384:
    case S.rsa_pkcs1_sha512:
      return key.kind === 'rsa' && version === 'TLSv1.2';
    case S.rsa_pss_rsae_sha256:
    case S.rsa_pss_rsae_sha384:
    case S.rsa_pss_rsae_sha512:
      return key.kind === 'rsa';
    case S.rsa_pss_pss_sha256:
    case S.rsa_pss_pss_sha384:
    case S.rsa_pss_pss_sha512:
      return key.kind === 'rsa-pss';
    case S.ecdsa_secp256r1_sha256:
      return key.kind === 'ec' && key.curve === 'P-256';
    case S.ecdsa_secp384r1_sha384:
      return key.kind === 'ec' && key.curve === 'P-384';
    case S.ecdsa_secp521r1_sha512:
      return key.kind === 'ec' && key.curve === 'P-521';
    case S.ed25519:
      return key.kind === 'ed25519';
    default:
      return false;
  }
}

/** Our preference when we sign: PSS before PKCS#1, strongest-fitting hash first. */
const SIGNING_PREFERENCE: readonly number[] = [
  S.ed25519,
  S.ecdsa_secp256r1_sha256,
  S.ecdsa_secp384r1_sha384,
  S.ecdsa_secp521r1_sha512,
  S.rsa_pss_rsae_sha256,
  S.rsa_pss_rsae_sha384,
  S.rsa_pss_rsae_sha512,
  S.rsa_pss_pss_sha256,
  S.rsa_pss_pss_sha384,
  S.rsa_pss_pss_sha512,
  S.rsa_pkcs1_sha256,
  S.rsa_pkcs1_sha384,
  S.rsa_pkcs1_sha512,
];

/** The scheme we sign with: one the peer offered, our key can make, and we allow. */
export function chooseSignatureScheme(
  key: PrivateKey,
  peerSchemes: readonly number[],
  allowed: readonly number[],
  version: VersionName,
): number | undefined {
  for (const s of SIGNING_PREFERENCE) {
    if (peerSchemes.includes(s) && allowed.includes(s) && keyFitsScheme(key, s, version)) return s;
  }
  return undefined;
}

/** TLS 1.3 CertificateVerify content (RFC 8446 §4.4.3): 64 spaces, context string, 0, transcript hash. */
export function certificateVerifyContent13(side: 'server' | 'client', transcriptHash: Uint8Array): Uint8Array {
  const ctx = new TextEncoder().encode(side === 'server' ? 'TLS 1.3, server CertificateVerify' : 'TLS 1.3, client CertificateVerify');
  const out = new Uint8Array(64 + ctx.length + 1 + transcriptHash.length);
  out.fill(0x20, 0, 64);
  out.set(ctx, 64);
  out[64 + ctx.length] = 0;
  out.set(transcriptHash, 64 + ctx.length + 1);
  return out;
}

/**
 * Check a signature the peer made in the handshake (ServerKeyExchange or
 * CertificateVerify): the scheme must be one we allowed and fit the peer's key
 * (else illegal_parameter), and the signature must verify (else decrypt_error).
 */
export async function verifyHandshakeSignature(
  provider: CryptoProvider,
  spki: Uint8Array,
  scheme: number,
  allowed: readonly number[],
  version: VersionName,
  signed: Uint8Array,
  signature: Uint8Array,
  what: string,
): Promise<void> {
  const alg = signatureAlgorithmOf(scheme);
  if (!allowed.includes(scheme) || alg === undefined || !keyFitsScheme(provider.describePublicKey(spki), scheme, version)) {
    throw alertError('illegal_parameter', `${what} uses ${signatureSchemeName(scheme)}, which was not offered or does not fit the key`);
  }
  if (!(await provider.verify(spki, alg, signed, signature))) {
    throw alertError('decrypt_error', `${what} signature does not verify`);
  }
}
