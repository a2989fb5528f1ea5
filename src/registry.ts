/**
 * The one registry of IANA TLS code points and their names.
 *
 * The codec, the errors and the tracer all name things from here, with the
 * spelling Wireshark and the RFCs use. Unknown values are never an error:
 * {@link nameOf} renders them as `Unknown (0x1234)` so they trace and round-trip.
 */

function table<T extends Record<string, number>>(t: T): Readonly<T> {
  return Object.freeze(t);
}

function inverse(t: Readonly<Record<string, number>>): Map<number, string> {
  const m = new Map<number, string>();
  for (const [k, v] of Object.entries(t)) if (!m.has(v)) m.set(v, k);
  return m;
}

const hex = (v: number, width: number): string => '0x' + v.toString(16).padStart(width, '0');

/** RFC 8446 §5.1 ContentType. */
export const ContentType = table({
  change_cipher_spec: 20,
  alert: 21,
  handshake: 22,
  application_data: 23,
  heartbeat: 24,
});

/** RFC 8446 §4 / RFC 5246 §7.4 HandshakeType. */
export const HandshakeType = table({
  hello_request: 0,
  client_hello: 1,
  server_hello: 2,
  hello_verify_request: 3,
  new_session_ticket: 4,
  end_of_early_data: 5,
  hello_retry_request: 6, // not on the wire: a ServerHello with the special random
  encrypted_extensions: 8,
  certificate: 11,
  server_key_exchange: 12,
  certificate_request: 13,
  server_hello_done: 14,
  certificate_verify: 15,
  client_key_exchange: 16,
  finished: 20,
  certificate_url: 21,
  certificate_status: 22,
  supplemental_data: 23,
  key_update: 24,
  compressed_certificate: 25,
  message_hash: 254,
});

/** RFC 8446 §6 AlertDescription (plus the TLS 1.2 ones). */
export const AlertDescription = table({
  close_notify: 0,
  unexpected_message: 10,
  bad_record_mac: 20,
  decryption_failed: 21,
  record_overflow: 22,
  decompression_failure: 30,
  handshake_failure: 40,
  no_certificate: 41,
  bad_certificate: 42,
  unsupported_certificate: 43,
  certificate_revoked: 44,
  certificate_expired: 45,
  certificate_unknown: 46,
  illegal_parameter: 47,
  unknown_ca: 48,
  access_denied: 49,
  decode_error: 50,
  decrypt_error: 51,
  export_restriction: 60,
  protocol_version: 70,
  insufficient_security: 71,
  internal_error: 80,
  inappropriate_fallback: 86,
  user_canceled: 90,
  no_renegotiation: 100,
  missing_extension: 109,
  unsupported_extension: 110,
  certificate_unobtainable: 111,
  unrecognized_name: 112,
  bad_certificate_status_response: 113,
  bad_certificate_hash_value: 114,
  unknown_psk_identity: 115,
  certificate_required: 116,
  no_application_protocol: 120,
});
export type AlertName = keyof typeof AlertDescription;

export const AlertLevel = table({ warning: 1, fatal: 2 });

/** Protocol versions as they appear on the wire. */
export const ProtocolVersion = table({
  SSLv3: 0x0300,
  TLSv1: 0x0301,
  'TLSv1.1': 0x0302,
  'TLSv1.2': 0x0303,
  'TLSv1.3': 0x0304,
});
export type VersionName = 'TLSv1.2' | 'TLSv1.3';

/** Wireshark's spelling: "TLS 1.2 (0x0303)". */
export function versionLabel(v: number): string {
  const names: Record<number, string> = {
    0x0300: 'SSL 3.0',
    0x0301: 'TLS 1.0',
    0x0302: 'TLS 1.1',
    0x0303: 'TLS 1.2',
    0x0304: 'TLS 1.3',
  };
  return `${names[v] ?? 'Unknown'} (${hex(v, 4)})`;
}

