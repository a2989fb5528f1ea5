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
 * certificate's signature (so forged look-alike issuers are pruned early).
 *
 * The work is bounded, whatever the peer sends:
 * - every certificate is indexed once (by subject, and by DER so that
 *   identical copies collapse into one candidate); after that, identity is
 *   a reference comparison, never a re-encoding of the certificate;
 * - a path never holds two certificates with the same subject and public
 *   key (RFC 4158 §2.4.2, as Chromium's path builder): a second one would
 *   only make a longer path through the same key, so a pile of re-issued
 *   copies of one CA is one candidate per step, not a permutation tree;
 * - paths are at most MAX_PATH_DEPTH long, at most MAX_ISSUERS_PER_CERTIFICATE
 *   candidates are tried per step, at most MAX_PATHS_TRIED complete paths are
 *   validated, every signature check spends from one budget of
 *   MAX_PATH_SIGNATURE_CHECKS (as Go's signature-check budget), and the whole
 *   search from MAX_PATH_BUILDING_STEPS candidate steps (as Chromium's
 *   iteration limit).
 * A hostile chain thus ends in bounded time with PATH_BUILDING_LIMIT_EXCEEDED.
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

/** A map key for short bytes: one char per byte, so equal keys mean equal bytes. */
function bytesKey(b: Uint8Array): string {
  return String.fromCharCode(...b);
}

/**
 * Certificates' SHA-256 fingerprints as map keys, computed once per parsed
 * certificate (anchors are reused across verifications): identity of a
 * certificate is its fingerprint, never a re-encoding of its DER.
 */
const fingerprints = new WeakMap<Certificate, string>();

/** One distinct certificate of this search, with what the search asks of it computed once. */
interface Node {
  readonly cert: Certificate;
  readonly isAnchor: boolean;
  /** Subject name and key: two certificates with the same one never share a path. */
  readonly nameAndKey: string;
  readonly spkiKey: string;
  /** Candidate issuers, ordered, filled on first visit. */
  anchors?: readonly Node[];
  intermediates?: readonly Node[];
  /** Did the key with this spkiKey sign this certificate? */
  readonly signedBy: Map<string, boolean>;
}

export function buildAndValidatePath(leaf: Certificate, intermediates: readonly Certificate[], anchors: TrustStore, o: BuildOptions): BuildResult {
  const budget = { remaining: o.maxSignatureChecks ?? MAX_PATH_SIGNATURE_CHECKS };
  const start = budget.remaining;

  /** SHA-256 of `b`, as a map key. */
  const digestKey = (b: Uint8Array): string => bytesKey(o.provider.hash('sha256', b));
  const fingerprint = (c: Certificate): string => {
    let k = fingerprints.get(c);
    if (k === undefined) {
      k = digestKey(c.der);
      fingerprints.set(c, k);
    }
    return k;
  };

  // Index every certificate once; identical copies are one node.
  const nodes = new Map<string, Node>();
  const node = (cert: Certificate, isAnchor?: boolean): Node => {
    const f = fingerprint(cert);
    let n = nodes.get(f);
    if (!n) {
      const spkiKey = digestKey(cert.spki);
      n = { cert, isAnchor: isAnchor ?? anchors.has(cert), nameAndKey: digestKey(cert.normalizedSubject) + spkiKey, spkiKey, signedBy: new Map() };
      nodes.set(f, n);
    }
    return n;
  };
  const leafNode = node(leaf);
  const pool = new Map<string, Node[]>();
  for (const c of intermediates) {
    const n = node(c);
    if (n === leafNode || n.isAnchor) continue;
    const k = digestKey(c.normalizedSubject);
    const l = pool.get(k);
    if (!l) pool.set(k, [n]);
    else if (!l.includes(n)) l.push(n);
  }

  let steps = 0;
  /** Did `issuer`'s key sign `child`? Counted and cached per (certificate, key). */
  const signedBy = (child: Node, issuer: Node): boolean | 'budget' => {
    if (++steps > MAX_PATH_BUILDING_STEPS) return 'budget';
    const hit = child.signedBy.get(issuer.spkiKey);
    if (hit !== undefined) return hit;
    const cert = child.cert;
    const alg = cert.signatureAlgorithm;
    if (!alg) return false;
    if (budget.remaining <= 0) return 'budget';
    budget.remaining--;
    const ok = o.provider.verifySync(issuer.cert.spki, alg.algorithm, cert.tbsRaw, cert.signature);
    child.signedBy.set(issuer.spkiKey, ok);
    return ok;
  };

  const validate = (path: Certificate[], anchorIsLeaf: boolean): ValidationResult =>
    validatePath(path, anchorIsLeaf ? { type: 'anchorOrLeaf' } : (o.anchorTrust ?? CHECKED_ANCHOR), { time: o.time, purpose: o.purpose, provider: o.provider, budget });

  let best: { path: Certificate[]; validation: ValidationResult } | undefined;
  let pathsTried = 0;
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
  if (leafNode.isAnchor) {
    const v = validate([leaf], true);
    if (consider([leaf], v)) return { path: [leaf], validation: v, signatureChecks: start - budget.remaining };
  }

  const order = (cert: Certificate, cands: readonly Node[]): Node[] => {
    const aki = cert.authorityKeyIdentifier?.keyIdentifier;
    const score = (n: Node): number =>
      (aki && n.cert.subjectKeyIdentifier && bytesEqual(aki, n.cert.subjectKeyIdentifier) ? 4 : 0) +
      (n.cert.tbs.notBefore.ms <= o.time && o.time <= n.cert.tbs.notAfter.ms ? 2 : 0);
    const scored = cands.map((n) => ({ n, s: score(n) }));
    scored.sort((a, b) => b.s - a.s || b.n.cert.tbs.notBefore.ms - a.n.cert.tbs.notBefore.ms);
    return scored.map((x) => x.n);
  };
  const candidates = (n: Node): { anchors: readonly Node[]; intermediates: readonly Node[] } => {
    if (!n.anchors || !n.intermediates) {
      n.anchors = order(n.cert, anchors.findBySubject(n.cert.normalizedIssuer).map((a) => node(a, true)));
      n.intermediates = order(n.cert, pool.get(digestKey(n.cert.normalizedIssuer)) ?? []);
    }
    return { anchors: n.anchors, intermediates: n.intermediates };
  };

  /** An issuer whose subjectKeyIdentifier contradicts the child's authorityKeyIdentifier is a name clash, not a forgery. */
  const keyIdMismatch = (cert: Certificate, issuer: Certificate): boolean => {
    const aki = cert.authorityKeyIdentifier?.keyIdentifier;
    return aki !== undefined && issuer.subjectKeyIdentifier !== undefined && !bytesEqual(aki, issuer.subjectKeyIdentifier);
  };

  // The path being explored, and the subject+key pairs on it.
  const onPath = new Set<string>();

  const dfs = (path: Node[]): boolean => {
    if (pathsTried >= MAX_PATHS_TRIED || budgetHit) return false;
    const top = path[path.length - 1]!;
    if (path.length > deepest.length) deepest = path.map((n) => n.cert);
    const cands = candidates(top);
    let tried = 0;
    for (const anchor of cands.anchors) {
      // An anchor ends the path, so only the very same certificate is a loop
      // (a self-signed leaf re-issued under the anchor's name and key still chains to it).
      if (path.includes(anchor)) continue;
      if (tried++ >= MAX_ISSUERS_PER_CERTIFICATE) break;
      const s = signedBy(top, anchor);
      if (s === 'budget') {
        budgetHit = true;
        return false;
      }
      if (!s) {
        if (!keyIdMismatch(top.cert, anchor.cert)) sawBadSignature = true;
        continue;
      }
      const p = [...path.map((n) => n.cert), anchor.cert];
      if (consider(p, validate(p, false))) return true;
      if (pathsTried >= MAX_PATHS_TRIED) return false;
    }
    if (path.length + 1 >= MAX_PATH_DEPTH) return false;
    for (const issuer of cands.intermediates) {
      if (onPath.has(issuer.nameAndKey)) continue;
      if (tried++ >= MAX_ISSUERS_PER_CERTIFICATE) break;
      const s = signedBy(top, issuer);
      if (s === 'budget') {
        budgetHit = true;
        return false;
      }
      if (!s) {
        if (!keyIdMismatch(top.cert, issuer.cert)) sawBadSignature = true;
        continue;
      }
      if (issuer.cert.isSelfIssued && signedBy(issuer, issuer) === true) {
        sawSelfSignedTop = true;
      }
      onPath.add(issuer.nameAndKey);
      const found = dfs([...path, issuer]);
      onPath.delete(issuer.nameAndKey);
      if (found) return true;
      if (budgetHit) return false;
    }
    return false;
  };

  onPath.add(leafNode.nameAndKey);
  dfs([leafNode]);
  const checks = start - budget.remaining;
  if (best) return { path: best.path, validation: best.validation, signatureChecks: checks };
  if (budgetHit || pathsTried >= MAX_PATHS_TRIED) return { failure: 'BUDGET_EXHAUSTED', path: deepest, signatureChecks: checks };
  const selfSignedLeaf = (): boolean => leaf.isSelfIssued && signedBy(leafNode, leafNode) === true;
  if (intermediates.length === 0 && selfSignedLeaf()) return { failure: 'SELF_SIGNED_LEAF', path: [leaf], signatureChecks: checks };
  if (sawSelfSignedTop) return { failure: 'SELF_SIGNED_IN_CHAIN', path: deepest, signatureChecks: checks };
  if (sawBadSignature) return { failure: 'SIGNATURE_FAILURE', path: deepest, signatureChecks: checks };
  if (selfSignedLeaf()) return { failure: 'SELF_SIGNED_LEAF', path: [leaf], signatureChecks: checks };
  return { failure: deepest.length === 1 ? 'NO_ISSUER_FOR_LEAF' : 'NO_ISSUER', path: deepest, signatureChecks: checks };
}
