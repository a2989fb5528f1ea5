/**
 * The public verification API: chain in, verdict out.
 *
 *   verifyCertificateChain({ chain, trustAnchors?, time?, purpose?, hostname?, crls?, provider? })
 *     → Promise<{ valid, code?, message?, path? }>
 *
 * `code` uses the OpenSSL/Node names where one exists (CERT_HAS_EXPIRED,
 * UNABLE_TO_GET_ISSUER_CERT_LOCALLY, ..., ERR_TLS_CERT_ALTNAME_INVALID) so
 * that code written against node:tls keeps working, and clear names of our
 * own otherwise (NAME_CONSTRAINTS_VIOLATION, CERT_MALFORMED, ...).
 * {@link alertForVerifyCode} says which TLS alert the engine sends for a code.
 *
 * With `crls` (node:tls `crl`), a validated path is then checked for
 * revocation (revocation.ts: every certificate, as OpenSSL's CRL_CHECK_ALL),
 * before the host name.
 *
 * Never throws for bad input: a certificate that does not parse is a
 * `CERT_MALFORMED` verdict, a CRL that does not parse `CRL_MALFORMED`.
 */
import { defaultProvider } from '../crypto/node.js';
import type { CryptoProvider } from '../crypto/provider.js';
import { Certificate } from './certificate.js';
import { toCrls, type CertificateRevocationList, type CrlInput } from './crl.js';
import { AiaSession, type AiaFetcher, type AiaOptions } from './aia.js';
import { bytesEqual } from './der.js';
import { DerError, X509Error } from './errors.js';
import { checkHostname } from './hostname.js';
import { MAX_CANDIDATE_CERTIFICATES } from './limits.js';
import { CHECKED_ANCHOR, NAME_AND_KEY_ANCHOR, buildAndValidatePath, type BuildFailure } from './path-builder.js';
import { checkRevocation, type RevocationCode } from './revocation.js';
import { resolveTrustAnchors, toCertificates, type CertificateInput, type TrustAnchorsInput } from './trust-store.js';
import type { KeyPurpose, ValidationErrorId, ValidationIssue } from './validate.js';

export type VerifyCode =
  | 'CERT_HAS_EXPIRED'
  | 'CERT_NOT_YET_VALID'
  | 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'
  | 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'
  | 'SELF_SIGNED_CERT_IN_CHAIN'
  | 'DEPTH_ZERO_SELF_SIGNED_CERT'
  | 'CERT_SIGNATURE_FAILURE'
  | 'INVALID_CA'
  | 'PATH_LENGTH_EXCEEDED'
  | 'INVALID_PURPOSE'
  | 'CERT_REJECTED'
  | 'ERR_TLS_CERT_ALTNAME_INVALID'
  | 'UNHANDLED_CRITICAL_EXTENSION'
  | 'CA_MD_TOO_WEAK'
  | 'EE_KEY_TOO_SMALL'
  | 'CA_KEY_TOO_SMALL'
  | 'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY'
  | 'SUBJECT_ISSUER_MISMATCH'
  | 'UNSUPPORTED_SIGNATURE_ALGORITHM'
  | 'UNSUPPORTED_PUBLIC_KEY'
  | 'SIGNATURE_ALGORITHM_MISMATCH'
  | 'NAME_CONSTRAINTS_VIOLATION'
  | 'NAME_CONSTRAINTS_TOO_COMPLEX'
  | 'NO_EXPLICIT_POLICY'
  | 'INVALID_POLICY_EXTENSION'
  | 'PATH_BUILDING_LIMIT_EXCEEDED'
  | 'CERT_MALFORMED'
  | 'NO_CERTIFICATE'
  | RevocationCode
  | 'CRL_MALFORMED';

export type VerifyPurpose = 'serverAuth' | 'clientAuth' | 'any';

