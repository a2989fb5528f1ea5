/**
 * The scope of a CRL (RFC 5280 §5.2.5 issuingDistributionPoint, §4.2.1.13
 * cRLDistributionPoints) and whether it applies to one certificate
 * (§6.3.3 (b)(2) and (d)):
 * - a distributionPoint name in the CRL's issuingDistributionPoint must match
 *   a name of one of the certificate's distribution points (or, when that
 *   point names no distributionPoint, one of its cRLIssuer names); a
 *   nameRelativeToCRLIssuer is completed with the CRL issuer's name;
 * - onlyContainsUserCerts / onlyContainsCACerts restrict it to end-entity or
 *   CA certificates (basicConstraints cA);
 * - the reasons it covers are onlySomeReasons ∩ the matching distribution
 *   point's reasons (each "all reasons" when absent): the caller keeps
 *   collecting CRLs until every reason is covered.
 * Names compare as DER, directory names after RFC 5280 §7.1 normalization.
 */
import type { Certificate } from './certificate.js';
import { DerReader, Tag, contextConstructed, contextPrimitive, der, parseBoolean, toHex } from './der.js';
import { normalizeName } from './name.js';
import { OID } from './oids.js';

/** ReasonFlags bits 1..8 (keyCompromise … aACompromise); bit 0 is unused. */
export const ALL_REASONS = 0x1fe;

export interface IssuingDistributionPoint {
  /** Comparable keys of the distributionPoint names (absent: no name). */
  readonly names?: readonly string[];
  readonly onlyContainsUserCerts: boolean;
  readonly onlyContainsCACerts: boolean;
  /** Reason mask (ALL_REASONS when onlySomeReasons is absent). */
  readonly reasons: number;
  readonly indirectCRL: boolean;
  readonly onlyContainsAttributeCerts: boolean;
}

/** ReasonFlags BIT STRING contents → mask of bits 0..8 (bit i → 1 << i). */
export function reasonMask(bitString: Uint8Array): number {
  let mask = 0;
  const bytes = bitString.subarray(1);
  for (let i = 0; i < 9 && i >> 3 < bytes.length; i++) if (bytes[i >> 3]! & (0x80 >> (i & 7))) mask |= 1 << i;
  return mask & ALL_REASONS;
}

/** One GeneralName TLV as a comparison key (directory names normalized). */
function nameKey(tag: number, value: Uint8Array, raw: Uint8Array): string {
  if (tag === contextConstructed(4)) {
    try {
      const name = new DerReader(value, 'directoryName').read(Tag.SEQUENCE, 'Name');
      return `dn:${toHex(normalizeName(name.value))}`;
    } catch {
      return `raw:${toHex(raw)}`;
    }
  }
  return `raw:${toHex(raw)}`;
}

/** DistributionPointName contents ([0] fullName | [1] nameRelativeToCRLIssuer) → name keys. */
function distributionPointNames(dpName: Uint8Array, crlIssuerContents: Uint8Array): string[] {
  const r = new DerReader(dpName, 'DistributionPointName');
  const choice = r.readAny();
  if (choice.tag === contextConstructed(0)) {
    const out: string[] = [];
    const g = new DerReader(choice.value, 'fullName');
    while (g.hasMore()) {
      const t = g.readAny();
      out.push(nameKey(t.tag, t.value, t.raw));
    }
    return out;
  }
  if (choice.tag === contextConstructed(1)) {
    // The CRL issuer's name with one more RDN.
    const full = der.seq(crlIssuerContents, der.tlv(Tag.SET, choice.value));
    return [`dn:${toHex(normalizeName(new DerReader(full, 'Name').read(Tag.SEQUENCE).value))}`];
  }
  return [];
}

/** Parse an issuingDistributionPoint extension value (issuer: the CRL issuer's RDNSequence contents). */
export function parseIssuingDistributionPoint(value: Uint8Array, issuerContents: Uint8Array): IssuingDistributionPoint {
  const r = new DerReader(value, 'IssuingDistributionPoint').enter(Tag.SEQUENCE, 'IssuingDistributionPoint');
  const dp = r.readOptional(contextConstructed(0));
  const flag = (n: number): boolean => {
    const t = r.readOptional(contextPrimitive(n));
    return t ? parseBoolean(t.value) : false;
  };
  const onlyContainsUserCerts = flag(1);
  const onlyContainsCACerts = flag(2);
  const some = r.readOptional(contextPrimitive(3));
  const indirectCRL = flag(4);
  const onlyContainsAttributeCerts = flag(5);
  r.end();
  return {
    ...(dp ? { names: distributionPointNames(dp.value, issuerContents) } : {}),
    onlyContainsUserCerts,
    onlyContainsCACerts,
    reasons: some ? reasonMask(some.value) : ALL_REASONS,
    indirectCRL,
    onlyContainsAttributeCerts,
  };
}

