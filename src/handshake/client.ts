/**
 * The client's handshake up to ServerHello, for both versions: build and send
 * ClientHello, read ServerHello, decide the version, hand over to the
 * version's flow (tls12-client.ts or tls13-client.ts).
 */
import type { ClientConfig } from '../config.js';
import type { HandshakeFlow, HandshakeIO, HandshakeSummary } from '../connection.js';
import type { KeyAgreement } from '../crypto/provider.js';
import { alertError } from '../errors.js';
import {
  alpn,
  ecPointFormats,
  findExtension,
  keyShare,
  pskModes,
  renegotiationInfo,
  serverName,
  supportedVersions,
  u16List,
  type Extension,
} from '../messages/extensions.js';
import { ClientHelloCodec, ServerHelloCodec, decodeMessage, type ClientHello, type ServerHello, type HandshakeMessage } from '../messages/handshake.js';
import { ExtensionType, HandshakeType, NamedGroup, PskKeyExchangeMode, cipherSuiteInfo, type VersionName } from '../registry.js';
import { Transcript } from './transcript.js';
import { versionAllowed } from './common.js';
import { tls12Client } from './tls12-client.js';
import { clientHelloHooks, tls13Client, type ClientHelloHooks } from './tls13-client.js';

/** Everything the version-specific flows need to know about the ClientHello we sent. */
export interface ClientHelloState {
  readonly config: ClientConfig;
  readonly random: Uint8Array;
  readonly sessionId: Uint8Array;
  readonly hello: ClientHello;
  /** ClientHello as sent (header + body). */
  readonly helloRaw: Uint8Array;
  readonly offeredSuites: readonly number[];
  readonly offeredExtensions: readonly number[];
  /** TLS 1.3 key shares we generated, by group. */
  readonly keyShares: ReadonlyMap<number, KeyAgreement>;
  readonly offersTls12: boolean;
  readonly offersTls13: boolean;
  /** The transcript so far (ClientHello added; hash not yet chosen). */
  readonly transcript: Transcript;
  /** What the TLS 1.3 side offered in the first ClientHello (PSK, 0-RTT). */
  readonly tls13Hooks: ClientHelloHooks | undefined;
}

/** Options for (re)building a ClientHello. */
export interface ClientHelloOptions {
  readonly random: Uint8Array;
  readonly sessionId: Uint8Array;
  readonly keyShares: ReadonlyMap<number, KeyAgreement>;
  /** TLS 1.3 HRR cookie to echo. */
  readonly cookie?: Uint8Array;
  /** Extra extensions (before pre_shared_key), e.g. early_data, session_ticket. */
  readonly extra?: readonly Extension[];
  /** TLS 1.3 pre_shared_key body builder; must be last (RFC 8446 §4.2.11). */
  readonly preSharedKey?: (helloWithoutPsk: ClientHello) => Extension;
}

const isIp = (h: string): boolean => /^[0-9.]+$/.test(h) || h.includes(':');

/** Suites this client offers, in preference order, filtered by version range. */
export function offeredSuites(cfg: ClientConfig): number[] {
  return cfg.cipherSuites.filter((id) => {
    const s = cipherSuiteInfo(id);
    return s !== undefined && versionAllowed(s.version, cfg.minVersion, cfg.maxVersion);
  });
}

export function buildClientHello(cfg: ClientConfig, o: ClientHelloOptions): ClientHello {
  const offers13 = cfg.maxVersion === 'TLSv1.3';
  const offers12 = cfg.minVersion === 'TLSv1.2';
  const exts: Extension[] = [];
  const add = (type: number, data: Uint8Array): void => {
    exts.push({ type, data });
  };
  // RFC 6066 §3: literal IP addresses are not permitted in server_name.
  if (cfg.serverName && !isIp(cfg.serverName)) add(ExtensionType.server_name, serverName.encode(cfg.serverName));
  if (offers12) add(ExtensionType.extended_master_secret, new Uint8Array(0));
  if (offers12) add(ExtensionType.renegotiation_info, renegotiationInfo.encode(new Uint8Array(0)));
  const groups = cfg.groups.filter((g) => offers12 || g < 0x100 || g > 0x104 || offers13);
  add(ExtensionType.supported_groups, u16List.encode(groups));
  if (offers12) add(ExtensionType.ec_point_formats, ecPointFormats.encode([0]));
  add(ExtensionType.signature_algorithms, u16List.encode(cfg.signatureAlgorithms));
  if (cfg.alpnProtocols.length > 0) add(ExtensionType.application_layer_protocol_negotiation, alpn.encode(cfg.alpnProtocols));
  if (offers13) {
    add(ExtensionType.supported_versions, supportedVersions.encodeClient(offers12 ? [0x0304, 0x0303] : [0x0304]));
    add(ExtensionType.psk_key_exchange_modes, pskModes.encode(cfg.pskModes ?? [PskKeyExchangeMode.psk_dhe_ke]));
    add(
      ExtensionType.key_share,
      keyShare.encodeClient([...o.keyShares.values()].map((k) => ({ group: k.group, keyExchange: k.publicShare }))),
    );
    if (o.cookie) add(ExtensionType.cookie, cookieBody(o.cookie));
  }
  for (const e of o.extra ?? []) exts.push(e);
  const hello: ClientHello = {
    legacyVersion: 0x0303,
    random: o.random,
    legacySessionId: o.sessionId,
    cipherSuites: offeredSuites(cfg),
    legacyCompressionMethods: Uint8Array.of(0),
    extensions: exts,
  };
  if (o.preSharedKey) return { ...hello, extensions: [...exts, o.preSharedKey(hello)] };
  return hello;
}

