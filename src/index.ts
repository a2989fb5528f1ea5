/**
 * ts-tls: TLS 1.2 and TLS 1.3 in TypeScript.
 *
 * - Node-shaped API: connect(), createServer(), TLSSocket (like node:tls).
 * - The sans-IO engine: createClientConnection/createServerConnection + Connection.
 * - The crypto provider interface and its node:crypto default.
 */
export { connect, createServer, Server, TLSSocket, createSecureContext, SecureContext } from './node/index.js';
// node:tls's module-level API (src/node/tls-api.ts).
export {
  checkServerIdentity,
  getCiphers,
  rootCertificates,
  convertALPNProtocols,
  createSecurePair,
  DEFAULT_CIPHERS,
  DEFAULT_ECDH_CURVE,
  DEFAULT_MIN_VERSION,
  DEFAULT_MAX_VERSION,
  CLIENT_RENEG_LIMIT,
  CLIENT_RENEG_WINDOW,
} from './node/index.js';
export type { ConnectOptions, ServerOptions, PeerCertificate } from './node/index.js';
export { Connection } from './connection.js';
export type { ConnectionSink, HandshakeSummary, TraceEvent } from './connection.js';
export { clientConfig, serverConfig, createClientConnection, createServerConnection } from './engine.js';
export type { ClientConfig, ServerConfig, CertifiedKey, SessionState, PeerVerifier } from './config.js';
export { TLSError } from './errors.js';
export type { CryptoProvider, PrivateKey, Aead, SignatureAlgorithm } from './crypto/provider.js';
export { NodeCryptoProvider, defaultProvider } from './crypto/node.js';
export * as registry from './registry.js';
// X.509: strict DER, certificates, RFC 5280 path validation, hostname checks, issuance (src/x509/index.ts).
export * as x509 from './x509/index.js';
export { Certificate, verifyCertificateChain, alertForVerifyCode, toPeerCertificate, createTestPki, X509Error, DerError } from './x509/index.js';
export type { VerifyChainOptions, VerifyChainResult, VerifyCode } from './x509/index.js';
// Tracer (Wireshark-style handshake trees, JSON lines) and NSS key log.
export { createTracer, streamTracer, formatHandshakeMessage, keyLogFileWriter, keyLogFromEnv, parseKeyLog } from './trace/index.js';
// HTTPS on top (node:https-shaped request/get/createServer, Agent, HTTP/2, undici connector): also 'ts-tls/https'.
export * as https from './https/index.js';