export interface VerifyChainOptions {
  /** Leaf first; PEM (one string may hold the whole chain), DER, or parsed certificates. */
  readonly chain: CertificateInput | readonly CertificateInput[];
  /** Replaces the default store (Node's Mozilla roots), like node:tls `ca`. */
  readonly trustAnchors?: TrustAnchorsInput;
  /** Also trust the OS store (/etc/ssl/certs). */
  readonly useSystemStore?: boolean;
  /** Verification time; default now. */
  readonly time?: Date | number;
  /** Default 'serverAuth'. */
  readonly purpose?: VerifyPurpose;
  /** Check the leaf against this host name or IP literal (RFC 6125). */
  readonly hostname?: string;
  /**
   * Certificate revocation lists (node:tls `crl`): PEM text (one string may
   * hold several CRLs), DER bytes, or parsed lists (parse once with toCrls()
   * to reuse them: signature checks are then cached too). When given and
   * non-empty, every certificate of the validated path must be covered by a
   * valid CRL from its issuer (UNABLE_TO_GET_CRL otherwise) and not listed
   * in it (CERT_REVOKED). Absent or empty: no revocation checking.
   */
  readonly crls?: CrlInput | readonly CrlInput[];
  /**
   * Trust anchors are checked by default, as OpenSSL, Go and Chrome check
   * locally added roots: an expired or not yet valid anchor does not anchor
   * (CERT_HAS_EXPIRED / CERT_NOT_YET_VALID), a v3 anchor must say it is a CA
   * in basicConstraints (INVALID_CA), keyCertSign if it has keyUsage, its
   * nameConstraints, EKU and policies constrain the path
   * (NAME_CONSTRAINTS_VIOLATION, INVALID_PURPOSE) and an unknown critical
   * extension refuses it (UNHANDLED_CRITICAL_EXTENSION). `true` relaxes this
   * to RFC 5280's minimum, where the anchor is only a name and a key: for
   * callers who deliberately keep an expired or extension-less private root.
   */
  readonly relaxTrustAnchors?: boolean;
  /**
   * Fetch missing intermediates (off by default): when no path reaches a
   * trust anchor, follow the http: caIssuers URL (RFC 5280 §4.2.2.1) of the
   * certificate that lacks an issuer, take the DER or PKCS#7 certs-only
   * response as candidates, and try again — bounded (aia.ts, limits.ts) and
   * cached across verifications. A function is the fetcher (Node's:
   * `fetchIntermediate` from src/node/aia-fetch.ts); an object also sets the
   * cache, limits and an `onFetch` observer. Only the async
   * verifyCertificateChain fetches.
   */
  readonly fetch?: AiaFetcher | AiaOptions;
  readonly provider?: CryptoProvider;
}

export interface VerifyChainResult {
  readonly valid: boolean;
  readonly code?: VerifyCode;
  readonly message?: string;
  /** The validated path (leaf first, trust anchor last), or the best failed attempt. */
  readonly path?: readonly Certificate[];
  /** Every problem found on the reported path (for diagnostics). */
  readonly issues?: readonly ValidationIssue[];
  /** With `fetch`: the certificates fetched through caIssuers that were offered to path building. */
  readonly fetched?: readonly Certificate[];
}

