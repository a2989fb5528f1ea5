/**
 * OpenSSL's cipher-list and sigalgs-list languages, as node:tls passes them to OpenSSL, evaluated over
 * the suites and schemes ts-tls implements.
 *
 * Cipher lists (openssl-ciphers(1)): items separated by ':' (or ',' and spaces); an item is a suite
 * name or aliases joined by '+' (their intersection); a prefix '!' removes for good, '-' removes (a
 * later item may add back), '+' moves to the end; '@STRENGTH' sorts by key length, '@SECLEVEL=n' is
 * ignored. Names OpenSSL knows but we do not implement match nothing, as unknown names do in OpenSSL.
 * The starting order is OpenSSL 3's own (`openssl ciphers ALL`, restricted to our suites), so a string
 * picks the same suites in the same order as OpenSSL would, minus the ones we lack (the tests compare
 * with the `openssl ciphers` command).
 *
 * As node:tls does (lib/internal/tls/secure-context.js), names starting with TLS_ set the TLS 1.3
 * suites and the rest is the TLS 1.2 list; a TLS 1.2 list that matches nothing is node's
 * ERR_SSL_NO_CIPHER_MATCH.
 */
import { TLSError } from '../errors.js';
import { CIPHER_SUITES, SignatureScheme, type CipherSuiteInfo } from '../registry.js';
import { DEFAULT_CIPHER_SUITES } from '../config.js';

/** OpenSSL 3's preference order of the TLS 1.2 suites we implement (what `openssl ciphers ALL` lists). */
const OPENSSL_ORDER = [
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'DHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'DHE-RSA-CHACHA20-POLY1305',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'DHE-RSA-AES128-GCM-SHA256',
  'AES256-GCM-SHA384',
  'AES128-GCM-SHA256',
];

const TLS12_SUITES: readonly CipherSuiteInfo[] = OPENSSL_ORDER.map((n) => CIPHER_SUITES.find((s) => s.openssl === n)!);

/** Key length in bits, as @STRENGTH sorts. */
const strength = (s: CipherSuiteInfo): number => (s.aead === 'AES_128_GCM' ? 128 : 256);

/** The OpenSSL aliases and what each selects among our suites (an alias of suites we lack selects nothing). */
function aliasMatches(alias: string, s: CipherSuiteInfo): boolean | undefined {
  switch (alias) {
    case 'ALL':
    case 'DEFAULT': // ALL:!COMPLEMENTOFDEFAULT:!eNULL; every suite we have is in it
    case 'HIGH':
    case 'TLSv1.2':
      return true;
    case 'kECDHE':
    case 'kEECDH':
    case 'ECDHE':
    case 'EECDH':
    case 'ECDH':
      return s.kx === 'ECDHE';
    case 'kDHE':
    case 'kEDH':
    case 'DHE':
    case 'EDH':
    case 'DH':
      return s.kx === 'DHE';
    case 'kRSA':
    case 'RSA': // OpenSSL's RSA alias is the key exchange
      return s.kx === 'RSA';
    case 'aRSA':
      return s.auth === 'RSA';
    case 'aECDSA':
    case 'ECDSA':
      return s.auth === 'ECDSA';
    case 'AES':
      return s.aead !== 'CHACHA20_POLY1305';
    case 'AES128':
      return s.aead === 'AES_128_GCM';
    case 'AES256':
      return s.aead === 'AES_256_GCM';
    case 'AESGCM':
      return s.aead !== 'CHACHA20_POLY1305';
    case 'CHACHA20':
      return s.aead === 'CHACHA20_POLY1305';
    case 'FIPS':
      return s.aead !== 'CHACHA20_POLY1305';
    // Aliases that exist in OpenSSL but name nothing we implement.
    case 'COMPLEMENTOFDEFAULT':
    case 'COMPLEMENTOFALL':
    case 'MEDIUM':
    case 'LOW':
    case 'EXPORT':
    case 'EXP':
    case 'eNULL':
    case 'NULL':
    case 'aNULL':
    case 'ADH':
    case 'AECDH':
    case 'MD5':
    case 'SHA1':
    case 'SHA':
    case 'RC4':
    case 'RC2':
    case 'DES':
    case '3DES':
    case 'IDEA':
    case 'SEED':
    case 'CAMELLIA':
    case 'CAMELLIA128':
    case 'CAMELLIA256':
    case 'ARIA':
    case 'ARIA128':
    case 'ARIA256':
    case 'ARIAGCM':
    case 'AESCCM':
    case 'AESCCM8':
    case 'PSK':
    case 'kPSK':
    case 'kECDHEPSK':
    case 'kDHEPSK':
    case 'kRSAPSK':
    case 'aPSK':
    case 'SRP':
    case 'kSRP':
    case 'aSRP':
    case 'DSS':
    case 'aDSS':
    case 'kDH':
    case 'kDHr':
    case 'kDHd':
    case 'kECDH':
    case 'kECDHr':
    case 'kECDHe':
    case 'SHA256': // MAC digests: AEAD suites have none
    case 'SHA384':
    case 'aDH':
    case 'aECDH':
    case 'GOST':
    case 'kGOST':
    case 'aGOST':
    case 'aGOST01':
    case 'aGOST12':
    case 'GOST89MAC':
    case 'GOST94':
    case 'SUITEB128':
    case 'SUITEB128ONLY':
    case 'SUITEB192':
    case 'CBC':
    case 'SSLv3':
    case 'TLSv1':
    case 'TLSv1.0':
      return false;
    default:
      return undefined;
  }
}

