/**
 * Small pieces both sides and both versions share.
 */
import type { CryptoProvider } from '../crypto/provider.js';
import { alertError } from '../errors.js';
import type { Extension } from '../messages/extensions.js';
import { ExtensionType, cipherSuiteInfo, extensionName, type CipherSuiteInfo, type VersionName } from '../registry.js';
import { Tls12AeadProtector, Tls13Protector, type RecordProtector } from '../record/protection.js';

/** RFC 8446 §4.1.3: last 8 bytes of ServerHello.random when a 1.3-capable server negotiates 1.2 / ≤1.1. */
export const DOWNGRADE_TLS12 = Uint8Array.from([0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01]);
export const DOWNGRADE_TLS11 = Uint8Array.from([0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x00]);

/** The empty certificate list, shared (kept by every connection's summary that has no peer or local chain). */
export const NO_CERTIFICATES: readonly Uint8Array[] = Object.freeze([]);

export function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function suiteOrFail(id: number): CipherSuiteInfo {
  const s = cipherSuiteInfo(id);
  if (!s) throw alertError('illegal_parameter', `unknown cipher suite 0x${id.toString(16)}`);
  return s;
}

export const AEAD_KEY_LENGTH = { AES_128_GCM: 16, AES_256_GCM: 32, CHACHA20_POLY1305: 32 } as const;

/** TLS 1.2 AEAD: GCM has a 4-byte implicit salt; ChaCha20-Poly1305 a 12-byte IV (RFC 7905). */
export function fixedIvLength12(suite: CipherSuiteInfo): number {
  return suite.aead === 'CHACHA20_POLY1305' ? 12 : 4;
}

export function protector12(p: CryptoProvider, suite: CipherSuiteInfo, key: Uint8Array, iv: Uint8Array): RecordProtector {
  return new Tls12AeadProtector(p.createAead(suite.aead, key), iv);
}

export function protector13(p: CryptoProvider, suite: CipherSuiteInfo, key: Uint8Array, iv: Uint8Array): RecordProtector {
  return new Tls13Protector(p.createAead(suite.aead, key), iv);
}

/**
 * The peer answered with extensions we did not ask for (RFC 8446 §4.2, RFC
 * 5246 §7.4.1.4): unsupported_extension.
 */
export function checkSolicited(received: readonly Extension[], offered: readonly number[], where: string): void {
  for (const e of received) {
    if (!offered.includes(e.type)) {
      throw alertError('unsupported_extension', `${where} carries ${extensionName(e.type)}, which was not offered`);
    }
  }
}

export const versionCode = (v: VersionName): number => (v === 'TLSv1.3' ? 0x0304 : 0x0303);

export function versionAllowed(v: VersionName, min: VersionName, max: VersionName): boolean {
  const rank = (x: VersionName): number => (x === 'TLSv1.3' ? 13 : 12);
  return rank(v) >= rank(min) && rank(v) <= rank(max);
}

/** Extensions that make sense in TLS 1.3 EncryptedExtensions (RFC 8446 §4.2 table). */
export const ENCRYPTED_EXTENSION_TYPES: readonly number[] = [
  ExtensionType.server_name,
  ExtensionType.max_fragment_length,
  ExtensionType.supported_groups,
  ExtensionType.use_srtp,
  ExtensionType.heartbeat,
  ExtensionType.application_layer_protocol_negotiation,
  ExtensionType.client_certificate_type,
  ExtensionType.server_certificate_type,
  ExtensionType.early_data,
  ExtensionType.record_size_limit,
];

export function keylogLine(label: string, clientRandom: Uint8Array, secret: Uint8Array): string {
  return `${label} ${hex(clientRandom)} ${hex(secret)}`;
}
