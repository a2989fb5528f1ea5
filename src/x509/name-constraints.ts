/**
 * The nameConstraints extension (RFC 5280 §4.2.1.10) and its checks (§6.1.3 b-c).
 *
 *   NameConstraints ::= SEQUENCE {
 *        permittedSubtrees       [0]     GeneralSubtrees OPTIONAL,
 *        excludedSubtrees        [1]     GeneralSubtrees OPTIONAL }
 *   GeneralSubtree ::= SEQUENCE { base GeneralName, minimum [0] DEFAULT 0, maximum [1] OPTIONAL }
 *
 * Supported forms: dNSName, iPAddress, directoryName, rfc822Name. Other forms
 * are recorded; when the extension is critical, a later certificate carrying a
 * name of such a form is refused (RFC 5280: "process the constraint or reject").
 * minimum/maximum must be absent (profile requirement), so they are refused.
 *
 * Matching rules (as Chromium, whose tests pin them down):
 * - dNSName: a constraint matches itself and names with more labels on the
 *   left; a leading "." means subdomains only; the empty constraint matches
 *   everything. A wildcard SAN ("*.x.y") is permitted only if every expansion
 *   is, and excluded if any expansion could be. Case-insensitive; a trailing
 *   dot is ignored. commonName is never treated as a host name.
 * - iPAddress: address/prefix, family-exact (no v4-mapped v6 matching).
 * - directoryName: RDN-prefix match (RFC 5280 §7.1).
 * - rfc822Name: mailbox, host, or ".domain"; addresses that need quoting are
 *   refused rather than half-parsed.
 * Work is bounded: names x constraints must stay under
 * MAX_NAME_CONSTRAINT_CHECKS.
 */
import { DerReader, Tag, contextConstructed, parseSingle } from './der.js';
import { X509Error } from './errors.js';
import { ALL_GENERAL_NAME_TYPES, GeneralNameType, addGeneralName, emptyGeneralNames, type GeneralNames } from './general-names.js';
import { MAX_NAME_CONSTRAINT_CHECKS } from './limits.js';
import { findEmailAddressesInName, verifyNameInSubtree } from './name.js';

const SUPPORTED_TYPES = GeneralNameType.rfc822Name | GeneralNameType.dNSName | GeneralNameType.directoryName | GeneralNameType.iPAddress;

function parseGeneralSubtrees(value: Uint8Array): GeneralNames {
  const r = new DerReader(value, 'GeneralSubtrees');
  if (!r.hasMore()) throw new X509Error('X509_BAD_EXTENSION', 'GeneralSubtrees is empty');
  const out = emptyGeneralNames();
  while (r.hasMore()) {
    const st = r.enter(Tag.SEQUENCE, 'GeneralSubtree');
    const base = st.readAny();
    addGeneralName(base.tag, base.value, base.raw, true, out);
    if (st.hasMore()) throw new X509Error('X509_BAD_EXTENSION', 'GeneralSubtree minimum/maximum are not allowed');
  }
  return out;
}

const lower = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

function endsWithNoCase(s: string, suffix: string): boolean {
  return s.length >= suffix.length && lower(s.slice(s.length - suffix.length)) === lower(suffix);
}

function dnsNameMatches(name: string, constraint: string, wildcardPartial: boolean): boolean {
  if (constraint.length === 0) return true;
  if (name.endsWith('.')) name = name.slice(0, -1);
  if (constraint.endsWith('.')) constraint = constraint.slice(0, -1);
  if (wildcardPartial && name.length > 2 && name.startsWith('*.')) {
    const dot = constraint.indexOf('.');
    if (dot >= 0 && lower(name.slice(2)) === lower(constraint.slice(dot + 1))) return true;
  }
  if (!endsWithNoCase(name, constraint)) return false;
  if (name.length === constraint.length) return true;
  if (constraint.startsWith('.')) constraint = constraint.slice(1);
  return name.length > constraint.length && name[name.length - constraint.length - 1] === '.';
}

const isAlphaDigit = (c: string): boolean => /[0-9A-Za-z]/.test(c);
const LOCAL_PART_CHARS = new Set("!#$%&'*+-/=?^_`{|}~.");

function isAllowedLocalPart(s: string): boolean {
  if (s.length === 0) return false;
  for (const c of s) if (!(isAlphaDigit(c) || LOCAL_PART_CHARS.has(c))) return false;
  return true;
}

function isAllowedDomain(s: string): boolean {
  if (s.length === 0) return false;
  for (const c of s) if (!(isAlphaDigit(c) || c === '-' || c === '.')) return false;
  return true;
}

function rfc822Matches(local: string, domain: string, constraint: string, excluded: boolean, caseInsensitiveLocal: boolean): boolean {
  const errorValue = excluded;
  const parts = constraint.split('@');
  let cLocal = '';
  let cDomain: string;
  if (parts.length === 1) {
    cDomain = parts[0]!;
  } else if (parts.length === 2) {
    cLocal = parts[0]!;
    if (!isAllowedLocalPart(cLocal)) return errorValue;
    cDomain = parts[1]!;
  } else {
    return errorValue;
  }
  if (!isAllowedDomain(cDomain)) return errorValue;
  if (cLocal.length > 0) {
    const localOk = caseInsensitiveLocal ? lower(local) === lower(cLocal) : local === cLocal;
    return localOk && lower(domain) === lower(cDomain);
  }
  if (cDomain.startsWith('.')) return endsWithNoCase(domain, cDomain);
  return lower(domain) === lower(cDomain);
}

function ipMatchesPrefix(ip: Uint8Array, range: { address: Uint8Array; prefixLength: number }): boolean {
  if (ip.length !== range.address.length) return false;
  let bits = range.prefixLength;
  for (let i = 0; i < ip.length && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((ip[i]! & mask) !== (range.address[i]! & mask)) return false;
  }
  return true;
}

