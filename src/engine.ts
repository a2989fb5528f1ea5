/**
 * The sans-IO engine's front door: build a client or server Connection from
 * engine-level options with defaults filled in.
 *
 *   const client = createClientConnection({ serverName: 'example.com', verifyPeer }, sink);
 *   client.start();                 // queues ClientHello, sink.write gets it
 *   client.receive(bytesFromPeer);  // sink.data / sink.handshake / sink.error follow
 */
import type { ClientConfig, PeerVerifier, ServerConfig } from './config.js';
import { DEFAULT_CIPHER_SUITES, DEFAULT_GROUPS, DEFAULT_SIGNATURE_ALGORITHMS } from './config.js';
import { Connection, type ConnectionSink } from './connection.js';
import { defaultProvider } from './crypto/node.js';
import { clientHandshake } from './handshake/client.js';
import { serverHandshake } from './handshake/server.js';

/** A verifier that accepts nothing: the safe default when no trust store is wired in. */
export const rejectAllVerifier: PeerVerifier = async () => ({
  valid: false,
  code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  message: 'no certificate verifier configured',
  alert: 'unknown_ca',
});

type Defaults<T> = Partial<Omit<T, 'side'>>;

export function clientConfig(o: Defaults<ClientConfig> = {}): ClientConfig {
  return {
    side: 'client',
    provider: o.provider ?? defaultProvider,
    minVersion: o.minVersion ?? 'TLSv1.2',
    maxVersion: o.maxVersion ?? 'TLSv1.3',
    cipherSuites: o.cipherSuites ?? DEFAULT_CIPHER_SUITES,
    groups: o.groups ?? DEFAULT_GROUPS,
    signatureAlgorithms: o.signatureAlgorithms ?? DEFAULT_SIGNATURE_ALGORITHMS,
    alpnProtocols: o.alpnProtocols ?? [],
    now: o.now ?? Date.now,
    trace: o.trace ?? false,
    serverName: o.serverName,
    verifyHostname: o.verifyHostname ?? o.serverName,
    verifyPeer: o.verifyPeer ?? rejectAllVerifier,
    rejectUnauthorized: o.rejectUnauthorized ?? true,
    certificates: o.certificates ?? [],
    falseStart: o.falseStart ?? false,
    session: o.session,
    earlyData: o.earlyData,
  };
}

export function serverConfig(o: Defaults<ServerConfig> = {}): ServerConfig {
  return {
    side: 'server',
    provider: o.provider ?? defaultProvider,
    minVersion: o.minVersion ?? 'TLSv1.2',
    maxVersion: o.maxVersion ?? 'TLSv1.3',
    cipherSuites: o.cipherSuites ?? DEFAULT_CIPHER_SUITES,
    groups: o.groups ?? DEFAULT_GROUPS,
    signatureAlgorithms: o.signatureAlgorithms ?? DEFAULT_SIGNATURE_ALGORITHMS,
    alpnProtocols: o.alpnProtocols ?? [],
    now: o.now ?? Date.now,
    trace: o.trace ?? false,
    certificates: o.certificates ?? [],
    selectCertificates: o.selectCertificates,
    requestClientCertificate: o.requestClientCertificate ?? false,
    requireClientCertificate: o.requireClientCertificate ?? false,
    verifyPeer: o.verifyPeer ?? rejectAllVerifier,
    clientCertificateAuthorities: o.clientCertificateAuthorities ?? [],
    honorCipherOrder: o.honorCipherOrder ?? true,
  };
}

export function createClientConnection(config: ClientConfig, sink: ConnectionSink): Connection {
  return new Connection(config, sink, clientHandshake);
}

export function createServerConnection(config: ServerConfig, sink: ConnectionSink): Connection {
  return new Connection(config, sink, serverHandshake);
}
