/**
 * A small PeerVerifier for engine tests: the chain's leaf must be issued and
 * signed by the given CA (node:crypto's X509Certificate does the checking),
 * and be within its validity period. Enough to make `authorized` mean
 * something in tests without depending on the X.509 verifier.
 */
import { X509Certificate } from 'node:crypto';
import type { PeerVerifier } from '../../src/config.js';
import { fixture } from './pair.js';

export function caVerifier(caPem: string = fixture('ca.pem')): PeerVerifier {
  const ca = new X509Certificate(caPem);
  return async ({ chain }) => {
    const leafDer = chain[0];
    if (leafDer === undefined) return { valid: false, code: 'UNABLE_TO_GET_ISSUER_CERT', alert: 'bad_certificate' };
    let leaf: X509Certificate;
    try {
      leaf = new X509Certificate(Buffer.from(leafDer));
    } catch {
      return { valid: false, code: 'CERT_PARSE_ERROR', alert: 'bad_certificate' };
    }
    if (!leaf.checkIssued(ca) || !leaf.verify(ca.publicKey)) {
      return { valid: false, code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', message: 'not issued by the test CA', alert: 'unknown_ca' };
    }
    const now = Date.now();
    if (now < Date.parse(leaf.validFrom) || now > Date.parse(leaf.validTo)) {
      return { valid: false, code: 'CERT_HAS_EXPIRED', alert: 'certificate_expired' };
    }
    return { valid: true };
  };
}
