/**
 * Certification path validation (RFC 5280 §6.1) of one ordered path.
 *
 * The input is a path already built (leaf first, trust anchor last) and the
 * trust of its last certificate; the output is every problem found, per
 * certificate, as errors (fatal) or warnings. Path building (which path?)
 * lives in path-builder.ts; this file only answers "is this path valid?".
 *
 * The procedure and its deviations from RFC 5280 follow Chromium/BoringSSL's
 * verifier, whose test suite we run unchanged:
 * - the trust anchor contributes only its subject and key, unless anchor
 *   constraints are enforced (RFC 5937), when its keyUsage, EKU,
 *   basicConstraints, nameConstraints and policies apply too (the public
 *   API enforces them by default: path-builder.ts CHECKED_ANCHOR);
 * - EKU in an intermediate constrains the leaf (the de-facto Web PKI rule);
 *   the leaf's issuer may omit EKU; anyExtendedKeyUsage is ignored at the
 *   leaf and its issuer, and only accepted higher up;
 * - a version 1/2 intermediate can never be a CA (no basicConstraints);
 * - SHA-1 signatures and RSA keys under 1024 bits are refused;
 * - an unrecognised critical extension anywhere fails the path;
 * - a bad signature or an unparsable issuer key stops processing of the rest
 *   of the path (errors from forged certificates would only be noise);
 * - certificate policies are processed with the valid_policy graph (an
 *   equivalent, bounded form of §6.1.2's tree) with
 *   user-initial-policy-set = {anyPolicy} and no initial inhibits unless asked.
 */
import type { CryptoProvider } from '../crypto/provider.js';
import { bitStringHas, bytesEqual } from './der.js';
import { checkPublicKey, parseSignatureAlgorithm } from './algorithms.js';
import { Certificate, KeyUsageBit, parseCertificatePolicies } from './certificate.js';
import { OID } from './oids.js';
import type { NameConstraints } from './name-constraints.js';

/** The key purpose required of the leaf (and, as constraints, of its CAs). */
export type KeyPurpose =
  | 'any'
  | 'serverAuth'
  | 'clientAuth'
  | 'serverAuthStrict'
  | 'clientAuthStrict'
  | 'serverAuthStrictLeaf'
  | 'clientAuthStrictLeaf'
  | 'rcsMlsClientAuth'
  | 'c2paTimestamping'
  | 'c2paManifest';

/** How far the last certificate of the path is trusted. */
export interface CertificateTrust {
  readonly type: 'anchor' | 'anchorOrLeaf' | 'leaf' | 'distrusted' | 'unspecified';
  /** Check the anchor's validity period too. */
  readonly enforceAnchorExpiry?: boolean;
  /** Apply the anchor's own extensions as constraints (RFC 5937). */
  readonly enforceAnchorConstraints?: boolean;
  /** With enforceAnchorConstraints: a v3 anchor must have basicConstraints. */
  readonly requireAnchorBasicConstraints?: boolean;
  /** A directly trusted leaf must be self-signed. */
  readonly requireLeafSelfSigned?: boolean;
}

/** Stable identifiers for validation problems; codes.ts maps them to Node/OpenSSL codes. */
export type ValidationErrorId =
  | 'NOT_BEFORE'
  | 'NOT_AFTER'
  | 'SIGNATURE_FAILED'
  | 'SIGNATURE_ALGORITHM_MISMATCH'
  | 'UNACCEPTABLE_SIGNATURE_ALGORITHM'
  | 'WEAK_SIGNATURE_ALGORITHM'
  | 'SPKI_PARSE_FAILED'
  | 'UNACCEPTABLE_PUBLIC_KEY'
  | 'SUBJECT_ISSUER_MISMATCH'
  | 'NAME_CONSTRAINTS_VIOLATION'
  | 'NAME_CONSTRAINTS_TOO_MANY_CHECKS'
  | 'NO_VALID_POLICY'
  | 'POLICY_MAPPING_ANY_POLICY'
  | 'EKU_NOT_PRESENT'
  | 'EKU_LACKS_SERVER_AUTH'
  | 'EKU_LACKS_CLIENT_AUTH'
  | 'EKU_LACKS_SERVER_AUTH_HAS_ANY'
  | 'EKU_LACKS_CLIENT_AUTH_HAS_ANY'
  | 'EKU_PROHIBITED_CODE_SIGNING'
  | 'EKU_PROHIBITED_OCSP_SIGNING'
  | 'EKU_PROHIBITED_TIME_STAMPING'
  | 'EKU_INCORRECT_FOR_RCS_MLS'
  | 'KEY_USAGE_INCORRECT_FOR_RCS_MLS'
  | 'EKU_INCORRECT_FOR_C2PA'
  | 'TARGET_IS_CA'
  | 'MISSING_BASIC_CONSTRAINTS'
  | 'NOT_A_CA'
  | 'MAX_PATH_LENGTH'
  | 'KEY_CERT_SIGN_NOT_SET'
  | 'UNCONSUMED_CRITICAL_EXTENSION'
  | 'NOT_TRUST_ANCHOR'
  | 'DISTRUSTED'
  | 'SIGNATURE_BUDGET_EXHAUSTED'
  | 'CHAIN_EMPTY';