function codeForIssue(i: ValidationIssue): VerifyCode {
  const id: ValidationErrorId = i.id;
  switch (id) {
    case 'NOT_BEFORE':
      return 'CERT_NOT_YET_VALID';
    case 'NOT_AFTER':
      return 'CERT_HAS_EXPIRED';
    case 'SIGNATURE_FAILED':
      return 'CERT_SIGNATURE_FAILURE';
    case 'SIGNATURE_ALGORITHM_MISMATCH':
      return 'SIGNATURE_ALGORITHM_MISMATCH';
    case 'UNACCEPTABLE_SIGNATURE_ALGORITHM':
      return 'UNSUPPORTED_SIGNATURE_ALGORITHM';
    case 'WEAK_SIGNATURE_ALGORITHM':
      return 'CA_MD_TOO_WEAK';
    case 'SPKI_PARSE_FAILED':
      return i.index === 0 ? 'UNSUPPORTED_PUBLIC_KEY' : 'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY';
    case 'UNACCEPTABLE_PUBLIC_KEY':
      return i.index === 0 ? 'EE_KEY_TOO_SMALL' : 'CA_KEY_TOO_SMALL';
    case 'SUBJECT_ISSUER_MISMATCH':
      return 'SUBJECT_ISSUER_MISMATCH';
    case 'NAME_CONSTRAINTS_VIOLATION':
      return 'NAME_CONSTRAINTS_VIOLATION';
    case 'NAME_CONSTRAINTS_TOO_MANY_CHECKS':
      return 'NAME_CONSTRAINTS_TOO_COMPLEX';
    case 'NO_VALID_POLICY':
      return 'NO_EXPLICIT_POLICY';
    case 'POLICY_MAPPING_ANY_POLICY':
      return 'INVALID_POLICY_EXTENSION';
    case 'EKU_NOT_PRESENT':
    case 'EKU_LACKS_SERVER_AUTH':
    case 'EKU_LACKS_CLIENT_AUTH':
    case 'EKU_LACKS_SERVER_AUTH_HAS_ANY':
    case 'EKU_LACKS_CLIENT_AUTH_HAS_ANY':
    case 'EKU_PROHIBITED_CODE_SIGNING':
    case 'EKU_PROHIBITED_OCSP_SIGNING':
    case 'EKU_PROHIBITED_TIME_STAMPING':
    case 'EKU_INCORRECT_FOR_RCS_MLS':
    case 'KEY_USAGE_INCORRECT_FOR_RCS_MLS':
    case 'EKU_INCORRECT_FOR_C2PA':
    case 'TARGET_IS_CA':
      return 'INVALID_PURPOSE';
    case 'MISSING_BASIC_CONSTRAINTS':
    case 'NOT_A_CA':
    case 'KEY_CERT_SIGN_NOT_SET':
      return 'INVALID_CA';
    case 'MAX_PATH_LENGTH':
      return 'PATH_LENGTH_EXCEEDED';
    case 'UNCONSUMED_CRITICAL_EXTENSION':
      return 'UNHANDLED_CRITICAL_EXTENSION';
    case 'NOT_TRUST_ANCHOR':
      return 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY';
    case 'DISTRUSTED':
      return 'CERT_REJECTED';
    case 'SIGNATURE_BUDGET_EXHAUSTED':
      return 'PATH_BUILDING_LIMIT_EXCEEDED';
    case 'CHAIN_EMPTY':
      return 'NO_CERTIFICATE';
  }
}

const FAILURE: Record<BuildFailure, [VerifyCode, string]> = {
  NO_ISSUER_FOR_LEAF: ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'],
  NO_ISSUER: ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'unable to get local issuer certificate'],
  SELF_SIGNED_LEAF: ['DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'],
  SELF_SIGNED_IN_CHAIN: ['SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'],
  SIGNATURE_FAILURE: ['CERT_SIGNATURE_FAILURE', 'certificate signature failure'],
  BUDGET_EXHAUSTED: ['PATH_BUILDING_LIMIT_EXCEEDED', 'certificate path building exceeded its work limit'],
};

/** Node's texts for the codes Node has, so messages read the same. */
const NODE_MESSAGES: Partial<Record<VerifyCode, string>> = {
  CERT_HAS_EXPIRED: 'certificate has expired',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
  CERT_SIGNATURE_FAILURE: 'certificate signature failure',
  INVALID_CA: 'invalid CA certificate',
  PATH_LENGTH_EXCEEDED: 'path length constraint exceeded',
  INVALID_PURPOSE: 'unsupported certificate purpose',
  CERT_REJECTED: 'certificate rejected',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unable to get local issuer certificate',
  UNHANDLED_CRITICAL_EXTENSION: 'unhandled critical extension',
  CA_MD_TOO_WEAK: 'CA signature digest algorithm too weak',
  EE_KEY_TOO_SMALL: 'EE certificate key too weak',
  CA_KEY_TOO_SMALL: 'CA certificate key too weak',
  CERT_REVOKED: 'certificate revoked',
  UNABLE_TO_GET_CRL: 'unable to get certificate CRL',
  CRL_HAS_EXPIRED: 'CRL has expired',
  CRL_NOT_YET_VALID: 'CRL is not yet valid',
  CRL_SIGNATURE_FAILURE: 'CRL signature failure',
  UNHANDLED_CRITICAL_CRL_EXTENSION: 'unhandled critical CRL extension',
  KEYUSAGE_NO_CRL_SIGN: 'key usage does not include CRL signing',
};

/**
 * The verification time in milliseconds, truncated to whole seconds:
 * certificate and CRL times have a resolution of one second (RFC 5280
 * §4.1.2.5), so a certificate is valid for its whole last second, as
 * BoringSSL does.
 */
