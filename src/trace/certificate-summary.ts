/**
 * Who a certificate names, for display only.
 *
 * This uses node:crypto's X509Certificate — an exception to "crypto only in
 * src/crypto/" that the tracer is allowed because nothing is verified or trusted
 * here: it only prints the subject next to the bytes. When src/x509 exports a
 * `parseCertificate`, this is the one place to switch over.
 */
import { X509Certificate } from 'node:crypto';
import { field, type TraceNode } from './tree.js';

export interface CertificateSummary {
  /** "CN=localhost" or the whole DN ("CN=a, O=b"). */
  readonly subject: string;
  readonly children: readonly TraceNode[];
}

/** Node prints DNs one attribute a line ("CN=x\nO=y"); we join them on one line. */
const oneLine = (dn: string): string => dn.split('\n').filter((s) => s.length > 0).join(', ');

/** The subject DN and a few facts, or undefined when the DER does not parse. */
export function summarizeCertificate(der: Uint8Array): CertificateSummary | undefined {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(der);
  } catch {
    return undefined;
  }
  const subject = oneLine(cert.subject) || '(empty subject)';
  const children: TraceNode[] = [field('Subject', subject), field('Issuer', oneLine(cert.issuer) || '(empty issuer)')];
  children.push(field('Not Before', cert.validFrom), field('Not After', cert.validTo));
  if (cert.subjectAltName) children.push(field('Subject Alternative Name', cert.subjectAltName));
  const kind = cert.publicKey.asymmetricKeyType;
  const details = cert.publicKey.asymmetricKeyDetails;
  if (kind) {
    const size = details?.modulusLength ? ` ${details.modulusLength} bits` : details?.namedCurve ? ` ${details.namedCurve}` : '';
    children.push(field('Public Key', `${kind}${size}`));
  }
  return { subject, children };
}
