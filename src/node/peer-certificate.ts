/**
 * getPeerCertificate() returns exactly node:tls's shapes (built by src/x509's toPeerCertificate).
 */
export type { PeerCertificate, DetailedPeerCertificate } from 'node:tls';
