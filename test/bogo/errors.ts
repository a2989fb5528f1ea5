/**
 * ts-tls errors as BoringSSL's `:REASON:` strings, which BoGo's failure tests expect on the shim's
 * stderr. The alert we sent (or received) picks the family; the message refines it where BoringSSL
 * distinguishes reasons behind one alert. A failure test passes only if the reason matches, so this
 * table is part of what the suite checks: a wrong guess shows up as a failure ("bad error").
 */
import type { TLSError } from '../../src/errors.js';

/** BoringSSL's names for alerts received from the peer (SSL_R_SSLV3_ALERT_* / SSL_R_TLSV1_ALERT_*). */
const RECEIVED: Readonly<Record<string, string>> = {
  close_notify: 'SSLV3_ALERT_CLOSE_NOTIFY',
  unexpected_message: 'SSLV3_ALERT_UNEXPECTED_MESSAGE',
  bad_record_mac: 'SSLV3_ALERT_BAD_RECORD_MAC',
  decryption_failed: 'TLSV1_ALERT_DECRYPTION_FAILED',
  record_overflow: 'TLSV1_ALERT_RECORD_OVERFLOW',
  decompression_failure: 'SSLV3_ALERT_DECOMPRESSION_FAILURE',
  handshake_failure: 'SSLV3_ALERT_HANDSHAKE_FAILURE',
  no_certificate: 'SSLV3_ALERT_NO_CERTIFICATE',
  bad_certificate: 'SSLV3_ALERT_BAD_CERTIFICATE',
  unsupported_certificate: 'SSLV3_ALERT_UNSUPPORTED_CERTIFICATE',
  certificate_revoked: 'SSLV3_ALERT_CERTIFICATE_REVOKED',
  certificate_expired: 'SSLV3_ALERT_CERTIFICATE_EXPIRED',
  certificate_unknown: 'SSLV3_ALERT_CERTIFICATE_UNKNOWN',
  illegal_parameter: 'SSLV3_ALERT_ILLEGAL_PARAMETER',
  unknown_ca: 'TLSV1_ALERT_UNKNOWN_CA',
  access_denied: 'TLSV1_ALERT_ACCESS_DENIED',
  decode_error: 'TLSV1_ALERT_DECODE_ERROR',
  decrypt_error: 'TLSV1_ALERT_DECRYPT_ERROR',
  export_restriction: 'TLSV1_ALERT_EXPORT_RESTRICTION',
  protocol_version: 'TLSV1_ALERT_PROTOCOL_VERSION',
  insufficient_security: 'TLSV1_ALERT_INSUFFICIENT_SECURITY',
  internal_error: 'TLSV1_ALERT_INTERNAL_ERROR',
  inappropriate_fallback: 'TLSV1_ALERT_INAPPROPRIATE_FALLBACK',
  user_canceled: 'TLSV1_ALERT_USER_CANCELLED',
  no_renegotiation: 'TLSV1_ALERT_NO_RENEGOTIATION',
  missing_extension: 'TLSV1_ALERT_MISSING_EXTENSION',
  unsupported_extension: 'TLSV1_UNSUPPORTED_EXTENSION',
  certificate_unobtainable: 'TLSV1_CERTIFICATE_UNOBTAINABLE',
  unrecognized_name: 'TLSV1_UNRECOGNIZED_NAME',
  bad_certificate_status_response: 'TLSV1_BAD_CERTIFICATE_STATUS_RESPONSE',
  bad_certificate_hash_value: 'TLSV1_BAD_CERTIFICATE_HASH_VALUE',
  unknown_psk_identity: 'TLSV1_ALERT_UNKNOWN_PSK_IDENTITY',
  certificate_required: 'TLSV1_ALERT_CERTIFICATE_REQUIRED',
  no_application_protocol: 'TLSV1_ALERT_NO_APPLICATION_PROTOCOL',
  ech_required: 'TLSV1_ALERT_ECH_REQUIRED',
};