export function toTime(t: Date | number | undefined): number {
  const ms = t === undefined ? Date.now() : typeof t === 'number' ? t : t.getTime();
  return Math.floor(ms / 1000) * 1000;
}

function fail(code: VerifyCode, message: string, path?: readonly Certificate[], issues?: readonly ValidationIssue[]): VerifyChainResult {
  return { valid: false, code, message, ...(path ? { path } : {}), ...(issues ? { issues } : {}) };
}

/** Synchronous core of {@link verifyCertificateChain} (never fetches). */
export function verifyCertificateChainSync(options: VerifyChainOptions): VerifyChainResult {
  return verifyWith(options, []);
}

/** Verify with `extra` candidate intermediates (fetched ones) after the presented chain. */
function verifyWith(options: VerifyChainOptions, extra: readonly Certificate[]): VerifyChainResult {
  const provider = options.provider ?? defaultProvider;
  let chain: Certificate[];
  try {
    chain = toCertificates(options.chain);
  } catch (e) {
    if (e instanceof X509Error || e instanceof DerError) return fail('CERT_MALFORMED', `malformed certificate in chain: ${e.message}`);
    return fail('CERT_MALFORMED', `malformed certificate in chain: ${(e as Error)?.message}`);
  }
  if (chain.length === 0) return fail('NO_CERTIFICATE', 'no certificate presented');
  if (chain.length > MAX_CANDIDATE_CERTIFICATES) return fail('PATH_BUILDING_LIMIT_EXCEEDED', `chain of ${chain.length} certificates exceeds ${MAX_CANDIDATE_CERTIFICATES}`);
  if (extra.length > 0) chain = [...chain, ...extra];
  let crls: CertificateRevocationList[] | undefined;
  if (options.crls !== undefined) {
    try {
      crls = toCrls(options.crls);
    } catch (e) {
      return fail('CRL_MALFORMED', `malformed CRL: ${((e as Error)?.message ?? String(e)).replace(/^invalid CRL: /, '')}`);
    }
  }
  let anchors;
  try {
    anchors = resolveTrustAnchors(options.trustAnchors, { system: options.useSystemStore === true });
  } catch (e) {
    return fail('CERT_MALFORMED', `malformed trust anchor: ${(e as Error).message}`);
  }
  const purpose: KeyPurpose = options.purpose === 'clientAuth' ? 'clientAuth' : options.purpose === 'any' ? 'any' : 'serverAuth';
  const time = toTime(options.time);
  const anchorTrust = options.relaxTrustAnchors === true ? NAME_AND_KEY_ANCHOR : CHECKED_ANCHOR;
  const r = buildAndValidatePath(chain[0]!, chain.slice(1), anchors, { time, purpose, provider, anchorTrust });
  if (!r.validation) {
    const [code, message] = FAILURE[r.failure ?? 'NO_ISSUER'];
    return fail(code, message, r.path);
  }
  if (!r.validation.valid) {
    const first = r.validation.issues.find((i) => i.severity === 'error')!;
    const code = codeForIssue(first);
    const who = first.index >= 0 && r.path ? ` (certificate ${first.index}: ${r.path[first.index]?.subjectString})` : '';
    return fail(code, `${NODE_MESSAGES[code] ?? first.message}: ${first.message}${who}`, r.path, r.validation.issues);
  }
  if (crls !== undefined && crls.length > 0 && r.path) {
    const f = checkRevocation(r.path, crls, { time, provider });
    if (f) return fail(f.code, `${NODE_MESSAGES[f.code]}: ${f.detail} (certificate ${f.index}: ${r.path[f.index]?.subjectString})`, r.path, r.validation.issues);
  }
  if (options.hostname !== undefined) {
    const h = checkHostname(chain[0]!, options.hostname);
    if (!h.ok) return fail('ERR_TLS_CERT_ALTNAME_INVALID', `Hostname/IP does not match certificate's altnames: ${h.reason}`, r.path, r.validation.issues);
  }
  return { valid: true, ...(r.path ? { path: r.path } : {}), issues: r.validation.issues };
}

/**
 * Verify a certificate chain: build a path to a trust anchor, validate it
 * (RFC 5280 §6 with Web PKI rules) for `purpose` at `time`, then check
 * `hostname`. The TLS client calls it with purpose 'serverAuth' and the
 * server name; the server, for client certificates, with 'clientAuth'.
 */