export interface ValidationIssue {
  /** Index into the path (0 = leaf), or -1 for the path as a whole. */
  readonly index: number;
  readonly severity: 'error' | 'warning';
  readonly id: ValidationErrorId;
  readonly message: string;
}

export interface ValidationOptions {
  /** Milliseconds since the epoch. */
  readonly time: number;
  readonly purpose: KeyPurpose;
  readonly provider: CryptoProvider;
  /** Shared signature-check budget (path building spends from it too). */
  readonly budget?: { remaining: number };
  readonly initialExplicitPolicy?: boolean;
  readonly initialPolicyMappingInhibit?: boolean;
  readonly initialAnyPolicyInhibit?: boolean;
  /**
   * Accept SHA-1 signatures. Only for running foreign test suites whose
   * harness allows them; the public API never sets it.
   */
  readonly allowSha1Signatures?: boolean;
  /** Policy OIDs acceptable to the caller; default {anyPolicy}. */
  readonly userInitialPolicySet?: readonly string[];
}

export interface ValidationResult {
  readonly valid: boolean;
  readonly issues: readonly ValidationIssue[];
  /** RFC 5280 user-constrained-policy-set (X.509 §10.2). */
  readonly userConstrainedPolicySet: readonly string[];
}

const MESSAGES: Record<ValidationErrorId, string> = {
  NOT_BEFORE: 'Time is before notBefore',
  NOT_AFTER: 'Time is after notAfter',
  SIGNATURE_FAILED: 'VerifySignedData failed',
  SIGNATURE_ALGORITHM_MISMATCH: 'Certificate.signatureAlgorithm != TBSCertificate.signature',
  UNACCEPTABLE_SIGNATURE_ALGORITHM: 'Unacceptable signature algorithm',
  WEAK_SIGNATURE_ALGORITHM: 'Unacceptable signature algorithm (SHA-1/MD5 signatures are not accepted)',
  SPKI_PARSE_FAILED: "Couldn't parse SubjectPublicKeyInfo",
  UNACCEPTABLE_PUBLIC_KEY: 'Unacceptable public key',
  SUBJECT_ISSUER_MISMATCH: 'subject does not match issuer',
  NAME_CONSTRAINTS_VIOLATION: 'Not permitted by name constraints',
  NAME_CONSTRAINTS_TOO_MANY_CHECKS: 'Too many name constraints checks',
  NO_VALID_POLICY: 'No valid policy',
  POLICY_MAPPING_ANY_POLICY: 'PolicyMappings must not map anyPolicy',
  EKU_NOT_PRESENT: 'Certificate does not have extended key usage',
  EKU_LACKS_SERVER_AUTH: 'The extended key usage does not include server auth',
  EKU_LACKS_CLIENT_AUTH: 'The extended key usage does not include client auth',
  EKU_LACKS_SERVER_AUTH_HAS_ANY: 'The extended key usage does not include server auth but instead includes anyExtendedKeyUsage',
  EKU_LACKS_CLIENT_AUTH_HAS_ANY: 'The extended key usage does not include client auth but instead includes anyExtendedKeyUsage',
  EKU_PROHIBITED_CODE_SIGNING: 'The extended key usage includes code signing which is not permitted for this use',
  EKU_PROHIBITED_OCSP_SIGNING: 'The extended key usage includes OCSP signing which is not permitted for this use',
  EKU_PROHIBITED_TIME_STAMPING: 'The extended key usage includes time stamping which is not permitted for this use',
  EKU_INCORRECT_FOR_RCS_MLS: 'The extended key usage does not contain only the rcsMlsClient key purpose.',
  KEY_USAGE_INCORRECT_FOR_RCS_MLS: 'KeyUsage must have only the digitalSignature bit set for rcsMlsClient auth',
  EKU_INCORRECT_FOR_C2PA: 'The extended key usage is not valid for this C2PA purpose',
  TARGET_IS_CA: 'Certificate has Basic Constraints indicating it is a CA when it should not be a CA',
  MISSING_BASIC_CONSTRAINTS: 'Does not have Basic Constraints',
  NOT_A_CA: 'Basic Constraints indicates not a CA',
  MAX_PATH_LENGTH: 'max_path_length reached',
  KEY_CERT_SIGN_NOT_SET: 'keyCertSign bit is not set',
  UNCONSUMED_CRITICAL_EXTENSION: 'Unconsumed critical extension',
  NOT_TRUST_ANCHOR: 'Certificate is not a trust anchor',
  DISTRUSTED: 'Distrusted by trust store',
  SIGNATURE_BUDGET_EXHAUSTED: 'Signature verification budget exhausted',
  CHAIN_EMPTY: 'Chain is empty',
};

