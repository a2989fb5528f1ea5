/**
 * Revocation checking against CRLs (RFC 5280 §6.3), the way node:tls does it
 * when given a `crl` option: OpenSSL with X509_V_FLAG_CRL_CHECK |
 * X509_V_FLAG_CRL_CHECK_ALL.
 *
 * Every certificate of a validated path must be covered by a usable CRL from
 * its issuer, leaf first; the first failure is the verdict. That includes a
 * self-issued trust anchor, checked against a CRL it signed itself: OpenSSL
 * checks the whole chain (`openssl verify -crl_check_all` says "unable to get
 * certificate CRL" at the root's depth, and CERT_REVOKED for a root its own
 * CRL lists; node:tls does the same). A trust anchor that is not self-issued
 * has no issuer on the path and is not checked (OpenSSL never builds such a
 * path without X509_V_FLAG_PARTIAL_CHAIN, which Node does not set).
 *
 * A CRL covers certificate path[i] (issuer path[i+1]) when
 *   - its issuer Name equals the certificate's issuer (RFC 5280 §7.1, the
 *     normalized comparison path building uses),
 *   - its authorityKeyIdentifier, if any, names the issuer's key
 *     (keyIdentifier vs subjectKeyIdentifier; authorityCertSerialNumber vs
 *     the issuer's serial) — as OpenSSL's crl_akid_check, a CRL naming
 *     another key is another CA's and simply does not count,
 *   - it is not a delta CRL (deltaCRLIndicator: not implemented), and
 *     either its issuer is the certificate's, or it is an indirect CRL whose
 *     issuer the certificate's distribution point names as cRLIssuer (the
 *     entry must then be assigned to the certificate's issuer by
 *     certificateIssuer, §5.3.3),
 *   - its issuingDistributionPoint, if any, puts the certificate in its
 *     scope (crl-scope.ts); the reasons of the CRLs in scope are collected
 *     until all are covered (§6.3.3 (d)),
 *   - its signer's keyUsage, if present, asserts cRLSign,
 *   - its signature verifies with the issuer's key, or with another key of
 *     the same CA (§6.3.3 (f): a certificate of that name higher on the path,
 *     or one of `crlSigners` that validates through the path, unrevoked) —
 *     the certificate rules: a known algorithm, never SHA-1 or MD5,
 *   - it has no critical extension we do not process,
 *   - thisUpdate <= time <= nextUpdate (no nextUpdate: no upper bound).
 * A covering CRL that lists the serial: CERT_REVOKED. Several covering CRLs
 * (an old and a new one): revoked if any of them lists it.
 *
 * When nothing covers a certificate, the verdict says why, most specific
 * first: a CRL that failed only on time (CRL_HAS_EXPIRED /
 * CRL_NOT_YET_VALID), then one with an unhandled critical extension
 * (UNHANDLED_CRITICAL_CRL_EXTENSION), an issuer without cRLSign
 * (KEYUSAGE_NO_CRL_SIGN), a bad signature (CRL_SIGNATURE_FAILURE), and
 * otherwise UNABLE_TO_GET_CRL (none from that issuer, or only unsupported
 * kinds).
 *
 * Cost: nothing unless CRLs are given. Each CRL whose issuer name matches is
 * signature-checked once per issuer key; the result is cached on the parsed
 * CRL (per provider), so callers that parse their CRLs once (toCrls) pay for
 * a signature check once, not per handshake.
 */
import type { CryptoProvider } from '../crypto/provider.js';
import type { Certificate } from './certificate.js';
import type { CertificateRevocationList } from './crl.js';
import { bytesEqual, integerToBigInt } from './der.js';
import { validatePath } from './validate.js';
import { ALL_REASONS, crlScope } from './crl-scope.js';

export type RevocationCode =
  | 'CERT_REVOKED'
  | 'UNABLE_TO_GET_CRL'
  | 'CRL_HAS_EXPIRED'
  | 'CRL_NOT_YET_VALID'
  | 'CRL_SIGNATURE_FAILURE'
  | 'UNHANDLED_CRITICAL_CRL_EXTENSION'
  | 'KEYUSAGE_NO_CRL_SIGN';