interface CertDistributionPoint {
  readonly names?: readonly string[];
  readonly crlIssuerNames?: readonly string[];
  readonly reasons: number;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The certificate's cRLDistributionPoints (names completed with its issuer's name), or [] when absent or unreadable. */
function certDistributionPoints(cert: Certificate): CertDistributionPoint[] {
  const ext = cert.extensions.get(OID.crlDistributionPoints);
  if (!ext) return [];
  try {
    const r = new DerReader(ext.value, 'CRLDistributionPoints').enter(Tag.SEQUENCE, 'CRLDistributionPoints');
    const out: CertDistributionPoint[] = [];
    while (r.hasMore()) {
      const dp = r.enter(Tag.SEQUENCE, 'DistributionPoint');
      const name = dp.readOptional(contextConstructed(0));
      const reasons = dp.readOptional(contextPrimitive(1));
      const issuer = dp.readOptional(contextConstructed(2));
      const issuerNames: string[] = [];
      // A nameRelativeToCRLIssuer extends the cRLIssuer's name when there is one, the certificate issuer's otherwise.
      let relativeTo = cert.tbs.issuer;
      if (issuer) {
        const g = new DerReader(issuer.value, 'cRLIssuer');
        while (g.hasMore()) {
          const t = g.readAny();
          issuerNames.push(nameKey(t.tag, t.value, t.raw));
          if (t.tag === contextConstructed(4) && relativeTo === cert.tbs.issuer) relativeTo = new DerReader(t.value, 'directoryName').read(Tag.SEQUENCE, 'Name').value;
        }
      }
      out.push({
        ...(name ? { names: distributionPointNames(name.value, relativeTo) } : {}),
        ...(issuer ? { crlIssuerNames: issuerNames } : {}),
        reasons: reasons ? reasonMask(reasons.value) : ALL_REASONS,
      });
    }
    return out;
  } catch {
    return [];
  }
}

/**
 * Does a CRL with this issuingDistributionPoint (undefined: a complete CRL)
 * apply to `cert`, and for which reasons? A string says why it does not.
 */
export function crlScope(cert: Certificate, idp: IssuingDistributionPoint | undefined, crlIssuer: Uint8Array): number | string {
  const direct = sameBytes(crlIssuer, cert.normalizedIssuer);
  // A complete, direct CRL (no issuingDistributionPoint) covers every reason.
  if (!idp && direct) return ALL_REASONS;
  const crlIssuerKey = `dn:${toHex(crlIssuer)}`;
  // §6.3.3 (b)(1): a distribution point naming a cRLIssuer is served by that issuer's indirect CRL; one without, by the certificate's issuer.
  const dps = certDistributionPoints(cert).filter((d) => (d.crlIssuerNames ? d.crlIssuerNames.includes(crlIssuerKey) : direct));
  if (!direct && (idp?.indirectCRL !== true || dps.length === 0)) return "it is another CA's CRL and the certificate does not name that CA as its cRLIssuer";
  if (!idp) return ALL_REASONS;
  const isCa = cert.basicConstraints?.isCA === true;
  if (idp.onlyContainsUserCerts && isCa) return 'it only covers end-entity certificates (onlyContainsUserCerts)';
  if (idp.onlyContainsCACerts && !isCa) return 'it only covers CA certificates (onlyContainsCACerts)';
  if (idp.onlyContainsAttributeCerts) return 'it only covers attribute certificates';
  let dpReasons = ALL_REASONS;
  if (idp.names) {
    const matching = dps.find((d) => (d.names ?? d.crlIssuerNames ?? []).some((n) => idp.names!.includes(n)));
    if (!matching) return "its distribution point is not one of the certificate's";
    dpReasons = matching.reasons;
  }
  const reasons = idp.reasons & dpReasons;
  return reasons === 0 ? 'it covers none of the reasons the certificate needs' : reasons;
}