/** RFC 8446 §4.2 ExtensionType (and the TLS 1.2 ones we meet). */
export const ExtensionType = table({
  server_name: 0,
  max_fragment_length: 1,
  status_request: 5,
  supported_groups: 10,
  ec_point_formats: 11,
  signature_algorithms: 13,
  use_srtp: 14,
  heartbeat: 15,
  application_layer_protocol_negotiation: 16,
  signed_certificate_timestamp: 18,
  client_certificate_type: 19,
  server_certificate_type: 20,
  padding: 21,
  encrypt_then_mac: 22,
  extended_master_secret: 23,
  compress_certificate: 27,
  record_size_limit: 28,
  delegated_credentials: 34,
  session_ticket: 35,
  pre_shared_key: 41,
  early_data: 42,
  supported_versions: 43,
  cookie: 44,
  psk_key_exchange_modes: 45,
  certificate_authorities: 47,
  oid_filters: 48,
  post_handshake_auth: 49,
  signature_algorithms_cert: 50,
  key_share: 51,
  application_settings: 17513,
  encrypted_client_hello: 65037,
  renegotiation_info: 65281,
});

/** RFC 8446 §4.2.7 NamedGroup, RFC 7919 FFDHE groups, and the hybrid ML-KEM group. */
export const NamedGroup = table({
  secp256r1: 0x0017,
  secp384r1: 0x0018,
  secp521r1: 0x0019,
  x25519: 0x001d,
  x448: 0x001e,
  ffdhe2048: 0x0100,
  ffdhe3072: 0x0101,
  ffdhe4096: 0x0102,
  ffdhe6144: 0x0103,
  ffdhe8192: 0x0104,
  X25519MLKEM768: 0x11ec,
  SecP256r1MLKEM768: 0x11eb,
  X25519Kyber768Draft00: 0x6399,
});
export type GroupName = keyof typeof NamedGroup;

/** RFC 8446 §4.2.3 SignatureScheme. */
export const SignatureScheme = table({
  rsa_pkcs1_sha1: 0x0201,
  ecdsa_sha1: 0x0203,
  rsa_pkcs1_sha256: 0x0401,
  rsa_pkcs1_sha384: 0x0501,
  rsa_pkcs1_sha512: 0x0601,
  ecdsa_secp256r1_sha256: 0x0403,
  ecdsa_secp384r1_sha384: 0x0503,
  ecdsa_secp521r1_sha512: 0x0603,
  rsa_pss_rsae_sha256: 0x0804,
  rsa_pss_rsae_sha384: 0x0805,
  rsa_pss_rsae_sha512: 0x0806,
  ed25519: 0x0807,
  ed448: 0x0808,
  rsa_pss_pss_sha256: 0x0809,
  rsa_pss_pss_sha384: 0x080a,
  rsa_pss_pss_sha512: 0x080b,
});
export type SignatureSchemeName = keyof typeof SignatureScheme;

/** RFC 4492 ECPointFormat. */
export const ECPointFormat = table({ uncompressed: 0, ansiX962_compressed_prime: 1, ansiX962_compressed_char2: 2 });

/** RFC 8446 §4.2.9 PskKeyExchangeMode. */
export const PskKeyExchangeMode = table({ psk_ke: 0, psk_dhe_ke: 1 });

/** RFC 5246 §7.4.4 ClientCertificateType. */
export const ClientCertificateType = table({ rsa_sign: 1, dss_sign: 2, rsa_fixed_dh: 3, dss_fixed_dh: 4, ecdsa_sign: 64 });

/** RFC 8446 §4.6.3 KeyUpdateRequest. */
export const KeyUpdateRequest = table({ update_not_requested: 0, update_requested: 1 });

export type HashName = 'sha256' | 'sha384' | 'sha512';
export type AeadName = 'AES_128_GCM' | 'AES_256_GCM' | 'CHACHA20_POLY1305';
export type KeyExchangeKind = 'ECDHE' | 'DHE' | 'RSA' | 'TLS13';
export type AuthKind = 'RSA' | 'ECDSA' | 'TLS13';

/** What a cipher suite means: one row per suite we know the shape of. */
export interface CipherSuiteInfo {
  readonly id: number;
  /** IANA name, e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256. */
  readonly name: string;
  /** OpenSSL's name, e.g. ECDHE-RSA-AES128-GCM-SHA256 (what node:tls getCipher().name returns). */
  readonly openssl: string;
  readonly version: VersionName;
  readonly kx: KeyExchangeKind;
  readonly auth: AuthKind;
  readonly aead: AeadName;
  readonly hash: HashName;
}