export interface RevocationFailure {
  readonly code: RevocationCode;
  /** Index in the path of the certificate concerned (0 = leaf). */
  readonly index: number;
  readonly detail: string;
}

export interface RevocationOptions {
  /** Milliseconds since the epoch. */
  readonly time: number;
  readonly provider: CryptoProvider;
  /**
   * Certificates that may have signed CRLs with another key than the one
   * that issued the certificates (RFC 5280 §6.3.3 (f): a separate CRL-signing
   * key of the same CA). One is used only if it validates up to the same
   * trust anchor through the path and is not revoked itself.
   */
  readonly crlSigners?: readonly Certificate[];
}

/** How deep CRL-signer paths are checked for revocation in turn. */
const MAX_CRL_SIGNER_DEPTH = 2;

/** Why one CRL does not cover one certificate, ranked: a higher rank explains the verdict better. */
type Miss =
  | { kind: 'unsupported'; crl: CertificateRevocationList; why: string }
  | { kind: 'signature'; crl: CertificateRevocationList; why: string }
  | { kind: 'signer'; crl: CertificateRevocationList; why: string }
  | { kind: 'keyUsage'; crl: CertificateRevocationList }
  | { kind: 'critical'; crl: CertificateRevocationList; oid: string }
  | { kind: 'time'; crl: CertificateRevocationList; code: 'CRL_HAS_EXPIRED' | 'CRL_NOT_YET_VALID' };

const RANK: Record<Miss['kind'], number> = { unsupported: 0, signer: 1, signature: 1, keyUsage: 2, critical: 3, time: 4 };

const MAX_CACHED_KEYS_PER_CRL = 8;
const signatureCache = new WeakMap<CertificateRevocationList, WeakMap<CryptoProvider, Map<string, boolean>>>();

/** Does `crl`'s signature verify with `spki`? Cached per CRL, provider and key. */
function signatureVerifies(crl: CertificateRevocationList, spki: Uint8Array, provider: CryptoProvider): boolean {
  const alg = crl.signatureAlgorithm;
  if (!alg || alg.weak) return false;
  let byProvider = signatureCache.get(crl);
  if (!byProvider) signatureCache.set(crl, (byProvider = new WeakMap()));
  let byKey = byProvider.get(provider);
  if (!byKey) byProvider.set(provider, (byKey = new Map()));
  const k = Buffer.from(spki.buffer, spki.byteOffset, spki.byteLength).toString('base64');
  const hit = byKey.get(k);
  if (hit !== undefined) return hit;
  let ok: boolean;
  try {
    ok = provider.verifySync(spki, alg.algorithm, crl.tbsRaw, crl.signature);
  } catch {
    ok = false;
  }
  if (byKey.size >= MAX_CACHED_KEYS_PER_CRL) byKey.clear();
  byKey.set(k, ok);
  return ok;
}

/** Is `crl` (already name-matched) one `issuer` could have signed, going by its authorityKeyIdentifier? */
function akidMatches(crl: CertificateRevocationList, issuer: Certificate): boolean {
  const aki = crl.authorityKeyIdentifier;
  if (!aki) return true;
  if (aki.keyIdentifier && issuer.subjectKeyIdentifier && !bytesEqual(aki.keyIdentifier, issuer.subjectKeyIdentifier)) return false;
  if (aki.authorityCertSerialNumber && !bytesEqual(aki.authorityCertSerialNumber, issuer.serialNumber)) return false;
  return true;
}

function describeCrl(crl: CertificateRevocationList): string {
  const n = crl.crlNumber !== undefined ? ` #${crl.crlNumber}` : '';
  return `CRL${n} of ${crl.issuerString || '(empty name)'}`;
}

