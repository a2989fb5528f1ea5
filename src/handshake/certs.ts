/**
 * The little the handshake needs from a certificate itself: the leaf's
 * SubjectPublicKeyInfo (to verify the peer's signature). Chain validation is
 * the verifier's (src/x509) business, reached through config.verifyPeer.
 */
import { DerReader, Tag, contextConstructed } from '../x509/der.js';
import { alertError } from '../errors.js';
import { CertificateCodec } from '../messages/handshake.js';

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

/**
 * Our own Certificate message body for a chain (no request context and no
 * per-entry extensions), encoded once per chain and version: a server sends
 * the same bytes in every full handshake. The chains are the configuration's
 * (readonly); the cached bodies are only read (framed by sendHandshake).
 */
const ownCertificateBodies = [new WeakMap<readonly Uint8Array[], Uint8Array>(), new WeakMap<readonly Uint8Array[], Uint8Array>()] as const;

export function ownCertificateBody(chain: readonly Uint8Array[], tls13: boolean): Uint8Array {
  const cache = ownCertificateBodies[tls13 ? 1 : 0];
  let body = cache.get(chain);
  if (body === undefined) {
    body = CertificateCodec.encode({ certificateRequestContext: EMPTY, entries: chain.map((c) => ({ certData: c, extensions: [] })) }, tls13);
    cache.set(chain, body);
  }
  return body;
}

const EMPTY = new Uint8Array(0);
