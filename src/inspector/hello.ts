/**
 * A ClientHello taken apart for people: what the client offered, in order,
 * with names. Decoding goes through the codecs in src/messages; anything a
 * codec rejects is kept as "malformed" instead of failing the page.
 */
import {
  alpn,
  ecPointFormats,
  keyShare,
  pskModes,
  serverName,
  supportedVersions,
  u16List,
  type Extension,
} from '../messages/extensions.js';
import { ClientHelloCodec, decodeMessage, type ClientHello } from '../messages/handshake.js';
import {
  ExtensionType,
  HandshakeType,
  cipherSuiteName,
  extensionName,
  groupName,
  isGrease,
  pskModeName,
  signatureSchemeName,
} from '../registry.js';

export interface Named {
  readonly id: number;
  readonly name: string;
  readonly grease: boolean;
}

export interface OfferedExtension extends Named {
  readonly length: number;
  /** A one-line rendering of the body ("x25519, secp256r1", "h2, http/1.1"...). */
  readonly summary: string;
}

export interface KeyShareOffer extends Named {
  readonly length: number;
}

export interface HelloAnalysis {
  readonly hello: ClientHello;
  /** The ClientHello as received (handshake header + body). */
  readonly raw: Uint8Array;
  readonly legacyVersion: number;
  readonly sessionIdLength: number;
  readonly suites: readonly Named[];
  readonly extensions: readonly OfferedExtension[];
  /** From supported_versions, else legacy_version alone. */
  readonly versions: readonly Named[];
  readonly groups: readonly Named[];
  readonly keyShares: readonly KeyShareOffer[];
  readonly signatureAlgorithms: readonly Named[];
  readonly alpn: readonly string[];
  readonly serverName: string | undefined;
  readonly pskModes: readonly Named[];
  readonly ecPointFormats: readonly number[];
}

const VERSION_NAMES: Record<number, string> = { 0x0300: 'SSL 3.0', 0x0301: 'TLS 1.0', 0x0302: 'TLS 1.1', 0x0303: 'TLS 1.2', 0x0304: 'TLS 1.3' };

export function versionName(v: number): string {
  if (isGrease(v)) return 'GREASE';
  if (VERSION_NAMES[v]) return VERSION_NAMES[v]!;
  if ((v & 0xff00) === 0x7f00) return `TLS 1.3 draft ${v & 0xff}`;
  return `0x${v.toString(16).padStart(4, '0')}`;
}

const named = (id: number, name: string): Named => ({ id, name: isGrease(id) ? 'GREASE' : name.startsWith('Unknown') ? EXTRA_NAMES[id] ?? name : name, grease: isGrease(id) });

/** Code points browsers send that the protocol registry has no row for (display only). */
const EXTRA_NAMES: Record<number, string> = {
  0x0904: 'mldsa44',
  0x0905: 'mldsa65',
  0x0906: 'mldsa87',
  0x44cd: 'application_settings',
  0xfe0d: 'encrypted_client_hello',
};

function attempt<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

function summarize(e: Extension): string {
  const d = e.data;
  try {
    switch (e.type) {
      case ExtensionType.server_name:
        return serverName.decode(d) ?? '(empty)';
      case ExtensionType.supported_groups:
        return u16List.decode(d, 'supported_groups').map((g) => (isGrease(g) ? 'GREASE' : groupName(g))).join(', ');
      case ExtensionType.signature_algorithms:
      case ExtensionType.signature_algorithms_cert:
        return `${u16List.decode(d, 'signature_algorithms').length} schemes`;
      case ExtensionType.application_layer_protocol_negotiation:
        return alpn.decode(d).join(', ');
      case ExtensionType.supported_versions:
        return supportedVersions.decodeClient(d).map(versionName).join(', ');
      case ExtensionType.key_share:
        return keyShare
          .decodeClient(d)
          .map((k) => `${isGrease(k.group) ? 'GREASE' : groupName(k.group)} (${k.keyExchange.length} B)`)
          .join(', ');
      case ExtensionType.psk_key_exchange_modes:
        return pskModes.decode(d).map(pskModeName).join(', ');
      case ExtensionType.ec_point_formats:
        return ecPointFormats.decode(d).map((f) => ['uncompressed', 'ansiX962_compressed_prime', 'ansiX962_compressed_char2'][f] ?? String(f)).join(', ');
      case ExtensionType.padding:
        return `${d.length} zero bytes`;
      case ExtensionType.pre_shared_key:
        return 'resumption offer';
      case ExtensionType.encrypted_client_hello:
        return `${d.length} B (ECH or GREASE ECH)`;
      default:
        return d.length === 0 ? '(empty)' : `${d.length} B`;
    }
  } catch {
    return `malformed (${d.length} B)`;
  }
}

/** Decode a ClientHello handshake message (header + body). Throws TLSError/DecodeError when it is not one. */
export function analyzeClientHello(raw: Uint8Array): HelloAnalysis {
  if (raw[0] !== HandshakeType.client_hello) throw new Error(`handshake type ${raw[0]} is not client_hello`);
  const hello = decodeMessage({ type: raw[0], body: raw.subarray(4) }, (r) => ClientHelloCodec.decode(r));
  const ext = (t: number): Uint8Array | undefined => hello.extensions.find((e) => e.type === t)?.data;
  const sv = ext(ExtensionType.supported_versions);
  const versionIds = sv ? attempt(() => supportedVersions.decodeClient(sv), [] as number[]) : [hello.legacyVersion];
  const g = ext(ExtensionType.supported_groups);
  const sa = ext(ExtensionType.signature_algorithms);
  const ks = ext(ExtensionType.key_share);
  const al = ext(ExtensionType.application_layer_protocol_negotiation);
  const sn = ext(ExtensionType.server_name);
  const pm = ext(ExtensionType.psk_key_exchange_modes);
  const pf = ext(ExtensionType.ec_point_formats);
  return {
    hello,
    raw,
    legacyVersion: hello.legacyVersion,
    sessionIdLength: hello.legacySessionId.length,
    suites: hello.cipherSuites.map((s) => named(s, cipherSuiteName(s))),
    extensions: hello.extensions.map((e) => ({ ...named(e.type, extensionName(e.type)), length: e.data.length, summary: summarize(e) })),
    versions: versionIds.map((v) => named(v, versionName(v))),
    groups: g ? attempt(() => u16List.decode(g, 'supported_groups'), [] as number[]).map((x) => named(x, groupName(x))) : [],
    keyShares: ks ? attempt(() => keyShare.decodeClient(ks), []).map((k) => ({ ...named(k.group, groupName(k.group)), length: k.keyExchange.length })) : [],
    signatureAlgorithms: sa ? attempt(() => u16List.decode(sa, 'signature_algorithms'), [] as number[]).map((x) => named(x, signatureSchemeName(x))) : [],
    alpn: al ? attempt(() => alpn.decode(al), [] as string[]) : [],
    serverName: sn ? attempt(() => serverName.decode(sn), undefined) : undefined,
    pskModes: pm ? attempt(() => pskModes.decode(pm), [] as number[]).map((x) => named(x, pskModeName(x))) : [],
    ecPointFormats: pf ? attempt(() => ecPointFormats.decode(pf), [] as number[]) : [],
  };
}
