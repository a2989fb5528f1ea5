/**
 * Certification path building: from the presented chain (leaf first, then
 * intermediates in any order, possibly with strays) and the trust anchors,
 * find a path that validates.
 *
 * Depth-first search from the leaf; at each step the candidate issuers are
 * certificates whose normalized subject equals the current issuer name,
 * anchors first, then those whose subjectKeyIdentifier matches the
 * authorityKeyIdentifier, then those currently valid, newest first. A
 * candidate joins the path only if its key verifies the current
 * certificate's signature (so forged look-alike issuers are pruned early);
 * a certificate never appears twice in a path (loops), paths are at most
 * MAX_PATH_DEPTH long, at most MAX_ISSUERS_PER_CERTIFICATE candidates are
 * tried per step, at most MAX_PATHS_TRIED complete paths are validated, and
 * every signature check spends from one budget of MAX_PATH_SIGNATURE_CHECKS,
 * and the whole search from MAX_PATH_BUILDING_STEPS candidate steps.
 * A hostile chain (hundreds of certificates, many same-name issuers) thus
 * ends in bounded time with PATH_BUILDING_LIMIT_EXCEEDED.
 *
 * When no path validates, the most informative failure is reported: a
 * validated path's first error beats "issuer not found".
 */
import type { CryptoProvider } from '../crypto/provider.js';
import { bytesEqual } from './der.js';
import { Certificate } from './certificate.js';
import { MAX_ISSUERS_PER_CERTIFICATE, MAX_PATHS_TRIED, MAX_PATH_BUILDING_STEPS, MAX_PATH_DEPTH, MAX_PATH_SIGNATURE_CHECKS } from './limits.js';
import type { TrustStore } from './trust-store.js';
import { validatePath, type CertificateTrust, type KeyPurpose, type ValidationResult } from './validate.js';

export interface BuildOptions {
  readonly time: number;
  readonly purpose: KeyPurpose;
  readonly provider: CryptoProvider;
  readonly maxSignatureChecks?: number;
  /**
   * How the anchor at the end of a path is trusted; default {@link CHECKED_ANCHOR}
   * (its validity, basicConstraints, keyUsage, name constraints, policies and
   * critical extensions apply, as OpenSSL, Go and Chrome do for local roots).
   */
  readonly anchorTrust?: CertificateTrust;
}

/**
 * A trust anchor whose own certificate is checked (RFC 5937 anchor
 * constraints): not expired, a CA (a v3 anchor needs basicConstraints),
 * keyCertSign when keyUsage is present, and its name constraints, EKU,
 * policies and critical extensions constrain the path.
 */
export const CHECKED_ANCHOR: CertificateTrust = {
  type: 'anchor',
  enforceAnchorExpiry: true,
  enforceAnchorConstraints: true,
  requireAnchorBasicConstraints: true,
};
/** RFC 5280 §6.1.1's minimum: the anchor contributes its subject name and key only. */
export const NAME_AND_KEY_ANCHOR: CertificateTrust = { type: 'anchor' };

export type BuildFailure =
  | 'NO_ISSUER_FOR_LEAF'
  | 'NO_ISSUER'
  | 'SELF_SIGNED_LEAF'
  | 'SELF_SIGNED_IN_CHAIN'
  | 'SIGNATURE_FAILURE'
  | 'BUDGET_EXHAUSTED';

export interface BuildResult {
  /** The path that validated, or the best failed candidate. */
  readonly path?: readonly Certificate[];
  readonly validation?: ValidationResult;
  /** Why no complete path to an anchor was found (when `validation` is absent). */
  readonly failure?: BuildFailure;
  readonly signatureChecks: number;
}

const key = (c: Certificate): string => Buffer.from(c.der).toString('base64');

