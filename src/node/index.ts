export { connect } from './connect.js';
export { createServer, Server } from './server.js';
export { TLSSocket } from './tlssocket.js';
export { createSecureContext, type ConnectOptions, type ServerOptions } from './options.js';
export type { PeerCertificate } from './peer-certificate.js';
