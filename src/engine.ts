/**
 * The sans-IO engine's front door: build a client or server Connection from
 * engine-level options with defaults filled in.
 *
 *   const client = createClientConnection({ serverName: 'example.com', verifyPeer }, sink);
 *   client.start();                 // queues ClientHello, sink.write gets it
 *   client.receive(bytesFromPeer);  // sink.data / sink.handshake / sink.error follow
 */
import type { ClientConfig, CommonConfig, PeerVerifier, ServerConfig } from './config.js';
import { DEFAULT_CIPHER_SUITES, DEFAULT_GROUPS, DEFAULT_SIGNATURE_ALGORITHMS } from './config.js';
import { Connection, type ConnectionSink } from './connection.js';
import { defaultProvider } from './crypto/node.js';
import { clientHandshake } from './handshake/client.js';
import { serverHandshake } from './handshake/server.js';
import { AntiReplay, MemorySessionCache, TicketKeys } from './handshake/tickets.js';

/** A verifier that accepts nothing: the safe default when no trust store is wired in. */
export const rejectAllVerifier: PeerVerifier = async () => ({
  valid: false,
  code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  message: 'no certificate verifier configured',
  alert: 'unknown_ca',
});

type Defaults<T> = Partial<Omit<T, 'side'>>;

/** Seconds a session or ticket stays resumable (OpenSSL's default for TLS). */
export const DEFAULT_SESSION_TIMEOUT = 7200;

/** Defaults both sides share. */
function commonDefaults(o: Defaults<CommonConfig>): CommonConfig {
  return {
    provider: o.provider ?? defaultProvider,
    minVersion: o.minVersion ?? 'TLSv1.2',
    maxVersion: o.maxVersion ?? 'TLSv1.3',
    cipherSuites: o.cipherSuites ?? DEFAULT_CIPHER_SUITES,
    groups: o.groups ?? DEFAULT_GROUPS,
    signatureAlgorithms: o.signatureAlgorithms ?? DEFAULT_SIGNATURE_ALGORITHMS,
    alpnProtocols: o.alpnProtocols ?? [],
    now: o.now ?? Date.now,
    trace: o.trace ?? false,
    ...(o.pskModes ? { pskModes: o.pskModes } : {}),
    ...(o.keyUpdateAfterRecords !== undefined ? { keyUpdateAfterRecords: o.keyUpdateAfterRecords } : {}),
    ...(o.padRecordsTo !== undefined ? { padRecordsTo: o.padRecordsTo } : {}),
  };
}

export function clientConfig(o: Defaults<ClientConfig> = {}): ClientConfig {
  return {
    side: 'client',
    ...commonDefaults(o),
    serverName: o.serverName,
    verifyHostname: o.verifyHostname ?? o.serverName,
    verifyPeer: o.verifyPeer ?? rejectAllVerifier,
    rejectUnauthorized: o.rejectUnauthorized ?? true,
    certificates: o.certificates ?? [],
    falseStart: o.falseStart ?? false,
    session: o.session,
    earlyData: o.earlyData,
    ...(o.minDhPrimeBits !== undefined ? { minDhPrimeBits: o.minDhPrimeBits } : {}),
  };
}

export function serverConfig(o: Defaults<ServerConfig> = {}): ServerConfig {
  const provider = o.provider ?? defaultProvider;
  return {
    side: 'server',
    ...commonDefaults(o),
    certificates: o.certificates ?? [],
    selectCertificates: o.selectCertificates,
    requestClientCertificate: o.requestClientCertificate ?? false,
    requireClientCertificate: o.requireClientCertificate ?? false,
    verifyPeer: o.verifyPeer ?? rejectAllVerifier,
    clientCertificateAuthorities: o.clientCertificateAuthorities ?? [],
    honorCipherOrder: o.honorCipherOrder ?? true,
    // Session resumption is on by default, like node:tls. Fresh keys and caches per config:
    // build one ServerConfig per server (or pass shared ones) so connections can resume.
    ticketKeys: 'ticketKeys' in o ? o.ticketKeys : new TicketKeys(provider),
    sessionCache: 'sessionCache' in o ? o.sessionCache : new MemorySessionCache(),
    sessionTimeout: o.sessionTimeout ?? DEFAULT_SESSION_TIMEOUT,
    ticketCount: o.ticketCount ?? 1,
    maxEarlyData: o.maxEarlyData ?? 0,
    antiReplay: 'antiReplay' in o ? o.antiReplay : new AntiReplay(provider),
    ...(o.sessionIdContext !== undefined ? { sessionIdContext: o.sessionIdContext } : {}),
  };
}

export function createClientConnection(config: ClientConfig, sink: ConnectionSink): Connection {
  return new Connection(config, sink, clientHandshake);
}

export function createServerConnection(config: ServerConfig, sink: ConnectionSink): Connection {
  return new Connection(config, sink, serverHandshake);
}
