/**
 * TLS 1.3 client (RFC 8446): placeholder until the TLS 1.3 flow lands.
 */
import type { ClientConfig } from '../config.js';
import type { HandshakeIO, HandshakeSummary } from '../connection.js';
import { alertError } from '../errors.js';
import type { Extension } from '../messages/extensions.js';
import type { ClientHello, HandshakeMessage, ServerHello } from '../messages/handshake.js';
import type { ClientHelloOptions, ClientHelloState } from './client.js';

/** What the TLS 1.3 side adds to the first ClientHello (PSK offer, early_data) and does after sending it (0-RTT). */
export interface ClientHelloHooks {
  readonly extra: readonly Extension[];
  readonly preSharedKey?: (helloWithoutPsk: ClientHello) => Extension;
  afterSend(io: HandshakeIO, hello: ClientHello, helloRaw: Uint8Array): void;
}

export async function clientHelloHooks(_cfg: ClientConfig): Promise<ClientHelloHooks> {
  return { extra: [], afterSend() {} };
}

export async function tls13Client(
  _io: HandshakeIO,
  _state: ClientHelloState,
  _sh: ServerHello,
  _shMsg: HandshakeMessage,
  _options: ClientHelloOptions,
): Promise<HandshakeSummary> {
  throw alertError('protocol_version', 'TLS 1.3 is not implemented yet');
}
