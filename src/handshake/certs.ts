/**
 * The little the handshake needs from a certificate itself: the leaf's
 * SubjectPublicKeyInfo (to verify the peer's signature). Chain validation is
 * the verifier's (src/x509) business, reached through config.verifyPeer.
 */
import { DerReader, Tag, contextConstructed } from '../x509/der.js';
import { alertError } from '../errors.js';

/** Certificate → tbsCertificate → subjectPublicKeyInfo, as DER. */
export function subjectPublicKeyInfoOf(certificateDer: Uint8Array): Uint8Array {
  try {
    const cert = new DerReader(certificateDer, 'Certificate').enter(Tag.SEQUENCE, 'Certificate');
    const tbs = cert.enter(Tag.SEQUENCE, 'TBSCertificate');
    tbs.readOptional(contextConstructed(0)); // version
    tbs.read(Tag.INTEGER, 'serialNumber');
    tbs.read(Tag.SEQUENCE, 'signature');
    tbs.read(Tag.SEQUENCE, 'issuer');
    tbs.read(Tag.SEQUENCE, 'validity');
    tbs.read(Tag.SEQUENCE, 'subject');
    return tbs.read(Tag.SEQUENCE, 'subjectPublicKeyInfo').raw;
  } catch (e) {
    throw alertError('bad_certificate', `cannot parse the peer certificate: ${(e as Error).message}`, undefined, e);
  }
}
