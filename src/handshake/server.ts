/**
 * The server's handshake up to version selection: read ClientHello, check
 * what every version requires of it, pick the version (RFC 8446 §4.2.1,
 * RFC 5246 §7.4.1.2), the certificate (by SNI), then hand over to the
 * version's flow (tls12-server.ts or tls13-server.ts).
 */
import type { CertifiedKey, ServerConfig } from '../config.js';
import type { HandshakeFlow, HandshakeIO, HandshakeSummary } from '../connection.js';
import { alertError } from '../errors.js';
import { alpn, findExtension, serverName, supportedVersions } from '../messages/extensions.js';
import { ClientHelloCodec, decodeMessage, type ClientHello, type HandshakeMessage } from '../messages/handshake.js';
import { ExtensionType, HandshakeType, TLS_FALLBACK_SCSV, type VersionName } from '../registry.js';
import { versionAllowed } from './common.js';
import { tls12Server } from './tls12-server.js';
import { tls13Server } from './tls13-server.js';

/** What the version flows get: the decoded hello and what was decided from it. */
export interface ClientHelloInfo {
  readonly config: ServerConfig;
  readonly hello: ClientHello;
  readonly helloMsg: HandshakeMessage;
  readonly serverName: string | undefined;
  /** Certificates for this SNI (SNICallback result or config.certificates). */
  readonly certificates: readonly CertifiedKey[];
  /** ALPN protocols the client offered (empty when none). */
  readonly clientAlpn: readonly string[];
}

export const serverHandshake: HandshakeFlow = async (io: HandshakeIO): Promise<HandshakeSummary> => {
  const cfg = io.config as ServerConfig;
  const msg = await io.expect(HandshakeType.client_hello);
  const hello = decodeMessage(msg, (r) => ClientHelloCodec.decode(r));

  // RFC 5246 §7.4.1.2 / RFC 8446 §4.1.2: the null compression method must be offered (and, in 1.3, alone).
  if (!hello.legacyCompressionMethods.includes(0)) throw alertError('illegal_parameter', 'ClientHello does not offer null compression');

  const version = chooseVersion(cfg, hello);
  io.setVersion(version);

  // RFC 7507: a fallback retry while we could do better is an attack (or a broken client).
  if (hello.cipherSuites.includes(TLS_FALLBACK_SCSV) && version === 'TLSv1.2' && cfg.maxVersion === 'TLSv1.3') {
    throw alertError('inappropriate_fallback', 'TLS_FALLBACK_SCSV received, but TLS 1.3 is supported');
  }

  const sniData = findExtension(hello.extensions, ExtensionType.server_name);
  const sni = sniData === undefined ? undefined : serverName.decode(sniData);
  let certificates: readonly CertifiedKey[] = cfg.certificates;
  if (cfg.selectCertificates) {
    const chosen = await cfg.selectCertificates(sni);
    if (chosen && chosen.length > 0) certificates = chosen;
  }
  const alpnData = findExtension(hello.extensions, ExtensionType.application_layer_protocol_negotiation);
  const clientAlpn = alpnData === undefined ? [] : alpn.decode(alpnData);

  const info: ClientHelloInfo = { config: cfg, hello, helloMsg: msg, serverName: sni, certificates, clientAlpn };
  return version === 'TLSv1.3' ? tls13Server(io, info) : tls12Server(io, info);
};

function chooseVersion(cfg: ServerConfig, hello: ClientHello): VersionName {
  const sv = findExtension(hello.extensions, ExtensionType.supported_versions);
  if (sv !== undefined) {
    // RFC 8446 §4.2.1: supported_versions rules; legacy_version is ignored.
    const offered = supportedVersions.decodeClient(sv);
    if (offered.includes(0x0304) && versionAllowed('TLSv1.3', cfg.minVersion, cfg.maxVersion)) return 'TLSv1.3';
    if (offered.includes(0x0303) && versionAllowed('TLSv1.2', cfg.minVersion, cfg.maxVersion)) return 'TLSv1.2';
    throw alertError('protocol_version', 'no protocol version in common');
  }
  // A hello without supported_versions can only be TLS 1.2 (or older, which we refuse).
  if (hello.legacyVersion < 0x0303) throw alertError('protocol_version', `client offers only version 0x${hello.legacyVersion.toString(16)}`);
  if (!versionAllowed('TLSv1.2', cfg.minVersion, cfg.maxVersion)) throw alertError('protocol_version', 'client offers only TLS 1.2, which is disabled');
  return 'TLSv1.2';
}

/** RFC 7301 §3.2: the server's first preference that the client offered; none in common is fatal. */
export function selectAlpn(serverProtocols: readonly string[], clientProtocols: readonly string[]): string | undefined {
  if (clientProtocols.length === 0 || serverProtocols.length === 0) return undefined;
  for (const p of serverProtocols) if (clientProtocols.includes(p)) return p;
  throw alertError('no_application_protocol', `no ALPN protocol in common (client offered ${clientProtocols.join(', ')})`);
}