const RCS_MLS_CLIENT = '2.23.146.2.1.3';
const RCS_MLS_PARTICIPANT_INFORMATION = '2.23.146.2.1.4';
const RCS_MLS_ACS_PARTICIPANT_INFORMATION = '2.23.146.2.1.5';

/** Extensions path validation consumes, so they may be critical. */
function isHandledCriticalExtension(cert: Certificate, oid: string, value: Uint8Array): boolean {
  switch (oid) {
    case OID.basicConstraints:
    case OID.keyUsage: // checked by the caller for the leaf, by us for CAs
    case OID.extKeyUsage:
    case OID.nameConstraints:
    case OID.subjectAltName:
    case OID.policyMappings:
    case OID.policyConstraints:
    case OID.inhibitAnyPolicy:
      return true;
    case OID.certificatePolicies:
      // Qualifiers are skipped, so a critical extension may only carry the known ones (§4.2.1.4).
      try {
        parseCertificatePolicies(value, true);
        return true;
      } catch {
        return false;
      }
    default:
      void cert;
      return false;
  }
}

const ANY_POLICY = OID.anyPolicy;

/**
 * The valid_policy tree of RFC 5280 §6.1.2, kept as a DAG: one node per
 * policy per level, parents by policy OID, anyPolicy tracked separately.
 * Pruning of childless nodes is deferred to the final reachability pass.
 */
class ValidPolicyGraph {
  private levels: Map<string, { parents: string[]; mapped: boolean; reachable: boolean }>[] = [];
  private current = { expected: new Map<string, string[]>(), hasAny: false };