/** Whether one item (`A+B+...`, or a suite name) selects suite `s`. Unknown words select nothing. */
function itemMatches(item: string, s: CipherSuiteInfo): boolean {
  if (item === s.openssl) return true;
  const parts = item.split('+');
  return parts.every((p) => aliasMatches(p, s) === true);
}

function noCipherMatch(list: string): TLSError {
  const e = new TLSError(`No cipher match: "${list}" selects none of the TLS 1.2 suites ts-tls implements`, 'ERR_SSL_NO_CIPHER_MATCH');
  return e;
}

/** Evaluate an OpenSSL TLS 1.2 cipher list; suite ids in order. Empty: ERR_SSL_NO_CIPHER_MATCH. */
export function evaluateCipherList(list: string): number[] {
  // Entries of OpenSSL's doubly linked list: order is the array order.
  let order: { s: CipherSuiteInfo; active: boolean; killed: boolean }[] = TLS12_SUITES.map((s) => ({ s, active: false, killed: false }));
  const items = list.split(/[:, ]+/).filter((x) => x.length > 0);
  for (const raw of items) {
    if (raw.startsWith('@')) {
      if (raw === '@STRENGTH') {
        const active = order.filter((e) => e.active);
        const rest = order.filter((e) => !e.active);
        active.sort((a, b) => strength(b.s) - strength(a.s)); // Array.prototype.sort is stable
        order = [...rest, ...active];
      }
      continue; // @SECLEVEL=n and others change nothing here
    }
    const op = raw[0] === '!' || raw[0] === '-' || raw[0] === '+' ? raw[0] : '';
    const item = op ? raw.slice(1) : raw;
    const hit = (e: { s: CipherSuiteInfo; killed: boolean }): boolean => !e.killed && itemMatches(item, e.s);
    if (op === '!') {
      for (const e of order) if (hit(e)) (e.killed = true), (e.active = false);
    } else if (op === '-') {
      // Removed suites go to the front: a later add brings them back in their old order.
      const removed = order.filter((e) => e.active && hit(e));
      for (const e of removed) e.active = false;
      order = [...removed, ...order.filter((e) => !removed.includes(e))];
    } else if (op === '+') {
      const moved = order.filter((e) => e.active && hit(e));
      order = [...order.filter((e) => !moved.includes(e)), ...moved];
    } else {
      const added = order.filter((e) => !e.active && hit(e));
      for (const e of added) e.active = true;
      order = [...order.filter((e) => !added.includes(e)), ...added];
    }
  }
  const ids = order.filter((e) => e.active && !e.killed).map((e) => e.s.id);
  if (ids.length === 0) throw noCipherMatch(list);
  return ids;
}