export function buildAndValidatePath(leaf: Certificate, intermediates: readonly Certificate[], anchors: TrustStore, o: BuildOptions): BuildResult {
  const budget = { remaining: o.maxSignatureChecks ?? MAX_PATH_SIGNATURE_CHECKS };
  const start = budget.remaining;
  const sigCache = new Map<string, boolean>();
  const pool = new Map<string, Certificate[]>();
  for (const c of intermediates) {
    const k = Buffer.from(c.normalizedSubject).toString('base64');
    const l = pool.get(k);
    if (!l) pool.set(k, [c]);
    else if (!l.some((x) => bytesEqual(x.der, c.der))) l.push(c);
  }

  /** Did `issuer`'s key sign `cert`? Counted and cached. */
  const signedBy = (cert: Certificate, issuer: Certificate): boolean | 'budget' => {
    if (++steps > MAX_PATH_BUILDING_STEPS) return 'budget';
    const k = key(cert) + '|' + Buffer.from(issuer.spki).toString('base64');
    const hit = sigCache.get(k);
    if (hit !== undefined) return hit;
    const alg = cert.signatureAlgorithm;
    if (!alg) return false;
    if (budget.remaining <= 0) return 'budget';
    budget.remaining--;
    const ok = o.provider.verifySync(issuer.spki, alg.algorithm, cert.tbsRaw, cert.signature);
    sigCache.set(k, ok);
    return ok;
  };

  const validate = (path: Certificate[], anchorIsLeaf: boolean): ValidationResult =>
    validatePath(path, anchorIsLeaf ? { type: 'anchorOrLeaf' } : (o.anchorTrust ?? CHECKED_ANCHOR), { time: o.time, purpose: o.purpose, provider: o.provider, budget });

  let best: { path: Certificate[]; validation: ValidationResult } | undefined;
  let pathsTried = 0;
  let steps = 0;
  let budgetHit = false;
  let sawBadSignature = false;
  let sawSelfSignedTop = false;
  let deepest: Certificate[] = [leaf];

  const consider = (path: Certificate[], v: ValidationResult): boolean => {
    pathsTried++;
    if (v.valid) {
      best = { path, validation: v };
      return true;
    }
    if (!best || v.issues.length < best.validation.issues.length) best = { path, validation: v };
    return false;
  };

  // The leaf itself is trusted (e.g. a self-signed server certificate given as `ca`).
  if (anchors.has(leaf)) {
    const v = validate([leaf], true);
    if (consider([leaf], v)) return { path: [leaf], validation: v, signatureChecks: start - budget.remaining };
  }

  const order = (cert: Certificate, cands: readonly Certificate[]): Certificate[] => {
    const aki = cert.authorityKeyIdentifier?.keyIdentifier;
    const score = (c: Certificate): number =>
      (aki && c.subjectKeyIdentifier && bytesEqual(aki, c.subjectKeyIdentifier) ? 4 : 0) +
      (c.tbs.notBefore.ms <= o.time && o.time <= c.tbs.notAfter.ms ? 2 : 0);
    return [...cands].sort((a, b) => score(b) - score(a) || b.tbs.notBefore.ms - a.tbs.notBefore.ms);
  };

  /** An issuer whose subjectKeyIdentifier contradicts the child's authorityKeyIdentifier is a name clash, not a forgery. */
  const keyIdMismatch = (cert: Certificate, issuer: Certificate): boolean => {
    const aki = cert.authorityKeyIdentifier?.keyIdentifier;
    return aki !== undefined && issuer.subjectKeyIdentifier !== undefined && !bytesEqual(aki, issuer.subjectKeyIdentifier);
  };

  const dfs = (path: Certificate[]): boolean => {
    if (pathsTried >= MAX_PATHS_TRIED || budgetHit) return false;
    const cert = path[path.length - 1]!;
    if (path.length > deepest.length) deepest = path;
    const used = new Set(path.map(key));
    const anchorCands = order(cert, anchors.findBySubject(cert.normalizedIssuer)).filter((a) => !used.has(key(a)));
    const interCands = order(cert, pool.get(Buffer.from(cert.normalizedIssuer).toString('base64')) ?? []).filter(
      (c) => !used.has(key(c)) && !anchors.has(c),
    );
    let tried = 0;
    for (const anchor of anchorCands) {
      if (tried++ >= MAX_ISSUERS_PER_CERTIFICATE) break;
      const s = signedBy(cert, anchor);
      if (s === 'budget') {
        budgetHit = true;
        return false;
      }
      if (!s) {
        if (!keyIdMismatch(cert, anchor)) sawBadSignature = true;
        continue;
      }
      const p = [...path, anchor];
      if (consider(p, validate(p, false))) return true;
      if (pathsTried >= MAX_PATHS_TRIED) return false;
    }
    if (path.length + 1 >= MAX_PATH_DEPTH) return false;
    for (const issuer of interCands) {
      if (tried++ >= MAX_ISSUERS_PER_CERTIFICATE) break;
      const s = signedBy(cert, issuer);
      if (s === 'budget') {
        budgetHit = true;
        return false;
      }
      if (!s) {
        if (!keyIdMismatch(cert, issuer)) sawBadSignature = true;
        continue;
      }
      if (issuer.isSelfIssued && signedBy(issuer, issuer) === true) {
        sawSelfSignedTop = true;
      }
      if (dfs([...path, issuer])) return true;
      if (budgetHit) return false;
    }
    return false;
  };

  dfs([leaf]);
  const checks = start - budget.remaining;
  if (best) return { path: best.path, validation: best.validation, signatureChecks: checks };
  if (budgetHit || pathsTried >= MAX_PATHS_TRIED) return { failure: 'BUDGET_EXHAUSTED', path: deepest, signatureChecks: checks };
  if (intermediates.length === 0 && leaf.isSelfIssued && signedBy(leaf, leaf) === true) return { failure: 'SELF_SIGNED_LEAF', path: [leaf], signatureChecks: checks };
  if (sawSelfSignedTop) return { failure: 'SELF_SIGNED_IN_CHAIN', path: deepest, signatureChecks: checks };
  if (sawBadSignature) return { failure: 'SIGNATURE_FAILURE', path: deepest, signatureChecks: checks };
  if (leaf.isSelfIssued && signedBy(leaf, leaf) === true) return { failure: 'SELF_SIGNED_LEAF', path: [leaf], signatureChecks: checks };
  return { failure: deepest.length === 1 ? 'NO_ISSUER_FOR_LEAF' : 'NO_ISSUER', path: deepest, signatureChecks: checks };
}