  init(): void {
    this.setNull();
    this.startLevel();
    this.current.hasAny = true;
  }
  isNull(): boolean {
    return !this.current.hasAny && (this.levels.length === 0 || this.levels[this.levels.length - 1]!.size === 0);
  }
  setNull(): void {
    this.levels = [];
    this.current = { expected: new Map(), hasAny: false };
  }
  startLevel(): { expected: Map<string, string[]>; hasAny: boolean } {
    const last = this.levels[this.levels.length - 1];
    if (last) {
      for (const [policy, node] of last) {
        if (!node.mapped) {
          const l = this.current.expected.get(policy) ?? [];
          l.push(policy);
          this.current.expected.set(policy, l);
        }
      }
    }
    const prev = this.current;
    this.levels.push(new Map());
    this.current = { expected: new Map(), hasAny: false };
    return prev;
  }
  addNode(policy: string, parents: string[]): void {
    this.levels[this.levels.length - 1]!.set(policy, { parents, mapped: false, reachable: false });
  }
  addAnyPolicyNode(): void {
    this.current.hasAny = true;
  }
  addPolicyMapping(issuerPolicy: string, subjectPolicy: string): void {
    const level = this.levels[this.levels.length - 1];
    if (!level) return;
    let node = level.get(issuerPolicy);
    if (!node) {
      if (!this.current.hasAny) return;
      node = { parents: [], mapped: false, reachable: false };
      level.set(issuerPolicy, node);
    }
    node.mapped = true;
    const l = this.current.expected.get(subjectPolicy) ?? [];
    l.push(issuerPolicy);
    this.current.expected.set(subjectPolicy, l);
  }
  deleteNode(policy: string): void {
    this.levels[this.levels.length - 1]?.delete(policy);
  }
  userConstrainedPolicySet(user: ReadonlySet<string>): string[] {
    if (this.levels.length === 0) return [];
    const userAny = user.has(ANY_POLICY);
    if (this.current.hasAny) return userAny ? [ANY_POLICY] : [...user];
    for (const node of this.levels[this.levels.length - 1]!.values()) node.reachable = true;
    const out = new Set<string>();
    for (let i = this.levels.length - 1; i >= 0; i--) {
      for (const [policy, node] of this.levels[i]!) {
        if (!node.reachable) continue;
        if (node.parents.length === 0) {
          if (userAny || user.has(policy)) out.add(policy);
        } else if (i > 0) {
          for (const p of node.parents) {
            const parent = this.levels[i - 1]!.get(p);
            if (parent) parent.reachable = true;
          }
        }
      }
    }
    return [...out];
  }
}

class PathValidator {
  private readonly issues: ValidationIssue[] = [];
  private readonly graph = new ValidPolicyGraph();
  private readonly nameConstraints: NameConstraints[] = [];
  private explicitPolicy = 0;
  private inhibitAnyPolicy = 0;
  private policyMapping = 0;
  private maxPathLength = 0;
  /** The issuer key for the next certificate (undefined: it failed to parse). */
  private workingSpki: Uint8Array | undefined;
  private workingIssuerName: Uint8Array = new Uint8Array(0);
  private userConstrained: string[] = [];

  constructor(private readonly o: ValidationOptions) {}

  private add(index: number, severity: 'error' | 'warning', id: ValidationErrorId, detail?: string): void {
    this.issues.push({ index, severity, id, message: detail ? `${MESSAGES[id]}: ${detail}` : MESSAGES[id] });
  }
  private error(index: number, id: ValidationErrorId, detail?: string): void {
    this.add(index, 'error', id, detail);
  }

  private verifySignature(cert: Certificate, spki: Uint8Array, allowWeak: boolean): 'ok' | 'bad' | 'budget' {
    const alg = cert.signatureAlgorithm;
    if (!alg || (alg.weak && !allowWeak)) return 'bad';
    const b = this.o.budget;
    if (b) {
      if (b.remaining <= 0) return 'budget';
      b.remaining--;
    }
    return this.o.provider.verifySync(spki, alg.algorithm, cert.tbsRaw, cert.signature) ? 'ok' : 'bad';
  }

  /** Parse the key and apply key policy; undefined if it cannot be parsed. */
  private parseAndCheckPublicKey(cert: Certificate, index: number): Uint8Array | undefined {
    const r = checkPublicKey(cert.spki, this.o.provider);
    if (r.ok) return cert.spki;
    if (r.reason === 'parse') {
      this.error(index, 'SPKI_PARSE_FAILED', r.message);
      return undefined;
    }
    this.error(index, 'UNACCEPTABLE_PUBLIC_KEY', r.message);
    return cert.spki;
  }

  private verifyTime(cert: Certificate, index: number): void {
    if (this.o.time < cert.tbs.notBefore.ms) this.error(index, 'NOT_BEFORE');
    if (cert.tbs.notAfter.ms < this.o.time) this.error(index, 'NOT_AFTER');
  }