export interface NodeCipherChoice {
  /** TLS 1.3 suites then TLS 1.2 suites, in preference order. */
  readonly suites: number[];
  /** Set when the list leaves no TLS 1.2 suite (node then raises the minimum to TLS 1.3). */
  readonly tls13Only: boolean;
}

const DEFAULT_TLS13 = DEFAULT_CIPHER_SUITES.filter((id) => id >> 8 === 0x13);

/** node:tls's `ciphers` option: TLS_ names set the TLS 1.3 suites (default ones otherwise), the rest is an OpenSSL list. */
export function parseNodeCiphers(ciphers: string): NodeCipherChoice {
  const all = ciphers.split(':');
  const tls13 = all.filter((c) => c.length > 0 && c.startsWith('TLS_'));
  const tls12 = all.filter((c) => c.length > 0 && !c.startsWith('TLS_')).join(':');
  if (tls13.length === 0 && tls12.length === 0) throw new TLSError(`The property 'options.ciphers' is invalid. Received '${ciphers}'`, 'ERR_INVALID_ARG_VALUE');
  // Unknown TLS 1.3 names are skipped (as OpenSSL's SSL_CTX_set_ciphersuites does with names it lacks).
  const ids13 = tls13.length === 0 ? DEFAULT_TLS13 : tls13.map((n) => CIPHER_SUITES.find((s) => s.name === n && s.version === 'TLSv1.3')?.id).filter((x): x is number => x !== undefined);
  if (tls13.length > 0 && ids13.length === 0 && tls12.length === 0) throw noCipherMatch(ciphers);
  const ids12 = tls12.length === 0 ? [] : evaluateCipherList(tls12);
  return { suites: [...ids13, ...ids12], tls13Only: tls12.length === 0 };
}

/** Our default suites in node:tls's `ciphers` syntax (tls.DEFAULT_CIPHERS): parses back to exactly the defaults. */
export function defaultCipherString(): string {
  return DEFAULT_CIPHER_SUITES.map((id) => CIPHER_SUITES.find((s) => s.id === id)!.openssl).join(':');
}

// --- sigalgs ---------------------------------------------------------------------------------------

/** OpenSSL's "SIG+HASH" words (ssl/t1_lib.c get_sigorhash) mapped to its sigalg table's first match. */
const SIG_HASH: Readonly<Record<string, string>> = {
  'RSA+SHA1': 'rsa_pkcs1_sha1',
  'RSA+SHA224': 'rsa_pkcs1_sha224',
  'RSA+SHA256': 'rsa_pkcs1_sha256',
  'RSA+SHA384': 'rsa_pkcs1_sha384',
  'RSA+SHA512': 'rsa_pkcs1_sha512',
  'RSA-PSS+SHA256': 'rsa_pss_rsae_sha256',
  'RSA-PSS+SHA384': 'rsa_pss_rsae_sha384',
  'RSA-PSS+SHA512': 'rsa_pss_rsae_sha512',
  'PSS+SHA256': 'rsa_pss_rsae_sha256',
  'PSS+SHA384': 'rsa_pss_rsae_sha384',
  'PSS+SHA512': 'rsa_pss_rsae_sha512',
  'ECDSA+SHA1': 'ecdsa_sha1',
  'ECDSA+SHA224': 'ecdsa_sha224',
  'ECDSA+SHA256': 'ecdsa_secp256r1_sha256',
  'ECDSA+SHA384': 'ecdsa_secp384r1_sha384',
  'ECDSA+SHA512': 'ecdsa_secp521r1_sha512',
  'DSA+SHA1': 'dsa_sha1',
  'DSA+SHA224': 'dsa_sha224',
  'DSA+SHA256': 'dsa_sha256',
  'DSA+SHA384': 'dsa_sha384',
  'DSA+SHA512': 'dsa_sha512',
};

