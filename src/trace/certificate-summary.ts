/**
 * Who a certificate or distinguished name names, for display only, with the
 * project's own X.509 parser (src/x509). Nothing here is verified or trusted.
 */
import { Certificate } from '../x509/certificate.js';
import { parseSingle, Tag } from '../x509/der.js';
import { generalNamesToNodeString } from '../x509/general-names.js';
import { nameToString } from '../x509/name.js';
import { parseSubjectPublicKeyInfo } from '../x509/algorithms.js';
import { formatNodeTime } from '../x509/peer-certificate.js';
import { field, type TraceNode } from './tree.js';

export interface CertificateSummary {
  /** "CN=localhost", or the whole DN most significant first ("O=b, CN=a"). */
  readonly subject: string;
  readonly children: readonly TraceNode[];
}

function publicKey(spki: Uint8Array): string | undefined {
  try {
    const k = parseSubjectPublicKeyInfo(spki);
    switch (k.type) {
      case 'rsa':
        return `RSA ${k.bits} bits`;
      case 'ec':
        return `EC ${k.curve}`;
      case 'ed25519':
        return 'Ed25519';
      default:
        return k.algorithm;
    }
  } catch {
    return undefined;
  }
}

/** The subject DN and a few facts, or undefined when the DER does not parse. */
export function summarizeCertificate(der: Uint8Array): CertificateSummary | undefined {
  let cert: Certificate;
  try {
    cert = Certificate.fromDer(der);
  } catch {
    return undefined;
  }
  const subject = cert.subjectString || '(empty subject)';
  const children: TraceNode[] = [
    field('Subject', subject),
    field('Issuer', cert.issuerString || '(empty issuer)'),
    field('Not Before', formatNodeTime(cert.tbs.notBefore)),
    field('Not After', formatNodeTime(cert.tbs.notAfter)),
  ];
  if (cert.subjectAltNames) children.push(field('Subject Alternative Name', generalNamesToNodeString(cert.subjectAltNames)));
  const key = publicKey(cert.tbs.spki);
  if (key) children.push(field('Public Key', key));
  return { subject, children };
}

/** A DER Name (SEQUENCE TLV, as in CertificateRequest.certificate_authorities) on one line, or undefined. */
export function distinguishedNameString(der: Uint8Array): string | undefined {
  try {
    const s = nameToString(parseSingle(der, Tag.SEQUENCE, 'Name').value);
    return s === '<invalid name>' ? undefined : s;
  } catch {
    return undefined;
  }
}