  private verifyNoUnconsumedCriticalExtensions(cert: Certificate, index: number): void {
    for (const e of cert.extensions.values()) {
      if (!e.critical) continue;
      if (this.o.purpose === 'rcsMlsClientAuth' && (e.oid === RCS_MLS_PARTICIPANT_INFORMATION || e.oid === RCS_MLS_ACS_PARTICIPANT_INFORMATION)) continue;
      // MSApplicationPolicies may be ignored when EKU is present (crbug.com/1439638).
      if (e.oid === OID.msApplicationPolicies && cert.extKeyUsage) continue;
      if (!isHandledCriticalExtension(cert, e.oid, e.value)) this.error(index, 'UNCONSUMED_CRITICAL_EXTENSION', `oid ${e.oid}`);
    }
  }

  private verifyExtendedKeyUsage(cert: Certificate, index: number, isTarget: boolean, isTargetIssuer: boolean): void {
    let purpose = this.o.purpose;
    if (purpose === 'any') return;
    const eku = cert.extKeyUsage;
    const has = (oid: string): boolean => eku !== undefined && eku.includes(oid);
    if (purpose === 'c2paManifest' || purpose === 'c2paTimestamping') {
      if (!isTarget) return;
      const prohibited = has(OID.anyExtendedKeyUsage) || has(OID.ocspSigning) || has(OID.codeSigning);
      const ok =
        purpose === 'c2paManifest'
          ? (has(OID.emailProtection) || has(OID.documentSigning)) && !has(OID.timeStamping) && !prohibited
          : has(OID.timeStamping) && !prohibited;
      if (!ok) this.error(index, 'EKU_INCORRECT_FOR_C2PA');
      return;
    }
    if (purpose === 'rcsMlsClientAuth') {
      if (isTarget) {
        const ku = cert.keyUsage;
        if (!ku || !bitStringHas(ku, KeyUsageBit.digitalSignature) || ku.bytes.length !== 1 || ku.unusedBits !== 7) {
          this.error(index, 'KEY_USAGE_INCORRECT_FOR_RCS_MLS');
        }
      }
      if (!eku) this.error(index, 'EKU_NOT_PRESENT');
      else if (eku.length !== 1 || !has(RCS_MLS_CLIENT)) this.error(index, 'EKU_INCORRECT_FOR_RCS_MLS');
      return;
    }
    if (purpose === 'clientAuthStrictLeaf') purpose = isTarget ? 'clientAuthStrict' : 'clientAuth';
    if (purpose === 'serverAuthStrictLeaf') purpose = isTarget ? 'serverAuthStrict' : 'serverAuth';
    const strict = purpose === 'serverAuthStrict' || purpose === 'clientAuthStrict';
    const errorIfStrict = (id: ValidationErrorId): void => this.add(index, strict ? 'error' : 'warning', id);
    const anyEku = has(OID.anyExtendedKeyUsage);
    if (isTarget) {
      if (!eku) this.add(index, 'warning', 'EKU_NOT_PRESENT');
      else {
        if (has(OID.codeSigning)) errorIfStrict('EKU_PROHIBITED_CODE_SIGNING');
        if (has(OID.ocspSigning)) errorIfStrict('EKU_PROHIBITED_OCSP_SIGNING');
        if (has(OID.timeStamping)) errorIfStrict('EKU_PROHIBITED_TIME_STAMPING');
      }
    } else if (isTargetIssuer && eku) {
      if (has(OID.codeSigning)) errorIfStrict('EKU_PROHIBITED_CODE_SIGNING');
      if (has(OID.timeStamping)) errorIfStrict('EKU_PROHIBITED_TIME_STAMPING');
    }
    const server = purpose === 'serverAuth' || purpose === 'serverAuthStrict';
    let hasPurpose = has(server ? OID.serverAuth : OID.clientAuth);
    if (anyEku && !hasPurpose) {
      if (isTarget || isTargetIssuer) this.add(index, 'warning', server ? 'EKU_LACKS_SERVER_AUTH_HAS_ANY' : 'EKU_LACKS_CLIENT_AUTH_HAS_ANY');
      else hasPurpose = true;
    }
    if (server && isTargetIssuer && !eku) hasPurpose = true;
    const lacks: ValidationErrorId = server ? 'EKU_LACKS_SERVER_AUTH' : 'EKU_LACKS_CLIENT_AUTH';
    if (!strict) {
      if (eku && !hasPurpose && !anyEku) this.error(index, lacks);
    } else if (!hasPurpose) {
      this.error(index, lacks);
    }
  }