function serialHex(s: Uint8Array): string {
  const v = integerToBigInt(s);
  return v < 0n ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * Check every certificate of `path` (leaf first, trust anchor last, as
 * path building returns it) against `crls`. Undefined: all covered, none
 * revoked.
 */
export function checkRevocation(path: readonly Certificate[], crls: readonly CertificateRevocationList[], o: RevocationOptions, depth = 0): RevocationFailure | undefined {
  for (let i = 0; i < path.length; i++) {
    const cert = path[i]!;
    const issuer = i + 1 < path.length ? path[i + 1]! : cert.isSelfIssued ? cert : undefined;
    if (!issuer) continue;
    const f = checkOne(cert, issuer, i, path, crls, o, depth);
    if (f) return f;
  }
  return undefined;
}

/**
 * Who may have signed `crl` for the certificate at path[index]: its issuer
 * first, then (key rollover, RFC 5280 §6.3.3 (f)) certificates of the same
 * CA name higher up the path — validated with it — and the caller's
 * separate CRL signers. Each must fit the CRL's authorityKeyIdentifier.
 */
function signerCandidates(crl: CertificateRevocationList, issuer: Certificate, index: number, path: readonly Certificate[], o: RevocationOptions): { cert: Certificate; onPath: boolean }[] {
  const out: { cert: Certificate; onPath: boolean }[] = [];
  if (bytesEqual(issuer.normalizedSubject, crl.normalizedIssuer) && akidMatches(crl, issuer)) out.push({ cert: issuer, onPath: true });
  // Path certificates are validated; that includes the certificate itself (a cRLIssuer covering its own certificate).
  for (let j = index; j < path.length; j++) {
    const c = path[j]!;
    if (c !== issuer && bytesEqual(c.normalizedSubject, crl.normalizedIssuer) && akidMatches(crl, c)) out.push({ cert: c, onPath: true });
  }
  for (const c of o.crlSigners ?? []) {
    if (bytesEqual(c.normalizedSubject, crl.normalizedIssuer) && akidMatches(crl, c) && !out.some((x) => bytesEqual(x.cert.der, c.der))) out.push({ cert: c, onPath: false });
  }
  return out;
}

/**
 * A CRL signer off the path is trusted when a certificate above `index` on
 * the path issued it, the resulting path validates, and it is not revoked.
 */
function signerTrusted(signer: Certificate, index: number, path: readonly Certificate[], crls: readonly CertificateRevocationList[], o: RevocationOptions, depth: number): string | undefined {
  if (depth >= MAX_CRL_SIGNER_DEPTH) return 'the CRL signer chain is too deep';
  for (let j = index + 1; j < path.length; j++) {
    const up = path[j]!;
    const alg = signer.signatureAlgorithm;
    if (!alg || !bytesEqual(up.normalizedSubject, signer.normalizedIssuer)) continue;
    let signed = false;
    try {
      signed = o.provider.verifySync(up.spki, alg.algorithm, signer.tbsRaw, signer.signature);
    } catch {
      signed = false;
    }
    if (!signed) continue;
    const signerPath = [signer, ...path.slice(j)];
    const v = validatePath(signerPath, { type: 'anchor' }, { time: o.time, purpose: 'any', provider: o.provider });
    if (!v.valid) return `the CRL signer ${signer.subjectString} does not validate: ${v.issues.find((i) => i.severity === 'error')?.message}`;
    const f = checkRevocation(signerPath, crls, o, depth + 1);
    if (f) return `the CRL signer ${signer.subjectString}: ${f.code} (${f.detail})`;
    return undefined;
  }
  return `no certificate on the path issued the CRL signer ${signer.subjectString}`;
}

function checkOne(
  cert: Certificate,
  issuer: Certificate,
  index: number,
  path: readonly Certificate[],
  crls: readonly CertificateRevocationList[],
  o: RevocationOptions,
  depth: number,
): RevocationFailure | undefined {
  let covered: CertificateRevocationList | undefined;
  let reasons = 0;
  let best: Miss | undefined;
  const miss = (m: Miss): void => {
    if (!best || RANK[m.kind] > RANK[best.kind]) best = m;
  };
  for (const crl of crls) {
    // A CRL of the certificate's issuer, or an indirect CRL of the CA its distribution point names (crl-scope.ts).
    if (!bytesEqual(crl.normalizedIssuer, cert.normalizedIssuer) && crl.issuingDistributionPoint?.indirectCRL !== true) continue;
    const signers = signerCandidates(crl, issuer, index, path, o);
    if (signers.length === 0) continue;
    if (crl.unsupported !== undefined) {
      miss({ kind: 'unsupported', crl, why: crl.unsupported });
      continue;
    }
    const scope = crlScope(cert, crl.issuingDistributionPoint, crl.normalizedIssuer);
    if (typeof scope === 'string') {
      miss({ kind: 'unsupported', crl, why: scope });
      continue;
    }
    let signed = false;
    let why: Miss | undefined;
    for (const s of signers) {
      if (s.cert.keyUsage && !s.cert.hasKeyUsage('cRLSign')) {
        why ??= { kind: 'keyUsage', crl };
        continue;
      }
      if (!signatureVerifies(crl, s.cert.spki, o.provider)) {
        const alg = crl.signatureAlgorithm;
        why ??= {
          kind: 'signature',
          crl,
          why: !alg ? 'unsupported signature algorithm' : alg.weak ? `${alg.name} signatures are not accepted` : `the ${alg.name} signature does not verify with the issuer's key`,
        };
        continue;
      }
      const untrusted = s.onPath ? undefined : signerTrusted(s.cert, index, path, crls, o, depth);
      if (untrusted !== undefined) {
        why = { kind: 'signer', crl, why: untrusted };
        continue;
      }
      signed = true;
      break;
    }
    if (!signed) {
      if (why) miss(why);
      continue;
    }
    if (crl.unhandledCriticalExtension !== undefined) {
      miss({ kind: 'critical', crl, oid: crl.unhandledCriticalExtension });
      continue;
    }
    if (o.time < crl.thisUpdateTime.ms) {
      miss({ kind: 'time', crl, code: 'CRL_NOT_YET_VALID' });
      continue;
    }
    if (crl.nextUpdateTime && crl.nextUpdateTime.ms < o.time) {
      miss({ kind: 'time', crl, code: 'CRL_HAS_EXPIRED' });
      continue;
    }
    if (crl.isRevokedFor(cert.serialNumber, cert.normalizedIssuer)) {
      const e = crl.getEntry(cert.serialNumber);
      const when = e ? ` (revoked ${e.revocationDate.toISOString()}${e.reason !== undefined ? `, reason ${e.reason}` : ''})` : '';
      return { code: 'CERT_REVOKED', index, detail: `serial ${serialHex(cert.serialNumber)} is listed in the ${describeCrl(crl)}${when}` };
    }
    // §6.3.3 (d)-(j): keep collecting until every reason is covered.
    reasons |= scope;
    covered = crl;
  }
  if (reasons === ALL_REASONS) return undefined;
  if (covered) return { code: 'UNABLE_TO_GET_CRL', index, detail: `the CRLs of ${cert.issuerString || '(empty name)'} cover only some revocation reasons (onlySomeReasons)` };
  const m = best as Miss | undefined;
  if (!m) return { code: 'UNABLE_TO_GET_CRL', index, detail: `no CRL from ${cert.issuerString || '(empty name)'}` };
  switch (m.kind) {
    case 'time':
      return m.code === 'CRL_HAS_EXPIRED'
        ? { code: m.code, index, detail: `the ${describeCrl(m.crl)} expired at ${iso(m.crl.nextUpdateTime!.ms)}` }
        : { code: m.code, index, detail: `the ${describeCrl(m.crl)} is valid from ${iso(m.crl.thisUpdateTime.ms)}` };
    case 'critical':
      return { code: 'UNHANDLED_CRITICAL_CRL_EXTENSION', index, detail: `the ${describeCrl(m.crl)} has the critical extension ${m.oid}` };
    case 'keyUsage':
      return { code: 'KEYUSAGE_NO_CRL_SIGN', index, detail: `the issuer's keyUsage lacks cRLSign, so its ${describeCrl(m.crl)} cannot be used` };
    case 'signature':
      return { code: 'CRL_SIGNATURE_FAILURE', index, detail: `the ${describeCrl(m.crl)}: ${m.why}` };
    case 'signer':
      return { code: 'UNABLE_TO_GET_CRL', index, detail: `the ${describeCrl(m.crl)} is not usable: ${m.why}` };
    case 'unsupported':
      return { code: 'UNABLE_TO_GET_CRL', index, detail: `the only ${describeCrl(m.crl)} is not usable: ${m.why}` };
  }
}
