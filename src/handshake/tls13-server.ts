/**
 * TLS 1.3 server (RFC 8446): placeholder until the TLS 1.3 flow lands.
 */
import type { HandshakeIO, HandshakeSummary } from '../connection.js';
import { alertError } from '../errors.js';
import type { ClientHelloInfo } from './server.js';

export async function tls13Server(_io: HandshakeIO, _info: ClientHelloInfo): Promise<HandshakeSummary> {
  throw alertError('protocol_version', 'TLS 1.3 is not implemented yet');
}