/** [pattern in our message, BoringSSL reason], tried in order, for alerts we sent. */
const REFINE: Readonly<Record<string, ReadonlyArray<readonly [RegExp, string]>>> = {
  handshake_failure: [
    [/cipher suite|no common cipher|no shared cipher/i, 'NO_SHARED_CIPHER'],
    [/signature/i, 'NO_COMMON_SIGNATURE_ALGORITHMS'],
    [/group|key share|curve/i, 'NO_SHARED_GROUP'],
  ],
  unexpected_message: [
    [/unknown record content type (71|72|80)\b/, 'HTTP_REQUEST'], // "GET ", "HEAD ", "POST "/"PUT " where a record header should be
    [/unknown record content type 67\b/, 'HTTPS_PROXY_REQUEST'], // "CONNECT "
    [/consecutive empty records|too many ChangeCipherSpec/i, 'TOO_MANY_EMPTY_FRAGMENTS'],
    [/consecutive warning alerts/i, 'TOO_MANY_WARNING_ALERTS'],
    [/handshake data after .* spans|ChangeCipherSpec inside a fragmented/i, 'EXCESS_HANDSHAKE_DATA'],
    [/rejected early data exceeds/i, 'TOO_MUCH_SKIPPED_EARLY_DATA'],
    [/malformed ChangeCipherSpec/i, 'BAD_CHANGE_CIPHER_SPEC'],
    [/expected handshake type|expected \w+ after/i, 'UNEXPECTED_MESSAGE'],
    [/application data|application_data|change.?cipher.?spec|CCS|record/i, 'UNEXPECTED_RECORD'],
  ],
  decode_error: [
    [/duplicate extension/i, 'DUPLICATE_EXTENSION'],
    [/alert record of/i, 'BAD_ALERT'],
    [/\d+ trailing bytes/i, 'DECODE_ERROR'],
    [/empty Certificate/i, 'PEER_DID_NOT_RETURN_A_CERTIFICATE'],
    [/ProtocolName: length 0/i, 'PARSE_TLSEXT'],
    [/malformed (server_name|supported_groups|ec_point_formats|signature_algorithms|application_layer_protocol_negotiation|extended_master_secret|renegotiation_info|session_ticket|supported_versions|key_share|pre_shared_key|psk_key_exchange_modes|early_data|cookie)\b/i, 'ERROR_PARSING_EXTENSION'],
  ],
  illegal_parameter: [
    [/two key shares for one group|duplicate key share/i, 'DUPLICATE_KEY_SHARE'],
    [/identities and binders differ/i, 'PSK_IDENTITY_BINDER_COUNT_MISMATCH'],
    [/PSK identity .* not offered/i, 'PSK_IDENTITY_NOT_FOUND'],
    [/early data accepted with a different ALPN/i, 'ALPN_MISMATCH_ON_EARLY_DATA'],
    [/ServerHello after HelloRetryRequest does not select/i, 'SECOND_SERVERHELLO_VERSION_MISMATCH'],
    [/HelloRetryRequest would not change/i, 'EMPTY_HELLO_RETRY_REQUEST'],
    [/HelloRetryRequest selects/i, 'WRONG_CURVE'],
    [/chose a compression method/i, 'UNSUPPORTED_COMPRESSION_ALGORITHM'],
    [/compression/i, 'INVALID_COMPRESSION_LIST'],
    [/suite|cipher/i, 'WRONG_CIPHER_RETURNED'],
    [/key share rejected|share must|point|public key|share length/i, 'BAD_ECPOINT'],
    [/curve|group|key share/i, 'WRONG_CURVE'],
    [/CertificateVerify uses|ServerKeyExchange uses|signature/i, 'WRONG_SIGNATURE_TYPE'],
    [/session.?id/i, 'SERVER_ECHOED_INVALID_SESSION_ID'],
    [/downgrade/i, 'TLS13_DOWNGRADE'],
    [/version/i, 'WRONG_VERSION_NUMBER'],
    [/ALPN/i, 'INVALID_ALPN_PROTOCOL'],
    [/pre_shared_key.*last|last extension/i, 'PRE_SHARED_KEY_MUST_BE_LAST'],
    [/extension/i, 'UNEXPECTED_EXTENSION'],
  ],
  bad_record_mac: [[/./, 'DECRYPTION_FAILED_OR_BAD_RECORD_MAC']],
  decrypt_error: [
    [/finished|verify_data|binder/i, 'DIGEST_CHECK_FAILED'],
    [/signature/i, 'BAD_SIGNATURE'],
  ],
  protocol_version: [
    [/record|legacy_record_version/i, 'WRONG_VERSION_NUMBER'],
    [/./, 'UNSUPPORTED_PROTOCOL'],
  ],
  record_overflow: [
    [/ciphertext|encrypted|2\^14 \+ 256/i, 'ENCRYPTED_LENGTH_TOO_LONG'],
    [/./, 'DATA_LENGTH_TOO_LONG'],
  ],
  unsupported_extension: [[/./, 'UNEXPECTED_EXTENSION']],
  missing_extension: [
    [/no key_share|key_share and supported_groups/i, 'MISSING_KEY_SHARE'],
    [/./, 'MISSING_EXTENSION'],
  ],
  no_application_protocol: [[/./, 'NO_APPLICATION_PROTOCOL']],
  no_renegotiation: [[/./, 'NO_RENEGOTIATION']],
  inappropriate_fallback: [[/./, 'INAPPROPRIATE_FALLBACK']],
  certificate_required: [[/./, 'PEER_DID_NOT_RETURN_A_CERTIFICATE']],
  bad_certificate: [
    [/cannot parse the peer certificate/i, 'CANNOT_PARSE_LEAF_CERT'],
    [/empty Certificate/i, 'DECODE_ERROR'],
    [/./, 'CERTIFICATE_VERIFY_FAILED'],
  ],
  certificate_unknown: [[/./, 'CERTIFICATE_VERIFY_FAILED']],
  unknown_ca: [[/./, 'CERTIFICATE_VERIFY_FAILED']],
  unsupported_certificate: [[/./, 'WRONG_CERTIFICATE_TYPE']],
};