function cookieBody(c: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + c.length);
  out[0] = c.length >>> 8;
  out[1] = c.length & 0xff;
  out.set(c, 2);
  return out;
}

/** The groups we send a TLS 1.3 key share for up front: the first one (and X25519MLKEM768's classical fallback). */
export function initialKeyShareGroups(cfg: ClientConfig): number[] {
  const supported = cfg.groups.filter((g) => cfg.provider.supportsGroup(g));
  const first = supported[0];
  if (first === undefined) return [];
  if (first === NamedGroup.X25519MLKEM768 && supported.includes(NamedGroup.x25519)) return [first, NamedGroup.x25519];
  return [first];
}

export const clientHandshake: HandshakeFlow = async (io: HandshakeIO): Promise<HandshakeSummary> => {
  const cfg = io.config as ClientConfig;
  const p = cfg.provider;
  const offersTls13 = cfg.maxVersion === 'TLSv1.3';
  const offersTls12 = cfg.minVersion === 'TLSv1.2';
  if (offeredSuites(cfg).length === 0) throw alertError('handshake_failure', 'no cipher suites enabled for the configured versions');

  const keyShares = new Map<number, KeyAgreement>();
  if (offersTls13) {
    for (const g of initialKeyShareGroups(cfg)) keyShares.set(g, await p.startKeyExchange(g));
  }
  const random = p.randomBytes(32);
  // Middlebox compatibility (RFC 8446 §D.4): a 1.3 client sends a random 32-byte session ID.
  let sessionId: Uint8Array = offersTls13 ? p.randomBytes(32) : new Uint8Array(0);
  const extra: Extension[] = [];
  const resume12 = cfg.session?.version === 'TLSv1.2' ? cfg.session : undefined;
  if (offersTls12) {
    if (resume12?.ticket) {
      extra.push({ type: ExtensionType.session_ticket, data: resume12.ticket });
      // RFC 5077 §3.4: a session ID lets us recognise that the server accepted the ticket.
      if (sessionId.length === 0) sessionId = p.randomBytes(32);
    } else {
      extra.push({ type: ExtensionType.session_ticket, data: new Uint8Array(0) });
      if (resume12?.sessionId) sessionId = resume12.sessionId;
    }
  }

  const tls13Hooks = offersTls13 ? await clientHelloHooks(cfg) : undefined;
  const options: ClientHelloOptions = {
    random,
    sessionId,
    keyShares,
    extra: [...extra, ...(tls13Hooks?.extra ?? [])],
    ...(tls13Hooks?.preSharedKey ? { preSharedKey: tls13Hooks.preSharedKey } : {}),
  };
  const hello = buildClientHello(cfg, options);
  const transcript = new Transcript(p);
  const helloRaw = io.sendHandshake(HandshakeType.client_hello, ClientHelloCodec.encode(hello));
  transcript.add(helloRaw);
  tls13Hooks?.afterSend(io, hello, helloRaw);

  const state: ClientHelloState = {
    config: cfg,
    random,
    sessionId,
    hello,
    helloRaw,
    offeredSuites: hello.cipherSuites,
    offeredExtensions: hello.extensions.map((e) => e.type),
    keyShares,
    offersTls12,
    offersTls13,
    transcript,
    tls13Hooks,
  };

  const shMsg = await io.expect(HandshakeType.server_hello);
  const sh = decodeMessage(shMsg, (r) => ServerHelloCodec.decode(r));
  const version = negotiatedVersion(state, sh);
  io.setVersion(version);
  if (version === 'TLSv1.3') return tls13Client(io, state, sh, shMsg, options);
  const summary = await tls12Client(io, state, sh, shMsg);
  // Early data could not go early (TLS 1.2): it goes first thing after the handshake.
  if (cfg.earlyData !== undefined) io.sendEarlyData(cfg.earlyData);
  return summary;
};

/** Which version did the server pick? (RFC 8446 §4.1.3, §4.2.1) */
function negotiatedVersion(state: ClientHelloState, sh: ServerHello): VersionName {
  const sv = findExtension(sh.extensions, ExtensionType.supported_versions);
  if (sv !== undefined) {
    if (!state.offersTls13) throw alertError('unsupported_extension', 'supported_versions in ServerHello, but TLS 1.3 was not offered');
    const v = supportedVersions.decodeServer(sv);
    if (sh.legacyVersion !== 0x0303) throw alertError('illegal_parameter', 'TLS 1.3 ServerHello legacy_version must be 0x0303');
    if (v !== 0x0304) throw alertError('illegal_parameter', `server selected version 0x${v.toString(16)} via supported_versions`);
    return 'TLSv1.3';
  }
  if (sh.legacyVersion !== 0x0303) {
    throw alertError('protocol_version', `server chose version 0x${sh.legacyVersion.toString(16)}; only TLS 1.2 and 1.3 are supported`);
  }
  if (!state.offersTls12) throw alertError('protocol_version', 'server chose TLS 1.2, which is disabled');
  return 'TLSv1.2';
}

export type { HandshakeMessage };
