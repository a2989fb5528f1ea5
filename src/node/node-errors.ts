/**
 * node:tls's error codes for ts-tls's errors, so code that switches on `err.code` keeps working.
 *
 * node:tls reports OpenSSL's reason as `ERR_SSL_<REASON>` (with `library: 'SSL routines'` and
 * `reason` in words): a received alert is OpenSSL's "tlsv1 alert protocol version" style reason,
 * a local failure its own reason ("wrong version number" when the peer does not speak TLS,
 * "http request" when a server gets plain HTTP). Certificate failures keep their verify codes
 * (CERT_HAS_EXPIRED...) and ERR_TLS_CERT_ALTNAME_INVALID, as in node. The engine's own code stays
 * on the error as `tlsCode`, the alert as `alert`.
 */
import { TLSError } from '../errors.js';

/** OpenSSL's family prefix of each alert's reason (ssl/ssl_err.c: SSLv3 alerts, TLS 1.0, TLS 1.3). */
const ALERT_REASON: Readonly<Record<string, string>> = {
  unexpected_message: 'sslv3 alert unexpected message',
  bad_record_mac: 'sslv3 alert bad record mac',
  decompression_failure: 'sslv3 alert decompression failure',
  handshake_failure: 'sslv3 alert handshake failure',
  no_certificate: 'sslv3 alert no certificate',
  bad_certificate: 'sslv3 alert bad certificate',
  unsupported_certificate: 'sslv3 alert unsupported certificate',
  certificate_revoked: 'sslv3 alert certificate revoked',
  certificate_expired: 'sslv3 alert certificate expired',
  certificate_unknown: 'sslv3 alert certificate unknown',
  illegal_parameter: 'sslv3 alert illegal parameter',
  decryption_failed: 'tlsv1 alert decryption failed',
  record_overflow: 'tlsv1 alert record overflow',
  unknown_ca: 'tlsv1 alert unknown ca',
  access_denied: 'tlsv1 alert access denied',
  decode_error: 'tlsv1 alert decode error',
  decrypt_error: 'tlsv1 alert decrypt error',
  export_restriction: 'tlsv1 alert export restriction',
  protocol_version: 'tlsv1 alert protocol version',
  insufficient_security: 'tlsv1 alert insufficient security',
  internal_error: 'tlsv1 alert internal error',
  inappropriate_fallback: 'tlsv1 alert inappropriate fallback',
  user_canceled: 'tlsv1 alert user cancelled',
  no_renegotiation: 'tlsv1 alert no renegotiation',
  missing_extension: 'tlsv13 alert missing extension',
  unsupported_extension: 'tlsv1 unsupported extension',
  certificate_unobtainable: 'tlsv1 certificate unobtainable',
  unrecognized_name: 'tlsv1 unrecognized name',
  bad_certificate_status_response: 'tlsv1 bad certificate status response',
  bad_certificate_hash_value: 'tlsv1 bad certificate hash value',
  certificate_required: 'tlsv13 alert certificate required',
  no_application_protocol: 'tlsv1 alert no application protocol',
};

/** OpenSSL's reason for the failures we detect ourselves, by the alert we send (where OpenSSL has one). */
const SENT_REASON: Readonly<Record<string, string>> = {
  bad_record_mac: 'decryption failed or bad record mac',
  record_overflow: 'record overflow',
  unexpected_message: 'unexpected message',
  decode_error: 'decode error',
  no_application_protocol: 'no application protocol',
  certificate_required: 'peer did not return a certificate',
};

/** The HTTP methods OpenSSL recognises at the start of a would-be ClientHello (ssl/record/ssl3_record.c). */
const HTTP_METHODS = ['GET ', 'POST ', 'HEAD ', 'PUT '];

export interface NodeErrorContext {
  readonly isServer: boolean;
  /** The first bytes the peer sent (up to 8), to recognise plain HTTP or other protocols. */
  readonly firstBytes: Uint8Array | undefined;
  /** Whether a complete record has been read (a record-layer error before that is "wrong version number"). */
  readonly handshakeStarted: boolean;
}

export type NodeTLSError = TLSError & { readonly tlsCode?: string; readonly reason?: string; readonly library?: string };

function startsWith(bytes: Uint8Array, text: string): boolean {
  if (bytes.length < text.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[i] !== text.charCodeAt(i)) return false;
  return true;
}

/** The OpenSSL reason node:tls would report for `err`, if it is a protocol error. */
export function opensslReason(err: TLSError, ctx: NodeErrorContext): string | undefined {
  const first = ctx.firstBytes;
  const alert = err.alert;
  if (alert?.direction === 'received') return ALERT_REASON[alert.name];
  if (first && first.length > 0 && (first[0]! < 20 || first[0]! > 24 || (first.length > 1 && first[1] !== 3))) {
    // Not a TLS record at all: OpenSSL looks for HTTP on a server, else complains about the version.
    if (ctx.isServer && HTTP_METHODS.some((m) => startsWith(first, m))) return 'http request';
    if (ctx.isServer && startsWith(first, 'CONNE')) return 'https proxy request';
    return 'wrong version number';
  }
  if (!alert) return undefined;
  if (alert.name === 'protocol_version') return 'unsupported protocol';
  if (alert.name === 'handshake_failure' && /cipher suite|no shared cipher|suites/i.test(err.message)) return 'no shared cipher';
  return SENT_REASON[alert.name];
}

/** A certificate verification code (CERT_HAS_EXPIRED...) or node's hostname code: node reports these as they are. */
function isNodeCode(code: string): boolean {
  return !code.startsWith('ERR_') || code.startsWith('ERR_TLS_CERT');
}

/**
 * The error a node:tls socket would emit for the engine's `err`: a TLSError whose `code` is node's
 * (ERR_SSL_*) with `reason` and `library` as node sets them; ours stays as `tlsCode` (and `cause`).
 */
export function toNodeError(err: TLSError, ctx: NodeErrorContext): NodeTLSError {
  if ((err as NodeTLSError).tlsCode !== undefined || isNodeCode(err.code)) return err;
  const reason = opensslReason(err, ctx);
  if (reason === undefined) return err;
  const code = 'ERR_SSL_' + reason.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
  const out = new TLSError(err.message, code, err.alert, { cause: err }) as NodeTLSError;
  Object.defineProperties(out, {
    tlsCode: { value: err.code, enumerable: true },
    reason: { value: reason, enumerable: true },
    library: { value: 'SSL routines', enumerable: true },
  });
  return out;
}
