/**
 * The bridge between node:tls-style trust options (ca, rejectUnauthorized,
 * checkServerIdentity) and the engine's PeerVerifier. Placeholder until the
 * X.509 verifier lands: it verifies nothing, so it never says "authorized".
 */
import type { PeerVerifier } from '../config.js';
import type { PeerCertificate } from './peer-certificate.js';
import type { OneOrMany, PemOrDer } from './options.js';

export interface TrustOptions {
  ca?: OneOrMany<PemOrDer> | undefined;
  checkServerIdentity?: ((hostname: string, cert: PeerCertificate) => Error | undefined) | undefined;
}

export function makeVerifier(_o: TrustOptions): PeerVerifier {
  return async () => ({ valid: false, code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', message: 'certificate verification is not available yet', alert: 'unknown_ca' });
}

export function peerCertificate(_chain: readonly Uint8Array[], _detailed: boolean): PeerCertificate {
  return {};
}
