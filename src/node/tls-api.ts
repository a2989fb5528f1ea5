/**
 * node:tls's module-level functions and constants, for ts-tls.
 *
 * checkServerIdentity is node's own function (it reads only the certificate object, which
 * getPeerCertificate() builds exactly as node does), so a custom check that calls it behaves the same.
 * rootCertificates is node's bundled Mozilla list, which is also ts-tls's default trust store.
 */
import { checkServerIdentity as nodeCheckServerIdentity, rootCertificates as nodeRootCertificates } from 'node:tls';
import { CIPHER_SUITES } from '../registry.js';
import type { PeerCertificate } from './peer-certificate.js';
import { defaultCipherString } from './cipher-string.js';
import { TLSError } from '../errors.js';

/** node:tls.checkServerIdentity: an Error (code ERR_TLS_CERT_ALTNAME_INVALID, reason, host, cert) or undefined. */
export function checkServerIdentity(hostname: string, cert: PeerCertificate): Error | undefined {
  return nodeCheckServerIdentity(hostname, cert);
}

/** The suites ts-tls implements, in OpenSSL's lower-case names (node: every suite its OpenSSL has). */
export function getCiphers(): string[] {
  return CIPHER_SUITES.map((s) => s.openssl.toLowerCase()).sort();
}

/** node's bundled Mozilla roots (PEM strings): the default trust store. */
export const rootCertificates: readonly string[] = nodeRootCertificates;

/** What ecdhCurve means when not given: ts-tls's own group list (X25519MLKEM768, x25519, P-256, P-384, ffdhe...). */
export const DEFAULT_ECDH_CURVE = 'auto';
export const DEFAULT_MIN_VERSION = 'TLSv1.2';
export const DEFAULT_MAX_VERSION = 'TLSv1.3';
/** ts-tls's default suites in the `ciphers` syntax (no RSA key exchange: it has no forward secrecy). */
export const DEFAULT_CIPHERS: string = defaultCipherString();

/** Mirror of node's CLIENT_RENEG_LIMIT / CLIENT_RENEG_WINDOW: renegotiation is always refused here. */
export const CLIENT_RENEG_LIMIT = 3;
export const CLIENT_RENEG_WINDOW = 600;

/**
 * node:tls.convertALPNProtocols: `out.ALPNProtocols` becomes the wire form (length-prefixed names)
 * of `protocols` (an array of strings/buffers, or already a buffer).
 */
export function convertALPNProtocols(protocols: readonly (string | Uint8Array)[] | Uint8Array, out: { ALPNProtocols?: Buffer | Uint8Array }): void {
  if (Array.isArray(protocols)) {
    const parts = (protocols as readonly (string | Uint8Array)[]).map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p)));
    for (const p of parts) if (p.length > 255) throw new RangeError(`The byte length of the protocol at index ${parts.indexOf(p)} exceeds the maximum length. It must be <= 255. Received ${p.length}`);
    out.ALPNProtocols = Buffer.concat(parts.flatMap((p) => [Buffer.from([p.length]), p]));
  } else if (protocols instanceof Uint8Array) {
    out.ALPNProtocols = Buffer.from(protocols);
  }
}

/** node:tls.createSecurePair (deprecated since Node 0.11, DEP0064): use new TLSSocket(socket, options). */
export function createSecurePair(): never {
  throw new TLSError('createSecurePair() is not supported (deprecated in node, DEP0064): use new TLSSocket(socket, options)', 'ERR_TLS_UNSUPPORTED_OPTION');
}