/** Scheme names OpenSSL's table has (besides SIG+HASH forms); those we lack are dropped, not errors. */
const OPENSSL_SCHEME_NAMES = new Set([
  'ecdsa_secp256r1_sha256', 'ecdsa_secp384r1_sha384', 'ecdsa_secp521r1_sha512', 'ecdsa_sha224', 'ecdsa_sha1',
  'ecdsa_brainpoolP256r1_sha256', 'ecdsa_brainpoolP384r1_sha384', 'ecdsa_brainpoolP512r1_sha512',
  'rsa_pss_rsae_sha256', 'rsa_pss_rsae_sha384', 'rsa_pss_rsae_sha512', 'rsa_pss_pss_sha256', 'rsa_pss_pss_sha384', 'rsa_pss_pss_sha512',
  'rsa_pkcs1_sha256', 'rsa_pkcs1_sha384', 'rsa_pkcs1_sha512', 'rsa_pkcs1_sha224', 'rsa_pkcs1_sha1',
  'ed25519', 'ed448', 'dsa_sha224', 'dsa_sha1', 'dsa_sha256', 'dsa_sha384', 'dsa_sha512',
]);

/** What we implement and accept from a sigalgs list (no SHA-1, no DSA, no brainpool, no ed448, no rsa_pss_pss). */
const OURS: Readonly<Record<string, number>> = Object.fromEntries(
  ['ecdsa_secp256r1_sha256', 'ecdsa_secp384r1_sha384', 'ecdsa_secp521r1_sha512', 'rsa_pss_rsae_sha256', 'rsa_pss_rsae_sha384', 'rsa_pss_rsae_sha512', 'rsa_pkcs1_sha256', 'rsa_pkcs1_sha384', 'rsa_pkcs1_sha512', 'ed25519']
    .filter((n) => (SignatureScheme as Record<string, number>)[n] !== undefined)
    .map((n) => [n, (SignatureScheme as Record<string, number>)[n]!]),
);

/**
 * node:tls's `sigalgs` (OpenSSL's SSL_CTX_set1_sigalgs_list): 'ECDSA+SHA256:RSA-PSS+SHA256' or
 * 'rsa_pss_rsae_sha256:ed25519'. A word OpenSSL does not know, or a repeated one, is an error (as in
 * OpenSSL); schemes we do not implement are dropped; nothing left is an error.
 */
export function parseSigalgs(list: string): number[] {
  const out: number[] = [];
  const seen = new Set<string>();
  for (const word of list.split(':')) {
    const name = word.includes('+') ? SIG_HASH[word] : OPENSSL_SCHEME_NAMES.has(word) ? word : undefined;
    if (name === undefined) throw new TLSError(`sigalgs: unknown signature algorithm "${word}"`, 'ERR_TLS_INVALID_OPTION');
    if (seen.has(name)) throw new TLSError(`sigalgs: "${word}" is listed twice`, 'ERR_TLS_INVALID_OPTION');
    seen.add(name);
    const id = OURS[name];
    if (id !== undefined) out.push(id);
  }
  if (out.length === 0) throw new TLSError(`sigalgs: "${list}" names no signature algorithm ts-tls implements`, 'ERR_TLS_INVALID_OPTION');
  return out;
}

/** OpenSSL's "SIG+HASH" name of a scheme, as getSharedSigalgs() reports it. */
export function opensslSigalgName(scheme: number): string {
  const name = Object.entries(SignatureScheme as Record<string, number>).find(([, v]) => v === scheme)?.[0] ?? `0x${scheme.toString(16)}`;
  if (name === 'ed25519') return 'Ed25519+UNDEF';
  if (name === 'ed448') return 'Ed448+UNDEF';
  const hash = /sha(\d+)$/.exec(name)?.[1];
  const h = hash ? `SHA${hash}` : 'UNDEF';
  if (name.startsWith('rsa_pss')) return `RSA-PSS+${h}`;
  if (name.startsWith('rsa_pkcs1')) return `RSA+${h}`;
  if (name.startsWith('ecdsa')) return `ECDSA+${h}`;
  return name;
}
