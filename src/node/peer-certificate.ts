/**
 * The shape node:tls gives from getPeerCertificate() (tls.PeerCertificate /
 * DetailedPeerCertificate). Built by src/x509's toPeerCertificate.
 */
export interface PeerCertificate {
  subject?: Record<string, string | string[]>;
  issuer?: Record<string, string | string[]>;
  subjectaltname?: string;
  valid_from?: string;
  valid_to?: string;
  fingerprint?: string;
  fingerprint256?: string;
  fingerprint512?: string;
  serialNumber?: string;
  raw?: Buffer;
  issuerCertificate?: PeerCertificate;
  [field: string]: unknown;
}