  private verifyPolicies(cert: Certificate, index: number, isTarget: boolean): void {
    const policies = cert.policies?.map((p) => p.policy);
    if (policies && !this.graph.isNull()) {
      const prev = this.graph.startLevel();
      let certHasAny = false;
      for (const p of policies) {
        if (p === ANY_POLICY) {
          certHasAny = true;
          continue;
        }
        const parents = prev.expected.get(p);
        if (parents) {
          this.graph.addNode(p, parents);
          prev.expected.delete(p);
        } else if (prev.hasAny) {
          this.graph.addNode(p, []);
        }
      }
      if (certHasAny && (this.inhibitAnyPolicy > 0 || (!isTarget && cert.isSelfIssued))) {
        for (const [p, parents] of prev.expected) this.graph.addNode(p, parents);
        if (prev.hasAny) this.graph.addAnyPolicyNode();
      }
    }
    if (!policies) this.graph.setNull();
    if (!(this.explicitPolicy > 0 || !this.graph.isNull())) this.error(index, 'NO_VALID_POLICY');
  }

  private verifyPolicyMappings(cert: Certificate, index: number): void {
    const m = cert.policyMappings;
    if (!m) return;
    if (m.some((x) => x.issuerDomainPolicy === ANY_POLICY || x.subjectDomainPolicy === ANY_POLICY)) {
      this.graph.setNull();
      this.error(index, 'POLICY_MAPPING_ANY_POLICY');
      return;
    }
    if (this.policyMapping > 0) for (const x of m) this.graph.addPolicyMapping(x.issuerDomainPolicy, x.subjectDomainPolicy);
    else for (const x of m) this.graph.deleteNode(x.issuerDomainPolicy);
  }

  private applyPolicyConstraints(cert: Certificate): void {
    const pc = cert.policyConstraints;
    if (pc) {
      if (pc.requireExplicitPolicy !== undefined && pc.requireExplicitPolicy < this.explicitPolicy) this.explicitPolicy = pc.requireExplicitPolicy;
      if (pc.inhibitPolicyMapping !== undefined && pc.inhibitPolicyMapping < this.policyMapping) this.policyMapping = pc.inhibitPolicyMapping;
    }
    if (cert.inhibitAnyPolicy !== undefined && cert.inhibitAnyPolicy < this.inhibitAnyPolicy) this.inhibitAnyPolicy = cert.inhibitAnyPolicy;
  }

  /** §6.1.3; returns false to stop processing the rest of the path. */
  private basicCertificateProcessing(cert: Certificate, index: number, isTarget: boolean, isTargetIssuer: boolean): boolean {
    let stop = false;
    if (!bytesEqual(cert.signatureAlgorithmRaw, cert.tbs.signatureAlgorithmRaw)) {
      const a = parseSignatureAlgorithm(cert.tbs.signatureAlgorithmRaw);
      const b = cert.signatureAlgorithm;
      if (!a || !b || a.name !== b.name) {
        this.error(index, 'SIGNATURE_ALGORITHM_MISMATCH');
        stop = true;
      }
    }
    if (!cert.signatureAlgorithm) {
      this.error(index, 'UNACCEPTABLE_SIGNATURE_ALGORITHM');
      return false;
    }
    if (cert.signatureAlgorithm.weak && !this.o.allowSha1Signatures) {
      this.error(index, 'WEAK_SIGNATURE_ALGORITHM', cert.signatureAlgorithm.name);
      return false;
    }
    if (this.workingSpki) {
      const r = this.verifySignature(cert, this.workingSpki, this.o.allowSha1Signatures === true);
      if (r === 'budget') {
        this.error(index, 'SIGNATURE_BUDGET_EXHAUSTED');
        return false;
      }
      if (r === 'bad') {
        this.error(index, 'SIGNATURE_FAILED');
        stop = true;
      }
    } else {
      stop = true; // issuer key unparsable: already reported on the issuer
    }
    if (stop) return false;

    this.verifyTime(cert, index);
    if (!bytesEqual(cert.normalizedIssuer, this.workingIssuerName)) this.error(index, 'SUBJECT_ISSUER_MISMATCH');
    if (this.nameConstraints.length > 0 && (!cert.isSelfIssued || isTarget)) {
      for (const nc of this.nameConstraints) {
        const v = nc.checkCertificate(cert.tbs.subject, cert.subjectAltNames);
        if (v === 'not-permitted') this.error(index, 'NAME_CONSTRAINTS_VIOLATION');
        else if (v === 'too-many-checks') this.error(index, 'NAME_CONSTRAINTS_TOO_MANY_CHECKS');
      }
    }
    this.verifyPolicies(cert, index, isTarget);
    this.verifyExtendedKeyUsage(cert, index, isTarget, isTargetIssuer);
    return true;
  }