const suite = (
  id: number,
  name: string,
  openssl: string,
  version: VersionName,
  kx: KeyExchangeKind,
  auth: AuthKind,
  aead: AeadName,
  hash: HashName,
): CipherSuiteInfo => Object.freeze({ id, name, openssl, version, kx, auth, aead, hash });

/** The suites ts-tls implements: AEAD only, forward-secret by default (RSA key exchange on request). */
export const CIPHER_SUITES: readonly CipherSuiteInfo[] = Object.freeze([
  // TLS 1.3 (RFC 8446 §B.4)
  suite(0x1301, 'TLS_AES_128_GCM_SHA256', 'TLS_AES_128_GCM_SHA256', 'TLSv1.3', 'TLS13', 'TLS13', 'AES_128_GCM', 'sha256'),
  suite(0x1302, 'TLS_AES_256_GCM_SHA384', 'TLS_AES_256_GCM_SHA384', 'TLSv1.3', 'TLS13', 'TLS13', 'AES_256_GCM', 'sha384'),
  suite(0x1303, 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_CHACHA20_POLY1305_SHA256', 'TLSv1.3', 'TLS13', 'TLS13', 'CHACHA20_POLY1305', 'sha256'),
  // TLS 1.2 ECDHE (RFC 5289, RFC 7905)
  suite(0xc02b, 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'ECDHE-ECDSA-AES128-GCM-SHA256', 'TLSv1.2', 'ECDHE', 'ECDSA', 'AES_128_GCM', 'sha256'),
  suite(0xc02c, 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'TLSv1.2', 'ECDHE', 'ECDSA', 'AES_256_GCM', 'sha384'),
  suite(0xc02f, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'TLSv1.2', 'ECDHE', 'RSA', 'AES_128_GCM', 'sha256'),
  suite(0xc030, 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'ECDHE-RSA-AES256-GCM-SHA384', 'TLSv1.2', 'ECDHE', 'RSA', 'AES_256_GCM', 'sha384'),
  suite(0xcca9, 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'ECDHE-ECDSA-CHACHA20-POLY1305', 'TLSv1.2', 'ECDHE', 'ECDSA', 'CHACHA20_POLY1305', 'sha256'),
  suite(0xcca8, 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'ECDHE-RSA-CHACHA20-POLY1305', 'TLSv1.2', 'ECDHE', 'RSA', 'CHACHA20_POLY1305', 'sha256'),
  // TLS 1.2 DHE (RFC 5288, RFC 7905)
  suite(0x009e, 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256', 'DHE-RSA-AES128-GCM-SHA256', 'TLSv1.2', 'DHE', 'RSA', 'AES_128_GCM', 'sha256'),
  suite(0x009f, 'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384', 'DHE-RSA-AES256-GCM-SHA384', 'TLSv1.2', 'DHE', 'RSA', 'AES_256_GCM', 'sha384'),
  suite(0xccaa, 'TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'DHE-RSA-CHACHA20-POLY1305', 'TLSv1.2', 'DHE', 'RSA', 'CHACHA20_POLY1305', 'sha256'),
  // TLS 1.2 RSA key exchange (RFC 5288): no forward secrecy, off unless asked for
  suite(0x009c, 'TLS_RSA_WITH_AES_128_GCM_SHA256', 'AES128-GCM-SHA256', 'TLSv1.2', 'RSA', 'RSA', 'AES_128_GCM', 'sha256'),
  suite(0x009d, 'TLS_RSA_WITH_AES_256_GCM_SHA384', 'AES256-GCM-SHA384', 'TLSv1.2', 'RSA', 'RSA', 'AES_256_GCM', 'sha384'),
]);

const suiteById = new Map(CIPHER_SUITES.map((s) => [s.id, s]));
const suiteByName = new Map<string, CipherSuiteInfo>();
for (const s of CIPHER_SUITES) {
  suiteByName.set(s.name, s);
  suiteByName.set(s.openssl, s);
}

export function cipherSuiteInfo(id: number): CipherSuiteInfo | undefined {
  return suiteById.get(id);
}

/** Look a suite up by IANA or OpenSSL name. */
export function cipherSuiteByName(name: string): CipherSuiteInfo | undefined {
  return suiteByName.get(name);
}

/**
 * Names of suites we do not implement but meet in other peers' hellos (so the
 * tracer can print "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA (0xc013)" like Wireshark).
 */
const OTHER_SUITE_NAMES: Record<number, string> = {
  0x0000: 'TLS_NULL_WITH_NULL_NULL',
  0x0004: 'TLS_RSA_WITH_RC4_128_MD5',
  0x0005: 'TLS_RSA_WITH_RC4_128_SHA',
  0x000a: 'TLS_RSA_WITH_3DES_EDE_CBC_SHA',
  0x002f: 'TLS_RSA_WITH_AES_128_CBC_SHA',
  0x0033: 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA',
  0x0035: 'TLS_RSA_WITH_AES_256_CBC_SHA',
  0x0039: 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA',
  0x003c: 'TLS_RSA_WITH_AES_128_CBC_SHA256',
  0x003d: 'TLS_RSA_WITH_AES_256_CBC_SHA256',
  0x0067: 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA256',
  0x006b: 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA256',
  0x00ff: 'TLS_EMPTY_RENEGOTIATION_INFO_SCSV',
  0x1304: 'TLS_AES_128_CCM_SHA256',
  0x1305: 'TLS_AES_128_CCM_8_SHA256',
  0x5600: 'TLS_FALLBACK_SCSV',
  0xc009: 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA',
  0xc00a: 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA',
  0xc013: 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA',
  0xc014: 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA',
  0xc023: 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256',
  0xc024: 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384',
  0xc027: 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256',
  0xc028: 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384',
  0xc09c: 'TLS_RSA_WITH_AES_128_CCM',
  0xc09d: 'TLS_RSA_WITH_AES_256_CCM',
  0xc09e: 'TLS_DHE_RSA_WITH_AES_128_CCM',
  0xc09f: 'TLS_DHE_RSA_WITH_AES_256_CCM',
  0xc0ac: 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM',
  0xc0ad: 'TLS_ECDHE_ECDSA_WITH_AES_256_CCM',
  0xc0ae: 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8',
  0xc0af: 'TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8',
};

/** Special cipher-suite values (not suites). */
export const TLS_EMPTY_RENEGOTIATION_INFO_SCSV = 0x00ff;
export const TLS_FALLBACK_SCSV = 0x5600;

/** RFC 8701 GREASE values (0x0a0a, 0x1a1a, ... 0xfafa). */
export function isGrease(v: number): boolean {
  return (v & 0x0f0f) === 0x0a0a && (v >> 8) === (v & 0xff);
}

function makeNamer(t: Readonly<Record<string, number>>, width: number): (v: number) => string {
  const inv = inverse(t);
  return (v) => inv.get(v) ?? (isGrease(v) && width === 4 ? 'Reserved (GREASE)' : `Unknown (${hex(v, width)})`);
}

export const contentTypeName = makeNamer(ContentType, 2);
export const handshakeTypeName = makeNamer(HandshakeType, 2);
export const alertName = makeNamer(AlertDescription, 2);
export const extensionName = makeNamer(ExtensionType, 4);
export const groupName = makeNamer(NamedGroup, 4);
export const signatureSchemeName = makeNamer(SignatureScheme, 4);
export const pskModeName = makeNamer(PskKeyExchangeMode, 2);

export function cipherSuiteName(v: number): string {
  return suiteById.get(v)?.name ?? OTHER_SUITE_NAMES[v] ?? (isGrease(v) ? 'Reserved (GREASE)' : `Unknown (${hex(v, 4)})`);
}

/** Look up a code point by name in one of the tables above. */
export function codeOf<T extends Readonly<Record<string, number>>>(t: T, name: string): number | undefined {
  return Object.prototype.hasOwnProperty.call(t, name) ? t[name as keyof T] : undefined;
}

/** Wireshark's "name (0x1301)" label. */
export function label(name: string, v: number, width = 4): string {
  return `${name} (${hex(v, width)})`;
}