export async function verifyCertificateChain(options: VerifyChainOptions): Promise<VerifyChainResult> {
  if (options.fetch === undefined) return verifyCertificateChainSync(options);
  const aia = new AiaSession(typeof options.fetch === 'function' ? { fetcher: options.fetch } : options.fetch);
  const fetched: Certificate[] = [];
  for (;;) {
    const r = verifyWith(options, fetched);
    if (r.valid || (r.code !== 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' && r.code !== 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY')) return withFetchNotes(r, aia.notes, fetched);
    // The certificate that lacks an issuer ends the deepest path tried.
    const lacking = r.path?.[r.path.length - 1];
    const issuers = lacking ? await aia.issuersOf(lacking) : undefined;
    const fresh = (issuers ?? []).filter((c) => !fetched.some((f) => bytesEqual(f.der, c.der)));
    if (fresh.length === 0) return withFetchNotes(r, aia.notes, fetched);
    fetched.push(...fresh);
  }
}

function withFetchNotes(r: VerifyChainResult, notes: readonly string[], fetched: readonly Certificate[]): VerifyChainResult {
  const out = fetched.length > 0 ? { ...r, fetched } : r;
  if (r.valid || notes.length === 0) return out;
  return { ...out, message: `${r.message ?? r.code}; ${notes.join('; ')}` };
}

export type CertificateAlertName =
  | 'bad_certificate'
  | 'unknown_ca'
  | 'certificate_expired'
  | 'unsupported_certificate'
  | 'certificate_unknown'
  | 'certificate_revoked'
  | 'decrypt_error';

/**
 * The TLS alert for a failed verification (as Go and BoringSSL choose them):
 * expired / not yet valid → certificate_expired; no path to a trusted root,
 * self-signed, distrusted → unknown_ca; bad signature or malformed →
 * bad_certificate; a key or algorithm we do not support → unsupported_certificate;
 * anything else → certificate_unknown. A host name mismatch is
 * bad_certificate (Go's choice).
 *
 * Revocation codes follow OpenSSL's table (ssl_x509err2alert in
 * ssl/statem/statem_lib.c, the successor of ssl_verify_alarm_type):
 * CERT_REVOKED → certificate_revoked; CRL_HAS_EXPIRED → certificate_expired;
 * CRL_NOT_YET_VALID → bad_certificate; CRL_SIGNATURE_FAILURE → decrypt_error;
 * UNABLE_TO_GET_CRL → unknown_ca; a CRL that does not parse → bad_certificate
 * (OpenSSL's ERROR_IN_CRL_*_FIELD); the codes OpenSSL does not list
 * (UNHANDLED_CRITICAL_CRL_EXTENSION, KEYUSAGE_NO_CRL_SIGN) → certificate_unknown.
 */
export function alertForVerifyCode(code: string | undefined): CertificateAlertName {
  switch (code) {
    case 'CERT_HAS_EXPIRED':
    case 'CERT_NOT_YET_VALID':
    case 'CRL_HAS_EXPIRED':
      return 'certificate_expired';
    case 'CERT_REVOKED':
      return 'certificate_revoked';
    case 'CRL_SIGNATURE_FAILURE':
      return 'decrypt_error';
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'CERT_REJECTED':
    case 'CERT_UNTRUSTED':
    case 'UNABLE_TO_GET_CRL':
      return 'unknown_ca';
    case 'CERT_SIGNATURE_FAILURE':
    case 'SIGNATURE_ALGORITHM_MISMATCH':
    case 'CERT_MALFORMED':
    case 'SUBJECT_ISSUER_MISMATCH':
    case 'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
    case 'NO_CERTIFICATE':
    case 'CRL_NOT_YET_VALID':
    case 'CRL_MALFORMED':
      return 'bad_certificate';
    case 'UNSUPPORTED_SIGNATURE_ALGORITHM':
    case 'UNSUPPORTED_PUBLIC_KEY':
    case 'CA_MD_TOO_WEAK':
    case 'EE_KEY_TOO_SMALL':
    case 'CA_KEY_TOO_SMALL':
    case 'UNHANDLED_CRITICAL_EXTENSION':
      return 'unsupported_certificate';
    default:
      return 'certificate_unknown';
  }
}
