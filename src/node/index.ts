export { connect } from './connect.js';
export { createServer, Server } from './server.js';
export { TLSSocket } from './tlssocket.js';
export { createSecureContext, SecureContext, type ConnectOptions, type ServerOptions } from './options.js';
export type { PeerCertificate } from './peer-certificate.js';
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
} from './tls-api.js';
