/**
 * The little the handshake needs from a certificate itself: the leaf's
 * SubjectPublicKeyInfo (to verify the peer's signature) and its keyUsage
 * (may the key sign, or be encrypted to?). Chain validation is the
 * verifier's (src/x509) business, reached through config.verifyPeer.
 */
import { DerReader, Tag, bitStringHas, contextConstructed, contextPrimitive, parseBitString, parseSingle } from '../x509/der.js';
import { alertError } from '../errors.js';
import type { AlertName } from '../registry.js';
import { CertificateCodec } from '../messages/handshake.js';

/** RFC 5280 §4.2.1.3 KeyUsage bits the handshake cares about. */
export const KeyUsage = { digitalSignature: 0, keyEncipherment: 2 } as const;

const KEY_USAGE_OID = new Uint8Array([0x55, 0x1d, 0x0f]); // 2.5.29.15

/**
 * RFC 8446 §4.4.2.2, RFC 5246 §7.4.2 (and RFC 5280 §4.2.1.3): when the
 * peer's leaf has a keyUsage extension, it must allow what the handshake
 * does with the key — digitalSignature to sign (CertificateVerify,
 * ServerKeyExchange), keyEncipherment for RSA key exchange. No extension:
 * any use. Checked whatever rejectUnauthorized says, as BoringSSL does
 * (KEY_USAGE_BIT_INCORRECT); `alert` is the version's choice: BoringSSL
 * sends illegal_parameter in TLS 1.3 and none in 1.2, where we send
 * unsupported_certificate like our other "wrong kind of certificate" checks.
 */
export function requireKeyUsage(certificateDer: Uint8Array, bit: number, alert: AlertName, who: string): void {
  let usage;
  try {
    usage = leafKeyUsage(certificateDer);
  } catch (e) {
    throw alertError('bad_certificate', `cannot parse the ${who} certificate's keyUsage: ${(e as Error).message}`, undefined, e);
  }
  if (usage !== undefined && !bitStringHas(usage, bit)) {
    const name = bit === KeyUsage.keyEncipherment ? 'keyEncipherment' : 'digitalSignature';
    throw alertError(alert, `the ${who} certificate's keyUsage does not allow ${name}`, 'KEY_USAGE_BIT_INCORRECT');
  }
}

/** Certificate → tbsCertificate → extensions → keyUsage, or undefined when absent. */
function leafKeyUsage(certificateDer: Uint8Array): ReturnType<typeof parseBitString> | undefined {
  const cert = new DerReader(certificateDer, 'Certificate').enter(Tag.SEQUENCE, 'Certificate');
  const tbs = cert.enter(Tag.SEQUENCE, 'TBSCertificate');
  tbs.readOptional(contextConstructed(0)); // version
  for (const f of ['serialNumber', 'signature', 'issuer', 'validity', 'subject', 'subjectPublicKeyInfo']) {
    tbs.read(f === 'serialNumber' ? Tag.INTEGER : Tag.SEQUENCE, f);
  }
  tbs.readOptional(contextPrimitive(1)); // issuerUniqueID
  tbs.readOptional(contextPrimitive(2)); // subjectUniqueID
  const wrapped = tbs.readOptional(contextConstructed(3));
  if (!wrapped) return undefined;
  const exts = new DerReader(parseSingle(wrapped.value, Tag.SEQUENCE, 'Extensions').value, 'Extensions');
  while (exts.hasMore()) {
    const ext = exts.enter(Tag.SEQUENCE, 'Extension');
    const oid = ext.read(Tag.OID, 'extnID').value;
    ext.readOptional(Tag.BOOLEAN); // critical
    const value = ext.read(Tag.OCTET_STRING, 'extnValue').value;
    if (oid.length === KEY_USAGE_OID.length && oid.every((b, i) => b === KEY_USAGE_OID[i])) {
      return parseBitString(parseSingle(value, Tag.BIT_STRING, 'KeyUsage').value);
    }
  }
  return undefined;
}

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
