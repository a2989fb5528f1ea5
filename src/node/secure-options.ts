/**
 * node:tls's `secureOptions`: OpenSSL's SSL_OP_* bits (crypto.constants). Each bit is honoured, or
 * changes nothing because ts-tls already behaves that way (listed with the reason), or is refused
 * with ERR_TLS_UNSUPPORTED_OPTION: none is silently ignored.
 */
import { TLSError } from '../errors.js';
import type { VersionName } from '../registry.js';

export const SSL_OP_NO_TICKET = 0x4000;
export const SSL_OP_CIPHER_SERVER_PREFERENCE = 0x400000;
export const SSL_OP_NO_TLSv1_2 = 0x8000000;
export const SSL_OP_NO_TLSv1_3 = 0x20000000;

/** Bits that describe what ts-tls does anyway. */
const ALREADY_SO: Readonly<Record<number, string>> = {
  0x2000000: 'SSL_OP_NO_SSLv3: SSLv3 is never spoken',
  0x4000000: 'SSL_OP_NO_TLSv1: TLS 1.0 is never spoken',
  0x10000000: 'SSL_OP_NO_TLSv1_1: TLS 1.1 is never spoken',
  0x20000: 'SSL_OP_NO_COMPRESSION: TLS compression is never used',
  0x40000000: 'SSL_OP_NO_RENEGOTIATION: renegotiation is always refused',
  0x10000: 'SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION: no renegotiation',
  0x80000: 'SSL_OP_NO_ENCRYPT_THEN_MAC: no CBC suites, so no encrypt-then-MAC',
  0x800: 'SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS: a CBC workaround; no CBC suites',
  0x10: 'SSL_OP_TLSEXT_PADDING (in SSL_OP_ALL): a workaround for old F5 servers',
  0x40: 'SSL_OP_SAFARI_ECDHE_ECDSA_BUG (in SSL_OP_ALL): a workaround for old Safari',
  0x80000000: 'SSL_OP_CRYPTOPRO_TLSEXT_BUG (in SSL_OP_ALL): GOST only',
  0x1000: 'SSL_OP_NO_QUERY_MTU: DTLS only',
  0x2000: 'SSL_OP_COOKIE_EXCHANGE: DTLS only',
};

const HONOURED = SSL_OP_NO_TICKET | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_TLSv1_2 | SSL_OP_NO_TLSv1_3;

export interface SecureOptionsEffect {
  readonly noTicket: boolean;
  readonly serverPreference: boolean;
  readonly minVersion?: VersionName;
  readonly maxVersion?: VersionName;
}

/** What a `secureOptions` value means here; refuses bits ts-tls cannot honour. */
export function secureOptionsEffect(value: unknown): SecureOptionsEffect {
  if (value === undefined || value === null) return { noTicket: false, serverPreference: false };
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new TLSError(`The "options.secureOptions" property must be an unsigned 32-bit integer. Received ${String(value)}`, 'ERR_INVALID_ARG_TYPE');
  }
  let rest = value >>> 0;
  for (const bit of [...Object.keys(ALREADY_SO).map(Number), HONOURED]) rest = (rest & ~bit) >>> 0;
  if (rest !== 0) {
    throw new TLSError(`option secureOptions: bits 0x${rest.toString(16)} are not supported by ts-tls (supported: SSL_OP_NO_TLSv1_2, SSL_OP_NO_TLSv1_3, SSL_OP_NO_TICKET, SSL_OP_CIPHER_SERVER_PREFERENCE and the no-op bits of SSL_OP_ALL/SSL_OP_NO_SSLv3/TLSv1/TLSv1_1)`, 'ERR_TLS_UNSUPPORTED_OPTION');
  }
  const no12 = (value & SSL_OP_NO_TLSv1_2) !== 0;
  const no13 = (value & SSL_OP_NO_TLSv1_3) !== 0;
  if (no12 && no13) throw new TLSError('secureOptions disables both TLS 1.2 and TLS 1.3: no protocols available', 'ERR_SSL_NO_PROTOCOLS_AVAILABLE');
  return {
    noTicket: (value & SSL_OP_NO_TICKET) !== 0,
    serverPreference: (value & SSL_OP_CIPHER_SERVER_PREFERENCE) !== 0,
    ...(no12 ? { minVersion: 'TLSv1.3' as const } : {}),
    ...(no13 ? { maxVersion: 'TLSv1.2' as const } : {}),
  };
}