/** Our error codes that name the reason whatever the alert. */
const BY_CODE: Readonly<Record<string, string>> = {
  APPLICATION_VERIFICATION: 'CERTIFICATE_VERIFY_FAILED', // the shim's verifier under -verify-fail
  CERTIFICATE_VERIFY_FAILED: 'CERTIFICATE_VERIFY_FAILED',
  ERR_TLS_PEER_CERTIFICATE_REQUIRED: 'PEER_DID_NOT_RETURN_A_CERTIFICATE',
  APPLICATION_DATA_ON_SHUTDOWN: 'APPLICATION_DATA_ON_SHUTDOWN',
  ECONNRESET: 'UNEXPECTED_EOF',
  ERR_TLS_TRUNCATED: 'UNEXPECTED_EOF',
};

/** The `:REASON:` for one of our errors. */
export function bsslReason(err: TLSError, context: { readonly alertBeforeServerHello: boolean }): string {
  const byCode = BY_CODE[err.code];
  if (byCode !== undefined) return byCode;
  const alert = err.alert;
  if (alert !== undefined && alert.direction === 'received') {
    // BoringSSL's client names a handshake_failure answering its ClientHello on its own.
    if (alert.name === 'handshake_failure' && context.alertBeforeServerHello) return 'HANDSHAKE_FAILURE_ON_CLIENT_HELLO';
    return RECEIVED[alert.name] ?? 'UNKNOWN_ALERT_TYPE';
  }
  if (alert !== undefined) {
    for (const [re, reason] of REFINE[alert.name] ?? []) if (re.test(err.message)) return reason;
    return alert.name.toUpperCase();
  }
  return err.code;
}