  /** §6.1.4 for an intermediate. */
  private prepareForNextCertificate(cert: Certificate, index: number): void {
    this.verifyPolicyMappings(cert, index);
    this.workingIssuerName = cert.normalizedSubject;
    this.workingSpki = this.parseAndCheckPublicKey(cert, index);
    if (cert.nameConstraints) this.nameConstraints.push(cert.nameConstraints);
    const selfIssued = cert.isSelfIssued;
    if (!selfIssued) {
      if (this.explicitPolicy > 0) this.explicitPolicy--;
      if (this.policyMapping > 0) this.policyMapping--;
      if (this.inhibitAnyPolicy > 0) this.inhibitAnyPolicy--;
    }
    this.applyPolicyConstraints(cert);
    // (k) v1/v2 certificates cannot carry basicConstraints, so they are never CAs here.
    if (!cert.basicConstraints) this.error(index, 'MISSING_BASIC_CONSTRAINTS');
    else if (!cert.basicConstraints.isCA) this.error(index, 'NOT_A_CA');
    if (!selfIssued) {
      if (this.maxPathLength === 0) this.error(index, 'MAX_PATH_LENGTH');
      else this.maxPathLength--;
    }
    const pl = cert.basicConstraints?.pathLen;
    if (pl !== undefined && pl < this.maxPathLength) this.maxPathLength = pl;
    if (cert.keyUsage && !bitStringHas(cert.keyUsage, KeyUsageBit.keyCertSign)) this.error(index, 'KEY_CERT_SIGN_NOT_SET');
    this.verifyNoUnconsumedCriticalExtensions(cert, index);
  }

  private verifyTargetIsNotCa(cert: Certificate, index: number): void {
    if (!cert.basicConstraints?.isCA) return;
    switch (this.o.purpose) {
      case 'any':
        return;
      case 'serverAuth':
      case 'clientAuth':
        this.add(index, 'warning', 'TARGET_IS_CA');
        return;
      default:
        this.error(index, 'TARGET_IS_CA');
    }
  }

  private wrapUp(cert: Certificate, index: number): void {
    if (this.explicitPolicy > 0) this.explicitPolicy--;
    if (cert.policyConstraints?.requireExplicitPolicy === 0) this.explicitPolicy = 0;
    this.verifyNoUnconsumedCriticalExtensions(cert, index);
    this.userConstrained = this.graph.userConstrainedPolicySet(new Set(this.o.userInitialPolicySet ?? [ANY_POLICY]));
    if (this.explicitPolicy === 0 && this.userConstrained.length === 0) this.error(index, 'NO_VALID_POLICY');
    this.verifyTargetIsNotCa(cert, index);
    this.parseAndCheckPublicKey(cert, index);
  }

  private applyTrustAnchorConstraints(cert: Certificate, index: number): void {
    if (cert.policies) this.verifyPolicies(cert, index, false);
    this.verifyPolicyMappings(cert, index);
    this.applyPolicyConstraints(cert);
    if (cert.keyUsage && !bitStringHas(cert.keyUsage, KeyUsageBit.keyCertSign)) this.error(index, 'KEY_CERT_SIGN_NOT_SET');
    this.verifyExtendedKeyUsage(cert, index, false, false);
    if (cert.nameConstraints) this.nameConstraints.push(cert.nameConstraints);
    if (cert.basicConstraints) {
      if (!cert.basicConstraints.isCA) this.error(index, 'NOT_A_CA');
      if (cert.basicConstraints.pathLen !== undefined) this.maxPathLength = cert.basicConstraints.pathLen;
    }
    this.verifyNoUnconsumedCriticalExtensions(cert, index);
  }