export type NameConstraintsVerdict = 'ok' | 'not-permitted' | 'too-many-checks';

export class NameConstraints {
  readonly permitted: GeneralNames;
  readonly excluded: GeneralNames;
  /** Name forms this extension constrains (all forms if critical, else only supported ones). */
  readonly constrainedTypes: number;

  private constructor(permitted: GeneralNames, excluded: GeneralNames, critical: boolean) {
    this.permitted = permitted;
    this.excluded = excluded;
    const mask = critical ? ALL_GENERAL_NAME_TYPES : SUPPORTED_TYPES;
    this.constrainedTypes = (permitted.presentTypes | excluded.presentTypes) & mask;
  }

  /** Parse the extnValue contents. Throws X509Error if malformed. */
  static parse(value: Uint8Array, critical: boolean): NameConstraints {
    try {
      const r = new DerReader(parseSingle(value, Tag.SEQUENCE, 'NameConstraints').value, 'NameConstraints');
      const p = r.readOptional(contextConstructed(0));
      const x = r.readOptional(contextConstructed(1));
      r.end();
      if (!p && !x) throw new X509Error('X509_BAD_EXTENSION', 'NameConstraints has neither permitted nor excluded subtrees');
      return new NameConstraints(p ? parseGeneralSubtrees(p.value) : emptyGeneralNames(), x ? parseGeneralSubtrees(x.value) : emptyGeneralNames(), critical);
    } catch (e) {
      if (e instanceof X509Error && e.code === 'X509_BAD_EXTENSION') throw e;
      throw new X509Error('X509_BAD_EXTENSION', `failed parsing name constraints: ${(e as Error).message}`, { cause: e });
    }
  }

  isPermittedDnsName(name: string): boolean {
    for (const c of this.excluded.dnsNames) if (dnsNameMatches(name, c, true)) return false;
    if (!(this.permitted.presentTypes & GeneralNameType.dNSName)) return true;
    for (const c of this.permitted.dnsNames) if (dnsNameMatches(name, c, false)) return true;
    return false;
  }

  /** `name` is RDNSequence contents. */
  isPermittedDirectoryName(name: Uint8Array): boolean {
    for (const c of this.excluded.directoryNames) if (verifyNameInSubtree(name, c)) return false;
    if (!(this.permitted.presentTypes & GeneralNameType.directoryName)) return true;
    for (const c of this.permitted.directoryNames) if (verifyNameInSubtree(name, c)) return true;
    return false;
  }

  isPermittedIp(ip: Uint8Array): boolean {
    for (const c of this.excluded.ipRanges) if (ipMatchesPrefix(ip, c)) return false;
    if (!(this.permitted.presentTypes & GeneralNameType.iPAddress)) return true;
    for (const c of this.permitted.ipRanges) if (ipMatchesPrefix(ip, c)) return true;
    return false;
  }

  isPermittedRfc822Name(name: string, caseInsensitiveExcludedLocalPart: boolean): boolean {
    const parts = name.split('@');
    if (parts.length !== 2) return false;
    const [local, domain] = parts as [string, string];
    if (!isAllowedLocalPart(local) || !isAllowedDomain(domain)) return false;
    for (const c of this.excluded.rfc822Names) if (rfc822Matches(local, domain, c, true, caseInsensitiveExcludedLocalPart)) return false;
    if (!(this.permitted.presentTypes & GeneralNameType.rfc822Name)) return true;
    for (const c of this.permitted.rfc822Names) if (rfc822Matches(local, domain, c, false, false)) return true;
    return false;
  }

  /**
   * Are a certificate's names (subject RDNSequence contents and its
   * subjectAltName, if any) within these constraints?
   */
  checkCertificate(subject: Uint8Array, san: GeneralNames | undefined): NameConstraintsVerdict {
    const p = this.permitted;
    const x = this.excluded;
    let names: number;
    let constraints: number;
    if (san) {
      names = san.rfc822Names.length + san.dnsNames.length + san.directoryNames.length + san.ipAddresses.length;
      constraints =
        p.rfc822Names.length + x.rfc822Names.length + p.dnsNames.length + x.dnsNames.length + p.directoryNames.length + x.directoryNames.length + p.ipRanges.length + x.ipRanges.length;
    } else {
      names = subject.length;
      constraints = p.directoryNames.length + x.directoryNames.length;
    }
    if (names * constraints > MAX_NAME_CONSTRAINT_CHECKS) return 'too-many-checks';

    let subjectEmails: string[] = [];
    if (!san && this.constrainedTypes & GeneralNameType.rfc822Name) {
      const found = findEmailAddressesInName(subject);
      if (found === undefined) return 'not-permitted';
      subjectEmails = found;
    }
    if (san) {
      if (this.constrainedTypes & san.presentTypes & ~SUPPORTED_TYPES) return 'not-permitted';
      if (this.constrainedTypes & GeneralNameType.rfc822Name) {
        for (const n of san.rfc822Names) if (!this.isPermittedRfc822Name(n, false)) return 'not-permitted';
      }
      for (const n of san.dnsNames) if (!this.isPermittedDnsName(n)) return 'not-permitted';
      for (const n of san.directoryNames) if (!this.isPermittedDirectoryName(n)) return 'not-permitted';
      for (const n of san.ipAddresses) if (!this.isPermittedIp(n)) return 'not-permitted';
    }
    for (const e of subjectEmails) if (!this.isPermittedRfc822Name(e, true)) return 'not-permitted';
    if (san && subject.length === 0) return 'ok';
    return this.isPermittedDirectoryName(subject) ? 'ok' : 'not-permitted';
  }
}
