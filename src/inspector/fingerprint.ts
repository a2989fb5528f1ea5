/**
 * TLS client fingerprints of a ClientHello.
 *
 * - JA3 (Salesforce): "SSLVersion,Ciphers,Extensions,EllipticCurves,ECPointFormats",
 *   decimal values joined by "-", GREASE removed; the fingerprint is its MD5.
 * - JA4 (FoxIO, technical_details/JA4.md), TLS over TCP:
 *   t + version + d|i + cipher count + extension count + ALPN first/last char,
 *   "_" sha256(sorted ciphers)[0..12], "_" sha256(sorted extensions less SNI
 *   and ALPN "_" signature algorithms in order)[0..12]. GREASE is ignored.
 *
 * MD5 and SHA-256 here are fingerprint arithmetic, not protocol crypto, so
 * node:crypto is used directly (the one exception to the provider rule).
 */
import { createHash } from 'node:crypto';
import { u16List, supportedVersions, ecPointFormats } from '../messages/extensions.js';
import type { ClientHello } from '../messages/handshake.js';
import { ExtensionType, isGrease } from '../registry.js';

export interface Ja3 {
  /** The canonical string, e.g. "771,4865-4866-…,0-23-…,29-23-24,0". */
  readonly text: string;
  /** MD5 of `text`, lower-case hex. */
  readonly hash: string;
}

export interface Ja4 {
  /** e.g. t13d1516h2_8daaf6152771_e5627efa2ab1 */
  readonly ja4: string;
  /** Raw, sorted (JA4_r). */
  readonly raw: string;
  /** Hashed, original order (JA4_o). */
  readonly original: string;
  /** Raw, original order (JA4_ro). */
  readonly rawOriginal: string;
}

const notGrease = (v: number): boolean => !isGrease(v);
const hex4 = (v: number): string => v.toString(16).padStart(4, '0');

function tryDecode<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

function extData(h: ClientHello, type: number): Uint8Array | undefined {
  return h.extensions.find((e) => e.type === type)?.data;
}

export function ja3(h: ClientHello): Ja3 {
  const g = extData(h, ExtensionType.supported_groups);
  const pf = extData(h, ExtensionType.ec_point_formats);
  const groups = g ? tryDecode(() => u16List.decode(g, 'supported_groups'), [] as number[]) : [];
  const formats = pf ? tryDecode(() => ecPointFormats.decode(pf), [] as number[]) : [];
  const text = [
    String(h.legacyVersion),
    h.cipherSuites.filter(notGrease).join('-'),
    h.extensions.map((e) => e.type).filter(notGrease).join('-'),
    groups.filter(notGrease).join('-'),
    formats.join('-'),
  ].join(',');
  return { text, hash: createHash('md5').update(text).digest('hex') };
}

const JA4_VERSIONS: Record<number, string> = {
  0x0304: '13',
  0x0303: '12',
  0x0302: '11',
  0x0301: '10',
  0x0300: 's3',
  0x0002: 's2',
  0xfeff: 'd1',
  0xfefd: 'd2',
  0xfefc: 'd3',
};

const isAlnum = (b: number): boolean => (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);

/** First and last character of the first ALPN value (hex digits when either byte is not alphanumeric). */
function ja4Alpn(h: ClientHello): string {
  const d = extData(h, ExtensionType.application_layer_protocol_negotiation);
  // protocol_name_list<2..2^16-1>, first ProtocolName<1..2^8-1>
  if (!d || d.length < 3) return '00';
  const n = d[2]!;
  const first = d.subarray(3, 3 + n);
  if (first.length === 0) return '00';
  const a = first[0]!;
  const z = first[first.length - 1]!;
  if (isAlnum(a) && isAlnum(z)) return String.fromCharCode(a) + String.fromCharCode(z);
  const hex = Buffer.from(first).toString('hex');
  return hex[0]! + hex[hex.length - 1]!;
}

const sha12 = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 12);
const count2 = (n: number): string => String(Math.min(n, 99)).padStart(2, '0');

export function ja4(h: ClientHello, transport: 't' | 'q' | 'd' = 't'): Ja4 {
  const sv = extData(h, ExtensionType.supported_versions);
  const offered = sv ? tryDecode(() => supportedVersions.decodeClient(sv), [] as number[]).filter(notGrease) : [];
  const version = offered.length > 0 ? Math.max(...offered) : h.legacyVersion;
  const ciphers = h.cipherSuites.filter(notGrease);
  const exts = h.extensions.map((e) => e.type).filter(notGrease);
  const sa = extData(h, ExtensionType.signature_algorithms);
  const sigalgs = sa ? tryDecode(() => u16List.decode(sa, 'signature_algorithms'), [] as number[]).filter(notGrease) : [];
  const sni = exts.includes(ExtensionType.server_name) ? 'd' : 'i';
  const a = `${transport}${JA4_VERSIONS[version] ?? '00'}${sni}${count2(ciphers.length)}${count2(exts.length)}${ja4Alpn(h)}`;

  const cipherList = (sorted: boolean): string => (sorted ? [...ciphers].sort((x, y) => x - y) : ciphers).map(hex4).join(',');
  const extList = (sorted: boolean): string => {
    const list = sorted ? exts.filter((e) => e !== ExtensionType.server_name && e !== ExtensionType.application_layer_protocol_negotiation).sort((x, y) => x - y) : exts;
    const s = list.map(hex4).join(',');
    return sigalgs.length > 0 ? `${s}_${sigalgs.map(hex4).join(',')}` : s;
  };
  const hashOr0 = (s: string, empty: boolean): string => (empty ? '000000000000' : sha12(s));
  const noExts = (sorted: boolean): boolean =>
    (sorted ? exts.filter((e) => e !== ExtensionType.server_name && e !== ExtensionType.application_layer_protocol_negotiation) : exts).length === 0;
  return {
    ja4: `${a}_${hashOr0(cipherList(true), ciphers.length === 0)}_${hashOr0(extList(true), noExts(true))}`,
    raw: `${a}_${cipherList(true)}_${extList(true)}`,
    original: `${a}_${hashOr0(cipherList(false), ciphers.length === 0)}_${hashOr0(extList(false), noExts(false))}`,
    rawOriginal: `${a}_${cipherList(false)}_${extList(false)}`,
  };
}