  /** Returns false to stop. */
  private processRoot(cert: Certificate, index: number, trust: CertificateTrust): boolean {
    if (trust.type === 'unspecified' || trust.type === 'leaf') {
      this.error(index, 'NOT_TRUST_ANCHOR');
      return false;
    }
    if (trust.type === 'distrusted') {
      this.error(index, 'DISTRUSTED');
      return false;
    }
    if (trust.enforceAnchorExpiry) this.verifyTime(cert, index);
    if (trust.enforceAnchorConstraints) {
      if (trust.requireAnchorBasicConstraints && !cert.basicConstraints && cert.version === 3) this.error(index, 'MISSING_BASIC_CONSTRAINTS');
      this.applyTrustAnchorConstraints(cert, index);
    }
    this.workingSpki = this.parseAndCheckPublicKey(cert, index);
    this.workingIssuerName = cert.normalizedSubject;
    return true;
  }

  private processSingleCert(cert: Certificate, trust: CertificateTrust): void {
    if (trust.type === 'unspecified' || trust.type === 'anchor') {
      this.error(0, 'NOT_TRUST_ANCHOR');
      return;
    }
    if (trust.type === 'distrusted') {
      this.error(0, 'DISTRUSTED');
      return;
    }
    this.parseAndCheckPublicKey(cert, 0);
    if (trust.requireLeafSelfSigned) {
      if (!cert.isSelfIssued) {
        this.error(0, 'SUBJECT_ISSUER_MISMATCH');
        return;
      }
      if (!cert.signatureAlgorithm) {
        this.error(0, 'UNACCEPTABLE_SIGNATURE_ALGORITHM');
        return;
      }
      const r = this.verifySignature(cert, cert.spki, true);
      if (r !== 'ok') {
        this.error(0, r === 'budget' ? 'SIGNATURE_BUDGET_EXHAUSTED' : 'SIGNATURE_FAILED');
        return;
      }
    }
    this.verifyTime(cert, 0);
    this.verifyExtendedKeyUsage(cert, 0, true, false);
    this.verifyNoUnconsumedCriticalExtensions(cert, 0);
  }

  run(certs: readonly Certificate[], trust: CertificateTrust): ValidationResult {
    if (certs.length === 0) {
      this.error(-1, 'CHAIN_EMPTY');
    } else if (certs.length === 1) {
      this.processSingleCert(certs[0]!, trust);
    } else {
      const n = certs.length - 1;
      this.graph.init();
      this.explicitPolicy = this.o.initialExplicitPolicy ? 0 : n + 1;
      this.inhibitAnyPolicy = this.o.initialAnyPolicyInhibit ? 0 : n + 1;
      this.policyMapping = this.o.initialPolicyMappingInhibit ? 0 : n + 1;
      this.maxPathLength = n;
      for (let i = 0; i < certs.length; i++) {
        const index = certs.length - 1 - i;
        const cert = certs[index]!;
        if (i === 0) {
          if (!this.processRoot(cert, index, trust)) break;
          continue;
        }
        const isTarget = index === 0;
        if (!this.basicCertificateProcessing(cert, index, isTarget, index === 1)) break;
        if (!isTarget) this.prepareForNextCertificate(cert, index);
        else this.wrapUp(cert, index);
      }
    }
    return {
      valid: !this.issues.some((i) => i.severity === 'error'),
      issues: this.issues,
      userConstrainedPolicySet: this.userConstrained,
    };
  }
}

/**
 * Validate one path: `certs[0]` is the target, `certs[i+1]` issued `certs[i]`,
 * the last one has trust `trust` (normally a trust anchor).
 */
export function validatePath(certs: readonly Certificate[], trust: CertificateTrust, options: ValidationOptions): ValidationResult {
  return new PathValidator(options).run(certs, trust);
}
